// Statements and expressions as nft prints them (nftables src/expression.c, statement.c): the
// text of one rule, of set elements and of map data.
import type { Elem, Node, Stmt } from "./ast.js";
import { formatTime, printConst, TYPES, type PrintEnv } from "./datatype.js";
import { META_KEYS } from "./proto.js";

export interface PrintCtx extends PrintEnv {
  /** Whether a named map holds verdicts (its lookups print "vmap"). */
  isVerdictMap?(name: string): boolean;
  /** Ranges print numbers only (nft's NUMERIC_ALL inside a range). */
  numeric?: boolean;
}

const BASE_TOKENS: Record<string, string> = { ll: "ll", network: "nh", transport: "th", inner: "ih" };
const PRECEDENCE: Record<string, number> = { "<<": 1, ">>": 1, "&": 2, "^": 3, "|": 4 };

function numericEnv(ctx: PrintCtx): PrintCtx {
  return { ...ctx, numeric: true, protocolName: () => undefined };
}

export function printNode(n: Node, ctx: PrintCtx = {}): string {
  switch (n.t) {
    case "payload":
      return n.proto && n.field ? `${n.proto} ${n.field}` : `@${BASE_TOKENS[n.base] ?? n.base},${n.offset},${n.bits}`;
    case "meta":
      return META_KEYS[n.key]?.bare ? n.key : `meta ${n.key}`;
    case "ct":
      return `ct${n.dir ? ` ${n.dir}` : ""} ${n.key}`;
    case "numgen":
      return `numgen ${n.mode} mod ${n.mod}${n.offset ? ` offset ${n.offset}` : ""}`;
    case "hash": {
      let s = n.kind === "symhash" ? "symhash" : `jhash ${n.expr ? printNode(n.expr, ctx) : ""}`;
      s += ` mod ${n.mod}`;
      if (n.seed !== undefined) s += ` seed 0x${n.seed.toString(16)}`;
      if (n.offset) s += ` offset ${n.offset}`;
      return s;
    }
    case "fib":
      return `fib ${n.flags.join(" . ")} ${n.result}`;
    case "rt":
      return `rt ${n.key}`;
    case "concat":
      return n.items.map((i) => printNode(i, ctx)).join(" . ");
    case "byteorder":
      return printNode(n.arg, ctx);
    case "binop": {
      const arg = (a: Node) => {
        const paren = a.t === "binop" && (PRECEDENCE[n.op] ?? 0) !== 0 && (PRECEDENCE[n.op] ?? 0) < (PRECEDENCE[a.op] ?? 0);
        return paren ? `(${printNode(a, ctx)})` : printNode(a, ctx);
      };
      return `${arg(n.left)} ${n.op} ${arg(n.right)}`;
    }
    case "map": {
      const vmap = isVerdictSet(n.set, ctx);
      return `${printNode(n.key, ctx)} ${vmap ? "vmap" : "map"} ${printNode(n.set, ctx)}`;
    }
    case "value":
      if (ctx.numeric && n.c.type.symbols) return printConst({ ...n.c, type: { ...n.c.type, symbols: [] } }, ctx);
      return printConst(n.c, ctx);
    case "symbol": return n.text;
    case "variable": return `$${n.name}`;
    case "prefix": return `${printNode(n.value, ctx)}/${n.len}`;
    case "range": {
      const num = numericEnv(ctx);
      return `${printNode(n.lo, num)}-${printNode(n.hi, num)}`;
    }
    case "list": return n.items.map((i) => printNode(i, ctx)).join(",");
    case "set": return `{ ${n.elems.map((e) => printElem(e, ctx)).join(", ")} }`;
    case "setref": return `@${n.name}`;
    case "verdict": return n.chain !== undefined ? `${n.code} ${n.chain}` : n.code;
    case "objname": return `"${n.name}"`;
  }
}

function isVerdictSet(set: Node, ctx: PrintCtx): boolean {
  if (set.t === "setref") return ctx.isVerdictMap?.(set.name) ?? false;
  if (set.t === "set") return set.elems.some((e) => e.data?.t === "verdict");
  return false;
}

