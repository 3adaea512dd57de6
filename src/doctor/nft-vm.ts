// One nf_tables rule run against one packet, the way the kernel runs it: loads into a 64-byte
// register file, bitwise, byteorder, cmp, range, set and map lookups (named and anonymous sets,
// intervals, concatenations, verdict maps), immediates, and the statement that ends it. What
// cannot be known about the probe (marks, TTL, a source port, rate limits) is "unknown": a match
// on it makes the rule a "maybe" instead of guessing either way.
import { parseIp } from "../netlink/ip.js";
import type { Node } from "../nft/ast.js";
import type { Expr } from "../nft/expr/index.js";
import type { SetDecl } from "../nft/set.js";

export interface PacketView {
  family: 4 | 6;
  saddr: string;
  daddr: string;
  /** The output device; "" where the hook has none (prerouting, input). */
  oifname: string;
  /** The input device; "" where the hook has none (output); left out: unknown. */
  iifname?: string;
  /** IPPROTO number of the probe (1 icmp, 17 udp, 58 icmpv6...). */
  l4proto?: number;
  /** Transport ports, when the probe has them (a UDP probe's destination). */
  sport?: number;
  dport?: number;
  /** ICMP type (8 echo request; 128 for ICMPv6). */
  icmpType?: number;
  /** Conntrack state bits (8 = new, the first packet of a flow); left out: new. */
  ctState?: number;
}

export type Action =
  | { kind: "accept" | "drop" | "continue" | "return" | "queue" | "reject" }
  | { kind: "jump" | "goto"; chain: string }
  | { kind: "masquerade" | "snat" | "dnat" | "redirect" };

/** "yes": the rule applies; "maybe": it applies unless a field that cannot be known says not. */
export type RuleRun = { match: "no" } | { match: "yes" | "maybe"; action?: Action; unknownVerdict?: boolean };

/** The rule's sets by name, anonymous ones included (ruleSet of the ruleset model). */
export type SetResolver = (name: string) => SetDecl | undefined;

const REGS = 64;

/** A packet's bytes at one base, with which of them are known. */
interface Header { bytes: Buffer; known: boolean[] }

function header(len: number): Header {
  return { bytes: Buffer.alloc(len), known: new Array<boolean>(len).fill(false) };
}
function put(h: Header, off: number, data: Buffer | number[]): void {
  for (let i = 0; i < data.length; i++) { h.bytes[off + i] = data[i]!; h.known[off + i] = true; }
}
const be16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];

function networkHeader(p: PacketView): Header {
  const s = parseIp(p.saddr)?.bytes, d = parseIp(p.daddr)?.bytes;
  if (p.family === 4) {
    const h = header(20);
    put(h, 0, [0x45, 0]);
    if (p.l4proto !== undefined) put(h, 9, [p.l4proto]);
    if (s) put(h, 12, s);
    if (d) put(h, 16, d);
    return h;
  }
  const h = header(40);
  if (p.l4proto !== undefined) put(h, 6, [p.l4proto]);
  if (s) put(h, 8, s);
  if (d) put(h, 24, d);
  return h;
}

function transportHeader(p: PacketView): Header {
  const h = header(20);
  if (p.l4proto === 1 || p.l4proto === 58) {
    if (p.icmpType !== undefined) put(h, 0, [p.icmpType, 0]);
  } else {
    if (p.sport !== undefined) put(h, 0, be16(p.sport));
    if (p.dport !== undefined) put(h, 2, be16(p.dport));
  }
  return h;
}

const ifname = (name: string) => { const b = Buffer.alloc(16); b.write(name, "latin1"); return b; };
const u32host = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };

/** A meta or ct key's value for the probe, or undefined when it cannot be known. */
function metaValue(key: string, p: PacketView): Buffer | undefined {
  switch (key) {
    case "iifname": return p.iifname !== undefined ? ifname(p.iifname) : undefined;
    case "oifname": return ifname(p.oifname);
    case "nfproto": return Buffer.from([p.family === 4 ? 2 : 10]);
    case "l4proto": return p.l4proto !== undefined ? Buffer.from([p.l4proto]) : undefined;
    case "protocol": return Buffer.from(be16(p.family === 4 ? 0x0800 : 0x86dd));
    default: return undefined;
  }
}

