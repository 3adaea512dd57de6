// nlkit's ctnetlink requests against what conntrack-tools 1.4.7 sent (strace), and its decode
// and text against what conntrack printed from exactly those replies (test/fixtures/golden/conntrack).
import { describe, expect, it } from "vitest";
import { Conntrack, type ConntrackEvent } from "../../../src/conntrack/verbs.js";
import { flowOf, type Flow } from "../../../src/conntrack/flow.js";
import { flowText } from "../../../src/cli/print/conntrack.js";
import { forEachAttr } from "../../../src/netlink/attrs.js";
import { NetlinkError } from "../../../src/netlink/errors.js";
import { reply, ScriptedTransport, type ScriptedExchange } from "../../../src/netlink/scripted.js";
import { hexdiff, loadGolden, normalizeNl, splitNl, type Golden } from "../../helpers/golden.js";

const NLM_F_ACK = 0x4;
const lines = (g: Golden) => g.output.split("\n").filter(Boolean);

/** A handle whose kernel answers each of the fixture's requests with its replies (and an ack where nlkit asks for one). */
function handle(exchanges: ScriptedExchange[]): { ct: Conntrack; t: ScriptedTransport } {
  const t = new ScriptedTransport(exchanges);
  return { ct: Conntrack.openSync({ transport: t }), t };
}

/** The flows of a fixture's dump replies, decoded without the socket. */
function dumped(g: Golden): Flow[] {
  const out: Flow[] = [];
  for (const d of g.replies) for (const m of splitNl(d)) {
    const f = m.readUInt16LE(4) === 0x0100 ? flowOf(m, 0, m.length) : undefined;
    if (f) out.push(f);
  }
  return out;
}

/** Top-level attributes of a ctnetlink message (after nlmsghdr and nfgenmsg), by type. */
function attrsOf(msg: Buffer): Map<number, Buffer> {
  const m = new Map<number, Buffer>();
  forEachAttr(msg, 20, msg.length, (type, ps, pe) => m.set(type, msg.subarray(ps - 4, pe)));
  return m;
}

describe("dumps: nlkit sends conntrack's bytes and prints conntrack's lines", () => {
  it("conntrack -L: the same request; every flow printed as conntrack printed it (NAT, zones, counters, IPv6)", async () => {
    const g = loadGolden("conntrack/list");
    const { ct, t } = handle([{ request: g.requests[0]!, replies: g.replies }]);
    const flows = await ct.list();
    t.assertDone();
    expect(flows.map((f) => flowText(f))).toEqual(lines(g));
    const masq = flows.find((f) => f.proto === "icmp" && f.nat.source)!;
    expect(masq).toMatchObject({ family: 4, status: expect.arrayContaining(["SEEN_REPLY", "SRC_NAT", "CONFIRMED"]), reply: { dst: "198.51.100.2" } });
    expect(flows.find((f) => f.proto === "tcp")).toMatchObject({ state: "ESTABLISHED", zone: 5, mark: 7, orig: { sport: 1001, dport: 80 } });
    expect(flows.find((f) => f.orig.sport === 1002)).toMatchObject({ zone: 9, orig: { zone: 9 } });
    expect(flows.find((f) => f.family === 6)).toMatchObject({ proto: "udp", orig: { src: "fd00::1", dst: "fd00::2" } });
    expect(masq.counters).toEqual({ orig: { packets: 1, bytes: 84 }, reply: { packets: 1, bytes: 84 } });
    expect(JSON.parse(JSON.stringify(flows))).toEqual(flows);
  });

  it("conntrack -L -o extended,id: the layer-3 column and the id", () => {
    const g = loadGolden("conntrack/list-extended");
    expect(dumped(g).map((f) => flowText(f, { extended: true, id: true }))).toEqual(lines(g));
  });

  it("-f ipv4 is the dump's nfgenmsg family; -m 7 is CTA_MARK with CTA_MARK_MASK 0xffffffff", async () => {
    for (const [name, filter] of [["list-ipv4", { family: 4 }], ["list-mark", { mark: 7 }]] as const) {
      const g = loadGolden(`conntrack/${name}`);
      const { ct, t } = handle([{ request: g.requests[0]!, replies: g.replies }]);
      const flows = await ct.list(filter);
      t.assertDone();
      expect(flows.map((f) => flowText(f)), name).toEqual(lines(g));
    }
  });
});

