// Expressions of nft's rule language: header fields ("ip saddr", "@nh,96,32"), meta and ct
// keys, numgen/jhash/fib, concatenations ("ip daddr . tcp dport"), binary operations
// ("meta mark & 0xff"), map lookups, and the right-hand side values they are compared with.
import type { Elem, Loc, Node, Stmt, VerdictCode } from "../ast.js";
import { TYPES } from "../datatype.js";
import { CT_KEYS, META_KEYS, PROTOS, type Base } from "../proto.js";
import type { Cursor } from "./cursor.js";
import type { Token } from "./lexer.js";

/** Meta keys nft accepts without "meta" (its meta_key_unqualified). */
export const BARE_META = new Set([
  "mark", "iif", "iifname", "iiftype", "oif", "oifname", "oiftype", "skuid", "skgid", "nftrace", "rtclassid", "ibrname",
  "obrname", "pkttype", "cpu", "iifgroup", "oifgroup", "cgroup", "ipsec",
]);
const RAW_BASES: Record<string, Base> = { ll: "ll", nh: "network", th: "transport", ih: "inner" };
const VERDICTS = new Set(["accept", "drop", "continue", "return", "jump", "goto", "queue"]);

const sym = (t: Token): Node => ({ t: "symbol", text: t.text, ...(t.kind === "string" ? { quoted: true } : {}), loc: t.loc });

function joinLoc(a: Loc, b: Loc): Loc {
  return a.line === b.line ? { line: a.line, col: a.col, end: Math.max(a.end, b.end) } : a;
}

export function nodeLoc(n: Node): Loc | undefined {
  return n.loc;
}

/** Whether the next words start an expression that yields a value from the packet or its state. */
export function startsExpr(c: Cursor, n = 0): boolean {
  const t = c.peek(n);
  if (t.kind === "punct") return t.text === "@" && c.peek(n + 1).kind === "word" && RAW_BASES[c.peek(n + 1).text] !== undefined && c.isPunct(",", n + 2);
  if (t.kind !== "word") return false;
  const w = t.text;
  if (PROTOS[w] && !PROTOS[w]!.pseudo) return c.peek(n + 1).kind === "word" && fieldName(c, w, n + 1) !== undefined;
  return w === "meta" || w === "ct" || w === "numgen" || w === "jhash" || w === "symhash" || w === "fib" || w === "rt" || BARE_META.has(w);
}

/** A protocol's field name at the cursor: one word, or two for arp's "saddr ip". */
function fieldName(c: Cursor, proto: string, n = 0): string | undefined {
  const p = PROTOS[proto]!;
  const one = c.peek(n).text;
  const two = `${one} ${c.peek(n + 1).text}`;
  if (p.fields.some((f) => f.name === two)) return two;
  if (p.fields.some((f) => f.name === one)) return one;
  return undefined;
}

