import { attrSet } from "../../netlink/attrs.js";
import type { MessageDef } from "../../netlink/message.js";
import { struct } from "../../netlink/struct.js";
import { ifaddrmsg } from "../headers.js";
import { RTM_NAMES } from "../types.js";

// Addresses on the wire (linux/if_addr.h): struct ifaddrmsg, then IFA_* attributes.

export const ifaCacheinfo = struct("ifa_cacheinfo", [["preferred", "u32"], ["valid", "u32"], ["cstamp", "u32"], ["tstamp", "u32"]]);

export const ifaAttrs = attrSet("ifaddr", "IFA_", {
  address: [1, "ip"],
  local: [2, "ip"],
  label: [3, "string"],
  broadcast: [4, "ip"],
  anycast: [5, "ip"],
  cacheinfo: [6, "struct", { struct: ifaCacheinfo }],
  multicast: [7, "ip"],
  flags: [8, "u32"],
  rtPriority: [9, "u32"],
  targetNetnsid: [10, "s32"],
  proto: [11, "u8"],
});

export const ifaddrDef: MessageDef = { name: "ifaddrmsg", header: ifaddrmsg, attrs: ifaAttrs, typeNames: RTM_NAMES };

/** IFA_F_* in the order ip prints them (ipaddress.c ifa_flag_names); "temporary" is v6's "secondary". */
export const IFA_FLAGS: ReadonlyArray<readonly [string, number]> = [
  ["secondary", 0x01], ["nodad", 0x02], ["optimistic", 0x04], ["dadfailed", 0x08], ["home", 0x10],
  ["deprecated", 0x20], ["tentative", 0x40], ["permanent", 0x80], ["mngtmpaddr", 0x100],
  ["noprefixroute", 0x200], ["autojoin", 0x400], ["stable-privacy", 0x800],
];
/** What add() accepts: the printed names, and "temporary" for IFA_F_SECONDARY on IPv6. */
export const IFA_FLAG_INPUT: ReadonlyArray<readonly [string, number]> = [...IFA_FLAGS, ["temporary", 0x01]];

/** ifa_cacheinfo's "forever". */
export const INFINITY_LIFE_TIME = 0xffffffff;
