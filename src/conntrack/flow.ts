import { enumName, type AttrValues } from "../netlink/attrs.js";
import { decodeParts } from "../netlink/compiled.js";
import type { Decoder } from "../netlink/decoder.js";
import { NetlinkParseError, NlkitInputError } from "../netlink/errors.js";
import { inSubnet, parseCidr, parseIp, type Cidr } from "../netlink/ip.js";
import {
  AF_INET, AF_INET6, CT_DELETE, CT_NEW, CTA_FILTER_F, ctMessage, dccpState, IPPROTO_ICMP, IPPROTO_ICMPV6, IPS, IPS_BITS,
  l4proto, PORT_PROTOS, sctpState, tcpState,
} from "./table.js";

// The view (a ctnetlink message -> Flow), what users give (filters, exact tuples) -> CTA_*
// values, and the one predicate that applies a filter on this side of the socket.

/**
 * One direction of a flow: addresses, then ports (TCP, UDP, SCTP, GRE keys...) or ICMP fields.
 *
 * @example
 * ```ts
 * // conntrack -G: the reply direction of a DNS query's flow
 * const f = await ct.get({ proto: "udp", orig: { src: "10.0.0.2", dst: "10.0.0.1", sport: 40000, dport: 53 } });
 * const t: FlowTuple = f.reply;
 * console.log(`${t.src}:${t.sport} -> ${t.dst}:${t.dport}`);   // "10.0.0.1:53 -> 10.0.0.2:40000"
 * ```
 */
export interface FlowTuple {
  /** The source address. */
  src: string;
  /** The destination address. */
  dst: string;
  /** The source port (TCP, UDP, SCTP...). */
  sport?: number;
  /** The destination port. */
  dport?: number;
  /** ICMP type (echo: 8, or 128 for ICMPv6). */
  icmpType?: number;
  /** ICMP code. */
  icmpCode?: number;
  /** ICMP echo identifier. */
  icmpId?: number;
  /** A zone that applies to this direction only (CTA_TUPLE_ZONE). */
  zone?: number;
}

/** 64-bit values: numbers while exact, decimal strings beyond 2^53. */
export type U64 = number | string;

/**
 * Packets and bytes of one direction (needs `net.netfilter.nf_conntrack_acct=1`); numbers while exact,
 * decimal strings beyond.
 *
 * @example
 * ```ts
 * // needs net.netfilter.nf_conntrack_acct=1 (without it a flow has no counters)
 * for (const f of await ct.list({ family: 4, proto: "tcp" })) {
 *   const c: FlowCounters | undefined = f.counters?.orig;
 *   if (c) console.log(`${f.orig.src}: ${c.packets} packets, ${c.bytes} bytes`);   // "10.0.0.2: 12 packets, 2048 bytes"
 * }
 * ```
 */
export interface FlowCounters {
  /** Packets seen in this direction (conntrack's packets=, CTA_COUNTERS_PACKETS). */
  packets: U64;
  /** Bytes seen in this direction, IP headers included (conntrack's bytes=, CTA_COUNTERS_BYTES). */
  bytes: U64;
}

/**
 * A tracked connection as `ct.list()`/`ct.get()` return it (`conntrack -L` data): protocol, both
 * tuples, timeout, status, mark, zone, counters and NAT.
 *
 * @example
 * ```ts
 * // conntrack -L -p tcp --status ASSURED
 * const flows: Flow[] = await ct.list({ proto: "tcp", status: "ASSURED" });
 * for (const f of flows) {
 *   console.log(`${f.state} ${f.timeout}s ${f.orig.src}:${f.orig.sport} -> ${f.orig.dst}:${f.orig.dport}${f.nat.source ? " snat" : ""} mark=${f.mark}`);
 * }   // "ESTABLISHED 431999s 10.0.0.2:51000 -> 93.184.216.34:443 snat mark=0"
 * ```
 */
