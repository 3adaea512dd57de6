// Every Conntrack verb through the scripted transport: what it sends, what it makes of the
// answers, and what it refuses before sending anything. No kernel, no root.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { flowOf, type Flow } from "../../../src/conntrack/flow.js";
import { CT_DELETE, CT_GET, CT_GET_STATS, CT_NEW, CTA_FILTER_F, ctMessage, statsMessage } from "../../../src/conntrack/table.js";
import { Conntrack, type ConntrackEvent } from "../../../src/conntrack/verbs.js";
import { NLM_F_ACK, NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL, NLM_F_MULTI } from "../../../src/netlink/constants.js";
import { NetlinkError, NetlinkParseError, NlkitInputError } from "../../../src/netlink/errors.js";
import { decodeMessage, encodeBody } from "../../../src/netlink/message.js";
import { reply, ScriptedTransport, type ScriptedRequest, type ScriptHandler } from "../../../src/netlink/scripted.js";
import { NlWriter } from "../../../src/netlink/writer.js";
import { SyscallError } from "../../../src/syscalls/errors.js";
import { loadGolden, splitNl } from "../../helpers/golden.js";

interface FlowBits {
  family?: 2 | 10;
  proto?: number;
  src?: string; dst?: string; sport?: number; dport?: number;
  rsrc?: string; rdst?: string;
  zone?: number; mark?: number; id?: number; status?: number;
  packets?: bigint;
}

/** A ctnetlink flow message as the kernel writes one (a dump part or an event). */
function flowMsg(b: FlowBits, type = CT_NEW, flags = NLM_F_MULTI): Buffer {
  const v6 = b.family === 10;
  const ip = (s: string, d: string) => (v6 ? { v6Src: s, v6Dst: d } : { v4Src: s, v4Dst: d });
  const proto = b.proto ?? 17;
  const ports = (s: number, d: number) => (proto === 1 ? { num: 1, icmpId: 7, icmpType: s === 0 ? 0 : 8, icmpCode: 0 } : { num: proto, srcPort: s, dstPort: d });
  const src = b.src ?? (v6 ? "fd00::1" : "10.0.0.2"), dst = b.dst ?? (v6 ? "fd00::2" : "198.51.100.1");
  const attrs: Record<string, unknown> = {
    tupleOrig: { ip: ip(src, dst), proto: ports(b.sport ?? 40000, b.dport ?? 53) },
    tupleReply: { ip: ip(b.rsrc ?? dst, b.rdst ?? src), proto: ports(b.dport ?? 53, b.sport ?? 40000) },
  };
  if (b.zone) attrs.zone = b.zone;
  attrs.status = b.status ?? 0x8;
  if (b.packets !== undefined) attrs.countersOrig = { packets: b.packets, bytes: b.packets * 100n };
  attrs.timeout = 30;
  attrs.mark = b.mark ?? 0;
  attrs.id = b.id ?? 1;
  attrs.use = 1;
  const w = new NlWriter(512);
  encodeBody(w, ctMessage, { family: b.family ?? 2, version: 0, resId: 0 }, attrs);
  return reply.message(type, w.take(), flags);
}

const dumpOf = (...m: Buffer[]) => [reply.datagram(...m), reply.done()];

function withKernel(handler: ScriptHandler): { ct: Conntrack; t: ScriptedTransport } {
  const t = new ScriptedTransport(handler);
  return { ct: Conntrack.openSync({ transport: t }), t };
}

const asked = (r: ScriptedRequest) => decodeMessage<Record<string, number>, Record<string, any>>(r.bytes, 0, r.bytes.length, ctMessage);