/** A single expression producing a value: field, meta, ct, numgen, hash, fib, rt or raw payload. */
export function primaryExpr(c: Cursor): Node {
  const t = c.peek();
  if (t.kind === "punct" && t.text === "@") {
    c.next();
    const base = c.word();
    c.expect(",");
    const off = c.word("number");
    c.expect(",");
    const len = c.word("number");
    const b = RAW_BASES[base.text];
    if (!b || !/^\d+$/.test(off.text) || !/^\d+$/.test(len.text)) return c.fail("payload base, offset and length", base);
    return { t: "payload", base: b, offset: Number(off.text), bits: Number(len.text), type: TYPES.integer, loc: joinLoc(t.loc, len.loc) };
  }
  const w = c.word("expression");
  const p = PROTOS[w.text];
  if (p && !p.pseudo) {
    const name = fieldName(c, w.text);
    if (!name) return c.fail(`${w.text} header field`);
    const words = name.split(" ");
    let last = w;
    for (let i = 0; i < words.length; i++) last = c.next();
    const f = p.fields.find((x) => x.name === name)!;
    return { t: "payload", base: p.base, offset: f.offset, bits: f.bits, proto: p.name, field: f.name, type: f.type, loc: joinLoc(w.loc, last.loc) };
  }
  if (w.text === "meta" || BARE_META.has(w.text)) {
    const k = w.text === "meta" ? c.word("meta key") : w;
    const mk = META_KEYS[k.text];
    if (!mk) return c.fail("meta key", k);
    return { t: "meta", key: k.text, type: mk.type, loc: joinLoc(w.loc, k.loc) };
  }
  if (w.text === "ct") {
    let dir: "original" | "reply" | undefined;
    if (c.isWord("original") || c.isWord("reply")) dir = c.next().text as "original" | "reply";
    let k = c.word("ct key");
    let key = k.text;
    if ((key === "ip" || key === "ip6") && (c.isWord("saddr") || c.isWord("daddr"))) { k = c.next(); key = `${key} ${k.text}`; }
    const ck = CT_KEYS[key];
    if (!ck) return c.fail("ct key", k);
    return { t: "ct", key, ...(dir ? { dir } : {}), type: ck.type, loc: joinLoc(w.loc, k.loc) };
  }
  if (w.text === "numgen") {
    const mode = c.word("inc or random");
    if (mode.text !== "inc" && mode.text !== "random") return c.fail("inc or random", mode);
    c.expect("mod");
    const mod = c.word("number");
    let offset = 0;
    if (c.accept("offset")) offset = Number(c.word("number").text);
    return { t: "numgen", mode: mode.text, mod: Number(mod.text), offset, type: TYPES.integer, loc: joinLoc(w.loc, mod.loc) };
  }
  if (w.text === "jhash" || w.text === "symhash") {
    const expr = w.text === "jhash" ? concatExpr(c) : undefined;
    c.expect("mod");
    const mod = Number(c.word("number").text);
    const n: Extract<Node, { t: "hash" }> = { t: "hash", kind: w.text, mod, offset: 0, type: TYPES.integer, loc: w.loc };
    if (expr) n.expr = expr;
    if (c.accept("seed")) n.seed = Number(c.word("number").text);
    if (c.accept("offset")) n.offset = Number(c.word("number").text);
    return n;
  }
  if (w.text === "fib") {
    const flags: string[] = [];
    do {
      const f = c.word("saddr, daddr, mark, iif or oif");
      if (!["saddr", "daddr", "mark", "iif", "oif"].includes(f.text)) return c.fail("saddr, daddr, mark, iif or oif", f);
      flags.push(f.text);
    } while (c.accept("."));
    const r = c.word("oif, oifname or type");
    if (r.text !== "oif" && r.text !== "oifname" && r.text !== "type") return c.fail("oif, oifname or type", r);
    const type = r.text === "oifname" ? TYPES.ifname : r.text === "type" ? TYPES.fib_addrtype : TYPES.iface_index;
    return { t: "fib", flags, result: r.text, type, loc: joinLoc(w.loc, r.loc) };
  }
  if (w.text === "rt") {
    const k = c.word("rt key");
    return { t: "rt", key: k.text, type: TYPES.integer, loc: joinLoc(w.loc, k.loc) };
  }
  return c.fail("expression", w);
}

const BINOPS = ["&", "|", "^", "<<", ">>"] as const;
const BINOP_WORDS: Record<string, (typeof BINOPS)[number]> = { and: "&", or: "|", xor: "^", lshift: "<<", rshift: ">>" };
const PREC: Record<string, number> = { "<<": 1, ">>": 1, "&": 2, "^": 3, "|": 4 };

function binopAt(c: Cursor): (typeof BINOPS)[number] | undefined {
  const t = c.peek();
  if (t.kind === "punct" && (BINOPS as readonly string[]).includes(t.text)) return t.text as (typeof BINOPS)[number];
  if (t.kind === "word" && BINOP_WORDS[t.text]) return BINOP_WORDS[t.text];
  return undefined;
}

