// The builders' sets, maps and named objects (tx.addSet, tx.addObject): the spec is turned into
// the declaration nft's text would make and compiled by the same code as apply(), so a map built
// here is sent with the bytes `nft -f` sends for the same map.
import { NlkitInputError } from "../netlink/errors.js";
import type { Elem, Loc } from "./ast.js";
import type { NftMessage } from "./batch.js";
import type { Expr } from "./expr/index.js";
import { declarations, type KnownSet } from "./text/compile.js";
import type { ObjectDecl, SetDecl as TextSet } from "./text/commands.js";
import { NftSyntaxError } from "./text/cursor.js";
import { EvalError } from "./text/eval-expr.js";
import { parseElements } from "./text/parser.js";
import { typeByName } from "./datatype.js";
import type { NftFamily } from "./types.js";

const NOWHERE: Loc = { line: 1, col: 1, end: 1 };

/**
 * One element's key: a value in nft's syntax, or the values of a concatenation.
 *
 * @example
 * ```ts
 * // set backends { type ipv4_addr . inet_service; }
 * const key: NftElementKey = ["10.0.0.2", "80"];
 * await nft.transaction((tx) => { tx.addElements({ family: "inet", table: "fw", set: "backends", elements: [key] }); });   // 10.0.0.2 . 80
 * ```
 */
export type ElementKey = string | readonly string[];
/**
 * A map element's data: a value, a concatenation, a verdict ("accept", "jump c" or nftExpr.verdict()), an object name.
 *
 * @example
 * ```ts
 * // map fwd { type inet_service : ipv4_addr . inet_service; }
 * const to: NftElementData = ["10.0.0.2", "80"];
 * await nft.transaction((tx) => { tx.addElements({ family: "inet", table: "fw", set: "fwd", elements: [["8080", to]] }); });   // 8080 : 10.0.0.2 . 80
 * ```
 */
export type ElementData = string | readonly string[] | Expr;
/**
 * A set element ("10.0.0.0/8", ["10.0.0.1", "80"]) or a map element ([key, data]), or nft's text of one ("80 : accept").
 *
 * @example
 * ```ts
 * const ports: NftElementSpec[] = [["22", nftExpr.jump("ssh")], ["80", "accept"], "443 : accept"];
 * await nft.transaction((tx) => {
 *   tx.addChain({ family: "inet", table: "fw", name: "ssh" });
 *   tx.addMap({ family: "inet", table: "fw", name: "ports", key: "inet_service", map: "verdict", elements: ports });
 * });   // elements = { 22 : jump ssh, 80 : accept, 443 : accept }
 * ```
 */
export type ElementSpec = ElementKey | readonly [ElementKey, ElementData];

export interface SetDeclSpec {
  /** The table's family. */
  family: NftFamily;
  /** The table's name. */
  table: string;
  /** The set's name. */
  name: string;
  /** The key type, or the types of a concatenation ("ipv4_addr", ["ipv4_addr", "inet_service"]). */
  key: string | readonly string[];
  /** A map: what it yields: "verdict", a type, a concatenation of types, or an object type ("counter", "quota", "limit"). */
  map?: string | readonly string[];
  /** "constant", "interval" (prefixes and ranges), "timeout", "dynamic" (updated from rules). */
  flags?: ReadonlyArray<"constant" | "interval" | "timeout" | "dynamic">;
  /** Default element timeout in seconds. */
  timeout?: number;
  /** Seconds between garbage collections of expired elements. */
  gcInterval?: number;
  /** The most elements the set may hold. */
  size?: number;
  /** Optimise lookups for speed or memory. */
  policy?: "performance" | "memory";
  /** A comment kept in the set's user data. */
  comment?: string;
  /** Merge overlapping and adjacent intervals (nft's auto-merge). */
  autoMerge?: boolean;
  /** Initial elements, in nft's notation. */
  elements?: readonly ElementSpec[];
}

const sym = (text: string) => ({ t: "symbol" as const, text });

function keyText(k: ElementKey): string {
  return typeof k === "string" ? k : k.join(" . ");
}

