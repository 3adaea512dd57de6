import { attrSet, type AttrSet, type AttrValues } from "../../../netlink/attrs.js";
import { NlkitInputError } from "../../../netlink/errors.js";
import { hexOf, type TcBuild, type TcView } from "../kind.js";
import { nlaBitfield32, statsAttrs } from "../table.js";
import { statsView, type TcStats } from "../stats.js";
import { gact } from "./gact.js";
import type { ActionCommon, ActionKindDef } from "./kind.js";
import { mirred } from "./mirred.js";
import { police } from "./police.js";
import { shown } from "../shown.js";

/** Every action kind nlkit encodes and decodes, by TCA_ACT_KIND. */
export const actionKinds: ReadonlyMap<string, ActionKindDef> = new Map([mirred, gact, police].map((k) => [k.kind, k]));

const choices: Record<string, AttrSet> = {};
for (const k of actionKinds.values()) choices[k.kind] = k.options;

/**
 * TCA_ACT_*: one action of a filter's list. tc marks TCA_ACT_OPTIONS as nested (the set's nest
 * flag); an action of a kind nlkit does not know keeps its options as bytes.
 */
export const actAttrs = attrSet("action", "TCA_ACT_", {
  kind: [1, "string"],
  options: [2, "submsg", { selector: "kind", choices }],
  index: [3, "u32"],
  stats: [4, "nest", { set: statsAttrs }],
  pad: [5, "binary"],
  cookie: [6, "binary"],
  flags: [7, "struct", { struct: nlaBitfield32 }],
  hwStats: [8, "struct", { struct: nlaBitfield32 }],
  usedHwStats: [9, "struct", { struct: nlaBitfield32 }],
  inHwCount: [10, "u32"],
}, { nestFlag: true });

/** TCA_ACT_FLAGS_* */
const ACT_FLAGS = { noPercpu: 1, skipHw: 2, skipSw: 4 } as const;

/**
 * One action of a filter: `kind` and that kind's options under its name, as the filter kinds do.
 *
 * @example
 * ```ts
 * const actions: ActionSpec[] = [
 *   { kind: "mirred", mirred: { action: "mirror", direction: "egress", dev: "mon0" } },
 *   { kind: "police", police: { rate: "1mbit", burst: "100kb", exceed: "drop" } },
 * ];
 * await rt.tc.filter.add({ dev: "eth0", parent: "ingress", pref: 5, kind: "matchall", actions });
 * // tc filter add dev eth0 ingress pref 5 matchall action mirred egress mirror dev mon0 action police rate 1mbit burst 100kb conform-exceed drop
 * ```
 */
export interface ActionSpec {
  /** The action kind (TCA_ACT_KIND); nlkit encodes mirred, gact and police. */
  kind: "mirred" | "gact" | "police" | string;
  /** kind mirred: its options (tc's action mirred egress|ingress mirror|redirect dev DEV). */
  mirred?: import("./mirred.js").MirredOptions;
  /** kind gact: its options (tc's action gact drop|pass|...). */
  gact?: import("./gact.js").GactOptions;
  /** kind police: its options (tc's action police rate R burst B ...). */
  police?: import("./police.js").PoliceOptions;
  /** up to 16 bytes, as hex */
  cookie?: string;
  /** Keep one shared set of counters instead of per-CPU ones (TCA_ACT_FLAGS_NO_PERCPU_STATS, tc's no_percpu); default off. */
  noPercpu?: boolean;
  /** Do not offload the action to hardware (TCA_ACT_FLAGS_SKIP_HW, tc's skip_hw); default off. */
  skipHw?: boolean;
  /** Run the action only in hardware (TCA_ACT_FLAGS_SKIP_SW, tc's skip_sw); default off. */
  skipSw?: boolean;
}

/**
 * An action attached to a filter as the kernel reports it (mirred, gact, police...), with its position
 * and statistics.
 *
 * @example
 * ```ts
 * const [f] = await rt.tc.filter.list({ dev: "eth0", parent: "ingress", pref: 5, kind: "matchall", handle: 1 });
 * for (const a of f?.actions ?? []) {
 *   console.log(a.order, a.kind, a.index, a.stats?.packets);   // 1 "mirred" 1 42, then 2 "police" 1 42
 *   if (a.kind === "mirred") console.log(a.options.direction, a.options.action, a.options.dev);   // "egress" "mirror" "mon0"
 * }
 * ```
 */
