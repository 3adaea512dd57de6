import { attrSet } from "../../netlink/attrs.js";

/** masq: source NAT to the outgoing interface's address; an expression, not a verdict. */
export const masqAttrs = attrSet("masq", "NFTA_MASQ_", {
  flags: [1, "u32", { be: true }],
  regProtoMin: [2, "u32", { be: true }],
  regProtoMax: [3, "u32", { be: true }],
}, { nestFlag: true });
