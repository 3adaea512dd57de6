import { NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL } from "../netlink/constants.js";
import { NlkitInputError } from "../netlink/errors.js";
import { chainMsg, objMsg, ruleMsg, setElemMsg, setMsg, tableMsg } from "./attrs.js";
import type { NftMessage } from "./batch.js";
import { flattenExprs } from "./build.js";
import type { Expr } from "./expr/index.js";
import { parsePriority } from "./priority.js";
import { encodeElements, keyTypeName, keyTypeOf, type SetKeyType } from "./setelem.js";
import type { KnownSet } from "./text/compile.js";
import { elementMessages, elementsOf, objectMessage, setMessages, type ElementSpec, type ObjectSpec, type SetDeclSpec } from "./tx-sets.js";
import {
  HOOKS, NFPROTO, NFT_MSG_DELCHAIN, NFT_MSG_DELOBJ, NFT_MSG_DELRULE, NFT_MSG_DELSET, NFT_MSG_DELSETELEM, NFT_MSG_DELTABLE,
  NFT_MSG_NEWCHAIN, NFT_MSG_NEWRULE, NFT_MSG_NEWSET, NFT_MSG_NEWSETELEM, NFT_MSG_NEWTABLE, NFT_SET_F, NFT_TABLE_F,
  type NftFamily,
} from "./types.js";

/**
 * Names a table: its family and name.
 *
 * @example
 * ```ts
 * const fw: NftTableRef = { family: "inet", table: "fw" };
 * await nft.transaction((tx) => {
 *   tx.flushChain({ ...fw, name: "input" });
 *   tx.addRule({ ...fw, chain: "input", expressions: [nftExpr.tcpDport(22), nftExpr.accept()] });
 * });
 * ```
 */
export interface TableRef {
  /** The table's family: ip, ip6, inet, arp, bridge or netdev (NFPROTO_*, nfgenmsg's nfgen_family). */
  family: NftFamily;
  /** The table's name (NFTA_*_TABLE). */
  table: string;
}

/**
 * A table for `tx.addTable()` (`add table FAMILY NAME`), with its flags.
 *
 * @example
 * ```ts
 * const fw: NftTableSpec = { family: "inet", name: "fw", exclusive: true };
 * // nft create table inet fw: a NetlinkError, code "EEXIST", when it is there already
 * await nft.transaction((tx) => { tx.addTable(fw); });
 * ```
 */
export interface TableSpec {
  /** The table's family: ip, ip6, inet, arp, bridge or netdev. */
  family: NftFamily;
  /** The table's name, 1-255 bytes (NFTA_TABLE_NAME). */
  name: string;
  /**
   * nft's `flags dormant` (its base chains see no packets) and `flags owner` (the table belongs to
   * this netlink socket and goes when it closes); none by default (NFTA_TABLE_FLAGS).
   */
  flags?: Array<keyof typeof NFT_TABLE_F>;
  /** Fail with EEXIST when it exists (nft `create`), instead of leaving it as is (nft `add`). */
  exclusive?: boolean;
}

/**
 * A chain for `tx.addChain()`; base chains give type, hook, priority and policy (`type filter hook
 * input priority filter; policy drop;`).
 *
 * @example
 * ```ts
 * const input: NftChainSpec = { family: "inet", table: "fw", name: "input", type: "filter", hook: "input", priority: "filter", policy: "drop" };
 * await nft.transaction((tx) => {
 *   tx.addTable({ family: "inet", name: "fw" });
 *   tx.addChain(input);   // type filter hook input priority filter; policy drop;
 * });
 * ```
 */
export interface ChainSpec extends TableRef {
  /** The chain's name. */
  name: string;
  /** Base chains only: the chain type (nft's `type filter|nat|route`); default "filter" when a hook is given. */
  type?: "filter" | "nat" | "route";
  /** Base chains: "input", "forward", "output", "prerouting", "postrouting", "ingress"... */
  hook?: string;
  /** A number or an nft name: "srcnat", "dstnat", "filter", "mangle", "raw", "security", "filter + 5". */
  priority?: number | string;
  /** Base chains: what happens to packets no rule decided. */
  policy?: "accept" | "drop";
  /** netdev chains (and inet ingress): the device(s). */
  device?: string | string[];
  /** `create chain`: EEXIST when it exists (default `add chain`, which keeps it). */
  exclusive?: boolean;
}

