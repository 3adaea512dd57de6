import { attrSet, enumDef } from "../../netlink/attrs.js";

export const payloadBase = enumDef("payload base", { ll: 0, network: 1, transport: 2, inner: 3 });
export const payloadCsumType = enumDef("payload checksum type", { none: 0, inet: 1, sctp: 2 });

/** payload: load (dreg) or, with sreg, store packet bytes at base + offset. */
export const payloadAttrs = attrSet("payload", "NFTA_PAYLOAD_", {
  dreg: [1, "u32", { be: true }],
  base: [2, "u32", { be: true, enum: payloadBase }],
  offset: [3, "u32", { be: true }],
  len: [4, "u32", { be: true }],
  sreg: [5, "u32", { be: true }],
  csumType: [6, "u32", { be: true, enum: payloadCsumType }],
  csumOffset: [7, "u32", { be: true }],
  csumFlags: [8, "u32", { be: true }],
}, { nestFlag: true });
