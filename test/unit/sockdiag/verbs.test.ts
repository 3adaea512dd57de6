// Every SockDiag verb through the scripted transport: what it sends, what it makes of the answers,
// and the input it refuses before sending anything. No kernel, no root.
import { describe, expect, it } from "vitest";
import { NLM_F_ACK, NLM_F_DUMP, NLM_F_MULTI } from "../../../src/netlink/constants.js";
import { NetlinkError, NetlinkParseError, NlkitInputError } from "../../../src/netlink/errors.js";
import { decodeMessage, encodeBody, type MessageDef } from "../../../src/netlink/message.js";
import { reply, ScriptedTransport, type ScriptedRequest } from "../../../src/netlink/scripted.js";
import type { StructValue } from "../../../src/netlink/struct.js";
import { NlWriter } from "../../../src/netlink/writer.js";
import { inetDiagMsgDef, inetDiagReqDef, unixDiagMsgDef, unixDiagReqDef } from "../../../src/sockdiag/table.js";
import { SockDiag } from "../../../src/sockdiag/verbs.js";

function msg(def: MessageDef, header: StructValue, attrs: Record<string, unknown> = {}): Buffer {
  const w = new NlWriter(256);
  encodeBody(w, def, header, attrs);
  return reply.message(20, w.take(), NLM_F_MULTI);
}

const addr = (...bytes: number[]) => Buffer.concat([Buffer.from(bytes), Buffer.alloc(16 - bytes.length)]);

