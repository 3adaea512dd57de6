import { NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from "../netlink/constants.js";
import { NetlinkError, NlkitInputError } from "../netlink/errors.js";
import { ipv4Value, parseCidr, parseIp, type IpFamily } from "../netlink/ip.js";
import { encodeStruct } from "../netlink/struct.js";
import type { Request } from "../netlink/socket.js";
import type { NlWriter } from "../netlink/writer.js";
import { familyNumber } from "./addr.js";
import type { Executor, RtnlContext } from "./context.js";
import { enumInput, rtProtocol, rtScope, rtType, tableId, RT_TABLE_LOCAL, RT_TABLE_MAIN, type Table } from "./enums.js";
import { rtmsg } from "./headers.js";
import { linkNames } from "./names.js";
import {
  METRIC_KEYS, RTA, RTM_F_FIB_MATCH, RTM_F_LOOKUP_TABLE, RTNH_F_ONLINK, rtmsgDef,
} from "./route/attrs.js";
import { decodeRoute, type Route, type RouteMetrics } from "./route/decode.js";
import { AF_INET, AF_INET6, RTM_DELROUTE, RTM_GETROUTE, RTM_NEWROUTE } from "./types.js";

export type { Nexthop, Route, RouteMetrics } from "./route/decode.js";
export { decodeRoute } from "./route/decode.js";

export type RouteType = "unicast" | "local" | "broadcast" | "anycast" | "multicast" | "blackhole" | "unreachable" | "prohibit" | "throw" | "nat";
export type RouteScope = "global" | "universe" | "site" | "link" | "host" | "nowhere" | number;
export type RouteProtocol = "unspec" | "redirect" | "kernel" | "boot" | "static" | "ra" | "dhcp" | "bgp" | "ospf" | "zebra" | "bird" | (string & {}) | number;

export interface NexthopSpec {
  gateway?: string;
  dev?: string | number;
  /** 1..256 (rtnh_hops + 1). */
  weight?: number;
  onlink?: boolean;
}

export interface RouteMetricsInput extends Partial<Omit<RouteMetrics, "lock">> {
  /** Metric names whose value the kernel must not change (RTAX_LOCK), e.g. ["mtu"]. */
  lock?: Array<keyof Omit<RouteMetrics, "lock">>;
}

export interface RouteSpec {
  /** "default", a prefix ("10.1.0.0/16", "fd00::/64") or a host address. */
  dst: string;
  family?: IpFamily;
  type?: RouteType | number;
  /** The next hop (ip's "via"); an IPv6 gateway on an IPv4 route is sent as RTA_VIA. */
  gateway?: string;
  dev?: string | number;
  /** Preferred source address (ip's "src", RTA_PREFSRC). */
  src?: string;
  /** Source prefix (ip's "from", RTA_SRC; IPv6 only in the kernel). */
  from?: string;
  metric?: number;
  /** main (default), local, default, or a number; above 255 it goes in RTA_TABLE. */
  table?: Table;
  scope?: RouteScope;
  protocol?: RouteProtocol;
  tos?: number;
  onlink?: boolean;
  mtu?: number;
  advmss?: number;
  metrics?: RouteMetricsInput;
  /** ECMP next hops (RTA_MULTIPATH). */
  nexthops?: NexthopSpec[];
  /** IPv6 router preference. */
  pref?: "low" | "medium" | "high" | number;
  /** IPv6 route lifetime in seconds. */
  expires?: number;
}

export interface RouteModifyOptions {
  /** CREATE|REPLACE */
  replace?: boolean;
  /** CREATE|APPEND (another route with the same key, for IPv6 multipath or a different TOS/priority). */
  append?: boolean;
}

export interface RouteListFilter {
  family?: IpFamily;
  /** Default "main", like ip; "all" for every table. */
  table?: Table | "all";
  dev?: string | number;
  protocol?: RouteProtocol;
  type?: RouteType | number;
}

export interface RouteGetOptions {
  from?: string;
  iif?: string | number;
  oif?: string | number;
  mark?: number;
  /** Return the FIB entry that matched rather than the resolved route (RTM_F_FIB_MATCH). */
  fibmatch?: boolean;
}

// --- validation ----------------------------------------------------------------------------------

interface NhReq { ifindex: number; flags: number; hops: number; gateway?: Buffer; via?: Buffer }

/**
 * A route request with every input checked and turned into bytes, ready to encode. It is its own
 * netlink Request (encode is a shared function reading `this`), built as one literal with every
 * field present: a closure and a second object per route showed in batches of mostly cold code.
 */
interface RouteReq extends Request {
  type: number;
  flags: number;
  encode: (this: RouteReq, w: NlWriter) => void;
  // rtmsg
  family: number;
  dstLen: number;
  srcLen: number;
  tos: number;
  table: number;
  protocol: number;
  scope: number;
  rtmType: number;
  rtmFlags: number;
  /** An IPv4 dst or gateway as a number (host order), -1 when absent: no Buffer per address. */
  dst4: number;
  gateway4: number;
  dst: Buffer | undefined;
  src: Buffer | undefined;
  gateway: Buffer | undefined;
  via: Buffer | undefined;
  priority: number | undefined;
  prefsrc: Buffer | undefined;
  tableAttr: number | undefined;
  pref: number | undefined;
  expires: number | undefined;
  oif: number | undefined;
  metrics: Array<[number, number | string]> | undefined;
  lock: number;
  nexthops: NhReq[] | undefined;
}

function u32(v: unknown, field: string, max = 0xffffffff): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > max) throw new NlkitInputError(`invalid ${field} ${String(v)}`, field);
  return v;
}

