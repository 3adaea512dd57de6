// Exit statuses and messages as ip gives them, never a stack trace; -batch in one process.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeLive, ipJson, TestNamespaces } from "../helpers/live.js";
import { nlkit } from "../helpers/nlkit-cli.js";

const ns = new TestNamespaces("cli-errors");
let n = "";
let dir = "";

function noTrace(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stderr).not.toMatch(/internal error/);
}

describeLive("nlkit exit statuses, messages and -batch", () => {
  beforeAll(() => {
    n = ns.create("a");
    execFileSync("ip", ["-n", n, "link", "add", "d0", "type", "veth", "peer", "name", "d1"]);
    execFileSync("ip", ["-n", n, "link", "set", "d0", "up"]);
    execFileSync("ip", ["-n", n, "link", "set", "d1", "up"]);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "nlkit-cli-"));
  });
  afterAll(() => {
    ns.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // [args, exit status, stderr] checked against ip's own answer for the same line
  const cases: Array<[string, number, string | RegExp]> = [
    ["link foo", 255, 'Command "foo" is unknown, try "nlkit link help".'],
    ["foo", 1, 'Object "foo" is unknown, try "nlkit help".'],
    ["route add 10.0.0.0/8 via", 255, 'Command line is not complete. Try option "help"'],
    ["link set d0 bogus", 255, 'Error: either "dev" is duplicate, or "bogus" is a garbage.'],
    ["route add 1.2.3.4 dev d0 metric x", 255, 'Error: argument "x" is wrong: "metric" value is invalid'],
    ["link show dev nosuch", 1, 'Device "nosuch" does not exist.'],
    ["link del nosuch", 1, 'Cannot find device "nosuch"'],
    ["route add 10.0.0.0/8 dev nosuch", 1, 'Cannot find device "nosuch"'],
    ["link add x type nosuchkind", 2, "Error: Unknown device type."],
    ["link add d0 type veth", 2, "RTNETLINK answers: File exists"],
    ["addr add 1.2.3.4/24", 1, 'Not enough information: "dev" argument is required.'],
    ["addr add 1.2.3.4/33 dev d0", 1, 'Error: any valid prefix is expected rather than "1.2.3.4/33".'],
    ["link add", 1, 'Not enough information: "type" argument is required'],
    ["link help", 255, /^Usage: nlkit link add/],
    ["route get 1.2.3.4 foo", 1, /expected rather than "foo"/],
    ["neigh add 10.0.0.5 dev d0 protocol x", 255, 'Error: argument "x" is wrong: "protocol" value is invalid'],
    // keyword values ip refuses while parsing (255), each place with its own wording
    ["addr add 10.9.0.1/24 dev d0 scope bogus", 255, 'Error: argument "bogus" is wrong: invalid scope value.'],
    ["addr add 10.9.0.1/24 dev d0 scope 300", 255, 'Error: argument "300" is wrong: invalid scope value.'],
    ["addr show scope bogus", 255, 'Error: argument "bogus" is wrong: invalid "scope"'],
    ["route add 10.9.0.0/24 dev d0 scope bogus", 255, 'Error: argument "bogus" is wrong: invalid "scope" value'],
    ["route add 10.9.0.0/24 dev d0 proto bogus", 255, 'Error: argument "bogus" is wrong: "protocol" value is invalid'],
    ["route add 10.9.0.0/24 dev d0 proto 256", 255, 'Error: argument "256" is wrong: "protocol" value is invalid'],
    ["route add 10.9.0.0/24 dev d0 pref bogus", 255, 'Error: argument "bogus" is wrong: "pref" value is invalid'],
    ["route show proto bogus", 255, 'Error: argument "bogus" is wrong: invalid "protocol"'],
    ["link add a/b type veth", 255, 'Error: argument "a/b" is wrong: "dev" not a valid ifname'],
    ["link add c0 type veth peer name a/b", 255, 'Error: argument "a/b" is wrong: "name" not a valid ifname'],
    ["link add c0 type veth peer a/b", 255, 'Error: argument "a/b" is wrong: "dev" not a valid ifname'],
    ["link set d0 name a/b", 255, 'Error: argument "a/b" is wrong: "name" not a valid ifname'],
    ["link set d0 name aaaaaaaaaaaaaaaaaaaa", 255, 'Error: argument "aaaaaaaaaaaaaaaaaaaa" is wrong: "name" not a valid ifname'],
    ["link add c0 type veth peer c1 bogus", 255, 'Error: either "dev" is duplicate, or "bogus" is a garbage.'],
    ["link add c0 type veth peer name c1 bogus", 255, 'both "name" and "dev" cannot be used when creating devices.'],
    ["link add name c0 c1 type veth", 255, 'both "name" and "dev" cannot be used when creating devices.'],
    ["link add br9 type bridge stp_state bogus", 255, 'Error: argument "bogus" is wrong: invalid stp_state'],
    ["link add br9 type bridge stp_state 4294967296", 255, 'Error: argument "4294967296" is wrong: invalid stp_state'],
    ["link add br9 type bridge mcast_snooping 256", 255, 'Error: argument "256" is wrong: invalid mcast_snooping'],
    ["link del a/b", 255, 'Error: argument "a/b" is wrong: "dev" not a valid ifname'],
    ["rule add ipproto bogus", 255, 'Error: argument "bogus" is wrong: Invalid "ipproto" value'],
    ["rule add ipproto 0x6", 255, 'Error: argument "0x6" is wrong: Invalid "ipproto" value'],
    ["rule add protocol bogus", 255, 'Error: argument "bogus" is wrong: "protocol" value is invalid'],
    ["netns add a/b", 255, 'Invalid netns name "a/b"'],
    ["netns exec a/b true", 255, 'Invalid netns name "a/b"'],
    // bad addresses are not usage errors in ip: exit 1
    ["addr add bogus dev d0", 1, 'Error: any valid prefix is expected rather than "bogus".'],
    ["link set d0 address zz", 1, '"zz" is invalid lladdr.'],
    ["link add c0 type veth peer name c1 address zz", 1, '"zz" is invalid lladdr.'],
    ["neigh add 10.0.0.9 lladdr zz dev d0", 1, '"zz" is invalid lladdr.'],
  ];

  it.each(cases)("nlkit %s -> exit %i", (line, code, message) => {
    const r = nlkit(["-n", n, ...line.split(" ")]);
    expect(r.code).toBe(code);
    if (typeof message === "string") expect(r.stderr.trim()).toBe(message);
    else expect(r.stderr).toMatch(message);
    noTrace(r.stderr);
    // ip agrees on the status and the words (its messages say "ip" where nlkit says "nlkit")
    let ipCode = 0;
    let ipStderr = "";
    try {
      execFileSync("ip", ["-n", n, ...line.split(" ")], { stdio: "pipe" });
    } catch (e) {
      ipCode = (e as { status: number }).status;
      ipStderr = String((e as { stderr: Buffer }).stderr);
    }
    expect(ipCode).toBe(code);
    if (typeof message === "string") expect(ipStderr.trim().replace(/"ip /g, '"nlkit ')).toBe(message);
  }, 30_000);

  it("refuses a -n namespace that does not exist with 255, before anything else", () => {
    const r = nlkit(["-n", "nlkit-test-no-such-ns", "link"]);
    expect(r.code).toBe(255);
    expect(r.stderr.trim()).toBe('Cannot open network namespace "nlkit-test-no-such-ns": No such file or directory');
    // ip looks -n up under /run/netns even when it is a path
    const path = nlkit(["-n", `/run/netns/${n}`, "link"]);
    expect(path.code).toBe(255);
    expect(path.stderr.trim()).toBe(`Cannot open network namespace "/run/netns/${n}": No such file or directory`);
  });

  it("lets the doctor report a missing -n namespace itself (netns.exists and its fix); other objects keep ip's 255", () => {
    const missing = "nlkit-test-no-such-ns-doctor";
    const r = nlkit(["-j", "-n", missing, "doctor", "--to", "10.0.0.1"]);
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as { checks: Array<{ id: string; status: string; fix?: string }> };
    const first = report.checks.find((c) => c.status === "failure");
    expect(first).toMatchObject({ id: "netns.exists", fix: `nlkit netns add ${missing}` });
    for (const line of [["link"], ["-zzz", "link"], ["-batch", "/dev/null"], []]) {
      const other = nlkit(["-n", missing, ...line]);
      expect(other.code).toBe(255);
      expect(other.stderr.trim()).toBe(`Cannot open network namespace "${missing}": No such file or directory`);
    }
  }, 30_000);

  it("bridge stp_state takes any u32 as ip does, non-zero turning STP on", () => {
    for (const [v, on] of [["3", 1], ["0x10", 1], ["0", 0]] as const) {
      const r = nlkit(["-n", n, "link", "add", "br8", "type", "bridge", "stp_state", v]);
      expect(r.code, r.stderr).toBe(0);
      const [br] = ipJson<Array<{ linkinfo: { info_data: { stp_state: number } } }>>(["-d", "link", "show", "br8"], n);
      expect(br!.linkinfo.info_data.stp_state).toBe(on);
      execFileSync("ip", ["-n", n, "link", "del", "br8"]);
    }
  }, 30_000);

  it("nlkit lab refuses an unknown argument with its usage (255) before creating anything", () => {
    const r = nlkit(["lab", "--kep"]);
    expect(r.code).toBe(255);
    expect(r.stderr).toBe('nlkit lab: unknown argument "--kep"\nUsage: nlkit lab [--keep]\n');
    // the lab prints its plan as it starts: nothing was begun
    expect(r.stdout).toBe("");
  });

  it("takes a namespace file's path after netns, as ip does", () => {
    const r = nlkit(["-n", n, "link", "add", "p0", "netns", `/run/netns/${n}`, "type", "veth", "peer", "name", "p1"]);
    expect(r.code, r.stderr).toBe(0);
    expect(ipJson<Array<{ ifname: string }>>(["link", "show", "p0"], n)).toHaveLength(1);
    execFileSync("ip", ["-n", n, "link", "del", "p0"]);
  });

  it("batch: 1000 route adds in one process", () => {
    const file = path.join(dir, "routes");
    const lines = Array.from({ length: 1000 }, (_, i) => `route add 10.50.${i >> 8}.${i & 255}/32 dev d0`);
    fs.writeFileSync(file, lines.join("\n") + "\n");
    const r = nlkit(["-n", n, "-batch", file]);
    expect(r.code, r.stderr).toBe(0);
    const routes = ipJson<Array<{ dst: string }>>(["route", "show"], n).filter((x) => x.dst.startsWith("10.50."));
    expect(routes).toHaveLength(1000);
  }, 60_000);

  it("batch without -force stops at the first failing line with Command failed FILE:LINE", () => {
    const file = path.join(dir, "stop");
    fs.writeFileSync(file, ["route add 10.60.0.1/32 dev d0", "# comment", "route add 10.60.0.1/32 dev d0", "route add 10.60.0.2/32 dev d0"].join("\n"));
    const r = nlkit(["-n", n, "-batch", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`RTNETLINK answers: File exists\nCommand failed ${file}:3\n`);
    const dsts = ipJson<Array<{ dst: string }>>(["route", "show"], n).map((x) => x.dst);
    expect(dsts).toContain("10.60.0.1");
    expect(dsts).not.toContain("10.60.0.2");
  }, 30_000);

  it("batch with -force goes on past failures (batched), reporting each line", () => {
    const file = path.join(dir, "force");
    const lines = ["route add 10.70.0.1/32 dev d0", "route add 10.70.0.1/32 dev d0", "link set d0 mtu 1400", "route add 10.70.0.2/32 dev nosuch", "route add 10.70.0.3/32 dev d0", "addr add 10.71.0.1/24 dev d0"];
    fs.writeFileSync(file, lines.join("\n"));
    const r = nlkit(["-n", n, "-force", "-batch", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`RTNETLINK answers: File exists\nCommand failed ${file}:2\nCannot find device "nosuch"\nCommand failed ${file}:4\n`);
    const dsts = ipJson<Array<{ dst: string }>>(["route", "show"], n).map((x) => x.dst);
    expect(dsts).toEqual(expect.arrayContaining(["10.70.0.1", "10.70.0.3", "10.71.0.0/24"]));
    expect(ipJson<Array<{ mtu: number }>>(["link", "show", "d0"], n)[0]!.mtu).toBe(1400);
  }, 30_000);

  it("batch leaves at once on a line it cannot parse, -force or not (255)", () => {
    const file = path.join(dir, "usage");
    fs.writeFileSync(file, "link bogus\nroute add 10.80.0.1/32 dev d0\n");
    const r = nlkit(["-n", n, "-force", "-batch", file]);
    expect(r.code).toBe(255);
    expect(r.stderr.trim()).toBe('Command "bogus" is unknown, try "nlkit link help".');
    expect(ipJson<Array<{ dst: string }>>(["route", "show"], n).map((x) => x.dst)).not.toContain("10.80.0.1");
  }, 30_000);

  it("batch leaves at once on any line ip refuses with 255, not only unknown words", () => {
    const file = path.join(dir, "usage-nud");
    fs.writeFileSync(file, "neigh add 10.0.0.5 dev d0 nud bogus\nroute add 10.81.0.1/32 dev d0\n");
    const r = nlkit(["-n", n, "-force", "-batch", file]);
    expect(r.code).toBe(255);
    expect(r.stderr.trim()).toBe('Error: argument "bogus" is wrong: nud state is bad');
    expect(ipJson<Array<{ dst: string }>>(["route", "show"], n).map((x) => x.dst)).not.toContain("10.81.0.1");
  }, 30_000);

  it("batch from a missing file", () => {
    const r = nlkit(["-batch", path.join(dir, "missing")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Cannot open file ".*missing" for reading: No such file or directory\n$/);
  });

  it("netns exec passes argv through and returns the child's status", () => {
    const r = nlkit(["netns", "exec", n, "sh", "-c", 'echo "$0 $1"; exit 7', "a b", "c"]);
    expect(r.code).toBe(7);
    expect(r.stdout).toBe("a b c\n");
    const missing = nlkit(["netns", "exec", n, "/nonexistent/cmd"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('exec of "/nonexistent/cmd" failed: No such file or directory');
  }, 30_000);

  it("an unexpected error is one line asking for a report; NLKIT_DEBUG=1 adds the trace", async () => {
    const { reportError } = await import("../../src/cli/report.js");
    const lines: string[] = [];
    const prev = process.env.NLKIT_DEBUG;
    delete process.env.NLKIT_DEBUG;
    expect(reportError(new RangeError("oops"), (s) => lines.push(s))).toBe(1);
    expect(lines.join("")).toMatch(/^nlkit: internal error: oops \(please report.*\)\n$/);
    process.env.NLKIT_DEBUG = "1";
    lines.length = 0;
    reportError(new RangeError("oops"), (s) => lines.push(s));
    expect(lines.join("")).toMatch(/\n\s+at /);
    if (prev === undefined) delete process.env.NLKIT_DEBUG;
    else process.env.NLKIT_DEBUG = prev;
  });
});
