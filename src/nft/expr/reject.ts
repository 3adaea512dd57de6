import { attrSet, enumDef } from "../../netlink/attrs.js";

export const rejectType = enumDef("reject type", { "icmp": 0, "tcp reset": 1, "icmpx": 2 });

export const rejectAttrs = attrSet("reject", "NFTA_REJECT_", {
  type: [1, "u32", { be: true, enum: rejectType }],
  icmpCode: [2, "u8"],
}, { nestFlag: true });
