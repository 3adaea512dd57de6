import { describe, expect, it } from "vitest";
import { decodeMessage, forEachMessage } from "../../../src/netlink/message.js";
import { linkMessage } from "../../../src/rtnl/link/attrs.js";
import { decodeLink } from "../../../src/rtnl/link/decode.js";
import type { Link } from "../../../src/rtnl/link/types.js";
import { loadGolden } from "../../helpers/golden.js";

// decodeLink defers IFLA_AF_SPEC, IFLA_STATS64 and the `other` attributes until first read; the
// generic table decoder (decodeMessage) is the reference for their values.
const g = loadGolden("dump/link-show-all");
const pairs: Array<[Link, Record<string, unknown>]> = [];
for (const d of g.replies) {
  forEachMessage(d, d.length, (s, l) => {
    if (d.readUInt16LE(s + 4) !== 16) return;
    pairs.push([decodeLink(d, s, l), decodeMessage(d, s, l, linkMessage).attrs as Record<string, unknown>]);
  });
}
const OTHER = ["stats", "cost", "priority", "wireless", "protinfo", "map", "weight", "netNsPid", "vfinfoList", "vfPorts", "portSelf", "netNsFd", "extMask", "event", "newNetnsid", "targetNetnsid", "newIfindex", "protoDownReason", "devlinkPort", "dpllPin", "maxPacingOffloadHorizon", "netnsImmutable", "headroom", "tailroom"];

describe("lazily decoded link parts", () => {
  it("decode to what the table decoder reads, after the receive buffer is reused", () => {
    for (const d of g.replies) d.fill(0xee); // the values must come from decodeLink's own copy
    expect(pairs.length).toBeGreaterThan(3);
    for (const [link, attrs] of pairs) {
      expect(link.afSpec, link.name).toEqual(attrs.afSpec);
      expect(link.stats64, link.name).toEqual(attrs.stats64);
      const other = Object.fromEntries(OTHER.filter((k) => attrs[k] !== undefined).map((k) => [k, attrs[k]]));
      expect(link.other ?? {}, link.name).toEqual(other);
    }
  });

  it("behave as plain data: own enumerable keys, spread, JSON, toEqual", () => {
    const [link] = pairs.find(([l]) => l.name === "veth0")!;
    expect(Object.keys(link)).toEqual(expect.arrayContaining(["afSpec", "stats64", "other"]));
    const spread = { ...link };
    expect(Object.getOwnPropertyDescriptor(spread, "afSpec")?.value).toEqual(link.afSpec);
    expect(JSON.parse(JSON.stringify(link)).afSpec.inet6.conf).toEqual(link.afSpec!.inet6!.conf);
    expect(spread).toEqual(link);
    expect(Object.getOwnPropertySymbols(link).filter((s) => Object.getOwnPropertyDescriptor(link, s)!.enumerable)).toEqual([]);
  });

  it("take assignments", () => {
    const [link] = pairs[0]!;
    link.stats64 = undefined;
    expect(link.stats64).toBeUndefined();
    link.afSpec = { inet: { conf: [1] } };
    expect(link.afSpec).toEqual({ inet: { conf: [1] } });
  });
});