/** One element: key, its statements, timeout, expiry, comment, then ": data" for maps. */
export function printElem(e: Elem, ctx: PrintCtx = {}): string {
  let s = printNode(e.key, ctx);
  for (const st of e.stmts ?? []) s += ` ${printStmt(st, ctx)}`;
  if (e.timeout) s += ` timeout ${formatTime(e.timeout)}`;
  if (e.expires) s += ` expires ${formatTime(e.expires)}`;
  if (e.comment !== undefined) s += ` comment "${e.comment}"`;
  if (e.data) s += ` : ${printNode(e.data, ctx)}`;
  return s;
}

function relOp(st: Extract<Stmt, { s: "match" }>): string {
  switch (st.op) {
    case "implicit": return " ";
    case "neg": return " ! ";
    case "==": {
      const r = st.right;
      const mustPrint = (r.t === "value" && r.c.type.bitmask === true) || st.left.t === "binop";
      return mustPrint ? " == " : " ";
    }
    default: return ` ${st.op} `;
  }
}

const RATE_UNITS = ["bytes", "kbytes", "mbytes"] as const;
/** nft's get_rate: the largest of bytes/kbytes/mbytes that divides the value. */
export function byteRate(n: number): [number, string] {
  if (!n) return [0, "bytes"];
  let i = 0;
  while (i < RATE_UNITS.length - 1 && n % 1024 === 0) { n /= 1024; i++; }
  return [n, RATE_UNITS[i]!];
}

export function printStmt(st: Stmt, ctx: PrintCtx = {}): string {
  switch (st.s) {
    case "match": return `${printNode(st.left, ctx)}${relOp(st)}${printNode(st.right, ctx)}`;
    case "flagcmp":
      return `${printNode(st.left, ctx)}${st.op === "!=" ? " != " : " "}${printNode(st.value, ctx)} / ${printNode(st.mask, ctx)}`;
    case "verdict": return printNode(st.v, ctx);
    case "vmap": return `${printNode(st.key, ctx)} vmap ${printNode(st.map, ctx)}`;
    case "counter": return `counter packets ${st.packets ?? 0} bytes ${st.bytes ?? 0}`;
    case "log": {
      let s = "log";
      if (st.prefix !== undefined) s += ` prefix "${st.prefix}"`;
      if (st.group !== undefined) s += ` group ${st.group}`;
      if (st.snaplen !== undefined) s += ` snaplen ${st.snaplen}`;
      if (st.qthreshold !== undefined) s += ` queue-threshold ${st.qthreshold}`;
      if (st.level !== undefined && st.level !== "warn") s += ` level ${st.level}`;
      return s + logFlagsText(st.flags ?? []);
    }
    case "limit": {
      const over = st.over ? "over " : "";
      if (!st.bytes) {
        return `limit rate ${over}${st.rate}/${st.unit}${st.burst && st.burst !== 5 ? ` burst ${st.burst} packets` : ""}`;
      }
      const [r, u] = byteRate(st.rate);
      let s = `limit rate ${over}${r} ${u}/${st.unit}`;
      if (st.burst) { const [b, bu] = byteRate(st.burst); s += ` burst ${b} ${bu}`; }
      return s;
    }
    case "quota": {
      const [b, u] = byteRate(st.bytes);
      let s = `quota ${st.over ? "over " : ""}${b} ${u}`;
      if (st.used) { const [x, xu] = byteRate(st.used); s += ` used ${x} ${xu}`; }
      return s;
    }
    case "reject": return rejectText(st, ctx);
    case "nat": return natText(st, ctx);
    case "meta set": return `${META_KEYS[st.key]?.bare ? st.key : `meta ${st.key}`} set ${printNode(st.value, ctx)}`;
    case "ct set": return `ct ${st.dir ? `${st.dir} ` : ""}${st.key} set ${printNode(st.value, ctx)}`;
    case "payload set": return `${printNode(st.left, ctx)} set ${printNode(st.value, ctx)}`;
    case "notrack": return "notrack";
    case "dynset": {
      let key = printNode(st.key, ctx);
      if (st.timeout) key += ` timeout ${formatTime(st.timeout)}`;
      const inner = (st.stmts ?? []).map((x) => ` ${printStmt(x, { ...ctx })}`).join("");
      return `${st.op} @${st.set} { ${key}${inner} }`;
    }
    case "objref": {
      const head = st.type === "ct helper" ? "ct helper set" : st.type === "ct timeout" ? "ct timeout set"
        : st.type === "ct expectation" ? "ct expectation set" : st.type === "secmark" ? "meta secmark set" : `${st.type} name`;
      if (st.name !== undefined) return `${head} "${st.name}"`;
      return `${head} ${printNode(st.key!, ctx)} map ${printNode(st.map!, ctx)}`;
    }
    case "connlimit": return `ct count ${st.over ? "over " : ""}${st.count}`;
    case "queue": {
      let s = "queue";
      if (st.flags.length) s += ` flags ${st.flags.join(",")}`;
      const total = st.total ?? 0;
      s += ` to ${st.num ?? 0}${total > 1 ? `-${(st.num ?? 0) + total - 1}` : ""}`;
      return s;
    }
    case "unknown": return "";
  }
}

