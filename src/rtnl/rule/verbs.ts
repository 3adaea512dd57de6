import { decodeParts } from "../../netlink/compiled.js";
import type { Decoder } from "../../netlink/decoder.js";
import { NlkitInputError } from "../../netlink/errors.js";
import { inSubnet, parseCidr, parseIp, type Cidr, type IpFamily } from "../../netlink/ip.js";
import { tableRequest, type CallOptions, type Request } from "../../netlink/socket.js";
import type { StructValue } from "../../netlink/struct.js";
import { validateIfname } from "../context.js";
import { enumInput, enumOutput, frAction, rtProtocol, tableId, RT_TABLE_MAIN, type Table } from "../enums.js";
import { checkKeys, familyNumber, ipFamilyNumber, objectIn, prefixText, u32 } from "../input.js";
import { AF_INET, AF_INET6, AF_UNSPEC, RTM_DELRULE, RTM_GETRULE, RTM_NEWRULE } from "../types.js";
import { ObjectVerbs } from "../verb.js";
import { FIB_RULE_IIF_DETACHED, FIB_RULE_INVERT, FIB_RULE_OIF_DETACHED, fibRuleDef, IP_PROTOS } from "./table.js";
import { NLM_F_CREATE, NLM_F_EXCL } from "../../netlink/constants.js";

/**
 * What a matching rule does (`ip rule add ... blackhole`); to_tbl, a table lookup, is the default.
 *
 * @example
 * ```ts
 * const action: RuleAction = "unreachable";
 * await rt.rule.add({ priority: 200, to: "203.0.113.0/24", action });   // ip rule add pref 200 to 203.0.113.0/24 unreachable
 * ```
 */
export type RuleAction = "to_tbl" | "goto" | "nop" | "blackhole" | "unreachable" | "prohibit";
export type PortRange = number | [number, number];

/**
 * A rule for `rt.rule.add/del` in `ip rule`'s words: priority, from, to, fwmark/fwmask, iif, oif,
 * table and action.
 *
 * @example
 * ```ts
 * await rt.rule.add({ priority: 1000, from: "10.0.0.0/8", table: 100 });
 * ```
 */
export interface RuleSpec {
  /** Default from the addresses, else 4. */
  family?: IpFamily;
  /** ip's "pref"/"priority". */
  priority?: number;
  /** Source prefix; "all" or omitted matches everything. */
  from?: string;
  /** The destination prefix (ip's to). */
  to?: string;
  /** For action to_tbl (the default when adding): main unless given. */
  table?: Table;
  /** Match the fwmark. */
  fwmark?: number;
  /** Mask the fwmark before comparing. */
  fwmask?: number;
  /** Match packets from this interface (ip's iif). */
  iif?: string;
  /** Match packets to this interface (ip's oif). */
  oif?: string;
  /** Default a table lookup; "goto", "nop", "blackhole", "unreachable", "prohibit". */
  action?: RuleAction;
  /** Target priority of a goto rule (sets action goto). */
  goto?: number;
  /** Invert the selector (ip rule add not ...). */
  not?: boolean;
  /** Match the TOS. */
  tos?: number;
  /** Ignore lookup results with this prefix length or shorter (ip's suppress_prefixlength). */
  suppressPrefixlen?: number;
  /** Ignore lookup results through this device group. */
  suppressIfgroup?: number;
  /** Match the IP protocol ("tcp", "udp" or a number). */
  ipProto?: keyof typeof IP_PROTOS | number;
  /** Match a source port or range. */
  sport?: PortRange;
  /** Match a destination port or range. */
  dport?: PortRange;
  /** Look up the table of the packet's VRF. */
  l3mdev?: boolean;
  /** Match a uid range. */
  uidRange?: [number, number];
  /** Who installs the rule (ip's protocol). */
  protocol?: string | number;
  /** FRA_FLOW (realms). */
  realm?: number;
}

/**
 * list()'s selectors, as `ip rule show` takes them: a rule is listed when it matches every one
 * given. from/to select rules whose prefix lies inside the one given ("10.0.0.0/8" lists a rule
 * from 10.1.0.0/16 too; "all" lists every rule), the others must be equal.
 *
 * @example
 * ```ts
 * const filter: RuleListFilter = { from: "10.0.0.0/8", table: 100 };
 * for (const r of await rt.rule.list(filter)) console.log(r.priority, r.from);   // a rule from 10.1.0.0/16 is listed too
 * const removed = await rt.rule.flush({ table: 100 });   // only the rules looking up table 100
 * ```
 */