function dataText(d: ElementData): string {
  if (typeof d === "string") return d;
  if (Array.isArray(d)) return d.join(" . ");
  const e = d as Expr;
  const v = e.name === "immediate" && !Buffer.isBuffer(e.data) ? e.data?.data?.verdict : undefined;
  if (!v) throw new NlkitInputError("map data must be a value, a concatenation or a verdict", "elements");
  return v.chain ? `${v.code} ${v.chain}` : String(v.code);
}

/** Builder elements as nft's element syntax, parsed by the text parser. */
export function elementsOf(elements: readonly ElementSpec[], isMap: boolean): Elem[] {
  const texts = elements.map((e) => {
    if (typeof e === "string") return e;
    if (!isMap) return keyText(e as ElementKey);
    // in a map, a pair is [key, data]
    if (!Array.isArray(e) || e.length !== 2) throw new NlkitInputError("a map element is [key, data] or nft's text of one", "elements");
    const [k, d] = e as unknown as readonly [ElementKey, ElementData];
    return `${keyText(k)} : ${dataText(d)}`;
  });
  try {
    return parseElements(texts);
  } catch (e) {
    if (e instanceof NftSyntaxError) throw new NlkitInputError(`invalid elements: ${e.message}`, "elements");
    throw e;
  }
}

function checkTypes(types: readonly string[], field: string): void {
  for (const t of types) {
    const dt = typeByName(t);
    if (!dt || dt.kind === "invalid") throw new NlkitInputError(`unknown datatype "${t}"`, field);
  }
}

/** NEWSET (and NEWSETELEM) for a builder spec; `id` is the transaction's set id. */
export function setMessages(s: SetDeclSpec, id: number): { messages: NftMessage[]; known: KnownSet & { id: number } } {
  const key = [s.key].flat();
  if (!key.length) throw new NlkitInputError("a set needs a key type", "key");
  checkTypes(key, "key");
  const data = s.map === undefined ? undefined : [s.map].flat();
  if (data && !(data.length === 1 && ["verdict", "counter", "quota", "limit", "ct helper"].includes(data[0]!))) checkTypes(data, "map");
  const decl: TextSet = {
    kind: data ? "map" : "set", name: s.name, loc: NOWHERE, key: key.map(sym), flags: [...(s.flags ?? [])],
    ...(data ? { data: data.map(sym) } : {}),
    ...(s.timeout !== undefined ? { timeout: Math.round(s.timeout * 1000) } : {}),
    ...(s.gcInterval !== undefined ? { gcInterval: Math.round(s.gcInterval * 1000) } : {}),
    ...(s.size !== undefined ? { size: s.size } : {}), ...(s.policy ? { policy: s.policy } : {}),
    ...(s.comment !== undefined ? { comment: s.comment } : {}), ...(s.autoMerge ? { autoMerge: true } : {}),
    ...(s.elements?.length ? { elements: elementsOf(s.elements, data !== undefined) } : {}),
  };
  const c = declarations();
  let out;
  try {
    out = c.declareSet(s.family, s.table, decl, id);
  } catch (e) {
    if (e instanceof EvalError) throw new NlkitInputError(e.message, "elements");
    throw e;
  }
  const known = c.known(s.family, s.table, s.name)!;
  return { messages: out.map(({ origin: _o, ...m }) => m), known: { ...known, id } };
}

/** NEWSETELEM / DELSETELEM for elements of a set whose declaration is known. */
export function elementMessages(known: KnownSet & { id?: number }, elements: readonly ElementSpec[], del: boolean): NftMessage {
  const c = declarations({ sets: [known] });
  try {
    const [m] = c.elementsFor(known, elementsOf(elements, known.data !== undefined || known.verdict === true || known.objType !== undefined), del);
    const { origin: _o, ...msg } = m!;
    return msg;
  } catch (e) {
    if (e instanceof EvalError) throw new NlkitInputError(e.message, "elements");
    throw e;
  }
}

/**
 * A named stateful object for `tx.addObject()`: a counter, quota, limit or ct helper.
 *
 * @example
 * ```ts
 * const guest: NftObjectSpec = { family: "inet", table: "fw", name: "guest", type: "quota", quota: { bytes: 100 * 1024 * 1024, over: true } };
 * await nft.transaction((tx) => { tx.addObject(guest); });   // quota guest { over 100 mbytes }
 * ```
 */
