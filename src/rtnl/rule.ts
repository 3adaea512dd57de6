import { attrSet, decodeAttrs } from "../netlink/attrs.js";
import { NLM_F_CREATE, NLM_F_EXCL, NLMSG_HDRLEN } from "../netlink/constants.js";
import { NlkitInputError } from "../netlink/errors.js";
import { parseCidr, type IpFamily } from "../netlink/ip.js";
import { checkMessageBounds, type MessageDef } from "../netlink/message.js";
import { decodeStruct, encodeStruct, struct } from "../netlink/struct.js";
import type { NlWriter } from "../netlink/writer.js";
import { familyNumber } from "./addr.js";
import { validateIfname, type Executor, type RtnlContext } from "./context.js";
import { enumInput, enumOutput, frAction, rtProtocol, tableId, RT_TABLE_MAIN, type Table } from "./enums.js";
import { fibRuleHdr } from "./headers.js";
import { change } from "./verb.js";
import { AF_INET, AF_INET6, AF_UNSPEC, RTM_DELRULE, RTM_GETRULE, RTM_NAMES, RTM_NEWRULE } from "./types.js";

// --- tables (linux/fib_rules.h) ------------------------------------------------------------------

export const fibRuleUidRange = struct("fib_rule_uid_range", [["start", "u32"], ["end", "u32"]]);
export const fibRulePortRange = struct("fib_rule_port_range", [["start", "u16"], ["end", "u16"]]);

export const fraAttrs = attrSet("rule", "FRA_", {
  dst: [1, "ip"],
  src: [2, "ip"],
  iifname: [3, "string"],
  goto: [4, "u32"],
  unused2: [5, "binary"],
  priority: [6, "u32"],
  unused3: [7, "binary"],
  unused4: [8, "binary"],
  unused5: [9, "binary"],
  fwmark: [10, "u32"],
  flow: [11, "u32"],
  tunId: [12, "u64", { be: true }],
  suppressIfgroup: [13, "u32"],
  suppressPrefixlen: [14, "u32"],
  table: [15, "u32"],
  fwmask: [16, "u32"],
  oifname: [17, "string"],
  pad: [18, "binary"],
  l3mdev: [19, "u8"],
  uidRange: [20, "struct", { struct: fibRuleUidRange }],
  protocol: [21, "u8"],
  ipProto: [22, "u8"],
  sportRange: [23, "struct", { struct: fibRulePortRange }],
  dportRange: [24, "struct", { struct: fibRulePortRange }],
});

export const fibRuleDef: MessageDef = { name: "fib_rule_hdr", header: fibRuleHdr, attrs: fraAttrs, typeNames: RTM_NAMES };

const FRA = {
  DST: 1, SRC: 2, IIFNAME: 3, GOTO: 4, PRIORITY: 6, FWMARK: 10, FLOW: 11, SUPPRESS_IFGROUP: 13, SUPPRESS_PREFIXLEN: 14,
  TABLE: 15, FWMASK: 16, OIFNAME: 17, L3MDEV: 19, UID_RANGE: 20, PROTOCOL: 21, IP_PROTO: 22, SPORT_RANGE: 23, DPORT_RANGE: 24,
} as const;

const FIB_RULE_INVERT = 0x2;
const FIB_RULE_IIF_DETACHED = 0x8;
const FIB_RULE_OIF_DETACHED = 0x10;
const FR_ACT_TO_TBL = 1;
const FR_ACT_GOTO = 2;

/** IP protocol names ip rule accepts for ipproto (from /etc/protocols). */
export const IP_PROTOS: Readonly<Record<string, number>> = { icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, "ipv6-icmp": 58, sctp: 132, udplite: 136 };

export type RuleAction = "to_tbl" | "goto" | "nop" | "blackhole" | "unreachable" | "prohibit";
export type PortRange = number | [number, number];

export interface RuleSpec {
  family?: IpFamily;
  /** ip's "pref"/"priority". */
  priority?: number;
  /** Source prefix; "all" or omitted matches everything. */
  from?: string;
  to?: string;
  /** For action to_tbl (the default when adding): main unless given. */
  table?: Table;
  fwmark?: number;
  fwmask?: number;
  iif?: string;
  oif?: string;
  action?: RuleAction;
  /** Target priority of a goto rule (sets action goto). */
  goto?: number;
  not?: boolean;
  tos?: number;
  suppressPrefixlen?: number;
  suppressIfgroup?: number;
  ipProto?: keyof typeof IP_PROTOS | number;
  sport?: PortRange;
  dport?: PortRange;
  l3mdev?: boolean;
  uidRange?: [number, number];
  protocol?: string | number;
  /** FRA_FLOW (realms). */
  realm?: number;
}

