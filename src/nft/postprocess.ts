// The second half of reading a rule (nft's rule_parse_postprocess): give values the type of what
// they are compared with, name payload loads after the protocol in force ("ip saddr"), fold masks
// into prefixes, flag lists and sub-byte fields, merge ">= a, <= b" into "a-b", and drop the
// protocol matches nft adds implicitly ("meta l4proto tcp" before "tcp dport").
import type { Node, RelOp, Stmt } from "./ast.js";
import { fromBigInt, INTEGER_BE, swapped, toBigInt, TYPES, type DataType } from "./datatype.js";
import {
  BASES, baseIndex, CT_KEYS, familyStart, fieldAt, META_KEYS, metaKeyBase, PROTOS, protoUpper, type Base, type Proto,
} from "./proto.js";
import type { NftFamily } from "./types.js";

type Match = Extract<Stmt, { s: "match" }>;
type Payload = Extract<Node, { t: "payload" }>;

// nft's proto_bases: 0 is "invalid" (used by meta iiftype), 1 link layer ... 4 inner
const LL = 1, NETWORK = 2, TRANSPORT = 3, INNER = 4;
const bidx = (b: Base) => baseIndex(b) + 1;

class Pctx {
  readonly protos: Array<Proto | undefined> = [];
  /** Protocol-key matches that a higher-layer match may make redundant (nft's pdeps, by base). */
  deps: Array<Match | undefined> = [];
  prev: Stmt | undefined;
  readonly removed = new Set<Stmt>();

  constructor(readonly family: NftFamily) {
    const s = familyStart(family);
    this.protos[bidx(s.base)] = PROTOS[s.proto];
  }

  exists(base: number): boolean {
    return !!this.deps[base] || (base === TRANSPORT && !!this.deps[INNER]);
  }

  get(base: number): Match | undefined {
    return this.deps[base] ?? (base === TRANSPORT ? this.deps[INNER] : undefined);
  }

  release(base: number): void {
    const b = this.deps[base] ? base : base === TRANSPORT && this.deps[INNER] ? INNER : -1;
    if (b < 0) return;
    const dep = this.deps[b]!;
    this.removed.add(dep);
    if (this.prev === dep) this.prev = undefined;
    this.deps[b] = undefined;
  }

  store(stmt: Match, base: number): void {
    this.deps[base + 1] = stmt;
  }

  reset(): void {
    this.deps = [];
  }
}

const value = (n: Node): bigint | undefined => (n.t === "value" ? toBigInt(n.c.bytes, n.c.type.byteorder) : undefined);

/** Gives a node (and what it holds) a type, as nft's expr_set_type. */
export function setType(n: Node, type: DataType): Node {
  switch (n.t) {
    case "value": return n.c.type === type ? n : { ...n, c: { ...n.c, type } };
    case "prefix": return { ...n, value: setType(n.value, type) };
    case "range": return { ...n, lo: setType(n.lo, type), hi: setType(n.hi, type) };
    case "list": return { ...n, items: n.items.map((i) => setType(i, type)) };
    default: return n;
  }
}

/** The data type of an expression that produces values. */
export function typeOf(n: Node): DataType | undefined {
  switch (n.t) {
    case "payload": case "meta": case "ct": case "numgen": case "hash": case "fib": case "rt": return n.type;
    case "binop": return typeOf(n.left);
    case "byteorder": { const t = typeOf(n.arg); return t && swapped(t); }
    case "value": return n.c.type;
    default: return undefined;
  }
}

function isProtocolKey(n: Node): boolean {
  if (n.t === "meta") return n.key === "l4proto" || n.key === "nfproto" || n.key === "protocol" || n.key === "iiftype";
  if (n.t === "payload" && n.proto && n.field) return PROTOS[n.proto]?.keyField === n.field;
  return false;
}

