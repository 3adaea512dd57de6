import { describe, expect, it } from "vitest";
import { NetlinkParseError } from "../../../src/netlink/errors.js";
import { decodeAddr } from "../../../src/rtnl/addr/verbs.js";
import { decodeNeigh } from "../../../src/rtnl/neigh/verbs.js";
import { decodeRoute } from "../../../src/rtnl/route/verbs.js";
import { decodeRule } from "../../../src/rtnl/rule/verbs.js";
import { loadCorpus } from "../../fuzz/corpus.js";

// Family decoders read their fixed header inside the message or not at all (found by scripts/fuzz.ts).
const corpus = loadCorpus();
const first = (fixture: string, type: number) => corpus.messages.find((m) => m.fixture === fixture && m.type === type)!.bytes;

const DONE = Buffer.from("140000000300020000000000000000000000000000", "hex").subarray(0, 20);

/** The message cut inside its family header, nlmsg_len saying so. */
function cut(msg: Buffer, len: number): Buffer {
  const b = Buffer.from(msg.subarray(0, len));
  b.writeUInt32LE(len, 0);
  return b;
}

describe("rtnl decoders and short messages", () => {
  it("decodeAddr: an RTM_NEWADDR ending inside its ifaddrmsg is a parse error (issue 22's reproducer)", () => {
    const issue = Buffer.from("1400000014000200a4cd2d3d757019d50a8080fe", "hex");
    expect(() => decodeAddr(issue, 0, 20)).toThrow(NetlinkParseError);
    // not the next message's bytes read as its header either
    const two = Buffer.concat([issue, first("addr", 20)]);
    expect(() => decodeAddr(two, 0, 20)).toThrow(NetlinkParseError);
    expect(() => decodeAddr(first("addr", 20), 0, first("addr", 20).length + 4)).toThrow(NetlinkParseError);
    expect(decodeAddr(first("addr", 20), 0, first("addr", 20).length)?.local).toBe("127.0.0.1");
  });

  it("decodeRoute: a message ending inside its rtmsg, and an RTA_VIA shorter than its family", () => {
    const route = first("route4", 24);
    for (const len of [16, 18, 23, 27]) expect(() => decodeRoute(cut(route, len), 0, len)).toThrow(NetlinkParseError);
    // another message type is still no route, however short (a dump's NLMSG_DONE is 20 bytes)
    expect(decodeRoute(DONE, 0, DONE.length)).toBeUndefined();
    // RTA_VIA (18) with one byte: kept raw, the route still decoded
    const via = Buffer.concat([route.subarray(0, 28), Buffer.from("05001200020000000800010000000000", "hex").subarray(0, 8)]);
    via.writeUInt32LE(via.length, 0);
    const r = decodeRoute(via, 0, via.length)!;
    expect(r.via).toBeUndefined();
  });

  it("decodeNeigh: a message ending inside its ndmsg", () => {
    const n = first("neigh", 28);
    expect(decodeNeigh(n, 0, n.length)).toBeDefined();
    for (const len of [16, 20, 27]) expect(() => decodeNeigh(cut(n, len), 0, len)).toThrow(NetlinkParseError);
    expect(decodeNeigh(DONE, 0, DONE.length)).toBeUndefined();
    expect(() => decodeNeigh(n, 0, n.length + 1)).toThrow(NetlinkParseError);
  });

  it("decodeRule: a message ending inside its fib_rule_hdr", () => {
    const r = first("rule4", 32);
    expect(decodeRule(r, 0, r.length)).toBeDefined();
    for (const len of [16, 18, 27]) expect(() => decodeRule(cut(r, len), 0, len)).toThrow(NetlinkParseError);
    expect(decodeRule(DONE, 0, DONE.length)).toBeUndefined();
  });
});
