// Genl through nlkit's scripted transport: golden bytes of `genl ctrl list` and of ethtool's family
// lookup, the family cache, a family's own commands, and multicast monitors. No kernel, no root.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { attrSet } from "../../../src/netlink/attrs.js";
import { NLM_F_DUMP, NLM_F_MULTI } from "../../../src/netlink/constants.js";
import { NetlinkError, NetlinkParseError, NlkitInputError } from "../../../src/netlink/errors.js";
import { decodeMessage, encodeBody, type MessageDef } from "../../../src/netlink/message.js";
import { MonitorOverrun } from "../../../src/netlink/monitor.js";
import { reply, ScriptedTransport, type ScriptedRequest } from "../../../src/netlink/scripted.js";
import { NlWriter } from "../../../src/netlink/writer.js";
import { SyscallError } from "../../../src/syscalls/errors.js";
import { Genl, genlDecoder, type GenlFamilySpec } from "../../../src/genl/verbs.js";
import { CTRL_CMD, ctrlAttrs, GENL_ID_CTRL, genlmsghdr } from "../../../src/genl/table.js";
import { hexdiff, loadGolden, normalizeNl } from "../../helpers/golden.js";
import { asGenlPrints, parseGenlCtrlList } from "../../helpers/genl-text.js";
import { replay } from "./replay.js";

const ctrlDef: MessageDef = { name: "genlmsghdr", header: genlmsghdr, attrs: ctrlAttrs };

function genlMsg(type: number, cmd: number, attrs: Record<string, unknown>, set = ctrlAttrs, flags = 0): Buffer {
  const w = new NlWriter(512);
  encodeBody(w, { name: "x", header: genlmsghdr, attrs: set }, { cmd, version: 1 }, attrs);
  return reply.message(type, w.take(), flags);
}

const TESTFAM = { familyId: 0x22, familyName: "testfam", version: 3, hdrsize: 0, maxattr: 4, ops: [{ id: 1, flags: 0xe }, { id: 2, flags: 0x1a }], mcastGroups: [{ name: "events", id: 9 }] };
const newFamily = (f: Record<string, unknown> = TESTFAM, flags = 0) => genlMsg(GENL_ID_CTRL, CTRL_CMD.NEWFAMILY, f, ctrlAttrs, flags);

/** The family a GETFAMILY asks for. */
function askedFamily(r: ScriptedRequest): Record<string, unknown> {
  return decodeMessage(r.bytes, 0, r.bytes.length, ctrlDef).attrs;
}

/** A kernel with nlctrl and `testfam`; everything else is left to `other`. */
function kernel(other: (r: ScriptedRequest) => Buffer[] | undefined = () => undefined): ScriptedTransport {
  return new ScriptedTransport((r) => {
    if (r.type !== GENL_ID_CTRL) return other(r);
    if ((r.flags & NLM_F_DUMP) === NLM_F_DUMP) return [reply.datagram(newFamily(undefined, NLM_F_MULTI)), reply.done()];
    const a = askedFamily(r);
    if (a.familyName === "testfam" || a.familyId === 0x22) return [newFamily(), reply.ack(r)];
    return [reply.error(2, r)];
  });
}

describe("golden: genl ctrl list and ethtool's family lookup", () => {
  it("families() sends genl's dump request and reads what genl printed", async () => {
    const g = loadGolden("genl/ctrl-list");
    const t = replay([g]);
    const h = await Genl.open({ transport: t });
    const fams = await h.families();
    expect(t.sent).toHaveLength(1);
    expect(hexdiff(normalizeNl(g.requests[0]!), normalizeNl(t.sent[0]!.bytes))).toBe("");
    expect(fams.map(asGenlPrints)).toEqual(parseGenlCtrlList(g.output));
    expect(fams.find((f) => f.name === "ethtool")?.mcastGroups).toEqual([{ name: "monitor", id: 6 }]);
    expect(JSON.parse(JSON.stringify(fams))).toEqual(fams);
  });

  it("family(name) sends ethtool's CTRL_CMD_GETFAMILY and answers later calls from the cache", async () => {
    const t = replay([loadGolden("ethtool/channels")]);
    const h = await Genl.open({ transport: t });
    const f = await h.family("ethtool");
    expect(f).toMatchObject({ name: "ethtool", id: 0x15, version: 1, mcastGroups: [{ name: "monitor", id: 6 }] });
    expect(f.ops.length).toBeGreaterThan(30);
    expect(await h.family("ethtool")).toBe(f);
    expect(await h.family(0x15)).toBe(f);
    expect(t.sent).toHaveLength(1);
  });

  it("a missing family is the kernel's ENOENT (genl writes version 0 where nlkit, like ethtool, writes 1)", async () => {
    const g = loadGolden("genl/ctrl-get-missing");
    const t = new ScriptedTransport(() => g.replies);
    const h = await Genl.open({ transport: t });
    const e = await h.family("nosuch").catch((x) => x);
    expect(e).toBeInstanceOf(NetlinkError);
    expect(e).toMatchObject({ errno: 2, code: "ENOENT", request: { typeName: "CTRL_CMD_GETFAMILY" } });
    const theirs = normalizeNl(g.requests[0]!);
    const ours = normalizeNl(t.sent[0]!.bytes);
    expect(ours[17]).toBe(1);
    theirs[17] = 1;
    expect(hexdiff(theirs, ours)).toBe("");
  });
});

