import { attrSet, enumDef } from "../../netlink/attrs.js";
import { dataAttrs } from "../data.js";

/** NFT_BITWISE_MASK_XOR (a.k.a. NFT_BITWISE_BOOL), LSHIFT, RSHIFT */
export const bitwiseOp = enumDef("bitwise op", { bool: 0, lshift: 1, rshift: 2 });

/** bitwise: dreg = (sreg & mask) ^ xor, or a shift by `data`. */
export const bitwiseAttrs = attrSet("bitwise", "NFTA_BITWISE_", {
  sreg: [1, "u32", { be: true }],
  dreg: [2, "u32", { be: true }],
  len: [3, "u32", { be: true }],
  mask: [4, "nest", { set: dataAttrs }],
  xor: [5, "nest", { set: dataAttrs }],
  op: [6, "u32", { be: true, enum: bitwiseOp }],
  data: [7, "nest", { set: dataAttrs }],
}, { nestFlag: true });
