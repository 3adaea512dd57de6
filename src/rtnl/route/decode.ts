import { decodeAttrs, enumName } from "../../netlink/attrs.js";
import { NLMSG_HDRLEN } from "../../netlink/constants.js";
import { checkMessageBounds } from "../../netlink/message.js";
import { rtmsg } from "../headers.js";
import { formatIPv4, formatIPv6, type IpFamily } from "../../netlink/ip.js";
import { decodeStruct, type StructValue } from "../../netlink/struct.js";
import { enumOutput, flagNames, rtProtocol, rtScope, rtType } from "../enums.js";
import { nameOf } from "../names.js";
import { AF_INET, AF_INET6, RTM_NEWROUTE } from "../types.js";
import { METRIC_KEYS, RT_FLAGS, RT_FLAGS_MASK, RTM_F_CLONED, rtaAttrs, rtaCacheinfo, type RawNexthop } from "./attrs.js";

export interface RouteMetrics {
  mtu: number; window: number;
  /** Milliseconds, like ip (the kernel keeps rtt x8 and rttvar x4). */
  rtt: number; rttvar: number;
  ssthresh: number; cwnd: number; advmss: number; reordering: number; hoplimit: number;
  initcwnd: number; features: number; rtoMin: number; initrwnd: number; quickack: number;
  ccAlgo: string; fastopenNoCookie: number;
  /** Names of the locked metrics. */
  lock: string[];
}

export interface Nexthop {
  gateway?: string;
  via?: { family: number; address: string };
  dev?: string;
  index: number;
  weight: number;
  flags: string[];
}

export interface Route {
  family: IpFamily;
  type: string | number;
  /** "default", "prefix/len", or a host address without /32 (/128), as ip prints it. */
  dst: string;
  dstLen: number;
  /** Source prefix (RTA_SRC, ip's "from"). */
  from?: string;
  srcLen: number;
  tos: number;
  /** Table id (RTA_TABLE when present, else rtm_table). */
  table: number;
  protocol: string | number;
  scope: string | number;
  flags: string[];
  /** RTM_F_CLONED: a cache/exception entry (route get answers carry it). */
  cached: boolean;
  gateway?: string;
  via?: { family: number; address: string };
  dev?: string;
  index?: number;
  iif?: string;
  prefsrc?: string;
  metric?: number;
  metrics?: Partial<RouteMetrics>;
  nexthops?: Nexthop[];
  pref?: string | number;
  mark?: number;
  uid?: number;
  /** Seconds left (from rta_cacheinfo), when the route expires. */
  expires?: number;
  error?: number;
  nhid?: number;
}

function prefixText(addr: string | undefined, len: number, full: number): string {
  if (addr === undefined) return len ? `0/${len}` : "default";
  return len === full ? addr : `${addr}/${len}`;
}

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

const prefEnum = rtaAttrs.byType[20]!.enum!;

/** What decodeAttrs gives for rtaAttrs, for the attributes a plain unicast route carries. */
interface PlainRouteAttrs {
  dst: string | undefined; src: string | undefined; gateway: string | undefined; prefsrc: string | undefined;
  iif: number | undefined; oif: number | undefined; priority: number | undefined; table: number | undefined;
  mark: number | undefined; uid: number | undefined; nhId: number | undefined; pref: string | number | undefined;
  cacheinfo: StructValue | undefined;
  via: undefined; metrics: undefined; multipath: undefined;
}

function u32At(buf: Buffer, p: number): number {
  return (buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16)) + buf[p + 3]! * 0x1000000;
}

function ipText(buf: Buffer, p: number, n: number): string | undefined {
  return n === 4 ? formatIPv4(buf, p) : n === 16 ? formatIPv6(buf, p) : undefined;
}

/**
 * The attributes of a route that carries only addresses and plain numbers, read by one switch
 * into one fixed-shape object; undefined as soon as anything else (or any odd length or flag
 * bit) shows up, and the caller then takes decodeAttrs, which is the reference for all of it.
 * A dump decodes every route of a table, and the generic walk cost more than the rest of it.
 * @internal exported for tests
 */
