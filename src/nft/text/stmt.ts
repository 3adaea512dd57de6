// Statements of a rule: matches, verdicts, counter/log/limit/quota, reject, NAT, mangling,
// set updates and object references, in nft's syntax.
import type { Node, RelOp, Stmt } from "../ast.js";
import { describe, NftSyntaxError, type Cursor } from "./cursor.js";
import { concatExpr, mapExpr, rhs, rhsValue, setOrRef, startsExpr, timeValue, valueAtom, verdict } from "./expr.js";

const REL_OPS: Record<string, RelOp> = {
  "==": "==", eq: "==", "!=": "!=", ne: "!=", "<": "<", lt: "<", "<=": "<=", le: "<=", ">": ">", gt: ">", ">=": ">=", ge: ">=",
};
const NAT_FLAGS = new Set(["random", "fully-random", "persistent"]);
const BYTE_UNITS: Record<string, number> = { bytes: 1, kbytes: 1024, mbytes: 1024 * 1024 };
const TIME_UNITS = new Set(["second", "minute", "hour", "day", "week"]);

function num(c: Cursor, what = "number"): number {
  const t = c.word(what);
  if (!/^\d+$/.test(t.text)) return c.fail(what, t);
  return Number(t.text);
}

/** "N unit" of bytes (quota, limit bursts). */
function byteAmount(c: Cursor): number {
  const n = num(c);
  const u = c.word("bytes, kbytes or mbytes");
  const f = BYTE_UNITS[u.text];
  if (f === undefined) return c.fail("bytes, kbytes or mbytes", u);
  return n * f;
}

/** Statements that end a rule's evaluation (nft's STMT_F_TERMINAL): nothing may follow them. */
function terminal(st: Stmt): boolean {
  if (st.s === "verdict") return st.v.code !== "continue";
  return st.s === "reject" || st.s === "nat" || st.s === "queue";
}

/**
 * A rule's statements up to the end of the line (or ";"); a trailing comment is returned apart.
 * `sep` is what nft's grammar expects after a rule where something else follows: "newline or
 * semicolon" in a chain block, "end of file or newline or semicolon" for a command.
 */
export function parseStatements(c: Cursor, sep = "newline or semicolon"): { stmts: Stmt[]; comment?: string } {
  const stmts: Stmt[] = [];
  let comment: string | undefined;
  while (!c.atEnd()) {
    if (c.accept("comment")) {
      comment = c.name("string or quoted string or string with a trailing asterisk").text;
      break;
    }
    // only a word (or a raw payload "@nh,...") starts another statement
    const t = c.peek();
    const operator = t.kind === "word" && [":", ".", "/", "-", "*"].includes(t.text);
    if (stmts.length && (operator || (t.kind !== "word" && !(t.kind === "punct" && t.text === "@")))) break;
    const st = statement(c);
    // the statement's extent on its line, for errors that underline it
    const last = c.prev();
    if (st.loc && last && last.loc.line === st.loc.line) st.loc = { ...st.loc, end: Math.max(st.loc.end, last.loc.end) };
    stmts.push(st);
  }
  if (!c.atEnd() || c.isPunct("}")) c.fail(sep);
  const i = stmts.findIndex(terminal);
  if (i >= 0 && i < stmts.length - 1) {
    throw new NftSyntaxError("Statement after terminal statement has no effect", stmts[i + 1]!.loc!, stmts[i]!.loc);
  }
  return comment !== undefined ? { stmts, comment } : { stmts };
}

