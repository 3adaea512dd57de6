// Statements -> kernel expressions (nft's netlink_linearize.c): registers allocated as nft
// allocates them, attributes in libnftnl's order, so that a rule read from text is sent with the
// bytes `nft -f` sends. Anonymous sets are handed to the caller, which creates them first.
import type { Elem, Node, Stmt } from "./ast.js";
import { fromBigInt, toBigInt, TYPES, type DataType } from "./datatype.js";
import type { Expr } from "./expr/index.js";
import { FIB_F } from "./expr/fib.js";
import { NF_NAT_RANGE } from "./expr/nat.js";
import { CT_KEYS, META_KEYS, PROTOS } from "./proto.js";
import type { NftFamily } from "./types.js";

export interface AnonSet {
  /** "__set%d" or "__map%d" (the kernel picks the number). */
  name: string;
  id: number;
  key: Node;
  elems: Elem[];
  map: boolean;
  /** What the map yields, by the expression that receives it. */
  dataType?: DataType[];
  verdict?: boolean;
  objType?: string;
}

export interface LinearizeCtx {
  family: NftFamily;
  /** The set id a lookup names a set by, when the set is created in the same transaction. */
  setId(name: string): number | undefined;
  /** The data types of a named map (NAT maps to "address . port" give both registers). */
  setData?(name: string): DataType[] | undefined;
  /** Registers an anonymous set; returns its id. */
  anonSet(s: Omit<AnonSet, "id">): { name: string; id: number };
}

const regSpace = (bits: number) => Math.max(1, Math.ceil(bits / 32));

/** nft's netlink_put_register: 32-bit slot numbers back to NFT_REG_1..4 where they line up. */
function putReg(slot: number): number {
  if (slot === 0) return 0;
  const r = slot - 1;
  return r % 4 === 0 ? 1 + r / 4 : 8 + r;
}

const ifnameBits = 128;

/** How many bits an expression puts in registers. */
export function exprBits(n: Node): number {
  switch (n.t) {
    case "payload": return n.bits;
    case "meta": return META_KEYS[n.key]?.bits ?? 32;
    case "ct": return n.key === "saddr" || n.key === "daddr" ? n.type.bits : CT_KEYS[n.key]?.bits ?? 32;
    case "fib": return n.type === TYPES.ifname ? ifnameBits : 32;
    case "numgen": case "hash": case "rt": return 32;
    case "binop": return exprBits(n.left);
    case "byteorder": return exprBits(n.arg);
    case "concat": return n.items.reduce((a, i) => a + regSpace(exprBits(i)) * 32, 0);
    case "value": return n.c.bits ?? n.c.bytes.length * 8;
    case "map": return 32;
    default: return 32;
  }
}

const CMP: Record<string, string> = { "==": "eq", implicit: "eq", "!=": "neq", "<": "lt", "<=": "lte", ">": "gt", ">=": "gte", neg: "eq" };
const BASE_OF: Record<string, string> = { ll: "ll", network: "network", transport: "transport", inner: "inner" };

class Gen {
  readonly out: Expr[] = [];
  private regLow = 1;

  constructor(private readonly ctx: LinearizeCtx) {}

  get(n: Node | undefined): number {
    const r = this.regLow;
    this.regLow += n && n.t === "concat" ? regSpace(exprBits(n)) : 4;
    return r;
  }

  release(n: Node | undefined): void {
    this.regLow -= n && n.t === "concat" ? regSpace(exprBits(n)) : 4;
  }

  emit(name: string, data: Record<string, unknown>): void {
    this.out.push({ name, data });
  }