export interface RuleListFilter {
  /** 4 or 6; default both. */
  family?: IpFamily;
  /** Only the rule with this priority. */
  priority?: number;
  /** Only inverted rules ("not") */
  not?: boolean;
  /** The table a rule looks up ("main", a number). */
  table?: Table;
  /** Only rules with this source prefix. */
  from?: string;
  /** Only rules with this destination prefix. */
  to?: string;
  /** ip's dsfield */
  tos?: number;
  /** Only rules matching this mark. */
  fwmark?: number;
  /** The mask must be equal too (a rule without one has mask 0, one with a mark 0xffffffff). */
  fwmask?: number;
  /** Only rules for this input interface. */
  iif?: string;
  /** Only rules for this output interface. */
  oif?: string;
  /** Only l3mdev rules. */
  l3mdev?: boolean;
  /** Only rules for this uid range. */
  uidRange?: [number, number];
  /** Only rules for this protocol. */
  ipProto?: keyof typeof IP_PROTOS | number;
  /** Only rules for this source port range. */
  sport?: PortRange;
  /** Only rules for this destination port range. */
  dport?: PortRange;
  /** FRA_TUN_ID, as a number or a decimal string (a 64-bit id) */
  tunId?: number | string;
  /** Only rules installed by this protocol. */
  protocol?: string | number;
}

/**
 * A policy routing rule as `rt.rule.list()` returns it (`ip -j rule` data).
 *
 * @example
 * ```ts
 * const rules: Rule[] = await rt.rule.list({ family: 4 });
 * for (const r of rules) console.log(r.priority, r.from, r.action, r.table);   // 0 "all" "to_tbl" 255, then 32766 ... 254
 * ```
 */
export interface Rule {
  /** 4 or 6. */
  family: IpFamily;
  /** The rule's priority (ip's pref). */
  priority: number;
  /** "all", a prefix with its length, or a host address without /32 (/128). */
  from: string;
  /** The `from` prefix length. */
  srcLen: number;
  /** The destination prefix. */
  to?: string;
  /** The `to` prefix length. */
  dstLen: number;
  /** Table id (FRA_TABLE when present), 0 for rules that do not look up a table. */
  table: number;
  /** "to_tbl" (a lookup), "goto", "nop", "blackhole", "unreachable", "prohibit". */
  action: string | number;
  /** The rule matches what does not match its selector (ip rule add not ...). */
  not: boolean;
  /** The TOS matched. */
  tos: number;
  /** The fwmark matched. */
  fwmark?: number;
  /** The mask applied to the mark before comparing. */
  fwmask?: number;
  /** The input interface matched. */
  iif?: string;
  /** The input interface is gone. */
  iifDetached?: boolean;
  /** The output interface matched. */
  oif?: string;
  /** The output interface is gone. */
  oifDetached?: boolean;
  /** The priority a goto rule jumps to. */
  goto?: number;
  /** Lookups whose result has this prefix length or shorter are ignored. */
  suppressPrefixlen?: number;
  /** Lookups whose result goes out through this device group are ignored. */
  suppressIfgroup?: number;
  /** The table is the VRF's of the packet's device. */
  l3mdev?: boolean;
  /** The uid range matched. */
  uidRange?: [number, number];
  /** The IP protocol matched. */
  ipProto?: number;
  /** The source port range matched. */
  sport?: [number, number];
  /** The destination port range matched. */
  dport?: [number, number];
  /** Who installed the rule. */
  protocol?: string | number;
  /** The realm matched. */
  realm?: number;
  /** FRA_TUN_ID, as a decimal string (a 64-bit id). */
  tunId?: string;
}

interface Parts {
  header: StructValue;
  attrs: Record<string, unknown>;
}

const FR_ACT_TO_TBL = 1;
const FR_ACT_GOTO = 2;
const SPEC_KEYS = new Set([
  "family", "priority", "from", "to", "table", "fwmark", "fwmask", "iif", "oif", "action", "goto", "not", "tos",
  "suppressPrefixlen", "suppressIfgroup", "ipProto", "sport", "dport", "l3mdev", "uidRange", "protocol", "realm",
]);

