import { decodeAttrs } from "../../netlink/attrs.js";
import { NLMSG_HDRLEN } from "../../netlink/constants.js";
import type { IpFamily } from "../../netlink/ip.js";
import { decodeStruct } from "../../netlink/struct.js";
import { enumOutput, flagNames, rtProtocol, rtScope, rtType } from "../enums.js";
import { rtmsg } from "../headers.js";
import { nameOf } from "../names.js";
import { AF_INET, AF_INET6, RTM_NEWROUTE } from "../types.js";
import { METRIC_KEYS, RT_FLAGS, RT_FLAGS_MASK, RTM_F_CLONED, rtaAttrs, type RawNexthop } from "./attrs.js";

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

/** One RTM_NEWROUTE to a Route; undefined for other messages and non-IP families (ipmr, mpls). */
export function decodeRoute(buf: Buffer, start: number, len: number, names: ReadonlyMap<number, string>): Route | undefined {
  if (buf.readUInt16LE(start + 4) !== RTM_NEWROUTE) return undefined;
  const h = decodeStruct(buf, start + NLMSG_HDRLEN, 12, rtmsg) as Record<string, number>;
  if (h.family !== AF_INET && h.family !== AF_INET6) return undefined;
  const a = decodeAttrs(buf, start + NLMSG_HDRLEN + 12, start + len, rtaAttrs) as Record<string, any>;
  const family: IpFamily = h.family === AF_INET ? 4 : 6;
  const full = family === 4 ? 32 : 128;
  const r: Route = {
    family,
    type: enumOutput(rtType, h.type!),
    dst: prefixText(a.dst, h.dstLen!, full),
    dstLen: h.dstLen!,
    srcLen: h.srcLen!,
    tos: h.tos!,
    table: a.table ?? h.table!,
    protocol: enumOutput(rtProtocol, h.protocol!),
    scope: enumOutput(rtScope, h.scope!),
    flags: flagNames(h.flags! & RT_FLAGS_MASK, RT_FLAGS),
    cached: (h.flags! & RTM_F_CLONED) !== 0,
  };
  if (a.src !== undefined || h.srcLen) r.from = prefixText(a.src, h.srcLen!, full);
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
