import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { attrSet, decodeAttrs, describeAttrAt, encodeAttrs, enumDef, forEachAttr, type AttrKind } from "../../../src/netlink/attrs.js";
import { NetlinkParseError, NlkitInputError } from "../../../src/netlink/errors.js";
import { struct } from "../../../src/netlink/struct.js";
import { NlWriter } from "../../../src/netlink/writer.js";

const inner = attrSet("inner", "IN_", { port: [1, "u16", { be: true }], name: [2, "string"] });
const modes = enumDef("mode", { private: 1, vepa: 2, bridge: 4 });
const stats = struct("stats", [["rx", "u64n"], ["tx", "u64n"]]);
const outer = attrSet("outer", "OUT_", {
  mtu: [1, "u32"],
  ifname: [2, "string"],
  address: [3, "lladdr"],
  local: [4, "ip"],
  nested: [5, "nest", { set: inner }],
  learning: [6, "flag"],
  mode: [7, "u32", { enum: modes }],
  stats: [8, "struct", { struct: stats }],
  big: [9, "u64"],
  list: [10, "array", { elem: "u16" }],
  kind: [11, "string"],
  data: [12, "submsg", { selector: "kind", choices: { x: inner } }],
  many: [13, "u8", { multi: true }],
  signed: [14, "s32"],
});

function encode(values: Record<string, unknown>): Buffer {
  const w = new NlWriter(16);
  encodeAttrs(w, outer, values);
  return w.take();
}

describe("attribute tables", () => {
  it("encodes with 4-byte alignment and nla_len excluding padding", () => {
    const b = encode({ ifname: "eth0", mtu: 1500 });
    // "eth0\0" = 5 bytes -> nla_len 9, padded to 12
    expect(b.toString("hex")).toBe("0900020065746830000000000800010" + "0dc050000");
  });

  it("round-trips every kind, and big-endian integers are big-endian on the wire", () => {
    const values = {
      mtu: 1400, ifname: "veth0", address: "02:00:00:00:00:01", local: "fd00::1",
      nested: { port: 4789, name: "x" }, learning: true, mode: "bridge",
      stats: { rx: 1, tx: 2 ** 40 }, big: 2n ** 63n, list: [1, 2, 3], kind: "x", data: { port: 1 },
      many: [1, 2], signed: -5,
    };
    const b = encode(values);
    expect(b.includes(Buffer.from([0x12, 0xb5]))).toBe(true); // 4789 BE
    expect(decodeAttrs(b, 0, b.length, outer)).toEqual(values);
  });

  it("keeps unknown attributes raw and re-emits them byte for byte", () => {
    const w = new NlWriter();
    w.attrU32(1, 9000);
    w.attrBytes(99, Buffer.from([1, 2, 3]));
    const nest = w.beginNest(98, true);
    w.attrU8(1, 7);
    w.endNest(nest);
    const original = w.take();
    const decoded = decodeAttrs(original, 0, original.length, outer);
    expect(decoded.mtu).toBe(9000);
    expect(decoded.unknown).toHaveLength(2);
    expect(decoded.unknown![1]).toMatchObject({ type: 98, nested: true });
    expect(encode(decoded)).toEqual(original);
  });

  it("keeps a known attribute with a bad length raw instead of dropping the message", () => {
    const w = new NlWriter();
    w.attrU16(1, 5); // mtu must be u32
    w.attrString(2, "ok");
    const b = w.take();
    const d = decodeAttrs(b, 0, b.length, outer);
    expect(d.ifname).toBe("ok");
    expect(d.mtu).toBeUndefined();
    expect(d.unknown![0]!.reason).toMatch(/OUT_MTU/);
  });

  it("keeps a nest with broken inner framing raw and still decodes its siblings", () => {
    const w = new NlWriter();
    const n = w.beginNest(5);
    w.u16(40); // an inner nla_len running past the nest's end
    w.u16(2);
    w.endNest(n);
    w.attrString(2, "ok");
    const b = w.take();
    const d = decodeAttrs(b, 0, b.length, outer);
    expect(d.ifname).toBe("ok");
    expect(d.nested).toBeUndefined();
    expect(d.unknown![0]).toMatchObject({ type: 5, data: Buffer.from([40, 0, 2, 0]) });
    expect(d.unknown![0]!.reason).toMatch(/OUT_NESTED: .*bad attribute length 40/);
  });

  it("decodes a submsg whose selector comes after it", () => {
    const w = new NlWriter();
    const s = w.beginNest(12);
    w.attrU16be(1, 80);
    w.endNest(s);
    w.attrString(11, "x");
    const b = w.take();
    expect(decodeAttrs(b, 0, b.length, outer)).toEqual({ data: { port: 80 }, kind: "x" });
  });

  it("refuses bad input with a typed error naming the field", () => {
    expect(() => encode({ mtu: -1 })).toThrow(NlkitInputError);
    expect(() => encode({ mtu: 2 ** 32 })).toThrow(/out of range/);
    expect(() => encode({ mtuu: 1 })).toThrow(/unknown attribute "mtuu"/);
    expect(() => encode({ mode: "nope" })).toThrow(/invalid mode "nope"/);
    expect(() => encode({ local: "10.0.0.300" })).toThrow(/invalid IP/);
    try { encode({ address: "zz" }); } catch (e) { expect((e as NlkitInputError).field).toBe("address"); }
  });

  it("strings, u32 and u8 values: the direct path and the full one write and refuse alike", () => {
    const small = attrSet("small", "SM_", { n: [1, "u32"], b: [2, "u8"], s: [3, "string"], m: [4, "u32", { enum: modes }] });
    const hex = (v: Record<string, unknown>) => {
      const w = new NlWriter(8);
      encodeAttrs(w, small, v);
      return w.take().toString("hex");
    };
    expect(hex({ n: 0xffffffff, b: 255, s: "ab" })).toBe("08000100ffffffff" + "05000200ff000000" + "0700030061620000");
    expect(hex({ n: -0, b: true, m: "vepa" })).toBe("0800010000000000" + "0500020001000000" + "0800040002000000");
    expect(hex({ n: 5n, s: "é".repeat(2) })).toBe("0800010005000000" + "09000300c3a9c3a900000000");
    const long = "x".repeat(0x3001); // past the direct path's length limit
    expect(hex({ s: long }).length).toBe(2 * (4 + 0x3002 + 2));
    for (const [v, msg] of [
      [{ n: -1 }, /out of range/], [{ n: 1.5 }, /out of range/], [{ n: 2 ** 32 }, /out of range/], [{ n: "7" }, /expected a number/],
      [{ b: 256 }, /out of range/], [{ b: -1 }, /out of range/], [{ s: 5 }, /expected a string/], [{ s: "x".repeat(0x10000) }, /small\.s/],
    ] as const) {
      expect(() => hex(v)).toThrow(NlkitInputError);
      expect(() => hex(v)).toThrow(msg);
    }
  });

  it("names the attribute an extack offset points at", () => {
    const w = new NlWriter();
    w.attrU32(1, 1);
    const n = w.beginNest(5);
    w.attrString(2, "a");
    const portAt = w.pos;
    w.attrU16be(1, 2);
    w.endNest(n);
    const b = w.take();
    expect(describeAttrAt(b, 0, b.length, outer, portAt)).toBe("OUT_NESTED/IN_PORT");
    expect(describeAttrAt(b, 0, b.length, outer, 0)).toBe("OUT_MTU");
  });

  it("derives UAPI names from keys", () => {
    const s = attrSet("t", "IFLA_", { netNsFd: [28, "u32"], stats64: [23, "binary"], ifname: [3, "string"] });
    expect(s.defs().map((d) => d.uapi)).toEqual(["IFLA_NET_NS_FD", "IFLA_STATS64", "IFLA_IFNAME"]);
  });
});