function ctValue(key: string, dir: string | undefined, p: PacketView): Buffer | undefined {
  const original = dir === undefined || dir === "original";
  switch (key) {
    case "state": return u32host(p.ctState ?? 8);
    // a new flow the doctor's probe starts: no NAT applied to it yet, nothing else seen
    case "status": return (p.ctState ?? 8) === 8 ? u32host(0) : undefined;
    case "direction": return Buffer.from([0]);
    case "l3proto": return Buffer.from([p.family === 4 ? 2 : 10]);
    case "protocol": return p.l4proto !== undefined ? Buffer.from([p.l4proto]) : undefined;
    case "saddr": case "ip saddr": case "ip6 saddr": return original ? parseIp(p.saddr)?.bytes : parseIp(p.daddr)?.bytes;
    case "daddr": case "ip daddr": case "ip6 daddr": return original ? parseIp(p.daddr)?.bytes : parseIp(p.saddr)?.bytes;
    case "proto-dst": return original && p.dport !== undefined ? Buffer.from(be16(p.dport)) : undefined;
    default: return undefined;
  }
}

/** Kernel register numbers: 1-4 are 16 bytes each, 8-23 are 4 bytes each, over the same 64 bytes. */
function regOffset(r: number): number | undefined {
  if (r >= 1 && r <= 4) return (r - 1) * 16;
  if (r >= 8 && r <= 23) return (r - 8) * 4;
  return undefined;
}

class Registers {
  readonly bytes = Buffer.alloc(REGS);
  readonly known = new Array<boolean>(REGS).fill(false);

  store(reg: number, data: Buffer | undefined, len = data?.length ?? 0): void {
    const off = regOffset(reg);
    if (off === undefined) return;
    // the kernel zeroes the rest of the last 32-bit word it writes
    const end = Math.min(REGS, off + Math.ceil(len / 4) * 4);
    for (let i = off; i < end; i++) {
      const j = i - off;
      this.bytes[i] = data && j < len ? data[j] ?? 0 : 0;
      this.known[i] = data !== undefined;
    }
  }

  /** The bytes with which of them are known (for keys only partly known). */
  partial(reg: number, len: number): { bytes: Buffer; known: boolean[] } | undefined {
    const off = regOffset(reg);
    if (off === undefined || off + len > REGS) return undefined;
    return { bytes: Buffer.from(this.bytes.subarray(off, off + len)), known: this.known.slice(off, off + len) };
  }

  load(reg: number, len: number): Buffer | undefined {
    const off = regOffset(reg);
    if (off === undefined || off + len > REGS) return undefined;
    for (let i = off; i < off + len; i++) if (!this.known[i]) return undefined;
    return Buffer.from(this.bytes.subarray(off, off + len));
  }
}

function cmpOp(op: string, c: number): boolean {
  switch (op) {
    case "eq": return c === 0;
    case "neq": return c !== 0;
    case "lt": return c < 0;
    case "lte": return c <= 0;
    case "gt": return c > 0;
    case "gte": return c >= 0;
    default: return false;
  }
}

// --- set elements as byte ranges ----------------------------------------------------------------

/** The [lo, hi] bytes a key component covers: a value, a prefix or a range. */
function span(n: Node): [Buffer, Buffer] | "any" | undefined {
  switch (n.t) {
    case "value": return [n.c.bytes, n.c.bytes];
    case "range": {
      const lo = span(n.lo), hi = span(n.hi);
      return Array.isArray(lo) && Array.isArray(hi) ? [lo[0], hi[1]] : undefined;
    }
    case "prefix": {
      if (n.value.t !== "value") return undefined;
      const lo = Buffer.from(n.value.c.bytes), hi = Buffer.from(lo);
      for (let bit = n.len; bit < hi.length * 8; bit++) hi[bit >> 3]! |= 0x80 >> (bit & 7);
      return [lo, hi];
    }
    case "symbol": return n.text === "*" ? "any" : undefined;
    default: return undefined;
  }
}

function inSpan(key: Buffer, s: [Buffer, Buffer]): boolean {
  const len = Math.min(key.length, s[0].length);
  const k = key.subarray(0, len);
  return Buffer.compare(k, s[0].subarray(0, len)) >= 0 && Buffer.compare(k, s[1].subarray(0, len)) <= 0;
}

const regLen = (n: number) => Math.ceil(n / 4) * 4;

