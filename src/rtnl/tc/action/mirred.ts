import { attrSet, type AttrValues } from "../../../netlink/attrs.js";
import { NlkitInputError } from "../../../netlink/errors.js";
import { struct } from "../../../netlink/struct.js";
import { checkOptions, intOpt, type TcBuild, type TcView } from "../kind.js";
import { commonOf, controlName, controlValue, defineAction, tcfT, tcGen, type Control } from "./kind.js";
import { shown } from "../shown.js";

/** struct tc_mirred: tc_gen, then eaction (which of the four) and the target device. */
export const tcMirred = struct("tc_mirred", [...tcGen, ["eaction", "s32"], ["ifindex", "u32"]]);

export const mirredAttrs = attrSet("mirred", "TCA_MIRRED_", {
  tm: [1, "struct", { struct: tcfT }],
  parms: [2, "struct", { struct: tcMirred }],
  pad: [3, "binary"],
});

/** TCA_EGRESS_REDIR ... TCA_INGRESS_MIRROR (linux/tc_act/tc_mirred.h) */
const EACTION = { "egress redirect": 1, "egress mirror": 2, "ingress redirect": 3, "ingress mirror": 4 } as const;
const TC_ACT_PIPE = 3, TC_ACT_STOLEN = 4;

export interface MirredOptions {
  action: "mirror" | "redirect";
  direction: "egress" | "ingress";
  dev: string | number;
  /** the action's index, to share it between filters */
  index?: number;
  /** after a mirror: default pipe (a redirect always steals the packet) */
  control?: Control;
}

export const mirred = defineAction({
  kind: "mirred",
  options: mirredAttrs,
  encode(o: MirredOptions, b: TcBuild) {
    const v = checkOptions(o, ["action", "direction", "dev", "index", "control"], "mirred");
    const key = (typeof v.direction === "string" && typeof v.action === "string" ? `${v.direction} ${v.action}` : "") as keyof typeof EACTION;
    if (!Object.hasOwn(EACTION, key)) {
      throw new NlkitInputError(`mirred needs direction "egress" or "ingress" and action "mirror" or "redirect", got ${shown([v.direction, v.action])}`, "mirred.action");
    }
    if (v.dev === undefined) throw new NlkitInputError("mirred needs a dev", "mirred.dev");
    const redirect = v.action === "redirect";
    if (redirect && v.control !== undefined) throw new NlkitInputError("a mirred redirect always steals the packet: no control", "mirred.control");
    return {
      parms: {
        index: v.index === undefined ? 0 : intOpt(v.index, "mirred.index"),
        capab: 0,
        action: redirect ? TC_ACT_STOLEN : v.control === undefined ? TC_ACT_PIPE : controlValue(v.control, "mirred.control"),
        refcnt: 0,
        bindcnt: 0,
        eaction: EACTION[key],
        ifindex: b.ifindex(v.dev, "mirred.dev"),
      },
    };
  },
  view(a: AttrValues, ctx: TcView) {
    const p = a.parms as Record<string, number> | undefined;
    if (!p) return { options: {}, common: {} };
    const e = p.eaction ?? 0;
    const options: Record<string, unknown> = {
      action: e === 1 || e === 3 ? "redirect" : e === 2 || e === 4 ? "mirror" : "unknown",
      direction: e === 1 || e === 2 ? "egress" : e === 3 || e === 4 ? "ingress" : "unknown",
      dev: ctx.devName(p.ifindex ?? 0),
      ifindex: p.ifindex,
      control: controlName(p.action ?? 0),
    };
    return { options, common: commonOf(a.parms as never, a.tm as never) };
  },
  indexes: (a) => ((a.parms as Record<string, number> | undefined)?.ifindex ? [(a.parms as Record<string, number>).ifindex!] : []),
});
