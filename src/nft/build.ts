import { NlkitInputError } from "../netlink/errors.js";
import { parseCidr, parseIp } from "../netlink/ip.js";
import type { Expr } from "./expr/index.js";
import { CT_STATE_BITS } from "./expr/ct.js";
import { NF_NAT_RANGE } from "./expr/nat.js";

/**
 * Typed expression builders, named after the nft statements they implement. Matchers return
 * the expression list nft itself generates (a load, maybe a bitwise, a cmp), so rules built here
 * list the same way as rules written in nft syntax.
 */

export type CmpOp = "eq" | "neq" | "lt" | "lte" | "gt" | "gte";
const REG = 1;

/**
 * Protocol names nft accepts after `meta l4proto` / `ip protocol`, with their numbers.
 */
export const L4PROTO: Record<string, number> = {
  icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, icmpv6: 58, sctp: 132, udplite: 136,
};

/**
 * Loads `len` bytes at `offset` of a header (`@nh,96,32` in nft's raw syntax) into a register.
 */
export function payload(base: "ll" | "network" | "transport" | "inner", offset: number, len: number, dreg = REG): Expr {
  return { name: "payload", data: { dreg, base, offset, len } };
}
/**
 * Loads a meta key (`meta mark`, `iifname`, `l4proto`...) into a register.
 */
export function meta(key: string, dreg = REG): Expr {
  // nft writes key before dreg; the order is kept so the bytes match
  return { name: "meta", data: { key, dreg } };
}
/**
 * Loads a conntrack key (`ct state`, `ct mark`...) into a register.
 */
export function ct(key: string, dreg = REG): Expr {
  return { name: "ct", data: { key, dreg } };
}
/**
 * Compares a register with bytes (`eq`, `neq`, `lt`...): the second half of every match.
 */
export function cmp(op: CmpOp, value: Uint8Array, sreg = REG): Expr {
  return { name: "cmp", data: { sreg, op, data: { value: Buffer.from(value) } } };
}
/**
 * Masks (and xors) a register, as nft does before comparing prefixes and flag bits.
 */
export function bitwise(mask: Uint8Array, xor: Uint8Array = Buffer.alloc(mask.length), reg = REG): Expr {
  return { name: "bitwise", data: { sreg: reg, dreg: reg, len: mask.length, mask: { value: Buffer.from(mask) }, xor: { value: Buffer.from(xor) } } };
}
/**
 * Puts a constant in a register (for NAT addresses, set values...).
 */
export function immediate(value: Uint8Array, dreg: number): Expr {
  return { name: "immediate", data: { dreg, data: { value: Buffer.from(value) } } };
}
/**
 * Looks the register up in a named set (`ip saddr @blocked`); `invert` for `!= @set`.
 */
export function lookup(set: string, opts: { sreg?: number; invert?: boolean; setId?: number } = {}): Expr {
  const data: Record<string, unknown> = { sreg: opts.sreg ?? REG, set };
  if (opts.setId !== undefined) data.setId = opts.setId;
  if (opts.invert) data.flags = 1;
  return { name: "lookup", data };
}

// --- verdicts -------------------------------------------------------------------------------------

/**
 * The verdicts a rule can end in.
 */
export type VerdictName = "accept" | "drop" | "continue" | "return" | "jump" | "goto" | "queue";
/**
 * A verdict statement; `jump` and `goto` name their chain.
 */
export function verdict(code: VerdictName, chain?: string): Expr {
  if ((code === "jump" || code === "goto") && !chain) throw new NlkitInputError(`${code} needs a chain name`, "chain");
  const v: Record<string, unknown> = { code };
  if (chain) v.chain = chain;
  return { name: "immediate", data: { dreg: 0, data: { verdict: v } } };
}
/**
 * `accept`.
 */
export const accept = (): Expr => verdict("accept");
/**
 * `drop`.
 */
export const drop = (): Expr => verdict("drop");
/**
 * `return`.
 */
export const ret = (): Expr => verdict("return");
/**
 * `jump CHAIN`.
 */
export const jump = (chain: string): Expr => verdict("jump", chain);
/**
 * `goto CHAIN`.
 */
export const goto = (chain: string): Expr => verdict("goto", chain);

