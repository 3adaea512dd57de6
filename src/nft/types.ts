// Numbers from /usr/include/linux/netfilter/{nfnetlink,nf_tables}.h and linux/netfilter.h.
import { enumDef } from "../netlink/attrs.js";
import { struct } from "../netlink/struct.js";

export const NFNL_SUBSYS_NFTABLES = 10;
export const NFNETLINK_V0 = 0;
export const NFNL_MSG_BATCH_BEGIN = 0x10;
export const NFNL_MSG_BATCH_END = 0x11;

/** nf_tables_msg_types; the wire type is (NFNL_SUBSYS_NFTABLES << 8) | msg. */
export const NFT_MSG = {
  NFT_MSG_NEWTABLE: 0, NFT_MSG_GETTABLE: 1, NFT_MSG_DELTABLE: 2,
  NFT_MSG_NEWCHAIN: 3, NFT_MSG_GETCHAIN: 4, NFT_MSG_DELCHAIN: 5,
  NFT_MSG_NEWRULE: 6, NFT_MSG_GETRULE: 7, NFT_MSG_DELRULE: 8,
  NFT_MSG_NEWSET: 9, NFT_MSG_GETSET: 10, NFT_MSG_DELSET: 11,
  NFT_MSG_NEWSETELEM: 12, NFT_MSG_GETSETELEM: 13, NFT_MSG_DELSETELEM: 14,
  NFT_MSG_NEWGEN: 15, NFT_MSG_GETGEN: 16, NFT_MSG_TRACE: 17,
  NFT_MSG_NEWOBJ: 18, NFT_MSG_GETOBJ: 19, NFT_MSG_DELOBJ: 20, NFT_MSG_GETOBJ_RESET: 21,
  NFT_MSG_NEWFLOWTABLE: 22, NFT_MSG_GETFLOWTABLE: 23, NFT_MSG_DELFLOWTABLE: 24,
} as const;

const t = (m: number) => (NFNL_SUBSYS_NFTABLES << 8) | m;
export const NFT_MSG_NEWTABLE = t(NFT_MSG.NFT_MSG_NEWTABLE);
export const NFT_MSG_GETTABLE = t(NFT_MSG.NFT_MSG_GETTABLE);
export const NFT_MSG_DELTABLE = t(NFT_MSG.NFT_MSG_DELTABLE);
export const NFT_MSG_NEWCHAIN = t(NFT_MSG.NFT_MSG_NEWCHAIN);
export const NFT_MSG_GETCHAIN = t(NFT_MSG.NFT_MSG_GETCHAIN);
export const NFT_MSG_DELCHAIN = t(NFT_MSG.NFT_MSG_DELCHAIN);
export const NFT_MSG_NEWRULE = t(NFT_MSG.NFT_MSG_NEWRULE);
export const NFT_MSG_GETRULE = t(NFT_MSG.NFT_MSG_GETRULE);
export const NFT_MSG_DELRULE = t(NFT_MSG.NFT_MSG_DELRULE);
export const NFT_MSG_NEWSET = t(NFT_MSG.NFT_MSG_NEWSET);
export const NFT_MSG_GETSET = t(NFT_MSG.NFT_MSG_GETSET);
export const NFT_MSG_DELSET = t(NFT_MSG.NFT_MSG_DELSET);
export const NFT_MSG_NEWSETELEM = t(NFT_MSG.NFT_MSG_NEWSETELEM);
export const NFT_MSG_GETSETELEM = t(NFT_MSG.NFT_MSG_GETSETELEM);
export const NFT_MSG_DELSETELEM = t(NFT_MSG.NFT_MSG_DELSETELEM);
export const NFT_MSG_NEWGEN = t(NFT_MSG.NFT_MSG_NEWGEN);
export const NFT_MSG_GETGEN = t(NFT_MSG.NFT_MSG_GETGEN);
export const NFT_MSG_NEWOBJ = t(NFT_MSG.NFT_MSG_NEWOBJ);
export const NFT_MSG_GETOBJ = t(NFT_MSG.NFT_MSG_GETOBJ);
export const NFT_MSG_DELOBJ = t(NFT_MSG.NFT_MSG_DELOBJ);

/** Wire type -> name, for errors ("NFT_MSG_NEWRULE"). */
export const NFT_MSG_NAMES: ReadonlyMap<number, string> = new Map<number, string>([
  [NFNL_MSG_BATCH_BEGIN, "NFNL_MSG_BATCH_BEGIN"],
  [NFNL_MSG_BATCH_END, "NFNL_MSG_BATCH_END"],
  ...Object.entries(NFT_MSG).map(([name, m]) => [t(m), name] as [number, string]),
]);

