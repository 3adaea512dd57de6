import { decodeParts } from "../../netlink/compiled.js";
import type { Decoder } from "../../netlink/decoder.js";
import { NetlinkError, NlkitInputError } from "../../netlink/errors.js";
import { parseCidr, parseIp, type IpFamily } from "../../netlink/ip.js";
import { tableRequest, type CallOptions, type Request } from "../../netlink/socket.js";
import type { StructValue } from "../../netlink/struct.js";
import type { BuildContext } from "../context.js";
import { enumInput, enumOutput, flagNames, rtProtocol, rtScope, rtType, tableId, RT_TABLE_LOCAL, RT_TABLE_MAIN, type Table } from "../enums.js";
import { addressIn, familyNumber, ipFamilyNumber, objectIn, prefixText, u32 } from "../input.js";
import { nameOf } from "../names.js";
import { AF_INET, AF_INET6, RTM_DELROUTE, RTM_GETROUTE, RTM_NEWROUTE } from "../types.js";
import { addFlags, ObjectVerbs, type AddOptions } from "../verb.js";
import { IP_PROTOS } from "../rule/table.js";
import {
  METRIC_KEYS, RT_FLAGS, RT_FLAGS_MASK, RTCF_FLAGS, RTCF_MASK, RTM_F_CLONED, RTM_F_FIB_MATCH, RTM_F_LOOKUP_TABLE, RTNH_F_ONLINK, rtmsgDef, type RawNexthop,
} from "./table.js";

/**
 * A route's type (`ip route add blackhole ...`); unicast is the default.
 *
 * @example
 * ```ts
 * const type: RouteType = "blackhole";
 * await rt.route.add({ dst: "203.0.113.0/24", type });   // ip route add blackhole 203.0.113.0/24
 * ```
 */
export type RouteType = "unicast" | "local" | "broadcast" | "anycast" | "multicast" | "blackhole" | "unreachable" | "prohibit" | "throw" | "nat";
/**
 * A route's scope in ip's words, or a number.
 *
 * @example
 * ```ts
 * const scope: RouteScope = "link";
 * await rt.route.add({ dst: "198.51.100.0/24", dev: "veth0", scope, src: "198.51.100.1" });
 * ```
 */
export type RouteScope = "global" | "universe" | "site" | "link" | "host" | "nowhere" | number;
/**
 * Who installed a route (`proto static`, `proto kernel`...); a name from rt_protos or a number.
 *
 * @example
 * ```ts
 * const protocol: RouteProtocol = "bgp";
 * await rt.route.replace({ dst: "203.0.113.0/24", gateway: "192.0.2.254", protocol });
 * const learned = await rt.route.list({ protocol });   // ip route show proto bgp
 * ```
 */
export type RouteProtocol = "unspec" | "redirect" | "kernel" | "boot" | "static" | "ra" | "dhcp" | "bgp" | "ospf" | "zebra" | "bird" | (string & {}) | number;

/**
 * A route's metrics (RTA_METRICS: mtu, window, rtt, advmss...), in ip's units.
 *
 * @example
 * ```ts
 * await rt.route.add({ dst: "198.51.100.0/24", gateway: "192.0.2.1", mtu: 1400, metrics: { initcwnd: 10, lock: ["mtu"] } });
 * const m: Partial<RouteMetrics> | undefined = (await rt.route.get({ to: "198.51.100.1", fibmatch: true })).metrics;
 * console.log(m?.mtu, m?.initcwnd, m?.lock);   // 1400 10 [ "mtu" ]
 * ```
 */
export interface RouteMetrics {
  /** Path MTU to the destination, in bytes (RTAX_MTU, ip's mtu). */
  mtu: number;
  /** Largest TCP window to advertise to the destination, in bytes (RTAX_WINDOW, ip's window). */
  window: number;
  /** Initial RTT estimate in milliseconds, like ip (the kernel keeps rtt x8 and rttvar x4). */
  rtt: number;
  /** Initial RTT variance estimate in milliseconds, like ip's rttvar (the kernel keeps it x4). */
  rttvar: number;
  /** Initial TCP slow start threshold, in segments (RTAX_SSTHRESH, ip's ssthresh). */
  ssthresh: number;
  /** Clamp on the TCP congestion window, in segments; applied only when locked (RTAX_CWND, ip's cwnd). */
  cwnd: number;
  /** TCP MSS to advertise to the destination, in bytes (RTAX_ADVMSS, ip's advmss). */
  advmss: number;
  /** Initial reordering estimate for TCP, in packets (RTAX_REORDERING, ip's reordering). */
  reordering: number;
  /** Hop limit (TTL) of packets to the destination, at most 255 (RTAX_HOPLIMIT, ip's hoplimit). */
  hoplimit: number;
  /** Initial TCP congestion window, in segments (RTAX_INITCWND, ip's initcwnd). */
  initcwnd: number;
  /** RTAX_FEATURE_* bits; 1 turns ECN on for TCP to the destination (ip's features ecn). */
  features: number;
  /** Smallest TCP retransmission timeout, in milliseconds (RTAX_RTO_MIN, ip's rto_min); nlkit locks it when sending, as ip does. */
  rtoMin: number;
  /** Initial TCP receive window to advertise, in segments (RTAX_INITRWND, ip's initrwnd). */
  initrwnd: number;
  /** 1 turns TCP quick ack mode on for the destination, 0 off (RTAX_QUICKACK, ip's quickack). */
  quickack: number;
  /** The TCP congestion control algorithm for the destination, e.g. "bbr" (RTAX_CC_ALGO, ip's congctl). */
  ccAlgo: string;
  /** 1 lets TCP Fast Open run without a cookie to the destination (RTAX_FASTOPEN_NO_COOKIE, ip's fastopen_no_cookie). */
  fastopenNoCookie: number;
  /** Names of the locked metrics. */
  lock: string[];
}

