// The socket engine against nlkit's own scripted transport: no kernel, no root.
import { describe, expect, it } from "vitest";
import { attrSet } from "../../../src/netlink/attrs.js";
import { NLM_F_DUMP_INTR, NLM_F_MULTI } from "../../../src/netlink/constants.js";
import { DumpInterruptedError, NetlinkError, NlkitTimeoutError } from "../../../src/netlink/errors.js";
import type { MessageDef } from "../../../src/netlink/message.js";
import { reply, ScriptedTransport, ScriptMismatchError, type ScriptedRequest } from "../../../src/netlink/scripted.js";
import { NetlinkSocket, tableRequest, type Request } from "../../../src/netlink/socket.js";
import { struct } from "../../../src/netlink/struct.js";

const hdr = struct("testhdr", [["id", "u32"]]);
const attrs = attrSet("test", "TEST_", { name: [1, "string"], value: [2, "u32"], inner: [3, "nest", { set: () => inner }] });
const inner = attrSet("inner", "TEST_INNER_", { port: [1, "u16", { be: true }] });
const def: MessageDef = { name: "testhdr", header: hdr, attrs, typeNames: new Map([[40, "TEST_NEW"], [42, "TEST_GET"]]) };

/** A reply message of type 40 carrying `id` in its header. */
function row(id: number, flags = NLM_F_MULTI): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32LE(id);
  return reply.message(40, p, flags);
}
const readId = (buf: Buffer, start: number) => buf.readUInt32LE(start + 16);
const get: Request = { type: 42, def, encode: (w) => w.u32(7) };

function sockWith(handler: (req: ScriptedRequest) => Buffer[] | undefined): { sock: NetlinkSocket; t: ScriptedTransport } {
  const t = new ScriptedTransport(handler);
  return { sock: new NetlinkSocket(t, { timeoutMs: 2000 }), t };
}

/** A datagram addressed to `seq` (what the kernel would send as the answer of that request). */
function forSeq(d: Buffer, seq: number): Buffer {
  const out = Buffer.from(d);
  for (let off = 0; off + 16 <= out.length; off += (out.readUInt32LE(off) + 3) & ~3) out.writeUInt32LE(seq, off + 8);
  return out;
}

describe("requests and acks", () => {
  it("a change resolves with no replies on the kernel's ack", async () => {
    const { sock, t } = sockWith(() => undefined);
    await expect(sock.request(tableRequest(def, 40, 0, { id: 1 }, { name: "x" }))).resolves.toEqual([]);
    expect(t.sent).toHaveLength(1);
    expect(t.sent[0]!.flags & 0x5).toBe(0x5); // REQUEST|ACK
  });

  it("a refusal is a NetlinkError with the kernel's words and the attribute its offset points at", async () => {
    const { sock } = sockWith((req) => [reply.error(22, req, { message: "bad port", offset: 16 + 4 + 8 + 4 })]);
    const err = await sock.request(tableRequest(def, 40, 0, { id: 1 }, { name: "abc", inner: { port: 80 } })).catch((e: unknown) => e) as NetlinkError;
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe("EINVAL");
    expect(err.extack.message).toBe("bad port");
    expect(err.extack.attribute).toBe("TEST_INNER/TEST_INNER_PORT");
    expect(err.request?.typeName).toBe("TEST_NEW");
  });

  it("a single-reply GET asks for no ack and resolves with its one message", async () => {
    const { sock, t } = sockWith(() => [row(9, 0)]);
    await expect(sock.request({ ...get, reply: true }, readId)).resolves.toEqual([9]);
    expect(t.sent[0]!.flags & 0x4).toBe(0);
  });

  it("a script compares requests with seq and pid ignored, and says where they differ", async () => {
    const t = new ScriptedTransport([{ request: "1400000028000500" + "0000000000000000" + "07000000" }]);
    const sock = new NetlinkSocket(t);
    await sock.request({ type: 40, encode: (w) => w.u32(7) });
    t.assertDone();
    await expect(sock.request({ type: 40, encode: (w) => w.u32(8) })).rejects.toBeInstanceOf(ScriptMismatchError);
  });
});

describe("dumps", () => {
  it("collects every part until NLMSG_DONE, across datagrams", async () => {
    const { sock } = sockWith(() => [reply.datagram(row(1), row(2)), row(3), reply.done()]);
    await expect(sock.dump(get, readId)).resolves.toEqual([1, 2, 3]);
  });

  it("NLM_F_DUMP_INTR: retried when asked, else a typed error that still holds the data", async () => {
    let calls = 0;
    const { sock } = sockWith(() => (calls++ === 0 ? [row(1, NLM_F_MULTI | NLM_F_DUMP_INTR), reply.done()] : [row(2), reply.done()]));
    await expect(sock.dump(get, readId, { retries: 1 })).resolves.toEqual([2]);
    calls = 0;
    const err = await sock.dump(get, readId).catch((e: unknown) => e) as DumpInterruptedError<number>;
    expect(err).toBeInstanceOf(DumpInterruptedError);
    expect(err.messages).toEqual([1]);
  });

  it("a part larger than the receive buffer is lost, the buffer grows, and the dump is asked again", async () => {
    const big = Buffer.alloc(100 * 1024);
    let calls = 0;
    const { sock } = sockWith(() => {
      calls++;
      return [reply.message(40, big, NLM_F_MULTI), reply.done()];
    });
    const rows = await sock.dump(get, (_b, _s, len) => len);
    expect(rows).toEqual([16 + big.length]);
    expect(calls).toBe(2);
    expect(sock.receiveBuffer.length).toBeGreaterThan(big.length);
  });

  it("iterates part by part", async () => {
    const { sock } = sockWith(() => [reply.datagram(row(1), row(2)), row(3), reply.done()]);
    const seen: number[] = [];
    for await (const id of sock.dumpIter(get, readId)) seen.push(id);
    expect(seen).toEqual([1, 2, 3]);
  });

  it("dumps started together run one after the other (the kernel allows one per socket)", async () => {
    let n = 0;
    const { sock } = sockWith(() => [row(++n), reply.done()]);
    const [a, b] = await Promise.all([sock.dump(get, readId), sock.dump(get, readId)]);
    expect([a, b]).toEqual([[1], [2]]);
  });
});

