import { attrSet, enumDef } from "../../netlink/attrs.js";

/** enum nft_meta_keys, named as nft prints them ("meta l4proto", "iifname"). */
export const metaKey = enumDef("meta key", {
  length: 0, protocol: 1, priority: 2, mark: 3, iif: 4, oif: 5, iifname: 6, oifname: 7,
  iiftype: 8, oiftype: 9, skuid: 10, skgid: 11, nftrace: 12, rtclassid: 13, secmark: 14,
  nfproto: 15, l4proto: 16, ibrname: 17, obrname: 18, pkttype: 19, cpu: 20, iifgroup: 21,
  oifgroup: 22, cgroup: 23, random: 24, ipsec: 25, iifkind: 26, oifkind: 27, ibrpvid: 28,
  ibrvproto: 29, time: 30, day: 31, hour: 32, sdif: 33, sdifname: 34,
});

export const META_KEY_UAPI: Record<string, string> = {
  length: "NFT_META_LEN", protocol: "NFT_META_PROTOCOL", priority: "NFT_META_PRIORITY", mark: "NFT_META_MARK",
  iif: "NFT_META_IIF", oif: "NFT_META_OIF", iifname: "NFT_META_IIFNAME", oifname: "NFT_META_OIFNAME",
  iiftype: "NFT_META_IIFTYPE", oiftype: "NFT_META_OIFTYPE", skuid: "NFT_META_SKUID", skgid: "NFT_META_SKGID",
  nftrace: "NFT_META_NFTRACE", rtclassid: "NFT_META_RTCLASSID", secmark: "NFT_META_SECMARK",
  nfproto: "NFT_META_NFPROTO", l4proto: "NFT_META_L4PROTO", ibrname: "NFT_META_BRI_IIFNAME",
  obrname: "NFT_META_BRI_OIFNAME", pkttype: "NFT_META_PKTTYPE", cpu: "NFT_META_CPU",
  iifgroup: "NFT_META_IIFGROUP", oifgroup: "NFT_META_OIFGROUP", cgroup: "NFT_META_CGROUP",
  random: "NFT_META_PRANDOM", ipsec: "NFT_META_SECPATH", iifkind: "NFT_META_IIFKIND",
  oifkind: "NFT_META_OIFKIND", ibrpvid: "NFT_META_BRI_IIFPVID", ibrvproto: "NFT_META_BRI_IIFVPROTO",
  time: "NFT_META_TIME_NS", day: "NFT_META_TIME_DAY", hour: "NFT_META_TIME_HOUR", sdif: "NFT_META_SDIF",
  sdifname: "NFT_META_SDIFNAME",
};

export const metaAttrs = attrSet("meta", "NFTA_META_", {
  dreg: [1, "u32", { be: true }],
  key: [2, "u32", { be: true, enum: metaKey }],
  sreg: [3, "u32", { be: true }],
}, { nestFlag: true });
