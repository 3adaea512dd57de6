export { Nft, type NftOptions, type MasqueradeOptions, type PortForwardOptions, type EnsureResult } from "./nft.js";
export {
  Transaction, type TableSpec, type ChainSpec, type RuleSpec, type RuleRef, type SetSpec, type ElementsSpec, type TableRef,
} from "./tx.js";
export type { NftRuleset, NftTable, NftChain, NftRule, NftSet, NftMap, NftObject } from "./ruleset.js";
export { renderRuleset, RulesetChangedError } from "./ruleset.js";
export { renderExpressions, renderTable, type RenderContext } from "./render.js";
export type { ApplyOptions, ApplyResult } from "./apply.js";
export type { SourceLocation } from "./text/errors.js";
export type { ElementSpec, ElementKey, ElementData, ObjectSpec } from "./tx-sets.js";
export { encodeBatch, commitBatch, type NftMessage, type EncodedBatch } from "./batch.js";
export { sameExpressions } from "./equal.js";
export type { Expr } from "./expr/index.js";
export type { SetKeyType } from "./setelem.js";
export type { NftFamily } from "./types.js";
/**
 * Builders of nf_tables expressions for `tx.addRule({ expressions })`, named after the nft
 * statements they stand for (`ip saddr`, `ct state`, `tcp dport`, `vmap`, `dnat`, ...). Matchers give
 * the expression list nft itself generates for the same text, so rules built from code list and
 * compare like rules written in nft syntax; bad input is an `NlkitInputError`.
 *
 * @example
 * ```ts
 * import { Nft, nftExpr as x } from "nlkit";
 * const nft = await Nft.open({ netns: "host" });
 * await nft.transaction((tx) => {
 *   tx.addTable({ family: "inet", name: "fw" });
 *   tx.addChain({ family: "inet", table: "fw", name: "input", type: "filter", hook: "input", priority: "filter", policy: "drop" });
 *   tx.addRule({ family: "inet", table: "fw", chain: "input", expressions: [x.ctState("established", "related"), x.verdict("accept")] });
 * });
 * ```
 */
export * as nftExpr from "./build.js";

import type { NftRule } from "./ruleset.js";
import { renderExpressions } from "./render.js";
/**
 * The one-line text `nft list ruleset` shows for a rule's expressions, as built with `nftExpr`. For
 * a rule read with `nft.ruleset()` prefer its `text`: this one leaves the comment out and prints an
 * anonymous set as the kernel names it (`tcp dport @__set0 accept`, not `tcp dport { 22, 80 } accept`).
 *
 * @example
 * ```ts
 * const rule = { family: "inet" as const, expressions: nftExpr.flattenExprs([nftExpr.ctState("established", "related"), nftExpr.accept()]) };
 * console.log(renderRule(rule));   // ct state established,related accept
 * ```
 */
export function renderRule(rule: Pick<NftRule, "expressions" | "family">): string {
  return renderExpressions(rule.expressions, { family: rule.family });
}
