import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NlWriter } from "../../../src/netlink/writer.js";

/** A writer whose buffer is full of 0xee, as a reused one is after earlier messages. */
function dirty(size = 64): NlWriter {
  const w = new NlWriter(size);
  w.buf.fill(0xee);
  return w;
}

describe("NlWriter byte paths", () => {
  it("cstring/utf8 write the UTF-8 bytes (and a NUL) for ASCII, non-ASCII and long strings", () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: "binary", maxLength: 40 })), (s) => {
      const w = dirty(8);
      w.u8(1);
      w.cstring(s);
      expect(w.view()).toEqual(Buffer.concat([Buffer.from([1]), Buffer.from(`${s}\0`, "utf8")]));
      const u = dirty(4);
      u.utf8(s);
      expect(u.view()).toEqual(Buffer.from(s, "utf8"));
    }));
  });

  it("attributes: little-endian header, padding zeroed over old bytes, nla_len without the padding", () => {
    const w = dirty();
    w.attrString(0x8003, "ab");
    w.attrU8(2, 7);
    w.zeros(3);
    expect(w.view().toString("hex")).toBe(["0700" + "0380" + "616200" + "00", "0500" + "0200" + "07000000", "000000"].join(""));
    w.align();
    expect(w.pos).toBe(20);
    expect(w.buf[19]).toBe(0);
  });

  it("refuses what does not fit nla_len or nla_type, as Buffer#writeUInt16LE does", () => {
    const w = new NlWriter(16);
    expect(() => w.attrBytes(1, Buffer.alloc(0x10000))).toThrow(RangeError);
    expect(() => new NlWriter(16).beginAttr(0x10000)).toThrow(RangeError);
    expect(() => new NlWriter(16).beginAttr(-1)).toThrow(RangeError);
  });

  it("nlmsghdr: little-endian fields, nlmsg_len covering the padded payload; type and flags must fit u16", () => {
    const w = dirty();
    const s = w.beginMessage(0x1234, 0x0305, 0xdeadbeef, 0x80000001);
    w.u8(9);
    w.endMessage(s);
    expect(w.view().toString("hex")).toBe("14000000" + "3412" + "0503" + "efbeadde" + "01000080" + "09000000");
    expect(() => new NlWriter(32).beginMessage(0x10000, 0)).toThrow(RangeError);
    expect(() => new NlWriter(32).beginMessage(16, -1)).toThrow(RangeError);
  });

  it("zeros clears short and long runs", () => {
    for (const n of [1, 31, 32, 33, 100]) {
      const w = dirty(4);
      w.zeros(n);
      expect(w.view()).toEqual(Buffer.alloc(n));
    }
  });
});