/** Whether an element's key holds the lookup key (the register bytes, components 4-aligned). */
function elemHolds(decl: SetDecl, key: Node, bytes: Buffer): boolean | "any" {
  if (decl.key.length > 1) {
    if (key.t !== "concat") return span(key) === "any" ? "any" : false;
    let off = 0;
    for (let i = 0; i < key.items.length; i++) {
      const len = decl.keyLens[i] ?? 4;
      const s = span(key.items[i]!);
      if (s === undefined) return false;
      if (s !== "any" && !inSpan(bytes.subarray(off, off + len), s)) return false;
      off += regLen(len);
    }
    return true;
  }
  const s = span(key);
  if (s === "any") return "any";
  return s !== undefined && inSpan(bytes.subarray(0, decl.keyLen), s);
}

/**
 * Whether some element may hold a concatenated key only partly known: an element whose fully
 * known components miss is out. false: certainly none does.
 */
function someElemMayHold(decl: SetDecl, key: { bytes: Buffer; known: boolean[] }): boolean {
  if (decl.key.length < 2) return decl.elems.length > 0;
  return decl.elems.some((e) => {
    if (e.key.t !== "concat") return true;
    let off = 0;
    for (let i = 0; i < e.key.items.length; i++) {
      const len = decl.keyLens[i] ?? 4;
      const s = span(e.key.items[i]!);
      if (s !== "any" && s !== undefined && key.known.slice(off, off + len).every(Boolean) && !inSpan(key.bytes.subarray(off, off + len), s)) return false;
      off += regLen(len);
    }
    return true;
  });
}

/** The element of a set or map that holds the key (a catch-all "*" last). */
function findElem(decl: SetDecl, bytes: Buffer): SetDecl["elems"][number] | undefined {
  let catchall;
  for (const e of decl.elems) {
    const h = elemHolds(decl, e.key, bytes);
    if (h === "any") catchall ??= e;
    else if (h) return e;
  }
  return catchall;
}

/** A map element's data as register bytes (components 4-aligned). */
function dataBytes(decl: SetDecl, data: Node): Buffer | undefined {
  const items = data.t === "concat" ? data.items : [data];
  const parts: Buffer[] = [];
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    if (it.t !== "value") return undefined;
    const len = decl.dataLens?.[i] ?? it.c.bytes.length;
    const b = Buffer.alloc(items.length > 1 ? regLen(len) : len);
    it.c.bytes.copy(b, 0, 0, len);
    parts.push(b);
  }
  return Buffer.concat(parts);
}

function verdictAction(code: string, chain?: string): Action | undefined {
  switch (code) {
    case "accept": case "drop": case "continue": case "return": case "queue": return { kind: code };
    case "jump": case "goto": return chain ? { kind: code, chain } : undefined;
    default: return undefined;
  }
}

// --- the rule -----------------------------------------------------------------------------------

type D = Record<string, any>;
const buf = (v: unknown): Buffer | undefined => (Buffer.isBuffer(v) ? v : undefined);

