import { decodeMessage } from "../netlink/message.js";
import type { NetlinkSocket, Request } from "../netlink/socket.js";
import { encodeStruct } from "../netlink/struct.js";
import { encodeAttrs } from "../netlink/attrs.js";
import { chainMsg, genMsg, ruleMsg, setElemMsg, setMsg, tableMsg } from "./attrs.js";
import { DumpInterruptedError } from "../netlink/errors.js";
import type { Expr } from "./expr/index.js";
import { formatPriority } from "./priority.js";
import { renderExpressions } from "./render.js";
import { formatElements, keyTypeName, type DecodedElement, type SetKeyType } from "./setelem.js";
import {
  FAMILY_NAMES, flagNames, hookName, NFPROTO, NFT_MSG_GETCHAIN, NFT_MSG_GETGEN, NFT_MSG_GETRULE, NFT_MSG_GETSET,
  NFT_MSG_GETSETELEM, NFT_MSG_GETTABLE, NFT_MSG_NEWCHAIN, NFT_MSG_NEWRULE, NFT_MSG_NEWSET, NFT_MSG_NEWSETELEM, NFT_MSG_NEWTABLE, NFT_SET_F, NFT_TABLE_F, NFNETLINK_V0, type NftFamily,
} from "./types.js";
import type { MessageDef } from "../netlink/message.js";

export interface NftRule {
  family: NftFamily;
  table: string;
  chain: string;
  handle: number;
  position?: number;
  expressions: Expr[];
  /** What `nft list ruleset` prints for this rule. */
  text: string;
  comment?: string;
  userdata?: Buffer;
}

export interface NftChain {
  family: NftFamily;
  table: string;
  name: string;
  handle: number;
  type?: string;
  hook?: string;
  priority?: number;
  policy?: string;
  device?: string | string[];
  flags: number;
  rules: NftRule[];
}

export interface NftSet {
  family: NftFamily;
  table: string;
  name: string;
  handle: number;
  keyType: SetKeyType | number;
  keyLen: number;
  flags: string[];
  /** Default element timeout in seconds. */
  timeout?: number;
  /** Most elements the set may hold (NFTA_SET_DESC_SIZE). */
  size?: number;
  /** Seconds between garbage collections of expired elements. */
  gcInterval?: number;
  elements: string[];
}

export interface NftTable {
  family: NftFamily;
  name: string;
  handle: number;
  flags: string[];
  chains: NftChain[];
  sets: NftSet[];
}

export interface NftRuleset { tables: NftTable[] }

type Msg = { family: number; attrs: Record<string, any> };

function dumpReq(type: number, family: number, def: MessageDef, attrs?: Record<string, unknown>): Request {
  return {
    type, def,
    encode: (w) => {
      encodeStruct(w, def.header, { family, version: NFNETLINK_V0, resId: 0 });
      if (attrs) encodeAttrs(w, def.attrs, attrs);
    },
  };
}

function decoder(def: MessageDef) {
  return (buf: Buffer, start: number, len: number): Msg => {
    const m = decodeMessage(buf, start, len, def);
    return { family: Number(m.header.family), attrs: m.attrs as Record<string, any> };
  };
}

const num = (v: unknown) => (typeof v === "bigint" ? Number(v) : (v as number | undefined) ?? 0);

/** Decoded dump messages, grouped by kind (what readRuleset asks the kernel for). */
export interface RulesetMessages {
  tables: DumpMsg[];
  chains: DumpMsg[];
  sets: DumpMsg[];
  /** NFT_MSG_NEWSETELEM replies; each names its table and set. */
  elements: DumpMsg[];
  rules: DumpMsg[];
}
export type DumpMsg = Msg;

/**
 * The ruleset changed under every read (its generation moved between the first and the last
 * dump each time). `ruleset` is the last read, possibly a mix of two generations.
 */
