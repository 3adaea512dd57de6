// What the kernel dumped to tc, decoded by nlkit and printed with tc's JSON keys, equals what tc
// printed from exactly those bytes (test/fixtures/golden/tc/*-show*-json).
import { describe, expect, it } from "vitest";
import { classToTcJson, filterToTcJson, qdiscToTcJson } from "../../../src/rtnl/tc/json.js";
import { TcApi } from "../../../src/rtnl/tc/verbs.js";
import { loadGolden } from "../../helpers/golden.js";
import { captureRtnl } from "../../helpers/rtnl-capture.js";
import { commandReplies, fixturePsched, TC_DEVICES } from "../../helpers/tc-golden.js";

export function replay(name: string) {
  const g = loadGolden(`tc/${name}`);
  const { ctx, exec } = captureRtnl(TC_DEVICES, [commandReplies(g)]);
  return { g, tc: new TcApi(ctx, exec, () => fixturePsched(g)) };
}

describe("tc dumps decode to what tc printed", () => {
  it("qdisc show -s -j: htb, tbf under a class, clsact, with counters", async () => {
    const { g, tc } = replay("qdisc-show-json");
    const list = await tc.qdisc.list({ dev: "va" });
    expect(list.map((q) => qdiscToTcJson(q, { devFiltered: true, stats: true }))).toEqual(g.json);
    expect(list.map((q) => [q.kind, q.handle, q.parent])).toEqual([["htb", "1:", "root"], ["tbf", "10:", "1:10"], ["clsact", "ffff:", "ingress"]]);
    const tbf = list[1]!;
    expect(tbf.options).toMatchObject({ rate: 125000, burst: 32768, latency: 50000, linklayer: "ethernet" });
    expect(tbf.stats?.packets).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(list))).toEqual(list);
  });

  it("qdisc show -j of every device names each one", async () => {
    const { g, tc } = replay("qdisc-show-all-json");
    const list = await tc.qdisc.list();
    expect(list.map((q) => qdiscToTcJson(q))).toEqual(g.json);
  });

  it("mq and the pfifo_fast children the kernel gave it", async () => {
    const { g, tc } = replay("qdisc-show-mq-json");
    const list = await tc.qdisc.list({ dev: "va" });
    expect(list.map((q) => qdiscToTcJson(q, { devFiltered: true }))).toEqual(g.json);
    expect(list[1]!.options).toEqual({ bands: 3, priomap: [1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1], multiqueue: false });
  });

  it("filter show -s -j: u32 heads, hash tables, keys, mirred and its counters", async () => {
    const { g, tc } = replay("filter-show-json");
    const list = await tc.filter.list({ dev: "va", parent: "1:" });
    expect(list.map((f) => filterToTcJson(f, { devFiltered: true, parent: "1:", stats: true }))).toEqual(g.json);
    const node = list[2]!;
    expect(node).toMatchObject({ handle: "800::800", protocol: "ip", pref: 10, kind: "u32", options: { classid: "1:10", terminal: true, keys: [{ value: 0x0a000002, mask: 0xffffffff, off: 16, offmask: 0 }] } });
    expect(list[5]!.actions).toMatchObject([{ kind: "mirred", order: 1, options: { action: "mirror", direction: "egress", dev: "lo" } }]);
  });

  it("filter show -s -j egress: the mirred action counted the traffic", async () => {
    const { g, tc } = replay("filter-show-egress-json");
    const list = await tc.filter.list({ dev: "va", parent: "egress" });
    expect(list.map((f) => filterToTcJson(f, { devFiltered: true, parent: "egress", stats: true }))).toEqual(g.json);
    expect(list[2]!.actions![0]!.stats!.packets).toBeGreaterThan(0);
  });

  it("a bpf filter: name, direct action, program id and tag (tc adds the name and jit state it reads through bpf())", async () => {
    const { g, tc } = replay("filter-show-bpf-json");
    const list = await tc.filter.list({ dev: "va", parent: "egress" });
    const mine = list.map((f) => filterToTcJson(f, { devFiltered: true, parent: "egress", stats: true }));
    const theirs = structuredClone(g.json) as Array<{ options?: { prog?: Record<string, unknown> } }>;
    for (const e of theirs) if (e.options?.prog) { delete e.options.prog.name; delete e.options.prog.jited; }
    expect(mine).toEqual(theirs);
    expect(list[1]!.options).toMatchObject({ name: "drop:[*fsobj]", directAction: true, notInHw: true });
  });

  it("class show: htb rate, ceil, buckets from the kernel's ticks, lends and tokens", async () => {
    const { tc } = replay("class-show");
    const list = await tc.class.list({ dev: "va" });
    expect(list.map((c) => [c.kind, c.classid, c.parent, c.leaf])).toEqual([["htb", "1:10", "root", "10:"], ["tbf", "10:1", "10:", undefined]]);
    expect(list[0]!.options).toMatchObject({ rate: 625000, ceil: 1250000, burst: 1600, cburst: 1600, prio: 0 });
    expect(list[0]!.xstats).toMatchObject({ lends: 4, borrows: 0, giants: 0 });
    expect(classToTcJson(list[0]!, { devFiltered: true })).toMatchObject({ class: "htb", handle: "1:10", root: true, leaf: "10:", rate: 625000 });
  });
});