function statement(c: Cursor): Stmt {
  const t = c.peek();
  const loc = t.loc;
  const v = verdict(c);
  if (v) {
    if (v.code === "queue") return queueStmt(c, loc);
    return { s: "verdict", v, loc };
  }
  if (t.kind === "word") {
    switch (t.text) {
      case "counter": return counterStmt(c);
      case "log": return logStmt(c);
      case "limit": return limitStmt(c);
      case "quota": return quotaStmt(c);
      case "reject": return rejectStmt(c);
      case "snat": case "dnat": case "masquerade": case "redirect": return natStmt(c);
      case "notrack": c.next(); return { s: "notrack", loc };
      case "add": case "update": case "delete": return dynsetStmt(c);
      case "ct": {
        const w1 = c.peek(1).text;
        if (w1 === "helper" && c.isWord("set", 2)) {
          c.next(); c.next(); c.next();
          return { s: "objref", type: "ct helper", name: c.name("helper name").text, loc };
        }
        if (w1 === "count") {
          c.next(); c.next();
          const over = c.accept("over");
          return { s: "connlimit", count: num(c), over, loc };
        }
        break;
      }
      default: break;
    }
  }
  if (!startsExpr(c)) {
    // nft reads an unknown word as the start of an expression and trips over what follows it
    if (t.kind === "word") c.next();
    return c.fail(undefined);
  }
  const left = concatExpr(c);
  if (c.accept("set")) {
    const value = startsExpr(c) ? mapExpr(c) : rhs(c);
    if (left.t === "meta") return { s: "meta set", key: left.key, value, loc };
    if (left.t === "ct") return { s: "ct set", key: left.key, ...(left.dir ? { dir: left.dir } : {}), value, loc };
    if (left.t === "payload") return { s: "payload set", left, value, loc };
    return c.fail("newline or semicolon");
  }
  if (c.accept("vmap")) return { s: "vmap", key: left, map: setOrRef(c, true), loc };
  let op: RelOp = "implicit";
  const o = c.peek();
  if ((o.kind === "punct" || o.kind === "word") && REL_OPS[o.text]) { c.next(); op = REL_OPS[o.text]!; }
  else if (c.isPunct("!")) { c.next(); op = "neg"; }
  const right = rhs(c);
  if (right.t === "set") {
    const mapping = right.elems.find((e) => e.data);
    if (mapping) throw new NftSyntaxError("mapping outside of map context", mapping.key.loc ?? mapping.loc ?? loc!);
  }
  if (c.isWord("/")) {
    c.next();
    const mask = rhsValue(c);
    return { s: "flagcmp", op: op === "!=" ? "!=" : "==", left, mask, value: right, loc };
  }
  return { s: "match", op, left, right, loc };
}

function counterStmt(c: Cursor): Stmt {
  const loc = c.next().loc;
  if (c.accept("name")) return objrefStmt(c, "counter", loc);
  const st: Extract<Stmt, { s: "counter" }> = { s: "counter", loc };
  if (c.accept("packets")) {
    st.packets = num(c);
    c.expect("bytes");
    st.bytes = num(c);
  }
  return st;
}

/** "counter name c" or "counter name tcp dport map @m". */
function objrefStmt(c: Cursor, type: string, loc: Stmt["loc"]): Stmt {
  if (startsExpr(c)) {
    const key = concatExpr(c);
    c.expect("map");
    return { s: "objref", type, key, map: setOrRef(c, true), ...(loc ? { loc } : {}) };
  }
  const n = c.peek();
  if (n.kind !== "word" && n.kind !== "string") c.fail();
  return { s: "objref", type, name: c.next().text, ...(loc ? { loc } : {}) };
}

const LOG_LEVELS = new Set(["emerg", "alert", "crit", "err", "warn", "notice", "info", "debug", "audit"]);

function logStmt(c: Cursor): Stmt {
  const loc = c.next().loc;
  const st: Extract<Stmt, { s: "log" }> = { s: "log", loc };
  for (;;) {
    if (c.accept("prefix")) {
      const t = c.peek();
      if (t.kind !== "string" && !(t.kind === "word" && describe(t) === "string")) c.fail("string or quoted string or string with a trailing asterisk");
      st.prefix = c.next().text;
    }
    else if (c.accept("group")) st.group = num(c);
    else if (c.accept("snaplen")) st.snaplen = num(c);
    else if (c.accept("queue-threshold")) st.qthreshold = num(c);
    else if (c.accept("level")) {
      const l = c.word("log level");
      if (!LOG_LEVELS.has(l.text)) throw new NftSyntaxError("invalid log level", l.loc);
      st.level = l.text;
    } else if (c.accept("flags")) {
      const flags = (st.flags ??= []);
      if (c.accept("all")) flags.push("tcp sequence", "tcp options", "ip options", "skuid", "ether");
      else if (c.accept("tcp")) {
        do {
          const f = c.word("sequence or options");
          if (f.text !== "sequence" && f.text !== "options") return c.fail("sequence or options", f);
          flags.push(`tcp ${f.text}`);
        } while (c.accept(","));
      } else if (c.accept("ip")) { c.expect("options"); flags.push("ip options"); }
      else if (c.accept("skuid")) flags.push("skuid");
      else if (c.accept("ether")) flags.push("ether");
      else return c.fail("log flags");
    } else return st;
  }
}