/** Runs a rule's expressions against the packet. */
export function runRule(exprs: readonly Expr[], p: PacketView, sets: SetResolver = () => undefined): RuleRun {
  const regs = new Registers();
  const net = networkHeader(p), th = transportHeader(p);
  let uncertain = false;
  const maybe = (): { match: "yes" | "maybe" } => ({ match: uncertain ? "maybe" : "yes" });
  for (const e of exprs) {
    const d = (e.data && !Buffer.isBuffer(e.data) ? e.data : {}) as D;
    switch (e.name) {
      case "payload": {
        if (d.dreg === undefined) break; // a store: mangling, no match
        const h = d.base === "network" ? net : d.base === "transport" ? th : undefined;
        const off = Number(d.offset), len = Number(d.len);
        let v: Buffer | undefined;
        if (h && off + len <= h.bytes.length && h.known.slice(off, off + len).every(Boolean)) v = Buffer.from(h.bytes.subarray(off, off + len));
        regs.store(Number(d.dreg), v, len);
        break;
      }
      case "meta": case "ct": {
        if (d.dreg === undefined) break;
        const v = e.name === "meta" ? metaValue(String(d.key), p) : ctValue(String(d.key), d.direction, p);
        regs.store(Number(d.dreg), v, v?.length ?? 4);
        break;
      }
      case "immediate": {
        const v = d.data?.verdict;
        if (v && Number(d.dreg) === 0) {
          const a = verdictAction(String(v.code), v.chain);
          return { ...maybe(), ...(a ? { action: a } : { unknownVerdict: true }) };
        }
        regs.store(Number(d.dreg), buf(d.data?.value));
        break;
      }
      case "bitwise": {
        const len = Number(d.len);
        const v = regs.load(Number(d.sreg), len);
        const mask = buf(d.mask?.value), xor = buf(d.xor?.value);
        if (!v || (d.op !== undefined && d.op !== "bool") || !mask) { regs.store(Number(d.dreg), undefined, len); break; }
        const out = Buffer.alloc(len);
        for (let i = 0; i < len; i++) out[i] = ((v[i] ?? 0) & (mask[i] ?? 0)) ^ (xor?.[i] ?? 0);
        regs.store(Number(d.dreg), out, len);
        break;
      }
      case "byteorder": {
        const len = Number(d.len), size = Number(d.size);
        const v = regs.load(Number(d.sreg), len);
        let out: Buffer | undefined;
        if (v && (size === 2 || size === 4 || size === 8)) {
          out = Buffer.alloc(len);
          for (let i = 0; i + size <= len; i += size) for (let j = 0; j < size; j++) out[i + j] = v[i + size - 1 - j]!;
        }
        regs.store(Number(d.dreg), out, len);
        break;
      }
      case "cmp": {
        const want = buf(d.data?.value);
        const v = want ? regs.load(Number(d.sreg), want.length) : undefined;
        if (!v || !want) { uncertain = true; break; }
        if (!cmpOp(String(d.op), Buffer.compare(v, want))) return { match: "no" };
        break;
      }
      case "range": {
        const lo = buf(d.fromData?.value), hi = buf(d.toData?.value);
        const v = lo ? regs.load(Number(d.sreg), lo.length) : undefined;
        if (!v || !lo || !hi) { uncertain = true; break; }
        const inside = Buffer.compare(v, lo) >= 0 && Buffer.compare(v, hi) <= 0;
        if (inside !== (d.op !== "neq")) return { match: "no" };
        break;
      }
      case "lookup": {
        const decl = sets(String(d.set));
        const key = decl ? regs.load(Number(d.sreg), decl.keyLen) : undefined;
        const dreg = d.dreg === undefined ? undefined : Number(d.dreg);
        const invertFlag = (Number(d.flags ?? 0) & 1) !== 0;
        if (decl && !key && !invertFlag) {
          // a key only partly known (a port the probe does not have) may still miss every element
          const part = regs.partial(Number(d.sreg), decl.keyLen);
          if (part && !someElemMayHold(decl, part)) return { match: "no" };
        }
        if (!decl || !key) {
          uncertain = true;
          if (dreg === 0) return { match: "maybe", unknownVerdict: true };
          if (dreg !== undefined) regs.store(dreg, undefined, decl?.dataLens?.reduce((a, b) => a + regLen(b), 0) ?? 4);
          break;
        }
        const el = findElem(decl, key);
        const invert = (Number(d.flags ?? 0) & 1) !== 0;
        if (dreg === undefined) {
          if (!el !== invert) return { match: "no" };
          break;
        }
        if (!el) return { match: "no" };
        if (dreg === 0) {
          const v = el.data?.t === "verdict" ? verdictAction(el.data.code, el.data.chain) : undefined;
          return { ...maybe(), ...(v ? { action: v } : { unknownVerdict: true }) };
        }
        regs.store(dreg, el.data ? dataBytes(decl, el.data) : undefined);
        break;
      }
      case "masq": return { ...maybe(), action: { kind: "masquerade" } };
      case "redir": return { ...maybe(), action: { kind: "redirect" } };
      case "nat": return { ...maybe(), action: { kind: d.type === "dnat" ? "dnat" : "snat" } };
      case "reject": return { ...maybe(), action: { kind: "reject" } };
      case "queue": return { ...maybe(), action: { kind: "queue" } };
      case "counter": case "log": case "notrack": case "dynset":
        break;
      case "objref":
        // a named counter counts; a named quota or limit may stop matching
        if (d.immType !== "counter") uncertain = true;
        break;
      case "limit": case "quota": case "connlimit":
        uncertain = true;
        break;
      default:
        // fib, numgen, hash, rt, exthdr, socket...: their registers hold what cannot be known here
        if (d.dreg !== undefined) regs.store(Number(d.dreg), undefined, Number(d.len ?? 16));
        else if (!["ct", "meta", "payload"].includes(e.name)) uncertain = true;
    }
  }
  return maybe();
}