// --- input to fib_rule_hdr + FRA_* ---------------------------------------------------------------

function portRange(v: PortRange, field: string): { start: number; end: number } {
  const [lo, hi] = typeof v === "number" ? [v, v] : Array.isArray(v) && v.length === 2 ? v : [NaN, NaN];
  if (u32(lo, field, 0xffff) > u32(hi, field, 0xffff)) throw new NlkitInputError(`${field} range ${lo}-${hi} is reversed`, field);
  return { start: lo!, end: hi! };
}

function ruleFamily(spec: { family?: IpFamily; from?: string; to?: string }): IpFamily {
  if (spec.family !== undefined) {
    if (spec.family !== 4 && spec.family !== 6) throw new NlkitInputError(`invalid family ${String(spec.family)}`, "family");
    return spec.family;
  }
  for (const t of [spec.from, spec.to]) {
    const c = typeof t === "string" && t !== "all" ? parseCidr(t) : undefined;
    if (c) return c.family;
  }
  return 4;
}

/** `ip rule add/del`'s request, attributes in ip's order. */
export function ruleParts(spec: RuleSpec, del: boolean): Parts {
  const s = objectIn(spec, "rule spec", "priority") as unknown as RuleSpec;
  for (const k of Object.keys(s)) if (!SPEC_KEYS.has(k)) throw new NlkitInputError(`unknown rule option "${k}"`, k);
  const family = ruleFamily(s);
  const header: StructValue = {
    family: ipFamilyNumber(family), dstLen: 0, srcLen: 0, tos: 0, table: 0,
    action: del ? 0 : FR_ACT_TO_TBL, flags: s.not ? FIB_RULE_INVERT : 0,
  };
  const attrs: Record<string, unknown> = {};
  for (const [key, lenKey, attr] of [["from", "srcLen", "src"], ["to", "dstLen", "dst"]] as const) {
    const text = s[key];
    if (text === undefined || text === "all") continue;
    const c = typeof text === "string" ? parseCidr(text) : undefined;
    if (!c) throw new NlkitInputError(`invalid ${key} "${String(text)}"`, key);
    if (c.family !== family) throw new NlkitInputError(`${key} ${text} is IPv${c.family} but the rule is IPv${family}`, key);
    header[lenKey] = c.prefixlen;
    if (c.prefixlen) attrs[attr] = c.bytes;
  }
  if (s.priority !== undefined) attrs.priority = u32(s.priority, "priority");
  if (s.tos !== undefined) header.tos = u32(s.tos, "tos", 0xff);
  if (s.fwmark !== undefined) attrs.fwmark = u32(s.fwmark, "fwmark");
  if (s.fwmask !== undefined) {
    if (s.fwmark === undefined) throw new NlkitInputError("fwmask needs fwmark", "fwmask");
    attrs.fwmask = u32(s.fwmask, "fwmask");
  }
  if (s.realm !== undefined) attrs.flow = u32(s.realm, "realm");
  let tableGiven = false;
  if (s.table !== undefined) {
    const id = tableId(s.table);
    tableGiven = true;
    if (id < 256) header.table = id;
    else attrs.table = id;
  }
  if (s.suppressPrefixlen !== undefined) attrs.suppressPrefixlen = u32(s.suppressPrefixlen, "suppressPrefixlen", 128);
  if (s.suppressIfgroup !== undefined) attrs.suppressIfgroup = u32(s.suppressIfgroup, "suppressIfgroup");
  if (s.iif !== undefined) { validateIfname(s.iif, "iif"); attrs.iifname = s.iif; }
  if (s.oif !== undefined) { validateIfname(s.oif, "oif"); attrs.oifname = s.oif; }
  if (s.l3mdev) {
    if (tableGiven) throw new NlkitInputError("l3mdev rules take their table from the device; give no table", "l3mdev");
    attrs.l3mdev = 1;
  }
  if (s.uidRange !== undefined) {
    if (!Array.isArray(s.uidRange) || s.uidRange.length !== 2) throw new NlkitInputError("uidRange must be [first, last]", "uidRange");
    const [lo, hi] = s.uidRange;
    if (u32(lo, "uidRange") > u32(hi, "uidRange")) throw new NlkitInputError("uidRange is reversed", "uidRange");
    attrs.uidRange = { start: lo, end: hi };
  }
  let action = header.action as number;
  if (s.action !== undefined) action = enumInput(frAction, s.action, "action");
  if (s.goto !== undefined) {
    if (s.action !== undefined && s.action !== "goto") throw new NlkitInputError("goto conflicts with the action", "goto");
    attrs.goto = u32(s.goto, "goto");
    action = FR_ACT_GOTO;
  } else if (action === FR_ACT_GOTO) {
    throw new NlkitInputError("action goto needs a goto target priority", "goto");
  }
  header.action = action;
  if (s.ipProto !== undefined) {
    const p = typeof s.ipProto === "number" ? s.ipProto : IP_PROTOS[s.ipProto];
    if (p === undefined) throw new NlkitInputError(`unknown ipProto "${String(s.ipProto)}"`, "ipProto");
    attrs.ipProto = u32(p, "ipProto", 0xff);
  }
  if (s.sport !== undefined) attrs.sportRange = portRange(s.sport, "sport");
  if (s.dport !== undefined) attrs.dportRange = portRange(s.dport, "dport");
  if (s.protocol !== undefined) attrs.protocol = enumInput(rtProtocol, s.protocol, "protocol");
  // ip rule add: a table lookup without a table means the main table
  if (!del && !tableGiven && !s.l3mdev && action === FR_ACT_TO_TBL) header.table = RT_TABLE_MAIN;
  return { header, attrs };
}