function limitStmt(c: Cursor): Stmt {
  const loc = c.next().loc;
  if (c.accept("name")) return objrefStmt(c, "limit", loc);
  c.expect("rate");
  return { s: "limit", ...limitBody(c), loc };
}

/** "[over] N/unit [burst N packets]" or "[over] N bytes-unit/unit [burst N unit]". */
export function limitBody(c: Cursor): { rate: number; unit: string; burst: number; bytes: boolean; over: boolean } {
  const over = c.accept("over");
  c.accept("until");
  const w = c.word("rate");
  let rate: number, unit: string, bytes = false;
  const slash = /^(\d+)\/(\w+)$/.exec(w.text);
  if (slash) {
    rate = Number(slash[1]);
    unit = slash[2]!;
  } else {
    if (!/^\d+$/.test(w.text)) return c.fail("number", w);
    const u = c.word("rate unit");
    const m = /^(bytes|kbytes|mbytes)\/(\w+)$/.exec(u.text);
    if (!m) return c.fail("bytes/second, kbytes/second or mbytes/second", u);
    rate = Number(w.text) * BYTE_UNITS[m[1]!]!;
    unit = m[2]!;
    bytes = true;
  }
  if (!TIME_UNITS.has(unit)) {
    // nft's scanner reads "10/bogus" as a number, "/" and a string: the string is unexpected
    const at = w.text.lastIndexOf("/") + 1;
    throw new NftSyntaxError("syntax error, unexpected string", { line: w.loc.line, col: w.loc.col + at, end: w.loc.end });
  }
  let burst = bytes ? 0 : 5;
  if (c.accept("burst")) {
    if (bytes) burst = byteAmount(c);
    else { burst = num(c); c.expect("packets"); }
  }
  return { rate, unit, burst, bytes, over };
}

function quotaStmt(c: Cursor): Stmt {
  const loc = c.next().loc;
  if (c.accept("name")) return objrefStmt(c, "quota", loc);
  return { s: "quota", ...quotaBody(c), loc };
}

export function quotaBody(c: Cursor): { bytes: number; used: number; over: boolean } {
  const over = c.accept("over");
  if (!over) c.accept("until");
  const bytes = byteAmount(c);
  const used = c.accept("used") ? byteAmount(c) : 0;
  return { bytes, used, over };
}

function rejectStmt(c: Cursor): Stmt {
  const loc = c.next().loc;
  if (!c.accept("with")) return { s: "reject", loc };
  if (c.accept("tcp")) {
    c.expect("reset");
    return { s: "reject", type: "tcp reset", loc };
  }
  const kind = c.word("icmp, icmpv6 or icmpx");
  if (kind.text !== "icmp" && kind.text !== "icmpv6" && kind.text !== "icmpx") return c.fail("icmp, icmpv6, icmpx or tcp", kind);
  c.accept("type");
  const code = c.word("icmp code");
  return { s: "reject", type: kind.text, codeName: code.text, loc };
}

