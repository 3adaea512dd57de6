// The text of `nft list ruleset` (nftables src/rule.c table_print, set_print, chain_print):
// per table its flags and comment, then objects, sets and maps, and chains, a blank line
// between blocks.
import type { PrintEnv } from "./datatype.js";
import { typeByName } from "./datatype.js";
import { delinearize } from "./delinearize.js";
import type { Expr } from "./expr/index.js";
import { renderObject } from "./objects.js";
import { postprocess } from "./postprocess.js";
import { printStmts } from "./print.js";
import { formatPriority } from "./priority.js";
import { protocolName } from "./protocols.js";
import type { NftChain, NftMap, NftRuleset, NftSet, NftTable } from "./ruleset.js";
import type { SetDecl } from "./set.js";
import type { NftFamily } from "./types.js";
import { formatTime } from "./datatype.js";

export interface RenderContext {
  family: NftFamily;
  /** Sets and maps of the rule's table by name, for lookups (anonymous ones print their elements). */
  sets?: (name: string) => SetDecl | undefined;
  env?: PrintEnv;
}

/**
 * The one-line text `nft list ruleset` prints for a rule's expressions. Like nft, implicit
 * dependencies (meta l4proto before tcp dport, meta nfproto before ip saddr in inet tables) are
 * left out, and expressions neither nft nor nlkit can print are left out too.
 *
 * @example
 * ```ts
 * const exprs = nftExpr.flattenExprs([nftExpr.ipSaddr("10.0.0.0/24"), nftExpr.oifname("br0", "neq"), nftExpr.masquerade()]);
 * console.log(renderExpressions(exprs, { family: "ip" }));   // ip saddr 10.0.0.0/24 oifname != "br0" masquerade
 * ```
 */
export function renderExpressions(exprs: readonly Expr[], ctx: RenderContext): string {
  const stmts = postprocess(delinearize(exprs, { family: ctx.family, set: ctx.sets ?? (() => undefined) }), ctx.family);
  return printStmts(stmts, {
    protocolName, ...ctx.env,
    isVerdictMap: (n) => ctx.sets?.(n)?.verdict === true,
  });
}

/**
 * The text `nft list ruleset` prints for a ruleset read earlier (or parsed back from its JSON).
 *
 * @example
 * ```ts
 * const rs = await nft.ruleset();
 * // nft list ruleset, without the tables docker owns
 * console.log(renderRuleset({ tables: rs.tables.filter((t) => !t.name.startsWith("docker")) }));
 * ```
 */
export function renderRuleset(rs: NftRuleset): string {
  return rs.tables.map(renderTable).join("");
}

/**
 * Prints one decoded table exactly as `nft list table FAMILY NAME` does.
 *
 * @example
 * ```ts
 * const rs = await nft.ruleset({ family: "inet" });
 * const fw = rs.tables.find((t) => t.name === "fw");
 * if (fw) console.log(renderNftTable(fw));   // "table inet fw {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n..."
 * ```
 */
export function renderTable(t: NftTable): string {
  const lines = [`table ${t.family} ${t.name} {`];
  let first = true;
  if (t.flags.length) {
    lines.push(`\tflags ${t.flags.join(",")}`);
    first = false;
  }
  if (t.comment !== undefined) lines.push(`\tcomment "${t.comment}"`);
  const blocks: string[][] = [
    ...t.objects.map(renderObject),
    ...[...t.sets, ...t.maps].sort((a, b) => a.handle - b.handle).map(renderSet),
    ...t.chains.map(renderChain),
  ];
  for (const b of blocks) {
    if (!first) lines.push("");
    lines.push(...b);
    first = false;
  }
  lines.push("}");
  return lines.join("\n") + "\n";
}

export function renderChain(c: NftChain): string[] {
  const out = [`\tchain ${c.name} {`];
  if (c.comment !== undefined) out.push(`\t\tcomment "${c.comment}"`);
  if (c.hook) {
    const dev = c.device === undefined ? "" : Array.isArray(c.device)
      ? ` devices = { ${c.device.join(", ")} }` : ` device "${c.device}"`;
    const policy = c.policy !== undefined ? ` policy ${c.policy};` : "";
    out.push(`\t\ttype ${c.type} hook ${c.hook}${dev} priority ${formatPriority(c.family, c.hook, c.priority ?? 0)};${policy}`);
  }
  for (const r of c.rules) out.push(`\t\t${r.text}`);
  out.push("\t}");
  return out;
}

/** How many elements nft prints per line, by the key's type (expression.c calculate_delim). */
const PER_LINE: Record<string, number> = {
  nf_proto: 5, integer: 5, arp_op: 5, inet_proto: 5, inet_service: 5, tcp_flag: 5, mark: 5, iface_index: 5,
  classid: 5, uid: 5, gid: 5, ct_dir: 5, ipv4_addr: 2, ct_state: 2, ct_status: 2, pkt_type: 2,
};

function elementsText(type: string, elements: string[]): string {
  const per = typeByName(type) ? PER_LINE[type] ?? 1 : 1;
  let text = "";
  let count = 0;
  elements.forEach((e, i) => {
    if (i > 0) {
      if (count < per) text += ", ";
      else { text += ",\n\t\t\t     "; count = 0; }
    }
    text += e;
    count++;
  });
  return `{ ${text} }`;
}

export function renderSet(s: NftSet | NftMap): string[] {
  const isMap = "data" in s;
  const out = [`\t${isMap ? "map" : "set"} ${s.name} {`];
  out.push(`\t\ttype ${s.type}${isMap ? ` : ${(s as NftMap).data}` : ""}`);
  const flags = new Set(s.flags);
  if (!flags.has("constant")) {
    if (s.policy === "memory") out.push("\t\tpolicy memory");
    if (s.size) out.push(`\t\tsize ${s.size}`);
  }
  // nft's order and words (NFT_SET_EVAL is "dynamic"); a default timeout alone says "timeout"
  // already, but once the line is printed it lists every flag
  const words: Array<[string, string]> = [["constant", "constant"], ["eval", "dynamic"], ["interval", "interval"], ["timeout", "timeout"]];
  const shown = words.filter(([f]) => flags.has(f)).map(([, w]) => w);
  if (words.some(([f]) => flags.has(f) && !(f === "timeout" && s.timeout))) out.push(`\t\tflags ${shown.join(",")}`);
  if (s.autoMerge) out.push("\t\tauto-merge");
  if (s.timeout) out.push(`\t\ttimeout ${formatTime(Math.round(s.timeout * 1000))}`);
  if (s.gcInterval) out.push(`\t\tgc-interval ${formatTime(Math.round(s.gcInterval * 1000))}`);
  if (s.comment !== undefined) out.push(`\t\tcomment "${s.comment}"`);
  if (s.elements.length) out.push(`\t\telements = ${elementsText(s.type, s.elements)}`);
  out.push("\t}");
  return out;
}
