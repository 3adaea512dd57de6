import { attrSet, enumDef } from "../../netlink/attrs.js";

export const numgenType = enumDef("numgen type", { inc: 0, random: 1 });

/** numgen: "numgen random mod 2" (kube-proxy's endpoint pick). */
export const numgenAttrs = attrSet("numgen", "NFTA_NG_", {
  dreg: [1, "u32", { be: true }],
  modulus: [2, "u32", { be: true }],
  type: [3, "u32", { be: true, enum: numgenType }],
  offset: [4, "u32", { be: true }],
  setName: [5, "string"],
  setId: [6, "u32", { be: true }],
}, { nestFlag: true });
