import { describe, expect, it } from "vitest";
import { assembleRuleset, decodeNftMessage, renderRuleset, type RulesetMessages } from "../../../src/nft/ruleset.js";
import { listGolden, loadGolden, splitNl } from "../../helpers/golden.js";

/** Every object message of a capture; nft dumps some kinds once per table, so duplicates are dropped. */
export function corpusParts(name: string): RulesetMessages {
  const parts: Required<RulesetMessages> = { tables: [], chains: [], sets: [], elements: [], rules: [], objects: [] };
  const seen = new Set<string>();
  for (const d of loadGolden(name).replies) {
    for (const m of splitNl(d)) {
      const r = decodeNftMessage(m, 0, m.length);
      if (!r) continue;
      const key = m.subarray(16).toString("hex");
      if (seen.has(key)) continue;
      seen.add(key);
      parts[r.kind].push(r.msg);
    }
  }
  return parts;
}

const corpus = listGolden("nft-corpus").filter((n) => n.endsWith("-list")).map((n) => n.slice(0, -5));

if (process.env.VITEST) describe("corpus: renderRuleset of the captured dump equals nft list ruleset", () => {
  for (const name of corpus) {
    it(name, () => {
      const g = loadGolden(`nft-corpus/${name}-list`);
      const ifnames = new Map([[1, "lo"], [2, "veth1"], [3, "veth0"]]);
      const text = renderRuleset(assembleRuleset(corpusParts(`nft-corpus/${name}-list`), { env: { ifname: (i) => ifnames.get(i) } }));
      expect(text).toBe(g.output);
    });
  }
});
