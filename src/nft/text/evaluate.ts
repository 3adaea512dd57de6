// Evaluation of one rule's statements: types, dependencies and the checks nft makes before it
// sends anything (so that apply() refuses the same text nft refuses, with a located error).
import type { Node, Stmt } from "../ast.js";
import { fromBigInt, swapped, toBigInt, TYPES, type DataType } from "../datatype.js";
import { META_KEYS, CT_KEYS } from "../proto.js";
import { bitsOf, EvalError, RuleEval, typeOfExpr, type EvalCtx } from "./eval-expr.js";
import { reduceStmts } from "./reduce.js";

export { EvalError, type EvalCtx };

const CMP_ORDER = new Set(["<", "<=", ">", ">="]);

/** Host-order integers compared by range or order are converted to network order first (nft's byteorder_conversion). */
function toBigEndian(left: Node): Node {
  const t = typeOfExpr(left);
  if (t.byteorder === "big" || t.kind === "string" || left.t === "value") return left;
  if (bitsOf(left) < 16) return left;
  return { t: "byteorder", op: "hton", arg: left, ...(left.loc ? { loc: left.loc } : {}) };
}

/** A host-order constant written in network order. */
function constToBig(n: Node): Node {
  if (n.t === "value" && n.c.type.byteorder === "host" && n.c.type.kind !== "string") {
    const v = toBigInt(n.c.bytes, "host");
    return { ...n, c: { ...n.c, type: swapped(n.c.type), bytes: fromBigInt(v, n.c.bytes.length, "big") } };
  }
  if (n.t === "range") return { ...n, lo: constToBig(n.lo), hi: constToBig(n.hi) };
  return n;
}

function matchStmt(r: RuleEval, st: Extract<Stmt, { s: "match" | "flagcmp" }>): Stmt[] {
  let left = r.expr(st.left);
  // "fib ... oif missing": a boolean right side makes fib test for presence
  if (left.t === "fib" && st.s === "match" && st.right.t === "symbol" && (st.right.text === "exists" || st.right.text === "missing")) {
    left = { ...left, type: TYPES.boolean };
  }
  const t = typeOfExpr(left);
  const bits = bitsOf(left);
  const loc = st.loc ? { loc: st.loc } : {};
  if (st.s === "flagcmp") {
    // "tcp flags syn / fin,syn,rst,ack" is (tcp flags & mask) == value
    const mask = r.constant(st.mask, t, bits);
    const value = r.constant(st.value, t, bits);
    return [...r.pending, { s: "match", op: st.op === "!=" ? "!=" : "==", left: { t: "binop", op: "&", left, right: mask }, right: value, ...loc }];
  }
  let right: Node;
  const rn = st.right;
  if (rn.t === "set" || rn.t === "setref") right = r.setArg(rn, left, "lookup");
  else if (rn.t === "list") right = { ...rn, items: rn.items.map((i) => r.constant(i, t, bits)) };
  else if (rn.t === "concat") {
    if (left.t !== "concat" || left.items.length !== rn.items.length) return r.err("Use concatenations with sets and maps, not singleton values", rn);
    return r.err("Use concatenations with sets and maps, not singleton values", rn);
  } else right = r.value(rn, t, bits);
  if (st.op === "neg" && !(right.t === "value" && t.bitmask)) return r.err("negation can only be used with singleton bitmask values", rn);
  if (st.op === "==" || st.op === "implicit") r.update(left, right);
  const isInterval = right.t === "setref" ? r.ctx.set(right.name)?.interval === true
    : right.t === "set" && right.elems.some((e) => e.key.t === "range" || e.key.t === "prefix" || (e.key.t === "concat" && e.key.items.some((i) => i.t === "range" || i.t === "prefix")));
  if (right.t === "range" || CMP_ORDER.has(st.op)) {
    left = toBigEndian(left);
    right = constToBig(right);
  } else if (isInterval) {
    left = left.t === "concat" ? { ...left, items: left.items.map(toBigEndian) } : toBigEndian(left);
  }
  return [...r.pending, { s: "match", op: st.op, left, right, ...loc }];
}

