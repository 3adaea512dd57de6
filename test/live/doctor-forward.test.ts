// Doctor on a healthy lab (no warnings, against ip/nft oracles), forwarding and NAT faults, a UDP
// port probe, and the CLI's exit status and output.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnose } from "../../src/doctor/index.js";
import { doctor } from "../../src/cli/doctor.js";
import { UdpSourceReporter } from "../../src/probe/index.js";
import { buildLab, faultThenRepair, firstProblem, statusLines, waitFor, type DoctorLab } from "../helpers/doctor-lab.js";
import { describeLive, ip, ipJson } from "../helpers/live.js";
import { NLKIT_BIN } from "../helpers/nlkit-cli.js";

const OUT = "198.51.100.1";
const opts = (lab: DoctorLab, to = OUT) => ({ netns: lab.c1, to, count: 1, timeoutMs: 1000 });

describeLive("nlkit doctor: healthy lab", () => {
  let lab: DoctorLab;
  beforeAll(async () => { lab = await buildLab("doc-ok"); });
  afterAll(() => lab?.ns.cleanup());

  it("to the outside: every check ok or skipped, no warning; the path named as ip and nft see it", async () => {
    const r = await diagnose(opts(lab));
    expect(r.checks.filter((c) => c.status !== "ok" && c.status !== "skipped"), statusLines(r)).toEqual([]);
    expect(r.ok).toBe(true);
    const by = (id: string) => r.checks.find((c) => c.id === id)!;
    expect(by("link.peer").evidence).toContain(`veth1-br`);
    expect(by("link.peer").evidence).toContain(lab.host);
    expect(by("route.gateway").evidence).toBe(`the gateway 10.0.0.254 is br0 in ${lab.host}`);
    expect(by("forward.router").evidence).toContain(lab.host);
    const rule = JSON.parse(execFileSync("ip", ["netns", "exec", lab.host, "nft", "-j", "list", "ruleset"], { encoding: "utf8" }))
      .nftables.find((o: any) => o.rule)?.rule;
    expect((by("nat.masquerade").details as { handle: number }).handle).toBe(rule.handle);
    expect(by("probe").evidence).toMatch(/1\/1 replies, rtt/);
    // the path, in order: every check id appears once, failures would be ordered by position
    expect(r.checks.map((c) => c.id)).toEqual([
      "netns.access", "netns.exists", "link.lo", "link.egress", "link.egress.up", "link.peer", "link.peer.up",
      "link.egress.carrier", "link.bridge", "addr.egress", "addr.subnet", "addr.duplicate", "addr.dad",
      "route.lookup", "route.gateway", "neigh.nexthop", "filter.local", "forward.router", "forward.ip_forward", "forward.route",
      "nat.masquerade", "filter.forward", "probe",
    ]);
  });

  it("to another container on the bridge: on-link, no router, no warning", async () => {
    const r = await diagnose(opts(lab, "10.0.0.2"));
    expect(firstProblem(r), statusLines(r)).toBeUndefined();
    expect(r.checks.find((c) => c.id === "forward.router")).toMatchObject({ status: "skipped" });
    const n = r.checks.find((c) => c.id === "neigh.nexthop")!;
    const mac = JSON.parse(ip(["-j", "link", "show", "veth2"], lab.c2))[0].address;
    expect(n.evidence).toContain(mac); // the ARP answer is c2's veth2
  });

  it("IPv6 on the bridge (ULA, nodad): on-link, NDP answered by c2, no warning; DAD named when it fails", async () => {
    ip(["addr", "add", "fd00::254/64", "dev", "br0", "nodad"], lab.host);
    ip(["addr", "add", "fd00::1/64", "dev", "veth1", "nodad"], lab.c1);
    ip(["addr", "add", "fd00::2/64", "dev", "veth2", "nodad"], lab.c2);
    const r = await diagnose(opts(lab, "fd00::2"));
    expect(firstProblem(r), statusLines(r)).toBeUndefined();
    expect(r.checks.find((c) => c.id === "addr.dad")).toMatchObject({ status: "ok" });
    expect(r.checks.find((c) => c.id === "neigh.nexthop")!.evidence).toContain("veth2 in");
    // the same address again on c1 with DAD: c2 answers for it, the kernel marks it dadfailed
    ip(["addr", "add", "fd00::2/64", "dev", "veth1"], lab.c1);
    await waitFor("dadfailed", () =>
      ipJson<Array<{ addr_info: Array<{ local: string; dadfailed?: boolean }> }>>(["-6", "addr", "show", "dev", "veth1"], lab.c1)[0]!.addr_info
        .some((a) => a.local === "fd00::2" && a.dadfailed === true));
    const d = await diagnose(opts(lab, "fd00::2"));
    expect(firstProblem(d)?.id, statusLines(d)).toBe("addr.duplicate");
    expect(d.checks.find((c) => c.id === "addr.dad")).toMatchObject({ status: "failure", fix: `nlkit -n ${lab.c1} address del fd00::2/64 dev veth1` });
    ip(["addr", "del", "fd00::2/64", "dev", "veth1"], lab.c1);
  });

  it("ADDRESS:PORT: a UDP answer is ok, and it came through NAT (the responder saw the host's address)", async () => {
    const rep = new UdpSourceReporter({ netns: lab.out, address: OUT, port: 7007 });
    try {
      const r = await diagnose(opts(lab, `${OUT}:7007`));
      expect(firstProblem(r), statusLines(r)).toBeUndefined();
      expect(r.checks.find((c) => c.id === "probe")!.evidence).toMatch(/udp 198\.51\.100\.1:7007 answered "seen 198\.51\.100\.2:\d+"/);
      expect(rep.seen[0]).toMatch(/^198\.51\.100\.2:/);
    } finally {
      await rep.close();
    }
    const r = await diagnose(opts(lab, `${OUT}:7008`));
    expect(firstProblem(r)).toMatchObject({ id: "probe", status: "warning" });
    expect(r.ok).toBe(true);
  });

  it("CLI: text tree with marks, --json, exit 0; -n for a missing namespace exits 1", async () => {
    const run = (args: string[]) => {
      try {
        return { status: 0, out: execFileSync(process.execPath, [NLKIT_BIN, ...args], { encoding: "utf8", stdio: "pipe" }) };
      } catch (e) {
        const err = e as { status: number; stdout: string; stderr: string };
        return { status: err.status, out: err.stdout, err: err.stderr };
      }
    };
    const viaBin = run(["-n", lab.c1, "doctor", "--to", OUT]);
    expect(viaBin.status).toBe(0);
    expect(viaBin.out).toContain("✓ route [route.lookup]");
    const jsonViaBin = run(["-j", "-n", lab.c1, "doctor", "--to", OUT]); // ip's global -j
    expect(JSON.parse(jsonViaBin.out)).toMatchObject({ ok: true, netns: lab.c1 });
    const brokenViaBin = run(["doctor", "-n", lab.ns.name("nope"), "--to", OUT]);
    expect(brokenViaBin.status).toBe(1);
    const chunks: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((s: string) => { chunks.push(s); return true; }) as typeof process.stdout.write;
    let status: number, jsonStatus: number, missing: number;
    try {
      status = await doctor(["-n", lab.c1, "--to", OUT]);
      jsonStatus = await doctor(["--to", OUT, "--json"], { netns: lab.c1 });
      missing = await doctor(["-n", lab.ns.name("nope"), "--to", OUT]);
    } finally {
      process.stdout.write = write;
    }
    expect(status).toBe(0);
    expect(jsonStatus).toBe(0);
    expect(missing).toBe(1);
    expect(chunks[0]).toMatch(/^nlkit doctor: .*c1 -> 198\.51\.100\.1\n├─ namespace\n│  ├─ ✓ permissions/);
    expect(JSON.parse(chunks[1]!)).toMatchObject({ ok: true, to: OUT });
    expect(chunks[2]).toContain("✗ namespace [netns.exists]");
    expect(chunks[2]).toContain(`fix: nlkit netns add ${lab.ns.name("nope")}`);
  });
});

