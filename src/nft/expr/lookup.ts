import { attrSet } from "../../netlink/attrs.js";

export const NFT_LOOKUP_F_INV = 0x1;

/** lookup: is the register's value in a set ("ip daddr @blocked"); with dreg, a map. */
export const lookupAttrs = attrSet("lookup", "NFTA_LOOKUP_", {
  set: [1, "string"],
  sreg: [2, "u32", { be: true }],
  dreg: [3, "u32", { be: true }],
  setId: [4, "u32", { be: true }],
  flags: [5, "u32", { be: true }],
}, { nestFlag: true });
