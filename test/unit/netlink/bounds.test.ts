import { describe, expect, it } from "vitest";
import { attrSet, decodeAttrs, describeAttrAt, forEachAttr } from "../../../src/netlink/attrs.js";
import { NetlinkParseError } from "../../../src/netlink/errors.js";
import { checkMessageBounds, decodeMessage, forEachMessage, parseErrorPayload, type MessageDef } from "../../../src/netlink/message.js";
import { decodeStruct, struct } from "../../../src/netlink/struct.js";

// Ranges handed to the codec that do not fit the buffer are malformed input: a NetlinkParseError,
// never the RangeError Buffer's readers throw (found by scripts/fuzz.ts).
const hdr = struct("hdr", [["family", "u8"], ["_", "pad", 3]]);
const attrs = attrSet("t", "T_", { a: [1, "u32"] });
const def: MessageDef = { name: "t", header: hdr, attrs };
const msg = Buffer.from("1c00000010000000000000000000000002000000080001002a000000", "hex");

describe("codec ranges outside the buffer", () => {
  it("decodeMessage and parseErrorPayload refuse lengths past the buffer or below a header", () => {
    expect(decodeMessage(msg, 0, 28, def).attrs).toEqual({ a: 42 });
    for (const [start, len] of [[0, 29], [0, 15], [0, 0], [-1, 28], [8, 28], [28, 16]]) {
      expect(() => decodeMessage(msg, start!, len!, def)).toThrow(NetlinkParseError);
      expect(() => parseErrorPayload(msg, start!, len!)).toThrow(NetlinkParseError);
      expect(() => checkMessageBounds(msg, start!, len!)).toThrow(NetlinkParseError);
    }
  });

  it("an NLMSG_ERROR of 16 bytes is a parse error, not a read past its end", () => {
    const short = Buffer.from("10000000020000000000000000000000", "hex");
    expect(() => parseErrorPayload(short, 0, 16)).toThrow(NetlinkParseError);
  });

  it("forEachMessage, decodeAttrs, forEachAttr and decodeStruct refuse ends past the buffer", () => {
    expect(() => forEachMessage(msg, msg.length + 4, () => {})).toThrow(NetlinkParseError);
    expect(() => decodeAttrs(msg, 20, msg.length + 8, attrs)).toThrow(NetlinkParseError);
    expect(() => decodeAttrs(msg, -4, msg.length, attrs)).toThrow(NetlinkParseError);
    expect(() => forEachAttr(msg, 20, msg.length + 8, () => {})).toThrow(NetlinkParseError);
    expect(() => decodeStruct(msg, 26, 4, hdr)).toThrow(NetlinkParseError);
    expect(() => decodeStruct(msg, -1, 4, hdr)).toThrow(NetlinkParseError);
    // a short struct inside the buffer is still read tolerantly
    expect(decodeStruct(msg, 16, 1, hdr)).toEqual({ family: 2 });
  });

  it("describeAttrAt names nothing outside the buffer instead of throwing", () => {
    expect(describeAttrAt(msg, 20, msg.length, attrs, 20)).toBe("T_A");
    expect(describeAttrAt(msg, 20, msg.length + 40, attrs, 20)).toBeUndefined();
  });
});