describe("waiting: never blocking, abortable, bounded", () => {
  it("an answer that comes later is awaited, and concurrent calls get their own answers by seq", async () => {
    const { sock, t } = sockWith(() => []);
    const first = sock.request({ ...get, reply: true }, readId);
    const second = sock.request({ ...get, reply: true }, readId);
    const [s1, s2] = t.sent.map((r) => r.seq);
    // answered in reverse order
    t.inject(forSeq(row(2, 0), s2!));
    t.inject(forSeq(row(1, 0), s1!));
    await expect(Promise.all([first, second])).resolves.toEqual([[1], [2]]);
  });

  it("an abort rejects with the signal's reason and leaves the socket usable; the late answer is dropped", async () => {
    const { sock, t } = sockWith((req) => (req.type === 42 ? [] : undefined));
    const ac = new AbortController();
    const waiting = sock.request({ ...get, reply: true }, readId, { signal: ac.signal });
    const abandoned = t.sent[0]!.seq;
    ac.abort();
    await expect(waiting).rejects.toMatchObject({ name: "AbortError" });
    t.inject(forSeq(row(99, 0), abandoned));
    await expect(sock.request({ type: 40 })).resolves.toEqual([]);
  });

  it("an already aborted signal rejects at once", async () => {
    const { sock } = sockWith(() => []);
    await expect(sock.request(get, undefined, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: "AbortError" });
  });

  it("timeoutMs bounds the wait with a typed error", async () => {
    const { sock } = sockWith(() => []);
    const err = await sock.request(get, undefined, { timeoutMs: 20 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NlkitTimeoutError);
    expect((err as NlkitTimeoutError).code).toBe("ETIMEDOUT");
  });

  it("closing the socket ends the calls waiting on it", async () => {
    const { sock } = sockWith(() => []);
    const waiting = sock.request(get);
    sock.close();
    await expect(waiting).rejects.toThrow(/closed/);
  });
});

describe("batches", () => {
  it("one datagram, an ack asked of the last request only, each refusal on its own request", async () => {
    const { sock, t } = sockWith((req) => (req.payload.readUInt32LE(0) === 2 ? [reply.error(17, req)] : undefined));
    const b = sock.batch();
    const ps = [1, 2, 3].map((id) => b.add({ type: 40, def, encode: (w) => w.u32(id) }));
    const outcome = await b.send();
    expect(t.datagrams).toBe(1);
    expect(t.sent.map((r) => r.flags & 0x4)).toEqual([0, 0, 4]);
    expect(outcome.ok).toBe(2);
    expect(outcome.errors.map((e) => [e.code, e.request?.index])).toEqual([["EEXIST", 1]]);
    await expect(ps[1]).rejects.toBeInstanceOf(NetlinkError);
    await expect(ps[2]).resolves.toEqual([]);
  });

  it("requests still being built keep their position; a build that fails is refused there", async () => {
    const { sock, t } = sockWith(() => undefined);
    const b = sock.batch();
    b.add({ type: 40, encode: (w) => w.u32(1) });
    const later = b.add(Promise.resolve({ type: 40, encode: (w) => w.u32(2) }));
    const broken = b.add(Promise.reject(new Error("no such device")));
    b.add({ type: 40, encode: (w) => w.u32(4) });
    const outcome = await b.send();
    expect(t.sent.map((r) => r.payload.readUInt32LE(0))).toEqual([1, 2, 4]);
    expect(outcome.refused.map((r) => r.index)).toEqual([2]);
    await expect(later).resolves.toEqual([]);
    await expect(broken).rejects.toThrow("no such device");
  });

  it("chunks by size: one sendto per chunk, every chunk acked", async () => {
    const { sock, t } = sockWith(() => undefined);
    const b = sock.batch({ chunkBytes: 100 });
    for (let i = 0; i < 10; i++) b.add({ type: 40, encode: (w) => w.bytes(Buffer.alloc(24)) });
    const outcome = await b.send();
    expect(outcome.ok).toBe(10);
    expect(outcome.sends).toBe(t.datagrams);
    expect(t.datagrams).toBeGreaterThan(3);
  });
});

describe("transact: messages framed by the caller, answers by seq", () => {
  it("collects the ack of every seq, and the refusal of the one that failed", async () => {
    const { sock } = sockWith((req) => (req.type === 41 ? [reply.error(2, req)] : undefined));
    const first = sock.reserveSeqs(2);
    const dgram = Buffer.concat([40, 41].map((type, i) => {
      const b = Buffer.alloc(16);
      b.writeUInt32LE(16, 0); b.writeUInt16LE(type, 4); b.writeUInt16LE(0x5, 6); b.writeUInt32LE(first + i, 8);
      return b;
    }));
    const answers = await sock.transact(dgram, [first, first + 1]);
    expect(answers.get(first)?.errno).toBe(0);
    expect(answers.get(first + 1)?.errno).toBe(2);
  });
});
