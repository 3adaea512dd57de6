import { attrSet } from "../../netlink/attrs.js";

export const counterAttrs = attrSet("counter", "NFTA_COUNTER_", {
  bytes: [1, "u64", { be: true }],
  packets: [2, "u64", { be: true }],
  pad: [3, "binary"],
}, { nestFlag: true });
