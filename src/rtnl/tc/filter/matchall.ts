import { attrSet, type AttrValues } from "../../../netlink/attrs.js";
import { struct } from "../../../netlink/struct.js";
import { actAttrs } from "../action/index.js";
import { classid, formatClassid, type Handle } from "../handle.js";
import { checkOptions, num } from "../kind.js";
import { clsFlags, clsFlagsView, defineFilter, hexHandle, plainHandle, type FilterEncodeContext } from "./kind.js";

export const matchallPcnt = struct("tc_matchall_pcnt", [["rhit", "u64n"]]);

export const matchallAttrs = attrSet("matchall", "TCA_MATCHALL_", {
  classid: [1, "u32"],
  act: [2, "array", { set: actAttrs }],
  flags: [3, "u32"],
  pcnt: [4, "struct", { struct: matchallPcnt }],
  pad: [5, "binary"],
});

/**
 * Options of the matchall classifier, which matches every packet (usually to run actions).
 *
 * @example
 * ```ts
 * const matchall: MatchallOptions = { classid: "1:10" };
 * await rt.tc.filter.add({ dev: "eth0", parent: "1:", pref: 100, kind: "matchall", matchall });   // tc filter add dev eth0 parent 1: pref 100 matchall classid 1:10
 * await rt.tc.filter.add({ dev: "eth0", parent: "ingress", kind: "matchall", matchall: { skipHw: true },
 *   actions: [{ kind: "police", police: { rate: "10mbit", burst: "64kb", exceed: "drop" } }] });   // an ingress policer
 * ```
 */
export interface MatchallOptions {
  /** The class every packet goes to (tc's classid/flowid, "1:10"); absent, the filter only runs its actions. */
  classid?: Handle;
  /** Do not offload the filter to hardware (TCA_CLS_FLAGS_SKIP_HW, tc's skip_hw); excludes skipSw. */
  skipHw?: boolean;
  /** Run the filter only in hardware (TCA_CLS_FLAGS_SKIP_SW, tc's skip_sw); excludes skipHw. */
  skipSw?: boolean;
}

export const matchall = defineFilter({
  kind: "matchall",
  options: matchallAttrs,
  encode(o: MatchallOptions | undefined, _b: unknown, f: FilterEncodeContext) {
    const v = checkOptions(o, ["classid", "skipHw", "skipSw"], "matchall");
    const attrs: Record<string, unknown> = {};
    if (v.classid !== undefined) attrs.classid = classid(v.classid, "matchall.classid");
    if (f.actions) attrs.act = f.actions;
    const flags = clsFlags(v, "matchall");
    if (flags) attrs.flags = flags;
    return { attrs, handle: plainHandle(f.handle) };
  },
  parseHandle: plainHandle, formatHandle: hexHandle,
  view(a: AttrValues) {
    const out: Record<string, unknown> = {};
    if (a.classid !== undefined) out.classid = formatClassid(a.classid as number);
    Object.assign(out, clsFlagsView(a.flags));
    const pc = a.pcnt as Record<string, unknown> | undefined;
    if (pc) out.hits = num(pc.rhit);
    return out;
  },
  actionsKey: "act",
});