export interface Flow {
  /** 4 or 6. */
  family: 4 | 6 | number;
  /** "tcp", "udp", "icmp", "icmpv6", "sctp", "gre", "dccp", "udplite", or "unknown". */
  proto: string;
  /** The IP protocol number. */
  protoNum: number;
  /** The original direction's tuple (as the first packet had it). */
  orig: FlowTuple;
  /** The reply direction's tuple (NAT shows here). */
  reply: FlowTuple;
  /** TCP, SCTP and DCCP: the tracker's state ("ESTABLISHED", "SYN_SENT", "TIME_WAIT"...). */
  state?: string;
  /** Seconds left; absent from events that carry none (a flow destroyed as it expired). */
  timeout?: number;
  /** The IPS_* bits set, named without IPS_ ("SEEN_REPLY", "ASSURED", "CONFIRMED", "SRC_NAT"...). */
  status: string[];
  /** The connection mark (ct mark). */
  mark: number;
  /** The conntrack zone (0 unless one was set, for both directions or one). */
  zone: number;
  /** The kernel's id of the flow, for deleting exactly it. */
  id: number;
  /** Reference count (dumps and lookups; events carry none). */
  use?: number;
  /** Whether the reply tuple was rewritten: source NAT (masquerade, snat), destination NAT. */
  nat: {
    /** The source is rewritten (snat, masquerade): IPS_SRC_NAT. */
    source: boolean;
    /** The destination is rewritten (dnat, redirect): IPS_DST_NAT. */
    destination: boolean;
  };
  /** Per direction, when accounting is on (net.netfilter.nf_conntrack_acct). */
  counters?: {
    /** The original direction's packets and bytes (CTA_COUNTERS_ORIG). */
    orig?: FlowCounters;
    /** The reply direction's (CTA_COUNTERS_REPLY). */
    reply?: FlowCounters;
  };
  /** The helper attached ("ftp"). */
  helper?: string;
  /** Bit numbers of the labels set (CTA_LABELS). */
  labels?: number[];
  /** The security context. */
  secctx?: string;
  /** Nanoseconds since the epoch, when net.netfilter.nf_conntrack_timestamp is on. */
  timestamp?: {
    /** When the flow was created, ns since the epoch (CTA_TIMESTAMP_START). */
    start: U64;
    /** When it ended (CTA_TIMESTAMP_STOP); absent while it lives, so in practice only in destroy events. */
    stop?: U64;
  };
  /** The original tuple of the flow this one was expected by (a helper's related flow). */
  master?: FlowTuple & {
    /** The master flow's IP protocol number (6 for an FTP control connection). */
    protoNum: number;
  };
}

/**
 * A conntrack flow's IP version.
 *
 * @example
 * ```ts
 * // empties only the IPv6 part of the table (conntrack -F alone empties all of it)
 * const family: FlowFamily = 6;
 * await ct.flush({ family });
 * console.log((await ct.list({ family })).length);   // 0, until new traffic
 * ```
 */
export type FlowFamily = 4 | 6;

/**
 * Flows whose fields match every one given; addresses may be prefixes ("10.0.0.0/24").
 *
 * @example
 * ```ts
 * // a client's HTTPS flows that a DNAT sent to 192.168.1.0/24: the reply comes from the real server
 * const client: TupleFilter = { src: "10.0.0.2", dport: 443 };
 * const server: TupleFilter = { src: "192.168.1.0/24" };
 * const flows = await ct.list({ proto: "tcp", orig: client, reply: server });
 * console.log(flows.map((f) => `${f.orig.dst} -> ${f.reply.src}`));   // [ "203.0.113.1 -> 192.168.1.10" ]
 * ```
 */
export interface TupleFilter {
  /** The source address or prefix ("10.0.0.0/24"). */
  src?: string;
  /** The destination address or prefix. */
  dst?: string;
  /** Only flows with this source port; the filter's proto must have ports (TCP, UDP, SCTP...). */
  sport?: number;
  /** Only flows with this destination port (likewise). */
  dport?: number;
  /** ICMP type (echo: 8, or 128 for ICMPv6); the filter's proto must be icmp or icmpv6. */
  icmpType?: number;
  /** ICMP code. */
  icmpCode?: number;
  /** ICMP echo identifier. */
  icmpId?: number;
}

