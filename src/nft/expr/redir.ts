import { attrSet } from "../../netlink/attrs.js";

/** redir: destination NAT to the local host, optionally to a port. */
export const redirAttrs = attrSet("redir", "NFTA_REDIR_", {
  regProtoMin: [1, "u32", { be: true }],
  regProtoMax: [2, "u32", { be: true }],
  flags: [3, "u32", { be: true }],
}, { nestFlag: true });
