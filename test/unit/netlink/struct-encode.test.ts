import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { NlkitInputError } from "../../../src/netlink/errors.js";
import { encodeStruct, encodeStructByField, struct, type StructDef, type StructValue } from "../../../src/netlink/struct.js";
import { NlWriter } from "../../../src/netlink/writer.js";
import { fibRuleHdr, ifaddrmsg, ifinfomsg, ndmsg, rtgenmsg, rtmsg } from "../../../src/rtnl/headers.js";
import { nfgenmsg } from "../../../src/nft/types.js";

// every field kind, with padding between fields and a struct larger than the unrolled zeroing
const allKinds = struct("all_kinds", [
  ["a", "u8"], ["b", "s8"], ["_p", "pad", 2], ["c", "u16"], ["d", "s16"], ["e", "u16be"], ["_q", "pad", 2],
  ["f", "u32"], ["g", "s32"], ["h", "u32be"], ["i", "u64"], ["j", "u64n"], ["k", "s64"], ["mac", "bytes", 6],
]);
const small = struct("small", [["x", "u8"], ["_p", "pad", 1], ["port", "u16be"], ["addr", "bytes", 4]]);

/** The bytes (or the error) each encoder gives, written after a prefix so offsets are not 0. */
function run(enc: typeof encodeStruct, def: StructDef, value: StructValue | undefined): { bytes?: string; error?: string; field?: string } {
  const w = new NlWriter(8);
  w.u8(0xee);
  try {
    enc(w, def, value);
    return { bytes: w.view().toString("hex") };
  } catch (e) {
    expect(e).toBeInstanceOf(NlkitInputError);
    return { error: (e as Error).message, field: (e as NlkitInputError).field };
  }
}

const same = (def: StructDef, value: StructValue | undefined) => expect(run(encodeStruct, def, value)).toEqual(run(encodeStructByField, def, value));

describe("compiled struct encoder", () => {
  it("writes every kind like the field-by-field encoder", () => {
    const v: StructValue = {
      a: 200, b: -5, c: 0xbeef, d: -2, e: 0x1234, f: 0xdeadbeef, g: -7, h: 0x01020304,
      i: 0x1122334455667788n, j: 2 ** 40 + 3, k: -9n, mac: Buffer.from("020000000001", "hex"),
    };
    same(allKinds, v);
    const r = run(encodeStruct, allKinds, v);
    // spot checks against hand-written byte positions (prefix byte first)
    expect(r.bytes!.slice(2, 4)).toBe("c8");
    expect(r.bytes!.slice(2 + 2 * 8, 2 + 2 * 10)).toBe("1234");
    expect(r.bytes!.slice(2 + 2 * 20, 2 + 2 * 24)).toBe("01020304");
  });

  it("zeroes absent fields and padding, also over stale writer bytes", () => {
    for (const def of [allKinds, small, rtmsg, ifinfomsg]) {
      const w = new NlWriter(4);
      w.zeros(64);
      w.buf.fill(0xff);
      w.reset();
      encodeStruct(w, def, {});
      expect(w.view().equals(Buffer.alloc(def.size))).toBe(true);
      same(def, {});
      same(def, undefined);
    }
  });

  it("keeps a tail after the struct", () => {
    same(small, { x: 1, tail: Buffer.from([9, 8, 7]) });
    expect(run(encodeStruct, small, { x: 1, tail: Buffer.from([9, 8, 7]) }).bytes).toBe("ee0100000000000000090807");
  });

  it("refuses bad values with the same error, naming the field", () => {
    for (const [def, v] of [
      [allKinds, { a: 256 }], [allKinds, { a: -1 }], [allKinds, { b: 128 }], [allKinds, { c: 0x10000 }],
      [allKinds, { e: -1 }], [allKinds, { f: 2 ** 32 }], [allKinds, { g: 2 ** 31 }], [allKinds, { i: -1 }],
      [allKinds, { k: 2n ** 63n }], [allKinds, { mac: Buffer.alloc(7) }], [allKinds, { mac: "02:00" as never }],
      [allKinds, { a: Symbol("x") as never }], [small, { port: 70000 }],
    ] as Array<[StructDef, StructValue]>) {
      const r = run(encodeStruct, def, v);
      expect(r.error).toBeDefined();
      expect(r.field).toBe(Object.keys(v)[0]);
      same(def, v);
    }
  });

  it("converts like the field walk (non-integers, bigints, numeric strings)", () => {
    same(allKinds, { a: 1.5, c: 2.7, f: "17" as never, i: 5, j: 7n as never, a2: 1 } as StructValue);
    same(allKinds, { a: -0, b: 1n as never });
  });

  it("agrees with the field walk on every header struct for random values", () => {
    const defs = [rtmsg, ifinfomsg, ifaddrmsg, ndmsg, fibRuleHdr, rtgenmsg, nfgenmsg, small];
    const value = fc.oneof(fc.constant(undefined), fc.integer({ min: -70000, max: 70000 }), fc.integer({ min: 0, max: 0xffffffff }));
    fc.assert(fc.property(fc.constantFrom(...defs), fc.array(value, { minLength: 12, maxLength: 12 }), (def, vals) => {
      const v: StructValue = {};
      def.fields.forEach((f, i) => { if (f.kind !== "bytes") v[f.name] = vals[i % vals.length]; });
      same(def, v);
    }), { numRuns: 300 });
  });
});
