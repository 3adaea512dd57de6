import type { AttrSet, AttrValues } from "../../../netlink/attrs.js";
import { NlkitInputError } from "../../../netlink/errors.js";
import type { Handle } from "../handle.js";
import type { TcBuild, TcView } from "../kind.js";
import { shown } from "../shown.js";

/** What a classifier's encoder gets besides its options: the filter's protocol and its encoded actions. */
export interface FilterEncodeContext {
  /** host order, e.g. 0x0800 */
  readonly protocol: number;
  readonly actions?: Record<string, unknown>[];
  /** the filter's handle as given (a kind with its own handle syntax reads it) */
  readonly handle?: Handle;
}

export interface FilterKindDef {
  readonly kind: string;
  readonly options: AttrSet;
  /** Typed options to TCA_OPTIONS values in tc's order, and tcm_handle. */
  encode(o: any, b: TcBuild, f: FilterEncodeContext): { attrs: Record<string, unknown>; handle: number };
  /** The kind's handle syntax to tcm_handle (tc's get_u32 for most, htid:hash:node for u32). */
  parseHandle(v: Handle, field: string): number;
  /** tcm_handle as tc prints it for this kind ("800::800" for u32, "0x1" for the rest). */
  formatHandle?(h: number): string;
  /** Decoded TCA_OPTIONS (without its actions) to options in tc's words. */
  view(a: AttrValues, ctx: TcView, handle: number): Record<string, unknown>;
  /** The attribute holding the filter's actions. */
  readonly actionsKey: string;
  /** Device indexes the options name (besides actions'). */
  indexes?(a: AttrValues): number[];
}

export function defineFilter(def: FilterKindDef): FilterKindDef {
  return def;
}

/** A filter handle as tc's get_u32 reads it for most classifiers: a number, or decimal / 0x hex text. */
export function plainHandle(v: Handle | undefined, field = "handle"): number {
  if (v === undefined) return 0;
  if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 0xffffffff) return v;
  if (typeof v === "string") {
    const n = /^0x[0-9a-f]+$/i.test(v) ? parseInt(v.slice(2), 16) : /^\d+$/.test(v) ? Number(v) : NaN;
    if (n >= 0 && n <= 0xffffffff) return n;
  }
  throw new NlkitInputError(`invalid ${field} ${shown(v)} (a number)`, field);
}

/** tc's "%#llx": "0x1", and "0" for zero. */
export function hexHandle(h: number): string {
  return h ? `0x${(h >>> 0).toString(16)}` : "0";
}

/** TCA_CLS_FLAGS_* in a classifier's flags word, as named booleans. */
export function clsFlagsView(flags: unknown): Record<string, boolean> {
  if (typeof flags !== "number") return {};
  const out: Record<string, boolean> = {};
  if (flags & 1) out.skipHw = true;
  if (flags & 2) out.skipSw = true;
  if (flags & 4) out.inHw = true;
  else if (flags & 8) out.notInHw = true;
  return out;
}

/** skip_hw / skip_sw to TCA_CLS_FLAGS_*, refused together as tc refuses them. */
export function clsFlags(o: { skipHw?: unknown; skipSw?: unknown }, where: string): number {
  let f = 0;
  if (o.skipHw === true) f |= 1;
  if (o.skipSw === true) f |= 2;
  if (f === 3) throw new NlkitInputError(`${where}: skipHw and skipSw exclude each other`, `${where}.skipSw`);
  return f;
}