export interface Action extends ActionCommon {
  /** position in the filter's list, from 1 */
  order: number;
  /** The action ("mirred", "gact", "police"...). */
  kind: string;
  /** Its options, decoded where nlkit knows the kind. */
  options: Record<string, unknown>;
  /** Its statistics. */
  stats?: TcStats;
  /** The cookie given at creation, as hex. */
  cookie?: string;
  /** TCA_ACT_OPTIONS of a kind nlkit does not know, as hex */
  raw?: string;
}

const SPEC_KEYS = new Set(["kind", "mirred", "gact", "police", "cookie", "noPercpu", "skipHw", "skipSw"]);

/** A filter's actions to the array its TCA_*_ACT holds, in tc's order inside each (kind, options, cookie, flags). */
export function encodeActions(list: unknown, b: TcBuild, field = "actions"): Record<string, unknown>[] {
  if (!Array.isArray(list) || list.length === 0) throw new NlkitInputError(`${field} must be a non-empty array`, field);
  if (list.length > 32) throw new NlkitInputError(`at most 32 actions (TCA_ACT_MAX_PRIO), got ${list.length}`, field);
  return list.map((raw, i) => {
    const where = `${field}[${i}]`;
    if (!raw || typeof raw !== "object") throw new NlkitInputError(`${where} must be an object`, where);
    const s = raw as ActionSpec & Record<string, unknown>;
    for (const k of Object.keys(s)) if (!SPEC_KEYS.has(k)) throw new NlkitInputError(`unknown option "${k}" in ${where}`, `${where}.${k}`);
    const kind = actionKinds.get(s.kind);
    if (!kind) throw new NlkitInputError(`${where}: nlkit cannot encode action kind ${shown(s.kind)} (${[...actionKinds.keys()].join(", ")})`, `${where}.kind`);
    for (const other of actionKinds.keys()) {
      if (other !== s.kind && s[other] !== undefined) throw new NlkitInputError(`${where}: ${other} options given for a ${s.kind} action`, `${where}.${other}`);
    }
    const a: Record<string, unknown> = { kind: kind.kind, options: kind.encode(s[kind.kind] ?? {}, b) };
    if (s.cookie !== undefined) {
      if (typeof s.cookie !== "string" || !/^(?:[0-9a-f]{2}){1,16}$/i.test(s.cookie)) throw new NlkitInputError(`${where}.cookie must be 1 to 16 bytes of hex`, `${where}.cookie`);
      a.cookie = Buffer.from(s.cookie, "hex");
    }
    let flags = 0;
    if (s.noPercpu) flags |= ACT_FLAGS.noPercpu;
    if (s.skipHw) flags |= ACT_FLAGS.skipHw;
    if (s.skipSw) flags |= ACT_FLAGS.skipSw;
    if (flags) a.flags = { value: flags, selector: flags };
    return a;
  });
}

/** Device indexes a list of decoded actions refers to. */
export function actionIndexes(list: unknown): number[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((a: AttrValues) => {
    const k = actionKinds.get(a.kind as string);
    return k?.indexes && a.options && !Buffer.isBuffer(a.options) ? k.indexes(a.options as AttrValues) : [];
  });
}

/** Decoded TCA_*_ACT to actions; kinds nlkit does not know keep their options as hex. */
export function viewActions(list: unknown, ctx: TcView): Action[] {
  if (!Array.isArray(list)) return [];
  return list.map((a: AttrValues, i) => {
    const kindName = typeof a.kind === "string" ? a.kind : "unknown";
    const k = actionKinds.get(kindName);
    const out: Action = { order: i + 1, kind: kindName, options: {} };
    if (k && a.options && !Buffer.isBuffer(a.options)) {
      const v = k.view(a.options as AttrValues, ctx);
      Object.assign(out, v.common);
      out.options = v.options;
    } else if (Buffer.isBuffer(a.options)) {
      out.raw = hexOf(a.options);
    }
    if (a.index !== undefined && out.index === undefined) out.index = a.index as number;
    if (a.stats) out.stats = statsView(a.stats as AttrValues);
    if (Buffer.isBuffer(a.cookie)) out.cookie = hexOf(a.cookie);
    return out;
  });
}
