import { describe, expect, it } from "vitest";
import type { CounterObject, LimitObject, QuotaObject } from "../../../src/nft/objects.js";
import { renderRuleset, type NftRuleset } from "../../../src/nft/ruleset.js";
import { loadGolden } from "../../helpers/golden.js";
import { corpusNames, corpusRuleset } from "../../helpers/nft-corpus.js";

const corpus = corpusNames();
const read = (name: string, kind: "list" | "json"): NftRuleset => corpusRuleset(name, kind);

type Item = Record<string, any>;
const OBJECT_KINDS = ["counter", "quota", "limit", "ct helper"] as const;

describe("corpus: renderRuleset of the captured dump equals nft list ruleset", () => {
  for (const name of corpus) {
    it(name, () => {
      expect(renderRuleset(read(name, "list"))).toBe(loadGolden(`nft-corpus/${name}-list`).output);
    });
  }
});

describe("corpus: ruleset() holds what nft -j lists (same objects, same order, same elements)", () => {
  for (const name of corpus) {
    it(name, () => {
      const items = (loadGolden(`nft-corpus/${name}-json`).json as { nftables: Item[] }).nftables;
      const of = (kind: string) => items.filter((i) => i[kind]).map((i) => i[kind] as Item);
      const rs = read(name, "json");
      expect(rs.tables.map((t) => [t.family, t.name, t.handle])).toEqual(of("table").map((t) => [t.family, t.name, t.handle]));
      expect(rs.tables.flatMap((t) => t.chains.map((c) => [c.family, c.table, c.name, c.handle, c.hook ?? null, c.priority ?? null])))
        .toEqual(of("chain").map((c) => [c.family, c.table, c.name, c.handle, c.hook ?? null, c.prio ?? null]));
      expect(rs.tables.flatMap((t) => t.chains.flatMap((c) => c.rules.map((r) => [r.family, r.table, r.chain, r.handle]))))
        .toEqual(of("rule").map((r) => [r.family, r.table, r.chain, r.handle]));
      const type = (t: unknown) => [t].flat().join(" . ");
      expect(rs.tables.flatMap((t) => t.sets.map((s) => [s.table, s.name, s.handle, s.type, s.elements.length])))
        .toEqual(of("set").map((s) => [s.table, s.name, s.handle, type(s.type), (s.elem ?? []).length]));
      expect(rs.tables.flatMap((t) => t.maps.map((m) => [m.table, m.name, m.handle, m.type, m.data, m.elements.length])))
        .toEqual(of("map").map((m) => [m.table, m.name, m.handle, type(m.type), type(m.map), (m.elem ?? []).length]));
      for (const kind of OBJECT_KINDS) {
        expect(rs.tables.flatMap((t) => t.objects.filter((o) => o.type === kind).map((o) => [o.table, o.name, o.handle, o.comment ?? null])), kind)
          .toEqual(of(kind).map((o) => [o.table, o.name, o.handle, o.comment ?? null]));
      }
      for (const c of of("counter")) {
        const o = rs.tables.flatMap((t) => t.objects).find((x) => x.name === c.name) as CounterObject;
        expect([o.packets, o.bytes]).toEqual([c.packets, c.bytes]);
      }
      for (const q of of("quota")) {
        const o = rs.tables.flatMap((t) => t.objects).find((x) => x.name === q.name) as QuotaObject;
        expect([o.bytes, o.used, o.over]).toEqual([q.bytes, q.used, q.inv === true]);
      }
      for (const l of of("limit")) {
        const o = rs.tables.flatMap((t) => t.objects).find((x) => x.name === l.name) as LimitObject;
        expect([o.unit, o.over]).toEqual([l.per, l.inv === true]);
      }
    });
  }
});

describe("results serialise as JSON", () => {
  it("every corpus ruleset survives JSON.stringify, 64-bit values as numbers", () => {
    for (const name of corpus) {
      const rs = read(name, "list");
      const json = JSON.parse(JSON.stringify(rs)) as NftRuleset;
      expect(json.tables.length).toBe(rs.tables.length);
    }
  });
});