function natStmt(r: RuleEval, st: Extract<Stmt, { s: "nat" }>): Stmt {
  const fam = r.ctx.family;
  const out: Extract<Stmt, { s: "nat" }> = { ...st };
  const needsL4 = st.proto !== undefined;
  if (needsL4 && !r.protos[3]) return r.err("transport protocol mapping is only valid after transport protocol match", st.proto);
  if (st.type === "masquerade" || st.type === "redirect") {
    if (st.proto) out.proto = r.value(st.proto, TYPES.inet_service, 16);
    return out;
  }
  let family = st.family ?? (fam === "ip" ? "ip" : fam === "ip6" ? "ip6" : undefined);
  if (!family && st.addr?.t === "symbol") family = st.addr.text.includes(":") ? "ip6" : "ip";
  if (!family && r.protos[2]?.name === "ip") family = "ip";
  if (!family && r.protos[2]?.name === "ip6") family = "ip6";
  if (!family) return r.err(`specify \`${st.type} ip\` or '${st.type} ip6' in ${fam} table to disambiguate`, st);
  if ((fam === "ip" && family === "ip6") || (fam === "ip6" && family === "ip")) return r.err(`${st.type} ${family} is not valid in a table of family ${fam}`, st);
  out.family = family;
  const at: DataType = family === "ip6" ? TYPES.ipv6_addr : TYPES.ipv4_addr;
  if (st.addr) {
    if (st.addr.t === "map") {
      const key = r.expr(st.addr.key);
      const set = st.addr.set;
      let mapped: Node = set;
      if (set.t === "set") {
        const keyTypes = key.t === "concat" ? key.items.map(typeOfExpr) : [typeOfExpr(key)];
        const keyBits = key.t === "concat" ? key.items.map(bitsOf) : [bitsOf(key)];
        const dataTypes = set.elems.some((e) => e.data?.t === "concat") ? [at, TYPES.inet_service] : [at];
        mapped = { ...set, elems: set.elems.map((e) => r.elem(e, keyTypes, keyBits, "map", dataTypes)) };
      } else if (set.t === "setref" && !r.ctx.set(set.name)) return r.err(`Could not process rule: Set '${set.name}' does not exist`, set);
      out.addr = { ...st.addr, key, set: mapped };
    } else if (st.addr.t === "range") out.addr = { ...st.addr, lo: r.constant(st.addr.lo, at, at.bits), hi: r.constant(st.addr.hi, at, at.bits) };
    else out.addr = r.value(st.addr, at, at.bits);
  }
  if (st.proto) out.proto = r.value(st.proto, TYPES.inet_service, 16);
  return out;
}

function rejectStmt(r: RuleEval, st: Extract<Stmt, { s: "reject" }>): Stmt[] {
  const fam = r.ctx.family;
  const out: Extract<Stmt, { s: "reject" }> = { s: "reject", ...(st.loc ? { loc: st.loc } : {}) };
  const net = r.protos[2]?.name;
  let type = st.type;
  if (!type) {
    if (fam === "ip" || (fam !== "ip6" && net === "ip" && fam !== "inet")) type = "icmp";
    else if (fam === "ip6") type = "icmpv6";
    else type = "icmpx";
  }
  out.type = type;
  if (type === "tcp reset") {
    if (!r.protos[3]) {
      // nft adds "meta l4proto tcp" itself
      const left: Node = { t: "meta", key: "l4proto", type: TYPES.inet_proto };
      const right: Node = { t: "value", c: { type: TYPES.inet_proto, bytes: Buffer.from([6]) } };
      r.update(left, right);
      r.pending.push({ s: "match", op: "==", left, right });
    } else if (r.protos[3]?.name !== "tcp") return r.err("conflicting protocols specified: reject with tcp reset needs tcp", st);
    out.code = 0;
    return [...r.pending, out];
  }
  const codeType = type === "icmp" ? TYPES.icmp_code : type === "icmpv6" ? TYPES.icmpv6_code : TYPES.icmpx_code;
  const defaults = { icmp: 3, icmpv6: 4, icmpx: 1 } as const;
  if (st.codeName !== undefined) {
    const c = r.constant({ t: "symbol", text: st.codeName, ...(st.loc ? { loc: st.loc } : {}) }, codeType, 8);
    out.code = c.t === "value" ? c.c.bytes[0]! : 0;
  } else out.code = defaults[type];
  if ((fam === "inet" || fam === "bridge" || fam === "netdev") && (type === "icmp" || type === "icmpv6")) {
    const want = type === "icmp" ? "ip" : "ip6";
    if (!net) {
      const nfLeft: Node = fam === "inet" ? { t: "meta", key: "nfproto", type: TYPES.nf_proto } : { t: "meta", key: "protocol", type: TYPES.ether_type };
      const value = fam === "inet" ? Buffer.from([type === "icmp" ? 2 : 10]) : fromBigInt(type === "icmp" ? 0x0800n : 0x86ddn, 2, "big");
      const right: Node = { t: "value", c: { type: typeOfExpr(nfLeft), bytes: value } };
      r.update(nfLeft, right);
      r.pending.push({ s: "match", op: "==", left: nfLeft, right });
    } else if (net !== want) return r.err(`conflicting protocols specified: ${net} vs. ${want}`, st);
  }
  return [...r.pending, out];
}