/**
 * One path of a multipath route (`nexthop via ADDR dev DEV weight N`).
 *
 * @example
 * ```ts
 * const nexthops: NexthopSpec[] = [
 *   { gateway: "192.0.2.1", dev: "eth0", weight: 2 },
 *   { gateway: "198.51.100.1", dev: "eth1", weight: 1 },
 * ];
 * await rt.route.replace({ dst: "default", nexthops });   // ip route replace default nexthop via ... weight 2 nexthop via ... weight 1
 * ```
 */
export interface NexthopSpec {
  /** This path's next hop. */
  gateway?: string;
  /** This path's device. */
  dev?: string | number;
  /** 1..256 (rtnh_hops + 1). */
  weight?: number;
  /** Use the gateway even if no route says it is on the link. */
  onlink?: boolean;
}

export interface RouteMetricsInput extends Partial<Omit<RouteMetrics, "lock">> {
  /** Metric names whose value the kernel must not change (RTAX_LOCK), e.g. ["mtu"]. */
  lock?: Array<keyof Omit<RouteMetrics, "lock">>;
}

/**
 * A route for `rt.route.add/replace/append/del` in `ip route`'s words: dst, gateway, dev, src, metric,
 * table, type, protocol, scope, multipath nexthops and metrics (mtu, advmss...).
 *
 * @example
 * ```ts
 * await rt.route.add({ dst: "10.1.0.0/16", dev: "veth1", src: "10.0.0.1", metric: 50, table: 1000, protocol: "static" });
 * ```
 */
export interface RouteSpec {
  /** "default", a prefix ("10.1.0.0/16", "fd00::/64") or a host address. */
  dst: string;
  /** Needed only when dst alone does not tell ("default"); default from the addresses. */
  family?: IpFamily;
  /** Default "unicast"; "blackhole", "unreachable", "prohibit"... take no gateway. */
  type?: RouteType | number;
  /** The next hop (ip's "via"); an IPv6 gateway on an IPv4 route is sent as RTA_VIA. */
  gateway?: string;
  /** The output device, by name or index. */
  dev?: string | number;
  /** Preferred source address (ip's "src", RTA_PREFSRC). */
  src?: string;
  /** Source prefix (ip's "from", RTA_SRC; IPv6 only in the kernel). */
  from?: string;
  /** The priority (ip's metric/preference). */
  metric?: number;
  /** main (default), local, default, or a number; above 255 it goes in RTA_TABLE. */
  table?: Table;
  /** Default as ip picks it (link for a route without gateway, universe otherwise). */
  scope?: RouteScope;
  /** Who installs it (ip's proto). */
  protocol?: RouteProtocol;
  /** Match on TOS. */
  tos?: number;
  /** Use the gateway even if no route says it is on the link. */
  onlink?: boolean;
  /** Path MTU (metric mtu). */
  mtu?: number;
  /** Advertised MSS (metric advmss). */
  advmss?: number;
  /** Other RTA_METRICS by name. */
  metrics?: RouteMetricsInput;
  /** ECMP next hops (RTA_MULTIPATH). */
  nexthops?: NexthopSpec[];
  /** IPv6 router preference. */
  pref?: "low" | "medium" | "high" | number;
  /** IPv6 route lifetime in seconds. */
  expires?: number;
}

/**
 * add()'s second argument: replace (CREATE|REPLACE) or append (CREATE|APPEND), and waiting.
 *
 * @example
 * ```ts
 * const opts: RouteModifyOptions = { append: true };
 * // ip -6 route append: one more path to the same prefix (the kernel makes the two a multipath route)
 * await rt.route.add({ dst: "2001:db8:1::/48", gateway: "fe80::2", dev: "eth1" }, opts);
 * ```
 */
export type RouteModifyOptions = AddOptions;

/**
 * What `rt.route.list()` keeps (`ip route show ...`); the table, family and most fields are filtered
 * by the kernel.
 *
 * @example
 * ```ts
 * const filter: RouteListFilter = { table: "all", family: 6, protocol: "static" };
 * for (const r of await rt.route.list(filter)) console.log(r.dst, r.gateway ?? "", r.table);
 * const removed = await rt.route.flush({ dev: "veth0" });   // ip route flush dev veth0 (main table)
 * ```
 */
