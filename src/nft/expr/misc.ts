import { attrSet, enumDef } from "../../netlink/attrs.js";

// Expressions with few attributes, decoded so that rules using them list as nft lists them.

/** notrack has no attributes. */
export const notrackAttrs = attrSet("notrack", "NFTA_NOTRACK_", {}, { nestFlag: true });

export const NFT_CONNLIMIT_F_INV = 0x1;
/** connlimit: "ct count over 10". */
export const connlimitAttrs = attrSet("connlimit", "NFTA_CONNLIMIT_", {
  count: [1, "u32", { be: true }],
  flags: [2, "u32", { be: true }],
}, { nestFlag: true });

export const hashType = enumDef("hash type", { jhash: 0, symhash: 1 });
/** hash: "jhash ip saddr mod 2" / "symhash mod 2". */
export const hashAttrs = attrSet("hash", "NFTA_HASH_", {
  sreg: [1, "u32", { be: true }],
  dreg: [2, "u32", { be: true }],
  len: [3, "u32", { be: true }],
  modulus: [4, "u32", { be: true }],
  seed: [5, "u32", { be: true }],
  offset: [6, "u32", { be: true }],
  type: [7, "u32", { be: true, enum: hashType }],
  setName: [8, "string"],
  setId: [9, "u32", { be: true }],
}, { nestFlag: true });

export const NFT_QUEUE_FLAG = { bypass: 0x1, fanout: 0x2 } as const;
/** queue: "queue num 3 bypass". */
export const queueAttrs = attrSet("queue", "NFTA_QUEUE_", {
  num: [1, "u16", { be: true }],
  total: [2, "u16", { be: true }],
  flags: [3, "u16", { be: true }],
  sregQnum: [4, "u32", { be: true }],
}, { nestFlag: true });

export const rtKey = enumDef("rt key", { classid: 0, nexthop: 1, "nexthop ip6": 2, mtu: 3, ipsec: 4 });
/** rt: routing information of the packet ("rt mtu"). */
export const rtAttrs = attrSet("rt", "NFTA_RT_", {
  dreg: [1, "u32", { be: true }],
  key: [2, "u32", { be: true, enum: rtKey }],
}, { nestFlag: true });

/** byteorder: nft converts host-order keys (meta, ct) for concatenations and ranges with it. */
export const byteorderOp = enumDef("byteorder op", { ntoh: 0, hton: 1 });
export const byteorderAttrs = attrSet("byteorder", "NFTA_BYTEORDER_", {
  sreg: [1, "u32", { be: true }],
  dreg: [2, "u32", { be: true }],
  op: [3, "u32", { be: true, enum: byteorderOp }],
  len: [4, "u32", { be: true }],
  size: [5, "u32", { be: true }],
}, { nestFlag: true });

/** exthdr: IPv6 extension headers and TCP options (decoded for completeness, not rendered). */
export const exthdrAttrs = attrSet("exthdr", "NFTA_EXTHDR_", {
  dreg: [1, "u32", { be: true }],
  type: [2, "u8"],
  offset: [3, "u32", { be: true }],
  len: [4, "u32", { be: true }],
  flags: [5, "u32", { be: true }],
  op: [6, "u32", { be: true }],
  sreg: [7, "u32", { be: true }],
}, { nestFlag: true });

/** dup: "dup to 10.0.0.1 device eth0". */
export const dupAttrs = attrSet("dup", "NFTA_DUP_", {
  sregAddr: [1, "u32", { be: true }],
  sregDev: [2, "u32", { be: true }],
}, { nestFlag: true });

/** fwd: "fwd to eth0" (netdev). */
export const fwdAttrs = attrSet("fwd", "NFTA_FWD_", {
  sregDev: [1, "u32", { be: true }],
  sregAddr: [2, "u32", { be: true }],
  nfproto: [3, "u32", { be: true }],
}, { nestFlag: true });