/** An operand of a binary operation on the right of &, |, ...: a value or a parenthesised value expression. */
function operand(c: Cursor): Node {
  if (c.accept("(")) {
    const v = valueBinop(c, 4);
    c.expect(")");
    return v;
  }
  return valueAtom(c);
}

/** Binary operations by precedence (<< >> bind tightest, | loosest), left to right. */
function binops(c: Cursor, left: Node, maxPrec: number, rhs: (c: Cursor) => Node): Node {
  for (;;) {
    const op = binopAt(c);
    if (!op || PREC[op]! > maxPrec) return left;
    c.next();
    let right = rhs(c);
    // bind tighter operators on the right first
    for (;;) {
      const nop = binopAt(c);
      if (!nop || PREC[nop]! >= PREC[op]!) break;
      right = binops(c, right, PREC[op]! - 1, rhs);
    }
    left = { t: "binop", op, left, right, ...(left.loc ? { loc: left.loc } : {}) };
  }
}

function valueBinop(c: Cursor, maxPrec: number): Node {
  return binops(c, operand(c), maxPrec, operand);
}

/** An expression with its binary operations: "meta mark & 0xff", "ct mark | 0x10". */
export function basicExpr(c: Cursor): Node {
  const left = primaryExpr(c);
  return binops(c, left, 4, operand);
}

/** "a . b . c" */
export function concatExpr(c: Cursor): Node {
  const first = basicExpr(c);
  if (!c.isWord(".")) return first;
  const items = [first];
  while (c.accept(".")) items.push(basicExpr(c));
  return { t: "concat", items, ...(first.loc ? { loc: first.loc } : {}) };
}

/** An expression, possibly looked up in a map: "tcp dport map @ports", "ip saddr map { ... }". */
export function mapExpr(c: Cursor): Node {
  const key = concatExpr(c);
  if (!c.accept("map")) return key;
  return { t: "map", key, set: setOrRef(c, true), ...(key.loc ? { loc: key.loc } : {}) };
}

/** "{ elements }" or "@name"; in a map, every element has ": data". */
export function setOrRef(c: Cursor, map = false): Node {
  if (c.accept("@")) {
    const t = c.peek();
    if (t.kind !== "word" || RESERVED.has(t.text)) c.fail("string");
    const n = c.next();
    return { t: "setref", name: n.text, loc: n.loc };
  }
  const open = c.peek();
  if (!c.isPunct("{")) return c.fail("'{' or '@'");
  return { t: "set", elems: setElements(c, map ? true : "rule"), loc: open.loc };
}

/** Words nft's grammar reserves for statements and verdicts: never a value. */
const RESERVED = new Set([
  ...VERDICTS, "counter", "log", "limit", "quota", "reject", "masquerade", "redirect", "notrack", "comment",
  "vmap", "map", "set", "elements", "table", "chain",
]);

/** One value word, quoted string, or "*" (the catch-all element). */
export function valueAtom(c: Cursor): Node {
  const t = c.peek();
  if (t.kind === "string") {
    c.next();
    return sym(t);
  }
  if (t.kind === "word" && !RESERVED.has(t.text)) {
    c.next();
    // "10.0.0.0/ 8", "1- 2": a prefix length or a range's end may follow apart
    if ((t.text.endsWith("/") || t.text.endsWith("-")) && t.text.length > 1) {
      const n = c.peek();
      if (n.kind !== "word" || !/^\d+$/.test(n.text)) return c.fail();
      c.next();
      return { t: "symbol", text: t.text + n.text, loc: joinLoc(t.loc, n.loc) };
    }
    return sym(t);
  }
  return c.fail();
}

/** A right-hand side value: one value or a comma-separated flag list, with binary operations. */
export function rhsValue(c: Cursor): Node {
  const first = binops(c, operand(c), 4, operand);
  if (!c.isPunct(",")) return first;
  const items = [first];
  while (c.accept(",")) items.push(binops(c, operand(c), 4, operand));
  return { t: "list", items, ...(first.loc ? { loc: first.loc } : {}) };
}

