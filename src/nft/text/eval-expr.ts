// Evaluation of expressions parsed from text (nft's evaluate.c, for what nlkit supports): fields
// get their protocol dependencies, values their types, and the protocol context is tracked so
// that "tcp dport 22" in an ip table becomes "meta l4proto tcp tcp dport 22", as nft sends it.
import type { Elem, Loc, Node, Stmt } from "../ast.js";
import { fromBigInt, swapped, toBigInt, TYPES, type Const, type DataType } from "../datatype.js";
import { CT_KEYS, familyStart, META_KEYS, PROTOS, protoNumber, protoUpper, type Proto } from "../proto.js";
import type { NftFamily } from "../types.js";
import { parseInteger, parseValue, ValueError, type ValueEnv } from "./values.js";

export class EvalError extends Error {
  constructor(message: string, readonly loc: Loc | undefined) {
    super(message);
  }
}

/** What evaluation needs to know about a set or map the rule refers to. */
export interface SetRef {
  key: DataType[];
  interval: boolean;
  data?: DataType[];
  verdict?: boolean;
  objType?: string;
}

export interface EvalCtx {
  family: NftFamily;
  set(name: string): SetRef | undefined;
  env: ValueEnv;
}

const LL = 1, NETWORK = 2, TRANSPORT = 3;
const BASE_IDX = { ll: 1, network: 2, transport: 3, inner: 4 } as const;

/** The protocol context while one rule is evaluated, and the dependencies it adds. */
export class RuleEval {
  readonly protos: Array<Proto | undefined> = [];
  /** Dependency matches to put before the statement being evaluated. */
  pending: Stmt[] = [];

  constructor(readonly ctx: EvalCtx) {
    const s = familyStart(ctx.family);
    this.protos[BASE_IDX[s.base]] = PROTOS[s.proto];
  }

  err(message: string, n?: { loc?: Loc }): never {
    throw new EvalError(message, n?.loc);
  }

  /** A protocol-key match ("meta l4proto tcp", "ip protocol udp") sets the next layer. */
  update(left: Node, right: Node): void {
    if (right.t !== "value") return;
    const v = Number(toBigInt(right.c.bytes, right.c.type.byteorder));
    if (left.t === "meta") {
      if (left.key === "l4proto") this.protos[TRANSPORT] = protoUpper(PROTOS["inet-service"]!, v);
      else if (left.key === "nfproto") this.protos[NETWORK] = protoUpper(PROTOS.inet!, v);
      else if (left.key === "protocol") this.protos[NETWORK] = protoUpper(PROTOS.netdev!, v);
      else if (left.key === "iiftype" && v === 1) this.protos[LL] = PROTOS.ether;
    } else if (left.t === "payload" && left.proto && PROTOS[left.proto]?.keyField === left.field) {
      const p = PROTOS[left.proto]!;
      this.protos[BASE_IDX[p.base] + 1] = protoUpper(p, v);
    }
  }

  /** "meta X v" or "proto field v" that makes `upper` the protocol above `lower`. */
  private depMatch(lower: Proto, upper: Proto, at: Node): Stmt {
    const n = protoNumber(lower, upper.name);
    if (n === undefined) return this.err(`conflicting protocols specified: ${lower.name} vs. ${upper.name}`, at);
    let left: Node;
    if (lower.key && "meta" in lower.key) {
      const k = META_KEYS[lower.key.meta]!;
      left = { t: "meta", key: lower.key.meta, type: k.type };
    } else {
      const f = lower.fields.find((x) => x.name === lower.keyField)!;
      left = { t: "payload", base: lower.base, offset: f.offset, bits: f.bits, proto: lower.name, field: f.name, type: f.type };
    }
    const type = left.t === "meta" ? (left as { type: DataType }).type : (left as { type: DataType }).type;
    const len = Math.ceil(((left.t === "meta" ? META_KEYS[(left as { key: string }).key]!.bits : (left as { bits: number }).bits)) / 8);
    const right: Node = { t: "value", c: { type, bytes: fromBigInt(BigInt(n), len, type.byteorder) } };
    this.update(left, right);
    return { s: "match", op: "==", left, right, ...(at.loc ? { loc: at.loc } : {}) };
  }

