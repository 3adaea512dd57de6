// The ruleset as nlkit returns it: tables with their chains (and rules), sets, maps and named
// objects, everything typed and JSON-safe, plus the text nft prints for each rule and element.
// Built from the dump messages read.ts collects (or a capture of them).
import { decodeMessage, type MessageDef } from "../netlink/message.js";
import { chainMsg, objMsg, ruleMsg, setElemMsg, setMsg, tableMsg } from "./attrs.js";
import type { Stmt } from "./ast.js";
import type { PrintEnv } from "./datatype.js";
import { delinearize } from "./delinearize.js";
import type { Expr } from "./expr/index.js";
import { jsonSafe } from "./json.js";
import { decodeObject, type NftObject } from "./objects.js";
import { postprocess } from "./postprocess.js";
import { printElem, printStmts, type PrintCtx } from "./print.js";
import { protocolName } from "./protocols.js";
import { decodeElements, decodeSetDecl, type SetDecl } from "./set.js";
import { keyTypeName, type SetKeyType } from "./setelem.js";
import {
  FAMILY_NAMES, flagNames, hookName, NFT_MSG_NEWCHAIN, NFT_MSG_NEWOBJ, NFT_MSG_NEWRULE, NFT_MSG_NEWSET, NFT_MSG_NEWSETELEM,
  NFT_MSG_NEWTABLE, NFT_SET_F, NFT_TABLE_F, type NftFamily,
} from "./types.js";
import { parseUdata, udataString, UD_COMMENT } from "./udata.js";

/**
 * A rule as `nft.ruleset()` returns it: its one-line `text` in nft's syntax, its decoded expressions,
 * its handle and what could not be decoded.
 *
 * @example
 * ```ts
 * const rs = await nft.ruleset({ family: "inet" });
 * const input = rs.tables.find((t) => t.name === "fw")?.chains.find((c) => c.name === "input");
 * for (const r of input?.rules ?? []) console.log(r.handle, r.text);   // 11 tcp dport 22 accept comment "ssh"
 * ```
 */
export interface NftRule {
  /** The table's family. */
  family: NftFamily;
  /** The table's name. */
  table: string;
  /** The chain's name. */
  chain: string;
  /** The rule's handle, for placing rules after it or deleting it. */
  handle: number;
  /** The handle of the rule it was added after, when the kernel reports it. */
  position?: number;
  /** The kernel's expressions, decoded (64-bit values as numbers, or strings when too large). */
  expressions: Expr[];
  /** What `nft list ruleset` prints for this rule (comment included). */
  text: string;
  /** The comment given at creation. */
  comment?: string;
  /** The rule's NFTA_RULE_USERDATA, when it holds more than a comment. */
  userdata?: Buffer;
  /** Names of expressions nlkit (and nft) cannot print; they are left out of `text`, as nft does. */
  unknown?: string[];
}

/**
 * A chain as `nft.ruleset()` returns it; base chains carry type, hook, priority and policy.
 *
 * @example
 * ```ts
 * const rs = await nft.ruleset({ family: "inet" });
 * const input: NftChain | undefined = rs.tables.find((t) => t.name === "fw")?.chains.find((c) => c.name === "input");
 * console.log(input?.type, input?.hook, input?.priority, input?.policy);   // filter input 0 drop
 * ```
 */
export interface NftChain {
  /** The table's family. */
  family: NftFamily;
  /** The table's name. */
  table: string;
  /** The chain's name. */
  name: string;
  /** The kernel's handle of the chain. */
  handle: number;
  /** Base chains: "filter", "nat" or "route". */
  type?: string;
  /** Base chains: "input", "forward", "prerouting", "ingress"... */
  hook?: string;
  /** Base chains: the priority as a number. */
  priority?: number;
  /** Base chains: "accept" or "drop". */
  policy?: string;
  /** netdev (and inet ingress) chains: the devices hooked. */
  device?: string | string[];
  /** NFT_CHAIN_* flags as the kernel sent them. */
  flags: number;
  /** The comment given at creation. */
  comment?: string;
  /** Its rules, in order. */
  rules: NftRule[];
}

/**
 * A set as `nft.ruleset()` returns it: type, flags and elements in nft's notation.
 *
 * @example
 * ```ts
 * const rs = await nft.ruleset({ family: "inet" });
 * const blocked: NftSet | undefined = rs.tables.find((t) => t.name === "fw")?.sets.find((s) => s.name === "blocked");
 * console.log(blocked?.type, blocked?.flags, blocked?.elements);   // ipv4_addr [ 'interval' ] [ '192.0.2.0/24', '198.51.100.7' ]
 * ```
 */