/** What a match compares with: a value, a concatenation of values, a set or a set reference. */
export function rhs(c: Cursor): Node {
  if (c.isPunct("{") || c.isPunct("@")) return setOrRef(c);
  const first = rhsValue(c);
  if (!c.isWord(".")) return first;
  const items = [first];
  while (c.accept(".")) items.push(rhsValue(c));
  return { t: "concat", items, ...(first.loc ? { loc: first.loc } : {}) };
}

/** A verdict at the cursor, if there is one ("accept", "jump NAME"...). */
export function verdict(c: Cursor): Extract<Node, { t: "verdict" }> | undefined {
  const t = c.peek();
  if (t.kind !== "word" || !VERDICTS.has(t.text)) return undefined;
  c.next();
  const code = t.text as VerdictCode;
  if (code === "jump" || code === "goto") {
    const ch = c.name("'{'");
    return { t: "verdict", code, chain: ch.text, loc: joinLoc(t.loc, ch.loc) };
  }
  return { t: "verdict", code, loc: t.loc };
}

/** An element's key or data: values joined by " . " ("10.0.0.1 . tcp . 80"). */
function elemValue(c: Cursor): Node {
  const first = valueAtom(c);
  if (!c.isWord(".")) return first;
  const items = [first];
  while (c.accept(".")) items.push(valueAtom(c));
  return { t: "concat", items, ...(first.loc ? { loc: first.loc } : {}) };
}

/** "{ a, b timeout 1h comment "x", c : accept }" (newlines allowed inside). */
export function setElements(c: Cursor, map: boolean | "rule" = false): Elem[] {
  c.expect("{");
  const elems: Elem[] = [];
  const skipNl = () => { while (c.peek().kind === "newline") c.next(); };
  skipNl();
  // an empty set: nft's grammar has none in a rule; a declaration's "elements = { }" is fine
  if (c.isPunct("}")) {
    if (map === "rule") c.fail();
    c.next();
    return elems;
  }
  for (;;) {
    skipNl();
    // "{ a, b, }": a trailing comma
    if (elems.length && c.accept("}")) return elems;
    const start = c.peek();
    const e: Elem = { key: elemValue(c), loc: start.loc };
    for (;;) {
      if (c.accept("timeout")) e.timeout = timeValue(c);
      else if (c.accept("expires")) e.expires = timeValue(c);
      else if (c.accept("comment")) e.comment = c.name("quoted string").text;
      else if (c.isWord("counter")) {
        c.next();
        const st: Extract<Stmt, { s: "counter" }> = { s: "counter" };
        if (c.accept("packets")) { st.packets = Number(c.word("number").text); c.expect("bytes"); st.bytes = Number(c.word("number").text); }
        (e.stmts ??= []).push(st);
      } else break;
    }
    if (c.accept(":")) e.data = verdict(c) ?? elemValue(c);
    else if (map === true) c.fail("colon");
    elems.push(e);
    skipNl();
    if (c.accept(",")) continue;
    skipNl();
    c.expect("}", "comma or '}'");
    return elems;
  }
}

/** A duration word ("1h30m", "500ms", "30"): milliseconds. */
export function timeValue(c: Cursor): number {
  const t = c.word("time");
  const ms = parseDuration(t.text);
  if (ms === undefined) return c.fail("time", t);
  return ms;
}

export function parseDuration(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const re = /(\d+)(ms|d|h|m|s)/y;
  let ms = 0, pos = 0;
  const seen = new Set<string>();
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m || seen.has(m[2]!)) return undefined;
    seen.add(m[2]!);
    ms += Number(m[1]) * ({ d: 86400000, h: 3600000, m: 60000, s: 1000, ms: 1 } as Record<string, number>)[m[2]!]!;
    pos = re.lastIndex;
  }
  return pos > 0 ? ms : undefined;
}