// --- fib_rule_hdr + FRA_* to Rule ----------------------------------------------------------------

interface RuleHeader { family?: number; dstLen?: number; srcLen?: number; tos?: number; table?: number; action?: number; flags?: number }

/** One RTM_NEWRULE (or DELRULE) as a Rule; undefined for other messages and families. */
export const decodeRule: Decoder<Rule | undefined> = (buf, start, len) => {
  const m = decodeParts<RuleHeader>(buf, start, len, fibRuleDef);
  if (m.type !== RTM_NEWRULE && m.type !== RTM_DELRULE) return undefined;
  const h = m.header;
  if (h.family !== AF_INET && h.family !== AF_INET6) return undefined;
  const a = m.attrs as Record<string, any>;
  const family: IpFamily = h.family === AF_INET ? 4 : 6;
  const full = family === 4 ? 32 : 128;
  const srcLen = h.srcLen ?? 0, dstLen = h.dstLen ?? 0, flags = h.flags ?? 0;
  const r: Rule = {
    family, priority: a.priority ?? 0, from: prefixText(a.src, srcLen, full, "all"), srcLen, dstLen,
    table: a.table ?? h.table ?? 0, action: enumOutput(frAction, h.action ?? 0), not: (flags & FIB_RULE_INVERT) !== 0, tos: h.tos ?? 0,
  };
  if (a.dst !== undefined || dstLen) r.to = prefixText(a.dst, dstLen, full, "all");
  if (a.fwmark !== undefined) r.fwmark = a.fwmark;
  if (a.fwmask !== undefined) r.fwmask = a.fwmask;
  if (a.iifname !== undefined) { r.iif = a.iifname; if (flags & FIB_RULE_IIF_DETACHED) r.iifDetached = true; }
  if (a.oifname !== undefined) { r.oif = a.oifname; if (flags & FIB_RULE_OIF_DETACHED) r.oifDetached = true; }
  if (a.goto !== undefined) r.goto = a.goto;
  if (a.suppressPrefixlen !== undefined && a.suppressPrefixlen !== 0xffffffff) r.suppressPrefixlen = a.suppressPrefixlen;
  if (a.suppressIfgroup !== undefined && a.suppressIfgroup !== 0xffffffff) r.suppressIfgroup = a.suppressIfgroup;
  if (a.l3mdev) r.l3mdev = true;
  if (a.uidRange?.start !== undefined && a.uidRange.end !== undefined) r.uidRange = [a.uidRange.start, a.uidRange.end];
  if (a.ipProto !== undefined) r.ipProto = a.ipProto;
  if (a.sportRange?.start !== undefined && a.sportRange.end !== undefined) r.sport = [a.sportRange.start, a.sportRange.end];
  if (a.dportRange?.start !== undefined && a.dportRange.end !== undefined) r.dport = [a.dportRange.start, a.dportRange.end];
  if (a.protocol !== undefined) r.protocol = enumOutput(rtProtocol, a.protocol);
  if (a.flow !== undefined) r.realm = a.flow;
  if (a.tunId !== undefined) r.tunId = String(a.tunId);
  return r;
};