describe("list", () => {
  it("sends family, zone, mark and status, and a CTA_FILTER for protocol, IPv4 address and ports", async () => {
    const { ct, t } = withKernel(() => dumpOf());
    await ct.list({ family: 4, proto: "udp", orig: { src: "10.0.0.2", dport: 53 }, reply: { dst: "198.51.100.2" }, zone: 3, mark: { value: 1, mask: 0xff }, status: ["ASSURED", "SRC_NAT"] });
    const r = t.sent[0]!;
    expect(r.type).toBe(CT_GET);
    expect(r.flags & NLM_F_DUMP).toBe(NLM_F_DUMP);
    const m = asked(r);
    expect(m.header).toMatchObject({ family: 2, version: 0 });
    expect(m.attrs.tupleOrig).toEqual({ ip: { v4Src: "10.0.0.2" }, proto: { num: 17, dstPort: 53 } });
    expect(m.attrs.tupleReply).toEqual({ ip: { v4Dst: "198.51.100.2" }, proto: { num: 17 } });
    expect(m.attrs.filter).toEqual({
      origFlags: CTA_FILTER_F.ipSrc | CTA_FILTER_F.protoNum | CTA_FILTER_F.dstPort,
      replyFlags: CTA_FILTER_F.ipDst | CTA_FILTER_F.protoNum,
    });
    expect(m.attrs).toMatchObject({ zone: 3, mark: 1, markMask: 0xff, status: 0x14, statusMask: 0x14 });
  });

  it("without a family, or for IPv6 addresses and prefixes, the kernel gets no CTA_FILTER and the filter is applied here", async () => {
    const rows = [
      flowMsg({ family: 10, src: "fd00::1", id: 1 }), flowMsg({ family: 10, src: "fd00::3", id: 2 }),
      flowMsg({ proto: 6, id: 3 }), flowMsg({ src: "10.0.1.9", id: 4 }),
    ];
    const { ct, t } = withKernel(() => dumpOf(...rows));
    expect((await ct.list({ orig: { src: "fd00::1" } })).map((f) => f.id)).toEqual([1]);
    expect(asked(t.sent[0]!).header.family).toBe(10);
    expect(asked(t.sent[0]!).attrs.filter).toBeUndefined();
    expect((await ct.list({ proto: "tcp" })).map((f) => f.id)).toEqual([3]);
    expect(asked(t.sent[1]!).header.family).toBe(0);
    expect(asked(t.sent[1]!).attrs).toEqual({});
    expect((await ct.list({ orig: { src: "10.0.0.0/24" } })).map((f) => f.id)).toEqual([3]);
    expect(asked(t.sent[2]!).attrs.filter).toBeUndefined();
  });

  it("what a kernel sends despite the filter (one that ignores CTA_ZONE, say) is dropped here", async () => {
    const { ct } = withKernel(() => dumpOf(flowMsg({ id: 1 }), flowMsg({ id: 2, zone: 3, mark: 0x101 }), flowMsg({ id: 3, zone: 3, mark: 2 })));
    expect((await ct.list({ zone: 3 })).map((f) => f.id)).toEqual([2, 3]);
    expect((await ct.list({ zone: 3, mark: { value: 1, mask: 0xff } })).map((f) => f.id)).toEqual([2]);
    expect((await ct.list({ status: "ASSURED" })).map((f) => f.id)).toEqual([]);
  });

  it("refuses bad filters before sending anything", async () => {
    const { ct, t } = withKernel(() => dumpOf());
    const bad: unknown[] = [
      { family: 5 }, { proto: "foo" }, { orig: { src: "10.0.0.300" } }, { orig: { sport: 1 } }, { proto: "icmp", orig: { sport: 1 } },
      { proto: "udp", orig: { icmpType: 8 } }, { family: 6, orig: { src: "10.0.0.1" } }, { zone: 70000 }, { mark: -1 }, { status: "BOGUS" },
      { colour: "red" }, { orig: { zone: 1 } }, { proto: "udp", orig: { dport: 65536 } },
    ];
    for (const f of bad) await expect(ct.list(f as never), JSON.stringify(f)).rejects.toBeInstanceOf(NlkitInputError);
    expect(t.sent).toHaveLength(0);
  });
});