/** What a protocol-key match tells about the next layer up (relational_expr_pctx_update). */
function pctxUpdate(ctx: Pctx, m: Match): void {
  if (m.op !== "==" || m.right.t !== "value") return;
  const v = Number(value(m.right)!);
  const l = m.left;
  if (l.t === "meta") {
    if (l.key === "l4proto") ctx.protos[TRANSPORT] = protoUpper(PROTOS["inet-service"]!, v);
    else if (l.key === "nfproto") ctx.protos[NETWORK] = protoUpper(PROTOS.inet!, v);
    else if (l.key === "protocol") ctx.protos[NETWORK] = protoUpper(PROTOS.netdev!, v);
    else if (l.key === "iiftype" && v === 1) ctx.protos[LL] = PROTOS.ether;
    return;
  }
  if (l.t === "payload" && l.proto && isProtocolKey(l)) {
    const p = PROTOS[l.proto]!;
    const up = protoUpper(p, v);
    ctx.protos[bidx(p.base) + 1] = up;
  }
}

function resolveField(ctx: Pctx, p: Payload): Payload {
  const desc = ctx.protos[bidx(p.base)];
  if (desc && !desc.pseudo) {
    const f = fieldAt(desc, p.offset, p.bits);
    if (f) return { ...p, proto: desc.name, field: f.name, type: f.type };
  }
  return raw(p);
}

/** nft's raw payload: hex integers, except 16-bit loads at transport offsets 0/16 ("th dport"). */
function raw(p: Payload): Payload {
  if (p.base === "transport" && p.bits === 16 && (p.offset === 0 || p.offset === 16)) {
    return { ...p, proto: "th", field: p.offset === 0 ? "sport" : "dport", type: TYPES.inet_service };
  }
  const { proto: _p, field: _f, ...rest } = p;
  return { ...rest, type: XINTEGER };
}

/** nft prints raw payload values in hex. */
export const XINTEGER: DataType = { ...INTEGER_BE, hexWidth: 0 };

function mayKillPayloadDep(ctx: Pctx, p: Payload): boolean {
  const dep = ctx.get(bidx(p.base));
  if (!dep) return false;
  const dl = dep.left;
  if (ctx.family === "bridge" || ctx.family === "netdev" || ctx.family === "inet") {
    if (dl.t === "payload" && dl.base === "network" && (dl.proto === "ip" || dl.proto === "ip6") && p.base === "transport") return false;
    if (dl.t === "payload" && dep.op === "==" && p.base === dl.base) {
      if (isProtocolKey(p)) return false;
      if (p.base === "ll") {
        if (dl.proto === "vlan") return false;
        if (dl.proto === "ether" && dep.right.t === "value" && dep.right.c.bytes.length === 2) return value(dep.right) === 0x8100n;
        return true;
      }
    }
  }
  if (p.base !== "transport") return true;
  if (dl.t !== "payload" || dl.base !== "transport") return true;
  // an icmp type match stays: only fields that need that very type would make it redundant
  return !(dl.proto === "icmp" || dl.proto === "icmpv6");
}

function killPayloadDep(ctx: Pctx, p: Payload): void {
  if (!p.field || p.proto === "th") return;
  if (ctx.exists(bidx(p.base)) && mayKillPayloadDep(ctx, p)) ctx.release(bidx(p.base));
}

/** meta_may_dependency_kill: a meta protocol match after an l3 one. */
function mayKillMetaDep(ctx: Pctx, m: Match): boolean {
  const dep = ctx.get(NETWORK);
  if (!dep) return true;
  let nfproto: number | undefined;
  const dl = dep.left;
  if (dl.t === "meta" && dl.key === "nfproto") nfproto = Number(value(dep.right) ?? -1n);
  else if ((dl.t === "meta" && dl.key === "protocol") || (dl.t === "payload" && dl.base === "ll" && dl.type === TYPES.ether_type)) {
    const v = Number(value(dep.right) ?? -1n);
    nfproto = v === 0x0800 ? 2 : v === 0x86dd ? 10 : 0;
  } else return true;
  switch (ctx.family) {
    case "inet": case "netdev": case "bridge": break;
    case "ip": return nfproto === 2;
    case "ip6": return nfproto === 10;
    default: return true;
  }
  if (m.left.t !== "meta" || m.left.key !== "l4proto") return true;
  const l4 = Number(value(m.right) ?? -1n);
  if (l4 !== 1 && l4 !== 58) return false;
  return !((nfproto === 2 && l4 === 58) || (nfproto === 10 && l4 === 1));
}

