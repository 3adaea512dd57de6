import { attrSet, type AttrValues } from "../../../netlink/attrs.js";
import { NlkitInputError } from "../../../netlink/errors.js";
import { struct } from "../../../netlink/struct.js";
import { checkOptions, intOpt, wordOf, wordOpt } from "../kind.js";
import { commonOf, controlName, controlValue, defineAction, tcfT, tcGen, type Control } from "./kind.js";

export const tcGact = struct("tc_gact", [...tcGen]);
/** struct tc_gact_p: the random part (type, value, the other action). */
export const tcGactP = struct("tc_gact_p", [["ptype", "u16"], ["pval", "u16"], ["paction", "s32"]]);

export const gactAttrs = attrSet("gact", "TCA_GACT_", {
  tm: [1, "struct", { struct: tcfT }],
  parms: [2, "struct", { struct: tcGact }],
  prob: [3, "struct", { struct: tcGactP }],
  pad: [4, "binary"],
});

const PGACT = { none: 0, netrand: 1, determ: 2 } as const;

export interface GactOptions {
  /** what to do: "drop", "pass", "reclassify", "continue", "pipe", "trap", or a goto/jump */
  action: Control;
  /** with probability: `value` in 10000 (netrand) or every `value`-th packet (determ) gets `action` of this instead */
  random?: { type: "netrand" | "determ"; action: Control; value: number };
  index?: number;
}

export const gact = defineAction({
  kind: "gact",
  options: gactAttrs,
  encode(o: GactOptions) {
    const v = checkOptions(o, ["action", "random", "index"], "gact");
    if (v.action === undefined) throw new NlkitInputError("gact needs an action (drop, pass, ...)", "gact.action");
    const a: Record<string, unknown> = {
      parms: { index: v.index === undefined ? 0 : intOpt(v.index, "gact.index"), capab: 0, action: controlValue(v.action, "gact.action"), refcnt: 0, bindcnt: 0 },
    };
    if (v.random !== undefined) {
      const r = checkOptions(v.random, ["type", "action", "value"], "gact.random");
      a.prob = {
        ptype: wordOpt(r.type, { netrand: 1, determ: 2 }, "gact.random.type"),
        pval: intOpt(r.value, "gact.random.value", 10000),
        paction: controlValue(r.action, "gact.random.action"),
      };
    }
    return a;
  },
  view(a: AttrValues) {
    const p = a.parms as Record<string, number> | undefined;
    const options: Record<string, unknown> = { action: controlName(p?.action ?? 0) };
    const r = a.prob as Record<string, number> | undefined;
    if (r) options.random = { type: wordOf(PGACT, r.ptype ?? 0), action: controlName(r.paction ?? 0), value: r.pval };
    return { options, common: commonOf(a.parms as never, a.tm as never) };
  },
});