function logFlagsText(flags: string[]): string {
  const has = (f: string) => flags.includes(f);
  const all = ["tcp sequence", "tcp options", "ip options", "skuid", "ether"].every(has);
  if (all) return " flags all";
  let s = "";
  if (has("tcp sequence") || has("tcp options")) {
    s += " flags tcp";
    if (has("tcp sequence")) s += " sequence";
    if (has("tcp options")) s += `${has("tcp sequence") ? "," : " "}options`;
  }
  if (has("ip options")) s += " flags ip options";
  if (has("skuid")) s += " flags skuid";
  if (has("ether")) s += " flags ether";
  return s;
}

function rejectText(st: Extract<Stmt, { s: "reject" }>, ctx: PrintCtx): string {
  const code = st.code ?? 0;
  const verbose = (st as { verbose?: boolean }).verbose === true;
  const named = (type: typeof TYPES.icmp_code) => printConst({ type, bytes: Buffer.from([code]) }, ctx);
  switch (st.type) {
    case "tcp reset": return "reject with tcp reset";
    case "icmpx": return code === 1 ? "reject" : `reject with icmpx ${named(TYPES.icmpx_code)}`;
    case "icmpv6": return !verbose && code === 4 ? "reject" : `reject with icmpv6 ${named(TYPES.icmpv6_code)}`;
    case "icmp": return !verbose && code === 3 ? "reject" : `reject with icmp ${named(TYPES.icmp_code)}`;
    default: return "reject";
  }
}

function natText(st: Extract<Stmt, { s: "nat" }>, ctx: PrintCtx): string {
  let s = st.type;
  if (st.addr || st.proto) {
    if (st.family) s += ` ${st.family}`;
    s += " to";
  }
  if (st.addr) {
    s += " ";
    const a = st.addr;
    const v6 = (n: Node) => n.t === "value" && n.c.type === TYPES.ipv6_addr;
    if (st.proto && v6(a)) s += `[${printNode(a, ctx)}]`;
    else if (st.proto && a.t === "range" && v6(a.lo)) s += `[${printNode(a.lo, ctx)}]-[${printNode(a.hi, ctx)}]`;
    else s += printNode(a, ctx);
  }
  if (st.proto) {
    if (!st.addr) s += " ";
    s += `:${printNode(st.proto, ctx)}`;
  }
  if (st.flags.length) s += ` ${st.flags.join(",")}`;
  return s;
}

/** The text of a rule's statements, as in `nft list ruleset` (without comment). */
export function printStmts(stmts: readonly Stmt[], ctx: PrintCtx = {}): string {
  return stmts.map((s) => printStmt(s, ctx)).filter((t) => t !== "").join(" ");
}