export interface Rule {
  family: IpFamily;
  priority: number;
  /** "all", a prefix with its length, or a host address without /32 (/128). */
  from: string;
  srcLen: number;
  to?: string;
  dstLen: number;
  /** Table id (FRA_TABLE when present), 0 for rules that do not look up a table. */
  table: number;
  action: string | number;
  not: boolean;
  tos: number;
  fwmark?: number;
  fwmask?: number;
  iif?: string;
  iifDetached?: boolean;
  oif?: string;
  oifDetached?: boolean;
  goto?: number;
  suppressPrefixlen?: number;
  suppressIfgroup?: number;
  l3mdev?: boolean;
  uidRange?: [number, number];
  ipProto?: number;
  sport?: [number, number];
  dport?: [number, number];
  protocol?: string | number;
  realm?: number;
  tunId?: bigint;
}

// --- request building --------------------------------------------------------------------------

interface RuleReq {
  family: number; dstLen: number; srcLen: number; tos: number; table: number; action: number; flags: number;
  src?: Buffer; dst?: Buffer; priority?: number; fwmark?: number; fwmask?: number; flow?: number; tableAttr?: number;
  suppressPrefixlen?: number; suppressIfgroup?: number; iif?: string; oif?: string; l3mdev?: boolean;
  uidRange?: [number, number]; goto?: number; ipProto?: number; sport?: [number, number]; dport?: [number, number]; protocol?: number;
}

function u32(v: unknown, field: string, max = 0xffffffff): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > max) throw new NlkitInputError(`invalid ${field} ${String(v)}`, field);
  return v;
}

function portRange(v: PortRange, field: string): [number, number] {
  const [lo, hi] = typeof v === "number" ? [v, v] : v;
  if (u32(lo, field, 0xffff) > u32(hi, field, 0xffff)) throw new NlkitInputError(`${field} range ${lo}-${hi} is reversed`, field);
  return [lo, hi];
}

function ruleFamily(spec: RuleSpec): IpFamily {
  if (spec.family !== undefined) {
    if (spec.family !== 4 && spec.family !== 6) throw new NlkitInputError(`invalid family ${String(spec.family)}`, "family");
    return spec.family;
  }
  for (const t of [spec.from, spec.to]) {
    const c = t && t !== "all" ? parseCidr(t) : undefined;
    if (c) return c.family;
  }
  return 4;
}

