// rt.tc and `nlkit tc` against the kernel, with tc as the oracle: what nlkit makes reads back in
// tc -j equal to what nlkit decodes, the same command lines build what tc builds, counters count
// after traffic, a tbf holds a transfer to its rate, and a pinned BPF drop program blocks ping.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { NetlinkError, NlkitInputError } from "../../src/netlink/errors.js";
import { Rtnl } from "../../src/rtnl/rtnl.js";
import { filterToTcJson, qdiscToTcJson } from "../../src/rtnl/tc/json.js";
import type { FilterSpec } from "../../src/rtnl/tc/types.js";
import { classText } from "../../src/cli/print/tc.js";
import { describeLive, hasCommand, ip, TestNamespaces } from "../helpers/live.js";
import { nlkit } from "../helpers/nlkit-cli.js";

function tc(args: string[], netns: string): string {
  return execFileSync("tc", ["-n", netns, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function tcJson<T = any>(args: string[], netns: string): T {
  const out = tc(["-j", ...args], netns);
  return (out.trim() ? JSON.parse(out) : []) as T;
}

function inNs(netns: string, cmd: string[]): { code: number | null; out: string } {
  const r = spawnSync("ip", ["netns", "exec", netns, ...cmd], { encoding: "utf8", timeout: 30_000 });
  return { code: r.status, out: r.stdout + r.stderr };
}

function quiet(netns: string): void {
  // no IPv6 router/neighbour chatter: the counters below count only the test's own packets
  execFileSync("ip", ["netns", "exec", netns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"], { stdio: "pipe" });
}

/** The command lines both tools run on a veth device: classful root, leaf qdiscs, clsact, u32 and mirred. */
const LINES = [
  "qdisc add dev d0 root handle 1: htb default 20",
  "class add dev d0 parent 1: classid 1:10 htb rate 5mbit ceil 10mbit",
  "class add dev d0 parent 1: classid 1:20 htb rate 1mbit ceil 2mbit burst 15k cburst 20k prio 2",
  "qdisc add dev d0 parent 1:10 handle 10: tbf rate 1mbit burst 32kb latency 50ms",
  "qdisc add dev d0 parent 1:20 handle 20: bfifo limit 64kb",
  "qdisc add dev d0 clsact",
  "filter add dev d0 parent 1: protocol ip pref 10 u32 match ip dst 10.0.0.2/32 classid 1:10",
  "filter add dev d0 parent 1: protocol ip pref 11 u32 match ip src 10.0.0.0/24 match ip dport 80 0xffff flowid 1:20",
  "filter add dev d0 egress protocol ip pref 1 u32 match ip dst 10.9.0.0/16 action mirred egress mirror dev lo",
  "filter add dev d0 ingress protocol all pref 2 u32 match u32 0 0 action mirred egress redirect dev lo",
  "qdisc replace dev d0 parent 1:20 handle 20: bfifo limit 32kb",
  "class change dev d0 parent 1: classid 1:10 htb rate 6mbit ceil 12mbit",
];

const SHOWS = [
  ["qdisc", "show", "dev", "d0"],
  ["filter", "show", "dev", "d0", "parent", "1:"],
  ["filter", "show", "dev", "d0", "egress"],
  ["filter", "show", "dev", "d0", "ingress"],
  // tc leaves out the pref and protocol a listing was narrowed by
  ["filter", "show", "dev", "d0", "parent", "1:", "pref", "11"],
  ["filter", "show", "dev", "d0", "parent", "1:", "protocol", "ip"],
];

describeLive("rt.tc and nlkit tc (live, tc as the oracle)", () => {
  const ns = new TestNamespaces("tc");
  let a: string;
  let b: string;
  let rt: Rtnl;
  let rtB: Rtnl;
  let bpfDir: string | undefined;
  let bpfMounted = false;

  beforeAll(() => {
    a = ns.create("a");
    b = ns.create("b");
    quiet(a);
    quiet(b);
    ip(["link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", b], a);
    ip(["addr", "add", "10.0.0.1/24", "dev", "va"], a);
    ip(["addr", "add", "10.0.0.2/24", "dev", "vb"], b);
    ip(["link", "set", "va", "up"], a);
    ip(["link", "set", "vb", "up"], b);
    rt = Rtnl.openSync({ netns: a });
    rtB = Rtnl.openSync({ netns: b });
  });
  afterAll(() => {
    rt?.close();
    rtB?.close();
    ns.cleanup();
    if (bpfMounted) spawnSync("umount", [path.join(bpfDir!, "fs")]);
    if (bpfDir) fs.rmSync(bpfDir, { recursive: true, force: true });
  });

  it("objects made by rt.tc read back in tc -j as nlkit decodes them", async () => {
    await rt.tc.qdisc.add({ dev: "va", parent: "root", handle: "1:", kind: "htb", htb: { default: 0x10 } });
    await rt.tc.class.add({ dev: "va", parent: "1:", classid: "1:10", kind: "htb", htb: { rate: "5mbit", ceil: "10mbit" } });
    await rt.tc.qdisc.add({ dev: "va", parent: "1:10", handle: "10:", kind: "tbf", tbf: { rate: "1mbit", burst: "32kb", latency: "50ms" } });
    await rt.tc.qdisc.add({ dev: "va", kind: "clsact" });
    await rt.tc.filter.add({ dev: "va", parent: "1:", protocol: "ip", pref: 10, kind: "u32", u32: { match: [{ ip: { dst: "10.0.0.2/32" } }], classid: "1:10" } });
    await rt.tc.filter.add({
      dev: "va", parent: "egress", protocol: "ip", pref: 1, kind: "u32", u32: { match: [{ ip: { dst: "10.0.0.0/24" } }] },
      actions: [{ kind: "mirred", mirred: { action: "mirror", direction: "egress", dev: "lo" } }],
    });

    const qdiscs = await rt.tc.qdisc.list({ dev: "va" });
    expect(qdiscs.map((q) => qdiscToTcJson(q, { devFiltered: true }))).toEqual(tcJson(["qdisc", "show", "dev", "va"], a));
    expect(qdiscs.find((q) => q.kind === "tbf")).toMatchObject({ handle: "10:", parent: "1:10", options: { rate: 125000, burst: 32768, latency: 50000 } });
    for (const parent of ["1:", "egress"]) {
      const filters = await rt.tc.filter.list({ dev: "va", parent });
      const where = parent === "1:" ? ["parent", parent] : [parent];
      expect(filters.map((f) => filterToTcJson(f, { devFiltered: true, parent }))).toEqual(tcJson(["filter", "show", "dev", "va", ...where], a));
    }
    // tc 6.1 prints htb classes only as text
    const classes = await rt.tc.class.list({ dev: "va" });
    expect(classes.map((c) => classText(c, { devFiltered: true })).join("")).toBe(tc(["class", "show", "dev", "va"], a));
    expect(classes[0]!.options).toMatchObject({ rate: 625000, ceil: 1250000 });
  });

  it("counters count after traffic, equal to tc -s -j", async () => {
    const ping = inNs(a, ["ping", "-c", "5", "-i", "0.2", "-W", "2", "10.0.0.2"]);
    expect(ping.code, ping.out).toBe(0);
    const qdiscs = await rt.tc.qdisc.list({ dev: "va" });
    expect(qdiscs.map((q) => qdiscToTcJson(q, { devFiltered: true, stats: true }))).toEqual(tcJson(["-s", "qdisc", "show", "dev", "va"], a));
    expect(qdiscs.find((q) => q.kind === "tbf")!.stats!.packets).toBeGreaterThanOrEqual(5);
    const egress = await rt.tc.filter.list({ dev: "va", parent: "egress" });
    const mirred = egress.flatMap((f) => f.actions ?? [])[0]!;
    expect(mirred).toMatchObject({ kind: "mirred", options: { action: "mirror", dev: "lo" } });
    expect(mirred.stats!.packets).toBeGreaterThanOrEqual(5);
    const theirs = tcJson<Array<{ options?: { actions?: Array<{ stats: { packets: number } }> } }>>(["-s", "filter", "show", "dev", "va", "egress"], a);
    expect(theirs.flatMap((f) => f.options?.actions ?? [])[0]!.stats.packets).toBe(mirred.stats!.packets);
    const cls = (await rt.tc.class.list({ dev: "va", classid: "1:10" }))[0]!;
    expect(cls.stats!.packets).toBeGreaterThanOrEqual(5);
  });

  it("a tbf-shaped veth carries no more than its rate", async () => {
    // a TCP stream from a to b through class 1:10's tbf (1mbit = 125000 bytes/s, burst 32kb);
    // the receiver counts what arrives in a window from its first byte
    const windowMs = 1500;
    const server = spawn("ip", ["netns", "exec", b, process.execPath, "-e", `
      const net = require("node:net");
      const srv = net.createServer((s) => {
        let first = 0, bytes = 0;
        s.on("data", (d) => {
          const now = Date.now();
          if (!first) first = now;
          if (now - first <= ${windowMs}) bytes += d.length;
          else { console.log(JSON.stringify({ bytes, ms: now - first })); process.exit(0); }
        });
      });
      srv.listen(5201, "10.0.0.2", () => console.log("listening"));
    `], { stdio: ["ignore", "pipe", "inherit"] });
    const lines: string[] = [];
    let listening!: () => void;
    const ready = new Promise<void>((r) => (listening = r));
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    server.stdout.setEncoding("utf8").on("data", (t: string) => {
      lines.push(...t.split("\n").filter(Boolean));
      if (lines.includes("listening")) listening();
      if (lines.some((l) => l.startsWith("{"))) done();
    });
    server.on("exit", () => { listening(); done(); });
    try {
      await ready;
      const client = spawn("ip", ["netns", "exec", a, process.execPath, "-e", `
        const s = require("node:net").connect(5201, "10.0.0.2");
        const chunk = Buffer.alloc(65536, 7);
        const pump = () => { while (s.write(chunk)); };
        s.on("connect", pump); s.on("drain", pump);
        s.on("error", () => process.exit(0)); s.on("close", () => process.exit(0));
      `], { stdio: "ignore" });
      await finished;
      client.kill();
    } finally {
      server.kill();
    }
    const result = JSON.parse(lines.find((l) => l.startsWith("{"))!) as { bytes: number; ms: number };
    // the kernel counts headers against the rate, so the payload stays under rate x time + burst
    expect(result.bytes).toBeGreaterThan(0);
    expect(result.bytes).toBeLessThanOrEqual(125000 * (Math.min(result.ms, windowMs) / 1000) + 32768 + 65536);
    const tbf = (await rt.tc.qdisc.list({ dev: "va", handle: "10:" }))[0]!;
    expect(tbf.stats!.overlimits).toBeGreaterThan(0);
  });

  it("nlkit tc command lines build what tc builds, and nlkit tc show prints what tc prints", () => {
    const byTc = ns.create("t1");
    const byNlkit = ns.create("t2");
    for (const n of [byTc, byNlkit]) {
      ip(["link", "add", "d0", "type", "veth", "peer", "name", "d1"], n);
      ip(["link", "set", "d0", "up"], n);
    }
    for (const line of LINES) tc(line.split(" "), byTc);
    // one nlkit process for all the lines (a -batch file of tc commands, run in order)
    const built = nlkit(["-n", byNlkit, "-batch", "-"], { input: LINES.map((l) => `tc ${l}\n`).join("") });
    expect(built.code, built.stderr).toBe(0);
    for (const show of SHOWS) expect(tcJson(show, byNlkit), show.join(" ")).toEqual(tcJson(show, byTc));
    expect(tc(["class", "show", "dev", "d0"], byNlkit)).toBe(tc(["class", "show", "dev", "d0"], byTc));
    // nlkit's own show, text and -j, against tc's on the same objects (tc 6.1 prints htb classes only as text)
    const texts = [
      ...SHOWS, ["class", "show", "dev", "d0"], ["filter", "get", "dev", "d0", "parent", "1:", "protocol", "ip", "pref", "10", "handle", "800::800", "u32"],
      // tc's options after the word tc; no traffic crosses d0 (its peer is down), so counters hold still
      ["-d", "qdisc", "show", "dev", "d0"], ["-d", "class", "show", "dev", "d0"], ["-s", "-d", "qdisc", "show"], ["-s", "class", "show", "dev", "d0"],
      ["-s", "-d", "filter", "show", "dev", "d0", "ingress"],
    ];
    const text = nlkit(["-n", byTc, "-batch", "-"], { input: texts.map((w) => `tc ${w.join(" ")}\n`).join("") });
    // an action's ages ("installed N sec used N sec") tick between nlkit's read and tc's
    const ageless = (t: string) => t.replace(/installed \d+ sec used \d+ sec/g, "installed N sec used N sec");
    expect(ageless(text.stdout)).toBe(ageless(texts.map((w) => tc(w, byTc)).join("")));
    const json = nlkit(["-n", byTc, "-j", "-batch", "-"], { input: SHOWS.map((w) => `tc ${w.join(" ")}\n`).join("") });
    expect(json.stdout.trim().split("\n").map((l) => JSON.parse(l))).toEqual(SHOWS.map((w) => tcJson(w, byTc)));
    // the kernel's refusal is tc's exit status and words
    const dup = nlkit(["-n", byNlkit, "tc", ...LINES[0]!.split(" ")]);
    const theirDup = spawnSync("tc", ["-n", byTc, ...LINES[0]!.split(" ")], { encoding: "utf8" });
    expect([dup.code, dup.stderr]).toEqual([theirDup.status, theirDup.stderr]);
    const del = nlkit(["-n", byNlkit, "tc", "qdisc", "del", "dev", "d0", "root"]);
    expect(del.code, del.stderr).toBe(0);
    expect(tcJson<Array<{ kind: string }>>(["qdisc", "show", "dev", "d0"], byNlkit).map((q) => q.kind)).not.toContain("htb");
  });

  it("bad input is an NlkitInputError and changes nothing", async () => {
    const before = tcJson(["qdisc", "show", "dev", "va"], a);
    await expect(rt.tc.qdisc.replace({ dev: "va", parent: "1:10", handle: "10:", kind: "tbf", tbf: { rate: "fast", burst: "32kb", latency: "50ms" } }))
      .rejects.toBeInstanceOf(NlkitInputError);
    await expect(rt.tc.qdisc.add({ dev: "va", parent: "root", kind: "nosuchkind" })).rejects.toBeInstanceOf(NlkitInputError);
    await expect(rt.tc.filter.add({ dev: "va", parent: "egress", kind: "bpf", bpf: { pinned: "/nonexistent/nlkit-prog" } })).rejects.toBeInstanceOf(NlkitInputError);
    expect(tcJson(["qdisc", "show", "dev", "va"], a)).toEqual(before);
  });

  // Encoded and golden-tested; here each goes to the kernel, which either takes it (then tc reads
  // the kind back and nlkit decodes it) or refuses it to tc as well (the test skips with its words).
  type KindCase = { name: string; nlkit: (rt: Rtnl) => Promise<void>; tcLine: string; show: string[]; kind: string };
  const ON = { dev: "k0" } as const;
  const u32All = (): Pick<FilterSpec, "kind" | "u32"> => ({ kind: "u32", u32: { match: [{ u32: { value: 0, mask: 0 } }] } });
  const KINDS: KindCase[] = [
    { name: "netem", kind: "netem", nlkit: (r) => r.tc.qdisc.add({ ...ON, kind: "netem", netem: { delay: "10ms", loss: "1%" } }), tcLine: "qdisc add dev k0 root netem delay 10ms loss 1%", show: ["qdisc", "show", "dev", "k0", "root"] },
    { name: "fq_codel", kind: "fq_codel", nlkit: (r) => r.tc.qdisc.add({ ...ON, kind: "fq_codel", fq_codel: { target: "5ms", interval: "100ms" } }), tcLine: "qdisc add dev k0 root fq_codel target 5ms interval 100ms", show: ["qdisc", "show", "dev", "k0", "root"] },
    { name: "fq", kind: "fq", nlkit: (r) => r.tc.qdisc.add({ ...ON, kind: "fq", fq: { flowLimit: 50 } }), tcLine: "qdisc add dev k0 root fq flow_limit 50", show: ["qdisc", "show", "dev", "k0", "root"] },
    { name: "sfq", kind: "sfq", nlkit: (r) => r.tc.qdisc.add({ ...ON, kind: "sfq", sfq: { perturb: 10 } }), tcLine: "qdisc add dev k0 root sfq perturb 10", show: ["qdisc", "show", "dev", "k0", "root"] },
    { name: "prio", kind: "prio", nlkit: (r) => r.tc.qdisc.add({ ...ON, kind: "prio", prio: { bands: 3 } }), tcLine: "qdisc add dev k0 root prio bands 3", show: ["qdisc", "show", "dev", "k0", "root"] },
    { name: "cake", kind: "cake", nlkit: (r) => r.tc.qdisc.add({ ...ON, kind: "cake", cake: { bandwidth: "100mbit" } }), tcLine: "qdisc add dev k0 root cake bandwidth 100mbit", show: ["qdisc", "show", "dev", "k0", "root"] },
    { name: "matchall", kind: "matchall", nlkit: (r) => r.tc.filter.add({ ...ON, parent: "ingress", pref: 1, kind: "matchall" }), tcLine: "filter add dev k0 ingress pref 1 matchall", show: ["filter", "show", "dev", "k0", "ingress"] },
    { name: "flower", kind: "flower", nlkit: (r) => r.tc.filter.add({ ...ON, parent: "ingress", protocol: "ip", pref: 1, kind: "flower", flower: { ipProto: "tcp", dstPort: 80 } }), tcLine: "filter add dev k0 ingress protocol ip pref 1 flower ip_proto tcp dst_port 80", show: ["filter", "show", "dev", "k0", "ingress"] },
    { name: "gact", kind: "u32", nlkit: (r) => r.tc.filter.add({ ...ON, parent: "ingress", protocol: "ip", pref: 1, ...u32All(), actions: [{ kind: "gact", gact: { action: "drop" } }] }), tcLine: "filter add dev k0 ingress protocol ip pref 1 u32 match u32 0 0 action drop", show: ["filter", "show", "dev", "k0", "ingress"] },
    { name: "police", kind: "u32", nlkit: (r) => r.tc.filter.add({ ...ON, parent: "ingress", protocol: "ip", pref: 1, ...u32All(), actions: [{ kind: "police", police: { rate: "1mbit", burst: "10k", exceed: "drop" } }] }), tcLine: "filter add dev k0 ingress protocol ip pref 1 u32 match u32 0 0 action police rate 1mbit burst 10k drop", show: ["filter", "show", "dev", "k0", "ingress"] },
  ];
  it.for(KINDS)("$name: taken by the kernel and read back, or refused to tc too", async (c, ctx) => {
    const k = ns.create(`k-${c.name.replace("_", "")}`);
    ip(["link", "add", "k0", "type", "veth", "peer", "name", "k1"], k);
    tc(["qdisc", "add", "dev", "k0", "clsact"], k);
    const r = Rtnl.openSync({ netns: k });
    try {
      const err = await c.nlkit(r).then(() => undefined, (e: unknown) => e);
      if (err !== undefined) {
        expect(err).toBeInstanceOf(NetlinkError);
        const theirs = spawnSync("tc", ["-n", k, ...c.tcLine.split(" ")], { encoding: "utf8" });
        expect(theirs.status, theirs.stderr).toBe(2);
        ctx.skip(`this kernel refuses ${c.name} to tc as well: ${(err as NetlinkError).extack.message ?? (err as Error).message}`);
      }
      const shown = tcJson<Array<{ kind: string }>>(c.show, k).filter((o) => o.kind === c.kind);
      expect(shown.length).toBeGreaterThan(0);
      const mine = c.show[0] === "qdisc" ? await r.tc.qdisc.list({ dev: "k0", parent: "root" }) : await r.tc.filter.list({ dev: "k0", parent: "ingress" });
      const ofKind = (mine as Array<{ kind: string; raw?: string }>).filter((o) => o.kind === c.kind);
      expect(ofKind.length).toBe(shown.length);
      expect(ofKind.every((o) => o.raw === undefined)).toBe(true);
    } finally {
      r.close();
    }
  });

  const bpfReason = !hasCommand("clang") ? "clang is not installed" : !hasCommand("bpftool") ? "bpftool is not installed" : undefined;
  it.skipIf(bpfReason !== undefined)(`a pinned BPF drop program attached by nlkit tc blocks ping${bpfReason ? ` (skipped: ${bpfReason})` : ""}`, async () => {
    bpfDir = fs.mkdtempSync(path.join(os.tmpdir(), "nlkit-test-tc-bpf-"));
    const src = path.join(bpfDir, "drop.c");
    // TC_ACT_SHOT for every packet; no headers needed
    fs.writeFileSync(src, '__attribute__((section("tc"), used)) int drop_all(void *skb) { return 2; }\n'
      + 'char _license[] __attribute__((section("license"), used)) = "GPL";\n');
    execFileSync("clang", ["-O2", "-target", "bpf", "-c", src, "-o", path.join(bpfDir, "drop.o")], { stdio: "pipe" });
    const bpffs = path.join(bpfDir, "fs");
    fs.mkdirSync(bpffs);
    execFileSync("mount", ["-t", "bpf", "bpf", bpffs], { stdio: "pipe" });
    bpfMounted = true;
    const pinned = path.join(bpffs, "drop");
    execFileSync("bpftool", ["prog", "load", path.join(bpfDir, "drop.o"), pinned, "type", "classifier"], { stdio: "pipe" });

    const pingB = () => inNs(a, ["ping", "-c", "1", "-W", "1", "10.0.0.2"]).code;
    expect(pingB()).toBe(0);
    await rtB.tc.qdisc.add({ dev: "vb", kind: "clsact" });
    const add = nlkit(["-n", b, "tc", "filter", "add", "dev", "vb", "ingress", "protocol", "all", "pref", "1", "bpf", "da", "object-pinned", pinned]);
    expect(add.code, add.stderr).toBe(0);
    const [f] = await rtB.tc.filter.list({ dev: "vb", parent: "ingress", kind: "bpf" }).then((l) => l.filter((x) => x.handle !== undefined));
    expect(f).toMatchObject({ kind: "bpf", pref: 1, options: { directAction: true } });
    const theirs = tcJson<Array<{ options?: { prog?: Record<string, unknown> } }>>(["filter", "show", "dev", "vb", "ingress"], b);
    // tc adds the program's name and jit state, which it reads through bpf() itself
    for (const e of theirs) if (e.options?.prog) { delete e.options.prog.name; delete e.options.prog.jited; }
    const mine = (await rtB.tc.filter.list({ dev: "vb", parent: "ingress" })).map((x) => filterToTcJson(x, { devFiltered: true, parent: "ingress" }));
    expect(mine).toEqual(theirs);
    expect(pingB()).not.toBe(0);
    await rtB.tc.filter.del({ dev: "vb", parent: "ingress", pref: 1 });
    expect(pingB()).toBe(0);
  });
});