function address(text: unknown, field: string, family: IpFamily): Buffer {
  const ip = typeof text === "string" ? parseIp(text) : undefined;
  if (!ip) throw new NlkitInputError(`invalid ${field} address "${String(text)}"`, field);
  if (ip.family !== family) throw new NlkitInputError(`${field} ${String(text)} is IPv${ip.family} but the route is IPv${family}`, field);
  return ip.bytes;
}

/** A next hop's address: same family as the route, or (IPv4 routes only) an IPv6 RTA_VIA. */
function gatewayOf(text: unknown, field: string, family: IpFamily): { gateway?: Buffer; via?: Buffer } {
  const ip = typeof text === "string" ? parseIp(text) : undefined;
  if (!ip) throw new NlkitInputError(`invalid ${field} address "${String(text)}"`, field);
  if (ip.family === family) return { gateway: ip.bytes };
  if (family === 4 && ip.family === 6) {
    const via = Buffer.alloc(18);
    via.writeUInt16LE(AF_INET6, 0);
    ip.bytes.copy(via, 2);
    return { via };
  }
  throw new NlkitInputError(`${field} ${String(text)} is IPv${ip.family} but the route is IPv${family}`, field);
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

const NO_METRICS = { lock: 0 } as const;

function metricsOf(spec: RouteSpec): { list?: Array<[number, number | string]>; lock: number } {
  // most routes carry none: skip the table walk (route batches run this per route)
  if (spec.metrics === undefined && spec.mtu === undefined && spec.advmss === undefined) return NO_METRICS;
  const m: Record<string, unknown> = { ...spec.metrics };
  if (spec.mtu !== undefined) m.mtu = spec.mtu;
  if (spec.advmss !== undefined) m.advmss = spec.advmss;
  const list: Array<[number, number | string]> = [];
  let lock = 0;
  for (const key of Object.keys(m)) {
    if (key !== "lock" && !METRIC_KEYS.some((d) => d.key === key)) throw new NlkitInputError(`unknown route metric "${key}"`, `metrics.${key}`);
  }
  for (const d of METRIC_KEYS) {
    const v = m[d.key];
    if (v === undefined) continue;
    const field = `metrics.${d.key}`;
    if (d.key === "ccAlgo") {
      if (typeof v !== "string" || !v) throw new NlkitInputError(`invalid ${field}`, field);
      list.push([d.type, v]);
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
    list.push([d.type, n >>> 0]);
  }
  for (const name of (m.lock as string[] | undefined) ?? []) {
    const d = METRIC_KEYS.find((x) => x.key === name);
    if (!d) throw new NlkitInputError(`unknown route metric "${name}" in lock`, "metrics.lock");
    lock |= 1 << d.type;
  }
  return list.length ? { list, lock } : { lock };
}

/** Set by ipv4Prefix: the prefix length of the address it returned. */
let prefixLen = 0;

/**
 * "a.b.c.d" or "a.b.c.d/len" as a number (-1 if it is not one), accepting exactly what
 * parseCidr accepts for IPv4, without its Buffer, result object and formatted address.
 */
function ipv4Prefix(text: string): number {
  const slash = text.indexOf("/");
  if (slash < 0) {
    prefixLen = 32;
    return ipv4Value(text);
  }
  const n = text.length - slash - 1;
  if (n < 1 || n > 3) return -1;
  let len = 0;
  for (let i = slash + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    len = len * 10 + (c - 48);
  }
  if (len > 32) return -1;
  prefixLen = len;
  return ipv4Value(text, 0, slash);
}

function encodeThisRoute(this: RouteReq, w: NlWriter): void {
  encodeRoute(w, this);
}

const DEL = true;

function buildRoute(ctx: RtnlContext, spec: RouteSpec, del: boolean, msgType: number, msgFlags: number): RouteReq {
  if (!spec || typeof spec !== "object") throw new NlkitInputError("route spec must be an object", "dst");
  if (spec.dst === undefined) throw new NlkitInputError("dst is required (\"default\" for the default route)", "dst");
  let family: IpFamily;
  let dstLen: number;
  let dst4 = -1;
  let dstBytes: Buffer | undefined;
  // the common IPv4 prefix is parsed once, into a number; everything else takes parseCidr
  if (typeof spec.dst === "string" && (spec.family === undefined || spec.family === 4)) dst4 = ipv4Prefix(spec.dst);
  if (dst4 >= 0) {
    family = 4;
    dstLen = prefixLen;
  } else {
    family = routeFamily(spec);
    const dstC = parseCidr(spec.dst, family);
    if (!dstC) throw new NlkitInputError(`invalid dst "${spec.dst}"`, "dst");
    if (dstC.family !== family) throw new NlkitInputError(`dst ${spec.dst} is IPv${dstC.family} but family is ${family}`, "dst");
    dstLen = dstC.prefixlen;
    if (family === 4) dst4 = dstC.bytes.readUInt32BE(0);
    else dstBytes = dstC.bytes;
  }
  if (family === 4 && dstLen < 32) {
    // the kernel refuses IPv4 prefixes with host bits set; say so before sending
    const mask = dstLen === 0 ? 0 : (0xffffffff << (32 - dstLen)) >>> 0;
    if ((dst4 & ~mask) >>> 0) throw new NlkitInputError(`invalid prefix ${spec.dst}: host bits are set`, "dst");
  }
  const type = spec.type !== undefined ? enumInput(rtType, spec.type, "type") : del ? 0 : 1;
  const r: RouteReq = {
    type: msgType, flags: msgFlags, def: rtmsgDef, encode: encodeThisRoute,
    family: family === 4 ? AF_INET : AF_INET6, dstLen, srcLen: 0,
    tos: spec.tos !== undefined ? u32(spec.tos, "tos", 0xff) : 0,
    table: RT_TABLE_MAIN, protocol: del ? 0 : 3, scope: 0, rtmType: type, rtmFlags: 0,
    dst4: dstLen > 0 ? dst4 : -1, gateway4: -1,
    dst: dstLen > 0 ? dstBytes : undefined, src: undefined, gateway: undefined, via: undefined,
    priority: undefined, prefsrc: undefined, tableAttr: undefined, pref: undefined, expires: undefined,
    oif: undefined, metrics: undefined, lock: 0, nexthops: undefined,
  };
  if (spec.from !== undefined) {
    const c = parseCidr(spec.from);
    if (!c) throw new NlkitInputError(`invalid from "${spec.from}"`, "from");
    if (c.family !== family) throw new NlkitInputError(`from ${spec.from} is IPv${c.family} but the route is IPv${family}`, "from");
    r.srcLen = c.prefixlen;
    if (c.prefixlen > 0) r.src = c.bytes;
  }
  if (spec.gateway !== undefined) {
    if (spec.nexthops) throw new NlkitInputError("give either gateway or nexthops, not both", "gateway");
    const g4 = family === 4 && typeof spec.gateway === "string" ? ipv4Value(spec.gateway) : -1;
    if (g4 >= 0) r.gateway4 = g4;
    else {
      const g = gatewayOf(spec.gateway, "gateway", family);
      r.gateway = g.gateway;
      r.via = g.via;
    }
  }
  if (spec.metric !== undefined) r.priority = u32(spec.metric, "metric");
  if (spec.src !== undefined) r.prefsrc = address(spec.src, "src", family);
  let tableGiven = false;
  if (spec.table !== undefined) {
    const id = tableId(spec.table);
    if (id === 0) throw new NlkitInputError("table 0 (unspec) is not a table", "table");
    tableGiven = true;
    if (id < 256) r.table = id;
    else {
      // rtm_table is 8 bits: larger ids travel in RTA_TABLE with the header left unspecified
      r.table = 0;
      r.tableAttr = id;
    }
  }
  if (spec.pref !== undefined) {
    if (family !== 6) throw new NlkitInputError("pref is an IPv6 route option", "pref");
    r.pref = typeof spec.pref === "number" ? u32(spec.pref, "pref", 0xff) : ({ low: 3, medium: 0, high: 1 } as const)[spec.pref];
    if (r.pref === undefined) throw new NlkitInputError(`invalid pref "${String(spec.pref)}" (low, medium, high)`, "pref");
  }
  if (spec.expires !== undefined) r.expires = u32(spec.expires, "expires");
  if (spec.dev !== undefined) r.oif = ctx.ifindex(spec.dev, "dev");
  if (spec.protocol !== undefined) r.protocol = enumInput(rtProtocol, spec.protocol, "protocol");
  if (spec.onlink) r.rtmFlags |= RTNH_F_ONLINK;
  const m = metricsOf(spec);
  if (m.list) {
    r.metrics = m.list;
    if (m.lock) r.lock = m.lock;
  }
  if (spec.nexthops !== undefined) {
    if (!Array.isArray(spec.nexthops) || spec.nexthops.length === 0) throw new NlkitInputError("nexthops must be a non-empty array", "nexthops");
    r.nexthops = spec.nexthops.map((nh, i) => {
      const field = `nexthops[${i}]`;
      const weight = nh.weight ?? 1;
      if (!Number.isInteger(weight) || weight < 1 || weight > 256) throw new NlkitInputError(`${field}.weight must be 1..256`, `${field}.weight`);
      const out: NhReq = {
        ifindex: nh.dev !== undefined ? ctx.ifindex(nh.dev, `${field}.dev`) : 0,
        flags: nh.onlink ? RTNH_F_ONLINK : 0, hops: weight - 1,
      };
      if (nh.gateway !== undefined) Object.assign(out, gatewayOf(nh.gateway, `${field}.gateway`, family));
      else if (out.ifindex === 0) throw new NlkitInputError(`${field} needs a gateway or a dev`, field);
      return out;
    });
  }
  // iproute2's defaults (iproute_modify): local-ish types live in the local table; IPv6 routes
  // are always universe; on IPv4 a unicast route without gateway is on-link
  if (!tableGiven && (type === 2 || type === 3 || type === 10 || type === 4)) r.table = RT_TABLE_LOCAL;
  if (spec.scope !== undefined) r.scope = enumInput(rtScope, spec.scope, "scope");
  else if (family === 6) r.scope = 0;
  else if (type === 2 || type === 10) r.scope = 254;
  else if (type === 3 || type === 5 || type === 4) r.scope = 253;
  else if (type === 1 || type === 0) {
    if (del) r.scope = 255;
    else if (r.gateway4 < 0 && !r.gateway && !r.via && !r.nexthops) r.scope = 253;
  }
  return r;
}

/**
 * A 4-byte attribute by byte stores, for u32 values buildRoute has checked. The writer's attrU32
 * makes five calls into Buffer's checked writers, which in the mostly cold code of a batch cost
 * more than the rest of the encoding. The writer is aligned here (after the header or an attribute).
 */
function attr32(w: NlWriter, type: number, v: number, bigEndian: boolean): void {
  w.ensure(8);
  const b = w.buf, at = w.pos;
  b[at] = 8;
  b[at + 1] = 0;
  b[at + 2] = type;
  b[at + 3] = 0;
  if (bigEndian) {
    b[at + 4] = v >>> 24;
    b[at + 5] = v >>> 16;
    b[at + 6] = v >>> 8;
    b[at + 7] = v;
  } else {
    b[at + 4] = v;
    b[at + 5] = v >>> 8;
    b[at + 6] = v >>> 16;
    b[at + 7] = v >>> 24;
  }
  w.pos = at + 8;
}

// Same attribute order as `ip route add PREFIX via GW metric N src A table T dev D mtu M nexthop ...`
function encodeRoute(w: NlWriter, r: RouteReq): void {
  // struct rtmsg written directly: every field was range-checked by buildRoute
  w.ensure(12);
  const b = w.buf, at = w.pos;
  b[at] = r.family;
  b[at + 1] = r.dstLen;
  b[at + 2] = r.srcLen;
  b[at + 3] = r.tos;
  b[at + 4] = r.table;
  b[at + 5] = r.protocol;
  b[at + 6] = r.scope;
  b[at + 7] = r.rtmType;
  b[at + 8] = r.rtmFlags;
  b[at + 9] = r.rtmFlags >>> 8;
  b[at + 10] = r.rtmFlags >>> 16;
  b[at + 11] = r.rtmFlags >>> 24;
  w.pos = at + 12;
  if (r.dst4 >= 0) attr32(w, RTA.DST, r.dst4, true);
  else if (r.dst) w.attrBytes(RTA.DST, r.dst);
  if (r.src) w.attrBytes(RTA.SRC, r.src);
  if (r.gateway4 >= 0) attr32(w, RTA.GATEWAY, r.gateway4, true);
  else if (r.gateway) w.attrBytes(RTA.GATEWAY, r.gateway);
  if (r.via) w.attrBytes(RTA.VIA, r.via);
  if (r.priority !== undefined) attr32(w, RTA.PRIORITY, r.priority, false);
  if (r.prefsrc) w.attrBytes(RTA.PREFSRC, r.prefsrc);
  if (r.tableAttr !== undefined) attr32(w, RTA.TABLE, r.tableAttr, false);
  if (r.pref !== undefined) w.attrU8(RTA.PREF, r.pref);
  if (r.expires !== undefined) attr32(w, RTA.EXPIRES, r.expires, false);
  if (r.oif !== undefined) attr32(w, RTA.OIF, r.oif, false);
  if (r.metrics) {
    const s = w.beginAttr(RTA.METRICS);
    for (const [t, v] of r.metrics) {
      // ip sends the congestion control name without its NUL
      if (typeof v === "string") w.attrBytes(t, Buffer.from(v));
      else w.attrU32(t, v);
    }
    if (r.lock) w.attrU32(1, r.lock);
    w.endAttr(s);
  }
  if (r.nexthops) {
    const s = w.beginAttr(RTA.MULTIPATH);
    for (const nh of r.nexthops) {
      const n = w.pos;
      w.u16(0);
      w.u8(nh.flags);
      w.u8(nh.hops);
      w.s32(nh.ifindex);
      if (nh.gateway) w.attrBytes(RTA.GATEWAY, nh.gateway);
      if (nh.via) w.attrBytes(RTA.VIA, nh.via);
      w.buf.writeUInt16LE(w.pos - n, n);
    }
    w.endAttr(s);
  }
}


// --- verbs ---------------------------------------------------------------------------------------

export class RouteApi {
  constructor(protected readonly ctx: RtnlContext, protected readonly exec: Executor) {}

  /** `ip route add` (EEXIST if present); { replace } / { append } for the other two. */
  add(spec: RouteSpec, opts?: RouteModifyOptions): Promise<void> {
    // change() inlined: route batches run this per route, and its closure cost more than the rest
    let req: RouteReq;
    try {
      if (opts?.replace && opts.append) throw new NlkitInputError("replace and append exclude each other", "replace");
      const flags = NLM_F_CREATE | (opts?.replace ? NLM_F_REPLACE : opts?.append ? NLM_F_APPEND : NLM_F_EXCL);
      req = buildRoute(this.ctx, spec, !DEL, RTM_NEWROUTE, flags);
    } catch (e) {
      return this.exec.fail(e);
    }
    return this.exec.run(req) as unknown as Promise<void>;
  }

  replace(spec: RouteSpec): Promise<void> {
    return this.add(spec, { replace: true });
  }

  append(spec: RouteSpec): Promise<void> {
    return this.add(spec, { append: true });
  }

  /** `ip route del`: the kernel deletes the first route matching what is given. */
  del(spec: RouteSpec): Promise<void> {
    let req: RouteReq;
    try {
      req = buildRoute(this.ctx, spec, DEL, RTM_DELROUTE, 0);
    } catch (e) {
      return this.exec.fail(e);
    }
    return this.exec.run(req) as unknown as Promise<void>;
  }

  /**
   * Routes of one table (main unless told), filtered by the kernel on table, device, protocol
   * and type (strict checking). A table that does not exist lists as empty. Reads go straight
   * to the socket, even from a batch.
   */
  async list(filter: RouteListFilter = {}): Promise<Route[]> {
    const family = familyNumber(filter.family, "family");
    const table = filter.table === "all" ? 0 : tableId(filter.table ?? "main");
    const protocol = filter.protocol !== undefined ? enumInput(rtProtocol, filter.protocol, "protocol") : 0;
    const type = filter.type !== undefined ? enumInput(rtType, filter.type, "type") : 0;
    const oif = filter.dev !== undefined ? this.ctx.ifindex(filter.dev) : 0;
    const names = linkNames(this.ctx);
    try {
      const rows = await this.ctx.socket.dump({
        type: RTM_GETROUTE,
        def: rtmsgDef,
        encode: (w) => {
          encodeStruct(w, rtmsg, { family, protocol, type });
          if (table) w.attrU32(RTA.TABLE, table);
          if (oif) w.attrU32(RTA.OIF, oif);
        },
      }, (buf, start, len) => decodeRoute(buf, start, len, names), { retries: 2 });
      return rows.filter((r): r is Route => r !== undefined);
    } catch (e) {
      // with a family given, the kernel answers ENOENT for a table it has never created
      if (e instanceof NetlinkError && e.errno === 2 && table) return [];
      throw e;
    }
  }

  /** `ip route get ADDRESS`: the route the kernel would use (RTM_GETROUTE lookup). */
  async get(to: string, opts: RouteGetOptions = {}): Promise<Route> {
    const dst = typeof to === "string" ? parseIp(to) : undefined;
    if (!dst) throw new NlkitInputError(`invalid address "${String(to)}"`, "to");
    const bits = dst.family === 4 ? 32 : 128;
    const from = opts.from !== undefined ? address(opts.from, "from", dst.family) : undefined;
    const iif = opts.iif !== undefined ? this.ctx.ifindex(opts.iif, "iif") : undefined;
    const oif = opts.oif !== undefined ? this.ctx.ifindex(opts.oif, "oif") : undefined;
    const mark = opts.mark !== undefined ? u32(opts.mark, "mark") : undefined;
    const names = linkNames(this.ctx);
    const rows = await this.ctx.socket.request({
      type: RTM_GETROUTE,
      reply: true,
      def: rtmsgDef,
      encode: (w) => {
        encodeStruct(w, rtmsg, {
          family: dst.family === 4 ? AF_INET : AF_INET6, dstLen: bits, srcLen: from ? bits : 0,
          // IPv6 refuses RTM_F_LOOKUP_TABLE (its answer always names the table)
          flags: (dst.family === 4 ? RTM_F_LOOKUP_TABLE : 0) | (opts.fibmatch ? RTM_F_FIB_MATCH : 0),
        });
        w.attrBytes(RTA.DST, dst.bytes);
        if (from) w.attrBytes(RTA.SRC, from);
        if (iif !== undefined) w.attrU32(RTA.IIF, iif);
        if (oif !== undefined) w.attrU32(RTA.OIF, oif);
        if (mark) w.attrU32(RTA.MARK, mark);
      },
    }, (buf, start, len) => decodeRoute(buf, start, len, names));
    const r = rows.find((x): x is Route => x !== undefined);
    if (!r) throw new NetlinkError(61, { message: "route lookup returned nothing" });
    return r;
  }
}

export { buildRoute, encodeRoute };