describe("get", () => {
  it("by the original tuple, in a zone, or by the reply tuple; CTA_ZONE only for a zone other than 0", async () => {
    const { ct, t } = withKernel((req) => [reply.datagram(flowMsg({ id: 9 })), reply.ack(req)]);
    const f = await ct.get({ proto: "udp", orig: { src: "10.0.0.2", dst: "198.51.100.1", sport: 40000, dport: 53 } });
    expect(f.id).toBe(9);
    await ct.get({ proto: "udp", zone: 4, orig: { src: "10.0.0.2", dst: "198.51.100.1", sport: 40000, dport: 53 } });
    await ct.get({ proto: 17, reply: { src: "198.51.100.1", dst: "198.51.100.2", sport: 53, dport: 61000 } });
    const [a, b, c] = t.sent.map(asked);
    expect(t.sent[0]!.flags & NLM_F_ACK).toBe(NLM_F_ACK);
    expect(a!.attrs).toEqual({ tupleOrig: { ip: { v4Src: "10.0.0.2", v4Dst: "198.51.100.1" }, proto: { num: 17, srcPort: 40000, dstPort: 53 } } });
    expect(b!.attrs.zone).toBe(4);
    expect(Object.keys(c!.attrs)).toEqual(["tupleReply"]);
    expect(c!.attrs.tupleReply.ip).toEqual({ v4Src: "198.51.100.1", v4Dst: "198.51.100.2" });
  });

  it("the kernel's ENOENT is a NetlinkError; a tuple that names no one flow is refused unsent", async () => {
    const { ct, t } = withKernel((req) => [reply.error(2, req)]);
    await expect(ct.get({ proto: "udp", orig: { src: "10.0.0.2", dst: "198.51.100.1", sport: 1, dport: 2 } })).rejects.toMatchObject({ code: "ENOENT" });
    const sent = t.sent.length;
    for (const spec of [
      { proto: "udp", orig: { src: "10.0.0.2", dst: "198.51.100.1", sport: 1 } },
      { proto: "icmp", orig: { src: "10.0.0.2", dst: "198.51.100.1", icmpType: 8 } },
      { orig: { src: "10.0.0.2", dst: "198.51.100.1" } },
      { proto: "udp", orig: { src: "10.0.0.2", dst: "fd00::1", sport: 1, dport: 2 } },
      { proto: "udp", family: 6, orig: { src: "10.0.0.2", dst: "10.0.0.3", sport: 1, dport: 2 } },
    ]) await expect(ct.get(spec as never), JSON.stringify(spec)).rejects.toBeInstanceOf(NlkitInputError);
    expect(t.sent.length).toBe(sent);
  });
});

describe("delete", () => {
  it("a Flow is deleted by its tuple, zone and id, in one request; gone, it is the kernel's ENOENT", async () => {
    let gone = false;
    const { ct, t } = withKernel((req) => [gone ? reply.error(2, req) : reply.ack(req)]);
    const m0 = flowMsg({ zone: 7, id: 0x01020304 });
    const flow = flowOf(m0, 0, m0.length)!;
    expect(await ct.delete(flow)).toBe(1);
    const m = asked(t.sent[0]!);
    expect(t.sent[0]!.type).toBe(CT_DELETE);
    expect(Object.keys(m.attrs)).toEqual(["tupleOrig", "zone", "id"]);
    expect(m.attrs).toMatchObject({ zone: 7, id: 0x01020304 });
    gone = true;
    const err = await ct.delete(flow).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect((err as NetlinkError).code).toBe("ENOENT");
  });

  it("a filter: the matching flows are listed, then deleted in one batch; one already gone does not count, another error throws", async () => {
    const rows = [flowMsg({ id: 1, dport: 53 }), flowMsg({ id: 2, dport: 53, sport: 40001 }), flowMsg({ id: 3, dport: 80 })];
    let failWith = 2;
    const { ct, t } = withKernel((req) => {
      if (req.type === CT_GET) return dumpOf(...rows);
      const id = asked(req).attrs.id;
      return id === 2 ? [reply.error(failWith, req)] : req.flags & NLM_F_ACK ? [reply.ack(req)] : [];
    });
    expect(await ct.delete({ proto: "udp", orig: { dport: 53 } })).toBe(1);
    const deletes = t.sent.filter((r) => r.type === CT_DELETE);
    expect(deletes.map((r) => asked(r).attrs.id)).toEqual([1, 2]);
    expect(t.datagrams).toBe(2); // the dump, then both deletes together
    failWith = 1;
    await expect(ct.delete({ proto: "udp", orig: { dport: 53 } })).rejects.toMatchObject({ code: "EPERM" });
    const before = t.sent.length;
    expect(await ct.delete({ proto: "tcp" })).toBe(0);
    expect(t.sent.length).toBe(before + 1); // only the dump
  });
  it("a whole tuple is one exact delete; with a mark, a prefix or both tuples it is a filter (listed first)", async () => {
    const { ct, t } = withKernel((req) => (req.type === CT_GET ? dumpOf(flowMsg({ id: 4, mark: 1 })) : [reply.ack(req)]));
    const tuple = { src: "10.0.0.2", dst: "198.51.100.1", sport: 40000, dport: 53 };
    expect(await ct.delete({ proto: "udp", orig: tuple })).toBe(1);
    expect(t.sent.map((r) => r.type)).toEqual([CT_DELETE]);
    for (const f of [{ proto: "udp", orig: tuple, mark: 1 }, { proto: "udp", orig: { ...tuple, src: "10.0.0.0/24" } },
      { proto: "udp", orig: tuple, reply: { dst: "198.51.100.1" } }]) {
      t.sent.length = 0;
      expect(await ct.delete(f as never), JSON.stringify(f)).toBeLessThanOrEqual(1);
      expect(t.sent[0]!.type, JSON.stringify(f)).toBe(CT_GET);
    }
  });
});