export interface NftSet {
  /** The table's family. */
  family: NftFamily;
  /** The table's name. */
  table: string;
  /** The set's name. */
  name: string;
  /** The kernel's handle of the set. */
  handle: number;
  /** The key type as nft writes it: "ipv4_addr", "ipv4_addr . inet_proto . inet_service". */
  type: string;
  /** The key type's name when it is a single type nlkit can build sets of, else the kernel's id. */
  keyType: SetKeyType | number;
  /** The key's length in bytes. */
  keyLen: number;
  /** Kernel set flags by name (constant, interval, timeout, eval, concat, map, object...). */
  flags: string[];
  /** Default element timeout in seconds. */
  timeout?: number;
  /** Most elements the set may hold (NFTA_SET_DESC_SIZE). */
  size?: number;
  /** Seconds between garbage collections of expired elements. */
  gcInterval?: number;
  /** The set's lookup optimisation, when one was given. */
  policy?: "performance" | "memory";
  /** The comment given at creation. */
  comment?: string;
  /** Whether adjacent intervals are merged (auto-merge). */
  autoMerge?: boolean;
  /** Each element as nft prints it ("10.0.0.0/8", "tcp . 22 : accept", "192.0.2.1 timeout 1h expires 59m58s"). */
  elements: string[];
}

/**
 * A map as `nft.ruleset()` returns it: a set whose elements carry data.
 *
 * @example
 * ```ts
 * const rs = await nft.ruleset({ family: "inet" });
 * const ports: NftMap | undefined = rs.tables.find((t) => t.name === "fw")?.maps.find((m) => m.name === "ports");
 * console.log(`${ports?.type} : ${ports?.data}`, ports?.elements);   // inet_service : verdict [ '22 : jump ssh', '80 : accept' ]
 * ```
 */
export interface NftMap extends NftSet {
  /** What the map yields: "verdict", a type ("ipv4_addr . inet_service"), or an object type ("counter"). */
  data: string;
}

/**
 * A table as `nft.ruleset()` returns it, with everything it holds.
 *
 * @example
 * ```ts
 * const rs = await nft.ruleset({ family: "inet" });
 * const fw: NftTable | undefined = rs.tables.find((t) => t.name === "fw");
 * console.log(fw?.chains.map((c) => `${c.name}: ${c.rules.length} rules`), fw?.sets.map((s) => s.name));   // [ 'input: 2 rules' ] [ 'blocked' ]
 * ```
 */
export interface NftTable {
  /** ip, ip6, inet, arp, bridge or netdev. */
  family: NftFamily;
  /** The table's name. */
  name: string;
  /** The kernel's handle of the table. */
  handle: number;
  /** Table flags ("dormant", "owner"). */
  flags: string[];
  /** The comment given at creation. */
  comment?: string;
  /** Its chains, each with its rules. */
  chains: NftChain[];
  /** Its sets (not maps). */
  sets: NftSet[];
  /** Its maps and verdict maps. */
  maps: NftMap[];
  /** Its named counters, quotas, limits and ct helpers. */
  objects: NftObject[];
}

/**
 * Everything `nft.ruleset()` read: the tables with their chains, rules, sets, maps and objects. JSON-
 * safe (no BigInt).
 *
 * @example
 * ```ts
 * import { writeFileSync } from "node:fs";
 * const rs: NftRuleset = await nft.ruleset();
 * console.log(rs.tables.map((t) => `${t.family} ${t.name}`));   // [ 'inet fw', 'ip nat' ]
 * writeFileSync("ruleset.json", JSON.stringify(rs));
 * ```
 */
export interface NftRuleset {
  /** Every table read (only one family's when the read named a family), in the kernel's dump order. */
  tables: NftTable[];
}

type Msg = { family: number; attrs: Record<string, any> };
export type DumpMsg = Msg;

/** Decoded dump messages, grouped by kind (what readRuleset asks the kernel for). */
export interface RulesetMessages {
  tables: DumpMsg[];
  chains: DumpMsg[];
  sets: DumpMsg[];
  /** NFT_MSG_NEWSETELEM replies; each names its table and set. */
  elements: DumpMsg[];
  rules: DumpMsg[];
  objects?: DumpMsg[];
}