/**
 * Which flows `ct.list()`, `ct.delete()` and `ct.events()` touch: family, protocol, tuple fields
 * (addresses may be prefixes), zone, mark and status. (`ct.flush()` takes only a family.)
 *
 * @example
 * ```ts
 * const f: FlowFilter = { family: 4, proto: "tcp", orig: { src: "10.0.0.0/24", dport: 80 }, mark: { value: 0x1, mask: 0xff }, status: "ASSURED" };
 * const flows = await ct.list(f);   // the web flows from 10.0.0.0/24 whose mark & 0xff is 1
 * const gone = await ct.delete(f);   // how many of them were deleted
 * console.log(flows.length, gone);   // 3 3
 * ```
 */
export interface FlowFilter {
  /** 4 or 6; left out, both. */
  family?: FlowFamily;
  /** A name ("tcp", "udp", "icmp"...) or a protocol number. */
  proto?: string | number;
  /** Fields the original tuple must match. */
  orig?: TupleFilter;
  /** Fields the reply tuple must match. */
  reply?: TupleFilter;
  /** The conntrack zone. */
  zone?: number;
  /** A mark, or { value, mask }: flows whose mark & mask equals value. */
  mark?: number | {
    /** What the masked mark must equal. */
    value: number;
    /** The mark bits compared (conntrack's --mark value/mask); default all 32. */
    mask?: number;
  };
  /** IPS_* names that must all be set ("ASSURED", "SRC_NAT"...). */
  status?: string | string[];
}

/**
 * The tuple of one direction, as get() and delete() take it: the same fields a Flow reports.
 *
 * @example
 * ```ts
 * // look a DNATed flow up by its reply tuple (conntrack -G --reply-src ... --reply-dst ...)
 * const reply: TupleSpec = { src: "192.168.1.10", dst: "198.51.100.7", sport: 80, dport: 40000 };
 * const f = await ct.get({ proto: "tcp", reply });
 * console.log(f.orig.dst);   // "203.0.113.1": the address the client connected to
 * ```
 */
export type TupleSpec = FlowTuple;

/**
 * One flow to look up with `ct.get()` or delete with `ct.delete()`: protocol and its whole original
 * (or reply) tuple, its zone, and optionally its id.
 *
 * @example
 * ```ts
 * // conntrack -G -p tcp -s 10.0.0.2 -d 10.0.0.1 --sport 51000 --dport 22 -w 1
 * const spec: FlowSpec = { proto: "tcp", orig: { src: "10.0.0.2", dst: "10.0.0.1", sport: 51000, dport: 22 }, zone: 1 };
 * const f = await ct.get(spec);   // NetlinkError ENOENT when there is no such flow
 * await ct.delete({ ...spec, id: f.id });   // 1, or ENOENT once the flow has ended (even if one with the same tuple came back)
 * ```
 */
export interface FlowSpec {
  /** 4 or 6; default the family of the tuple's addresses, which it must match. */
  family?: FlowFamily;
  /** A name ("tcp", "udp", "icmp"...) or a protocol number; it says which tuple fields are needed (ports, or ICMP type, code and id). */
  proto: string | number;
  /** The original tuple; or `reply` to look the flow up by its reply tuple. */
  orig?: TupleSpec;
  /** The reply tuple, to name the flow by it (conntrack's --reply-src...); used when orig is left out. */
  reply?: TupleSpec;
  /** Default 0: a flow in another zone is not found without it. */
  zone?: number;
  /** With delete: only while the flow with this tuple is still this one. */
  id?: number;
}

// --- the view ----------------------------------------------------------------------------------

function u64(v: unknown): U64 {
  if (typeof v === "bigint") return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  return typeof v === "number" ? v : 0;
}