function metaBase(n: Node): number {
  if (n.t === "meta") {
    const b = metaKeyBase(n.key);
    return b ? bidx(b) : 0;
  }
  if (n.t === "ct") {
    if (n.key === "l3proto") return LL;
    if (n.key === "protocol" || n.key === "saddr" || n.key === "daddr") return NETWORK;
    if (n.key === "proto-src" || n.key === "proto-dst") return TRANSPORT;
  }
  return 0;
}

function ctMetaCommon(ctx: Pctx, m: Match): void {
  if (m.op !== "==" || m.right.t === "range" || m.right.t === "set" || m.right.t === "setref") return;
  pctxUpdate(ctx, m);
  const base = metaBase(m.left);
  if (base < TRANSPORT && m.left.t === "meta") {
    if (ctx.exists(base) && mayKillMetaDep(ctx, m)) ctx.release(base);
    if (isProtocolKey(m.left)) ctx.store(m, base);
  }
}

/** Splits the bits of a bitmask value into single-flag values, lowest first. */
function flagList(n: Node): Node[] {
  if (n.t !== "value") return [n];
  const v = toBigInt(n.c.bytes, n.c.type.byteorder);
  const out: Node[] = [];
  for (let bit = 0n; bit < BigInt(n.c.bytes.length * 8); bit++) {
    if (v & (1n << bit)) out.push({ t: "value", c: { type: n.c.type, bytes: fromBigInt(1n << bit, n.c.bytes.length, n.c.type.byteorder) } });
  }
  return out;
}

const popcount = (v: bigint) => v.toString(2).split("").filter((c) => c === "1").length;

/** A mask that is a run of leading ones (a prefix), and how long. */
function maskPrefix(mask: Buffer): number | undefined {
  const bits = mask.length * 8;
  let n = 0;
  while (n < bits && mask[n >> 3]! & (0x80 >> (n & 7))) n++;
  for (let i = n; i < bits; i++) if (mask[i >> 3]! & (0x80 >> (i & 7))) return undefined;
  return n;
}

/** A masked load that is really a sub-byte field (payload_expr_trim): the field and the shift. */
function trimPayload(ctx: Pctx, p: Payload, mask: Buffer): { p: Payload; shift: number } | undefined {
  const desc = ctx.protos[bidx(p.base)];
  if (!desc || desc.pseudo) return undefined;
  const m = toBigInt(mask, "big");
  if (m === 0n) return undefined;
  let shift = 0;
  while (!(m & (1n << BigInt(shift)))) shift++;
  let top = shift;
  while (m & (1n << BigInt(top))) top++;
  const off = mask.length * 8 - top;
  let offset = p.offset + off, left = p.bits, len = 0;
  for (const f of desc.fields) {
    if (f.offset !== offset) continue;
    if (f.bits > left) return undefined;
    left -= f.bits; offset += f.bits; len += f.bits;
    if (left === 0) return undefined;
    if (shift + len === top) return { p: { ...p, offset: p.offset + off, bits: len, proto: desc.name, field: f.name, type: f.type }, shift };
  }
  return undefined;
}

function shiftValue(n: Node, shift: number, bits: number): Node {
  if (n.t === "value") {
    const v = toBigInt(n.c.bytes, "big") >> BigInt(shift);
    return { t: "value", c: { type: n.c.type, bytes: fromBigInt(v, Math.ceil(bits / 8), "big"), bits } };
  }
  if (n.t === "range") return { ...n, lo: shiftValue(n.lo, shift, bits), hi: shiftValue(n.hi, shift, bits) };
  if (n.t === "set") return { ...n, elems: n.elems.map((e) => ({ ...e, key: shiftValue(e.key, shift, bits) })) };
  return n;
}

/**
 * payload_match_expand: one load may cover several fields (nft merges adjacent matches, e.g.
 * "udp sport 547 udp dport 546" is one 4-byte compare): one match per field, the last possibly
 * a prefix of its field ("ip saddr 10.0.0.0/8" loads one byte).
 */