const num = (v: unknown): number => (typeof v === "bigint" ? Number(v) : typeof v === "number" ? v : 0);

/** Decodes one nf_tables message of any object kind (for dumps captured elsewhere). */
export function decodeNftMessage(buf: Buffer, start: number, len: number): { kind: keyof RulesetMessages; msg: DumpMsg } | undefined {
  if (len < 16 || start + len > buf.length) return undefined;
  const type = buf.readUInt16LE(start + 4);
  const kinds: Record<number, [keyof RulesetMessages, MessageDef]> = {
    [NFT_MSG_NEWTABLE]: ["tables", tableMsg], [NFT_MSG_NEWCHAIN]: ["chains", chainMsg], [NFT_MSG_NEWSET]: ["sets", setMsg],
    [NFT_MSG_NEWSETELEM]: ["elements", setElemMsg], [NFT_MSG_NEWRULE]: ["rules", ruleMsg], [NFT_MSG_NEWOBJ]: ["objects", objMsg],
  };
  const k = kinds[type];
  if (!k) return undefined;
  const m = decodeMessage(buf, start, len, k[1]);
  return { kind: k[0], msg: { family: Number(m.header.family), attrs: m.attrs as Record<string, any> } };
}

/** A set's type words: names joined by " . " (nft's concatenated type name). */
function typeText(types: readonly { name: string }[]): string {
  return types.map((t) => t.name).join(" . ");
}

const STATEMENTS = new WeakMap<NftRule, Stmt[]>();
const DECLS = new WeakMap<NftSet, SetDecl>();

/** The statements a rule was read into (for the doctor and renderRule); not part of the JSON. */
export function ruleStatements(rule: NftRule): Stmt[] | undefined {
  return STATEMENTS.get(rule);
}

const RULE_SETS = new WeakMap<NftRule, (name: string) => SetDecl | undefined>();

/** The sets and maps a rule's lookups name (its anonymous ones included), typed, with their elements. */
export function ruleSet(rule: NftRule, name: string): SetDecl | undefined {
  return RULE_SETS.get(rule)?.(name);
}

/** The typed declaration and elements a set or map was read from. */
export function setDeclaration(set: NftSet): SetDecl | undefined {
  return DECLS.get(set);
}

function comment(ud: unknown): string | undefined {
  return udataString(parseUdata(Buffer.isBuffer(ud) ? ud : undefined).get(UD_COMMENT));
}

export interface AssembleOptions {
  /** Interface names for iif/oif values (nft resolves them in its namespace). */
  env?: PrintEnv;
}

function publicSet(decl: SetDecl, ctx: PrintCtx): NftSet | NftMap {
  const s: NftSet = {
    family: decl.family, table: decl.table, name: decl.name, handle: decl.handle, type: typeText(decl.key),
    keyType: decl.key.length === 1 ? keyTypeName(decl.key[0]!.id) : decl.key.map((k) => k.id).reduce((a, id) => a * 64 + id, 0),
    keyLen: decl.keyLen, flags: flagNames(NFT_SET_F, decl.flags),
    elements: decl.elems.map((e) => printElem(e, ctx)),
  };
  if (decl.timeout !== undefined) s.timeout = decl.timeout / 1000;
  if (decl.size !== undefined) s.size = decl.size;
  if (decl.gcInterval !== undefined) s.gcInterval = decl.gcInterval / 1000;
  if (decl.policy !== undefined) s.policy = decl.policy;
  if (decl.comment !== undefined) s.comment = decl.comment;
  if (decl.autoMerge) s.autoMerge = true;
  DECLS.set(s, decl);
  if (!(decl.flags & (NFT_SET_F.map | NFT_SET_F.object))) return s;
  const map = s as NftMap;
  map.data = decl.verdict ? "verdict" : decl.objType ?? (decl.data ? typeText(decl.data) : "invalid");
  return map;
}