export class RulesetChangedError extends DumpInterruptedError<NftRuleset> {
  override readonly name: string = "RulesetChangedError";
  readonly generations: Array<[number, number]>;
  constructor(ruleset: NftRuleset, generations: Array<[number, number]>) {
    super([ruleset], generations.length);
    this.message = `the nf_tables ruleset changed while it was read, ${generations.length} times in a row (generations ${generations.map(([a, b]) => `${a}->${b}`).join(", ")})`;
    this.generations = generations;
  }
  get ruleset(): NftRuleset { return this.messages[0]!; }
}

/** The ruleset generation: every committed transaction moves it on (NFT_MSG_GETGEN). */
export async function readGeneration(sock: NetlinkSocket): Promise<number> {
  const [m] = await sock.request({ ...dumpReq(NFT_MSG_GETGEN, 0, genMsg), reply: true }, decoder(genMsg));
  return num(m?.attrs.id);
}

/**
 * Reads tables, chains, sets with their elements, and rules; `family` limits it to one family.
 * They come from separate dumps, so the read is repeated (up to `attempts` times) until the
 * ruleset generation is the same before and after.
 */
export async function readRuleset(sock: NetlinkSocket, family?: NftFamily, opts: { attempts?: number } = {}): Promise<NftRuleset> {
  const attempts = opts.attempts ?? 3;
  const seen: Array<[number, number]> = [];
  for (;;) {
    const before = await readGeneration(sock);
    const rs = await readOnce(sock, family);
    const after = await readGeneration(sock);
    if (before === after) return rs;
    seen.push([before, after]);
    if (seen.length >= attempts) throw new RulesetChangedError(rs, seen);
  }
}

async function readOnce(sock: NetlinkSocket, family?: NftFamily): Promise<NftRuleset> {
  const f = family ? NFPROTO[family] : 0;
  const tables = await sock.dump(dumpReq(NFT_MSG_GETTABLE, f, tableMsg), decoder(tableMsg));
  const chains = await sock.dump(dumpReq(NFT_MSG_GETCHAIN, f, chainMsg), decoder(chainMsg));
  const sets = await sock.dump(dumpReq(NFT_MSG_GETSET, f, setMsg), decoder(setMsg));
  const elements: Msg[] = [];
  for (const s of sets) {
    // element dumps are per set
    elements.push(...await sock.dump(
      dumpReq(NFT_MSG_GETSETELEM, s.family, setElemMsg, { table: s.attrs.table, set: s.attrs.name }), decoder(setElemMsg)));
  }
  const rules = await sock.dump(dumpReq(NFT_MSG_GETRULE, f, ruleMsg), decoder(ruleMsg));
  return assembleRuleset({ tables, chains, sets, elements, rules });
}

/** One set's flags and key type (NFT_MSG_GETSET without NLM_F_DUMP is answered by one message). */
export async function readSetInfo(sock: NetlinkSocket, family: NftFamily, table: string, set: string): Promise<{ flags: number; keyType: number }> {
  const [m] = await sock.request({ ...dumpReq(NFT_MSG_GETSET, NFPROTO[family], setMsg, { table, name: set }), reply: true }, decoder(setMsg));
  return { flags: num(m?.attrs.flags), keyType: num(m?.attrs.keyType) };
}

/** Decodes one nf_tables message of any object kind (for dumps captured elsewhere). */
export function decodeNftMessage(buf: Buffer, start: number, len: number): { kind: keyof RulesetMessages; msg: DumpMsg } | undefined {
  const type = buf.readUInt16LE(start + 4);
  const kinds: Record<number, [keyof RulesetMessages, MessageDef]> = {
    [NFT_MSG_NEWTABLE]: ["tables", tableMsg], [NFT_MSG_NEWCHAIN]: ["chains", chainMsg], [NFT_MSG_NEWSET]: ["sets", setMsg],
    [NFT_MSG_NEWSETELEM]: ["elements", setElemMsg], [NFT_MSG_NEWRULE]: ["rules", ruleMsg],
  };
  const k = kinds[type];
  return k ? { kind: k[0], msg: decoder(k[1])(buf, start, len) } : undefined;
}