// --- statements -----------------------------------------------------------------------------------

/**
 * An anonymous `counter`.
 */
export const counter = (): Expr => ({ name: "counter", data: {} });

/**
 * NAT port-selection flags: `random`, `fully-random`, `persistent`.
 */
export interface NatFlags {
  /** nft's `random`: the port mapping is randomised rather than the original port kept (NF_NAT_RANGE_PROTO_RANDOM). */
  random?: boolean;
  /** nft's `fully-random`: full port randomisation, a pseudo-random port for every mapping (NF_NAT_RANGE_PROTO_RANDOM_FULLY). */
  fullyRandom?: boolean;
  /** nft's `persistent`: a client is given the same address for each of its connections (NF_NAT_RANGE_PERSISTENT). */
  persistent?: boolean;
}
function natFlagBits(f: NatFlags): number {
  return (f.random ? NF_NAT_RANGE.random : 0) | (f.fullyRandom ? NF_NAT_RANGE.fullyRandom : 0) | (f.persistent ? NF_NAT_RANGE.persistent : 0);
}

/**
 * `masquerade [to :PORT] [random ...]`: SNAT to the outgoing interface's address.
 */
export function masquerade(opts: NatFlags & { port?: number } = {}): Expr[] {
  return localNat("masq", opts);
}

/**
 * `redirect [to :PORT]`: DNAT to the local machine.
 */
export function redirect(opts: NatFlags & { port?: number } = {}): Expr[] {
  return localNat("redir", opts);
}

/** masq and redir share their data: NAT flags and an optional port loaded into a register. */
function localNat(name: "masq" | "redir", opts: NatFlags & { port?: number }): Expr[] {
  const data: Record<string, unknown> = {};
  const out: Expr[] = [];
  let flags = natFlagBits(opts);
  if (opts.port !== undefined) {
    out.push(immediate(be16(port(opts.port)), REG));
    data.regProtoMin = REG;
    flags |= NF_NAT_RANGE.protoSpecified;
  }
  if (flags) data.flags = flags;
  out.push({ name, data });
  return out;
}

/** snat/dnat to "addr", "addr:port", "[v6]:port"; family is the address family of the target. */
export function nat(type: "snat" | "dnat", to: string, opts: NatFlags = {}): Expr[] {
  const { address, port: p } = parseHostPort(to);
  const ip = parseIp(address);
  if (!ip) throw new NlkitInputError(`invalid ${type} address "${address}"`, "to");
  const out: Expr[] = [immediate(ip.bytes, REG)];
  const data: Record<string, unknown> = { type, family: ip.family === 4 ? "ip" : "ip6", regAddrMin: REG };
  let flags = natFlagBits(opts);
  if (p !== undefined) {
    out.push(immediate(be16(p), 2));
    data.regProtoMin = 2;
    flags |= NF_NAT_RANGE.protoSpecified;
  }
  if (flags) data.flags = flags;
  out.push({ name: "nat", data });
  return out;
}
/**
 * `dnat to ADDR[:PORT]` ("10.0.0.2:80", "[2001:db8::2]:80").
 */
export const dnat = (to: string, opts?: NatFlags) => nat("dnat", to, opts);
/**
 * `snat to ADDR[:PORT]`.
 */
export const snat = (to: string, opts?: NatFlags) => nat("snat", to, opts);

/**
 * "addr", "addr:port", "[v6addr]" or "[v6addr]:port" (the brackets keep the port apart from the
 * address's own colons). A port is 1-65535: nat to port 0 means nothing.
 */
export function parseHostPort(to: string, field = "to"): {
  /** The address as written, without brackets; not checked to be an IP address. */
  address: string;
  /** The port, 1-65535; absent when none was given (also for an unbracketed IPv6 address). */
  port?: number;
} {
  const bad = (why: string): never => { throw new NlkitInputError(`invalid ${field} "${to}": ${why}`, field); };
  let address: string, portText: string | undefined;
  if (to.startsWith("[")) {
    const m = /^\[([^\]]*)\](?::(.*))?$/.exec(to) ?? bad("expected [address] or [address]:port");
    address = m[1]!;
    portText = m[2];
    if (!address.includes(":")) bad("brackets are for IPv6 addresses");
  } else {
    const parts = to.split(":");
    if (parts.length > 2) return { address: to };
    [address, portText] = [parts[0]!, parts[1]];
  }
  if (address === "") bad("no address");
  if (portText === undefined) return { address };
  if (!/^\d+$/.test(portText)) bad(portText === "" ? "no port after the colon" : `port "${portText}" is not a number`);
  const p = Number(portText);
  if (p < 1 || p > 65535) bad(`port ${p} is not in 1-65535`);
  return { address, port: p };
}