/** struct nfgenmsg: res_id is big-endian. */
export const nfgenmsg = struct("nfgenmsg", [["family", "u8"], ["version", "u8"], ["resId", "u16be"]]);

export const NFPROTO = { unspec: 0, inet: 1, ip: 2, arp: 3, netdev: 5, bridge: 7, ip6: 10 } as const;
export const NFPROTO_UAPI: Record<keyof typeof NFPROTO, string> = {
  unspec: "NFPROTO_UNSPEC", inet: "NFPROTO_INET", ip: "NFPROTO_IPV4", arp: "NFPROTO_ARP",
  netdev: "NFPROTO_NETDEV", bridge: "NFPROTO_BRIDGE", ip6: "NFPROTO_IPV6",
};
/**
 * An nftables family: ip, ip6, inet, arp, bridge, netdev.
 *
 * @example
 * ```ts
 * const family: NftFamily = "inet";
 * const rs = await nft.ruleset({ family });   // nft list ruleset inet
 * console.log(rs.tables.every((t) => t.family === family));   // true
 * await nft.flushRuleset({ family });   // nft flush ruleset inet
 * ```
 */
export type NftFamily = Exclude<keyof typeof NFPROTO, "unspec">;
export const FAMILY_NAMES = new Map<number, NftFamily>(
  Object.entries(NFPROTO).filter(([k]) => k !== "unspec").map(([k, v]) => [v, k as NftFamily]),
);

/** Hook numbers differ per family (linux/netfilter.h, netfilter_arp.h, netfilter_bridge.h). */
export const HOOKS: Record<NftFamily, Record<string, number>> = {
  ip: { prerouting: 0, input: 1, forward: 2, output: 3, postrouting: 4, ingress: 5 },
  ip6: { prerouting: 0, input: 1, forward: 2, output: 3, postrouting: 4, ingress: 5 },
  inet: { prerouting: 0, input: 1, forward: 2, output: 3, postrouting: 4, ingress: 5 },
  bridge: { prerouting: 0, input: 1, forward: 2, output: 3, postrouting: 4 },
  arp: { input: 0, output: 1, forward: 2 },
  netdev: { ingress: 0, egress: 1 },
};
export const HOOK_UAPI: Record<string, number> = {
  NF_INET_PRE_ROUTING: 0, NF_INET_LOCAL_IN: 1, NF_INET_FORWARD: 2, NF_INET_LOCAL_OUT: 3,
  NF_INET_POST_ROUTING: 4, NF_INET_INGRESS: 5, NF_NETDEV_INGRESS: 0, NF_NETDEV_EGRESS: 1,
  NF_ARP_IN: 0, NF_ARP_OUT: 1, NF_ARP_FORWARD: 2,
};

export function hookName(family: NftFamily, hooknum: number): string {
  for (const [name, n] of Object.entries(HOOKS[family])) if (n === hooknum) return name;
  return String(hooknum);
}

export const NF_VERDICTS = { drop: 0, accept: 1, stolen: 2, queue: 3, repeat: 4, stop: 5 } as const;

/** NF_* and NFT_* verdict codes as carried by NFTA_VERDICT_CODE (signed, big-endian). */
export const verdictCode = enumDef("verdict", {
  drop: 0, accept: 1, stolen: 2, queue: 3, repeat: 4, stop: 5,
  continue: -1, break: -2, jump: -3, goto: -4, return: -5,
});

export const chainPolicy = enumDef("policy", { drop: 0, accept: 1 });

export const NFT_TABLE_F = { dormant: 0x1, owner: 0x2 } as const;
export const NFT_CHAIN_F = { base: 0x1, hwOffload: 0x2, binding: 0x4 } as const;
export const NFT_SET_F = {
  anonymous: 0x1, constant: 0x2, interval: 0x4, map: 0x8, timeout: 0x10, eval: 0x20,
  object: 0x40, concat: 0x80, expr: 0x100,
} as const;
export const NFT_SET_ELEM_INTERVAL_END = 0x1;
export const NFT_SET_ELEM_CATCHALL = 0x2;

/** Bit sets to names and back. */
export function flagNames(bits: Record<string, number>, v: number): string[] {
  return Object.entries(bits).filter(([, b]) => (v & b) !== 0).map(([n]) => n);
}

export const NFT_REG_VERDICT = 0;
export const NFT_REG_1 = 1;
export const NFT_REG_2 = 2;
