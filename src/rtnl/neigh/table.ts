import { attrSet } from "../../netlink/attrs.js";
import type { MessageDef } from "../../netlink/message.js";
import { struct } from "../../netlink/struct.js";
import { ndmsg } from "../headers.js";
import { RTM_NAMES } from "../types.js";

// Neighbours and bridge fdb entries on the wire (linux/neighbour.h): struct ndmsg, then NDA_*.

export const ndaCacheinfo = struct("nda_cacheinfo", [["confirmed", "u32"], ["used", "u32"], ["updated", "u32"], ["refcnt", "u32"]]);

export const ndaAttrs = attrSet("neigh", "NDA_", {
  dst: [1, "ip"],
  lladdr: [2, "lladdr"],
  cacheinfo: [3, "struct", { struct: ndaCacheinfo }],
  probes: [4, "u32"],
  vlan: [5, "u16"],
  port: [6, "u16", { be: true }],
  vni: [7, "u32"],
  ifindex: [8, "u32"],
  master: [9, "u32"],
  linkNetnsid: [10, "s32"],
  srcVni: [11, "u32"],
  protocol: [12, "u8"],
  nhId: [13, "u32"],
  fdbExtAttrs: [14, "binary"],
  flagsExt: [15, "u32"],
  ndmStateMask: [16, "u16"],
  ndmFlagsMask: [17, "u8"],
});

export const ndmsgDef: MessageDef = { name: "ndmsg", header: ndmsg, attrs: ndaAttrs, typeNames: RTM_NAMES };

/** NTF_* bits of ndm_flags. */
export const NTF_FLAGS: ReadonlyArray<readonly [string, number]> = [
  ["use", 0x01], ["self", 0x02], ["master", 0x04], ["proxy", 0x08], ["extern_learn", 0x10],
  ["offload", 0x20], ["sticky", 0x40], ["router", 0x80],
];
export const NTF = { USE: 0x01, SELF: 0x02, MASTER: 0x04, PROXY: 0x08, EXT_LEARNED: 0x10, STICKY: 0x40, ROUTER: 0x80 } as const;
export const NUD = { REACHABLE: 0x02, STALE: 0x04, NOARP: 0x40, PERMANENT: 0x80 } as const;

/** NUD_* bits in the order ip prints them. */
export const NUD_ORDER: ReadonlyArray<readonly [string, number]> = [
  ["incomplete", 0x01], ["reachable", 0x02], ["stale", 0x04], ["delay", 0x08], ["probe", 0x10],
  ["failed", 0x20], ["noarp", 0x40], ["permanent", 0x80],
];