describe("lookups", () => {
  it("conntrack -G (udp, and icmp with conntrack's code-type-id order): the same request, the same line", async () => {
    const cases = [
      ["get", { proto: "udp", orig: { src: "10.0.0.1", dst: "198.51.100.1", sport: 1000, dport: 53 } }],
      ["get-icmp", { proto: "icmp", orig: { src: "10.0.0.1", dst: "198.51.100.1", icmpType: 8, icmpCode: 0, icmpId: 77 } }],
    ] as const;
    for (const [name, spec] of cases) {
      const g = loadGolden(`conntrack/${name}`);
      // conntrack reads the flow and exits before the kernel's ack; nlkit waits for it
      const { ct, t } = handle([{ request: g.requests[0]!, replies: [...g.replies, reply.ack()] }]);
      const flow = await ct.get(spec);
      t.assertDone();
      expect(flowText(flow), name).toBe(lines(g)[0]);
    }
  });

  it("a lookup of a flow that is not there is the kernel's ENOENT", async () => {
    const g = loadGolden("conntrack/get-missing");
    const { ct } = handle([{ request: g.requests[0]!, replies: g.replies }]);
    const err = await ct.get({ proto: "udp", orig: { src: "10.0.0.1", dst: "198.51.100.1", sport: 4000, dport: 53 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect((err as NetlinkError).code).toBe("ENOENT");
    expect(g.stderr).toContain("such conntrack doesn't exist");
  });
});

describe("deletes, flushes, count", () => {
  it("a delete names the flow by conntrack's CTA_TUPLE_ORIG bytes, then its id (the kernel reads nothing else conntrack repeats)", async () => {
    const g = loadGolden("conntrack/delete");
    const theirs = g.requests[1]!;
    const flow = dumped(g).find((f) => f.orig.sport === 1000)!;
    const sent = new ScriptedTransport((req) => [reply.ack(req)]);
    await Conntrack.openSync({ transport: sent }).delete(flow);
    const ours = sent.sent[0]!.bytes;
    expect(ours.subarray(4, 8).equals(theirs.subarray(4, 8))).toBe(true); // type and flags
    expect(ours.subarray(16, 20).equals(theirs.subarray(16, 20))).toBe(true); // nfgenmsg
    const a = attrsOf(ours), b = attrsOf(theirs);
    expect([...a.keys()]).toEqual([1, 12]);
    expect(hexdiff(b.get(1)!, a.get(1)!)).toBe("");
    expect(a.get(12)!.readUInt32BE(4)).toBe(flow.id);
    // a FlowSpec with both tuples and the id names that flow too: the same request
    const spec = { proto: flow.proto, orig: flow.orig, reply: flow.reply, id: flow.id };
    await Conntrack.openSync({ transport: sent }).delete(spec);
    expect(sent.sent[1]!.bytes.subarray(16).equals(ours.subarray(16))).toBe(true);
  });

  it("a flow in zone 5 is deleted with conntrack's CTA_ZONE; a directional zone travels in its tuple", async () => {
    const g = loadGolden("conntrack/delete-zone");
    const theirs = attrsOf(g.requests[1]!);
    const flows = dumped(g);
    const sent = new ScriptedTransport((req) => [reply.ack(req)]);
    const ct = Conntrack.openSync({ transport: sent });
    await ct.delete(flows.find((f) => f.zone === 5)!);
    const ours = attrsOf(sent.sent[0]!.bytes);
    expect(hexdiff(theirs.get(18)!, ours.get(18)!)).toBe("");
    expect(hexdiff(theirs.get(1)!, ours.get(1)!)).toBe("");
    await ct.delete(flows.find((f) => f.orig.zone === 9)!);
    const dir = attrsOf(sent.sent[1]!.bytes);
    expect(dir.has(18)).toBe(false);
    // CTA_TUPLE_ORIG's last attribute is CTA_TUPLE_ZONE (3) = 9, big-endian
    const tuple = dir.get(1)!;
    expect(tuple.subarray(tuple.length - 8).toString("hex")).toBe("0600030000090000");
  });

  it("flush: conntrack's request but nfgenmsg version 1, which makes the kernel honour the family (conntrack's -F -f ipv4 empties IPv6 too)", async () => {
    for (const [name, filter] of [["flush", {}], ["flush-ipv4", { family: 4 }]] as const) {
      const g = loadGolden(`conntrack/${name}`);
      const want = Buffer.from(g.requests[0]!);
      expect(want[17], "conntrack sends version 0").toBe(0);
      want[17] = 1;
      const { ct, t } = handle([{ request: want, replies: g.replies }]);
      await ct.flush(filter);
      t.assertDone();
    }
  });

  it("count: conntrack -C's request (with an ack asked: the kernel's stats reply says NLM_F_MULTI and never ends)", async () => {
    const g = loadGolden("conntrack/count");
    const want = Buffer.from(g.requests[0]!);
    want.writeUInt16LE(want.readUInt16LE(6) | NLM_F_ACK, 6);
    const { ct, t } = handle([{ request: want, replies: [...g.replies, reply.ack()] }]);
    expect(await ct.count()).toBe(Number(g.output.trim()));
    t.assertDone();
  });
});

describe("events", () => {
  it("conntrack -E's datagrams: new, update, destroy (caused by a user-space delete), printed as conntrack printed them", async () => {
    const g = loadGolden("conntrack/events");
    const t = new ScriptedTransport([]);
    const ct = Conntrack.openSync({ transport: t });
    const events = ct.events();
    for (const d of g.replies) t.inject(d);
    const got: ConntrackEvent[] = [];
    for await (const e of events) {
      got.push(e);
      if (got.length === g.replies.length) break;
    }
    expect(got.map((e) => e.kind)).toEqual(["new", "update", "destroy"]);
    expect(got.map((e) => (e.kind === "overrun" ? "" : flowText(e.flow, { event: e.kind, ...(e.portid ? { portid: e.portid } : {}) })))).toEqual(lines(g));
    ct.close();
  });
});

describe("the fixtures are what they say", () => {
  it("every request is a ctnetlink message and every reply splits by nlmsg_len", () => {
    for (const name of ["list", "get", "get-icmp", "delete", "delete-zone", "flush", "flush-ipv4", "count"]) {
      const g = loadGolden(`conntrack/${name}`);
      for (const r of g.requests) expect(r.readUInt16LE(4) >> 8, name).toBe(1);
      for (const d of g.replies) expect(() => splitNl(d), name).not.toThrow();
      expect(normalizeNl(g.requests[0]!).readUInt32LE(8)).toBe(0);
    }
  });
});