  /** Loads `n` into `dreg` (32-bit slot numbering). */
  expr(n: Node, dreg: number): void {
    switch (n.t) {
      case "payload": {
        if (n.offset % 8 || n.bits % 8) {
          // a sub-byte field: load the bytes around it and mask (nft's expr_evaluate_bits)
          const { byteOff, byteLen, mask } = bitSpan(n.offset, n.bits);
          this.emit("payload", { dreg: putReg(dreg), base: BASE_OF[n.base], offset: byteOff, len: byteLen });
          this.emit("bitwise", { sreg: putReg(dreg), dreg: putReg(dreg), op: "bool", len: byteLen, mask: { value: mask }, xor: { value: Buffer.alloc(byteLen) } });
          return;
        }
        this.emit("payload", { dreg: putReg(dreg), base: BASE_OF[n.base], offset: n.offset / 8, len: n.bits / 8 });
        return;
      }
      case "meta": this.emit("meta", { key: n.key, dreg: putReg(dreg) }); return;
      case "ct": {
        const d: Record<string, unknown> = { key: n.key, dreg: putReg(dreg) };
        if (n.dir) d.direction = n.dir;
        this.emit("ct", d);
        return;
      }
      case "numgen": this.emit("numgen", { dreg: putReg(dreg), modulus: n.mod, type: n.mode, offset: n.offset }); return;
      case "fib": {
        let flags = 0;
        for (const f of n.flags) flags |= FIB_F[f as keyof typeof FIB_F] ?? 0;
        if (n.type === TYPES.boolean) flags |= FIB_F.present;
        this.emit("fib", { flags, result: n.result, dreg: putReg(dreg) });
        return;
      }
      case "hash": {
        const d: Record<string, unknown> = {};
        if (n.expr) {
          const s = this.get(n.expr);
          this.expr(n.expr, s);
          this.release(n.expr);
          d.sreg = putReg(s);
          d.len = Math.ceil(exprBits(n.expr) / 8);
        }
        d.dreg = putReg(dreg);
        d.modulus = n.mod;
        if (n.seed !== undefined) d.seed = n.seed;
        d.offset = n.offset;
        d.type = n.kind;
        this.emit("hash", d);
        return;
      }
      case "rt": this.emit("rt", { dreg: putReg(dreg), key: n.key }); return;
      case "concat": {
        let r = dreg;
        for (const i of n.items) {
          this.expr(i, r);
          r += regSpace(exprBits(i));
        }
        return;
      }
      case "byteorder": {
        this.expr(n.arg, dreg);
        const bits = exprBits(n.arg);
        const size = bits % 64 === 0 ? 8 : bits % 32 === 0 ? 4 : 2;
        this.emit("byteorder", { sreg: putReg(dreg), dreg: putReg(dreg), op: n.op, len: bits / 8, size });
        return;
      }
      case "binop": return this.binop(n, dreg);
      case "map": return this.map(n, dreg);
      case "value":
        this.emit("immediate", { dreg: putReg(dreg), data: { value: Buffer.from(n.c.bytes) } });
        return;
      case "verdict": {
        const v: Record<string, unknown> = { code: n.code };
        if (n.chain !== undefined) v.chain = n.chain;
        this.emit("immediate", { dreg: 0, data: { verdict: v } });
        return;
      }
      default:
        throw new Error(`cannot load a ${n.t} expression`);
    }
  }

  /** Explicit &, |, ^ (one bitwise with mask and xor, as nft folds them) and shifts. */
  private binop(n: Extract<Node, { t: "binop" }>, dreg: number): void {
    const bits = exprBits(n.left);
    const len = Math.ceil(bits / 8);
    if (n.op === "<<" || n.op === ">>") {
      this.expr(n.left, dreg);
      const by = n.right.t === "value" ? toBigInt(n.right.c.bytes, n.right.c.type.byteorder) : 0n;
      this.emit("bitwise", { sreg: putReg(dreg), dreg: putReg(dreg), op: n.op === "<<" ? "lshift" : "rshift", len, data: { value: fromBigInt(by, 4, "host") } });
      return;
    }
    const chain: Array<Extract<Node, { t: "binop" }>> = [];
    let left: Node = n;
    while (left.t === "binop" && (left.op === "&" || left.op === "|" || left.op === "^")) {
      chain.push(left);
      left = left.left;
    }
    this.expr(left, dreg);
    const full = (1n << BigInt(len * 8)) - 1n;
    let mask = full, xor = 0n;
    const order = left.t === "value" ? left.c.type.byteorder : typeOrder(left);
    for (let i = chain.length - 1; i >= 0; i--) {
      const b = chain[i]!;
      const v = b.right.t === "value" ? toBigInt(b.right.c.bytes, order) : 0n;
      if (b.op === "&") { xor = xor & v; mask = mask & v; }
      else if (b.op === "|") { xor = v ^ (xor & (~v & full)); mask = mask & (~v & full); }
      else { xor = v ^ xor; }
    }
    this.emit("bitwise", {
      sreg: putReg(dreg), dreg: putReg(dreg), op: "bool", len,
      mask: { value: fromBigInt(mask, len, order) }, xor: { value: fromBigInt(xor, len, order) },
    });
  }