function tupleView(t: AttrValues | undefined, what: string, at: number): { tuple: FlowTuple; protoNum: number } {
  const ip = t?.ip as AttrValues | undefined;
  const src = (ip?.v4Src ?? ip?.v6Src) as string | undefined;
  const dst = (ip?.v4Dst ?? ip?.v6Dst) as string | undefined;
  if (src === undefined || dst === undefined) throw new NetlinkParseError(`conntrack message without a whole ${what}`, at);
  const tuple: FlowTuple = { src, dst };
  const p = (t!.proto ?? {}) as Record<string, number | undefined>;
  if (p.srcPort !== undefined) tuple.sport = p.srcPort;
  if (p.dstPort !== undefined) tuple.dport = p.dstPort;
  const type = p.icmpType ?? p.icmpv6Type, code = p.icmpCode ?? p.icmpv6Code, id = p.icmpId ?? p.icmpv6Id;
  if (type !== undefined) tuple.icmpType = type;
  if (code !== undefined) tuple.icmpCode = code;
  if (id !== undefined) tuple.icmpId = id;
  if (t!.zone !== undefined) tuple.zone = t!.zone as number;
  return { tuple, protoNum: p.num ?? 0 };
}

function statusNames(bits: number): string[] {
  const out: string[] = [];
  for (const [name, bit] of IPS_BITS) if (bits & (1 << bit)) out.push(name);
  for (let bit = IPS_BITS.length; bit < 32; bit++) if (bits & (1 << bit)) out.push(`BIT_${bit}`);
  return out;
}

function labelBits(b: Buffer): number[] {
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) for (let j = 0; j < 8; j++) if (b[i]! & (1 << j)) out.push(i * 8 + j);
  return out;
}

function stateOf(protoNum: number, pi: AttrValues | undefined): string | undefined {
  const one = (set: typeof tcpState, v: unknown) => (typeof v === "number" ? String(enumName(set, v)) : undefined);
  if (protoNum === 6) return one(tcpState, (pi?.tcp as AttrValues | undefined)?.state);
  if (protoNum === 132) return one(sctpState, (pi?.sctp as AttrValues | undefined)?.state);
  if (protoNum === 33) return one(dccpState, (pi?.dccp as AttrValues | undefined)?.state);
  return undefined;
}

function countersOf(c: AttrValues | undefined): FlowCounters | undefined {
  if (!c) return undefined;
  return { packets: u64(c.packets ?? c.packets32), bytes: u64(c.bytes ?? c.bytes32) };
}

/** A ctnetlink message as a Flow; messages of other types (errors are handled earlier) give undefined. */
export function flowOf(buf: Buffer, start: number, len: number): Flow | undefined {
  const m = decodeParts<{ family?: number }>(buf, start, len, ctMessage);
  if (m.type !== CT_NEW && m.type !== CT_DELETE) return undefined;
  const a = m.attrs as Record<string, any>;
  const orig = tupleView(a.tupleOrig, "CTA_TUPLE_ORIG", start);
  const reply = tupleView(a.tupleReply, "CTA_TUPLE_REPLY", start);
  const status: number = a.status ?? 0;
  const f = m.header.family;
  const flow: Flow = {
    family: f === AF_INET ? 4 : f === AF_INET6 ? 6 : f ?? 0,
    proto: String(l4proto.names.get(orig.protoNum) ?? "unknown"),
    protoNum: orig.protoNum,
    orig: orig.tuple,
    reply: reply.tuple,
    status: statusNames(status),
    mark: a.mark ?? 0,
    zone: a.zone ?? orig.tuple.zone ?? reply.tuple.zone ?? 0,
    id: a.id ?? 0,
    nat: { source: (status & IPS.SRC_NAT!) !== 0, destination: (status & IPS.DST_NAT!) !== 0 },
  };
  const state = stateOf(orig.protoNum, a.protoinfo);
  if (state !== undefined) flow.state = state;
  if (a.timeout !== undefined) flow.timeout = a.timeout;
  if (a.use !== undefined) flow.use = a.use;
  const co = countersOf(a.countersOrig), cr = countersOf(a.countersReply);
  if (co || cr) flow.counters = { ...(co ? { orig: co } : {}), ...(cr ? { reply: cr } : {}) };
  if (a.help?.name !== undefined) flow.helper = a.help.name;
  if (a.labels instanceof Buffer) flow.labels = labelBits(a.labels);
  if (a.secctx?.name !== undefined) flow.secctx = a.secctx.name;
  if (a.timestamp?.start !== undefined) {
    flow.timestamp = { start: u64(a.timestamp.start), ...(a.timestamp.stop !== undefined ? { stop: u64(a.timestamp.stop) } : {}) };
  }
  if (a.tupleMaster) {
    const mt = tupleView(a.tupleMaster, "CTA_TUPLE_MASTER", start);
    flow.master = { ...mt.tuple, protoNum: mt.protoNum };
  }
  return flow;
}

