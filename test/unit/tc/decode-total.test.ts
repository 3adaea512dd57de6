// tc's replies decode totally: each captured dump message, with bytes flipped and cut anywhere,
// reads back as plain data or fails as a NetlinkParseError (never a RangeError or TypeError from
// a kind's view, a u32 key, an action's counters or a rate table).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NetlinkParseError } from "../../../src/netlink/errors.js";
import type { MessageDef } from "../../../src/netlink/message.js";
import { filterMessage } from "../../../src/rtnl/tc/filter/index.js";
import { classMessage, qdiscMessage } from "../../../src/rtnl/tc/qdisc/index.js";
import { RTM_NEWQDISC, RTM_NEWTCLASS, RTM_NEWTFILTER } from "../../../src/rtnl/tc/table.js";
import { classView, filterView, qdiscView, tcDecoder, tcIndexes, viewContext, type TcParts } from "../../../src/rtnl/tc/view.js";
import { listGolden, loadGolden, splitNl } from "../../helpers/golden.js";
import { commandReplies, fixturePsched } from "../../helpers/tc-golden.js";

type Kind = [MessageDef, number, (p: TcParts, ctx: ReturnType<typeof viewContext>) => unknown];
const BY_TYPE: Record<number, Kind> = {
  [RTM_NEWQDISC]: [qdiscMessage, RTM_NEWQDISC, qdiscView],
  [RTM_NEWTCLASS]: [classMessage, RTM_NEWTCLASS, classView],
  [RTM_NEWTFILTER]: [filterMessage, RTM_NEWTFILTER, filterView],
};

const shows = listGolden("tc").filter((n) => n.includes("show"));
const messages: Array<[Buffer, Kind]> = [];
for (const name of shows) {
  for (const d of commandReplies(loadGolden(`tc/${name}`))) {
    for (const m of splitNl(d)) {
      const k = BY_TYPE[m.readUInt16LE(4)];
      if (k) messages.push([m, k]);
    }
  }
}
const ctx = viewContext(fixturePsched(loadGolden("tc/qdisc-show")), new Map([[3, "va"]]));

function view(b: Buffer, [def, type, toView]: Kind): unknown {
  const p = tcDecoder(def, [type])(b, 0, b.length);
  if (!p) return undefined;
  tcIndexes([p], def === filterMessage);
  const v = toView(p, ctx);
  // results are plain data: no BigInt, nothing JSON cannot carry
  JSON.stringify(v);
  return v;
}

describe("tc replies decode totally", () => {
  it("has every kind of dump to mutate", () => {
    expect(new Set(messages.map(([, k]) => k[1]))).toEqual(new Set([RTM_NEWQDISC, RTM_NEWTCLASS, RTM_NEWTFILTER]));
    for (const [m, k] of messages) expect(() => view(m, k)).not.toThrow();
  });

  it("mutated and cut messages give a value or a NetlinkParseError", () => {
    fc.assert(fc.property(
      fc.constantFrom(...messages), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.nat(),
      ([m, k], flips, cut) => {
        const b = Buffer.from(m);
        // past the netlink and tcmsg headers, where the attributes are
        for (const [at, v] of flips) b[36 + (at % Math.max(1, b.length - 36))] = v;
        const end = 36 + (cut % (b.length - 36 + 1));
        const t = b.subarray(0, end);
        t.writeUInt32LE(end, 0);
        try {
          view(t, k);
        } catch (e) {
          expect(e, String((e as Error).stack)).toBeInstanceOf(NetlinkParseError);
        }
      },
    ), { numRuns: 4000 });
  });
});