  private setName(set: Node, key: Node, dataType?: DataType[], verdict?: boolean, objType?: string): { name: string; id: number | undefined } {
    if (set.t === "setref") return { name: set.name, id: this.ctx.setId(set.name) };
    if (set.t !== "set") throw new Error("expected a set");
    const isMap = dataType !== undefined || verdict === true || objType !== undefined;
    const r = this.ctx.anonSet({ name: isMap ? "__map%d" : "__set%d", key, elems: set.elems, map: isMap, ...(dataType ? { dataType } : {}), ...(verdict ? { verdict } : {}), ...(objType ? { objType } : {}) });
    return r;
  }

  map(n: Extract<Node, { t: "map" }>, dreg: number, dataType?: DataType[]): void {
    const verdict = dreg === 0;
    const sreg = verdict ? this.get(n.key) : dreg;
    let space = 0;
    if (n.key.t === "concat") { space = regSpace(exprBits(n.key)); this.regLow += space; }
    this.expr(n.key, sreg);
    this.regLow -= space;
    const s = this.setName(n.set, n.key, verdict ? undefined : dataType ?? [TYPES.integer], verdict);
    const d: Record<string, unknown> = { sreg: putReg(sreg), dreg: putReg(dreg), set: s.name };
    if (s.id !== undefined) d.setId = s.id;
    if (verdict) this.release(n.key);
    this.emit("lookup", d);
  }

  /** A match statement. */
  match(st: Extract<Stmt, { s: "match" }>): void {
    const { left, right } = st;
    if (right.t === "range") {
      const sreg = this.get(left);
      this.expr(left, sreg);
      const lo = constBytes(right.lo, left), hi = constBytes(right.hi, left);
      if (st.op === "!=") this.emit("range", { sreg: putReg(sreg), op: "neq", fromData: { value: lo }, toData: { value: hi } });
      else {
        this.emit("cmp", { sreg: putReg(sreg), op: "gte", data: { value: lo } });
        this.emit("cmp", { sreg: putReg(sreg), op: "lte", data: { value: hi } });
      }
      this.release(left);
      return;
    }
    if (right.t === "set" || right.t === "setref") {
      const sreg = this.get(left);
      this.expr(left, sreg);
      const s = this.setName(right, left);
      const d: Record<string, unknown> = { sreg: putReg(sreg), set: s.name };
      if (s.id !== undefined) d.setId = s.id;
      if (st.op === "!=") d.flags = 1;
      this.emit("lookup", d);
      this.release(left);
      return;
    }
    const flags = right.t === "list" || ((st.op === "implicit" || st.op === "neg") && right.t === "value" && right.c.type.bitmask === true);
    if (flags) {
      // a flag test: (x & flags) != 0, or == 0 for "!"
      const sreg = this.get(left);
      this.expr(left, sreg);
      const len = Math.ceil(exprBits(left) / 8);
      const t = typeOrder(left);
      let v = 0n;
      for (const i of right.t === "list" ? right.items : [right]) if (i.t === "value") v |= toBigInt(i.c.bytes, t);
      this.emit("bitwise", { sreg: putReg(sreg), dreg: putReg(sreg), len, mask: { value: fromBigInt(v, len, t) }, xor: { value: Buffer.alloc(len) } });
      this.emit("cmp", { sreg: putReg(sreg), op: st.op === "neg" ? "eq" : "neq", data: { value: Buffer.alloc(len) } });
      this.release(left);
      return;
    }
    const sreg = this.get(left);
    let value: Buffer;
    if (right.t === "prefix") {
      const full = prefixFull(right, left);
      const string = left.t !== "binop" && typeOrderKind(left) === "string";
      if (!string && (typeOrder(left) !== "big" || right.len === 0 || right.len % 8 !== 0) && left.t === "payload") {
        this.expr(left, sreg);
        const mask = Buffer.alloc(full.length);
        for (let i = 0; i < right.len; i++) mask[i >> 3]! |= 0x80 >> (i & 7);
        this.emit("bitwise", { sreg: putReg(sreg), dreg: putReg(sreg), len: full.length, mask: { value: mask }, xor: { value: Buffer.alloc(full.length) } });
        value = Buffer.from(full.map((b, i) => b & mask[i]!));
      } else if (left.t === "payload") {
        this.expr({ ...left, bits: right.len }, sreg);
        value = full.subarray(0, right.len / 8);
      } else {
        this.expr(left, sreg);
        const mask = Buffer.alloc(full.length);
        for (let i = 0; i < right.len; i++) mask[i >> 3]! |= 0x80 >> (i & 7);
        this.emit("bitwise", { sreg: putReg(sreg), dreg: putReg(sreg), len: full.length, mask: { value: mask }, xor: { value: Buffer.alloc(full.length) } });
        value = Buffer.from(full.map((b, i) => b & mask[i]!));
      }
    } else {
      this.expr(left, sreg);
      value = constBytes(right, left);
    }
    this.emit("cmp", { sreg: putReg(sreg), op: CMP[st.op] ?? "eq", data: { value } });
    this.release(left);
  }
}