export interface RouteListFilter {
  /** 4 or 6 (ip -4 / -6); absent: both. */
  family?: IpFamily;
  /** Default "main", like ip; "all" for every table. */
  table?: Table | "all";
  /** Only routes out through this device (RTA_OIF, ip route show dev), by name or index. */
  dev?: string | number;
  /** Only routes installed by this protocol (ip route show proto): "kernel", "static", "bgp"... or a number. */
  protocol?: RouteProtocol;
  /** Only routes of this type (ip route show type): "unicast", "local", "blackhole"... or a number. */
  type?: RouteType | number;
}

/**
 * What `rt.route.get()` tells the kernel's FIB lookup about the packet (`ip route get ADDR from ...
 * iif ... mark ... ipproto ... dport ...`), and `fibmatch` for the matching route instead of the
 * result.
 *
 * @example
 * ```ts
 * const opts: RouteGetOptions = { from: "192.0.2.10", iif: "eth1", mark: 0x10 };
 * const r = await rt.route.get("203.0.113.5", opts);   // ip route get 203.0.113.5 from 192.0.2.10 iif eth1 mark 0x10
 * console.log(r.type, r.dev, r.gateway);   // the route a packet forwarded from eth1 would take
 * ```
 */
export interface RouteGetOptions extends CallOptions {
  /** The source address the packet would have. */
  from?: string;
  /** Look up as if the packet came in through this device. */
  iif?: string | number;
  /** Force the output device. */
  oif?: string | number;
  /** The packet's fwmark. */
  mark?: number;
  /** The packet's TOS. */
  tos?: number;
  /** Look up as this user's socket would (RTA_UID). */
  uid?: number;
  /** With sport/dport: the flow's protocol, for multipath hashing and rules that match ports. */
  ipProto?: keyof typeof IP_PROTOS | number;
  /** The source port (with ipProto). */
  sport?: number;
  /** The destination port (with ipProto). */
  dport?: number;
  /** Return the FIB entry that matched rather than the resolved route (RTM_F_FIB_MATCH). */
  fibmatch?: boolean;
}

/**
 * route.get()'s spec form: the destination and what ip route get takes beside it.
 *
 * @example
 * ```ts
 * const spec: RouteGetSpec = { to: "198.51.100.20", ipProto: "tcp", dport: 443, fibmatch: true };
 * const r = await rt.route.get(spec);
 * console.log(r.dst, r.table);   // the FIB entry that matched, e.g. "default" 254
 * ```
 */
export interface RouteGetSpec extends Omit<RouteGetOptions, keyof CallOptions> {
  /** The destination to look up (ip route get ADDR). */
  to: string;
}

/**
 * One path of a multipath route as the kernel reports it.
 *
 * @example
 * ```ts
 * const r = await rt.route.get({ to: "203.0.113.9", fibmatch: true });
 * const paths: Nexthop[] = r.nexthops ?? [];
 * for (const nh of paths) console.log(nh.gateway, nh.dev, nh.weight, nh.flags);   // "dead" or "linkdown" in flags: a path that is down
 * ```
 */
export interface Nexthop {
  /** This path's next hop. */
  gateway?: string;
  /** A next hop of another family. */
  via?: {
    /** The next hop's address family number: AF_INET6 (10) for an IPv4 route via an IPv6 next hop. */
    family: number;
    /** The next hop's address, in that family's notation. */
    address: string;
  };
  /** This path's device name. */
  dev?: string;
  /** This path's device ifindex. */
  index: number;
  /** Its share of the traffic (ip's weight, from 1). */
  weight: number;
  /** RTNH_F_* flags in ip's words ("onlink", "dead", "linkdown"). */
  flags: string[];
}

/**
 * A route as `rt.route.list()` and `rt.route.get()` return it (`ip -j route` data).
 *
 * @example
 * ```ts
 * const routes: Route[] = await rt.route.list({ family: 4 });
 * const def = routes.find((r) => r.dst === "default");
 * console.log(def?.gateway, def?.dev, def?.metric, def?.protocol);   // "192.0.2.1" "eth0" 100 "dhcp"
 * ```
 */
