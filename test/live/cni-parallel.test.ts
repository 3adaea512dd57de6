// Concurrency and the newer commands: 20 parallel ADDs for different containers get 20 distinct
// addresses (host-local's lock); one data directory shared by nlkit and the reference; results in
// every spec version next to the reference's; GC and STATUS (spec 1.1.0, which the reference 1.1.1
// does not know).
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { TestNamespaces } from "../helpers/live.js";
import { Runtime, type Container, type NetworkList } from "./cni-runtime.js";
import { buildNlkitCni, describeCni, dataDirState, linkState, normalizeResult, REFERENCE_DIR, Side } from "./cni-topology.js";

const ns = new TestNamespaces("cni-par");
let built: Awaited<ReturnType<typeof buildNlkitCni>> | undefined;
const sides = {} as Record<"nl" | "ref", { side: Side; rt: Runtime; dataDir: string }>;
const N = 20;

function list(dataDir: string, cniVersion = "1.0.0", subnet = "10.30.0.0/24", name = "parnet", bridge = "cni0"): NetworkList {
  return {
    cniVersion, name,
    plugins: [{ type: "bridge", bridge, isGateway: true, ipMasq: true, ipam: { type: "host-local", subnet, dataDir, routes: [{ dst: "0.0.0.0/0" }] } }],
  };
}

const ctr = (s: Side, i: number, id = `ctr${i}`): Container => ({ containerId: id, netns: s.path(s.containers[i - 1]!), ifname: "eth0" });

