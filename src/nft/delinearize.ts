// Kernel expressions -> statements: runs a rule's expression list as a register machine (loads
// put expressions in registers, cmp/lookup/nat/... consume them), the way nft's
// netlink_delinearize.c does; postprocess.ts then names fields and drops implied dependencies.
import type { Node, Stmt, VerdictCode } from "./ast.js";
import { TYPES, type DataType } from "./datatype.js";
import type { Expr } from "./expr/index.js";
import { FIB_F } from "./expr/fib.js";
import { NF_NAT_RANGE } from "./expr/nat.js";
import { BASES, CT_KEYS, META_KEYS, type Base } from "./proto.js";
import type { SetDecl } from "./set.js";
import { NFT_SET_F, type NftFamily } from "./types.js";

export interface RuleContext {
  family: NftFamily;
  /** A set or map of the rule's table by name (anonymous ones included). */
  set(name: string): SetDecl | undefined;
}

type D = Record<string, any>;
const raw = (bytes: Buffer, type: DataType = TYPES.invalid): Node => ({ t: "value", c: { type, bytes: Buffer.from(bytes) } });
const num = (v: unknown): number => (typeof v === "bigint" ? Number(v) : typeof v === "number" ? v : 0);

/** nft counts registers in 32-bit units: NFT_REG_1..4 hold four each, NFT_REG32_00 is the first. */
export function regIndex(r: number): number {
  if (r >= 1 && r <= 4) return 1 + (r - 1) * 4;
  if (r >= 8) return 1 + r - 8;
  return 0;
}
const regSpace = (bits: number) => Math.max(1, Math.ceil(bits / 32));

class Machine {
  private readonly regs = new Map<number, Node>();
  private readonly lens = new WeakMap<Node, number>();
  readonly out: Stmt[] = [];
  readonly errors: string[] = [];

  constructor(private readonly ctx: RuleContext) {}

  set(reg: unknown, n: Node, bits: number): void {
    this.lens.set(n, bits);
    this.regs.set(regIndex(num(reg)), n);
  }

  get(reg: unknown): Node | undefined {
    return this.regs.get(regIndex(num(reg)));
  }

  bits(n: Node): number {
    return this.lens.get(n) ?? 0;
  }

  /** The expressions in consecutive registers making up `totalBits` (a concatenation's key). */
  concat(reg: unknown, totalBits: number): Node | undefined {
    const items: Node[] = [];
    let r = regIndex(num(reg));
    let left = totalBits;
    while (left > 0) {
      const n = this.regs.get(r);
      if (!n) return undefined;
      const b = this.bits(n) || 32;
      items.push(n);
      left -= regSpace(b) * 32;
      r += regSpace(b);
    }
    return items.length === 1 ? items[0] : { t: "concat", items };
  }

  /** Left side of a lookup in a set with a key of keyBits: one register, or a concatenation. */
  key(reg: unknown, keyBits: number): Node | undefined {
    const n = this.get(reg);
    if (!n) return undefined;
    return this.bits(n) < keyBits ? this.concat(reg, keyBits) : n;
  }

  stmt(s: Stmt): void {
    this.out.push(s);
  }
}

function ctType(key: string, family: NftFamily, dir: unknown): DataType {
  const k = CT_KEYS[key];
  if ((key === "saddr" || key === "daddr") && family === "ip6") return TYPES.ipv6_addr;
  void dir;
  return k?.type ?? TYPES.integer;
}

function fibType(result: string, flags: number): DataType {
  if (flags & FIB_F.present) return TYPES.boolean;
  return result === "oifname" ? TYPES.ifname : result === "type" ? TYPES.fib_addrtype : TYPES.iface_index;
}

const FIB_FLAG_NAMES: Array<[string, number]> = [["saddr", FIB_F.saddr], ["daddr", FIB_F.daddr], ["mark", FIB_F.mark], ["iif", FIB_F.iif], ["oif", FIB_F.oif]];

function setNode(ctx: RuleContext, name: string, decl: SetDecl | undefined): Node {
  if (decl && decl.flags & NFT_SET_F.anonymous) return { t: "set", elems: decl.elems };
  return { t: "setref", name };
}