export interface Route {
  /** 4 or 6. */
  family: IpFamily;
  /** "unicast", "local", "blackhole"... or a number. */
  type: string | number;
  /** "default", "prefix/len", or a host address without /32 (/128), as ip prints it. */
  dst: string;
  /** The destination's prefix length (0 for default). */
  dstLen: number;
  /** Source prefix (RTA_SRC, ip's "from"). */
  from?: string;
  /** The source prefix length (IPv6 source routing). */
  srcLen: number;
  /** The TOS the route matches. */
  tos: number;
  /** Table id (RTA_TABLE when present, else rtm_table). */
  table: number;
  /** Who installed it: "kernel", "boot", "static"... or a number. */
  protocol: string | number;
  /** "global" (RT_SCOPE_UNIVERSE), "link", "host"... or a number. */
  scope: string | number;
  /** rtm_flags in ip's words ("onlink", "linkdown", "cloned"...). */
  flags: string[];
  /** RTM_F_CLONED: a cache/exception entry (route get answers carry it). */
  cached: boolean;
  /** How an IPv4 lookup was resolved (RTCF_* names: "local", "brd", "mc"...), on cloned routes. */
  cacheFlags?: string[];
  /** The next hop's address. */
  gateway?: string;
  /** A gateway of another family (an IPv4 route via an IPv6 next hop). */
  via?: {
    /** The next hop's address family number: AF_INET6 (10) for an IPv4 route via an IPv6 next hop. */
    family: number;
    /** The next hop's address, in that family's notation. */
    address: string;
  };
  /** The output device's name. */
  dev?: string;
  /** The output device's ifindex. */
  index?: number;
  /** The input device (routes from `get` with iif). */
  iif?: string;
  /** RTA_IIF's index, when the route has one. */
  iifIndex?: number;
  /** The preferred source address (ip's src). */
  prefsrc?: string;
  /** The priority (ip's metric). */
  metric?: number;
  /** RTA_METRICS: mtu, advmss, window... */
  metrics?: Partial<RouteMetrics>;
  /** The paths of a multipath route. */
  nexthops?: Nexthop[];
  /** IPv6 router preference ("low", "medium", "high"). */
  pref?: string | number;
  /** The fwmark used in the lookup (from `get`). */
  mark?: number;
  /** The uid used in the lookup (from `get`). */
  uid?: number;
  /** Seconds left (from rta_cacheinfo), when the route expires. */
  expires?: number;
  /** The error an unreachable or prohibit route gives, as the kernel reports it. */
  error?: number;
  /** The nexthop object's id, for routes that use one. */
  nhid?: number;
}

interface Parts {
  header: StructValue;
  attrs: Record<string, unknown>;
}

const SPEC_KEYS = new Set([
  "dst", "family", "type", "gateway", "dev", "src", "from", "metric", "table", "scope", "protocol", "tos", "onlink",
  "mtu", "advmss", "metrics", "nexthops", "pref", "expires",
]);

// --- input to rtmsg + RTA_* ----------------------------------------------------------------------

/** A next hop's address: same family as the route, or (IPv4 routes only) an IPv6 RTA_VIA. */
function gatewayAttrs(text: unknown, field: string, family: IpFamily, attrs: Record<string, unknown>): void {
  const ip = typeof text === "string" ? parseIp(text) : undefined;
  if (!ip) throw new NlkitInputError(`invalid ${field} address "${String(text)}"`, field);
  if (ip.family === family) attrs.gateway = ip.bytes;
  else if (family === 4 && ip.family === 6) attrs.via = { family: AF_INET6, bytes: ip.bytes };
  else throw new NlkitInputError(`${field} ${String(text)} is IPv${ip.family} but the route is IPv${family}`, field);
}

function routeFamily(spec: RouteSpec): IpFamily {
  if (spec.family !== undefined && spec.family !== 4 && spec.family !== 6) throw new NlkitInputError(`invalid family ${String(spec.family)}`, "family");
  if (spec.family) return spec.family;
  const dst = spec.dst;
  if (typeof dst === "string" && dst !== "default" && dst !== "all" && dst !== "any") {
    const c = parseCidr(dst);
    if (c) return c.family;
  }
  for (const t of [spec.gateway, spec.src, spec.nexthops?.[0]?.gateway]) {
    const ip = typeof t === "string" ? parseIp(t) : undefined;
    if (ip) return ip.family;
  }
  return 4;
}

/** RTA_METRICS, in RTAX_* number order with RTAX_LOCK last, as ip writes them; undefined for none. */
function metricsAttrs(spec: RouteSpec): Record<string, unknown> | undefined {
  if (spec.metrics === undefined && spec.mtu === undefined && spec.advmss === undefined) return undefined;
  const m: Record<string, unknown> = { ...objectIn(spec.metrics ?? {}, "metrics", "metrics") };
  if (spec.mtu !== undefined) m.mtu = spec.mtu;
  if (spec.advmss !== undefined) m.advmss = spec.advmss;
  for (const key of Object.keys(m)) {
    if (key !== "lock" && !METRIC_KEYS.some((d) => d.key === key)) throw new NlkitInputError(`unknown route metric "${key}"`, `metrics.${key}`);
  }
  const out: Record<string, unknown> = {};
  let lock = 0;
  for (const d of METRIC_KEYS) {
    const v = m[d.key];
    if (v === undefined) continue;
    const field = `metrics.${d.key}`;
    if (d.key === "ccAlgo") {
      if (typeof v !== "string" || !v) throw new NlkitInputError(`invalid ${field}`, field);
      out.ccAlgo = v;
      continue;
    }
    let n = u32(v, field);
    // ip takes rtt and rttvar in milliseconds; the kernel keeps them scaled by 8 and 4
    if (d.key === "rtt" || d.key === "rttvar") {
      n *= d.key === "rtt" ? 8 : 4;
      if (n > 0xffffffff) throw new NlkitInputError(`${field} ${String(v)} ms is too large`, field);
    }
    if (d.key === "hoplimit" && n > 255) throw new NlkitInputError(`invalid ${field} ${n}`, field);
    else if (d.key === "quickack" && n > 1) throw new NlkitInputError(`${field} must be 0 or 1`, field);
    // ip always locks rto_min: the kernel ignores an unlocked one
    if (d.key === "rtoMin") lock |= 1 << d.type;
    out[d.key] = n >>> 0;
  }
  for (const name of (m.lock as string[] | undefined) ?? []) {
    const d = METRIC_KEYS.find((x) => x.key === name);
    if (!d) throw new NlkitInputError(`unknown route metric "${name}" in lock`, "metrics.lock");
    lock |= 1 << d.type;
  }
  if (lock) out.lock = lock >>> 0;
  return Object.keys(out).length ? out : undefined;
}