/** Builds the ruleset model out of dump messages. */
export function assembleRuleset(parts: RulesetMessages, opts: AssembleOptions = {}): NftRuleset {
  const out: NftRuleset = { tables: [] };
  const key = (fam: number, t: string) => `${fam}/${t}`;
  const byKey = new Map<string, NftTable>();
  for (const t of parts.tables) {
    const fam = FAMILY_NAMES.get(t.family);
    if (!fam) continue;
    const table: NftTable = {
      family: fam, name: String(t.attrs.name ?? ""), handle: num(t.attrs.handle),
      flags: flagNames(NFT_TABLE_F, num(t.attrs.flags)), chains: [], sets: [], maps: [], objects: [],
    };
    const c = comment(t.attrs.userdata);
    if (c !== undefined) table.comment = c;
    byKey.set(key(t.family, table.name), table);
    out.tables.push(table);
  }
  const decls = new Map<string, SetDecl>();
  const owners = new Map<SetDecl, { family: number; table: NftTable }>();
  for (const s of parts.sets) {
    const table = byKey.get(key(s.family, s.attrs.table));
    if (!table) continue;
    const decl = decodeSetDecl(s.attrs, table.family);
    const elemMsgs = parts.elements.filter((m) => m.family === s.family && m.attrs.table === s.attrs.table && m.attrs.set === s.attrs.name);
    decl.elems = decodeElements(decl, elemMsgs.map((m) => m.attrs));
    decls.set(`${key(s.family, table.name)}/${decl.name}`, decl);
    owners.set(decl, { family: s.family, table });
  }
  const ctxOf = (family: number, table: string): PrintCtx => ({
    protocolName, ...opts.env,
    isVerdictMap: (name) => decls.get(`${key(family, table)}/${name}`)?.verdict === true,
  });
  for (const decl of decls.values()) {
    if (decl.flags & NFT_SET_F.anonymous) continue;
    const { family, table } = owners.get(decl)!;
    const s = publicSet(decl, ctxOf(family, table.name));
    if ("data" in s) table.maps.push(s);
    else table.sets.push(s);
  }
  for (const o of parts.objects ?? []) {
    const table = byKey.get(key(o.family, o.attrs.table));
    if (table) table.objects.push(decodeObject(o.attrs, table.family));
  }
  const chainByKey = new Map<string, NftChain>();
  for (const c of parts.chains) {
    const table = byKey.get(key(c.family, c.attrs.table));
    if (!table) continue;
    const a = c.attrs;
    const chain: NftChain = { family: table.family, table: table.name, name: String(a.name ?? ""), handle: num(a.handle), flags: num(a.flags), rules: [] };
    if (a.hook) {
      chain.type = a.type;
      chain.hook = hookName(table.family, num(a.hook.hooknum));
      chain.priority = num(a.hook.priority);
      if (a.policy !== undefined) chain.policy = String(a.policy);
      if (a.hook.dev) chain.device = a.hook.dev;
      else if (a.hook.devs?.name) chain.device = a.hook.devs.name;
    }
    const cm = comment(a.userdata);
    if (cm !== undefined) chain.comment = cm;
    chainByKey.set(`${key(c.family, a.table)}/${a.name}`, chain);
    table.chains.push(chain);
  }
  for (const r of parts.rules) {
    const chain = chainByKey.get(`${key(r.family, r.attrs.table)}/${r.attrs.chain}`);
    if (!chain) continue;
    const expressions = (Array.isArray(r.attrs.expressions) ? r.attrs.expressions : []) as Expr[];
    const ctx = ctxOf(r.family, chain.table);
    const stmts = postprocess(delinearize(expressions, {
      family: chain.family, set: (name) => decls.get(`${key(r.family, chain.table)}/${name}`),
    }), chain.family);
    const rule: NftRule = {
      family: chain.family, table: chain.table, chain: chain.name, handle: num(r.attrs.handle),
      expressions: jsonSafe(expressions), text: printStmts(stmts, ctx),
    };
    const unknown = stmts.filter((s): s is Extract<Stmt, { s: "unknown" }> => s.s === "unknown").map((s) => s.name);
    if (unknown.length) rule.unknown = unknown;
    if (r.attrs.position !== undefined) rule.position = num(r.attrs.position);
    if (Buffer.isBuffer(r.attrs.userdata)) {
      rule.userdata = r.attrs.userdata;
      const c = comment(r.attrs.userdata);
      if (c !== undefined) {
        rule.comment = c;
        rule.text += `${rule.text ? " " : ""}comment "${c}"`;
      }
    }
    STATEMENTS.set(rule, stmts);
    const tkey = key(r.family, chain.table);
    RULE_SETS.set(rule, (name) => decls.get(`${tkey}/${name}`));
    chain.rules.push(rule);
  }
  return out;
}

export { readGeneration, readRuleset, readSetInfo, RulesetChangedError } from "./read.js";
export { renderRuleset } from "./render.js";
export type { NftObject } from "./objects.js";