const natFlagNames = (flags: number): string[] => [
  ...(flags & NF_NAT_RANGE.random ? ["random"] : []),
  ...(flags & NF_NAT_RANGE.fullyRandom ? ["fully-random"] : []),
  ...(flags & NF_NAT_RANGE.persistent ? ["persistent"] : []),
];

/** One kernel expression, applied to the machine. */
function step(m: Machine, ctx: RuleContext, e: Expr): void {
  if (!e.data || Buffer.isBuffer(e.data)) {
    if (e.name === "notrack") return m.stmt({ s: "notrack" });
    return m.stmt({ s: "unknown", name: e.name });
  }
  const d: D = e.data;
  switch (e.name) {
    case "immediate": {
      const v = d.data?.verdict;
      if (num(d.dreg) === 0) {
        if (!v) return m.stmt({ s: "unknown", name: "immediate" });
        const code = (typeof v.code === "string" ? v.code : "continue") as VerdictCode;
        return m.stmt({ s: "verdict", v: { t: "verdict", code, ...(v.chain !== undefined ? { chain: String(v.chain) } : {}) } });
      }
      const value: Buffer = Buffer.isBuffer(d.data?.value) ? d.data.value : Buffer.alloc(0);
      return m.set(d.dreg, raw(value), value.length * 8);
    }
    case "payload": {
      const base = typeof d.base === "string" ? (d.base as Base) : BASES[num(d.base)] ?? "ll";
      const node: Node = { t: "payload", base, offset: num(d.offset) * 8, bits: num(d.len) * 8, type: TYPES.integer };
      if (d.sreg !== undefined) {
        const value = m.get(d.sreg);
        if (!value) return m.stmt({ s: "unknown", name: "payload" });
        return m.stmt({ s: "payload set", left: node as Extract<Node, { t: "payload" }>, value });
      }
      return m.set(d.dreg, node, num(d.len) * 8);
    }
    case "meta": {
      const key = String(d.key);
      const mk = META_KEYS[key];
      if (d.sreg !== undefined) {
        const value = m.get(d.sreg);
        if (!value) return m.stmt({ s: "unknown", name: "meta" });
        return m.stmt({ s: "meta set", key, value });
      }
      return m.set(d.dreg, { t: "meta", key, type: mk?.type ?? TYPES.integer }, mk?.bits ?? 32);
    }
    case "ct": {
      const key = String(d.key);
      const dir = d.direction === "original" || d.direction === "reply" ? d.direction : undefined;
      if (d.sreg !== undefined) {
        const value = m.get(d.sreg);
        if (!value) return m.stmt({ s: "unknown", name: "ct" });
        return m.stmt({ s: "ct set", key, ...(dir ? { dir } : {}), value });
      }
      const type = ctType(key, ctx.family, dir);
      return m.set(d.dreg, { t: "ct", key, ...(dir ? { dir } : {}), type }, key === "saddr" || key === "daddr" ? type.bits : CT_KEYS[key]?.bits ?? 32);
    }
    case "numgen":
      return m.set(d.dreg, { t: "numgen", mode: d.type === "inc" ? "inc" : "random", mod: num(d.modulus), offset: num(d.offset), type: TYPES.integer }, 32);
    case "hash": {
      const arg = d.sreg !== undefined ? m.get(d.sreg) : undefined;
      const node: Node = { t: "hash", kind: d.type === "symhash" ? "symhash" : "jhash", mod: num(d.modulus), offset: num(d.offset), type: TYPES.integer };
      if (arg && node.t === "hash") node.expr = arg;
      if (d.seed !== undefined && node.t === "hash") node.seed = num(d.seed);
      return m.set(d.dreg, node, 32);
    }
    case "fib": {
      const flags = num(d.flags);
      const result = d.result === "oifname" || d.result === "type" ? d.result : "oif";
      const type = fibType(result, flags);
      return m.set(d.dreg, { t: "fib", flags: FIB_FLAG_NAMES.filter(([, b]) => flags & b).map(([n]) => n), result, type }, result === "oifname" && !(flags & FIB_F.present) ? 128 : 32);
    }
    case "rt":
      return m.set(d.dreg, { t: "rt", key: String(d.key), type: d.key === "mtu" ? TYPES.integer : TYPES.integer }, 32);
    case "byteorder": {
      // host <-> network conversions nft inserts for ranges and sets of host-order keys
      const arg = m.get(d.sreg);
      if (arg) m.set(d.dreg, { t: "byteorder", op: d.op === "ntoh" ? "ntoh" : "hton", arg }, m.bits(arg));
      return;
    }
    case "bitwise": {
      const left = m.get(d.sreg);
      if (!left) return m.stmt({ s: "unknown", name: "bitwise" });
      const bits = m.bits(left);
      const op = d.op ?? "bool";
      if (op === "lshift" || op === "rshift") {
        const by: Buffer = d.data?.value ?? Buffer.alloc(4);
        return m.set(d.dreg, { t: "binop", op: op === "lshift" ? "<<" : ">>", left, right: raw(by, TYPES.integer) }, bits);
      }
      return m.set(d.dreg, bitwiseBool(left, bits, d.mask?.value, d.xor?.value), bits);
    }
    case "cmp": {
      const left = m.get(d.sreg);
      const value: Buffer = Buffer.isBuffer(d.data?.value) ? d.data.value : Buffer.alloc(0);
      if (!left) return m.stmt({ s: "unknown", name: "cmp" });
      const op = CMP_OPS[String(d.op)] ?? "==";
      const lbits = m.bits(left);
      if (lbits > 0 && lbits < value.length * 8 && left.t !== "value") {
        // one compare over several registers: a concatenation against concatenated values
        const concat = m.concat(d.sreg, value.length * 8);
        if (concat && concat.t === "concat") {
          let off = 0;
          const items = concat.items.map((it) => {
            const len = Math.ceil((m.bits(it) || 32) / 8);
            const part = raw(value.subarray(off, off + len));
            off += regSpace(m.bits(it) || 32) * 4;
            return part;
          });
          return m.stmt({ s: "match", op, left: concat, right: { t: "concat", items } });
        }
      }
      return m.stmt({ s: "match", op, left, right: raw(value) });
    }
    case "range": {
      const left = m.get(d.sreg);
      if (!left) return m.stmt({ s: "unknown", name: "range" });
      const lo: Buffer = d.fromData?.value ?? Buffer.alloc(0), hi: Buffer = d.toData?.value ?? Buffer.alloc(0);
      return m.stmt({ s: "match", op: d.op === "neq" ? "!=" : "==", left, right: { t: "range", lo: raw(lo), hi: raw(hi) } });
    }
    case "lookup": {
      const name = String(d.set ?? "");
      const decl = ctx.set(name);
      const left = m.key(d.sreg, (decl?.keyLen ?? 0) * 8);
      if (!left) return m.stmt({ s: "unknown", name: "lookup" });
      const set = setNode(ctx, name, decl);
      if (d.dreg !== undefined) {
        if (num(d.dreg) === 0) return m.stmt({ s: "vmap", key: left, map: set });
        return m.set(d.dreg, { t: "map", key: left, set }, (decl?.dataLens ?? [decl ? 32 : 32]).reduce((a, l) => a + regSpace(l * 8) * 32, 0));
      }
      return m.stmt({ s: "match", op: num(d.flags) & 1 ? "!=" : "==", left, right: set });
    }
    case "counter":
      return m.stmt({ s: "counter", packets: num(d.packets), bytes: num(d.bytes) });
    case "log": {
      const s: Extract<Stmt, { s: "log" }> = { s: "log" };
      if (d.prefix !== undefined) s.prefix = String(d.prefix);
      if (d.group !== undefined) s.group = num(d.group);
      if (d.snaplen !== undefined) s.snaplen = num(d.snaplen);
      if (d.qthreshold !== undefined) s.qthreshold = num(d.qthreshold);
      if (d.level !== undefined) s.level = String(d.level);
      if (d.flags !== undefined) s.flags = logFlags(num(d.flags));
      return m.stmt(s);
    }
    case "limit": {
      const unit = UNITS[num(d.unit)] ?? "error";
      return m.stmt({ s: "limit", rate: num(d.rate), unit, burst: num(d.burst), bytes: d.type === "bytes", over: (num(d.flags) & 1) !== 0 });
    }
    case "quota":
      return m.stmt({ s: "quota", bytes: num(d.bytes), used: num(d.consumed), over: (num(d.flags) & 1) !== 0 });
    case "reject": {
      const type = d.type === "tcp reset" || d.type === "icmpx" ? d.type : "icmp";
      return m.stmt({ s: "reject", type, code: num(d.icmpCode) });
    }
    case "nat": return natStmt(m, d, d.type === "dnat" ? "dnat" : "snat", ctx);
    case "masq": return natStmt(m, d, "masquerade", ctx);
    case "redir": return natStmt(m, d, "redirect", ctx);
    case "notrack": return m.stmt({ s: "notrack" });
    case "dynset": {
      const name = String(d.setName ?? "");
      const decl = ctx.set(name);
      const key = m.key(d.sregKey, (decl?.keyLen ?? 0) * 8);
      if (!key) return m.stmt({ s: "unknown", name: "dynset" });
      const s: Extract<Stmt, { s: "dynset" }> = { s: "dynset", op: d.op === "update" ? "update" : d.op === "delete" ? "delete" : "add", set: name, key };
      if (d.timeout !== undefined && num(d.timeout) > 0) s.timeout = num(d.timeout);
      const inner = [d.expr, ...(Array.isArray(d.expressions) ? d.expressions : [])].filter(Boolean) as Expr[];
      if (inner.length) {
        const sub = new Machine(ctx);
        for (const x of inner) step(sub, ctx, x);
        s.stmts = sub.out;
      }
      return m.stmt(s);
    }
    case "objref": {
      const type = typeof d.immType === "string" ? d.immType : String(d.immType ?? "counter");
      if (d.immName !== undefined) return m.stmt({ s: "objref", type, name: String(d.immName) });
      const name = String(d.setName ?? "");
      const decl = ctx.set(name);
      const key = m.key(d.setSreg, (decl?.keyLen ?? 0) * 8);
      if (!key) return m.stmt({ s: "unknown", name: "objref" });
      return m.stmt({ s: "objref", type: decl?.objType ?? type, key, map: setNode(ctx, name, decl) });
    }
    case "connlimit":
      return m.stmt({ s: "connlimit", count: num(d.count), over: (num(d.flags) & 1) !== 0 });
    case "queue": {
      const flags = num(d.flags);
      return m.stmt({ s: "queue", num: num(d.num), total: num(d.total), flags: [...(flags & 1 ? ["bypass"] : []), ...(flags & 2 ? ["fanout"] : [])] });
    }
    default:
      return m.stmt({ s: "unknown", name: e.name });
  }
}