/**
 * `log [prefix "..."] [level ...] [group N]`.
 */
export function log(opts: { prefix?: string; level?: string; group?: number } = {}): Expr {
  const data: Record<string, unknown> = {};
  if (opts.prefix !== undefined) data.prefix = opts.prefix;
  if (opts.group !== undefined) data.group = opts.group;
  if (opts.level !== undefined) data.level = opts.level;
  return { name: "log", data };
}

/**
 * The units `limit rate N/UNIT` takes, in seconds.
 */
export const LIMIT_UNITS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86400, week: 604800 };
/** limit rate N/unit; nft's default burst is 5 packets. */
export function limit(rate: number, per: keyof typeof LIMIT_UNITS = "second", opts: { burst?: number; over?: boolean } = {}): Expr {
  const unit = LIMIT_UNITS[per];
  if (!unit) throw new NlkitInputError(`invalid limit unit "${per}"`, "per");
  return { name: "limit", data: { rate: BigInt(rate), unit: BigInt(unit), burst: opts.burst ?? 5, type: "packets", flags: opts.over ? 1 : 0 } };
}

/**
 * `reject`, or `reject with tcp reset`.
 */
export function reject(withTcpReset = false): Expr {
  return withTcpReset ? { name: "reject", data: { type: "tcp reset", icmpCode: 0 } } : { name: "reject", data: { type: "icmpx", icmpCode: 1 } };
}

// --- matchers -------------------------------------------------------------------------------------

/**
 * ip saddr/daddr with an optional prefix. Like nft, a byte-aligned prefix loads only the
 * prefix bytes; any other prefix is masked with a bitwise.
 */
function addrMatch(v6: boolean, offset: number, text: string, op: CmpOp): Expr[] {
  const c = parseCidr(text, v6 ? 6 : 4);
  if (!c) throw new NlkitInputError(`invalid address "${text}"`, "address");
  const full = v6 ? 16 : 4;
  if ((c.family === 6) !== v6) throw new NlkitInputError(`"${text}" is not an IPv${v6 ? 6 : 4} address`, "address");
  const bytes = Buffer.from(c.bytes);
  if (c.prefixlen === full * 8) return [payload("network", offset, full), cmp(op, bytes)];
  if (c.prefixlen % 8 === 0) {
    const n = c.prefixlen / 8;
    return [payload("network", offset, n), cmp(op, bytes.subarray(0, n))];
  }
  const mask = Buffer.alloc(full);
  for (let i = 0; i < c.prefixlen; i++) mask[i >> 3]! |= 0x80 >> (i & 7);
  const net = Buffer.from(bytes.map((b, i) => b & mask[i]!));
  return [payload("network", offset, full), bitwise(mask), cmp(op, net)];
}

/**
 * `ip saddr ADDR[/LEN]` (with `op`, e.g. `!=`).
 */
export const ipSaddr = (addr: string, op: CmpOp = "eq") => addrMatch(false, 12, addr, op);
/**
 * `ip daddr ADDR[/LEN]`.
 */
export const ipDaddr = (addr: string, op: CmpOp = "eq") => addrMatch(false, 16, addr, op);
/**
 * `ip6 saddr ADDR[/LEN]`.
 */
export const ip6Saddr = (addr: string, op: CmpOp = "eq") => addrMatch(true, 8, addr, op);
/**
 * `ip6 daddr ADDR[/LEN]`.
 */
export const ip6Daddr = (addr: string, op: CmpOp = "eq") => addrMatch(true, 24, addr, op);

