import { dsfieldName, tableName } from "../enums.js";
import type { Nexthop, Route, RouteMetrics } from "../route/verbs.js";

export interface RouteJsonOptions {
  /** ip -d: print type, table, protocol and scope even when they are the defaults. */
  details?: boolean;
  /** Fields the listing was filtered on, which ip leaves out of each entry. */
  filtered?: { table?: boolean; dev?: boolean; protocol?: boolean; scope?: boolean };
}

const FAMILY_NAMES: Record<number, string> = { 2: "inet", 10: "inet6", 28: "mpls", 7: "bridge", 17: "link" };

// ip's mx_names, with the JSON key it uses for RTAX_CC_ALGO
const METRIC_JSON: Array<[keyof RouteMetrics, string]> = [
  ["mtu", "mtu"], ["window", "window"], ["rtt", "rtt"], ["rttvar", "rttvar"], ["ssthresh", "ssthresh"],
  ["cwnd", "cwnd"], ["advmss", "advmss"], ["reordering", "reordering"], ["hoplimit", "hoplimit"],
  ["initcwnd", "initcwnd"], ["features", "features"], ["rtoMin", "rto_min"], ["initrwnd", "initrwnd"],
  ["quickack", "quickack"], ["ccAlgo", "congestion"], ["fastopenNoCookie", "fastopen_no_cookie"],
];

function viaJson(v: { family: number; address: string }): Record<string, string> {
  return { family: FAMILY_NAMES[v.family] ?? String(v.family), host: v.address };
}

function nexthopJson(nh: Nexthop): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (nh.gateway !== undefined) o.gateway = nh.gateway;
  if (nh.via) o.via = viaJson(nh.via);
  o.dev = nh.dev ?? `if${nh.index}`;
  o.weight = nh.weight;
  o.flags = nh.flags;
  return o;
}

/**
 * One entry of `ip -j route show` / `ip -j route get`, keys in ip's order (print_route).
 *
 * @example
 * ```ts
 * const routes = await rt.route.list({ table: 100 });
 * console.log(JSON.stringify(routes.map((r) => routeToIpJson(r, { filtered: { table: true } }))));   // ip -j route show table 100
 * console.log(JSON.stringify(routeToIpJson(await rt.route.get("203.0.113.1"))));   // ip -j route get 203.0.113.1
 * ```
 */
export function routeToIpJson(r: Route, opts: RouteJsonOptions = {}): Record<string, unknown> {
  const d = opts.details === true;
  const f = opts.filtered ?? {};
  const o: Record<string, unknown> = {};
  // a type filter does not hide the type: ip prints it when it is in the filter's mask
  if (r.type !== "unicast" || d) o.type = String(r.type);
  o.dst = r.dst;
  if (r.from !== undefined) o.from = r.from;
  if (r.nhid !== undefined) o.nhid = r.nhid;
  if (r.tos) o.tos = dsfieldName(r.tos);
  if (r.gateway !== undefined) o.gateway = r.gateway;
  if (r.via) o.via = viaJson(r.via);
  if (r.dev !== undefined && !f.dev) o.dev = r.dev;
  if (r.table && (r.table !== 254 || d) && !f.table) o.table = tableName(r.table);
  if (!r.cached) {
    if ((r.protocol !== "boot" || d) && !f.protocol) o.protocol = String(r.protocol);
    if ((r.scope !== "global" || d) && !f.scope) o.scope = String(r.scope);
  }
  if (r.prefsrc !== undefined) o.prefsrc = r.prefsrc;
  if (r.metric !== undefined) o.metric = r.metric;
  o.flags = r.flags;
  if (r.mark) o.mark = r.mark;
  if (r.uid !== undefined) o.uid = r.uid;
  if (r.family === 4 && r.cached) o.cache = r.cacheFlags ?? [];
  if (r.expires !== undefined) o.expires = r.expires;
  if (r.error !== undefined) o.error = r.error;
  if (r.metrics) {
    const m: Record<string, unknown> = {};
    for (const [key, json] of METRIC_JSON) {
      const v = r.metrics[key];
      if (v === undefined || (key === "hoplimit" && v === 0xffffffff)) continue;
      if (key === "features" && typeof v === "number") {
        if (v & 1) m.ecn = null;
        if (v & ~1) m.features = `0x${v.toString(16)}`;
        continue;
      }
      m[json] = v;
    }
    o.metrics = [m];
  }
  if (r.iif !== undefined) o.iif = r.iif;
  if (r.pref !== undefined) o.pref = String(r.pref);
  if (r.nexthops) o.nexthops = r.nexthops.map(nexthopJson);
  return o;
}
