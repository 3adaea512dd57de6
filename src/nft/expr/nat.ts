import { attrSet, enumDef } from "../../netlink/attrs.js";

export const natType = enumDef("nat type", { snat: 0, dnat: 1 });
/** The nat expression's own family (NFPROTO_IPV4 / NFPROTO_IPV6), needed in inet tables. */
export const natFamily = enumDef("nat family", { ip: 2, ip6: 10 });

/** NF_NAT_RANGE_* (linux/netfilter/nf_nat.h), shared by nat, masq and redir. */
export const NF_NAT_RANGE = {
  mapIps: 0x1, protoSpecified: 0x2, random: 0x4, persistent: 0x8, fullyRandom: 0x10,
  protoOffset: 0x20, netmap: 0x40,
} as const;
export const NF_NAT_RANGE_UAPI: Record<keyof typeof NF_NAT_RANGE, string> = {
  mapIps: "NF_NAT_RANGE_MAP_IPS", protoSpecified: "NF_NAT_RANGE_PROTO_SPECIFIED",
  random: "NF_NAT_RANGE_PROTO_RANDOM", persistent: "NF_NAT_RANGE_PERSISTENT",
  fullyRandom: "NF_NAT_RANGE_PROTO_RANDOM_FULLY", protoOffset: "NF_NAT_RANGE_PROTO_OFFSET",
  netmap: "NF_NAT_RANGE_NETMAP",
};

/** nat: snat/dnat to addresses and ports held in registers. */
export const natAttrs = attrSet("nat", "NFTA_NAT_", {
  type: [1, "u32", { be: true, enum: natType }],
  family: [2, "u32", { be: true, enum: natFamily }],
  regAddrMin: [3, "u32", { be: true }],
  regAddrMax: [4, "u32", { be: true }],
  regProtoMin: [5, "u32", { be: true }],
  regProtoMax: [6, "u32", { be: true }],
  flags: [7, "u32", { be: true }],
}, { nestFlag: true });