  /** nft's payload_gen_dependency: what a field of `want` at its base needs first. */
  private dependency(want: Proto, at: Node): void {
    const base = BASE_IDX[want.base];
    const family = this.ctx.family;
    if (base === LL && (family === "ip" || family === "ip6" || family === "arp")) {
      // a link-layer field below the family's hook layer: "meta iiftype ether"
      if (want.name !== "ether") this.err("protocol specification is invalid for this family", at);
      const right: Node = { t: "value", c: { type: TYPES.iface_type, bytes: fromBigInt(1n, 2, "host") } };
      const left: Node = { t: "meta", key: "iiftype", type: TYPES.iface_type };
      this.update(left, right);
      this.pending.push({ s: "match", op: "==", left, right, ...(at.loc ? { loc: at.loc } : {}) });
      return;
    }
    let lower = this.protos[base - 1];
    if (!lower) {
      if (base === TRANSPORT && (want.name === "icmp" || want.name === "icmpv6" || want.name === "igmp")) {
        // icmp implies ip, icmpv6 ip6: both dependencies (payload_gen_special_dependency)
        const ll = this.protos[LL] ?? llStart(family);
        if (!ll) return this.err(`ambiguous payload specification: no network layer protocol specified`, at);
        const net = PROTOS[want.name === "icmpv6" ? "ip6" : "ip"]!;
        this.pending.push(this.depMatch(ll.name === "ether" && family === "bridge" ? PROTOS.netdev! : ll, net, at));
        lower = net;
      } else if (base === TRANSPORT) lower = PROTOS["inet-service"];
      else if (base === NETWORK) lower = llStart(family);
    }
    if (!lower) return this.err(`ambiguous payload specification: no ${["", "link layer", "network layer", "transport layer"][base - 1]} protocol specified`, at);
    // bridge: match l3 on skb->protocol, which also sees vlan-tagged traffic
    if (family === "bridge" && lower.name === "ether" && (want.name === "ip" || want.name === "ip6")) lower = PROTOS.netdev!;
    this.pending.push(this.depMatch(lower, want, at));
  }

  /** A header field: its dependency if the context lacks it, or a conflict error. */
  payload(n: Extract<Node, { t: "payload" }>): Node {
    if (!n.proto || n.proto === "th") return { ...n, type: n.proto ? n.type : TYPES.integer };
    const want = PROTOS[n.proto]!;
    const base = BASE_IDX[want.base];
    const have = this.protos[base];
    if (!have || have.pseudo) this.dependency(want, n);
    else if (have.name !== want.name) {
      return this.err(`conflicting protocols specified: ${have.name} vs. ${want.name}`, n);
    }
    return n;
  }

  expr(n: Node): Node {
    switch (n.t) {
      case "payload": return this.payload(n);
      case "meta": return n;
      case "ct": {
        if ((n.key === "saddr" || n.key === "daddr") && this.ctx.family === "ip6") return { ...n, type: TYPES.ipv6_addr };
        return n;
      }
      case "concat": return { ...n, items: n.items.map((i) => this.expr(i)) };
      case "binop": {
        const left = this.expr(n.left);
        const t = typeOfExpr(left);
        return { ...n, left, right: n.op === "<<" || n.op === ">>" ? this.constant(n.right, TYPES.integer, 32) : this.constant(n.right, t, bitsOf(left)) };
      }
      case "map": {
        const key = this.expr(n.key);
        return { ...n, key, set: this.setArg(n.set, key, "map") };
      }
      case "hash": return n.expr ? { ...n, expr: this.expr(n.expr) } : n;
      default: return n;
    }
  }