/** Builds the ruleset model out of dump messages. */
export function assembleRuleset(parts: RulesetMessages): NftRuleset {
  const { tables, chains, sets, rules } = parts;
  const out: NftRuleset = { tables: [] };
  const key = (fam: number, t: string) => `${fam}/${t}`;
  const byKey = new Map<string, NftTable>();
  for (const t of tables) {
    const fam = FAMILY_NAMES.get(t.family);
    if (!fam) continue;
    const table: NftTable = {
      family: fam, name: t.attrs.name, handle: num(t.attrs.handle),
      flags: flagNames(NFT_TABLE_F, num(t.attrs.flags)), chains: [], sets: [],
    };
    byKey.set(key(t.family, table.name), table);
    out.tables.push(table);
  }
  const anon = new Map<string, Map<string, string>>();
  for (const s of sets) {
    const table = byKey.get(key(s.family, s.attrs.table));
    if (!table) continue;
    const flags = num(s.attrs.flags);
    const elemMsgs = parts.elements.filter((m) => m.family === s.family && m.attrs.table === s.attrs.table && m.attrs.set === s.attrs.name);
    const elems: DecodedElement[] = [];
    for (const m of elemMsgs) {
      for (const e of (m.attrs.elements ?? []) as Array<Record<string, any>>) {
        if (!e.key?.value) continue;
        elems.push({ key: e.key.value, flags: num(e.flags), ...(e.timeout !== undefined ? { timeout: e.timeout } : {}) });
      }
    }
    const keyType = keyTypeName(num(s.attrs.keyType));
    const set: NftSet = {
      family: table.family, table: table.name, name: s.attrs.name, handle: num(s.attrs.handle),
      keyType, keyLen: num(s.attrs.keyLen), flags: flagNames(NFT_SET_F, flags),
      elements: formatElements(keyType, elems, (flags & NFT_SET_F.interval) !== 0),
    };
    if (s.attrs.timeout !== undefined) set.timeout = num(s.attrs.timeout) / 1000;
    if (s.attrs.desc?.size !== undefined) set.size = num(s.attrs.desc.size);
    if (s.attrs.gcInterval !== undefined) set.gcInterval = num(s.attrs.gcInterval) / 1000;
    if (flags & NFT_SET_F.anonymous) {
      const m = anon.get(key(s.family, table.name)) ?? new Map<string, string>();
      m.set(set.name, `{ ${set.elements.join(", ")} }`);
      anon.set(key(s.family, table.name), m);
    } else {
      table.sets.push(set);
    }
  }
  const chainByKey = new Map<string, NftChain>();
  for (const c of chains) {
    const table = byKey.get(key(c.family, c.attrs.table));
    if (!table) continue;
    const a = c.attrs;
    const chain: NftChain = { family: table.family, table: table.name, name: a.name, handle: num(a.handle), flags: num(a.flags), rules: [] };
    if (a.hook) {
      chain.type = a.type;
      chain.hook = hookName(table.family, num(a.hook.hooknum));
      chain.priority = num(a.hook.priority);
      if (a.policy !== undefined) chain.policy = String(a.policy);
      if (a.hook.dev) chain.device = a.hook.dev;
      else if (a.hook.devs?.name) chain.device = a.hook.devs.name;
    }
    chainByKey.set(`${key(c.family, a.table)}/${a.name}`, chain);
    table.chains.push(chain);
  }
  for (const r of rules) {
    const chain = chainByKey.get(`${key(r.family, r.attrs.table)}/${r.attrs.chain}`);
    if (!chain) continue;
    const expressions = (r.attrs.expressions ?? []) as Expr[];
    const rule: NftRule = {
      family: chain.family, table: chain.table, chain: chain.name, handle: num(r.attrs.handle),
      expressions,
      text: renderExpressions(expressions, { family: chain.family, anonSets: anon.get(key(r.family, chain.table)) ?? new Map() }),
    };
    if (r.attrs.position !== undefined) rule.position = num(r.attrs.position);
    if (r.attrs.userdata) {
      rule.userdata = r.attrs.userdata;
      const c = parseComment(r.attrs.userdata);
      if (c !== undefined) { rule.comment = c; rule.text += ` comment ${JSON.stringify(c)}`; }
    }
    chain.rules.push(rule);
  }
  return out;
}