/** One inet socket as the kernel describes it. */
function inet(family: 2 | 10, state: number, sport: number, dport: number, extra: StructValue = {}, attrs: Record<string, unknown> = {}): Buffer {
  const src = family === 2 ? addr(10, 0, 0, 1) : addr(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
  const dst = family === 2 ? addr(10, 0, 0, 2) : addr(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2);
  return msg(inetDiagMsgDef, { family, state, sport, dport, src, dst, rqueue: 5, wqueue: 7, uid: 1000, inode: 4242, cookie0: 0x1234, cookie1: 0, ...extra }, { shutdown: 0, ...attrs });
}

const dumpOf = (...m: Buffer[]) => [reply.datagram(...m), reply.done()];

function scripted(answer: (req: ScriptedRequest, n: number) => Buffer[] | undefined) {
  let n = 0;
  const t = new ScriptedTransport((req) => answer(req, n++));
  return { t, open: () => SockDiag.open({ transport: t, timeoutMs: 1000 }) };
}

const asked = (r: ScriptedRequest, def: MessageDef) => decodeMessage(r.bytes, 0, r.bytes.length, def);

describe("tcp and udp", () => {
  it("dump IPv4 then IPv6, all states by default, and decode each socket", async () => {
    const { t, open } = scripted((_r, n) => (n === 0 ? dumpOf(inet(2, 10, 22, 0)) : dumpOf(inet(10, 1, 8080, 40000))));
    const sd = await open();
    const socks = await sd.tcp();
    expect(t.sent.map((r) => [r.type, r.flags & NLM_F_DUMP, asked(r, inetDiagReqDef).header])).toEqual([
      [20, NLM_F_DUMP, expect.objectContaining({ family: 2, protocol: 6, ext: 0, states: 0xfff })],
      [20, NLM_F_DUMP, expect.objectContaining({ family: 10, protocol: 6, ext: 0, states: 0xfff })],
    ]);
    expect(socks).toEqual([
      {
        family: 4, proto: "tcp", state: "LISTEN", local: { address: "10.0.0.1", port: 22 }, remote: { address: "10.0.0.2", port: 0 },
        recvQ: 5, sendQ: 7, inode: 4242, uid: 1000, cookie: "1234", shutdown: { read: false, write: false },
      },
      expect.objectContaining({ family: 6, state: "ESTAB", local: { address: "2001:db8::1", port: 8080 }, remote: { address: "2001:db8::2", port: 40000 } }),
    ]);
  });

  it("one family, states by ss's words, a port filter and extensions in the request", async () => {
    const { t, open } = scripted(() => undefined);
    const sd = await open();
    await sd.udp({ family: 6, states: ["UNCONN", "established"], dport: 53, info: true, mem: true, tos: true });
    expect(t.sent).toHaveLength(1);
    const r = asked(t.sent[0]!, inetDiagReqDef);
    expect(r.header).toMatchObject({ family: 10, protocol: 17, states: (1 << 7) | (1 << 1), ext: 0x7f });
    expect(Buffer.isBuffer(r.attrs.bytecode)).toBe(true);
  });

  it("timers, v6only, mark, cgroup, shutdown and the socket cookie's high half", async () => {
    const { open } = scripted(() => dumpOf(inet(10, 1, 1, 2, { timer: 4, expires: 1500, retrans: 2, cookie0: 1, cookie1: 2, if: 3 }, { shutdown: 3, skv6only: 1, mark: 9, cgroupId: 77n })));
    const [s] = await (await open()).tcp({ family: 6 });
    expect(s).toMatchObject({
      timer: { name: "persist", expiresMs: 1500, retrans: 2 }, cookie: "200000001", iface: 3,
      shutdown: { read: true, write: true }, v6only: true, mark: 9, cgroupId: 77,
    });
  });

  it("iterate() yields socket by socket, family after family", async () => {
    const { open } = scripted((_r, n) => (n === 0 ? dumpOf(inet(2, 1, 1, 2), inet(2, 1, 3, 4)) : dumpOf(inet(10, 1, 5, 6))));
    const ports: number[] = [];
    for await (const s of (await open()).iterate("udp")) ports.push(s.local.port);
    expect(ports).toEqual([1, 3, 5]);
  });

  it("refuses unknown states, empty state lists, unknown fields and bad values, sending nothing", async () => {
    const { t, open } = scripted(() => undefined);
    const sd = await open();
    const bad: Array<Parameters<SockDiag["tcp"]>[0]> = [
      { states: ["listning"] }, { states: [] }, { family: 5 as 4 }, { info: "yes" as unknown as boolean },
      { sport: 65536 }, { src: "10.1" }, { port: 22 } as unknown as { sport: number },
    ];
    for (const f of bad) await expect(sd.tcp(f), JSON.stringify(f)).rejects.toBeInstanceOf(NlkitInputError);
    await expect(sd.unix({ states: ["nope"] })).rejects.toThrow(/unknown socket state "nope"/);
    await expect(sd.iterate("sctp" as "tcp").next()).rejects.toBeInstanceOf(NlkitInputError);
    expect(t.sent).toHaveLength(0);
  });

  it("a reply shorter than inet_diag_msg is a parse error, not a crash", async () => {
    const { open } = scripted(() => [reply.datagram(reply.message(20, Buffer.alloc(20), NLM_F_MULTI)), reply.done()]);
    await expect((await open()).tcp({ family: 4 })).rejects.toBeInstanceOf(NetlinkParseError);
  });

  it("an aborted call rejects with the signal's reason", async () => {
    const { open } = scripted(() => []);
    const sd = await open();
    const ac = new AbortController();
    const p = sd.tcp({ family: 4 }, { signal: ac.signal });
    ac.abort(new Error("stop"));
    await expect(p).rejects.toThrow("stop");
  });
});

describe("unix", () => {
  it("asks for names, peers and queues (and VFS, pending connections, memory, uid on request)", async () => {
    const name = Buffer.from("/run/x.sock\0");
    const abstract = Buffer.from("\0abs\0");
    const { t, open } = scripted(() => dumpOf(
      msg(unixDiagMsgDef, { family: 1, type: 1, state: 10, ino: 11, cookie0: 0xff }, { name, rqlen: { rqueue: 0, wqueue: 128 }, vfs: { ino: 5, dev: 0xfe00000 }, icons: [12, 13] }),
      msg(unixDiagMsgDef, { family: 1, type: 5, state: 1, ino: 12 }, { name: abstract, peer: 99, rqlen: { rqueue: 3, wqueue: 0 }, shutdown: 1 }),
      msg(unixDiagMsgDef, { family: 1, type: 2, state: 7, ino: 14 }, {}),
    ));
    const sd = await open();
    const socks = await sd.unix({ states: ["listening", "established", "unconnected"], details: true, mem: true, uid: true });
    expect(asked(t.sent[0]!, unixDiagReqDef).header).toMatchObject({ family: 1, states: (1 << 10) | (1 << 1) | (1 << 7), show: 0x7f });
    expect(socks).toEqual([
      { family: "unix", type: "stream", state: "LISTEN", name: "/run/x.sock", inode: 11, peer: 0, recvQ: 0, sendQ: 128, cookie: "ff", vfs: { ino: 5, dev: 0xfe00000 }, icons: [12, 13] },
      { family: "unix", type: "seqpacket", state: "ESTAB", name: "@abs@", inode: 12, peer: 99, recvQ: 3, sendQ: 0, cookie: "0", shutdown: { read: true, write: false } },
      { family: "unix", type: "dgram", state: "UNCONN", inode: 14, peer: 0, recvQ: 0, sendQ: 0, cookie: "0" },
    ]);
    await sd.unix();
    expect(asked(t.sent[1]!, unixDiagReqDef).header).toMatchObject({ states: 0xfff, show: 0x15 });
  });
});

describe("destroy", () => {
  it("sends SOCK_DESTROY with the dumped socket's id and asks for an ack", async () => {
    const { t, open } = scripted((_r, n) => (n === 0 ? dumpOf(inet(2, 1, 40000, 22, { if: 2 })) : undefined));
    const sd = await open();
    const [victim] = await sd.tcp({ family: 4 });
    await sd.destroy(victim!);
    const r = t.sent[1]!;
    expect([r.type, r.flags & NLM_F_ACK, r.flags & NLM_F_DUMP]).toEqual([21, NLM_F_ACK, 0]);
    expect(asked(r, inetDiagReqDef).header).toMatchObject({
      family: 2, protocol: 6, states: 0, sport: 40000, dport: 22, src: addr(10, 0, 0, 1), dst: addr(10, 0, 0, 2), if: 2, cookie0: 0x1234, cookie1: 0,
    });
  });

  it("by addresses alone (no cookie: any socket with that id), v6 and udp", async () => {
    const { t, open } = scripted(() => undefined);
    await (await open()).destroy({ proto: "udp", local: { address: "2001:db8::1", port: 53 }, remote: { address: "::", port: 0 } });
    expect(asked(t.sent[0]!, inetDiagReqDef).header).toMatchObject({ family: 10, protocol: 17, sport: 53, cookie0: 0xffffffff, cookie1: 0xffffffff });
  });

  it("the kernel's refusal is a NetlinkError naming SOCK_DESTROY; bad specs are refused before sending", async () => {
    const { t, open } = scripted((req) => [reply.error(2, req)]);
    const sd = await open();
    const spec = { proto: "tcp" as const, local: { address: "10.0.0.1", port: 1 }, remote: { address: "10.0.0.2", port: 2 } };
    const err = await sd.destroy(spec).catch((e: unknown) => e) as NetlinkError;
    expect(err).toBeInstanceOf(NetlinkError);
    expect([err.code, err.request?.typeName]).toEqual(["ENOENT", "SOCK_DESTROY"]);
    const sent = t.sent.length;
    for (const bad of [{ ...spec, proto: "sctp" }, { ...spec, local: { address: "x", port: 1 } }, { ...spec, remote: { address: "10.0.0.2", port: 70000 } }, { ...spec, cookie: "zz" }, { ...spec, family: 6 }, { ...spec, remote: { address: "2001:db8::2", port: 2 } }, null]) {
      await expect(sd.destroy(bad as typeof spec)).rejects.toBeInstanceOf(NlkitInputError);
    }
    expect(t.sent).toHaveLength(sent);
  });

  it("close() closes the socket", async () => {
    const { t, open } = scripted(() => undefined);
    (await open()).close();
    expect(t.closed).toBe(true);
  });
});
