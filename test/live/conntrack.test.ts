// Conntrack against the kernel and conntrack-tools as the oracle: a container (c) behind a router
// (r, masquerading with nft) reaching an outside host (o) over ICMP, UDP and TCP, one UDP flow in
// zone 5 and marked flows; list() equals `conntrack -L -o xml` flow by flow, filters equal
// conntrack's, then get, count, events, delete, flush; the CLI's text equals conntrack's.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readdirSync, readlinkSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Flow, FlowFilter } from "../../src/conntrack/flow.js";
import { Conntrack, type ConntrackEvent } from "../../src/conntrack/verbs.js";
import { NetlinkError } from "../../src/netlink/errors.js";
import { describeLive, hasCommand, ip, TestNamespaces } from "../helpers/live.js";
import { nlkit, NLKIT_BIN } from "../helpers/nlkit-cli.js";

const run = (argv: string[], input?: string) => spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", input: input ?? "", timeout: 60_000 });

const SERVER = `
const dgram = require("dgram"), net = require("net");
let up = 0; const ready = () => { if (++up === 3) console.log("ready"); };
for (const p of [7007, 7008]) { const s = dgram.createSocket("udp4"); s.on("message", (m, r) => s.send(m, r.port, r.address)); s.bind(p, "198.51.100.1", ready); }
net.createServer((c) => { c.on("data", (d) => c.write(d)); c.on("error", () => {}); }).listen(8080, "198.51.100.1", ready);`;

// UDP 41001 -> 7007 (marked 0x101 in r), UDP 41002 -> 7008 (zone 5 in r), TCP 41003 -> 8080 kept open
const CLIENT = `
const dgram = require("dgram"), net = require("net");
const ask = (port, lport) => new Promise((res, rej) => { const s = dgram.createSocket("udp4"); s.on("message", () => res()); s.on("error", rej);
  s.bind(lport, "10.0.0.2", () => s.send("hi", port, "198.51.100.1")); });
(async () => {
  await ask(7007, 41001); await ask(7008, 41002);
  const c = net.connect({ host: "198.51.100.1", port: 8080, localAddress: "10.0.0.2", localPort: 41003 }, () => c.write("x"));
  c.once("data", () => console.log("ready"));
})();`;

// UDP datagrams to many ports: a burst of NEW events (the outside answers each with port unreachable)
const BURST = `const s = require("dgram").createSocket("udp4"); let n = 0;
s.bind(0, "10.0.0.2", () => { for (let p = 20000; p < 20400; p++) s.send("x", p, "198.51.100.1", () => { if (++n === 400) s.close(); }); });`;

interface XmlFlow {
  orig: Record<string, string>;
  reply: Record<string, string>;
  protonum: number;
  state?: string;
  timeout?: number;
  mark: number;
  zone: number;
  use?: number;
  id: number;
  assured: boolean;
  unreplied: boolean;
}

/** `conntrack -L -o xml` as records (only what this file compares). */
function parseXml(xml: string): XmlFlow[] {
  return [...xml.matchAll(/<flow>(.*?)<\/flow>/g)].map(([, body]) => {
    const dir = (d: string) => {
      const m = new RegExp(`<meta direction="${d}">(.*?)</meta>`).exec(body!)![1]!;
      const out: Record<string, string> = {};
      for (const [, k, v] of m.matchAll(/<(src|dst|sport|dport)>([^<]*)<\/\1>/g)) out[k!] = v!;
      return { fields: out, protonum: Number(/<layer4 protonum="(\d+)"/.exec(m)![1]) };
    };
    const ind = /<meta direction="independent">(.*?)<\/meta>/.exec(body!)![1]!;
    const tag = (t: string) => new RegExp(`<${t}>([^<]*)</${t}>`).exec(ind)?.[1];
    const o = dir("original");
    return {
      orig: o.fields, reply: dir("reply").fields, protonum: o.protonum,
      ...(tag("state") !== undefined ? { state: tag("state") } : {}),
      ...(tag("timeout") !== undefined ? { timeout: Number(tag("timeout")) } : {}),
      mark: Number(tag("mark") ?? 0), zone: Number(tag("zone") ?? 0),
      ...(tag("use") !== undefined ? { use: Number(tag("use")) } : {}),
      id: Number(tag("id")), assured: ind.includes("<assured/>"), unreplied: ind.includes("<unreplied/>"),
    };
  });
}