export function plainRouteAttrs(buf: Buffer, off: number, end: number): PlainRouteAttrs | undefined {
  const a: PlainRouteAttrs = {
    dst: undefined, src: undefined, gateway: undefined, prefsrc: undefined, iif: undefined, oif: undefined,
    priority: undefined, table: undefined, mark: undefined, uid: undefined, nhId: undefined, pref: undefined,
    via: undefined, metrics: undefined, multipath: undefined, cacheinfo: undefined,
  };
  while (off + 4 <= end) {
    // byte reads, not readUInt16LE/readUInt32LE: in cold code each of those is a call
    const alen = buf[off]! | (buf[off + 1]! << 8);
    if (alen < 4 || off + alen > end) return undefined;
    const p = off + 4, n = alen - 4;
    let ip: string | undefined;
    switch (buf[off + 2]! | (buf[off + 3]! << 8)) {
      case 1: if ((ip = ipText(buf, p, n)) === undefined) return undefined; a.dst = ip; break;
      case 2: if ((ip = ipText(buf, p, n)) === undefined) return undefined; a.src = ip; break;
      case 5: if ((ip = ipText(buf, p, n)) === undefined) return undefined; a.gateway = ip; break;
      case 7: if ((ip = ipText(buf, p, n)) === undefined) return undefined; a.prefsrc = ip; break;
      case 3: if (n !== 4) return undefined; a.iif = u32At(buf, p); break;
      case 4: if (n !== 4) return undefined; a.oif = u32At(buf, p); break;
      case 6: if (n !== 4) return undefined; a.priority = u32At(buf, p); break;
      case 15: if (n !== 4) return undefined; a.table = u32At(buf, p); break;
      case 16: if (n !== 4) return undefined; a.mark = u32At(buf, p); break;
      case 25: if (n !== 4) return undefined; a.uid = u32At(buf, p); break;
      case 30: if (n !== 4) return undefined; a.nhId = u32At(buf, p); break;
      case 20: if (n !== 1) return undefined; a.pref = enumName(prefEnum, buf[p]!); break;
      // IPv6 routes all carry it
      case 12: a.cacheinfo = decodeStruct(buf, p, n, rtaCacheinfo); break;
      default: return undefined;
    }
    off += (alen + 3) & ~3;
  }
  return a;
}

/** One RTM_NEWROUTE to a Route; undefined for other messages and non-IP families (ipmr, mpls). */
export function decodeRoute(buf: Buffer, start: number, len: number, names: ReadonlyMap<number, string>): Route | undefined {
  checkMessageBounds(buf, start, len);
  if (buf.readUInt16LE(start + 4) !== RTM_NEWROUTE) return undefined;
  checkMessageBounds(buf, start, len, rtmsg);
  // struct rtmsg, read whole as decodeStruct(.., 12, rtmsg) would
  const h = start + NLMSG_HDRLEN;
  const hFamily = buf[h]!, dstLen = buf[h + 1]!, srcLen = buf[h + 2]!, hFlags = buf.readUInt32LE(h + 8);
  if (hFamily !== AF_INET && hFamily !== AF_INET6) return undefined;
  const a = (plainRouteAttrs(buf, h + 12, start + len) ?? decodeAttrs(buf, h + 12, start + len, rtaAttrs)) as Record<string, any>;
  const family: IpFamily = hFamily === AF_INET ? 4 : 6;
  const full = family === 4 ? 32 : 128;
  const rtFlags = hFlags & RT_FLAGS_MASK;
  const r: Route = {
    family,
    type: enumOutput(rtType, buf[h + 7]!),
    dst: prefixText(a.dst, dstLen, full),
    dstLen,
    srcLen,
    tos: buf[h + 3]!,
    table: a.table ?? buf[h + 4]!,
    protocol: enumOutput(rtProtocol, buf[h + 5]!),
    scope: enumOutput(rtScope, buf[h + 6]!),
    flags: rtFlags ? flagNames(rtFlags, RT_FLAGS) : [],
    cached: (hFlags & RTM_F_CLONED) !== 0,
  };
  if (a.src !== undefined || srcLen) r.from = prefixText(a.src, srcLen, full);
  if (a.gateway !== undefined) r.gateway = a.gateway;
  if (a.via !== undefined) r.via = a.via;
  if (a.oif !== undefined) {
    r.index = a.oif;
    r.dev = nameOf(names, a.oif);
  }
  if (a.iif !== undefined) r.iif = nameOf(names, a.iif);
  if (a.prefsrc !== undefined) r.prefsrc = a.prefsrc;
  if (a.priority !== undefined) r.metric = a.priority;
  if (a.metrics) r.metrics = metricsOf(a.metrics);
  if (a.multipath) {
    r.nexthops = (a.multipath as RawNexthop[]).map((nh) => {
      const out: Nexthop = { index: nh.ifindex, weight: nh.hops + 1, flags: flagNames(nh.flags & RT_FLAGS_MASK, RT_FLAGS) };
      if (nh.attrs.gateway !== undefined) out.gateway = nh.attrs.gateway as string;
      if (nh.attrs.via !== undefined) out.via = nh.attrs.via as Nexthop["via"] & object;
      if (nh.ifindex) out.dev = nameOf(names, nh.ifindex);
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
}