function expandPayload(ctx: Pctx, p: Payload, v: Buffer): Array<[Payload, Node]> | undefined {
  const desc = ctx.protos[bidx(p.base)];
  if (!desc || desc.pseudo) return undefined;
  const out: Array<[Payload, Node]> = [];
  let offset = p.offset, left = p.bits;
  let pos = 0;
  for (const f of desc.fields) {
    if (left <= 0) break;
    if (f.offset !== offset) continue;
    const take = Math.min(f.bits, left);
    if (take % 8 || offset % 8) return undefined;
    const bytes = v.subarray(pos / 8, (pos + take) / 8);
    const field: Payload = { ...p, offset: f.offset, bits: f.bits, proto: desc.name, field: f.name, type: f.type };
    if (take < f.bits) {
      const full = Buffer.alloc(Math.ceil(f.bits / 8));
      bytes.copy(full);
      out.push([field, { t: "prefix", value: { t: "value", c: { type: f.type, bytes: full } }, len: take }]);
    } else {
      out.push([field, { t: "value", c: { type: f.type, bytes: Buffer.from(bytes) } }]);
    }
    offset += take; left -= take; pos += take;
  }
  return left === 0 && out.length ? out : undefined;
}

/** payload_match_postprocess: name the field(s), and track the protocols they establish. */
function payloadMatch(ctx: Pctx, m: Match, p: Payload): Match[] {
  if ((m.op === "==" || m.op === "!=") && m.right.t === "value" && m.right.c.bits === undefined) {
    const parts = expandPayload(ctx, p, m.right.c.bytes) ?? [[raw(p), setType(m.right, raw(p).type)] as [Payload, Node]];
    return parts.map(([left, right]) => {
      const out: Match = { ...m, left, right };
      if (out.op === "==") pctxUpdate(ctx, out);
      killPayloadDep(ctx, left);
      if (out.op === "==" && isProtocolKey(left)) ctx.store(out, bidx(left.base));
      return out;
    });
  }
  const left = p.field ? p : resolveField(ctx, p);
  const out: Match = { ...m, left, right: setType(m.right, left.type) };
  if (out.op === "==" && out.right.t === "value") pctxUpdate(ctx, out);
  killPayloadDep(ctx, left);
  if (out.op === "==" && out.right.t === "value" && isProtocolKey(left)) ctx.store(out, bidx(left.base));
  return [out];
}

/** relational_binop_postprocess: masks become prefixes, flag lists, flag compares or sub-byte fields. */
function binopMatch(ctx: Pctx, m: Match, b0: Extract<Node, { t: "binop" }>): Stmt[] {
  const right = m.right;
  // the loaded field is named first (an exact template match), as nft's expr_postprocess does
  const b: Extract<Node, { t: "binop" }> = b0.left.t === "payload" ? { ...b0, left: resolveField(ctx, b0.left) } : b0;
  if (b.left.t === "payload" && b.left.field) killPayloadDep(ctx, b.left);
  const ltype = typeOf(b.left);
  if (b.op === "&" && (m.op === "==" || m.op === "!=") && ltype?.bitmask && b.right.t === "value") {
    const mask = setType(b.right, ltype);
    if (right.t === "value") {
      const rv = toBigInt(right.c.bytes, ltype.byteorder);
      if (rv === 0n) return [{ s: "match", op: m.op === "!=" ? "implicit" : "neg", left: b.left, right: { t: "list", items: flagList(mask) } }];
      if (popcount(rv) <= 1 && rv === value(mask)) return [{ ...m, left: { ...b, right: mask }, right: setType(right, ltype) }];
      const val = setType(right, ltype);
      return [{ s: "flagcmp", op: m.op, left: b.left, mask: { t: "list", items: flagList(mask) }, value: { t: "list", items: flagList(val) } }];
    }
  }
  if (b.op === "&" && ltype?.prefix && ltype.byteorder === "big" && right.t === "value" && b.right.t === "value") {
    const plen = maskPrefix(b.right.c.bytes);
    if (plen !== undefined) return [{ ...m, left: b.left, right: { t: "prefix", value: setType(right, ltype), len: plen } }];
  }
  if (b.op === "&" && b.right.t === "value" && b0.left.t === "payload" && !(b.left.t === "payload" && b.left.field)) {
    const t = trimPayload(ctx, b0.left, b.right.c.bytes);
    if (t) return payloadMatch(ctx, { ...m, left: t.p, right: shiftValue(right, t.shift, t.p.bits) }, t.p);
  }
  const lt = typeOf(b.left) ?? TYPES.integer;
  return [{ ...m, left: { ...b, right: setType(b.right, lt) }, right: setType(right, lt) }];
}