function buildRule(spec: RuleSpec, del: boolean): RuleReq {
  if (!spec || typeof spec !== "object") throw new NlkitInputError("rule spec must be an object", "priority");
  const family = ruleFamily(spec);
  const r: RuleReq = {
    family: family === 4 ? AF_INET : AF_INET6, dstLen: 0, srcLen: 0, tos: 0, table: 0,
    action: del ? 0 : FR_ACT_TO_TBL, flags: spec.not ? FIB_RULE_INVERT : 0,
  };
  for (const [key, lenKey] of [["from", "srcLen"], ["to", "dstLen"]] as const) {
    const text = spec[key];
    if (text === undefined || text === "all") continue;
    const c = typeof text === "string" ? parseCidr(text) : undefined;
    if (!c) throw new NlkitInputError(`invalid ${key} "${String(text)}"`, key);
    if (c.family !== family) throw new NlkitInputError(`${key} ${text} is IPv${c.family} but the rule is IPv${family}`, key);
    r[lenKey] = c.prefixlen;
    if (c.prefixlen) r[key === "from" ? "src" : "dst"] = c.bytes;
  }
  if (spec.priority !== undefined) r.priority = u32(spec.priority, "priority");
  if (spec.tos !== undefined) r.tos = u32(spec.tos, "tos", 0xff);
  if (spec.fwmark !== undefined) r.fwmark = u32(spec.fwmark, "fwmark");
  if (spec.fwmask !== undefined) {
    if (spec.fwmark === undefined) throw new NlkitInputError("fwmask needs fwmark", "fwmask");
    r.fwmask = u32(spec.fwmask, "fwmask");
  }
  if (spec.realm !== undefined) r.flow = u32(spec.realm, "realm");
  let tableGiven = false;
  if (spec.table !== undefined) {
    const id = tableId(spec.table);
    tableGiven = true;
    if (id < 256) r.table = id;
    else r.tableAttr = id;
  }
  if (spec.suppressPrefixlen !== undefined) r.suppressPrefixlen = u32(spec.suppressPrefixlen, "suppressPrefixlen", 128);
  if (spec.suppressIfgroup !== undefined) r.suppressIfgroup = u32(spec.suppressIfgroup, "suppressIfgroup");
  if (spec.iif !== undefined) { validateIfname(spec.iif, "iif"); r.iif = spec.iif; }
  if (spec.oif !== undefined) { validateIfname(spec.oif, "oif"); r.oif = spec.oif; }
  if (spec.l3mdev) {
    if (tableGiven) throw new NlkitInputError("l3mdev rules take their table from the device; give no table", "l3mdev");
    r.l3mdev = true;
  }
  if (spec.uidRange !== undefined) {
    if (!Array.isArray(spec.uidRange) || spec.uidRange.length !== 2) throw new NlkitInputError("uidRange must be [first, last]", "uidRange");
    const [lo, hi] = spec.uidRange;
    if (u32(lo, "uidRange") > u32(hi, "uidRange")) throw new NlkitInputError("uidRange is reversed", "uidRange");
    r.uidRange = [lo, hi];
  }
  if (spec.action !== undefined) r.action = enumInput(frAction, spec.action, "action");
  if (spec.goto !== undefined) {
    if (spec.action !== undefined && spec.action !== "goto") throw new NlkitInputError("goto conflicts with the action", "goto");
    r.goto = u32(spec.goto, "goto");
    r.action = FR_ACT_GOTO;
  } else if (r.action === FR_ACT_GOTO) {
    throw new NlkitInputError("action goto needs a goto target priority", "goto");
  }
  if (spec.ipProto !== undefined) {
    const p = typeof spec.ipProto === "number" ? spec.ipProto : IP_PROTOS[spec.ipProto];
    if (p === undefined) throw new NlkitInputError(`unknown ipProto "${String(spec.ipProto)}"`, "ipProto");
    r.ipProto = u32(p, "ipProto", 0xff);
  }
  if (spec.sport !== undefined) r.sport = portRange(spec.sport, "sport");
  if (spec.dport !== undefined) r.dport = portRange(spec.dport, "dport");
  if (spec.protocol !== undefined) r.protocol = enumInput(rtProtocol, spec.protocol, "protocol");
  // ip rule add: a table lookup without a table means the main table
  if (!del && !tableGiven && !r.l3mdev && r.action === FR_ACT_TO_TBL) r.table = RT_TABLE_MAIN;
  return r;
}

function encodeRule(w: NlWriter, r: RuleReq): void {
  encodeStruct(w, fibRuleHdr, r as unknown as Record<string, number>);
  if (r.src) w.attrBytes(FRA.SRC, r.src);
  if (r.dst) w.attrBytes(FRA.DST, r.dst);
  if (r.priority !== undefined) w.attrU32(FRA.PRIORITY, r.priority);
  if (r.fwmark !== undefined) w.attrU32(FRA.FWMARK, r.fwmark);
  if (r.fwmask !== undefined) w.attrU32(FRA.FWMASK, r.fwmask);
  if (r.flow !== undefined) w.attrU32(FRA.FLOW, r.flow);
  if (r.tableAttr !== undefined) w.attrU32(FRA.TABLE, r.tableAttr);
  if (r.suppressPrefixlen !== undefined) w.attrU32(FRA.SUPPRESS_PREFIXLEN, r.suppressPrefixlen);
  if (r.suppressIfgroup !== undefined) w.attrU32(FRA.SUPPRESS_IFGROUP, r.suppressIfgroup);
  if (r.iif !== undefined) w.attrString(FRA.IIFNAME, r.iif);
  if (r.oif !== undefined) w.attrString(FRA.OIFNAME, r.oif);
  if (r.l3mdev) w.attrU8(FRA.L3MDEV, 1);
  if (r.uidRange) {
    const s = w.beginAttr(FRA.UID_RANGE);
    w.u32(r.uidRange[0]);
    w.u32(r.uidRange[1]);
    w.endAttr(s);
  }
  if (r.goto !== undefined) w.attrU32(FRA.GOTO, r.goto);
  if (r.ipProto !== undefined) w.attrU8(FRA.IP_PROTO, r.ipProto);
  for (const [t, range] of [[FRA.SPORT_RANGE, r.sport], [FRA.DPORT_RANGE, r.dport]] as const) {
    if (!range) continue;
    const s = w.beginAttr(t);
    w.u16(range[0]);
    w.u16(range[1]);
    w.endAttr(s);
  }
  if (r.protocol !== undefined) w.attrU8(FRA.PROTOCOL, r.protocol);
}

// --- decoding ------------------------------------------------------------------------------------