function setValue(r: RuleEval, value: Node, t: DataType, bits: number): Node {
  if (value.t === "map") {
    const key = r.expr(value.key);
    const set = value.set;
    if (set.t === "set") {
      const keyTypes = key.t === "concat" ? key.items.map(typeOfExpr) : [typeOfExpr(key)];
      const keyBits = key.t === "concat" ? key.items.map(bitsOf) : [bitsOf(key)];
      return { ...value, key, set: { ...set, elems: set.elems.map((e) => r.elem(e, keyTypes, keyBits, "map", [t])) } };
    }
    if (set.t === "setref" && !r.ctx.set(set.name)) return r.err(`Could not process rule: Set '${set.name}' does not exist`, set);
    return { ...value, key };
  }
  if (value.t === "symbol" || value.t === "list" || (value.t === "binop" && value.left.t === "symbol")) return r.constant(value, t, bits);
  return r.expr(value);
}

/** Evaluates one rule; the result lists dependency matches where nft inserts them. */
export function evaluateRule(stmts: readonly Stmt[], ctx: EvalCtx): Stmt[] {
  const r = new RuleEval(ctx);
  const out: Stmt[] = [];
  for (const st of stmts) {
    r.pending = [];
    switch (st.s) {
      case "match": case "flagcmp": out.push(...matchStmt(r, st)); break;
      case "vmap": {
        const key = r.expr(st.key);
        out.push(...r.pending, { ...st, key, map: r.setArg(st.map, key, "vmap") });
        break;
      }
      case "meta set": {
        const mk = META_KEYS[st.key];
        if (!mk) return r.err(`unknown meta key ${st.key}`, st);
        const value = setValue(r, st.value, mk.type, mk.bits);
        out.push(...r.pending, { ...st, value });
        break;
      }
      case "ct set": {
        const ck = CT_KEYS[st.key];
        if (!ck) return r.err(`unknown ct key ${st.key}`, st);
        const value = setValue(r, st.value, ck.type, ck.bits);
        out.push(...r.pending, { ...st, value });
        break;
      }
      case "payload set": {
        const left = r.payload(st.left) as Extract<Node, { t: "payload" }>;
        const value = setValue(r, st.value, left.type, left.bits);
        out.push(...r.pending, { ...st, left, value });
        break;
      }
      case "nat": out.push(natStmt(r, st)); out.splice(out.length - 1, 0, ...r.pending); break;
      case "reject": out.push(...rejectStmt(r, st)); break;
      case "dynset": {
        const s = ctx.set(st.set);
        if (!s) return r.err(`Could not process rule: Set '${st.set}' does not exist`, st);
        const key = r.expr(st.key);
        const inner = st.stmts ? evaluateRule(st.stmts, ctx) : undefined;
        out.push(...r.pending, { ...st, key, ...(inner ? { stmts: inner } : {}) });
        break;
      }
      case "objref": {
        if (st.key && st.map) {
          const key = r.expr(st.key);
          const map = st.map.t === "set" ? r.setArg(st.map, key, "objref") : st.map;
          if (map.t === "setref" && !ctx.set(map.name)) return r.err(`Could not process rule: Set '${map.name}' does not exist`, map);
          out.push(...r.pending, { ...st, key, map });
        } else out.push(st);
        break;
      }
      default: out.push(st);
    }
  }
  return reduceStmts(out, ctx.family);
}

export { toBigEndian };
export const isEvalError = (e: unknown): e is EvalError => e instanceof EvalError;
export type { DataType };
void toBigInt;