/** Names fields inside an expression that is not itself compared (vmap keys, concatenations, nat maps). */
function exprPost(ctx: Pctx, n: Node): Node {
  switch (n.t) {
    case "payload": {
      const p = resolveField(ctx, n);
      killPayloadDep(ctx, p);
      return p;
    }
    case "concat": return { ...n, items: n.items.map((i) => exprPost(ctx, i)) };
    case "map": return { ...n, key: exprPost(ctx, n.key) };
    case "binop": {
      const left = exprPost(ctx, n.left);
      const t = typeOf(left) ?? TYPES.integer;
      return { ...n, left, right: n.op === "<<" || n.op === ">>" ? n.right : setType(n.right, t) };
    }
    case "hash": return n.expr ? { ...n, expr: exprPost(ctx, n.expr) } : n;
    default: return n;
  }
}

/** Types the items of a concatenated right side after the left's components. */
function typeConcat(left: Node, right: Node): Node {
  if (left.t === "concat" && right.t === "concat") {
    return { ...right, items: right.items.map((r, i) => { const t = typeOf(left.items[i]!); return t ? setType(r, t) : r; }) };
  }
  const t = typeOf(left);
  return t ? setType(right, t) : right;
}

function matchPost(ctx: Pctx, m: Match): Stmt[] {
  if (m.left.t === "payload") return payloadMatch(ctx, m, m.left);
  if (m.left.t === "binop") return binopMatch(ctx, m, m.left);
  if (m.left.t === "byteorder") {
    // a host-order key converted for a range or a set: the constants are in network order
    const inner = matchPost(ctx, { ...m, left: m.left.arg });
    return inner.map((x) => x.s === "match" ? { ...x, right: retype(x.right, swapped) } : x);
  }
  const left = exprPost(ctx, m.left);
  const out: Match = { ...m, left, right: typeConcat(left, m.right) };
  if (left.t === "meta" || left.t === "ct") ctMetaCommon(ctx, out);
  return [out];
}

function retype(n: Node, f: (t: DataType) => DataType): Node {
  switch (n.t) {
    case "value": return { ...n, c: { ...n.c, type: f(n.c.type) } };
    case "range": return { ...n, lo: retype(n.lo, f), hi: retype(n.hi, f) };
    case "prefix": return { ...n, value: retype(n.value, f) };
    default: return n;
  }
}

/** prev ">= a" and this "<= b" on the same kind of expression: one "a-b" match. */
function mergeRange(ctx: Pctx, cur: Stmt, out: Stmt[]): boolean {
  const prev = ctx.prev;
  if (!prev || prev.s !== "match" || cur.s !== "match" || prev.left.t !== cur.left.t) return false;
  let op: RelOp;
  if (cur.op === "<=" && prev.op === ">=") op = "==";
  else if (cur.op === ">" && prev.op === "<") op = "!=";
  else return false;
  const i = out.indexOf(prev);
  if (i < 0) return false;
  out[i] = { s: "match", op, left: prev.left, right: { t: "range", lo: prev.right, hi: cur.right } };
  ctx.prev = out[i];
  return true;
}

function rejectPost(ctx: Pctx, r: Extract<Stmt, { s: "reject" }>): Stmt {
  switch (ctx.family) {
    case "ip": case "ip6":
      if (r.type === "tcp reset" && ctx.exists(TRANSPORT)) ctx.release(TRANSPORT);
      return { ...r, ...(r.type === "icmp" ? { type: ctx.family === "ip6" ? "icmpv6" : "icmp" } : {}) };
    case "inet": case "bridge": case "netdev": {
      let out: Extract<Stmt, { s: "reject" }> = r;
      if (r.type === "icmp") {
        const net = ctx.protos[NETWORK]?.name;
        out = { ...r, type: net === "ip6" ? "icmpv6" : "icmp" };
        // nft always names the icmp type and code here: a bare "reject" would lose the family
        (out as { verbose?: boolean }).verbose = true;
      }
      if (r.type !== "icmpx" && ctx.exists(NETWORK)) ctx.release(NETWORK);
      return out;
    }
    default:
      return r;
  }
}

