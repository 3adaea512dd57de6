// Small formatters shared by the kinds' ip -j mappings, reproducing iproute2's printf formats.
export type { IndexNames } from "./kind.js";

/** C's "%#x": 0 prints as "0", anything else as "0x..". */
export function hex(v: number): string {
  return v === 0 ? "0" : `0x${v.toString(16)}`;
}

/** Bridge timers are clock_t (centiseconds); ip prints seconds with two decimals. */
export function timer(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  return Math.round(Number(v)) / 100;
}

/**
 * ip's bridge id: "%.2x%.2x." + ether_ntoa (no zero padding): "8000.2:0:0:0:0:10". Undefined for
 * a struct ifla_bridge_id the kernel sent short (decoded tolerantly, without all its fields).
 */
export function formatBridgeId(id: { prio?: unknown; addr?: unknown }): string | undefined {
  if (typeof id.prio !== "number" || !Buffer.isBuffer(id.addr)) return undefined;
  const prio = id.prio.toString(16).padStart(4, "0");
  return `${prio}.${[...id.addr].map((b) => b.toString(16)).join(":")}`;
}
