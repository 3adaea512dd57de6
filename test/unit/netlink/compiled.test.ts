import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeAttrs, type AttrSet } from "../../../src/netlink/attrs.js";
import { compiledDecoder, decodeParts } from "../../../src/netlink/compiled.js";
import { NetlinkParseError } from "../../../src/netlink/errors.js";
import type { MessageDef } from "../../../src/netlink/message.js";
import { ifaddrDef } from "../../../src/rtnl/addr/table.js";
import { linkMessage } from "../../../src/rtnl/link/attrs.js";
import { ndmsgDef } from "../../../src/rtnl/neigh/table.js";
import { rtaxAttrs, rtmsgDef } from "../../../src/rtnl/route/table.js";
import { fibRuleDef } from "../../../src/rtnl/rule/table.js";
import { listGolden, loadGolden, rtnetlinkGroups, splitNl } from "../../helpers/golden.js";

/** decodeAttrs leaves absent keys out; a generated decoder sets every key, undefined when absent. */
const defined = (o: object): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const BY_TYPE: Record<number, MessageDef> = {
  16: linkMessage, 17: linkMessage, 20: ifaddrDef, 21: ifaddrDef, 24: rtmsgDef, 25: rtmsgDef,
  28: ndmsgDef, 29: ndmsgDef, 32: fibRuleDef, 33: fibRuleDef,
};

/** Every rtnetlink message of every golden fixture, requests and replies, with its table. */
function goldenMessages(): Array<[Buffer, MessageDef]> {
  const out: Array<[Buffer, MessageDef]> = [];
  for (const group of rtnetlinkGroups()) {
    for (const name of listGolden(group)) {
      const g = loadGolden(`${group}/${name}`);
      for (const d of [...g.requests, ...g.replies]) {
        for (const m of splitNl(d)) {
          const def = BY_TYPE[m.readUInt16LE(4)];
          if (def) out.push([m, def]);
        }
      }
    }
  }
  return out;
}

const attrStart = (def: MessageDef) => 16 + ((def.header.size + 3) & ~3);

describe("generated attribute decoders == decodeAttrs", () => {
  const messages = goldenMessages();

  it("agree on every rtnetlink message of the golden fixtures", () => {
    expect(messages.length).toBeGreaterThan(200);
    for (const [m, def] of messages) {
      const start = attrStart(def);
      if (start > m.length) continue;
      expect(defined(compiledDecoder(def.attrs)(m, start, m.length))).toEqual(decodeAttrs(m, start, m.length, def.attrs));
    }
  });

  it("agree on mutated messages: the same value, or both the same NetlinkParseError", () => {
    const sets: AttrSet[] = [ifaddrDef.attrs, rtmsgDef.attrs, ndmsgDef.attrs, fibRuleDef.attrs, rtaxAttrs];
    fc.assert(fc.property(
      fc.constantFrom(...messages), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(), fc.constantFrom(...sets),
      ([m, def], flips, cut, set) => {
        const b = Buffer.from(m);
        for (const [at, v] of flips) b[at % b.length] = v;
        const start = Math.min(attrStart(def), b.length);
        const end = start + (cut % (b.length - start + 1));
        let want: unknown, got: unknown;
        try { want = decodeAttrs(b, start, end, set); } catch (e) { want = e; }
        try { got = defined(compiledDecoder(set)(b, start, end)); } catch (e) { got = e; }
        if (want instanceof Error) {
          expect(got).toBeInstanceOf(NetlinkParseError);
          expect((got as Error).message).toBe(want.message);
        } else {
          expect(got).toEqual(want);
        }
      },
    ), { numRuns: 3000 });
  });

  it("a projection gives exactly the keys asked for, the same values, and stops after the last", () => {
    for (const [m, def] of messages.filter(([, d]) => d === linkMessage)) {
      const start = attrStart(def);
      const full = decodeAttrs(m, start, m.length, def.attrs);
      const got = compiledDecoder(def.attrs, ["ifname", "mtu"])(m, start, m.length);
      expect(Object.keys(got).sort()).toEqual(["ifname", "mtu"]);
      expect(got.ifname).toEqual(full.ifname);
      expect(got.mtu).toEqual(full.mtu);
    }
    // an attribute after the ones asked for is never read: a broken one there goes unnoticed
    const msg = Buffer.from("0800030061000000" + "08000400dc050000" + "ffff0100", "hex");
    expect(() => decodeAttrs(msg, 0, msg.length, linkMessage.attrs)).toThrow(NetlinkParseError);
    expect(compiledDecoder(linkMessage.attrs, ["ifname", "mtu"])(msg, 0, msg.length)).toEqual({ ifname: "a", mtu: 1500 });
  });

  it("refuses projections it cannot honour", () => {
    expect(() => compiledDecoder(linkMessage.attrs, ["nosuch"])).toThrow(/no attribute "nosuch"/);
  });
});

describe("decodeParts reads one message and nothing past it", () => {
  it("a family message cut inside its header is a parse error; a control message is no header at all", () => {
    // RTM_NEWADDR with nlmsg_len 20: four bytes of an 8-byte ifaddrmsg, then other bytes
    const b = Buffer.from("1400000014000200a4cd2d3d757019d50a8080fe" + "ffffffffffffffff", "hex");
    expect(() => decodeParts(b, 0, 20, ifaddrDef)).toThrow(NetlinkParseError);
    const done = Buffer.from("1400000003000200a4cd2d3d757019d500000000", "hex");
    expect(decodeParts(done, 0, 20, ifaddrDef).type).toBe(3);
  });

  it("a length past the buffer is a NetlinkParseError", () => {
    expect(() => decodeParts(Buffer.alloc(16), 0, 40, ifaddrDef)).toThrow(NetlinkParseError);
  });
});