/** Payload writes: "ip dscp set cs3" is a read-modify-write of the bytes around the field. */
function payloadSetPost(ctx: Pctx, st: Extract<Stmt, { s: "payload set" }>): Stmt {
  let v = st.value;
  let mask: Buffer | undefined, xor: Buffer | undefined;
  let or: Buffer | undefined;
  if (v.t === "binop" && v.op === "|" && v.right.t === "value") { or = v.right.c.bytes; v = v.left; }
  if (v.t === "binop" && v.op === "^" && v.right.t === "value") { xor = v.right.c.bytes; v = v.left; }
  if (v.t === "binop" && v.op === "&" && v.right.t === "value") { mask = v.right.c.bytes; v = v.left; }
  // undo delinearize's split of the kernel's (mask, xor) into &, ^ and |
  if (mask && or) mask = Buffer.from(mask.map((b, i) => b & ~(or![i] ?? 0) & 0xff));
  if (or) xor = xor ? Buffer.from(xor.map((b, i) => b | (or![i] ?? 0))) : or;
  if (mask && v.t === "payload" && v.base === st.left.base && v.offset === st.left.offset) {
    const inv = Buffer.from(mask.map((b) => ~b & 0xff));
    const t = trimPayload(ctx, st.left, inv);
    if (t) {
      const value = xor ? shiftValue({ t: "value", c: { type: t.p.type, bytes: xor } }, t.shift, t.p.bits) : { t: "value" as const, c: { type: t.p.type, bytes: Buffer.alloc(Math.ceil(t.p.bits / 8)) } };
      return { ...st, left: t.p, value: setType(value, t.p.type) };
    }
  }
  const left = resolveField(ctx, st.left);
  return { ...st, left, value: setType(exprPost(ctx, st.value), left.type) };
}

function metaSetType(key: string): DataType {
  return META_KEYS[key]?.type ?? TYPES.integer;
}

/** Postprocesses a delinearized rule for `family`; returns the statements nft would print. */
export function postprocess(stmts: readonly Stmt[], family: NftFamily): Stmt[] {
  const ctx = new Pctx(family);
  const out: Stmt[] = [];
  for (const st of stmts) {
    let cur: Stmt = st;
    let merged = false;
    switch (st.s) {
      case "match": {
        const parts = matchPost(ctx, st);
        for (const p of parts.slice(0, -1)) { out.push(p); ctx.prev = p; }
        cur = parts[parts.length - 1]!;
        merged = mergeRange(ctx, cur, out);
        break;
      }
      case "vmap": cur = { ...st, key: exprPost(ctx, st.key) }; break;
      case "meta set": cur = { ...st, value: setType(exprPost(ctx, st.value), metaSetType(st.key)) }; break;
      case "ct set": cur = { ...st, value: setType(exprPost(ctx, st.value), CT_KEYS[st.key]?.type ?? TYPES.integer) }; break;
      case "payload set": cur = payloadSetPost(ctx, st); break;
      case "nat": {
        const n: Extract<Stmt, { s: "nat" }> = { ...st };
        if (st.addr) n.addr = exprPost(ctx, st.addr);
        if (st.proto) { ctx.reset(); n.proto = exprPost(ctx, st.proto); }
        cur = n;
        break;
      }
      case "reject": cur = rejectPost(ctx, st); break;
      case "dynset": cur = { ...st, key: exprPost(ctx, st.key) }; break;
      case "objref": if (st.key) cur = { ...st, key: exprPost(ctx, st.key) }; break;
      default: break;
    }
    if (!merged) {
      out.push(cur);
      ctx.prev = cur;
    }
    // a statement that is not a match ends what earlier protocol matches can imply
    if (cur.s !== "match" && cur.s !== "vmap" && cur.s !== "flagcmp") ctx.reset();
  }
  return out.filter((s) => !ctx.removed.has(s as never));
}

export { BASES };
