// Does the nat postrouting hook rewrite this packet's source? The rules are run against one packet
// (source, destination, devices, protocol) the way nf_tables runs them (nft-vm.ts), following
// jumps, gotos and verdict maps through the chains (nft-path.ts), with named and anonymous sets
// and maps looked up by their elements. What cannot be known about the probe (marks, ports it
// does not have, rate limits) makes a rule a "maybe".
import type { Expr } from "../nft/expr/index.js";
import type { NftChain, NftRule, NftRuleset } from "../nft/ruleset.js";
import { walkHook, type Hit } from "./nft-path.js";
import { runRule, type PacketView } from "./nft-vm.js";

export type { PacketView } from "./nft-vm.js";

export type RuleVerdict = { match: "yes" | "maybe"; action: "masquerade" | "snat" } | { match: "no" };

/** One rule on its own (no sets known): does it rewrite the packet's source? */
export function evaluateRule(exprs: Expr[], p: PacketView): RuleVerdict {
  const r = runRule(exprs, p);
  if (r.match === "no" || !r.action) return { match: "no" };
  if (r.action.kind === "masquerade" || r.action.kind === "snat") return { match: r.match, action: r.action.kind };
  return { match: "no" };
}

export interface SnatMatch {
  rule: NftRule;
  chain: NftChain;
  verdict: Extract<RuleVerdict, { match: "yes" | "maybe" }>;
  /** The chains walked to reach the rule ("postrouting", "jump masquerading"). */
  path: string[];
}

const isSourceNat = (h: Hit | undefined): h is Hit & { rule: NftRule } =>
  h?.rule !== undefined && (h.verdict === "masquerade" || h.verdict === "snat");

/** The rule of the nat postrouting hook that rewrites the packet's source: certainly, or maybe. */
export function findSourceNat(rs: NftRuleset, p: PacketView): SnatMatch | undefined {
  const o = walkHook(rs, "postrouting", "nat", p);
  const pick = (h: Hit & { rule: NftRule }, match: "yes" | "maybe"): SnatMatch =>
    ({ rule: h.rule, chain: h.chain, path: h.path, verdict: { match, action: h.verdict as "masquerade" | "snat" } });
  // a certain rewrite happens whatever the maybes before it do (they would rewrite it first)
  if (isSourceNat(o.final)) return pick(o.final, "yes");
  const maybe = o.maybe.find(isSourceNat);
  return maybe ? pick(maybe, "maybe") : undefined;
}
