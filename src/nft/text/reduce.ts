// nft's stmt_reduce (rule.c): before a rule is sent, adjacent payload compares are merged into
// one load ("udp sport 547 udp dport 546" becomes one 4-byte compare) and "meta protocol ip" is
// dropped in an ip table, where it always holds.
import type { Node, Stmt } from "../ast.js";
import type { NftFamily } from "../types.js";

type Match = Extract<Stmt, { s: "match" }>;
type Payload = Extract<Node, { t: "payload" }>;
const BASE_ORDER = { ll: 1, network: 2, transport: 3, inner: 4 } as const;
const isExpressionStmt = (s: Stmt) => s.s === "match" || s.s === "flagcmp" || s.s === "vmap";

function protocolKey(p: Payload): boolean {
  return (p.proto === "ip" && p.field === "protocol") || (p.proto === "ip6" && p.field === "nexthdr")
    || (p.proto === "ether" && p.field === "type") || (p.proto === "vlan" && p.field === "type");
}

/** payload_can_merge: adjacent, byte-aligned, at most 16 bytes, and still worth it for the kernel's fast path. */
function canMerge(a: Payload, b: Payload): boolean {
  if (a.base !== b.base || a.offset + a.bits !== b.offset) return false;
  if (a.offset % 8 || a.bits % 8 || b.offset % 8 || b.bits % 8) return false;
  const total = a.bits + b.bits;
  if (total > 128) return false;
  if (total <= 32) return true;
  if (a.base === "ll") return true;
  return a.bits > 32 || b.bits > 32;
}

const opOf = (m: Match) => (m.op === "implicit" ? "==" : m.op);

function merge(seq: Match[], removed: Set<Stmt>, replaced: Map<Stmt, Stmt>): void {
  const sorted = [...seq].sort((x, y) => {
    const a = x.left as Payload, b = y.left as Payload;
    return BASE_ORDER[a.base] - BASE_ORDER[b.base] || a.offset - b.offset;
  });
  let last = sorted[0]!;
  let lastStmt: Match = last;
  for (let i = 1; i < sorted.length; i++) {
    const cur = sorted[i]!;
    const a = last.left as Payload, b = cur.left as Payload;
    if (!canMerge(a, b) || opOf(last) !== opOf(cur) || last.right.t !== "value" || cur.right.t !== "value") {
      last = cur; lastStmt = cur;
      continue;
    }
    const joined: Payload = { ...a, bits: a.bits + b.bits };
    const value: Node = { t: "value", c: { type: a.type, bytes: Buffer.concat([last.right.c.bytes, cur.right.c.bytes]) } };
    const m: Match = { ...last, left: joined, right: value };
    // a protocol match keeps its place: the merged compare replaces it, the other goes
    if (protocolKey(b)) {
      removed.add(lastStmt);
      replaced.set(cur, m);
      lastStmt = cur;
    } else {
      removed.add(cur);
      replaced.set(lastStmt, m);
    }
    last = m;
  }
}

export function reduceStmts(stmts: Stmt[], family: NftFamily): Stmt[] {
  const removed = new Set<Stmt>();
  const replaced = new Map<Stmt, Stmt>();
  let seq: Match[] = [];
  const flush = () => { if (seq.length > 1) merge(seq, removed, replaced); seq = []; };
  for (const s of stmts) {
    if (!isExpressionStmt(s)) { flush(); continue; }
    if (s.s !== "match" || s.right.t !== "value") continue;
    if (s.left.t === "payload") {
      if (s.op === "==" || s.op === "implicit" || s.op === "!=") seq.push(s);
    } else if (s.left.t === "meta" && s.left.key === "protocol" && (s.op === "==" || s.op === "implicit")) {
      const v = s.right.c.bytes.readUInt16BE(0);
      if ((family === "ip" && v === 0x0800) || (family === "ip6" && v === 0x86dd)) removed.add(s);
    }
  }
  flush();
  return stmts.filter((s) => !removed.has(s)).map((s) => replaced.get(s) ?? s);
}