export const decodeFlow: Decoder<Flow | undefined> = flowOf;

/** The IPS_* bits of a flow, from its status names. */
export function statusBits(flow: Pick<Flow, "status">): number {
  let bits = 0;
  for (const name of flow.status) bits |= IPS[name] ?? (name.startsWith("BIT_") ? 1 << Number(name.slice(4)) : 0);
  return bits >>> 0;
}

// --- input ---------------------------------------------------------------------------------------

function intIn(v: unknown, field: string, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > max) {
    throw new NlkitInputError(`${field} must be an integer from 0 to ${max}, not ${JSON.stringify(v)}`, field);
  }
  return v;
}

export function protoIn(v: unknown, field = "proto"): number {
  if (typeof v === "number") return intIn(v, field, 255);
  if (typeof v === "string") {
    const n = l4proto.values.get(v.toLowerCase());
    if (n !== undefined) return n;
    if (/^[0-9]+$/.test(v)) return intIn(Number(v), field, 255);
  }
  throw new NlkitInputError(`unknown protocol ${JSON.stringify(v)} (expected ${[...l4proto.values.keys()].join(", ")} or a number)`, field);
}

function familyIn(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (v === 4) return AF_INET;
  if (v === 6) return AF_INET6;
  throw new NlkitInputError(`family must be 4 or 6, not ${JSON.stringify(v)}`, "family");
}

function objectIn(v: unknown, what: string, known: ReadonlySet<string>): Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new NlkitInputError(`${what} must be an object`, what);
  for (const k of Object.keys(v)) if (!known.has(k)) throw new NlkitInputError(`unknown ${what} key "${k}"`, k);
  return v as Record<string, unknown>;
}

const TUPLE_KEYS = new Set(["src", "dst", "sport", "dport", "icmpType", "icmpCode", "icmpId", "zone"]);
const FILTER_KEYS = new Set(["family", "proto", "orig", "reply", "zone", "mark", "status"]);
const SPEC_KEYS = new Set(["family", "proto", "orig", "reply", "zone", "id"]);
const FLOW_KEYS = new Set([
  "family", "proto", "protoNum", "orig", "reply", "zone", "id", "state", "timeout", "status", "mark", "use", "nat",
  "counters", "helper", "labels", "secctx", "timestamp", "master",
]);

/** Which fields a tuple of this protocol carries: ports, ICMP fields, or neither. */
function l4Kind(protoNum: number | undefined): "ports" | "icmp" | "none" | undefined {
  if (protoNum === undefined) return undefined;
  if (PORT_PROTOS.has(protoNum)) return "ports";
  return protoNum === IPPROTO_ICMP || protoNum === IPPROTO_ICMPV6 ? "icmp" : "none";
}

interface L4Values { sport?: number; dport?: number; icmpType?: number; icmpCode?: number; icmpId?: number }

function l4In(t: Record<string, unknown>, protoNum: number | undefined, where: string): L4Values {
  const out: L4Values = {};
  const kind = l4Kind(protoNum);
  for (const k of ["sport", "dport"] as const) {
    if (t[k] === undefined) continue;
    if (kind !== "ports") throw new NlkitInputError(`${where}.${k} needs a protocol with ports (tcp, udp, sctp...)`, k);
    out[k] = intIn(t[k], `${where}.${k}`, 0xffff);
  }
  for (const k of ["icmpType", "icmpCode", "icmpId"] as const) {
    if (t[k] === undefined) continue;
    if (kind !== "icmp") throw new NlkitInputError(`${where}.${k} needs proto icmp or icmpv6`, k);
    out[k] = intIn(t[k], `${where}.${k}`, k === "icmpId" ? 0xffff : 0xff);
  }
  return out;
}