const PREF = { low: 3, medium: 0, high: 1 } as const;

/**
 * The rtmsg and RTA_* of `ip route add/del` with iproute2's defaults (iproute_modify): unicast,
 * protocol boot, the main table; local-ish types in the local table; IPv6 routes always
 * universe; an IPv4 unicast route without a gateway on-link. Attributes in ip's order: dst, src,
 * gateway/via, priority, prefsrc, table, pref, expires, oif, metrics, multipath.
 */
export function routeParts(spec: RouteSpec, b: BuildContext, del: boolean): Parts {
  const s = objectIn(spec, "route spec", "dst") as unknown as RouteSpec;
  for (const k of Object.keys(s)) if (!SPEC_KEYS.has(k)) throw new NlkitInputError(`unknown route option "${k}"`, k);
  if (s.dst === undefined) throw new NlkitInputError("dst is required (\"default\" for the default route)", "dst");
  if (typeof s.dst !== "string") throw new NlkitInputError(`invalid dst ${String(s.dst)}`, "dst");
  const family = routeFamily(s);
  const dst = parseCidr(s.dst, family);
  if (!dst) throw new NlkitInputError(`invalid dst "${s.dst}"`, "dst");
  if (dst.family !== family) throw new NlkitInputError(`dst ${s.dst} is IPv${dst.family} but family is ${family}`, "dst");
  if (family === 4 && dst.prefixlen < 32) {
    // the kernel refuses IPv4 prefixes with host bits set; say so before sending
    const v = dst.bytes.readUInt32BE(0);
    const mask = dst.prefixlen === 0 ? 0 : (0xffffffff << (32 - dst.prefixlen)) >>> 0;
    if ((v & ~mask) >>> 0) throw new NlkitInputError(`invalid prefix ${s.dst}: host bits are set`, "dst");
  }
  const type = s.type !== undefined ? enumInput(rtType, s.type, "type") : del ? 0 : rtType.values.get("unicast")!;
  const header: StructValue = {
    family: ipFamilyNumber(family), dstLen: dst.prefixlen, srcLen: 0,
    tos: s.tos !== undefined ? u32(s.tos, "tos", 0xff) : 0,
    table: RT_TABLE_MAIN, protocol: del ? 0 : rtProtocol.values.get("boot")!, scope: 0, type, flags: 0,
  };
  const attrs: Record<string, unknown> = {};
  if (dst.prefixlen > 0) attrs.dst = dst.bytes;
  if (s.from !== undefined) {
    const c = parseCidr(s.from);
    if (!c) throw new NlkitInputError(`invalid from "${s.from}"`, "from");
    if (c.family !== family) throw new NlkitInputError(`from ${s.from} is IPv${c.family} but the route is IPv${family}`, "from");
    header.srcLen = c.prefixlen;
    if (c.prefixlen > 0) attrs.src = c.bytes;
  }
  if (s.gateway !== undefined) {
    if (s.nexthops) throw new NlkitInputError("give either gateway or nexthops, not both", "gateway");
    gatewayAttrs(s.gateway, "gateway", family, attrs);
  }
  if (s.metric !== undefined) attrs.priority = u32(s.metric, "metric");
  if (s.src !== undefined) attrs.prefsrc = addressIn(s.src, "src", family).bytes;
  let tableGiven = false;
  if (s.table !== undefined) {
    const id = tableId(s.table);
    if (id === 0) throw new NlkitInputError("table 0 (unspec) is not a table", "table");
    tableGiven = true;
    if (id < 256) header.table = id;
    else {
      // rtm_table is 8 bits: larger ids travel in RTA_TABLE with the header left unspecified
      header.table = 0;
      attrs.table = id;
    }
  }
  if (s.pref !== undefined) {
    if (family !== 6) throw new NlkitInputError("pref is an IPv6 route option", "pref");
    const p = typeof s.pref === "number" ? u32(s.pref, "pref", 0xff) : PREF[s.pref];
    if (p === undefined) throw new NlkitInputError(`invalid pref "${String(s.pref)}" (low, medium, high)`, "pref");
    attrs.pref = p;
  }
  if (s.expires !== undefined) attrs.expires = u32(s.expires, "expires");
  if (s.dev !== undefined) attrs.oif = b.ifindex(s.dev, "dev");
  if (s.protocol !== undefined) header.protocol = enumInput(rtProtocol, s.protocol, "protocol");
  if (s.onlink) header.flags = RTNH_F_ONLINK;
  const metrics = metricsAttrs(s);
  if (metrics) attrs.metrics = metrics;
  if (s.nexthops !== undefined) attrs.multipath = nexthopsOf(s.nexthops, family, b);
  if (!tableGiven && isLocalType(type)) header.table = RT_TABLE_LOCAL;
  header.scope = s.scope !== undefined ? enumInput(rtScope, s.scope, "scope") : defaultScope(family, type, del, attrs);
  return { header, attrs };
}