describe("flush and count", () => {
  it("flush sends a version-1 nfgenmsg with the family (0 for all); other keys are refused", async () => {
    const { ct, t } = withKernel((req) => [reply.ack(req)]);
    await ct.flush();
    await ct.flush({ family: 4 });
    await ct.flush({ family: 6 });
    expect(t.sent.map((r) => [r.type, r.payload[0], r.payload[1], r.bytes.length])).toEqual([[CT_DELETE, 0, 1, 20], [CT_DELETE, 2, 1, 20], [CT_DELETE, 10, 1, 20]]);
    await expect(ct.flush({ proto: "udp" } as never)).rejects.toBeInstanceOf(NlkitInputError);
    await expect(ct.flush({ family: 5 } as never)).rejects.toBeInstanceOf(NlkitInputError);
    expect(t.sent).toHaveLength(3);
  });

  it("count reads CTA_STATS_GLOBAL_ENTRIES of IPCTNL_MSG_CT_GET_STATS", async () => {
    const w = new NlWriter(64);
    encodeBody(w, statsMessage, { family: 0, version: 0, resId: 0 }, { entries: 42, maxEntries: 65536 });
    const { ct, t } = withKernel((req) => [reply.message(CT_GET_STATS, w.take(), NLM_F_MULTI), reply.ack(req)]);
    expect(await ct.count()).toBe(42);
    expect(t.sent[0]!.type).toBe(CT_GET_STATS);
  });
});

