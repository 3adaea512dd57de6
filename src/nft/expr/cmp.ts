import { attrSet, enumDef } from "../../netlink/attrs.js";
import { dataAttrs } from "../data.js";

export const cmpOp = enumDef("cmp op", { eq: 0, neq: 1, lt: 2, lte: 3, gt: 4, gte: 5 });

export const cmpAttrs = attrSet("cmp", "NFTA_CMP_", {
  sreg: [1, "u32", { be: true }],
  op: [2, "u32", { be: true, enum: cmpOp }],
  data: [3, "nest", { set: dataAttrs }],
}, { nestFlag: true });

export const rangeOp = enumDef("range op", { eq: 0, neq: 1 });

/** range: "tcp dport 1000-2000" outside a set. */
export const rangeAttrs = attrSet("range", "NFTA_RANGE_", {
  sreg: [1, "u32", { be: true }],
  op: [2, "u32", { be: true, enum: rangeOp }],
  fromData: [3, "nest", { set: dataAttrs }],
  toData: [4, "nest", { set: dataAttrs }],
}, { nestFlag: true });