function isLocalType(type: number): boolean {
  const name = rtType.names.get(type);
  return name === "local" || name === "broadcast" || name === "nat" || name === "anycast";
}

function defaultScope(family: IpFamily, type: number, del: boolean, attrs: Record<string, unknown>): number {
  const scope = (n: string) => rtScope.values.get(n)!;
  if (family === 6) return scope("global");
  const name = rtType.names.get(type);
  if (name === "local" || name === "nat") return scope("host");
  if (name === "broadcast" || name === "multicast" || name === "anycast") return scope("link");
  if (name === "unicast" || name === "unspec") {
    if (del) return scope("nowhere");
    if (attrs.gateway === undefined && attrs.via === undefined && attrs.multipath === undefined) return scope("link");
  }
  return scope("global");
}

function nexthopsOf(list: unknown, family: IpFamily, b: BuildContext): RawNexthop[] {
  if (!Array.isArray(list) || list.length === 0) throw new NlkitInputError("nexthops must be a non-empty array", "nexthops");
  return list.map((nh: NexthopSpec, i) => {
    const field = `nexthops[${i}]`;
    const weight = nh.weight ?? 1;
    if (!Number.isInteger(weight) || weight < 1 || weight > 256) throw new NlkitInputError(`${field}.weight must be 1..256`, `${field}.weight`);
    const out: RawNexthop = { ifindex: nh.dev !== undefined ? b.ifindex(nh.dev, `${field}.dev`) : 0, flags: nh.onlink ? RTNH_F_ONLINK : 0, hops: weight - 1, attrs: {} };
    if (nh.gateway !== undefined) gatewayAttrs(nh.gateway, `${field}.gateway`, family, out.attrs);
    else if (out.ifindex === 0) throw new NlkitInputError(`${field} needs a gateway or a dev`, field);
    return out;
  });
}

// --- rtmsg + RTA_* to Route ----------------------------------------------------------------------

function metricsOf(m: Record<string, unknown>): Partial<RouteMetrics> {
  const out: Partial<RouteMetrics> = {};
  const lockWord = (m.lock as number | undefined) ?? 0;
  for (const d of METRIC_KEYS) {
    const v = m[d.key];
    if (v === undefined) continue;
    if (d.key === "rtt") out.rtt = (v as number) / 8;
    else if (d.key === "rttvar") out.rttvar = (v as number) / 4;
    else (out as Record<string, unknown>)[d.key] = v;
  }
  const lock = METRIC_KEYS.filter((d) => lockWord & (1 << d.type)).map((d) => d.key);
  if (lock.length) out.lock = lock;
  return out;
}

/** USER_HZ: rta_cacheinfo.rta_expires is in clock ticks. */
const USER_HZ = 100;

interface RtmsgHeader { family?: number; dstLen?: number; srcLen?: number; tos?: number; table?: number; protocol?: number; scope?: number; type?: number; flags?: number }

/**
 * One RTM_NEWROUTE (or DELROUTE) as a Route, devices named "if<index>" until the caller resolves
 * them; undefined for other messages and non-IP families (ipmr, mpls).
 */
