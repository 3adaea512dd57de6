import { attrSet, enumDef } from "../../netlink/attrs.js";
import { strNoNul } from "../data.js";

/** NFT_OBJECT_* */
export const objectType = enumDef("object type", {
  counter: 1, quota: 2, "ct helper": 3, limit: 4, connlimit: 5, tunnel: 6, "ct timeout": 7, secmark: 8,
  "ct expectation": 9, synproxy: 10,
});

/** objref: "counter name c" (immediate) or "counter name tcp dport map @m" (through a map). */
export const objrefAttrs = attrSet("objref", "NFTA_OBJREF_", {
  immType: [1, "u32", { be: true, enum: objectType }],
  immName: [2, "custom", { codec: strNoNul }],
  setSreg: [3, "u32", { be: true }],
  setName: [4, "custom", { codec: strNoNul }],
  setId: [5, "u32", { be: true }],
}, { nestFlag: true });