  /** One constant of the left side's type (OR-ed flags included: "syn | ack"). */
  constant(n: Node, t: DataType, bits: number): Node {
    if (n.t === "value") return n;
    if (n.t === "binop" && (n.op === "|" || n.op === "&" || n.op === "^")) {
      const a = this.constant(n.left, t, bits), b = this.constant(n.right, t, bits);
      if (a.t !== "value" || b.t !== "value") return this.err("Binary operation on non-constant values", n);
      const x = toBigInt(a.c.bytes, t.byteorder), y = toBigInt(b.c.bytes, t.byteorder);
      const r = n.op === "|" ? x | y : n.op === "&" ? x & y : x ^ y;
      return { t: "value", c: { type: t, bytes: fromBigInt(r, a.c.bytes.length, t.byteorder), ...(a.c.bits ? { bits: a.c.bits } : {}) }, ...(n.loc ? { loc: n.loc } : {}) };
    }
    if (n.t === "list") {
      // a flag list as one value: the OR of its members
      let acc = 0n, len = 0;
      for (const i of n.items) {
        const v = this.constant(i, t, bits);
        if (v.t !== "value") return this.err("Binary operation on non-constant values", i);
        acc |= toBigInt(v.c.bytes, t.byteorder);
        len = v.c.bytes.length;
      }
      return { t: "value", c: { type: t, bytes: fromBigInt(acc, len, t.byteorder) }, ...(n.loc ? { loc: n.loc } : {}) };
    }
    if (n.t !== "symbol") return this.err(`expected a ${t.desc} value`, n);
    try {
      return { t: "value", c: parseValue(n.text, n.quoted === true, t, bits, this.ctx.env), ...(n.loc ? { loc: n.loc } : {}) };
    } catch (e) {
      if (e instanceof ValueError) return this.err(e.message, n);
      throw e;
    }
  }

  /** Whether a symbol reads as one value of type t ("echo-request" is not a range). */
  private isConstant(n: Extract<Node, { t: "symbol" }>, t: DataType, bits: number): boolean {
    try {
      parseValue(n.text, n.quoted === true, t, bits, this.ctx.env);
      return true;
    } catch {
      return false;
    }
  }

  /** A right-hand side value for a left of type t: ranges ("a-b") and prefixes ("a/n") included. */
  value(n: Node, t: DataType, bits: number): Node {
    if (n.t === "symbol" && !n.quoted && t.kind !== "string" && t.kind !== "time") {
      const slash = n.text.lastIndexOf("/");
      if (slash > 0 && t.prefix) {
        const len = Number(n.text.slice(slash + 1));
        const base = this.constant({ ...n, text: n.text.slice(0, slash) }, t, bits);
        if (!Number.isInteger(len) || len < 0 || base.t !== "value" || len > base.c.bytes.length * 8) return this.err(`Could not parse ${t.desc}`, n);
        return { t: "prefix", value: maskPrefix(base, len), len, ...(n.loc ? { loc: n.loc } : {}) };
      }
      const dash = this.isConstant(n, t, bits) ? undefined : rangeSplit(n.text, t);
      if (dash) {
        return {
          t: "range", lo: this.constant({ ...n, text: dash[0] }, t, bits), hi: this.constant({ ...n, text: dash[1] }, t, bits),
          ...(n.loc ? { loc: n.loc } : {}),
        };
      }
    }
    if (n.t === "range") return { ...n, lo: this.constant(n.lo, t, bits), hi: this.constant(n.hi, t, bits) };
    return this.constant(n, t, bits);
  }

  /** A set, map or set reference used with `key`: elements typed after it. */
  setArg(n: Node, key: Node, use: "lookup" | "map" | "vmap" | "objref"): Node {
    const keyTypes = key.t === "concat" ? key.items.map(typeOfExpr) : [typeOfExpr(key)];
    const keyBits = key.t === "concat" ? key.items.map(bitsOf) : [bitsOf(key)];
    if (n.t === "setref") {
      const s = this.ctx.set(n.name);
      if (!s) return this.err(`Could not process rule: Set '${n.name}' does not exist`, n);
      if (use === "vmap" && !s.verdict) return this.err(`map @${n.name} is not a verdict map`, n);
      return n;
    }
    if (n.t !== "set") return this.err("expected a set", n);
    const elems = n.elems.map((e) => this.elem(e, keyTypes, keyBits, use));
    // "ip daddr { 10.0.0.0/8 }": a set of one is a plain comparison (nft's expr_evaluate_set)
    const only = elems[0];
    if (use === "lookup" && elems.length === 1 && only && !only.data && ["value", "prefix", "range"].includes(only.key.t)) return only.key;
    return { ...n, elems };
  }