describe("Genl verbs", () => {
  it("families() refreshes the cache; family() by name or id", async () => {
    const t = kernel();
    const h = await Genl.open({ transport: t });
    expect(await h.families()).toEqual([{ name: "testfam", id: 0x22, version: 3, hdrsize: 0, maxAttr: 4, ops: [{ id: 1, flags: 0xe }, { id: 2, flags: 0x1a }], mcastGroups: [{ name: "events", id: 9 }] }]);
    expect(t.sent[0]!.flags & NLM_F_DUMP).toBe(NLM_F_DUMP);
    await h.family("testfam");
    expect(t.sent).toHaveLength(1);
    const h2 = await Genl.open({ transport: kernel() });
    expect((await h2.family(0x22)).name).toBe("testfam");
    expect(askedFamily((h2.socket.transport as ScriptedTransport).sent[0]!)).toEqual({ familyId: 0x22 });
  });

  it("bad family names and ids are refused before anything is sent", async () => {
    const t = kernel();
    const h = await Genl.open({ transport: t });
    for (const bad of ["", "a-name-far-too-long", 5, 1.5, null]) {
      await expect(h.family(bad as string)).rejects.toBeInstanceOf(NlkitInputError);
    }
    expect(t.sent).toHaveLength(0);
  });

  const fooAttrs = attrSet("foo", "FOO_A_", { name: [1, "string"], count: [2, "u32"], inner: [3, "nest", { set: attrSet("foo-inner", "FOO_I_", { x: [1, "u8"] }, { nestFlag: true }) }] }, { nestFlag: true });
  const FOO: GenlFamilySpec = { name: "testfam", version: 3, messages: new Map([[7, { name: "FOO_CMD_REPLY", attrs: fooAttrs }]]) };
  const GET = { cmd: 5, name: "FOO_CMD_GET", attrs: fooAttrs };

  it("request() sends a family's command by family name: id as nlmsg_type, cmd and version in genlmsghdr, nests flagged", async () => {
    const t = kernel((r) => (r.type === 0x22 ? [genlMsg(0x22, 7, { name: "ok", count: 4 }, fooAttrs), reply.ack(r)] : undefined));
    const h = await Genl.open({ transport: t });
    const rows = await h.request(FOO, GET, { name: "q", inner: { x: 1 } });
    expect(rows).toEqual([{ family: "testfam", cmd: 7, name: "FOO_CMD_REPLY", version: 1, attrs: { name: "ok", count: 4 } }]);
    const sent = t.sent[1]!;
    expect(sent.type).toBe(0x22);
    expect([...sent.payload.subarray(0, 4)]).toEqual([5, 3, 0, 0]);
    // FOO_A_INNER is written with NLA_F_NESTED, as genl families expect
    const inner = sent.payload.indexOf(Buffer.from([0x05, 0x00, 0x01, 0x00, 0x01]));
    expect(sent.payload.readUInt16LE(inner - 2) & 0x8000).toBe(0x8000);
  });

  it("dump() asks with NLM_F_DUMP and gathers every part", async () => {
    const t = kernel((r) => (r.type === 0x22
      ? [reply.datagram(genlMsg(0x22, 7, { count: 1 }, fooAttrs, NLM_F_MULTI), genlMsg(0x22, 7, { count: 2 }, fooAttrs, NLM_F_MULTI)), reply.done()]
      : undefined));
    const h = await Genl.open({ transport: t });
    const rows = await h.dump(FOO, GET, {});
    expect(rows.map((r) => r.attrs.count)).toEqual([1, 2]);
    expect(t.sent[1]!.flags & NLM_F_DUMP).toBe(NLM_F_DUMP);
  });

  it("a refusal names the family's command and attribute", async () => {
    const t = kernel((r) => (r.type === 0x22 ? [reply.error(22, r, { message: "bad count", offset: 20 })] : undefined));
    const h = await Genl.open({ transport: t });
    const e = await h.request(FOO, GET, { count: 9 }).catch((x) => x);
    expect(e).toBeInstanceOf(NetlinkError);
    expect(e.request.typeName).toBe("FOO_CMD_GET");
    expect(e.extack).toMatchObject({ message: "bad count", attribute: "FOO_A_COUNT" });
  });

  it("a call of a family the kernel lacks rejects with ENOENT", async () => {
    const h = await Genl.open({ transport: kernel() });
    await expect(h.request({ ...FOO, name: "nosuchfam" }, GET, {})).rejects.toMatchObject({ code: "ENOENT" });
  });
});