/**
 * A rule for `tx.addRule()`/`tx.insertRule()`: its chain and `nftExpr` expressions, optionally placed
 * after (or before) the rule whose handle is `position`.
 *
 * @example
 * ```ts
 * import { nftExpr as x } from "nlkit";
 *
 * await nft.transaction((tx) => {
 *   tx.addRule({ family: "inet", table: "fw", chain: "input", expressions: [x.ctState("established", "related"), x.verdict("accept")] });
 * });
 * ```
 */
export interface RuleSpec extends TableRef {
  /** The chain's name. */
  chain: string;
  /** The rule's expressions, as `nftExpr` builds them (nested arrays are flattened). */
  expressions: ReadonlyArray<Expr | readonly Expr[]>;
  /** Handle of an existing rule: the new rule goes after it (or before it with insert). */
  position?: number;
  /**
   * 0-based index of an existing rule instead of a handle (nft `index`): resolved to that rule's
   * handle when the transaction is committed.
   */
  index?: number;
  /** Prepend (nft `insert`) instead of append (nft `add`). */
  insert?: boolean;
  /** A comment kept with the rule (`comment "..."`). */
  comment?: string;
}

/** A NEWRULE whose position is an index still to be resolved to a handle. */
export interface PendingIndex { message: number; family: NftFamily; table: string; chain: string; index: number }

/**
 * Names one rule by its chain and handle (for `tx.deleteRule()`).
 *
 * @example
 * ```ts
 * const { handle } = await nft.portForward({ dport: 8080, to: "10.0.0.2:80" });
 * if (handle !== undefined) {
 *   const rule: NftRuleRef = { family: "ip", table: "nat", chain: "prerouting", handle };
 *   await nft.transaction((tx) => { tx.deleteRule(rule); });   // nft delete rule ip nat prerouting handle N
 * }
 * ```
 */
export interface RuleRef extends TableRef {
  /** The chain's name. */
  chain: string;
  /** The rule's handle, as `nft -a list ruleset` shows it (NFTA_RULE_HANDLE). */
  handle: number;
}

/**
 * A set-element message for a set this transaction does not create: its elements are encoded
 * again at commit, once the set's flags and key type have been read from the kernel.
 */
export interface PendingSet {
  message: number;
  spec: ElementsSpec;
  /** No key type given: the set's whole declaration is read at commit and the elements typed by it. */
  byDeclaration?: boolean;
}

/** What commit reads back about an existing set (NFTA_SET_FLAGS, NFTA_SET_KEY_TYPE). */
export interface SetInfo { flags: number; keyType: number }

/**
 * A set or map for `tx.addSet()`: key type (a concatenation as an array), `map` for the data type,
 * flags, timeout and initial elements.
 *
 * @example
 * ```ts
 * const blocked: NftSetSpec = {
 *   family: "inet", table: "fw", name: "blocked", key: "ipv4_addr", flags: ["interval"], elements: ["192.0.2.0/24", "198.51.100.7"],
 * };
 * await nft.transaction((tx) => { tx.addSet(blocked); });
 * // set blocked { type ipv4_addr; flags interval; elements = { 192.0.2.0/24, 198.51.100.7 } }
 * ```
 */
export interface SetSpec extends TableRef, Omit<SetDeclSpec, "family" | "table" | "key"> {
  name: string;
  /** The key type, or the types of a concatenation ("ipv4_addr", ["ipv4_addr", "inet_service"]). */
  key?: string | readonly string[];
  /** The key type (single): the older spelling of `key`. */
  type?: SetKeyType;
}

/**
 * Elements added to (or deleted from) an existing set or map, typed by the set's declaration.
 *
 * @example
 * ```ts
 * // set guests { type ipv4_addr; flags timeout; }
 * const guest: NftElementsSpec = { family: "inet", table: "fw", set: "guests", elements: ["203.0.113.9"], timeout: 3600 };
 * await nft.transaction((tx) => { tx.addElements(guest); });   // elements = { 203.0.113.9 timeout 1h expires 1h }
 * ```
 */