function prefixText(addr: string | undefined, len: number, full: number): string {
  if (addr === undefined) return len ? `0/${len}` : "all";
  return len === full ? addr : `${addr}/${len}`;
}

export function decodeRule(buf: Buffer, start: number, len: number): Rule | undefined {
  checkMessageBounds(buf, start, len);
  if (buf.readUInt16LE(start + 4) !== RTM_NEWRULE) return undefined;
  checkMessageBounds(buf, start, len, fibRuleHdr);
  const h = decodeStruct(buf, start + NLMSG_HDRLEN, 12, fibRuleHdr) as Record<string, number>;
  if (h.family !== AF_INET && h.family !== AF_INET6) return undefined;
  const a = decodeAttrs(buf, start + NLMSG_HDRLEN + 12, start + len, fraAttrs) as Record<string, any>;
  const family: IpFamily = h.family === AF_INET ? 4 : 6;
  const full = family === 4 ? 32 : 128;
  const r: Rule = {
    family, priority: a.priority ?? 0, from: prefixText(a.src, h.srcLen!, full), srcLen: h.srcLen!, dstLen: h.dstLen!,
    table: a.table ?? h.table!, action: enumOutput(frAction, h.action!), not: (h.flags! & FIB_RULE_INVERT) !== 0, tos: h.tos!,
  };
  if (a.dst !== undefined || h.dstLen) r.to = prefixText(a.dst, h.dstLen!, full);
  if (a.fwmark !== undefined) r.fwmark = a.fwmark;
  if (a.fwmask !== undefined) r.fwmask = a.fwmask;
  if (a.iifname !== undefined) { r.iif = a.iifname; if (h.flags! & FIB_RULE_IIF_DETACHED) r.iifDetached = true; }
  if (a.oifname !== undefined) { r.oif = a.oifname; if (h.flags! & FIB_RULE_OIF_DETACHED) r.oifDetached = true; }
  if (a.goto !== undefined) r.goto = a.goto;
  if (a.suppressPrefixlen !== undefined && a.suppressPrefixlen !== 0xffffffff) r.suppressPrefixlen = a.suppressPrefixlen;
  if (a.suppressIfgroup !== undefined && a.suppressIfgroup !== 0xffffffff) r.suppressIfgroup = a.suppressIfgroup;
  if (a.l3mdev) r.l3mdev = true;
  if (a.uidRange) r.uidRange = [a.uidRange.start, a.uidRange.end];
  if (a.ipProto !== undefined) r.ipProto = a.ipProto;
  if (a.sportRange) r.sport = [a.sportRange.start, a.sportRange.end];
  if (a.dportRange) r.dport = [a.dportRange.start, a.dportRange.end];
  if (a.protocol !== undefined) r.protocol = enumOutput(rtProtocol, a.protocol);
  if (a.flow !== undefined) r.realm = a.flow;
  if (a.tunId !== undefined) r.tunId = a.tunId;
  return r;
}

// --- verbs ---------------------------------------------------------------------------------------

export class RuleApi {
  constructor(protected readonly ctx: RtnlContext, protected readonly exec: Executor) {}

  /** `ip rule add` (EEXIST when an identical rule exists). */
  add(spec: RuleSpec): Promise<void> {
    return change(this.exec, () => {
      const r = buildRule(spec, false);
      return { type: RTM_NEWRULE, flags: NLM_F_CREATE | NLM_F_EXCL, def: fibRuleDef, encode: (w: NlWriter) => encodeRule(w, r) };
    });
  }

  /** `ip rule del`: removes the first rule matching everything given. */
  del(spec: RuleSpec): Promise<void> {
    return change(this.exec, () => {
      const r = buildRule(spec, true);
      return { type: RTM_DELRULE, def: fibRuleDef, encode: (w: NlWriter) => encodeRule(w, r) };
    });
  }

  /**
   * IPv4 and IPv6 rules (or one family), in priority order as the kernel keeps them. Reads go
   * straight to the socket, even from a batch.
   */
  async list(filter: { family?: IpFamily } = {}): Promise<Rule[]> {
    const family = familyNumber(filter.family, "family");
    const rows = await this.ctx.socket.dump({
      type: RTM_GETRULE,
      def: fibRuleDef,
      encode: (w) => encodeStruct(w, fibRuleHdr, { family }),
    }, decodeRule, { retries: 2 });
    return rows.filter((r): r is Rule => r !== undefined && (family === AF_UNSPEC || r.family === (family === AF_INET ? 4 : 6)));
  }
}

export { buildRule, encodeRule };