describe("Genl monitor", () => {
  const fooAttrs = attrSet("foo", "FOO_A_", { count: [2, "u32"] }, { nestFlag: true });
  const FOO: GenlFamilySpec = { name: "testfam", version: 3, messages: new Map([[8, { name: "FOO_NTF", attrs: fooAttrs }]]) };

  it("joins the group by name and yields decoded notifications; close() ends the iteration", async () => {
    const t = kernel();
    const h = await Genl.open({ transport: t });
    const mon = h.monitor(FOO, "events");
    await mon.ready;
    t.inject(genlMsg(0x22, 8, { count: 3 }, fooAttrs));
    // a message of another family on the same socket is not one of this group's
    t.inject(genlMsg(0x23, 8, { count: 4 }, fooAttrs));
    t.inject(genlMsg(0x22, 8, { count: 5 }, fooAttrs));
    const seen: unknown[] = [];
    for await (const ev of mon) {
      seen.push(ev);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual([
      { family: "testfam", cmd: 8, name: "FOO_NTF", version: 1, attrs: { count: 3 } },
      { family: "testfam", cmd: 8, name: "FOO_NTF", version: 1, attrs: { count: 5 } },
    ]);
    expect(await mon.next()).toBeUndefined();
  });

  it("waits for a notification that has not arrived yet, and close() wakes a waiting next()", async () => {
    const t = kernel();
    const h = await Genl.open({ transport: t });
    const mon = h.monitor(FOO, "events");
    await mon.ready;
    const pending = mon.next();
    setImmediate(() => t.inject(genlMsg(0x22, 8, { count: 1 }, fooAttrs)));
    expect(await pending).toMatchObject({ attrs: { count: 1 } });
    const waiting = mon.next();
    mon.close();
    expect(await waiting).toBeUndefined();
  });

  it("an abort signal rejects next() with its reason; the monitor stays usable", async () => {
    const t = kernel();
    const h = await Genl.open({ transport: t });
    const mon = h.monitor(FOO, "events");
    await mon.ready;
    const ac = new AbortController();
    const p = mon.next({ signal: ac.signal });
    ac.abort(new Error("stop"));
    await expect(p).rejects.toThrow("stop");
    t.inject(genlMsg(0x22, 8, { count: 2 }, fooAttrs));
    expect(await mon.next()).toMatchObject({ attrs: { count: 2 } });
    mon.close();
  });

  it("an unknown group or family is refused by ready and by the iterator", async () => {
    const h = await Genl.open({ transport: kernel() });
    const mon = h.monitor(FOO, "nosuch");
    await expect(mon.ready).rejects.toThrow(/no multicast group "nosuch" \(it has: events\)/);
    await expect(mon.next()).rejects.toBeInstanceOf(NlkitInputError);
    await expect(h.monitor("nosuchfam", "x").ready).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("a family nobody registered keeps its attributes raw; an overrun is reported as MonitorOverrun", async () => {
    const t = kernel();
    const h = await Genl.open({ transport: t });
    const mon = h.monitor("testfam", "events");
    await mon.ready;
    t.inject(genlMsg(0x22, 8, { count: 3 }, fooAttrs));
    const ev = await mon.next();
    expect(ev).toMatchObject({ family: "testfam", cmd: 8, attrs: { unknown: [{ type: 2 }] } });
    const receive = t.receive.bind(t);
    let once = true;
    t.receive = (buf, limit) => {
      if (once) {
        once = false;
        throw new SyscallError("recvfrom", 105);
      }
      return receive(buf, limit);
    };
    setImmediate(() => t.inject(genlMsg(0x22, 8, { count: 4 }, fooAttrs)));
    expect(await mon.next()).toBeInstanceOf(MonitorOverrun);
    mon.close();
  });
});

describe("decoders are total", () => {
  it("any bytes in a family message give a message or NetlinkParseError", () => {
    const spec: GenlFamilySpec = { name: "nlctrl", version: 1, messages: new Map([[1, { name: "NEW", attrs: ctrlAttrs }]]) };
    const decode = genlDecoder(spec, GENL_ID_CTRL);
    const base = loadGolden("genl/ctrl-list").replies[0]!.subarray(0, 136);
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), fc.nat(135), (noise, at) => {
      const b = Buffer.from(base);
      Buffer.from(noise).copy(b, Math.max(16, at));
      try {
        decode(b, 0, b.length);
      } catch (e) {
        if (!(e instanceof NetlinkParseError)) throw e;
      }
    }), { numRuns: 500 });
  });
});