export interface ElementsSpec extends TableRef {
  /** The set's or map's name. */
  set: string;
  /** The elements, in nft's notation: keys for a set, [key, data] pairs (or "key : data") for a map. */
  elements: readonly ElementSpec[];
  /**
   * Key type of a set created earlier, checked against the set's at commit. Without it, commit
   * reads the set's declaration (key, concatenation, map data) and types the elements by it.
   */
  type?: SetKeyType;
  /**
   * Optional: the set's own interval flag decides (read at commit for a set created earlier);
   * a value that disagrees with it is refused.
   */
  interval?: boolean;
  /** Per-element timeout in seconds. */
  timeout?: number;
}

/**
 * Collects the messages of one nf_tables transaction. Nothing is sent until it is committed.
 * Nft.commit completes what needs the kernel first (pendingIndexes, pendingSets); a batch sent
 * some other way must resolve those itself.
 *
 * @example
 * ```ts
 * const tx = new Transaction()
 *   .addTable({ family: "inet", name: "fw" })
 *   .addChain({ family: "inet", table: "fw", name: "input", type: "filter", hook: "input", priority: "filter", policy: "drop" })
 *   .addRule({ family: "inet", table: "fw", chain: "input", expressions: [nftExpr.ctState("established", "related"), nftExpr.accept()] });
 * console.log(tx.messages.length);   // 3
 * await nft.commit(tx);   // all three or none
 * ```
 */
export class Transaction {
  /** The batch's members in the order they are sent, without the BATCH_BEGIN/BATCH_END framing. */
  readonly messages: NftMessage[] = [];
  /** NEWRULE messages placed by `index`, whose position handle the commit still has to look up. */
  readonly pendingIndexes: PendingIndex[] = [];
  /** Element messages for sets this transaction does not create, encoded once the commit has read the set. */
  readonly pendingSets: PendingSet[] = [];
  private nextSetId = 1;
  private readonly sets = new Map<string, KnownSet & { id: number }>();

  private push(type: number, flags: number, family: NftFamily, def: NftMessage["def"], attrs: Record<string, unknown>): this {
    const f = NFPROTO[family];
    if (f === undefined) throw new NlkitInputError(`invalid family "${String(family)}"`, "family");
    this.messages.push({ type, flags, family: f, def, attrs });
    return this;
  }

  /** `add table`: creates the table, or leaves an existing one as it is (with `exclusive`, EEXIST as `create table`). */
  addTable(t: TableSpec): this {
    let flags = 0;
    for (const f of t.flags ?? []) {
      const b = NFT_TABLE_F[f];
      if (b === undefined) throw new NlkitInputError(`invalid table flag "${f}"`, "flags");
      flags |= b;
    }
    requireName(t.name, "name");
    return this.push(NFT_MSG_NEWTABLE, t.exclusive ? NLM_F_EXCL : 0, t.family, tableMsg, { name: t.name, flags });
  }

  /** `delete table`, with its chains, rules, sets and objects. */
  deleteTable(t: { family: NftFamily; name: string }): this {
    return this.push(NFT_MSG_DELTABLE, 0, t.family, tableMsg, { name: t.name });
  }

  /** Removes every rule of a table's chains (nft `flush table`). */
  flushTable(t: { family: NftFamily; name: string }): this {
    return this.push(NFT_MSG_DELRULE, 0, t.family, ruleMsg, { table: t.name });
  }

  /** `add chain`: a regular chain, or a base chain with type, hook, priority and policy. */
  addChain(c: ChainSpec): this {
    requireName(c.name, "name");
    const attrs: Record<string, unknown> = { table: c.table, name: c.name };
    const base = c.hook !== undefined || c.type !== undefined;
    if (base) {
      if (c.hook === undefined) throw new NlkitInputError("a base chain needs a hook", "hook");
      const hooknum = HOOKS[c.family]?.[c.hook];
      if (hooknum === undefined) throw new NlkitInputError(`hook "${c.hook}" does not exist in family ${c.family}`, "hook");
      attrs.type = c.type ?? "filter";
      if (c.policy) attrs.policy = c.policy;
      const hook: Record<string, unknown> = { hooknum, priority: parsePriority(c.family, c.priority ?? 0) };
      const devs = c.device === undefined ? [] : Array.isArray(c.device) ? c.device : [c.device];
      if (devs.length === 1) hook.dev = devs[0];
      else if (devs.length > 1) hook.devs = { name: devs };
      attrs.hook = hook;
    } else if (c.policy) {
      throw new NlkitInputError("only base chains have a policy", "policy");
    }
    return this.push(NFT_MSG_NEWCHAIN, NLM_F_CREATE | (c.exclusive ? NLM_F_EXCL : 0), c.family, chainMsg, attrs);
  }