export const decodeRoute: Decoder<Route | undefined> = (buf, start, len) => {
  const m = decodeParts<RtmsgHeader>(buf, start, len, rtmsgDef);
  if (m.type !== RTM_NEWROUTE && m.type !== RTM_DELROUTE) return undefined;
  const h = m.header;
  if (h.family !== AF_INET && h.family !== AF_INET6) return undefined;
  const a = m.attrs as Record<string, any>;
  const family: IpFamily = h.family === AF_INET ? 4 : 6;
  const full = family === 4 ? 32 : 128;
  const dstLen = h.dstLen ?? 0, srcLen = h.srcLen ?? 0, hFlags = h.flags ?? 0;
  const rtFlags = hFlags & RT_FLAGS_MASK;
  const r: Route = {
    family,
    type: enumOutput(rtType, h.type ?? 0),
    dst: prefixText(a.dst, dstLen, full),
    dstLen,
    srcLen,
    tos: h.tos ?? 0,
    table: a.table ?? h.table ?? 0,
    protocol: enumOutput(rtProtocol, h.protocol ?? 0),
    scope: enumOutput(rtScope, h.scope ?? 0),
    flags: rtFlags ? flagNames(rtFlags, RT_FLAGS) : [],
    cached: (hFlags & RTM_F_CLONED) !== 0,
  };
  if (r.cached && family === 4) r.cacheFlags = flagNames((hFlags & RTCF_MASK) >>> 0, RTCF_FLAGS);
  if (a.src !== undefined || srcLen) r.from = prefixText(a.src, srcLen, full);
  if (a.gateway !== undefined) r.gateway = a.gateway;
  if (a.via !== undefined) r.via = a.via;
  if (a.oif !== undefined) {
    r.index = a.oif;
    r.dev = `if${a.oif}`;
  }
  if (a.iif !== undefined) {
    r.iifIndex = a.iif;
    r.iif = `if${a.iif}`;
  }
  if (a.prefsrc !== undefined) r.prefsrc = a.prefsrc;
  if (a.priority !== undefined) r.metric = a.priority;
  if (a.metrics) r.metrics = metricsOf(a.metrics);
  if (a.multipath) {
    r.nexthops = (a.multipath as RawNexthop[]).map((nh) => {
      const out: Nexthop = { index: nh.ifindex, weight: nh.hops + 1, flags: flagNames(nh.flags & RT_FLAGS_MASK, RT_FLAGS) };
      if (nh.attrs.gateway !== undefined) out.gateway = nh.attrs.gateway as string;
      if (nh.attrs.via !== undefined) out.via = nh.attrs.via as Nexthop["via"] & object;
      if (nh.ifindex) out.dev = `if${nh.ifindex}`;
      return out;
    });
  }
  if (a.pref !== undefined) r.pref = a.pref;
  if (a.mark !== undefined) r.mark = a.mark;
  if (a.uid !== undefined) r.uid = a.uid;
  if (a.nhId !== undefined) r.nhid = a.nhId;
  const ci = a.cacheinfo as Record<string, number> | undefined;
  if (ci) {
    if (ci.expires) r.expires = Math.trunc(ci.expires / USER_HZ);
    if (ci.error) r.error = ci.error;
  }
  return r;
};

/** The device indexes a route names, for resolving their names in one go. */
export function routeIndexes(routes: readonly Route[]): number[] {
  const out: number[] = [];
  for (const r of routes) {
    if (r.index !== undefined) out.push(r.index);
    if (r.iifIndex !== undefined) out.push(r.iifIndex);
    for (const nh of r.nexthops ?? []) if (nh.index) out.push(nh.index);
  }
  return out;
}

/** Fills in device names; indexes with no device here stay "if<index>", as ip prints them. */
export function nameRoutes(routes: readonly Route[], names: ReadonlyMap<number, string>): void {
  for (const r of routes) {
    if (r.index !== undefined) r.dev = nameOf(names, r.index);
    if (r.iifIndex !== undefined) r.iif = nameOf(names, r.iifIndex);
    for (const nh of r.nexthops ?? []) if (nh.index) nh.dev = nameOf(names, nh.index);
  }
}

// --- verbs ---------------------------------------------------------------------------------------

/**
 * ip route add/replace/append/del/get/show/flush, over RTM_NEWROUTE/DELROUTE/GETROUTE.
 *
 * @example
 * ```ts
 * await rt.route.add({ dst: "198.51.100.0/24", gateway: "192.0.2.254" });
 * await rt.route.replace({ dst: "default", gateway: "192.0.2.1", metric: 100 });
 * const r = await rt.route.get("203.0.113.7");   // ip route get 203.0.113.7
 * console.log(r.dev, r.gateway, r.prefsrc);
 * await rt.route.del({ dst: "198.51.100.0/24" });
 * ```
 */
export class RouteApi extends ObjectVerbs {
  /** `ip route add` (EEXIST if present); { replace } / { append } for the other two. */
  add(spec: RouteSpec, opts?: RouteModifyOptions): Promise<void> {
    let flags: number;
    try {
      flags = addFlags(opts, true);
    } catch (e) {
      return this.exec.fail(e);
    }
    return this.change((b) => this.request(RTM_NEWROUTE, flags, routeParts(spec, b, false)), opts);
  }

  /**
   * `ip route replace`: adds the route or overwrites the one with the same key
   * (NLM_F_CREATE|NLM_F_REPLACE).
   */
  replace(spec: RouteSpec, opts?: CallOptions): Promise<void> {
    return this.add(spec, { ...opts, replace: true });
  }

  /**
   * `ip route append`: adds another route with the same key after existing ones
   * (NLM_F_CREATE|NLM_F_APPEND).
   */
  append(spec: RouteSpec, opts?: CallOptions): Promise<void> {
    return this.add(spec, { ...opts, append: true });
  }

  /** `ip route del`: the kernel deletes the first route matching what is given. */
  del(spec: RouteSpec, opts?: CallOptions): Promise<void> {
    return this.change((b) => this.request(RTM_DELROUTE, 0, routeParts(spec, b, true)), opts);
  }