/** The byte order an expression's value is in, for mask arithmetic. */
function typeOrder(n: Node): "big" | "host" {
  switch (n.t) {
    case "payload": return "big";
    case "byteorder": return n.op === "hton" ? "big" : "host";
    case "binop": return typeOrder(n.left);
    case "meta": case "ct": case "numgen": case "hash": case "fib": case "rt": return n.type.byteorder;
    default: return "big";
  }
}

function typeOrderKind(n: Node): string | undefined {
  return n.t === "meta" || n.t === "ct" || n.t === "payload" || n.t === "fib" ? n.type.kind : undefined;
}

/** Where a sub-byte field sits in the bytes loaded for it, and the mask that keeps it. */
export function bitSpan(offset: number, bits: number): { byteOff: number; byteLen: number; shift: number; mask: Buffer } {
  const byteOff = Math.floor(offset / 8);
  const end = Math.ceil((offset + bits) / 8);
  const byteLen = end - byteOff;
  const shift = end * 8 - (offset + bits);
  const mask = fromBigInt(((1n << BigInt(bits)) - 1n) << BigInt(shift), byteLen, "big");
  return { byteOff, byteLen, shift, mask };
}

/** A constant's bytes as the register holds them (sub-byte field values shifted into place). */
function constBytes(n: Node, left: Node): Buffer {
  if (n.t !== "value") throw new Error(`expected a constant, got ${n.t}`);
  if (left.t === "payload" && (left.offset % 8 || left.bits % 8)) {
    const { byteLen, shift } = bitSpan(left.offset, left.bits);
    return fromBigInt(toBigInt(n.c.bytes, "big") << BigInt(shift), byteLen, "big");
  }
  return Buffer.from(n.c.bytes);
}

function prefixFull(p: Extract<Node, { t: "prefix" }>, _left: Node): Buffer {
  if (p.value.t !== "value") throw new Error("expected a constant prefix");
  return Buffer.from(p.value.c.bytes);
}

const NAT_FLAG_BITS: Record<string, number> = { random: NF_NAT_RANGE.random, "fully-random": NF_NAT_RANGE.fullyRandom, persistent: NF_NAT_RANGE.persistent };

/** The kernel expressions of a rule's evaluated statements. */
export function linearize(stmts: readonly Stmt[], ctx: LinearizeCtx): Expr[] {
  const g = new Gen(ctx);
  for (const st of stmts) stmt(g, st, ctx);
  return g.out;
}