const CMP_OPS: Record<string, Extract<Stmt, { s: "match" }>["op"]> = { eq: "==", neq: "!=", lt: "<", lte: "<=", gt: ">", gte: ">=" };
const UNITS: Record<number, string> = { 1: "second", 60: "minute", 3600: "hour", 86400: "day", 604800: "week" };

function logFlags(f: number): string[] {
  const out: string[] = [];
  if (f & 0x1) out.push("tcp sequence");
  if (f & 0x2) out.push("tcp options");
  if (f & 0x4) out.push("ip options");
  if (f & 0x8) out.push("skuid");
  if (f & 0x20) out.push("ether");
  return out;
}

/** nft's netlink_parse_bitwise_bool: mask and xor become &, ^ and | over the loaded value. */
function bitwiseBool(left: Node, bits: number, maskB?: Buffer, xorB?: Buffer): Node {
  const len = maskB?.length ?? xorB?.length ?? Math.ceil(bits / 8);
  const mask = maskB ?? Buffer.alloc(len, 0xff), xor = xorB ?? Buffer.alloc(len);
  // bytes are compared as they sit in the register; any byte order works for bit logic
  const m = Buffer.from(mask), x = Buffer.from(xor), o = Buffer.alloc(len);
  const allOnes = m.every((b) => b === 0xff);
  const xorZero = x.every((b) => b === 0);
  if (!allOnes || !xorZero) {
    for (let i = 0; i < len; i++) {
      o[i] = (m[i]! & x[i]!) ^ x[i]!;
      x[i] = x[i]! & m[i]!;
      m[i] = m[i]! | o[i]!;
    }
  }
  let expr = left;
  if (!(bits > 0 && m.length * 8 === bits && m.every((b) => b === 0xff))) expr = { t: "binop", op: "&", left: expr, right: raw(m) };
  if (x.some((b) => b !== 0)) expr = { t: "binop", op: "^", left: expr, right: raw(x) };
  if (o.some((b) => b !== 0)) expr = { t: "binop", op: "|", left: expr, right: raw(o) };
  return expr;
}