/** NFTNL_UDATA_RULE_COMMENT out of a rule's userdata TLVs. */
function parseComment(ud: Buffer): string | undefined {
  let off = 0;
  while (off + 2 <= ud.length) {
    const type = ud[off]!, len = ud[off + 1]!;
    if (type === 0) return ud.toString("utf8", off + 2, off + 2 + len).replace(/\0.*$/s, "");
    off += 2 + len;
  }
  return undefined;
}

/** Same layout as `nft list ruleset`. */
export function renderRuleset(rs: NftRuleset): string {
  const lines: string[] = [];
  for (const t of rs.tables) {
    lines.push(`table ${t.family} ${t.name} {`);
    if (t.flags.length) lines.push(`\tflags ${t.flags.join(",")}`);
    const blocks: string[][] = [];
    for (const s of t.sets) blocks.push(renderSet(s));
    for (const c of t.chains) blocks.push(renderChain(c));
    blocks.forEach((b, i) => { if (i > 0) lines.push(""); lines.push(...b); });
    lines.push("}");
  }
  return lines.length ? lines.join("\n") + "\n" : "";
}

function renderChain(c: NftChain): string[] {
  const out = [`\tchain ${c.name} {`];
  if (c.hook) {
    const dev = c.device === undefined ? "" : Array.isArray(c.device)
      ? ` devices = { ${c.device.join(", ")} }` : ` device ${JSON.stringify(c.device)}`;
    out.push(`\t\ttype ${c.type} hook ${c.hook}${dev} priority ${formatPriority(c.family, c.hook, c.priority ?? 0)}; policy ${c.policy ?? "accept"};`);
  }
  for (const r of c.rules) out.push(`\t\t${r.text}`);
  out.push("\t}");
  return out;
}

const PER_LINE: Record<string, number> = { inet_proto: 5, inet_service: 5, mark: 5, ipv4_addr: 2 };

const SHOWN_FLAGS = [["constant", "constant"], ["eval", "dynamic"], ["interval", "interval"], ["timeout", "timeout"]] as const;

function renderSet(s: NftSet): string[] {
  const out = [`\tset ${s.name} {`, `\t\ttype ${s.keyType}`];
  // nft sizes constant sets itself and does not show that
  if (s.size && !s.flags.includes("constant")) out.push(`\t\tsize ${s.size}`);
  // nft's order and words (NFT_SET_EVAL is "dynamic"); a timeout value alone says "flags timeout"
  const shown = SHOWN_FLAGS.filter(([f]) => s.flags.includes(f)).map(([, word]) => word);
  if (shown.length === 1 && shown[0] === "timeout" && s.timeout !== undefined) shown.pop();
  if (shown.length) out.push(`\t\tflags ${shown.join(",")}`);
  if (s.timeout !== undefined) out.push(`\t\ttimeout ${formatDuration(s.timeout)}`);
  if (s.gcInterval !== undefined) out.push(`\t\tgc-interval ${formatDuration(s.gcInterval)}`);
  if (s.elements.length) {
    const per = PER_LINE[String(s.keyType)] ?? 1;
    let text = "";
    s.elements.forEach((e, i) => {
      if (i > 0) text += i % per === 0 ? ",\n\t\t\t     " : ", ";
      text += e;
    });
    out.push(`\t\telements = { ${text} }`);
  }
  out.push("\t}");
  return out;
}

function formatDuration(sec: number): string {
  const parts: string[] = [];
  let s = Math.floor(sec);
  for (const [u, n] of [["d", 86400], ["h", 3600], ["m", 60]] as const) {
    if (s >= n) { parts.push(`${Math.floor(s / n)}${u}`); s %= n; }
  }
  if (s || !parts.length) parts.push(`${s}s`);
  return parts.join("");
}