function stmt(g: Gen, st: Stmt, ctx: LinearizeCtx): void {
  switch (st.s) {
    case "match": return g.match(st);
    case "verdict": return g.expr(st.v, 0);
    case "vmap": {
      g.map({ t: "map", key: st.key, set: st.map }, 0);
      return;
    }
    case "counter": g.emit("counter", {}); return;
    case "log": {
      const d: Record<string, unknown> = {};
      if (st.prefix !== undefined) d.prefix = st.prefix;
      if (st.group !== undefined) d.group = st.group;
      if (st.snaplen !== undefined) d.snaplen = st.snaplen;
      if (st.qthreshold !== undefined) d.qthreshold = st.qthreshold;
      if (st.level !== undefined) d.level = st.level;
      if (st.flags?.length) d.flags = logFlags(st.flags);
      g.emit("log", d);
      return;
    }
    case "limit": {
      const d: Record<string, unknown> = { rate: BigInt(st.rate), unit: BigInt(UNIT_SECONDS[st.unit] ?? 1) };
      if (st.burst) d.burst = st.burst;
      d.type = st.bytes ? "bytes" : "packets";
      d.flags = st.over ? 1 : 0;
      g.emit("limit", d);
      return;
    }
    case "quota": g.emit("quota", { bytes: BigInt(st.bytes), consumed: BigInt(st.used), flags: st.over ? 1 : 0 }); return;
    case "reject": g.emit("reject", { type: st.type === "icmpv6" ? "icmp" : st.type ?? "icmp", icmpCode: st.code ?? 0 }); return;
    case "nat": return nat(g, st, ctx);
    case "meta set": {
      const r = g.get(st.value);
      if (st.value.t === "map") g.map(st.value, r, [META_KEYS[st.key]?.type ?? TYPES.integer]);
      else g.expr(st.value, r);
      g.release(st.value);
      g.emit("meta", { key: st.key, sreg: putReg(r) });
      return;
    }
    case "ct set": {
      const r = g.get(st.value);
      if (st.value.t === "map") g.map(st.value, r, [CT_KEYS[st.key]?.type ?? TYPES.integer]);
      else g.expr(st.value, r);
      g.release(st.value);
      const d: Record<string, unknown> = { key: st.key, sreg: putReg(r) };
      if (st.dir) d.direction = st.dir;
      g.emit("ct", d);
      return;
    }
    case "payload set": return payloadSet(g, st);
    case "notrack": g.out.push({ name: "notrack" }); return;
    case "dynset": {
      const r = g.get(st.key);
      g.expr(st.key, r);
      const d: Record<string, unknown> = { sregKey: putReg(r), op: st.op };
      if (st.timeout) d.timeout = BigInt(st.timeout);
      d.setName = st.set;
      const id = ctx.setId(st.set);
      if (id !== undefined) d.setId = id;
      if (st.stmts?.length) {
        const inner = linearize(st.stmts, ctx);
        if (inner[0]) d.expr = inner[0];
      }
      g.release(st.key);
      g.emit("dynset", d);
      return;
    }
    case "objref": {
      if (st.name !== undefined) { g.emit("objref", { immType: st.type, immName: st.name }); return; }
      const r = g.get(st.key);
      g.expr(st.key!, r);
      const s = st.map!.t === "setref" ? { name: st.map!.name, id: ctx.setId(st.map!.name) } : ctx.anonSet({ name: "__map%d", key: st.key!, elems: (st.map as Extract<Node, { t: "set" }>).elems, map: true, objType: st.type });
      const d: Record<string, unknown> = { setSreg: putReg(r), setName: s.name };
      if (s.id !== undefined) d.setId = s.id;
      g.release(st.key);
      g.emit("objref", d);
      return;
    }
    case "connlimit": g.emit("connlimit", { count: st.count, flags: st.over ? 1 : 0 }); return;
    case "queue": {
      const d: Record<string, unknown> = { num: st.num ?? 0, total: st.total ?? 1 };
      let flags = 0;
      if (st.flags.includes("bypass")) flags |= 1;
      if (st.flags.includes("fanout")) flags |= 2;
      if (flags) d.flags = flags;
      g.emit("queue", d);
      return;
    }
    default:
      throw new Error(`cannot write a ${st.s} statement`);
  }
}

const UNIT_SECONDS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86400, week: 604800 };

function logFlags(flags: string[]): number {
  let f = 0;
  if (flags.includes("tcp sequence")) f |= 0x1;
  if (flags.includes("tcp options")) f |= 0x2;
  if (flags.includes("ip options")) f |= 0x4;
  if (flags.includes("skuid")) f |= 0x8;
  if (flags.includes("ether")) f |= 0x20;
  return f;
}