/** A list filter checked once, before the dump: values to compare with each rule. */
interface Selectors {
  f: RuleListFilter;
  table?: number;
  from?: Cidr;
  to?: Cidr;
  ipProto?: number;
  sport?: { start: number; end: number };
  dport?: { start: number; end: number };
  protocol?: string | number;
}

const FILTER_KEYS = new Set([
  "family", "priority", "not", "table", "from", "to", "tos", "fwmark", "fwmask", "iif", "oif", "l3mdev", "uidRange",
  "ipProto", "sport", "dport", "tunId", "protocol",
]);

function selectors(f: RuleListFilter): Selectors {
  checkKeys(f, FILTER_KEYS, "filter");
  const sel: Selectors = { f };
  for (const [k, v] of [["priority", f.priority], ["fwmark", f.fwmark], ["fwmask", f.fwmask]] as const) if (v !== undefined) u32(v, k);
  if (f.tos !== undefined) u32(f.tos, "tos", 0xff);
  if (f.table !== undefined) sel.table = tableId(f.table);
  for (const key of ["from", "to"] as const) {
    const text = f[key];
    if (text === undefined || text === "all") continue;
    const c = typeof text === "string" ? parseCidr(text) : undefined;
    if (!c) throw new NlkitInputError(`invalid ${key} "${String(text)}"`, key);
    sel[key] = c;
  }
  if (f.iif !== undefined) validateIfname(f.iif, "iif");
  if (f.oif !== undefined) validateIfname(f.oif, "oif");
  if (f.uidRange !== undefined && (!Array.isArray(f.uidRange) || f.uidRange.length !== 2)) throw new NlkitInputError("uidRange must be [first, last]", "uidRange");
  if (f.ipProto !== undefined) {
    const p = typeof f.ipProto === "number" ? f.ipProto : IP_PROTOS[f.ipProto];
    if (p === undefined) throw new NlkitInputError(`unknown ipProto "${String(f.ipProto)}"`, "ipProto");
    sel.ipProto = u32(p, "ipProto", 0xff);
  }
  if (f.sport !== undefined) sel.sport = portRange(f.sport, "sport");
  if (f.dport !== undefined) sel.dport = portRange(f.dport, "dport");
  if (f.tunId !== undefined && !/^\d+$/.test(String(f.tunId))) throw new NlkitInputError(`invalid tunId ${String(f.tunId)}`, "tunId");
  if (f.protocol !== undefined) sel.protocol = enumOutput(rtProtocol, enumInput(rtProtocol, f.protocol, "protocol"));
  return sel;
}

/** The rule's prefix lies inside `want`: same family, at least as long, same leading bits. */
function inside(have: string | undefined, haveLen: number, family: IpFamily, want: Cidr): boolean {
  if (want.family !== family || want.prefixlen > haveLen) return false;
  if (want.prefixlen === 0) return true;
  const h = have === undefined ? undefined : parseIp(have.split("/")[0]!);
  return h !== undefined && inSubnet(h.bytes, want.bytes, want.prefixlen);
}

const sameRange = (r: [number, number] | undefined, want: { start: number; end: number }) => r !== undefined && r[0] === want.start && r[1] === want.end;