describe("properties", () => {
  const kinds: Array<[AttrKind, fc.Arbitrary<unknown>]> = [
    ["u8", fc.integer({ min: 0, max: 255 })],
    ["u16", fc.integer({ min: 0, max: 0xffff })],
    ["u32", fc.integer({ min: 0, max: 0xffffffff })],
    ["s32", fc.integer({ min: -0x80000000, max: 0x7fffffff })],
    ["u64", fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })],
    ["string", fc.string({ unit: "grapheme-ascii" }).filter((s) => !s.includes("\0"))],
    ["binary", fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a))],
    ["flag", fc.constant(true)],
  ];

  it("write -> read round-trips every kind, big- and little-endian, nested at any depth", () => {
    for (const [kind, arb] of kinds) {
      for (const be of [false, true]) {
        const leaf = attrSet("leaf", "L_", { v: [1, kind, { be }] });
        const mid = attrSet("mid", "M_", { leaf: [1, "nest", { set: leaf }], vs: [2, kind, { be, multi: true }] });
        const top = attrSet("top", "T_", { mid: [3, "nest", { set: mid }], v: [4, kind, { be }] });
        fc.assert(fc.property(arb, fc.array(arb, { maxLength: 4 }), (v, vs) => {
          const values = vs.length ? { mid: { leaf: { v }, vs }, v } : { mid: { leaf: { v } }, v };
          const w = new NlWriter(8);
          encodeAttrs(w, top, values);
          const b = w.take();
          expect(b.length % 4).toBe(0);
          expect(decodeAttrs(b, 0, b.length, top)).toEqual(values);
        }), { numRuns: 50 });
      }
    }
  });

  it("the reader throws nothing but NetlinkParseError on arbitrary bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
      const b = Buffer.from(bytes);
      try {
        decodeAttrs(b, 0, b.length, outer);
        forEachAttr(b, 0, b.length, () => {});
      } catch (e) {
        expect(e).toBeInstanceOf(NetlinkParseError);
      }
    }), { numRuns: 2000 });
  });
});