describeLive("nlkit doctor: forwarding and NAT faults", () => {
  const labs: DoctorLab[] = [];
  afterAll(() => { for (const l of labs) l.ns.cleanup(); });
  const lab = async (tag: string) => { const l = await buildLab(tag); labs.push(l); return l; };

  it("ip_forward off in the router: forward.ip_forward first, sysctl -w in host", async () => {
    const l = await lab("doc-fwd");
    execFileSync("ip", ["netns", "exec", l.host, "sysctl", "-qw", "net.ipv4.ip_forward=0"]);
    await faultThenRepair(opts(l), "forward.ip_forward", `nlkit -n ${l.host} sysctl -w net.ipv4.ip_forward=1`);
    expect(execFileSync("ip", ["netns", "exec", l.host, "sysctl", "-n", "net.ipv4.ip_forward"], { encoding: "utf8" }).trim()).toBe("1");
  });

  it("masquerade rule missing: nat.masquerade first, the rule for 10.0.0.0/24 leaving anything but br0", async () => {
    const l = await lab("doc-nat");
    execFileSync("ip", ["netns", "exec", l.host, "nft", "flush", "chain", "ip", "nat", "postrouting"]);
    await faultThenRepair(opts(l), "nat.masquerade", `nlkit -n ${l.host} nat masquerade --saddr 10.0.0.0/24 --not-oif br0`);
    const text = execFileSync("ip", ["netns", "exec", l.host, "nft", "list", "chain", "ip", "nat", "postrouting"], { encoding: "utf8" });
    expect(text).toContain(`ip saddr 10.0.0.0/24 oifname != "br0" masquerade`);
  });

  it("router's uplink down: forward.route first, `link set eth0 up` in host", async () => {
    const l = await lab("doc-uplink");
    ip(["link", "set", "eth0", "down"], l.host);
    await faultThenRepair(opts(l), "forward.route", `nlkit -n ${l.host} link set eth0 up`);
  });

  it("a drop rule in the router's forward chain: filter.forward names it; the fix accepts the flow before it", async () => {
    const l = await lab("doc-filter");
    const nftIn = (ns: string, text: string) => execFileSync("ip", ["netns", "exec", ns, "nft", "-f", "-"], { input: text });
    // a firewalld-like chain: established traffic first, then a set of blocked sources through a jump
    nftIn(l.host, [
      "table inet fw {",
      "\tset blocked {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\telements = { 10.0.0.0/24, 192.0.2.0/24 }\n\t}",
      "\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;",
      "\t\tct state established,related accept\n\t\tjump deny\n\t}",
      "\tchain deny {\n\t\tip saddr @blocked counter drop\n\t}",
      "}", "",
    ].join("\n"));
    const handle = JSON.parse(execFileSync("ip", ["netns", "exec", l.host, "nft", "-j", "list", "chain", "inet", "fw", "deny"], { encoding: "utf8" }))
      .nftables.find((o: any) => o.rule).rule.handle;
    const before = await faultThenRepair(opts(l), "filter.forward",
      `nlkit -n ${l.host} nft insert rule inet fw deny position ${handle} ip saddr 10.0.0.1 ip daddr ${OUT} accept`);
    const f = before.checks.find((c) => c.id === "filter.forward")!;
    expect(f.evidence).toContain(`"ip saddr @blocked counter packets`);
    expect(f.evidence).toContain(`(table inet fw chain deny, handle ${handle}; reached through forward > jump deny)`);
    // a verdict map that sends the flow to a chain with policy-like drop at its end, for UDP to a port
    nftIn(l.host, "flush ruleset\n" + [
      "table ip nat {\n\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\tip saddr 10.0.0.0/24 oifname != \"br0\" masquerade\n\t}\n}",
      "table ip filter {",
      "\tmap ports {\n\t\ttype inet_proto . inet_service : verdict\n\t\telements = { udp . 7007 : jump closed, tcp . 22 : accept }\n\t}",
      "\tchain forward {\n\t\ttype filter hook forward priority filter; policy drop;\n\t\tmeta l4proto icmp accept\n\t\tmeta l4proto . th dport vmap @ports\n\t}",
      "\tchain closed {\n\t\treject\n\t}",
      "}", "",
    ].join("\n"));
    const udp = await diagnose(opts(l, `${OUT}:7007`));
    expect(firstProblem(udp), statusLines(udp)).toMatchObject({ id: "filter.forward", status: "failure" });
    expect(firstProblem(udp)!.evidence).toMatch(/^"reject" \(table ip filter chain closed, handle \d+; reached through forward > jump closed\) drops the UDP to port 7007/);
    // another port: the map has no element for it, so the chain's policy drops it
    const other = await diagnose(opts(l, `${OUT}:7010`));
    expect(firstProblem(other)).toMatchObject({ id: "filter.forward", status: "failure", fix: `nlkit -n ${l.host} nft add rule ip filter forward ip saddr 10.0.0.1 ip daddr ${OUT} accept` });
    expect(firstProblem(other)!.evidence).toContain("the policy drop of chain forward (table ip filter)");
    // and ping passes that chain
    const ping = await diagnose(opts(l));
    expect(firstProblem(ping), statusLines(ping)).toBeUndefined();
  });

  it("--router names the forwarding namespace when told, and warns when it is not the gateway's", async () => {
    const l = await lab("doc-hint");
    const r = await diagnose({ ...opts(l), router: l.out });
    expect(firstProblem(r)).toMatchObject({ id: "forward.router", status: "warning" });
    expect(firstProblem(r)!.evidence).toContain(l.host);
  });
});

describe("nlkit doctor CLI: usage", () => {
  it("no --to is a usage error (255)", async () => {
    const err = process.stderr.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      expect(await doctor(["-n", "x"])).toBe(255);
      expect(await doctor(["--bogus"])).toBe(255);
    } finally {
      process.stderr.write = err;
    }
  });
});