/** A filter checked and resolved to numbers; `kernel` is what the dump request carries. */
export interface FlowMatcher {
  family: number | undefined;
  protoNum: number | undefined;
  orig: TupleMatch | undefined;
  reply: TupleMatch | undefined;
  zone: number | undefined;
  mark: { value: number; mask: number } | undefined;
  status: number | undefined;
}

interface TupleMatch extends L4Values {
  src?: Cidr;
  dst?: Cidr;
}

function cidrIn(v: unknown, field: string): Cidr {
  const c = typeof v === "string" ? parseCidr(v) : undefined;
  if (!c) throw new NlkitInputError(`${field}: invalid address or prefix ${JSON.stringify(v)}`, field);
  return c;
}

export function flowMatcher(filter: FlowFilter | undefined): FlowMatcher {
  const f = objectIn(filter ?? {}, "filter", FILTER_KEYS) as FlowFilter;
  let family = familyIn(f.family);
  const protoNum = f.proto === undefined ? undefined : protoIn(f.proto);
  const tuple = (dir: "orig" | "reply"): TupleMatch | undefined => {
    if (f[dir] === undefined) return undefined;
    const t = objectIn(f[dir], dir, TUPLE_KEYS);
    if (t.zone !== undefined) throw new NlkitInputError(`${dir}.zone: filter zones with the filter's own zone`, "zone");
    const m: TupleMatch = l4In(t, protoNum, dir);
    for (const k of ["src", "dst"] as const) {
      if (t[k] === undefined) continue;
      const c = cidrIn(t[k], `${dir}.${k}`);
      const fam = c.family === 4 ? AF_INET : AF_INET6;
      if (family !== undefined && family !== fam) throw new NlkitInputError(`${dir}.${k} ${String(t[k])} is not of family ${f.family ?? c.family}`, k);
      family = fam;
      m[k] = c;
    }
    return m;
  };
  let mark: FlowMatcher["mark"];
  if (typeof f.mark === "number") mark = { value: intIn(f.mark, "mark", 0xffffffff), mask: 0xffffffff };
  else if (f.mark !== undefined) {
    const mk = objectIn(f.mark, "mark", new Set(["value", "mask"]));
    mark = { value: intIn(mk.value, "mark.value", 0xffffffff), mask: intIn(mk.mask ?? 0xffffffff, "mark.mask", 0xffffffff) };
  }
  let status: number | undefined;
  if (f.status !== undefined) {
    status = 0;
    for (const name of Array.isArray(f.status) ? f.status : [f.status]) {
      const bit = typeof name === "string" ? IPS[name.toUpperCase()] : undefined;
      if (bit === undefined) throw new NlkitInputError(`unknown status ${JSON.stringify(name)} (expected ${IPS_BITS.map(([n]) => n).join(", ")})`, "status");
      status |= bit;
    }
    if (status === 0) throw new NlkitInputError("status needs at least one name", "status");
  }
  const orig = tuple("orig"), reply = tuple("reply");
  return {
    family, protoNum, orig, reply, mark, status,
    zone: f.zone === undefined ? undefined : intIn(f.zone, "zone", 0xffff),
  };
}

function tupleMatches(t: FlowTuple, m: TupleMatch | undefined): boolean {
  if (!m) return true;
  for (const k of ["src", "dst"] as const) {
    const c = m[k];
    if (!c) continue;
    const ip = parseIp(t[k]);
    if (!ip || ip.family !== c.family || !inSubnet(ip.bytes, c.bytes, c.prefixlen)) return false;
  }
  for (const k of ["sport", "dport", "icmpType", "icmpCode", "icmpId"] as const) if (m[k] !== undefined && t[k] !== m[k]) return false;
  return true;
}

/** Whether a flow passes the filter: the kernel's own tests, applied here. */
export function matchFlow(flow: Flow, m: FlowMatcher): boolean {
  if (m.family !== undefined && flow.family !== (m.family === AF_INET ? 4 : 6)) return false;
  if (m.protoNum !== undefined && flow.protoNum !== m.protoNum) return false;
  if (m.zone !== undefined && flow.zone !== m.zone) return false;
  if (m.mark && ((flow.mark & m.mark.mask) >>> 0) !== m.mark.value) return false;
  if (m.status !== undefined && (statusBits(flow) & m.status) !== m.status) return false;
  return tupleMatches(flow.orig, m.orig) && tupleMatches(flow.reply, m.reply);
}