const tools = ["conntrack", "nft", "ping"].every(hasCommand);
const describeCt = (name: string, fn: () => void) =>
  (tools ? describeLive : (n: string, f: () => void) => describe.skip(`${n} (skipped: needs the conntrack, nft and ping commands as oracles)`, f))(name, fn);

describeCt("conntrack over ctnetlink, against conntrack-tools", () => {
  const ns = new TestNamespaces("ct");
  let c = "", r = "", o = "";
  let server: ChildProcess | undefined, client: ChildProcess | undefined;
  let ct: Conntrack;

  const tool = (...args: string[]) => {
    const res = run(["ip", "netns", "exec", r, "conntrack", ...args]);
    return { out: res.stdout, err: res.stderr, status: res.status };
  };
  const xml = (...args: string[]) => parseXml(tool("-L", "-o", "xml", ...args).out);
  const ids = (flows: Array<{ id: number }>) => flows.map((f) => f.id).sort((a, b) => a - b);
  const exec = (where: string, argv: string[]) => {
    const res = run(["ip", "netns", "exec", where, ...argv]);
    if (res.status !== 0) throw new Error(`${argv.join(" ")} in ${where}: ${res.stderr}`);
    return res.stdout;
  };
  /**
   * Reads the oracle before and after nlkit: flows only expire meanwhile (no traffic runs), so
   * nlkit's answer must equal one of the two.
   */
  const agree = async <T>(theirs: () => T, ours: () => Promise<T>, what: string): Promise<{ theirs: T; ours: T }> => {
    const before = theirs();
    const got = await ours();
    const after = theirs();
    expect([before, after], what).toContainEqual(got);
    return { theirs: JSON.stringify(got) === JSON.stringify(before) ? before : after, ours: got };
  };
  const ready = (p: ChildProcess) => new Promise<void>((resolve, reject) => {
    p.stdout!.on("data", (d: Buffer) => { if (d.toString().includes("ready")) resolve(); });
    p.on("exit", (code) => reject(new Error(`peer exited ${code}`)));
  });

  beforeAll(async () => {
    c = ns.create("c"); r = ns.create("r"); o = ns.create("o");
    ip(["link", "add", "eth-c", "type", "veth", "peer", "name", "eth0", "netns", c], r);
    ip(["link", "add", "eth-o", "type", "veth", "peer", "name", "eth-r", "netns", o], r);
    for (const [n, dev, addrs] of [[c, "eth0", ["10.0.0.2/24", "fd00:c::2/64"]], [r, "eth-c", ["10.0.0.1/24", "fd00:c::1/64"]], [r, "eth-o", ["198.51.100.2/24"]], [o, "eth-r", ["198.51.100.1/24"]]] as const) {
      for (const a of addrs) ip(["addr", "add", a, "dev", dev, ...(a.includes(":") ? ["nodad"] : [])], n);
      ip(["link", "set", dev, "up"], n);
    }
    ip(["route", "add", "default", "via", "10.0.0.1"], c);
    exec(r, ["sysctl", "-qw", "net.ipv4.ip_forward=1"]);
    // o has no route back to 10.0.0.0/24: only masqueraded flows are answered; the ip6 table's
    // ct expression makes the kernel track IPv6 in r at all (conntrack hooks are registered on demand)
    const rules = `table ip nat {
  chain post {
    type nat hook postrouting priority 100;
    ip saddr 10.0.0.0/24 oifname "eth-o" masquerade
  }
}
table ip raw {
  chain pre {
    type filter hook prerouting priority -300;
    udp dport 7008 ct zone set 5
    udp sport 7008 ct zone set 5
  }
}
table ip6 track {
  chain in {
    type filter hook input priority 0;
    ct state new counter
  }
}
table ip mangle {
  chain forward_mark {
    type filter hook forward priority 0;
    udp dport 7007 ct mark set 0x101
  }
}
`;
    const nft = run(["ip", "netns", "exec", r, "nft", "-f", "-"], rules);
    if (nft.status !== 0) throw new Error(`nft: ${nft.stderr}`);
    server = spawn("ip", ["netns", "exec", o, process.execPath, "-e", SERVER], { stdio: ["ignore", "pipe", "inherit"] });
    await ready(server);
    exec(c, ["ping", "-c1", "-W2", "198.51.100.1"]);
    exec(c, ["ping", "-c1", "-W2", "fd00:c::1"]);
    client = spawn("ip", ["netns", "exec", c, process.execPath, "-e", CLIENT], { stdio: ["ignore", "pipe", "inherit"] });
    await ready(client);
    ct = await Conntrack.open({ netns: r });
  });

  afterAll(() => {
    ct?.close();
    client?.kill();
    server?.kill();
    ns.cleanup();
  });

  it("list() equals conntrack -L -o xml flow by flow: tuples, protocol, state, status (ASSURED, UNREPLIED, SRC_NAT), mark, zone, use, id, timeout", async () => {
    const t0 = Date.now();
    const all = xml();
    const natted = new Set(xml("--src-nat").map((f) => f.id));
    const ours = await ct.list();
    const elapsed = Math.ceil((Date.now() - t0) / 1000) + 1;
    const still = ids(xml());
    expect([ids(all), still]).toContainEqual(ids(ours));
    const theirs = all.filter((x) => still.includes(x.id));
    const tuple = (t: Flow["orig"]) => ({ src: t.src, dst: t.dst, ...(t.sport !== undefined && t.dport !== undefined ? { sport: String(t.sport), dport: String(t.dport) } : {}) });
    for (const x of theirs) {
      const f = ours.find((y) => y.id === x.id)!;
      expect({ orig: tuple(f.orig), reply: tuple(f.reply), protonum: f.protoNum, state: f.state, mark: f.mark, zone: f.zone, use: f.use },
        `flow ${x.id}`).toEqual({ orig: x.orig, reply: x.reply, protonum: x.protonum, state: x.state, mark: x.mark, zone: x.zone, use: x.use });
      expect(f.status.includes("ASSURED")).toBe(x.assured);
      expect(!f.status.includes("SEEN_REPLY")).toBe(x.unreplied);
      expect(f.nat.source).toBe(natted.has(f.id));
      expect(f.timeout!).toBeLessThanOrEqual(x.timeout!);
      expect(f.timeout!).toBeGreaterThanOrEqual(x.timeout! - elapsed);
    }
    // the three kinds of traffic of the container, each masqueraded to the router's address
    for (const proto of ["icmp", "udp", "tcp"]) {
      const f = ours.find((y) => y.proto === proto && y.orig.src === "10.0.0.2")!;
      expect(f, proto).toMatchObject({ nat: { source: true }, reply: { dst: "198.51.100.2" }, status: expect.arrayContaining(["SRC_NAT", "SEEN_REPLY"]) });
    }
    expect(ours.find((y) => y.proto === "tcp")).toMatchObject({ state: "ESTABLISHED", orig: { sport: 41003, dport: 8080 } });
    expect(ours.some((y) => y.family === 6 && y.proto === "icmpv6")).toBe(true);
  });

  it("filters give conntrack's flows, whether the kernel filters them (family, protocol, IPv4, ports, mark, zone, status) or nlkit does (IPv6, prefixes)", async () => {
    const cases: Array<[FlowFilter, string[]]> = [
      [{ family: 4, proto: "udp" }, ["-f", "ipv4", "-p", "udp"]],
      [{ orig: { src: "10.0.0.2" } }, ["-s", "10.0.0.2"]],
      [{ reply: { dst: "198.51.100.2" } }, ["-q", "198.51.100.2"]],
      [{ proto: "tcp", orig: { dport: 8080 } }, ["-p", "tcp", "--dport", "8080"]],
      [{ status: "SRC_NAT" }, ["--src-nat"]],
      [{ status: "ASSURED" }, ["-u", "ASSURED"]],
      [{ mark: { value: 1, mask: 0xff } }, ["-m", "1/0xff"]],
      [{ zone: 5 }, ["-w", "5"]],
      [{ family: 6 }, ["-f", "ipv6"]],
      [{ orig: { src: "fd00:c::2" } }, ["-s", "fd00:c::2"]],
      [{ orig: { src: "10.0.0.0/24" } }, ["-s", "10.0.0.0/24"]],
    ];
    exec(c, ["ping", "-c1", "-W2", "fd00:c::1"]);
    for (const [filter, args] of cases) {
      const { theirs } = await agree(() => ids(xml(...args)), async () => ids(await ct.list(filter)), args.join(" "));
      expect(theirs.length, `${args.join(" ")} matches something`).toBeGreaterThan(0);
    }
  });

  it("get by the original tuple, by the reply tuple; a flow in zone 5 only with its zone", async () => {
    const udp = (await ct.list({ proto: "udp", orig: { dport: 7007 } }))[0]!;
    const got = await ct.get({ proto: "udp", orig: { src: "10.0.0.2", dst: "198.51.100.1", sport: 41001, dport: 7007 } });
    expect(got.id).toBe(udp.id);
    expect(got.mark).toBe(0x101);
    const byReply = await ct.get({ proto: "udp", reply: { src: "198.51.100.1", dst: udp.reply.dst, sport: 7007, dport: udp.reply.dport! } });
    expect(byReply.id).toBe(udp.id);
    const zoned = { proto: "udp", orig: { src: "10.0.0.2", dst: "198.51.100.1", sport: 41002, dport: 7008 } };
    await expect(ct.get(zoned)).rejects.toMatchObject({ code: "ENOENT" });
    expect((await ct.get({ ...zoned, zone: 5 })).zone).toBe(5);
  });

  it("count equals conntrack -C", async () => {
    expect(await ct.count()).toBe(Number(tool("-C").out.trim()));
  });

  it("the CLI prints conntrack's lines and summary (-L, -o extended,id, -w, -G, -C) and -j the Flow objects", async () => {
    const mask = (text: string) => text.split("\n").filter(Boolean).map((l) => l.replace(/^(\S+ +\d+ (?:\S+ +\d+ )?)\d+ /, "$1T ")).sort();
    for (const args of [["-L"], ["-L", "-o", "extended,id"], ["-L", "-w", "5"], ["-L", "-p", "udp", "-s", "10.0.0.2"],
      ["-G", "-p", "udp", "-s", "10.0.0.2", "-d", "198.51.100.1", "--sport", "41001", "--dport", "7007"]]) {
      const what = args.join(" ");
      const { theirs, ours } = await agree(() => {
        const t = tool(...args);
        return { code: t.status, lines: mask(t.out), summary: t.err.replace(/^conntrack v[\d.]+ \(conntrack-tools\): /, "") };
      }, async () => {
        const n = nlkit(["-n", r, "conntrack", ...args]);
        return { code: n.code, lines: mask(n.stdout), summary: n.stderr.replace(/^nlkit conntrack: /, "") };
      }, what);
      expect(ours.lines.length, what).toBeGreaterThan(0);
      expect(theirs.code, what).toBe(0);
    }
    expect(nlkit(["-n", r, "conntrack", "-C"]).stdout).toBe(tool("-C").out);
    const json = nlkit(["-n", r, "-j", "conntrack", "-L", "-p", "tcp"]);
    const listed = await ct.list({ proto: "tcp" });
    expect((JSON.parse(json.stdout) as Flow[]).map((f) => ({ ...f, timeout: 0, use: 0 }))).toEqual(listed.map((f) => ({ ...f, timeout: 0, use: 0 })));
    const missing = nlkit(["-n", r, "conntrack", "-G", "-p", "udp", "-s", "10.0.0.2", "-d", "198.51.100.1", "--sport", "1", "--dport", "2"]);
    expect([missing.code, missing.stderr]).toEqual([1, "nlkit conntrack: Operation failed: such conntrack doesn't exist\n"]);
    expect(nlkit(["-n", r, "conntrack", "-L", "-p", "nosuch"]).code).toBe(2);
  });

  it("events: new and update of a ping, then the destroy of its deletion; abort ends the iteration and closes the socket", async () => {
    const sockets = () => readdirSync("/proc/self/fd").filter((fd) => { try { return readlinkSync(`/proc/self/fd/${fd}`).startsWith("socket:"); } catch { return false; } }).length;
    const before = sockets();
    const stop = new AbortController();
    const stream = ct.events({ filter: { proto: "icmp", orig: { src: "10.0.0.2" } }, signal: stop.signal });
    expect(sockets()).toBe(before + 1);
    exec(c, ["ping", "-c1", "-W2", "198.51.100.1"]);
    const seen: ConntrackEvent[] = [];
    let flow: Flow | undefined;
    for await (const e of stream) {
      // other flows of the filter may end meanwhile: only the ping's own flow counts
      if (e.kind === "new" && !flow) flow = e.flow;
      if (e.kind === "overrun" || e.flow.id !== flow?.id) continue;
      seen.push(e);
      if (e.kind === "update" && flow && e.flow.id === flow.id) {
        expect(e.flow.status).toContain("SEEN_REPLY");
        await ct.delete(e.flow);
      }
      if (e.kind === "destroy" && e.flow.id === flow?.id) {
        expect(e.portid).toBeGreaterThan(0); // our own delete caused it
        stop.abort();
      }
    }
    expect(seen.map((e) => e.kind)).toEqual(["new", "update", "destroy"]);
    expect(flow).toMatchObject({ proto: "icmp", orig: { dst: "198.51.100.1" }, reply: { dst: "198.51.100.2" } });
    expect(sockets()).toBe(before);
  });

  it("an event socket the kernel cannot fill in time yields { kind: \"overrun\" }", async () => {
    const stream = ct.events({ kinds: ["new"], receiveBufferSize: 4096 });
    exec(c, [process.execPath, "-e", BURST]);
    let news = 0, overrun = false;
    for await (const e of stream) {
      if (e.kind === "overrun") { overrun = true; break; }
      news++;
    }
    expect(overrun).toBe(true);
    expect(news).toBeLessThan(400);
  });

  it("the CLI's -E prints conntrack -E's lines for the same events, and its count on SIGTERM", async () => {
    const cli = spawn(process.execPath, [NLKIT_BIN, "-n", r, "conntrack", "-E", "-p", "icmp", "-e", "NEW"], { stdio: ["ignore", "pipe", "pipe"] });
    const oracle = spawn("ip", ["netns", "exec", r, "conntrack", "-E", "-p", "icmp", "-e", "NEW"], { stdio: ["ignore", "pipe", "pipe"] });
    let ours = "", theirs = "", ourErr = "";
    cli.stdout!.on("data", (d: Buffer) => { ours += d; });
    cli.stderr!.on("data", (d: Buffer) => { ourErr += d; });
    oracle.stdout!.on("data", (d: Buffer) => { theirs += d; });
    const newLine = (text: () => string) => text().split("\n").find((l) => l.includes("[NEW]"));
    const printed = (p: ChildProcess, text: () => string) => new Promise<void>((res) => {
      const check = () => { if (newLine(text)) res(); };
      p.stdout!.on("data", check);
      check();
    });
    // both listen once /proc/net/netlink shows two NETLINK_NETFILTER sockets in r with groups joined
    const listeners = () => exec(r, ["cat", "/proc/net/netlink"]).split("\n").slice(1).map((l) => l.trim().split(/\s+/))
      .filter((f) => f[1] === "12" && f[3] !== undefined && f[3] !== "00000000").length;
    while (listeners() < 2) await new Promise((res) => setTimeout(res, 20));
    exec(c, ["ping", "-c1", "-W2", "198.51.100.1"]);
    await Promise.all([printed(cli, () => ours), printed(oracle, () => theirs)]);
    expect(newLine(() => ours)).toBe(newLine(() => theirs));
    expect(newLine(() => ours)).toMatch(/^ {4}\[NEW\] icmp {5}1 30 src=10\.0\.0\.2 dst=198\.51\.100\.1 type=8 code=0 id=\d+ \[UNREPLIED\] src=198\.51\.100\.1 dst=198\.51\.100\.2 /);
    const exited = new Promise<number | null>((res) => cli.on("exit", res));
    cli.kill("SIGTERM");
    oracle.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(ourErr).toMatch(/^nlkit conntrack: \d+ flow events have been shown\.\n$/);
  });

  it("delete: one flow (its zone repeated) leaves the others; gone, it is ENOENT; a filter deletes what it matches", async () => {
    const zoned = (await ct.list({ zone: 5 }))[0]!;
    const others = ids(xml()).filter((id) => id !== zoned.id);
    expect(await ct.delete(zoned)).toBe(1);
    expect(ids(xml())).toEqual(others);
    const again = await ct.delete(zoned).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(NetlinkError);
    expect((again as NetlinkError).code).toBe("ENOENT");
    const icmp = xml("-p", "icmp").length;
    expect(icmp).toBeGreaterThan(0);
    expect(await ct.delete({ proto: "icmp" })).toBe(icmp);
    expect(xml("-p", "icmp")).toEqual([]);
    // the CLI's -D prints what it deleted, and exits 1 when that is nothing (as conntrack does)
    const d = nlkit(["-n", r, "conntrack", "-D", "-p", "udp", "--dport", "7007"]);
    expect([d.code, d.stderr]).toEqual([0, "nlkit conntrack: 1 flow entries have been deleted.\n"]);
    expect(d.stdout).toMatch(/^udp {6}17 \d+ src=10\.0\.0\.2 dst=198\.51\.100\.1 sport=41001 dport=7007 /);
    expect(nlkit(["-n", r, "conntrack", "-D", "-p", "udp", "--dport", "7007"]).code).toBe(1);
  });

  it("flush({ family: 4 }) leaves the IPv6 flows (version-1 nfgenmsg); conntrack's -F -f ipv4 (version 0) empties both; flush() empties all", async () => {
    exec(c, ["ping", "-c1", "-W2", "198.51.100.1"]);
    exec(c, ["ping", "-c1", "-W2", "fd00:c::1"]);
    expect(xml("-f", "ipv4").length).toBeGreaterThan(0);
    const v6 = ids(xml("-f", "ipv6"));
    expect(v6.length).toBeGreaterThan(0);
    await ct.flush({ family: 4 });
    expect(xml("-f", "ipv4")).toEqual([]);
    expect(ids(xml("-f", "ipv6"))).toEqual(v6);
    exec(c, ["ping", "-c1", "-W2", "198.51.100.1"]);
    expect(tool("-F", "-f", "ipv4").status).toBe(0);
    expect(xml()).toEqual([]);
    exec(c, ["ping", "-c1", "-W2", "198.51.100.1"]);
    exec(c, ["ping", "-c1", "-W2", "fd00:c::1"]);
    expect(await ct.count()).toBeGreaterThan(1);
    await ct.flush();
    expect(await ct.count()).toBe(0);
    expect(Number(tool("-C").out.trim())).toBe(0);
  });
});
