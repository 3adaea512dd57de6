import { attrSet } from "../../netlink/attrs.js";

export const NFT_QUOTA_F_INV = 0x1;
export const NFT_QUOTA_F_DEPLETED = 0x2;

/** quota: "quota over 100 mbytes" (also the data of a named quota object). */
export const quotaAttrs = attrSet("quota", "NFTA_QUOTA_", {
  bytes: [1, "u64", { be: true }],
  flags: [2, "u32", { be: true }],
  pad: [3, "binary"],
  consumed: [4, "u64", { be: true }],
}, { nestFlag: true });
