import { describe, expect, it } from "vitest";
import { NlkitInputError } from "../../../src/netlink/errors.js";
import { forEachMessage } from "../../../src/netlink/message.js";
import { decodeLink } from "../../../src/rtnl/link/decode.js";
import { decodeLinkFields, LINK_FIELDS, linkFieldPlan } from "../../../src/rtnl/link/fields.js";
import type { Link } from "../../../src/rtnl/link/types.js";
import { loadGolden } from "../../helpers/golden.js";

// The full decoder is the reference: a projection must give the same value for every property it
// names, and nothing it did not name (beyond index and name).
const g = loadGolden("dump/link-show-all");
const messages: Array<[Buffer, number, number]> = [];
for (const d of g.replies) {
  forEachMessage(d, d.length, (s, l) => {
    if (d.readUInt16LE(s + 4) === 16) messages.push([d, s, l]);
  });
}

const present = (link: Link, f: string) => (link as unknown as Record<string, unknown>)[f] !== undefined;

describe("link.list({ fields }) projection", () => {
  it("has real links to compare, with kinds, altnames-free and stats-bearing ones", () => {
    expect(messages.length).toBeGreaterThan(3);
    const kinds = messages.map(([d, s, l]) => decodeLink(d, s, l).kind);
    expect(kinds).toEqual(expect.arrayContaining(["veth", "bridge"]));
  });

  it.each(LINK_FIELDS.map((f) => [f]))("%s equals the full decoder's value", (field) => {
    const plan = linkFieldPlan([field]);
    let seen = 0;
    for (const [d, s, l] of messages) {
      const full = decodeLink(d, s, l) as unknown as Record<string, unknown>;
      const got = decodeLinkFields(plan, d, s, l);
      expect(got[field], `${full.name}.${field}`).toEqual(full[field]);
      expect(Object.keys(got).sort()).toEqual([...new Set(["index", "name", ...(got[field] === undefined ? [] : [field])])].sort());
      if (full[field] !== undefined) seen++;
    }
    // every field the fixture's links carry is really exercised, not compared as undefined == undefined
    if (messages.some(([d, s, l]) => present(decodeLink(d, s, l), field))) expect(seen).toBeGreaterThan(0);
  });

  it("all fields at once give the full link minus other/unknown", () => {
    const plan = linkFieldPlan(LINK_FIELDS);
    for (const [d, s, l] of messages) {
      const { other: _o, unknown: _u, ...full } = decodeLink(d, s, l);
      expect(decodeLinkFields(plan, d, s, l)).toEqual(full);
    }
  });

  it("refuses names that are not Link properties, before anything is sent", () => {
    expect(() => linkFieldPlan(["mtu", "nope"])).toThrow(NlkitInputError);
    expect(() => linkFieldPlan(["other"])).toThrow(/unknown link field "other"/);
    expect(() => linkFieldPlan("mtu" as unknown as string[])).toThrow(NlkitInputError);
  });
});
