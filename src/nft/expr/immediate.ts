import { attrSet } from "../../netlink/attrs.js";
import { dataAttrs } from "../data.js";

/** immediate: loads a constant into a register; into the verdict register it is "accept", "jump x"... */
export const immediateAttrs = attrSet("immediate", "NFTA_IMMEDIATE_", {
  dreg: [1, "u32", { be: true }],
  data: [2, "nest", { set: dataAttrs }],
}, { nestFlag: true });
