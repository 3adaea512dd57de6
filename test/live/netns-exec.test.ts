import * as fs from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { NetlinkSocket } from "../../src/netlink/socket.js";
import { netns } from "../../src/netns/index.js";
import { describeLive, TestNamespaces } from "../helpers/live.js";

const ns = new TestNamespaces("nns-exec");
afterAll(() => ns.cleanup());

describeLive("netns.exec / spawn / runSync", () => {
  const home = netns.current();
  let a = "";
  let b = "";
  afterAll(() => expect(netns.current()).toBe(home));

  beforeAll(async () => {
    a = ns.adopt(ns.name("a"));
    await netns.add(a);
    b = ns.create("b");
  });

  it("exec runs the child inside the namespace and leaves the caller home", async () => {
    for (const name of [a, b]) {
      const r = await netns.exec(name, "readlink", ["/proc/self/ns/net"]);
      expect(r).toEqual({ code: 0, signal: null, stdout: `net:[${netns.identify(name)}]\n`, stderr: "" });
      expect(netns.current()).toBe(home);
    }
    expect(netns.identify(a)).not.toBe(netns.identify(b));
    // by path and by NetnsRef as well
    const byPath = await netns.exec(`/run/netns/${a}`, "readlink", ["/proc/self/ns/net"]);
    expect(byPath.stdout.trim()).toBe(`net:[${netns.identify(a)}]`);
    const byRef = await netns.exec({ netns: b }, "readlink", ["/proc/self/ns/net"]);
    expect(byRef.stdout.trim()).toBe(`net:[${netns.identify(b)}]`);
  });

  it("libuv pool threads stay home after switches (async fs reads the pool thread's namespace)", async () => {
    await netns.exec(a, "true", []);
    netns.runSync(a, () => 0);
    const links = await Promise.all(Array.from({ length: 8 }, () => fs.promises.readlink("/proc/thread-self/ns/net")));
    for (const l of links) expect(l).toBe(`net:[${home}]`);
  });

  it("returns exit code, stdout and stderr separately, and feeds input", async () => {
    const r = await netns.exec(a, "sh", ["-c", "cat; echo err >&2; exit 7"], { input: "fed\n" });
    expect(r).toEqual({ code: 7, signal: null, stdout: "fed\n", stderr: "err\n" });
  });

  it("reports the signal that ended the child", async () => {
    const r = await netns.exec(a, "sh", ["-c", "kill -USR1 $$"]);
    expect(r.code).toBeNull();
    expect(r.signal).toBe("SIGUSR1");
  });

  it("passes argv as is: spaces and shell syntax are not split or interpreted", async () => {
    const r = await netns.exec(a, "printf", ["%s|", "a b", "$(id)", "*", "c;d"]);
    expect(r.stdout).toBe("a b|$(id)|*|c;d|");
  });

  it("env and cwd reach the child; timeoutMs kills it", async () => {
    const r = await netns.exec(a, "sh", ["-c", 'echo "$NLKIT_X"; pwd'], { env: { NLKIT_X: "v 1", PATH: process.env.PATH }, cwd: "/tmp" });
    expect(r.stdout).toBe("v 1\n/tmp\n");
    // a sleep that outlasts the test: only the timeout's kill can end it in time
    const s = await netns.exec(a, "sleep", ["600"], { timeoutMs: 200, killSignal: "SIGKILL" });
    expect(s.signal).toBe("SIGKILL");
  });

  it("a command that does not exist rejects with ENOENT; a missing namespace too", async () => {
    await expect(netns.exec(a, "/nonexistent/nlkit-cmd", [])).rejects.toMatchObject({ code: "ENOENT" });
    await expect(netns.exec(ns.name("missing"), "true", [])).rejects.toMatchObject({ code: "ENOENT", name: "NetnsError" });
    expect(netns.current()).toBe(home);
  });

  it("spawn streams: output arrives while the child is still running", async () => {
    const child = netns.spawn(a, "cat", [], { stdio: ["pipe", "pipe", "inherit"] });
    let exited = false;
    child.on("exit", () => { exited = true; });
    const first = new Promise<string>((resolve) => child.stdout!.once("data", (d: Buffer) => resolve(d.toString())));
    child.stdin!.write("ping\n");
    expect(await first).toBe("ping\n");
    expect(exited).toBe(false);
    const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    child.stdin!.end();
    expect(await closed).toBe(0);
    expect(netns.current()).toBe(home);
  });

  it("runSync runs inside and comes back, also after a throw", () => {
    expect(netns.runSync(a, () => netns.current())).toBe(netns.identify(a));
    expect(netns.current()).toBe(home);
    const boom = new RangeError("inside");
    expect(() => netns.runSync(a, () => { throw boom; })).toThrow(boom);
    expect(netns.current()).toBe(home);
  });

  it("runSync refuses a Promise-returning callback and still comes back", () => {
    let ran = false;
    expect(() => netns.runSync(a, () => { ran = true; return Promise.resolve(1); })).toThrow(/Promise/);
    expect(ran).toBe(true);
    expect(netns.current()).toBe(home);
  });

  it("a socket opened in runSync stays in the namespace", async () => {
    const sock = netns.runSync(a, () => NetlinkSocket.open({ protocol: 0 }));
    try {
      const names = await sock.dump({ type: 18, encode: (w) => w.zeros(16) }, (buf, start, len) => {
        // IFLA_IFNAME (3), among the attributes after nlmsghdr + ifinfomsg (32 bytes)
        let off = start + 32;
        while (off < start + len) {
          const alen = buf.readUInt16LE(off);
          if (buf.readUInt16LE(off + 2) === 3) return buf.toString("utf8", off + 4, off + alen - 1);
          off += (alen + 3) & ~3;
        }
        return "";
      });
      expect(names).toEqual(["lo"]);
    } finally {
      sock.close();
    }
  });

  it("/etc/netns/NAME is not applied; a warning says so once", async () => {
    const name = ns.adopt(ns.name("etc"));
    await netns.add(name);
    const hadDir = fs.existsSync("/etc/netns");
    const dir = `/etc/netns/${name}`;
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(`${dir}/hosts`, "10.9.9.9 nlkit-etc-netns-probe\n");
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => { if (w.code === "NLKIT_NETNS_ETC") warnings.push(w.message); };
    process.on("warning", onWarning);
    try {
      const r1 = await netns.exec(name, "cat", ["/etc/hosts"]);
      await netns.exec(name, "true", []);
      await new Promise((r) => setImmediate(r));
      expect(r1.stdout).toBe(fs.readFileSync("/etc/hosts", "utf8"));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(dir);
    } finally {
      process.off("warning", onWarning);
      fs.rmSync(dir, { recursive: true, force: true });
      if (!hadDir) fs.rmdirSync("/etc/netns");
    }
  });

  it("repeated exec and runSync leak no fd", async () => {
    const fds = () => fs.readdirSync("/proc/self/fd").length;
    await netns.exec(a, "true", []);
    const before = fds();
    for (let i = 0; i < 50; i++) {
      await netns.exec(a, "true", []);
      netns.runSync(b, () => 0);
      expect(() => netns.runSync(b, () => { throw new Error("x"); })).toThrow();
    }
    expect(fds()).toBe(before);
  });
});
