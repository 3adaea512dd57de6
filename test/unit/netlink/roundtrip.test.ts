// Golden fixtures as round trips (after rust-netlink's tests): captured bytes -> decode by the
// family's tables -> encode again -> the same bytes. What iproute2 sent must come out byte for
// byte; so must every address, route, neighbour and rule the kernel sent. Kernel link messages
// carry NLA_F_NESTED and NUL-terminated kinds where nlkit writes iproute2's forms, so for them the
// trip is checked by meaning: decoding the re-encoded bytes gives the same values.
import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage, type MessageDef } from "../../../src/netlink/message.js";
import type { StructValue } from "../../../src/netlink/struct.js";
import { NlWriter } from "../../../src/netlink/writer.js";
import { ifaddrDef } from "../../../src/rtnl/addr/table.js";
import { linkMessage } from "../../../src/rtnl/link/attrs.js";
import { ndmsgDef } from "../../../src/rtnl/neigh/table.js";
import { rtmsgDef } from "../../../src/rtnl/route/table.js";
import { fibRuleDef } from "../../../src/rtnl/rule/table.js";
import { listGolden, loadGolden, rtnetlinkGroups, splitNl } from "../../helpers/golden.js";

const BY_TYPE: Record<number, MessageDef> = {
  16: linkMessage, 17: linkMessage, 18: linkMessage, 19: linkMessage, 20: ifaddrDef, 21: ifaddrDef, 22: ifaddrDef,
  24: rtmsgDef, 25: rtmsgDef, 26: rtmsgDef, 28: ndmsgDef, 29: ndmsgDef, 30: ndmsgDef, 32: fibRuleDef, 33: fibRuleDef, 34: fibRuleDef,
};

function reencode(m: Buffer, def: MessageDef): Buffer {
  const d = decodeMessage(m, 0, m.length, def);
  const w = new NlWriter(1024);
  encodeMessage(w, def, m.readUInt16LE(4), d.flags, d.header as StructValue, d.attrs, d.seq, d.pid);
  return w.take();
}

/** rtnetlink messages of every fixture that ip (not nft) made, by direction. */
function messages(which: "requests" | "replies"): Array<[string, Buffer, MessageDef]> {
  const out: Array<[string, Buffer, MessageDef]> = [];
  for (const group of rtnetlinkGroups()) {
    for (const name of listGolden(group)) {
      const g = loadGolden(`${group}/${name}`);
      if (/^nft\b/.test(g.command)) continue;
      for (const d of g[which]) for (const m of splitNl(d)) {
        const def = BY_TYPE[m.readUInt16LE(4)];
        if (def) out.push([`${group}/${name}`, Buffer.from(m.subarray(0, m.readUInt32LE(0))), def]);
      }
    }
  }
  return out;
}

describe("golden round trips: decode, encode, the same bytes", () => {
  it("every rtnetlink request iproute2 sent", () => {
    const reqs = messages("requests");
    expect(reqs.length).toBeGreaterThan(80);
    for (const [name, m, def] of reqs) expect([name, reencode(m, def).toString("hex")]).toEqual([name, m.toString("hex")]);
  });

  it("every address, route, neighbour and rule the kernel sent", () => {
    const reps = messages("replies").filter(([, , def]) => def !== linkMessage);
    expect(reps.length).toBeGreaterThan(100);
    for (const [name, m, def] of reps) expect([name, reencode(m, def).toString("hex")]).toEqual([name, m.toString("hex")]);
  });

  it("every link the kernel sent, by meaning", () => {
    const links = messages("replies").filter(([, , def]) => def === linkMessage);
    expect(links.length).toBeGreaterThan(100);
    for (const [name, m, def] of links) {
      const again = reencode(m, def);
      const a = decodeMessage(m, 0, m.length, def), b = decodeMessage(again, 0, again.length, def);
      expect([name, b.header, b.attrs]).toEqual([name, a.header, a.attrs]);
    }
  });
});