describe("events", () => {
  const event = (kind: "new" | "update" | "destroy", id: number, extra: FlowBits = {}) =>
    kind === "destroy" ? flowMsg({ id, ...extra }, CT_DELETE, 0) : flowMsg({ id, ...extra }, CT_NEW, kind === "new" ? NLM_F_CREATE | NLM_F_EXCL : 0);

  async function take(it: AsyncIterator<ConntrackEvent>, n: number): Promise<ConntrackEvent[]> {
    const out: ConntrackEvent[] = [];
    while (out.length < n) {
      const r = await it.next();
      if (r.done) break;
      out.push(r.value);
    }
    return out;
  }

  it("new (NLM_F_CREATE), update, destroy, with the port of the socket that caused it", async () => {
    const t = new ScriptedTransport([]);
    const ct = Conntrack.openSync({ transport: t });
    const all = ct.events();
    const destroyedByUs = event("destroy", 3);
    destroyedByUs.writeUInt32LE(4242, 12);
    t.inject(reply.datagram(event("new", 1), event("update", 1), event("new", 2, { dport: 80 })));
    t.inject(destroyedByUs);
    const got = await take(all, 4);
    expect(got.map((e) => e.kind === "overrun" ? e.kind : [e.kind, e.flow.id, e.portid])).toEqual([
      ["new", 1, undefined], ["update", 1, undefined], ["new", 2, undefined], ["destroy", 3, 4242],
    ]);
    ct.close();
  });

  it("kinds and the filter select events", async () => {
    const t = new ScriptedTransport([]);
    const ct = Conntrack.openSync({ transport: t });
    const some = ct.events({ kinds: ["new", "destroy"], filter: { proto: "udp", orig: { dport: 53 } } });
    t.inject(reply.datagram(event("new", 1), event("update", 1), event("new", 2, { dport: 80 }), event("destroy", 1)));
    const got = await take(some, 2);
    expect(got.map((e) => (e.kind === "overrun" ? e.kind : `${e.kind} ${e.flow.id}`))).toEqual(["new 1", "destroy 1"]);
    ct.close();
  });

  it("ENOBUFS is an { kind: \"overrun\" } item, after the events read before it", async () => {
    class Overrunning extends ScriptedTransport {
      once = true;
      override receive(buf: Buffer, limit: number): number {
        const n = super.receive(buf, limit);
        if (n < 0 && this.once) { this.once = false; throw new SyscallError("recvfrom", 105); }
        return n;
      }
    }
    const t = new Overrunning([]);
    const ct = Conntrack.openSync({ transport: t });
    const it = ct.events();
    t.inject(event("new", 5));
    expect((await take(it, 2)).map((e) => e.kind)).toEqual(["new", "overrun"]);
    ct.close();
  });

  it("close(), the signal and break each end a waiting iteration", async () => {
    const t = new ScriptedTransport([]);
    const ct = Conntrack.openSync({ transport: t });
    const waiting = ct.events().next();
    ct.close();
    await expect(waiting).resolves.toEqual({ value: undefined, done: true });

    const ct2 = Conntrack.openSync({ transport: new ScriptedTransport([]) });
    const stop = new AbortController();
    const it2 = ct2.events({ signal: stop.signal });
    const pending = it2.next();
    stop.abort();
    await expect(pending).resolves.toMatchObject({ done: true });
    const pre = new AbortController();
    pre.abort();
    await expect(ct2.events({ signal: pre.signal }).next()).resolves.toMatchObject({ done: true });

    const t3 = new ScriptedTransport([]);
    const ct3 = Conntrack.openSync({ transport: t3 });
    t3.inject(reply.datagram(event("new", 1), event("new", 2)));
    let seen = 0;
    for await (const e of ct3.events()) { seen++; if (e.kind === "new") break; }
    expect(seen).toBe(1);
    expect(() => ct3.events({ kinds: ["created" as never] })).toThrow(NlkitInputError);
    ct2.close();
    ct3.close();
  });
});

describe("the view", () => {
  it("64-bit counters are numbers while exact and decimal strings beyond 2^53; the result survives JSON", () => {
    const small = flowOf(flowMsg({ packets: 5n }), 0, flowMsg({ packets: 5n }).length)!;
    expect(small.counters!.orig).toEqual({ packets: 5, bytes: 500 });
    const bigMsg = flowMsg({ packets: 2n ** 57n });
    const big = flowOf(bigMsg, 0, bigMsg.length)! as Flow;
    expect(big.counters!.orig).toEqual({ packets: (2n ** 57n).toString(), bytes: (2n ** 57n * 100n).toString() });
    expect(JSON.parse(JSON.stringify(big))).toEqual(big);
  });

  it("mutated kernel replies decode or throw NetlinkParseError, never anything else", () => {
    const parts = loadGolden("conntrack/list").replies.flatMap((d) => splitNl(d)).filter((m) => m.readUInt16LE(4) === CT_NEW);
    fc.assert(fc.property(
      fc.integer({ min: 0, max: parts.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(),
      (i, flips, cut) => {
        const m = Buffer.from(parts[i]!);
        for (const [at, v] of flips) m[16 + (at % (m.length - 16))] = v;
        const len = 16 + (cut % (m.length - 15));
        m.writeUInt32LE(len, 0);
        try {
          flowOf(m.subarray(0, len), 0, len);
        } catch (e) {
          if (!(e instanceof NetlinkParseError)) throw e;
        }
      },
    ), { numRuns: 2000 });
  });
});
