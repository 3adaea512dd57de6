// Results must survive JSON.stringify: 64-bit kernel counters arrive as BigInt. They become
// numbers when exact (below 2^53), else decimal strings.

/** A 64-bit unsigned value: a number when exact, else its decimal digits. */
export type U64 = number | string;

export function jsonNumber(v: unknown): U64 {
  if (typeof v === "bigint") return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (typeof v === "number") return v;
  return 0;
}

/** A copy of decoded attributes with every BigInt made JSON-safe (Buffers are kept as they are). */
export function jsonSafe<T>(v: T): T {
  if (typeof v === "bigint") return jsonNumber(v) as T;
  if (Array.isArray(v)) return v.map((x) => jsonSafe(x)) as T;
  if (v && typeof v === "object" && !Buffer.isBuffer(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = jsonSafe(x);
    return out as T;
  }
  return v;
}

/** The inverse for encoding: decimal strings of u64 fields back to BigInt (see tx.ts). */
export function toBigIntValue(v: unknown): unknown {
  if (typeof v === "string" && /^\d+$/.test(v)) return BigInt(v);
  return v;
}