/** Whether a rule matches `ip rule show`'s selectors (iprule.c filter_nlmsg). */
function matches(r: Rule, s: Selectors): boolean {
  const f = s.f;
  if (f.priority !== undefined && r.priority !== f.priority) return false;
  if (f.not && !r.not) return false;
  if (s.from && !inside(r.from === "all" ? undefined : r.from, r.srcLen, r.family, s.from)) return false;
  if (s.to && !inside(r.to === undefined || r.to === "all" ? undefined : r.to, r.dstLen, r.family, s.to)) return false;
  if (f.tos !== undefined && r.tos !== f.tos) return false;
  if (f.fwmark !== undefined && (r.fwmark ?? 0) !== f.fwmark) return false;
  if (f.fwmask !== undefined && (r.fwmask ?? 0) !== f.fwmask) return false;
  if (f.iif !== undefined && r.iif !== f.iif) return false;
  if (f.oif !== undefined && r.oif !== f.oif) return false;
  if (f.l3mdev && !r.l3mdev) return false;
  if (f.uidRange && !sameRange(r.uidRange, { start: f.uidRange[0], end: f.uidRange[1] })) return false;
  if (s.ipProto !== undefined && (r.ipProto ?? 0) !== s.ipProto) return false;
  if (s.sport && !sameRange(r.sport, s.sport)) return false;
  if (s.dport && !sameRange(r.dport, s.dport)) return false;
  if (f.tunId !== undefined && r.tunId !== String(f.tunId)) return false;
  if (s.table !== undefined && r.table !== s.table) return false;
  if (s.protocol !== undefined && r.protocol !== s.protocol) return false;
  return true;
}

// --- verbs ---------------------------------------------------------------------------------------

/**
 * ip rule add/del/show/flush, over RTM_NEWRULE/DELRULE/GETRULE (the kernel cannot replace a rule).
 *
 * @example
 * ```ts
 * await rt.rule.add({ priority: 100, fwmark: 0x1, table: 100 });   // ip rule add pref 100 fwmark 0x1 table 100
 * await rt.route.add({ dst: "default", dev: "wg0", table: 100 });
 * for (const r of await rt.rule.list({ table: 100 })) console.log(r.priority, r.fwmark, r.table);
 * await rt.rule.del({ priority: 100 });
 * ```
 */
export class RuleApi extends ObjectVerbs {
  /** `ip rule add` (EEXIST when an identical rule exists). */
  add(spec: RuleSpec, opts?: CallOptions): Promise<void> {
    return this.change(() => this.request(RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, ruleParts(spec, false)), opts);
  }

  /** `ip rule del`: removes the first rule matching everything given. */
  del(spec: RuleSpec, opts?: CallOptions): Promise<void> {
    return this.change(() => this.request(RTM_DELRULE, 0, ruleParts(spec, true)), opts);
  }

  /**
   * IPv4 and IPv6 rules (or one family), in priority order as the kernel keeps them, that match
   * every selector given. Reads go straight to the socket, even from a batch.
   */
  async list(filter: RuleListFilter = {}, opts?: CallOptions): Promise<Rule[]> {
    const f = objectIn(filter, "list filter", "filter") as RuleListFilter;
    const family = familyNumber(f.family, "family");
    const sel = selectors(f);
    const rows = await this.readDump(tableRequest(fibRuleDef, RTM_GETRULE, 0, { family }), decodeRule, opts);
    return rows.filter((r): r is Rule => r !== undefined
      && (family === AF_UNSPEC || r.family === (family === AF_INET ? 4 : 6))
      && matches(r, sel));
  }

  /**
   * `ip rule flush`: deletes every rule the filter lists except the priority-0 one (the local
   * table lookup), as ip does; that includes the default main and default rules. Resolves with how many.
   */
  flush(filter: RuleListFilter = {}, opts?: CallOptions): Promise<number> {
    return this.flushAll(
      async () => (await this.list(filter, opts)).filter((r) => r.priority !== 0),
      (r) => this.del(ruleKey(r), opts),
    );
  }

  private request(type: number, flags: number, p: Parts): Request {
    return tableRequest(fibRuleDef, type, flags, p.header, p.attrs);
  }
}

/** What identifies a listed rule to the kernel's delete. */
function ruleKey(r: Rule): RuleSpec {
  const k: RuleSpec = { family: r.family, priority: r.priority, not: r.not };
  if (r.from !== "all") k.from = r.from;
  if (r.to !== undefined && r.to !== "all") k.to = r.to;
  if (r.table) k.table = r.table;
  if (r.tos) k.tos = r.tos;
  if (r.fwmark !== undefined) k.fwmark = r.fwmark;
  if (r.fwmark !== undefined && r.fwmask !== undefined) k.fwmask = r.fwmask;
  if (r.iif !== undefined) k.iif = r.iif;
  if (r.oif !== undefined) k.oif = r.oif;
  if (typeof r.action === "string" && r.action !== "to_tbl" && r.action !== "goto") k.action = r.action as RuleAction;
  if (r.goto !== undefined) k.goto = r.goto;
  return k;
}