  /** `delete chain`; the kernel refuses (EBUSY) while rules or jumps use it. */
  deleteChain(c: TableRef & { name: string }): this {
    return this.push(NFT_MSG_DELCHAIN, 0, c.family, chainMsg, { table: c.table, name: c.name });
  }

  /** Removes every rule of the chain (nft `flush chain`). */
  flushChain(c: TableRef & { name: string }): this {
    return this.push(NFT_MSG_DELRULE, 0, c.family, ruleMsg, { table: c.table, chain: c.name });
  }

  /** `add rule`: appends (or, with `position`, a rule's handle, places after that rule). */
  addRule(r: RuleSpec): this {
    const expressions = flattenExprs(r.expressions);
    const attrs: Record<string, unknown> = { table: r.table, chain: r.chain, expressions };
    if (r.position !== undefined && r.index !== undefined) throw new NlkitInputError("give position or index, not both", "index");
    if (r.position !== undefined) attrs.position = BigInt(r.position);
    if (r.index !== undefined) {
      if (!Number.isInteger(r.index) || r.index < 0) throw new NlkitInputError(`invalid rule index ${r.index}`, "index");
      this.pendingIndexes.push({ message: this.messages.length, family: r.family, table: r.table, chain: r.chain, index: r.index });
    }
    if (r.comment !== undefined) attrs.userdata = ruleComment(r.comment);
    // NLM_F_APPEND: after `position` (or at the end); without it: before `position` (or first)
    return this.push(NFT_MSG_NEWRULE, NLM_F_CREATE | (r.insert ? 0 : NLM_F_APPEND), r.family, ruleMsg, attrs);
  }

  /** `insert rule`: prepends (or, with `position`, a rule's handle, places before that rule). */
  insertRule(r: Omit<RuleSpec, "insert">): this {
    return this.addRule({ ...r, insert: true });
  }

  /** `delete rule ... handle N`. */
  deleteRule(r: RuleRef): this {
    return this.push(NFT_MSG_DELRULE, 0, r.family, ruleMsg, { table: r.table, chain: r.chain, handle: BigInt(r.handle) });
  }

  /**
   * A set or a map, with its elements: nft's `add set`/`add map`. Keys and map data are nft's
   * type names; concatenations are arrays. Sent as nft sends the same declaration.
   */
  addSet(s: SetSpec): this {
    requireName(s.name, "name");
    const key = s.key ?? s.type;
    if (key === undefined) throw new NlkitInputError("a set needs a key type (key)", "key");
    const id = this.nextSetId++;
    const { messages, known } = setMessages({ ...s, key }, id);
    this.sets.set(`${s.family}/${s.table}/${s.name}`, known);
    this.messages.push(...messages);
    return this;
  }

  /** addSet with the data type spelled out: "verdict", a type, a concatenation, or an object type. */
  addMap(m: SetSpec & { map: string | readonly string[] }): this {
    return this.addSet(m);
  }

  /** A named counter, quota, limit or ct helper (nft's `add counter` etc.). */
  addObject(o: ObjectSpec): this {
    requireName(o.name, "name");
    this.messages.push(objectMessage(o));
    return this;
  }

  /** `delete counter|quota|limit|ct helper`. */
  deleteObject(o: TableRef & { name: string; type: ObjectSpec["type"] }): this {
    return this.push(NFT_MSG_DELOBJ, 0, o.family, objMsg, { table: o.table, name: o.name, type: o.type });
  }

  /** `delete set` or `delete map`. */
  deleteSet(s: TableRef & { name: string }): this {
    return this.push(NFT_MSG_DELSET, 0, s.family, setMsg, { table: s.table, name: s.name });
  }

  /**
   * `add element`: elements typed by the set's declaration (read from the kernel when the set exists
   * already).
   */
  addElements(e: ElementsSpec): this {
    return this.elements(NFT_MSG_NEWSETELEM, NLM_F_CREATE, e);
  }

  /** `delete element`. */
  deleteElements(e: ElementsSpec): this {
    return this.elements(NFT_MSG_DELSETELEM, 0, e);
  }