/** IFNAMSIZ: nft compares the whole zero-padded name. */
export function ifnameBytes(name: string): Buffer {
  const b = Buffer.alloc(16);
  if (Buffer.byteLength(name) > 15) throw new NlkitInputError(`interface name "${name}" is longer than 15 bytes`, "ifname");
  b.write(name);
  return b;
}
/**
 * `iifname NAME`: the whole name, at most 15 bytes (`NlkitInputError` beyond).
 */
export const iifname = (name: string, op: CmpOp = "eq") => [meta("iifname"), cmp(op, ifnameBytes(name))];
/**
 * `oifname NAME`: the whole name, at most 15 bytes (`NlkitInputError` beyond).
 */
export const oifname = (name: string, op: CmpOp = "eq") => [meta("oifname"), cmp(op, ifnameBytes(name))];

/**
 * `meta l4proto PROTO` (a name or number).
 */
export function l4proto(proto: string | number, op: CmpOp = "eq"): Expr[] {
  return [meta("l4proto"), cmp(op, Buffer.from([protoNumber(proto)]))];
}
/**
 * `meta nfproto ipv4|ipv6`, to restrict an inet rule to one family.
 */
export function nfproto(family: "ipv4" | "ipv6"): Expr[] {
  return [meta("nfproto"), cmp("eq", Buffer.from([family === "ipv4" ? 2 : 10]))];
}

/** tcp/udp sport/dport, preceded by the meta l4proto dependency nft adds. */
export function portMatch(proto: "tcp" | "udp", field: "sport" | "dport", p: number, op: CmpOp = "eq"): Expr[] {
  return [...l4proto(proto), payload("transport", field === "sport" ? 0 : 2, 2), cmp(op, be16(port(p)))];
}
/**
 * `tcp dport N`.
 */
export const tcpDport = (p: number, op?: CmpOp) => portMatch("tcp", "dport", p, op);
/**
 * `tcp sport N`.
 */
export const tcpSport = (p: number, op?: CmpOp) => portMatch("tcp", "sport", p, op);
/**
 * `udp dport N`.
 */
export const udpDport = (p: number, op?: CmpOp) => portMatch("udp", "dport", p, op);
/**
 * `udp sport N`.
 */
export const udpSport = (p: number, op?: CmpOp) => portMatch("udp", "sport", p, op);

/** ct state established,related: a mask test, as nft writes it for several states. */
export function ctState(...states: string[]): Expr[] {
  let bits = 0;
  for (const s of states) {
    const b = CT_STATE_BITS[s];
    if (b === undefined) throw new NlkitInputError(`invalid ct state "${s}"`, "state");
    bits |= b;
  }
  const le = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
  return [ct("state"), bitwise(le(bits), le(0)), cmp("neq", le(0))];
}

/** "ip daddr @set" and friends: a load, then a lookup. */
export function inSet(load: Expr, set: string, invert = false): Expr[] {
  return [load, lookup(set, { invert })];
}
/**
 * Loads `ip saddr` without comparing, for set lookups and concatenations.
 */
export const ipSaddrField = () => payload("network", 12, 4);
/**
 * Loads `ip daddr` without comparing, for set lookups and concatenations.
 */
export const ipDaddrField = () => payload("network", 16, 4);

// --- helpers --------------------------------------------------------------------------------------

/**
 * A protocol name or number to its number; `NlkitInputError` for an unknown name.
 */
export function protoNumber(proto: string | number): number {
  if (typeof proto === "number") return proto;
  const n = L4PROTO[proto];
  if (n === undefined) throw new NlkitInputError(`unknown protocol "${proto}"`, "protocol");
  return n;
}

function port(p: number): number {
  if (!Number.isInteger(p) || p < 0 || p > 65535) throw new NlkitInputError(`invalid port ${p}`, "port");
  return p;
}
/**
 * A 16-bit number in network byte order, as port comparisons need it.
 */
export function be16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

/** Flattens builder output: a rule's expressions may mix single expressions and lists. */
export function flattenExprs(list: ReadonlyArray<Expr | readonly Expr[]>): Expr[] {
  return list.flatMap((e) => (Array.isArray(e) ? e : [e as Expr]));
}

// --- maps, concatenations and named objects (build-maps.ts) -------------------------------------
export { field, concat, vmap, mapLookup, metaSet, ctSet, natMap, objref, objrefMap, type ObjectType } from "./build-maps.js";