export interface ObjectSpec {
  /** The table's family. */
  family: NftFamily;
  /** The table's name. */
  table: string;
  /** The object's name, as rules refer to it (`counter name "x"`). */
  name: string;
  /** Which stateful object. */
  type: "counter" | "quota" | "limit" | "ct helper";
  /** A comment kept in the object's user data. */
  comment?: string;
  /** counter: the initial packet count; default 0. */
  packets?: number;
  /** counter: the initial byte count. */
  bytes?: number;
  /** quota: size in bytes, bytes already used, and whether it matches once over. */
  quota?: {
    /** The quota's size in bytes (`quota NAME { 100 mbytes }`). */
    bytes: number;
    /** Bytes already consumed when it is created (nft's `used`); default 0. */
    used?: number;
    /** `over`: the quota matches once it is used up; default false, it matches until then (`until`). */
    over?: boolean;
  };
  /** limit: rate per unit; with bytes, a byte rate ("1 mbytes/second" is rate 1048576, bytes true). */
  limit?: {
    /** Packets (or, with `bytes`, bytes) per `per`: `rate 10/second` is 10. */
    rate: number;
    /** The rate's time unit; default "second". */
    per?: "second" | "minute" | "hour" | "day" | "week";
    /** nft's `burst`: packets (bytes for a byte rate) allowed above the rate; default 5 packets, or 0 bytes. */
    burst?: number;
    /** The rate counts bytes (`rate 1 mbytes/second`) instead of packets; default false. */
    bytes?: boolean;
    /** `rate over`: match traffic above the rate instead of within it; default false. */
    over?: boolean;
  };
  /** ct helper: the kernel helper ("ftp"), its layer 4 protocol and layer 3 family. */
  helper?: {
    /** The kernel's conntrack helper, nft's `type "ftp"` ("ftp", "sip", "tftp"...). */
    name: string;
    /** Its layer 4 protocol, as nft's `protocol tcp`: "tcp", "udp" or another protocol name or number. */
    protocol: string;
    /** nft's `l3proto`; default the table's family (ip for arp, bridge and netdev tables). */
    l3proto?: "ip" | "ip6" | "inet";
  };
}

/** NEWOBJ for a named counter, quota, limit or ct helper. */
export function objectMessage(o: ObjectSpec): NftMessage {
  const decl: ObjectDecl = { type: o.type, name: o.name, loc: NOWHERE, ...(o.comment !== undefined ? { comment: o.comment } : {}) };
  switch (o.type) {
    case "counter": decl.counter = { packets: o.packets ?? 0, bytes: o.bytes ?? 0 }; break;
    case "quota":
      if (!o.quota) throw new NlkitInputError("a quota object needs quota: { bytes }", "quota");
      decl.quota = { bytes: o.quota.bytes, used: o.quota.used ?? 0, over: o.quota.over ?? false };
      break;
    case "limit": {
      if (!o.limit) throw new NlkitInputError("a limit object needs limit: { rate }", "limit");
      const bytes = o.limit.bytes ?? false;
      decl.limit = { rate: o.limit.rate, unit: o.limit.per ?? "second", burst: o.limit.burst ?? (bytes ? 0 : 5), bytes, over: o.limit.over ?? false };
      break;
    }
    case "ct helper":
      if (!o.helper) throw new NlkitInputError("a ct helper object needs helper: { name, protocol }", "helper");
      decl.helper = { name: o.helper.name, protocol: o.helper.protocol, ...(o.helper.l3proto ? { l3proto: o.helper.l3proto } : {}) };
      break;
    default:
      throw new NlkitInputError(`unknown object type "${String((o as { type: unknown }).type)}"`, "type");
  }
  try {
    const [m] = declarations().declareObject(o.family, o.table, decl);
    const { origin: _o, ...msg } = m!;
    return msg;
  } catch (e) {
    if (e instanceof EvalError) throw new NlkitInputError(e.message, o.type);
    throw e;
  }
}
