import { dsfieldName, tableName } from "../enums.js";
import { IP_PROTOS } from "../rule/table.js";
import type { Rule } from "../rule/verbs.js";

function split(prefix: string): [string, number | undefined] {
  const i = prefix.indexOf("/");
  return i < 0 ? [prefix, undefined] : [prefix.slice(0, i), Number(prefix.slice(i + 1))];
}

/** C's "%#llx", as ip prints fwmark and fwmask: 0 without the prefix. */
function hex(n: number): string {
  return n ? `0x${n.toString(16)}` : "0";
}

function portJson(o: Record<string, unknown>, key: string, range: [number, number]): void {
  if (range[0] === range[1]) o[key] = range[0];
  else { o[`${key}_start`] = range[0]; o[`${key}_end`] = range[1]; }
}

/**
 * One entry of `ip -j rule show` (print_rule), keys in ip's order.
 *
 * @example
 * ```ts
 * const rules = await rt.rule.list({ family: 4 });
 * console.log(JSON.stringify(rules.map((r) => ruleToIpJson(r))));   // ip -j rule show
 * ```
 */
export function ruleToIpJson(r: Rule, opts: { details?: boolean } = {}): Record<string, unknown> {
  const o: Record<string, unknown> = { priority: r.priority };
  if (r.not) o.not = null;
  const [src, srclen] = split(r.from);
  o.src = src;
  if (srclen !== undefined) o.srclen = srclen;
  if (r.to !== undefined) {
    const [dst, dstlen] = split(r.to);
    o.dst = dst;
    if (dstlen !== undefined) o.dstlen = dstlen;
  }
  if (r.tos) o.tos = dsfieldName(r.tos);
  if (r.fwmark !== undefined || r.fwmask !== undefined) {
    o.fwmark = hex(r.fwmark ?? 0);
    if (r.fwmask !== undefined && r.fwmask !== 0xffffffff) o.fwmask = hex(r.fwmask);
  }
  if (r.iif !== undefined) { o.iif = r.iif; if (r.iifDetached) o.iif_detached = null; }
  if (r.oif !== undefined) { o.oif = r.oif; if (r.oifDetached) o.oif_detached = null; }
  if (r.l3mdev) o.l3mdev = null;
  if (r.uidRange) { o.uid_start = r.uidRange[0]; o.uid_end = r.uidRange[1]; }
  if (r.ipProto !== undefined) o.ipproto = Object.keys(IP_PROTOS).find((k) => IP_PROTOS[k] === r.ipProto) ?? String(r.ipProto);
  if (r.sport) portJson(o, "sport", r.sport);
  if (r.dport) portJson(o, "dport", r.dport);
  if (r.tunId !== undefined) o.tun_id = r.tunId.toString();
  if (r.table) {
    o.table = tableName(r.table);
    if (r.suppressPrefixlen !== undefined) o.suppress_prefixlen = r.suppressPrefixlen;
    if (r.suppressIfgroup !== undefined) o.suppress_ifgroup = String(r.suppressIfgroup);
  }
  if (r.realm !== undefined) {
    if (r.realm >>> 16) o.flow_from = String(r.realm >>> 16);
    o.flow_to = String(r.realm & 0xffff);
  }
  if (r.action === "goto") o.goto = r.goto ?? "none";
  else if (r.action === "nop") o.nop = null;
  else if (r.action !== "to_tbl") o.action = String(r.action);
  if (r.protocol !== undefined && ((r.protocol !== "unspec" && r.protocol !== "kernel") || opts.details)) o.protocol = String(r.protocol);
  return o;
}