function natStmt(m: Machine, d: D, type: "snat" | "dnat" | "masquerade" | "redirect", ctx: RuleContext): void {
  const flags = num(d.flags);
  const s: Extract<Stmt, { s: "nat" }> = { s: "nat", type, flags: natFlagNames(flags) };
  const family = d.family === "ip6" ? "ip6" : d.family === "ip" ? "ip" : undefined;
  if (type === "snat" || type === "dnat") {
    if (ctx.family === "inet" && family) s.family = family;
    const addrType = family === "ip6" || (!family && ctx.family === "ip6") ? TYPES.ipv6_addr : TYPES.ipv4_addr;
    const r1 = d.regAddrMin !== undefined ? num(d.regAddrMin) : 0;
    if (r1) {
      const addr = m.get(r1);
      if (!addr) return m.stmt({ s: "unknown", name: "nat" });
      s.addr = typed(addr, addrType);
      const decl = addr.t === "map" && addr.set.t === "setref" ? ctx.set(addr.set.name) : undefined;
      if (decl?.data) {
        const dataBits = (decl.dataLens ?? []).reduce((a, l) => a + regSpace(l * 8) * 32, 0);
        const aBits = addrType.bits;
        // an address:port map (concatenated data) carries both: nft prints the family then
        if (dataBits === aBits + 32 || dataBits === 2 * (aBits + 32)) {
          s.family = family ?? (addrType === TYPES.ipv6_addr ? "ip6" : "ip");
          return m.stmt(s);
        }
      }
      const r2 = d.regAddrMax !== undefined ? num(d.regAddrMax) : 0;
      if (r2 && r2 !== r1) {
        const hi = m.get(r2);
        if (hi) s.addr = { t: "range", lo: s.addr, hi: typed(hi, addrType) };
      }
    }
  }
  const p1 = d.regProtoMin !== undefined ? num(d.regProtoMin) : 0;
  if (p1) {
    const proto = m.get(p1);
    if (proto) {
      s.proto = typed(proto, TYPES.inet_service);
      const p2 = d.regProtoMax !== undefined ? num(d.regProtoMax) : 0;
      if (p2 && p2 !== p1) {
        const hi = m.get(p2);
        if (hi) s.proto = { t: "range", lo: s.proto, hi: typed(hi, TYPES.inet_service) };
      }
    }
  }
  m.stmt(s);
}

/** Gives an untyped constant loaded by immediate its type (nft's expr_set_type on NAT operands). */
function typed(n: Node, type: DataType): Node {
  if (n.t === "value" && n.c.type === TYPES.invalid) return { t: "value", c: { type, bytes: n.c.bytes } };
  return n;
}

/** The statements a rule's expressions make, before naming fields and removing implied matches. */
export function delinearize(exprs: readonly Expr[], ctx: RuleContext): Stmt[] {
  const m = new Machine(ctx);
  for (const e of exprs) {
    try {
      step(m, ctx, e);
    } catch {
      // a malformed expression (wrong attribute types) is one unknown statement, not a failed listing
      m.stmt({ s: "unknown", name: e.name });
    }
  }
  return m.out;
}
