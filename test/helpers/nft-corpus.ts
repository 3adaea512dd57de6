import { assembleRuleset, decodeNftMessage, type NftRuleset, type RulesetMessages } from "../../src/nft/ruleset.js";
import { listGolden, loadGolden, splitNl } from "./golden.js";

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

/** The corpus rulesets' names ("01-kube-proxy", ...). */
export const corpusNames = (): string[] => listGolden("nft-corpus").filter((n) => n.endsWith("-list")).map((n) => n.slice(0, -5));

// the captures' namespace: lo, and veth1/veth0 made by the setup
const names = new Map([[1, "lo"], [2, "veth1"], [3, "veth0"]]);

/** A corpus ruleset as Nft.ruleset() reads it, from nft's captured dump ("list" or "json" capture). */
export const corpusRuleset = (name: string, kind: "list" | "json" = "list"): NftRuleset =>
  assembleRuleset(corpusParts(`nft-corpus/${name}-${kind}`), { env: { ifname: (i) => names.get(i) } });
