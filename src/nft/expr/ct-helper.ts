import { attrSet } from "../../netlink/attrs.js";
import { strNoNul } from "../data.js";

/** The data of a "ct helper" object: the kernel helper's name and the protocols it serves. */
export const ctHelperAttrs = attrSet("ct helper", "NFTA_CT_HELPER_", {
  name: [1, "custom", { codec: strNoNul }],
  l3proto: [2, "u16", { be: true }],
  l4proto: [3, "u8"],
}, { nestFlag: true });
