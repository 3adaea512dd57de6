import { attrSet, enumDef } from "../../netlink/attrs.js";

/** enum nft_ct_keys, named as nft prints them ("ct state"). */
export const ctKey = enumDef("ct key", {
  state: 0, direction: 1, status: 2, mark: 3, secmark: 4, expiration: 5, helper: 6,
  l3proto: 7, saddr: 8, daddr: 9, protocol: 10, "proto-src": 11, "proto-dst": 12, label: 13,
  packets: 14, bytes: 15, avgpkt: 16, zone: 17, event: 18, "ip saddr": 19, "ip daddr": 20,
  "ip6 saddr": 21, "ip6 daddr": 22, id: 23,
});

export const CT_KEY_UAPI: Record<string, string> = {
  state: "NFT_CT_STATE", direction: "NFT_CT_DIRECTION", status: "NFT_CT_STATUS", mark: "NFT_CT_MARK",
  secmark: "NFT_CT_SECMARK", expiration: "NFT_CT_EXPIRATION", helper: "NFT_CT_HELPER",
  l3proto: "NFT_CT_L3PROTOCOL", saddr: "NFT_CT_SRC", daddr: "NFT_CT_DST", protocol: "NFT_CT_PROTOCOL",
  "proto-src": "NFT_CT_PROTO_SRC", "proto-dst": "NFT_CT_PROTO_DST", label: "NFT_CT_LABELS",
  packets: "NFT_CT_PKTS", bytes: "NFT_CT_BYTES", avgpkt: "NFT_CT_AVGPKT", zone: "NFT_CT_ZONE",
  event: "NFT_CT_EVENTMASK", "ip saddr": "NFT_CT_SRC_IP", "ip daddr": "NFT_CT_DST_IP",
  "ip6 saddr": "NFT_CT_SRC_IP6", "ip6 daddr": "NFT_CT_DST_IP6", id: "NFT_CT_ID",
};

/** IP_CT_DIR_ORIGINAL / IP_CT_DIR_REPLY */
export const ctDirection = enumDef("ct direction", { original: 0, reply: 1 });

/** Bits of "ct state" (include/uapi/linux/netfilter/nf_conntrack_common.h: NF_CT_STATE_BIT). */
export const CT_STATE_BITS: Record<string, number> = {
  invalid: 1, established: 2, related: 4, new: 8, untracked: 64,
};

export const ctAttrs = attrSet("ct", "NFTA_CT_", {
  dreg: [1, "u32", { be: true }],
  key: [2, "u32", { be: true, enum: ctKey }],
  direction: [3, "u8", { enum: ctDirection }],
  sreg: [4, "u32", { be: true }],
}, { nestFlag: true });