  private elements(type: number, flags: number, e: ElementsSpec): this {
    const known = this.sets.get(`${e.family}/${e.table}/${e.set}`);
    if (known) {
      const single = known.key.length === 1 ? keyTypeName(known.key[0]!.id) : undefined;
      if (e.type !== undefined && e.type !== single) {
        throw new NlkitInputError(`set "${e.set}" holds ${known.key.map((k) => k.name).join(" . ")}, not ${e.type}`, "type");
      }
      if (e.interval !== undefined && e.interval !== known.interval) {
        throw new NlkitInputError(`set "${e.set}" is ${known.interval ? "" : "not "}an interval set`, "interval");
      }
      const withTimeout = e.timeout === undefined ? e.elements : e.elements.map((x) => (typeof x === "string" ? `${x} timeout ${Math.round(e.timeout! * 1000)}ms` : x));
      this.messages.push(elementMessages(known, withTimeout, type === NFT_MSG_DELSETELEM));
      known.hasElements = true;
      return this;
    }
    const attrs: Record<string, unknown> = { table: e.table, set: e.set };
    const keyType = e.type;
    if (!keyType || e.elements.some((x) => typeof x !== "string")) {
      if (keyType) throw new NlkitInputError(`with type, the elements of set "${e.set}" are strings`, "elements");
      // typed at commit from the set's declaration; the text is parsed now, so bad syntax is refused here
      elementsOf(e.elements.filter((x) => typeof x === "string"), false);
      this.pendingSets.push({ message: this.messages.length, spec: { ...e, elements: [...e.elements] }, byDeclaration: true });
      return this.push(type, flags, e.family, setElemMsg, attrs);
    }
    const texts = e.elements as string[];
    // encoded at commit, once the set's flags are read: guessed wrong, an interval set would get
    // start keys only, each an open range up to the top of the key space. The interval parse
    // accepts every element form, so bad text is still refused here.
    encodeElements(keyType, texts, true, e.timeout);
    this.pendingSets.push({ message: this.messages.length, spec: { ...e, type: keyType, elements: [...texts] } });
    return this.push(type, flags, e.family, setElemMsg, attrs);
  }

  /** Encodes a pending message's elements by the set's declaration, read from the kernel. */
  resolveSetByDeclaration(p: PendingSet, known: KnownSet): void {
    const e = p.spec;
    if (e.interval !== undefined && e.interval !== known.interval) {
      throw new NlkitInputError(`set "${e.set}" is ${known.interval ? "" : "not "}an interval set`, "interval");
    }
    const withTimeout = e.timeout === undefined ? e.elements : e.elements.map((x) => (typeof x === "string" ? `${x} timeout ${Math.round(e.timeout! * 1000)}ms` : x));
    const m = elementMessages(known, withTimeout, this.messages[p.message]!.type === NFT_MSG_DELSETELEM);
    this.messages[p.message] = { ...m, flags: this.messages[p.message]!.flags };
  }

  /** Encodes a pending message's elements as the set `info` (read from the kernel) needs them. */
  resolveSet(p: PendingSet, info: SetInfo): void {
    const e = p.spec;
    const interval = (info.flags & NFT_SET_F.interval) !== 0;
    const kt = keyTypeOf(e.type!);
    if (kt.id !== info.keyType) {
      throw new NlkitInputError(`set "${e.set}" holds ${String(keyTypeName(info.keyType))}, not ${e.type}`, "type");
    }
    if (e.interval !== undefined && e.interval !== interval) {
      throw new NlkitInputError(`set "${e.set}" is ${interval ? "" : "not "}an interval set`, "interval");
    }
    this.messages[p.message]!.attrs.elements = encodeElements(e.type!, e.elements as string[], interval, e.timeout);
  }
}

function requireName(name: unknown, field: string): void {
  if (typeof name !== "string" || name.length === 0 || Buffer.byteLength(name) > 255) {
    throw new NlkitInputError(`invalid name ${JSON.stringify(name)}`, field);
  }
}

/** NFTNL_UDATA_RULE_COMMENT: a TLV {type 0, len, NUL-terminated text}, as nft writes comments. */
export function ruleComment(text: string): Buffer {
  const s = Buffer.from(text + "\0");
  if (s.length > 128) throw new NlkitInputError("comment is longer than 127 bytes", "comment");
  return Buffer.concat([Buffer.from([0, s.length]), s]);
}