  /**
   * Routes of one table (main unless told), filtered by the kernel on table, device, protocol
   * and type (strict checking). A table that does not exist lists as empty. Reads go straight
   * to the socket, even from a batch.
   */
  async list(filter: RouteListFilter = {}, opts?: CallOptions): Promise<Route[]> {
    const f = objectIn(filter, "list filter", "filter") as RouteListFilter;
    const family = familyNumber(f.family, "family");
    const table = f.table === "all" ? 0 : tableId(f.table ?? "main");
    const protocol = f.protocol !== undefined ? enumInput(rtProtocol, f.protocol, "protocol") : 0;
    const type = f.type !== undefined ? enumInput(rtType, f.type, "type") : 0;
    const oif = f.dev !== undefined ? await this.ctx.ifindex(f.dev, "dev", opts) : 0;
    const attrs: Record<string, unknown> = {};
    if (table) attrs.table = table;
    if (oif) attrs.oif = oif;
    let rows: Array<Route | undefined>;
    try {
      rows = await this.readDump(tableRequest(rtmsgDef, RTM_GETROUTE, 0, { family, protocol, type }, attrs), decodeRoute, opts);
    } catch (e) {
      // with a family given, the kernel answers ENOENT for a table it has never created
      if (e instanceof NetlinkError && e.errno === 2 && table) return [];
      throw e;
    }
    const routes = rows.filter((r): r is Route => r !== undefined);
    nameRoutes(routes, await this.ctx.names.resolve(routeIndexes(routes), opts));
    return routes;
  }

  /**
   * `ip route get ADDRESS`: the route the kernel would use (RTM_GETROUTE lookup), as
   * get("10.0.0.1", { from, iif, oif, mark, tos, fibmatch }) or get({ to, ... }).
   */
  async get(to: string | RouteGetSpec, opts: RouteGetOptions = {}): Promise<Route> {
    const o: RouteGetOptions & { to?: string } = typeof to === "string" ? { ...opts, to } : { ...opts, ...objectIn(to, "route get spec", "to") };
    const dst = addressIn(o.to, "to");
    const bits = dst.family === 4 ? 32 : 128;
    // attributes in ip's order: the destination, what it writes while reading the words, then devices and mark
    const attrs: Record<string, unknown> = { dst: dst.bytes };
    if (o.from !== undefined) attrs.src = addressIn(o.from, "from", dst.family).bytes;
    if (o.uid !== undefined) attrs.uid = u32(o.uid, "uid");
    if (o.sport !== undefined) attrs.sport = u32(o.sport, "sport", 0xffff);
    if (o.dport !== undefined) attrs.dport = u32(o.dport, "dport", 0xffff);
    if (o.ipProto !== undefined) {
      const p = typeof o.ipProto === "number" ? o.ipProto : IP_PROTOS[o.ipProto];
      if (p === undefined) throw new NlkitInputError(`unknown ipProto "${String(o.ipProto)}"`, "ipProto");
      attrs.ipProto = u32(p, "ipProto", 0xff);
    }
    const mark = o.mark !== undefined ? u32(o.mark, "mark") : 0;
    const header: StructValue = {
      family: ipFamilyNumber(dst.family), dstLen: bits, srcLen: attrs.src ? bits : 0, tos: o.tos !== undefined ? u32(o.tos, "tos", 0xff) : 0,
      // IPv6 refuses RTM_F_LOOKUP_TABLE (its answer always names the table)
      flags: (dst.family === 4 ? RTM_F_LOOKUP_TABLE : 0) | (o.fibmatch ? RTM_F_FIB_MATCH : 0),
    };
    if (o.iif !== undefined) attrs.iif = await this.ctx.ifindex(o.iif, "iif", o);
    if (o.oif !== undefined) attrs.oif = await this.ctx.ifindex(o.oif, "oif", o);
    // mark 0 is no mark, as ip leaves it out
    if (mark) attrs.mark = mark;
    const rows = await this.readOne(tableRequest(rtmsgDef, RTM_GETROUTE, 0, header, attrs), decodeRoute, o);
    const routes = rows.filter((x): x is Route => x !== undefined);
    if (!routes.length) throw new NetlinkError(61, { message: "route lookup returned nothing" });
    nameRoutes(routes, await this.ctx.names.resolve(routeIndexes(routes), o));
    return routes[0]!;
  }

  /**
   * `ip route flush`: deletes every route the filter lists (main table unless told), each by
   * its own key (destination, table, type, tos, metric, device). Resolves with how many.
   */
  flush(filter: RouteListFilter = {}, opts?: CallOptions): Promise<number> {
    return this.flushAll(() => this.list(filter, opts), (r) => this.change(() => {
      const spec: RouteSpec = { dst: r.dst, family: r.family, table: r.table, type: r.type as RouteType };
      if (r.metric !== undefined) spec.metric = r.metric;
      if (r.tos) spec.tos = r.tos;
      if (r.index !== undefined) spec.dev = r.index;
      if (r.from !== undefined) spec.from = r.from;
      return this.request(RTM_DELROUTE, 0, routeParts(spec, { ifindex: (d) => d as number, netnsFd: () => -1 }, true));
    }, opts));
  }

  private request(type: number, flags: number, p: Parts): Request {
    return tableRequest(rtmsgDef, type, flags, p.header, p.attrs);
  }
}