describeCni("nlkit-cni in parallel, with a shared data directory, in every spec version, GC and STATUS", () => {

  beforeAll(async () => {
    built = await buildNlkitCni("par");
    for (const k of ["nl", "ref"] as const) {
      const side = new Side(ns, k).setup(N + 4);
      sides[k] = { side, rt: new Runtime({ hostNetns: side.host, binDir: k === "nl" ? built.binDir : REFERENCE_DIR, cacheDir: path.join(built.work, `cache-${k}`) }), dataDir: path.join(built.work, `ipam-${k}`) };
    }
  });

  afterAll(() => {
    ns.cleanup();
    built?.cleanup();
  });

  it(`${N} ADDs at once for different containers get ${N} distinct addresses, on both sides`, async () => {
    const got = await Promise.all((["nl", "ref"] as const).map(async (k) => {
      const s = sides[k];
      const adds = await Promise.all(Array.from({ length: N }, (_, i) => s.rt.add(list(s.dataDir), ctr(s.side, i + 1))));
      expect(adds.map((a) => [a.ok, a.runs[0]!.stderr])).toEqual(adds.map(() => [true, ""]));
      return adds.map((a) => a.result.ips[0].address as string);
    }));
    const expected = Array.from({ length: N }, (_, i) => `10.30.0.${i + 2}/24`);
    expect([...got[0]!].sort()).toEqual([...expected].sort());
    expect(new Set(got[0]).size).toBe(N);
    expect([...got[1]!].sort()).toEqual([...expected].sort());
    const rules = execFileSync("ip", ["netns", "exec", sides.nl.side.host, "nft", "list", "chain", "inet", "cni_plugins_masquerade", "masq_checks"], { encoding: "utf8" });
    expect(rules.match(/masquerade comment/g)).toHaveLength(N);
    const post = execFileSync("ip", ["netns", "exec", sides.nl.side.host, "nft", "list", "chain", "inet", "cni_plugins_masquerade", "postrouting"], { encoding: "utf8" });
    // every ADD refilled the hook chain in its own transaction: still exactly three rules
    expect(post.trim().split("\n").filter((l) => /return|goto/.test(l))).toHaveLength(3);
  });

  it("GC (1.1.0) releases the addresses and NAT rules of every attachment not listed as valid; DEL then cleans up the rest", async () => {
    const s = sides.nl;
    const valid = Array.from({ length: N / 2 }, (_, i) => ({ containerID: `ctr${i + 1}`, ifname: "eth0" }));
    const gc = await s.rt.gc(list(s.dataDir, "1.1.0"), valid);
    expect(gc.runs.map((r) => [r.code, r.stdout])).toEqual([[0, ""]]);
    const files = Object.keys(dataDirState(path.join(s.dataDir, "parnet")));
    expect(files.filter((f) => f.startsWith("10.30."))).toHaveLength(N / 2);
    const rules = execFileSync("ip", ["netns", "exec", s.side.host, "nft", "list", "chain", "inet", "cni_plugins_masquerade", "masq_checks"], { encoding: "utf8" });
    expect(rules.match(/masquerade comment/g)).toHaveLength(N / 2);
    for (let i = 1; i <= N / 2; i++) expect(rules).toContain(`id: ctr${i}"`);
    // the reference 1.1.1 does not know GC: it asks for a container ID (code 3)
    const ref = await sides.ref.rt.gc(list(sides.ref.dataDir, "1.1.0"), valid);
    expect(ref.runs[0]!.json?.code).toBe(3);
    // DEL of all twenty at once: the collected ones too (their veths are still there)
    const dels = await Promise.all(Array.from({ length: N }, (_, i) => s.rt.del(list(s.dataDir), ctr(s.side, i + 1))));
    expect(dels.every((d) => d.ok)).toBe(true);
    expect(Object.keys(dataDirState(path.join(s.dataDir, "parnet")))).toEqual(["last_reserved_ip.0", "lock"]);
    expect(linkState(s.side.host).map((l) => l.ifname)).toEqual(["cni0", "lo", "up0"]);
    const after = execFileSync("ip", ["netns", "exec", s.side.host, "nft", "list", "chain", "inet", "cni_plugins_masquerade", "masq_checks"], { encoding: "utf8" });
    expect(after).not.toMatch(/comment/);
  });

  it("STATUS (1.1.0) answers 0 while the range has room and 50 once it is exhausted", async () => {
    const s = sides.nl;
    const small = list(s.dataDir, "1.1.0", "10.31.0.0/30", "smallnet", "cni-small");
    expect((await s.rt.status(small)).runs.map((r) => r.code)).toEqual([0]);
    const add = await s.rt.add(small, ctr(s.side, N + 1));
    expect(add.ok).toBe(true);
    const st = await s.rt.status(small);
    expect(st.runs.map((r) => [r.code, r.json?.code])).toEqual([[1, 50]]);
    expect(st.runs[0]!.json.msg).toBe("no IP addresses available in range set 0: 10.31.0.1-10.31.0.2");
    expect((await s.rt.del(small, ctr(s.side, N + 1))).ok).toBe(true);
    expect((await s.rt.status(small)).ok).toBe(true);
  });

  it("shares one data directory with the reference's host-local: allocations interleave, and either releases the other's", async () => {
    const shared = path.join(built!.work, "ipam-shared");
    const ipamConf = (cniVersion: string) => ({ cniVersion, name: "sharednet", type: "host-local", ipam: { type: "host-local", subnet: "10.32.0.0/24", dataDir: shared } });
    const run = (k: "nl" | "ref", cmd: string, id: string) => sides[k].rt.exec("host-local", cmd, { containerId: id, netns: "/proc/self/ns/net", ifname: "eth0" }, ipamConf("1.0.0"));
    const order: string[] = [];
    for (const [k, id] of [["ref", "a"], ["nl", "b"], ["ref", "c"], ["nl", "d"]] as const) {
      const r = await run(k, "ADD", id);
      expect(r.code).toBe(0);
      order.push(r.json.ips[0].address);
    }
    expect(order).toEqual(["10.32.0.2/24", "10.32.0.3/24", "10.32.0.4/24", "10.32.0.5/24"]);
    // the abbreviated IPAM result, as the reference's
    const nlRes = await run("nl", "ADD", "e"), refRes = await run("ref", "ADD", "f");
    expect(Object.keys(nlRes.json)).toEqual(Object.keys(refRes.json));
    expect(nlRes.json.ips[0]).toEqual({ address: "10.32.0.6/24", gateway: "10.32.0.1" });
    expect((await run("nl", "DEL", "a")).code).toBe(0);
    expect((await run("ref", "DEL", "b")).code).toBe(0);
    expect(Object.keys(dataDirState(path.join(shared, "sharednet")))).toEqual(["10.32.0.4", "10.32.0.5", "10.32.0.6", "10.32.0.7", "last_reserved_ip.0", "lock"]);
    // both at once, taking the same lock file
    const many = await Promise.all(Array.from({ length: 10 }, (_, i) => run(i % 2 ? "nl" : "ref", "ADD", `p${i}`)));
    const addrs = many.map((r) => r.json?.ips?.[0]?.address);
    expect(new Set(addrs).size).toBe(10);
    expect(addrs.every((a) => /^10\.32\.0\.\d+\/24$/.test(a))).toBe(true);
  });

  it("converts its results to every spec version the reference answers in (0.2.0, 0.3.1, 0.4.0, 1.0.0) the same way, and adds the 1.1.0 fields", async () => {
    for (const [i, v] of ["0.2.0", "0.3.1", "0.4.0"].entries()) {
      const got = await Promise.all((["nl", "ref"] as const).map(async (k) => {
        const s = sides[k];
        const r = await s.rt.add(list(s.dataDir, v, `10.4${i}.0.0/24`, `v${i}net`, `cni-v${i}`), ctr(s.side, N + 2 + i, "verctr"));
        expect(r.runs[0]!.stderr).toBe("");
        return normalizeResult(r.result, s.side);
      }));
      expect(got[0]).toEqual(got[1]);
      expect(got[0].cniVersion).toBe(v);
    }
    const s = sides.nl;
    const v11 = list(s.dataDir, "1.1.0", "10.49.0.0/24", "v11net", "cni-v11");
    const r = await s.rt.add(v11, { ...ctr(s.side, N + 2), ifname: "eth1" });
    expect(r.runs.map((x) => [x.code, x.stderr, x.json?.msg])).toEqual([[0, "", undefined]]);
    expect(r.result.cniVersion).toBe("1.1.0");
    expect(r.result.interfaces.map((x: any) => x.mtu)).toEqual([1500, 1500, 1500]);
    const check = await s.rt.check(v11, { ...ctr(s.side, N + 2), ifname: "eth1" });
    expect(check.runs.map((x) => [x.code, x.stdout])).toEqual([[0, ""]]);
  });
});