/**
 * What of a filter the kernel compares for a dump, as nfgenmsg family and CTA_* values.
 * Addresses go in CTA_FILTER only as whole IPv4 addresses: the kernel compares IPv6 addresses of
 * a CTA_FILTER inverted (ctnetlink_filter_match_tuple tests !ipv6_addr_cmp), so a filtered dump
 * would hold every flow but the one asked for; ICMP fields stay here too (the kernel refuses
 * types it cannot invert). The rest is tested on this side, on every flow, whatever the kernel did.
 */
export function kernelFilter(m: FlowMatcher): { family: number; attrs: Record<string, unknown> } {
  const attrs: Record<string, unknown> = {};
  const flagsOf = (t: TupleMatch | undefined): { flags: number; tuple: Record<string, unknown> } => {
    let flags = 0;
    const ip: Record<string, unknown> = {};
    const proto: Record<string, unknown> = {};
    if (m.family === AF_INET) {
      if (t?.src && t.src.prefixlen === 32) { flags |= CTA_FILTER_F.ipSrc; ip.v4Src = t.src.bytes; }
      if (t?.dst && t.dst.prefixlen === 32) { flags |= CTA_FILTER_F.ipDst; ip.v4Dst = t.dst.bytes; }
    }
    if (m.protoNum !== undefined) {
      flags |= CTA_FILTER_F.protoNum;
      proto.num = m.protoNum;
      // the kernel compares ports of TCP and UDP flows only
      if (m.protoNum === 6 || m.protoNum === 17) {
        if (t?.sport !== undefined) { flags |= CTA_FILTER_F.srcPort; proto.srcPort = t.sport; }
        if (t?.dport !== undefined) { flags |= CTA_FILTER_F.dstPort; proto.dstPort = t.dport; }
      }
    }
    const tuple: Record<string, unknown> = {};
    if (Object.keys(ip).length) tuple.ip = ip;
    if (Object.keys(proto).length) tuple.proto = proto;
    return { flags, tuple };
  };
  // a tuple filter needs a family: the kernel refuses CTA_FILTER in AF_UNSPEC dumps
  const none = { flags: 0, tuple: {} };
  const o = m.family !== undefined ? flagsOf(m.orig) : none;
  const r = m.family !== undefined && m.reply ? flagsOf(m.reply) : none;
  if (o.flags) attrs.tupleOrig = o.tuple;
  if (r.flags) attrs.tupleReply = r.tuple;
  if (m.zone !== undefined) attrs.zone = m.zone;
  if (m.mark) { attrs.mark = m.mark.value; attrs.markMask = m.mark.mask; }
  if (m.status !== undefined) { attrs.status = m.status; attrs.statusMask = m.status; }
  if (o.flags || r.flags) attrs.filter = { origFlags: o.flags, replyFlags: r.flags };
  return { family: m.family ?? 0, attrs };
}

/** A normalised exact spec: the tuple attributes a lookup or delete sends, and the rest. */
export interface ExactFlow {
  family: number;
  dir: "tupleOrig" | "tupleReply";
  tuple: Record<string, unknown>;
  zone: number | undefined;
  id: number | undefined;
}

/**
 * A whole tuple (addresses, protocol, and its ports or ICMP type, code and id), as
 * CTA_TUPLE_ORIG or CTA_TUPLE_REPLY in conntrack's order; undefined when `spec` says less.
 */
