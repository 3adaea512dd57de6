import { attrSet, enumDef } from "../../netlink/attrs.js";

export const limitType = enumDef("limit type", { packets: 0, bytes: 1 });
export const NFT_LIMIT_F_INV = 0x1;

/** limit: `rate` per `unit` seconds (u64), with a burst. */
export const limitAttrs = attrSet("limit", "NFTA_LIMIT_", {
  rate: [1, "u64", { be: true }],
  unit: [2, "u64", { be: true }],
  burst: [3, "u32", { be: true }],
  type: [4, "u32", { be: true, enum: limitType }],
  flags: [5, "u32", { be: true }],
  pad: [6, "binary"],
}, { nestFlag: true });
