// nft.apply(text): nft's ruleset syntax in, one atomic transaction out. Nothing is sent when the
// text does not parse or evaluate; a kernel refusal names the line its message came from.
import { NlkitInputError } from "../netlink/errors.js";
import type { NetlinkSocket } from "../netlink/socket.js";
import { tryCommit, type CommitOptions } from "./batch.js";
import { setDeclaration, type NftRuleset } from "./ruleset.js";
import { NftSyntaxError, parseNft } from "./text/parser.js";
import { compile, type KnownSet, type LocatedMessage } from "./text/compile.js";
import { EvalError } from "./text/eval-expr.js";
import { cacheOf, enoentMessage } from "./text/enoent.js";
import { inputError, locateKernelError } from "./text/errors.js";
import type { ValueEnv } from "./text/values.js";

/**
 * How `nft.apply()` reads its text: the file name its error messages name, and the commit options
 * every transaction takes.
 *
 * @example
 * ```ts
 * import { readFileSync } from "node:fs";
 * const opts: NftApplyOptions = { filename: "/etc/nftables.conf" };
 * await nft.apply(readFileSync(opts.filename!, "utf8"), opts);   // errors read "/etc/nftables.conf:LINE:COL-END: Error: ..."
 * ```
 */
export interface ApplyOptions extends CommitOptions {
  /** Named in error messages, as nft names the file it reads (default "<input>"). */
  filename?: string;
}

/**
 * What `nft.apply()` resolves with once the whole transaction was committed: how many messages it
 * sent.
 *
 * @example
 * ```ts
 * const r: NftApplyResult = await nft.apply("add table inet fw\nadd chain inet fw input { type filter hook input priority 0; }");
 * console.log(r.messages);   // 2
 * ```
 */
export interface ApplyResult {
  /** How many messages the transaction held (BATCH_BEGIN/END not counted). */
  messages: number;
}

/** What apply needs from the handle: the socket, the current ruleset, interface names. */
export interface ApplyHost {
  socket: NetlinkSocket;
  ruleset(): Promise<NftRuleset>;
  linkNames(): Map<number, string>;
}

/** Sets and maps the kernel holds now (nft's cache), for rules and elements that name them. */
export function knownSets(rs: NftRuleset): KnownSet[] {
  const out: KnownSet[] = [];
  for (const t of rs.tables) {
    for (const s of [...t.sets, ...t.maps]) {
      const d = setDeclaration(s);
      if (!d) continue;
      out.push({
        family: d.family, table: d.table, name: d.name, key: d.key, keySpec: { types: d.key, lens: d.keyLens },
        interval: s.flags.includes("interval"), hasElements: d.elems.length > 0,
        ...(d.data ? { data: d.data } : {}), ...(d.verdict ? { verdict: true } : {}), ...(d.objType ? { objType: d.objType } : {}),
      });
    }
  }
  return out;
}

/** Parses and compiles `text` against the current ruleset; throws NlkitInputError with a location. */
export async function compileText(host: Pick<ApplyHost, "ruleset" | "linkNames">, text: string, file: string): Promise<{ messages: LocatedMessage[]; lines: string[]; ruleset: NftRuleset }> {
  const lines = text.split("\n");
  let parsed;
  try {
    parsed = parseNft(text);
  } catch (e) {
    if (e instanceof NftSyntaxError) throw inputError(file, e.loc, lines, e.message, e.also);
    throw e;
  }
  const rs = await host.ruleset();
  let names: Map<string, number> | undefined;
  const values: ValueEnv = {
    ifindex: (name) => {
      names ??= new Map([...host.linkNames()].map(([i, n]) => [n, i]));
      return names.get(name);
    },
  };
  try {
    return { messages: compile(parsed.commands, { sets: knownSets(rs), values }, parsed.lines), lines, ruleset: rs };
  } catch (e) {
    if (e instanceof EvalError) throw inputError(file, e.loc, lines, e.message);
    throw e;
  }
}

/** The name a refused attribute carries (NFTA_RULE_TABLE: the rule's table), to point at it. */
function refusedName(m: LocatedMessage, attribute: string | undefined): string | undefined {
  const a = /^NFTA_([A-Z]+)_([A-Z_]+)$/.exec(attribute ?? "");
  if (!a) return undefined;
  const field = a[2] === "NAME" ? "name" : a[2] === "TABLE" ? "table" : a[2] === "CHAIN" ? "chain" : a[2] === "SET" ? "set" : undefined;
  if (a[2] === "EXPRESSIONS") {
    // a jump or goto to a chain that does not exist: nft points at the chain's name
    const exprs = Array.isArray(m.attrs.expressions) ? (m.attrs.expressions as Array<{ name?: string; data?: any }>) : [];
    const chain = exprs.find((e) => e.name === "immediate" && typeof e.data?.data?.verdict?.chain === "string")?.data.data.verdict.chain;
    return typeof chain === "string" && chain !== "" ? chain : undefined;
  }
  const v = field ? m.attrs[field] : undefined;
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** Rule "index N" is a position: the handle of the N-th rule of the chain, as nft resolves it. */
function resolveIndexes(messages: LocatedMessage[], rs: NftRuleset, file: string, lines: string[]): void {
  for (const m of messages as Array<LocatedMessage & { index?: number }>) {
    if (m.index === undefined) continue;
    const a = m.attrs as { table: string; chain: string };
    const chain = rs.tables.find((t) => t.name === a.table)?.chains.find((c) => c.name === a.chain);
    const rule = chain?.rules[m.index];
    if (!rule) throw inputError(file, m.origin.loc, lines, `Could not process rule: No such file or directory (no rule at index ${m.index})`);
    m.attrs.position = BigInt(rule.handle);
  }
}

export async function applyText(host: ApplyHost, text: string, opts: ApplyOptions = {}): Promise<ApplyResult> {
  const file = opts.filename ?? "<input>";
  if (typeof text !== "string") throw new NlkitInputError("apply() takes nft's ruleset text as a string", "text");
  const { messages, lines, ruleset } = await compileText(host, text, file);
  resolveIndexes(messages, ruleset, file, lines);
  const refusal = tryCommit(host.socket, messages, opts);
  if (refusal) {
    const m = messages[refusal.index];
    if (m) {
      const word = refusedName(m, refusal.error.extack.attribute);
      // nft words an ENOENT for a name it can point at with a suggestion from its cache
      const wording = word && refusal.error.code === "ENOENT" ? enoentMessage(m, cacheOf(ruleset, messages)) : undefined;
      throw locateKernelError(refusal.error, file, m.origin.loc, lines[m.origin.loc.line - 1] ?? m.origin.line, word, wording);
    }
    throw refusal.error;
  }
  return { messages: messages.length };
}