  elem(e: Elem, keyTypes: DataType[], keyBits: number[], use: "lookup" | "map" | "vmap" | "objref", dataTypes?: DataType[]): Elem {
    const key = keyTypes.length > 1
      ? e.key.t === "concat" && e.key.items.length === keyTypes.length
        ? { ...e.key, items: e.key.items.map((k, i) => this.value(k, keyTypes[i]!, keyBits[i]!)) }
        : this.err(`datatype mismatch, expected concatenation of (${keyTypes.map((t) => t.desc).join(", ")})`, e.key)
      : this.value(e.key, keyTypes[0]!, keyBits[0]!);
    const out: Elem = { ...e, key };
    if (use === "vmap") {
      if (e.data?.t !== "verdict") return this.err("verdict expected", e.data ?? e.key);
    } else if (use === "map" && dataTypes) {
      if (!e.data) return this.err("map element needs data", e.key);
      out.data = dataTypes.length > 1 && e.data.t === "concat"
        ? { ...e.data, items: e.data.items.map((d, i) => this.value(d, dataTypes[i]!, dataTypes[i]!.bits)) }
        : this.value(e.data, dataTypes[0]!, dataTypes[0]!.bits);
    }
    return out;
  }
}

function llStart(family: NftFamily): Proto | undefined {
  if (family === "inet") return PROTOS.inet;
  if (family === "bridge") return PROTOS.ether;
  if (family === "netdev") return PROTOS.netdev;
  return undefined;
}

/** "a-b" for types whose values have no "-" of their own. */
function rangeSplit(text: string, t: DataType): [string, string] | undefined {
  if (t.kind === "lladdr" && /^[0-9a-f:]+-[0-9a-f:]+$/i.test(text)) return text.split("-") as [string, string];
  const m = /^([^-]+)-([^-]+)$/.exec(text);
  return m ? [m[1]!, m[2]!] : undefined;
}

/** nft stores "10.1.2.3/31" as its network, "10.1.2.2/31". */
function maskPrefix(v: Extract<Node, { t: "value" }>, len: number): Node {
  const b = Buffer.from(v.c.bytes);
  for (let i = len; i < b.length * 8; i++) b[i >> 3]! &= ~(0x80 >> (i & 7));
  return { ...v, c: { ...v.c, bytes: b } };
}

/** The data type of an evaluated expression. */
export function typeOfExpr(n: Node): DataType {
  switch (n.t) {
    case "payload": case "meta": case "ct": case "numgen": case "hash": case "fib": case "rt": return n.type;
    case "binop": return typeOfExpr(n.left);
    case "byteorder": return swapped(typeOfExpr(n.arg));
    case "value": return n.c.type;
    default: return TYPES.integer;
  }
}

/** How many bits an expression loads (the register width it occupies). */
export function bitsOf(n: Node): number {
  switch (n.t) {
    case "payload": return n.bits;
    case "meta": return META_KEYS[n.key]?.bits ?? 32;
    case "ct": return n.key === "saddr" || n.key === "daddr" ? n.type.bits : CT_KEYS[n.key]?.bits ?? 32;
    case "fib": return n.type === TYPES.ifname ? 128 : 32;
    case "binop": case "byteorder": return bitsOf(n.t === "binop" ? n.left : n.arg);
    case "concat": return n.items.reduce((a, i) => a + Math.ceil(bitsOf(i) / 32) * 32, 0);
    default: return 32;
  }
}

export { parseInteger };
export type { Const };
