import { attrSet, enumDef } from "../../netlink/attrs.js";
import { exprAttrs } from "./index.js";

export const dynsetOp = enumDef("dynset op", { add: 0, update: 1, delete: 2 });
export const NFT_DYNSET_F_INV = 0x1;

/** dynset: "add @s { ip saddr }" / "update @s { ... timeout 30s }" from the packet path. */
export const dynsetAttrs = attrSet("dynset", "NFTA_DYNSET_", {
  setName: [1, "string"],
  setId: [2, "u32", { be: true }],
  op: [3, "u32", { be: true, enum: dynsetOp }],
  sregKey: [4, "u32", { be: true }],
  sregData: [5, "u32", { be: true }],
  timeout: [6, "u64", { be: true }],
  expr: [7, "nest", { set: () => exprAttrs }],
  pad: [8, "binary"],
  flags: [9, "u32", { be: true }],
  expressions: [10, "array", { set: () => exprAttrs, elemType: 1 }],
}, { nestFlag: true });
