import { NF_NAT_RANGE } from "./expr/nat.js";
import type { Expr } from "./expr/index.js";

/**
 * Whether two expression lists mean the same rule: same expressions in the same order with the
 * same attribute values, where an absent attribute equals a zero one (the kernel omits zero
 * flags in dumps) and counters' running totals are ignored.
 *
 * @example
 * ```ts
 * const ssh = nftExpr.flattenExprs([nftExpr.tcpDport(22), nftExpr.accept()]);
 * const rs = await nft.ruleset({ family: "inet" });
 * const input = rs.tables.find((t) => t.name === "fw")?.chains.find((c) => c.name === "input");
 * if (!input?.rules.some((r) => sameExpressions(r.expressions, ssh))) {
 *   await nft.transaction((tx) => { tx.addRule({ family: "inet", table: "fw", chain: "input", expressions: ssh }); });
 * }
 * ```
 */
export function sameExpressions(a: readonly Expr[], b: readonly Expr[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((e, i) => e.name === b[i]!.name && sameValue(strip(e), strip(b[i]!)));
}

function strip(e: Expr): unknown {
  if (!e.data || Buffer.isBuffer(e.data)) return e.data ?? {};
  if (e.name === "counter") {
    const { bytes: _b, packets: _p, pad: _x, ...rest } = e.data;
    return rest;
  }
  if (e.name === "nat" || e.name === "masq" || e.name === "redir") return canonicalNat(e.data);
  return e.data;
}

/** The kernel stores a nat range with its max register defaulting to min and the implied flags set. */
function canonicalNat(d: Record<string, any>): Record<string, any> {
  const out = { ...d };
  let flags = Number(out.flags ?? 0);
  if (out.regAddrMin !== undefined) {
    out.regAddrMax ??= out.regAddrMin;
    flags |= NF_NAT_RANGE.mapIps;
  }
  if (out.regProtoMin !== undefined) {
    out.regProtoMax ??= out.regProtoMin;
    flags |= NF_NAT_RANGE.protoSpecified;
  }
  out.flags = flags;
  return out;
}

function isZero(v: unknown): boolean {
  return v === undefined || v === 0 || v === 0n || (Buffer.isBuffer(v) && v.length === 0)
    || (typeof v === "object" && v !== null && !Buffer.isBuffer(v) && Object.values(v).every(isZero));
}

function sameValue(x: unknown, y: unknown): boolean {
  if (Buffer.isBuffer(x) || Buffer.isBuffer(y)) return Buffer.isBuffer(x) && Buffer.isBuffer(y) && x.equals(y);
  if ((typeof x === "bigint" || typeof x === "number") && (typeof y === "bigint" || typeof y === "number")) return BigInt(x) === BigInt(y);
  if (Array.isArray(x) || Array.isArray(y)) {
    return Array.isArray(x) && Array.isArray(y) && x.length === y.length && x.every((v, i) => sameValue(v, y[i]));
  }
  if (typeof x === "object" && x !== null && typeof y === "object" && y !== null) {
    const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
    for (const k of keys) {
      const a = (x as Record<string, unknown>)[k], b = (y as Record<string, unknown>)[k];
      if (a === undefined || b === undefined) { if (!isZero(a) || !isZero(b)) return false; continue; }
      if (!sameValue(a, b)) return false;
    }
    return true;
  }
  if (x === undefined || y === undefined) return isZero(x) && isZero(y);
  return x === y;
}