export function exactFlow(spec: unknown, strict: boolean): ExactFlow | undefined {
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) throw new NlkitInputError("a flow spec must be an object", "spec");
  const s = spec as Record<string, unknown>;
  const dir = s.orig !== undefined ? "orig" : s.reply !== undefined ? "reply" : undefined;
  if (s.proto === undefined || dir === undefined) {
    if (strict) throw new NlkitInputError("a flow is named by proto and its orig (or reply) tuple", s.proto === undefined ? "proto" : "orig");
    return undefined;
  }
  const protoNum = protoIn(s.proto);
  const t = objectIn(s[dir], dir, TUPLE_KEYS);
  const kind = l4Kind(protoNum);
  const src = typeof t.src === "string" ? parseIp(t.src) : undefined;
  const dst = typeof t.dst === "string" ? parseIp(t.dst) : undefined;
  const whole = src !== undefined && dst !== undefined
    && (kind !== "ports" || (t.sport !== undefined && t.dport !== undefined))
    && (kind !== "icmp" || (t.icmpType !== undefined && t.icmpCode !== undefined && t.icmpId !== undefined));
  if (!strict) {
    // what only a filter says (a mark, a status, a prefix) makes it one; a Flow is always exact
    const flowLike = typeof s.id === "number" && Array.isArray(s.status);
    // both tuples narrow a filter; with an id they name the one flow that id still is
    const filterOnly = Object.keys(s).some((k) => !SPEC_KEYS.has(k)) || (s.orig !== undefined && s.reply !== undefined && s.id === undefined);
    if (!whole || (!flowLike && filterOnly)) return undefined;
  }
  if (!whole) {
    for (const k of ["src", "dst"] as const) {
      if (t[k] !== undefined && (k === "src" ? src : dst) === undefined) throw new NlkitInputError(`${dir}.${k}: invalid address ${JSON.stringify(t[k])}`, k);
    }
    const need = kind === "ports" ? "src, dst, sport and dport" : kind === "icmp" ? "src, dst, icmpType, icmpCode and icmpId" : "src and dst";
    throw new NlkitInputError(`${dir} must hold ${need} to name one flow`, dir);
  }
  for (const k of Object.keys(s)) if (!FLOW_KEYS.has(k)) throw new NlkitInputError(`unknown flow key "${k}"`, k);
  if (src.family !== dst.family) throw new NlkitInputError(`${dir}.src and ${dir}.dst are of different families`, "dst");
  const family = familyIn(s.family === undefined ? src.family : s.family);
  if (family !== (src.family === 4 ? AF_INET : AF_INET6)) throw new NlkitInputError(`${dir}.src ${String(t.src)} is not of family ${String(s.family)}`, "family");
  const l4 = l4In(t, protoNum, dir);
  const v6 = family === AF_INET6;
  const proto: Record<string, unknown> = { num: protoNum };
  if (kind === "ports") { proto.srcPort = l4.sport; proto.dstPort = l4.dport; }
  if (kind === "icmp") {
    // conntrack writes code, type, id (the kernel dumps them the other way round)
    const icmp6 = protoNum === IPPROTO_ICMPV6;
    proto[icmp6 ? "icmpv6Code" : "icmpCode"] = l4.icmpCode;
    proto[icmp6 ? "icmpv6Type" : "icmpType"] = l4.icmpType;
    proto[icmp6 ? "icmpv6Id" : "icmpId"] = l4.icmpId;
  }
  const tuple: Record<string, unknown> = { ip: v6 ? { v6Src: src.bytes, v6Dst: dst.bytes } : { v4Src: src.bytes, v4Dst: dst.bytes }, proto };
  if (t.zone !== undefined) tuple.zone = intIn(t.zone, `${dir}.zone`, 0xffff);
  // The zone as the kernel looks a flow up: a zone of this direction only goes in the tuple; one of
  // the other direction only is no zone at all for this one (it is in zone 0); else CTA_ZONE.
  let zone = s.zone === undefined ? undefined : intIn(s.zone, "zone", 0xffff);
  const otherZone = (s[dir === "orig" ? "reply" : "orig"] as FlowTuple | undefined)?.zone;
  if (tuple.zone !== undefined || (otherZone !== undefined && otherZone === zone) || zone === 0) zone = undefined;
  return {
    family, dir: dir === "orig" ? "tupleOrig" : "tupleReply", tuple, zone,
    id: s.id === undefined ? undefined : intIn(s.id, "id", 0xffffffff),
  };
}