function nat(g: Gen, st: Extract<Stmt, { s: "nat" }>, ctx: LinearizeCtx): void {
  const local = st.type === "masquerade" || st.type === "redirect";
  const d: Record<string, unknown> = {};
  let flags = 0;
  for (const f of st.flags) flags |= NAT_FLAG_BITS[f] ?? 0;
  if (st.proto) flags |= NF_NAT_RANGE.protoSpecified;
  if (!local) {
    d.type = st.type;
    d.family = st.family ?? (ctx.family === "ip6" ? "ip6" : "ip");
  }
  let registers = 0;
  const addrBits = st.family === "ip6" || ctx.family === "ip6" ? 128 : 32;
  let concatData = false;
  if (st.addr && !local) {
    const amin = g.get(undefined);
    registers++;
    if (st.addr.t === "range") {
      const amax = g.get(undefined);
      registers++;
      g.expr(st.addr.lo, amin);
      g.expr(st.addr.hi, amax);
      d.regAddrMin = putReg(amin);
      d.regAddrMax = putReg(amax);
    } else if (st.addr.t === "map") {
      const set = st.addr.set;
      concatData = set.t === "set" ? set.elems.some((e) => e.data?.t === "concat") : false;
      if (set.t === "setref") concatData = (ctx.setData?.(set.name)?.length ?? 1) > 1;
      g.map(st.addr, amin, concatData ? [addrBits === 128 ? TYPES.ipv6_addr : TYPES.ipv4_addr, TYPES.inet_service] : [addrBits === 128 ? TYPES.ipv6_addr : TYPES.ipv4_addr]);
      d.regAddrMin = putReg(amin);
      if (concatData) d.regProtoMin = putReg(amin + regSpace(addrBits));
    } else {
      g.expr(st.addr, amin);
      d.regAddrMin = putReg(amin);
    }
  }
  if (st.proto) {
    const pmin = g.get(undefined);
    registers++;
    const key = local ? "regProtoMin" : "regProtoMin";
    if (st.proto.t === "range") {
      const pmax = g.get(undefined);
      registers++;
      g.expr(st.proto.lo, pmin);
      g.expr(st.proto.hi, pmax);
      d[key] = putReg(pmin);
      d.regProtoMax = putReg(pmax);
    } else {
      g.expr(st.proto, pmin);
      d[key] = putReg(pmin);
    }
  }
  while (registers-- > 0) g.release(undefined);
  const out: Record<string, unknown> = {};
  if (local) {
    // libnftnl's order: masq flags first, redir registers first
    if (st.type === "masquerade") {
      if (flags) out.flags = flags;
      if (d.regProtoMin !== undefined) out.regProtoMin = d.regProtoMin;
      if (d.regProtoMax !== undefined) out.regProtoMax = d.regProtoMax;
    } else {
      if (d.regProtoMin !== undefined) out.regProtoMin = d.regProtoMin;
      if (d.regProtoMax !== undefined) out.regProtoMax = d.regProtoMax;
      if (flags) out.flags = flags;
    }
    g.emit(st.type === "masquerade" ? "masq" : "redir", out);
    return;
  }
  for (const k of ["type", "family", "regAddrMin", "regAddrMax", "regProtoMin", "regProtoMax"]) if (d[k] !== undefined) out[k] = d[k];
  if (flags) out.flags = flags;
  g.emit("nat", out);
}

/** "ip dscp set cs3": read the (16-bit aligned) bytes, clear the field, put the value in. */
function payloadSet(g: Gen, st: Extract<Stmt, { s: "payload set" }>): void {
  const p = st.left;
  const proto = p.proto ? PROTOS[p.proto] : undefined;
  const csum = CSUM[p.proto ?? ""];
  const aligned = p.offset % 8 === 0 && p.bits % 8 === 0;
  if (aligned && !(csum && (p.bits / 8) % 2 === 1)) {
    const r = g.get(st.value);
    g.expr(st.value, r);
    g.release(st.value);
    writePayload(g, r, p.base, p.offset / 8, p.bits / 8, csum);
    return;
  }
  void proto;
  let { byteOff, byteLen, shift } = bitSpan(p.offset, p.bits);
  if (csum && byteLen % 2 === 1) {
    byteLen++;
    if (byteOff % 2 === 1) byteOff--;
    else shift += 8;
  }
  const full = (1n << BigInt(byteLen * 8)) - 1n;
  const fieldMask = ((1n << BigInt(p.bits)) - 1n) << BigInt(shift);
  const mask = full ^ fieldMask;
  const v = st.value.t === "value" ? toBigInt(st.value.c.bytes, "big") << BigInt(shift) : 0n;
  const r = g.get(undefined);
  g.emit("payload", { dreg: putReg(r), base: BASE_OF[p.base], offset: byteOff, len: byteLen });
  g.emit("bitwise", { sreg: putReg(r), dreg: putReg(r), op: "bool", len: byteLen, mask: { value: fromBigInt(mask, byteLen, "big") }, xor: { value: fromBigInt(v, byteLen, "big") } });
  g.release(undefined);
  writePayload(g, r, p.base, byteOff, byteLen, csum);
}

/** Protocols whose checksum nft updates on a write: type and offset of the checksum field. */
const CSUM: Record<string, { type: string; offset: number }> = {
  ip: { type: "inet", offset: 10 }, tcp: { type: "inet", offset: 16 }, udp: { type: "inet", offset: 6 },
  icmp: { type: "inet", offset: 2 }, icmpv6: { type: "inet", offset: 2 },
};

function writePayload(g: Gen, sreg: number, base: string, offset: number, len: number, csum?: { type: string; offset: number }): void {
  const d: Record<string, unknown> = { sreg: putReg(sreg), base: BASE_OF[base], offset, len };
  if (csum) { d.csumType = csum.type; d.csumOffset = csum.offset; }
  g.emit("payload", d);
}