function natStmt(c: Cursor): Stmt {
  const t = c.next();
  const loc = t.loc;
  const type = t.text as "snat" | "dnat" | "masquerade" | "redirect";
  const st: Extract<Stmt, { s: "nat" }> = { s: "nat", type, flags: [], loc };
  if ((type === "snat" || type === "dnat") && (c.isWord("ip") || c.isWord("ip6")) && c.isWord("to", 1)) st.family = c.next().text as "ip" | "ip6";
  if (c.accept("to")) natTarget(c, st);
  else if (type === "snat" || type === "dnat") return c.fail("to");
  while (c.isWord() && NAT_FLAGS.has(c.peek().text)) {
    st.flags.push(c.next().text);
    if (!c.accept(",")) break;
  }
  return st;
}

/** "10.0.0.2:80", "[2001:db8::2]:80", "10.0.0.2-10.0.0.4", ":8080-8090", "tcp dport map @m". */
function natTarget(c: Cursor, st: Extract<Stmt, { s: "nat" }>): void {
  if (startsExpr(c)) {
    st.addr = mapExpr(c);
    return;
  }
  if (c.accept("[")) {
    const a = valueAtom(c);
    c.expect("]");
    let addr: Node = a;
    if (c.isWord("-") && c.isPunct("[", 1)) {
      // "[a]-[b]"
      c.next(); c.next();
      const b = valueAtom(c);
      c.expect("]");
      addr = { t: "range", lo: a, hi: b, ...(a.loc ? { loc: a.loc } : {}) };
    }
    st.addr = addr;
    if (c.isWord() && c.peek().text.startsWith(":")) st.proto = portWord(c);
    return;
  }
  const w = c.peek();
  if (w.kind === "word" && w.text.startsWith(":")) {
    st.proto = portWord(c);
    return;
  }
  const v = valueAtom(c);
  // "10.0.0.1:" and nothing after the colon
  if (v.t === "symbol" && !v.quoted && /^[^:]+:$/.test(v.text)) c.fail();
  if (v.t === "symbol" && !v.quoted) {
    const colons = (v.text.match(/:/g) ?? []).length;
    if (colons === 1) {
      const [a, p] = v.text.split(":");
      st.addr = { t: "symbol", text: a!, ...(v.loc ? { loc: v.loc } : {}) };
      st.proto = splitRange(p!, v.loc);
      return;
    }
  }
  st.addr = v;
}

function portWord(c: Cursor): Node {
  const t = c.word("port");
  return splitRange(t.text.slice(1), t.loc);
}

function splitRange(text: string, loc: Node["loc"]): Node {
  const m = /^([^-]+)-([^-]+)$/.exec(text);
  const l = loc ? { loc } : {};
  if (m) return { t: "range", lo: { t: "symbol", text: m[1]!, ...l }, hi: { t: "symbol", text: m[2]!, ...l }, ...l };
  return { t: "symbol", text, ...l };
}

function dynsetStmt(c: Cursor): Stmt {
  const t = c.next();
  const loc = t.loc;
  c.expect("@");
  const set = c.name("set name").text;
  c.expect("{");
  const key = concatExpr(c);
  const st: Extract<Stmt, { s: "dynset" }> = { s: "dynset", op: t.text as "add" | "update" | "delete", set, key, loc };
  if (c.accept("timeout")) st.timeout = timeValue(c);
  const inner: Stmt[] = [];
  while (!c.isPunct("}")) inner.push(statement(c));
  c.expect("}");
  if (inner.length) st.stmts = inner;
  return st;
}

function queueStmt(c: Cursor, loc: Stmt["loc"]): Stmt {
  const st: Extract<Stmt, { s: "queue" }> = { s: "queue", flags: [], ...(loc ? { loc } : {}) };
  for (;;) {
    if (c.accept("flags")) {
      do { st.flags.push(c.word("bypass or fanout").text); } while (c.accept(","));
    } else if (c.accept("to") || c.accept("num")) {
      const w = c.word("number or '$'");
      const m = /^(\d+)(?:-(\d+))?$/.exec(w.text);
      if (!m) return c.fail("queue number", w);
      st.num = Number(m[1]);
      if (m[2]) st.total = Number(m[2]) - Number(m[1]) + 1;
    } else if (c.accept("bypass")) st.flags.push("bypass");
    else if (c.accept("fanout")) st.flags.push("fanout");
    else return st;
  }
}
