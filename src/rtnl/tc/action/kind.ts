import type { AttrSet, AttrValues } from "../../../netlink/attrs.js";
import { NlkitInputError } from "../../../netlink/errors.js";
import { struct, type StructValue } from "../../../netlink/struct.js";
import { num, type TcBuild, type TcView } from "../kind.js";
import { shown } from "../shown.js";

// What every action kind shares: the tc_gen header of its parameters, the times of struct tcf_t,
// and the control words (what happens to the packet next).

/** The tc_gen fields that open every action's parameter struct. */
export const tcGen = [["index", "u32"], ["capab", "u32"], ["action", "s32"], ["refcnt", "s32"], ["bindcnt", "s32"]] as const;

/** struct tcf_t: install, last use, expiry and first use, in USER_HZ ticks. */
export const tcfT = struct("tcf_t", [["install", "u64n"], ["lastuse", "u64n"], ["expires", "u64n"], ["firstuse", "u64n"]]);

const TC_ACT_JUMP = 0x10000000;
const TC_ACT_GOTO_CHAIN = 0x20000000;
const EXT_MASK = 0x0fffffff;

/** TC_ACT_* by tc's words (action_a2n). */
const CONTROLS: Readonly<Record<string, number>> = {
  continue: -1, drop: 2, shot: 2, pass: 0, ok: 0, reclassify: 1, pipe: 3, trap: 8,
};
const NAMES: Readonly<Record<number, string>> = { [-1]: "continue", 0: "pass", 1: "reclassify", 2: "drop", 3: "pipe", 4: "stolen", 8: "trap" };

/** What an action (or a police result) does next: tc's word, or a goto/jump. */
export type Control = "continue" | "drop" | "shot" | "pass" | "ok" | "reclassify" | "pipe" | "trap" | { goto: number } | { jump: number };

export function controlValue(v: unknown, field: string): number {
  if (typeof v === "string" && Object.prototype.hasOwnProperty.call(CONTROLS, v)) return CONTROLS[v]!;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    const n = o.goto ?? o.jump;
    if (typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= EXT_MASK && Object.keys(o).length === 1) {
      return ((o.goto !== undefined ? TC_ACT_GOTO_CHAIN : TC_ACT_JUMP) | n) | 0;
    }
  }
  throw new NlkitInputError(`invalid ${field} ${shown(v)} (${Object.keys(CONTROLS).join(", ")}, { goto: CHAIN } or { jump: COUNT })`, field);
}

/** tc's action_n2a, with goto/jump spelled out. */
export function controlName(n: number): Control | string {
  const op = n & ~EXT_MASK;
  if (op === TC_ACT_GOTO_CHAIN) return { goto: n & EXT_MASK };
  if (op === TC_ACT_JUMP) return { jump: n & EXT_MASK };
  return NAMES[n] ?? String(n);
}

/** What every action's view shares, lifted out of its parameter struct. */
export interface ActionCommon {
  /** The action's index in its kind's table (tc's index N), by which filters can share it. */
  index?: number;
  /** The kernel's reference count (tc's ref). */
  ref?: number;
  /** How many filters are bound to it (tc's bind). */
  bind?: number;
  /** seconds since install / last use / first use, and until expiry; absent when the kernel reports none */
  installed?: number;
  /** Seconds since the action last ran (tc's used N sec; counted from install until it first runs). */
  lastUsed?: number;
  /** Seconds since the action first ran (tc's firstused N sec); absent until it has run. */
  firstUsed?: number;
  /** The kernel's tcf_t expires in whole seconds (tc's expires N sec); absent when zero, as it usually is. */
  expires?: number;
}

const USER_HZ = 100;

export function commonOf(gen: StructValue | undefined, tm: StructValue | undefined): ActionCommon {
  const out: ActionCommon = {};
  if (gen) Object.assign(out, { index: num(gen.index), ref: num(gen.refcnt), bind: num(gen.bindcnt) });
  if (tm) {
    // tc prints each one the kernel reports as non-zero, in whole seconds
    const put = (k: string, name: keyof ActionCommon) => {
      const v = num(tm[k]);
      if (v) out[name] = Math.floor(v / USER_HZ);
    };
    put("install", "installed");
    put("lastuse", "lastUsed");
    put("firstuse", "firstUsed");
    put("expires", "expires");
  }
  return out;
}

export interface ActionKindDef {
  readonly kind: string;
  readonly options: AttrSet;
  /** Typed options (the spec's `[kind]` object) to TCA_ACT_OPTIONS values, in tc's order. */
  encode(o: any, b: TcBuild): Record<string, unknown>;
  /** Decoded TCA_ACT_OPTIONS to the kind's options and what every action shares. */
  view(v: AttrValues, ctx: TcView): { options: Record<string, unknown>; common: ActionCommon };
  /** Device indexes the options name, to be resolved before the view runs. */
  indexes?(v: AttrValues): number[];
}

export function defineAction(def: ActionKindDef): ActionKindDef {
  return def;
}
