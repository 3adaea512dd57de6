import { struct } from "../netlink/struct.js";

// Fixed headers of rtnetlink messages (linux/rtnetlink.h, if_link.h, if_addr.h, neighbour.h,
// fib_rules.h). Field names follow the C members without their prefix.

export const ifinfomsg = struct("ifinfomsg", [
  ["family", "u8"], ["_pad", "pad", 1], ["type", "u16"], ["index", "s32"], ["flags", "u32"], ["change", "u32"],
]);

export const ifaddrmsg = struct("ifaddrmsg", [
  ["family", "u8"], ["prefixlen", "u8"], ["flags", "u8"], ["scope", "u8"], ["index", "u32"],
]);

export const rtmsg = struct("rtmsg", [
  ["family", "u8"], ["dstLen", "u8"], ["srcLen", "u8"], ["tos", "u8"],
  ["table", "u8"], ["protocol", "u8"], ["scope", "u8"], ["type", "u8"], ["flags", "u32"],
]);

export const ndmsg = struct("ndmsg", [
  ["family", "u8"], ["_pad1", "pad", 1], ["_pad2", "pad", 2], ["ifindex", "s32"], ["state", "u16"], ["flags", "u8"], ["type", "u8"],
]);

export const fibRuleHdr = struct("fib_rule_hdr", [
  ["family", "u8"], ["dstLen", "u8"], ["srcLen", "u8"], ["tos", "u8"],
  ["table", "u8"], ["_res1", "pad", 1], ["_res2", "pad", 1], ["action", "u8"], ["flags", "u32"],
]);

/** struct rtgenmsg: what NSID requests carry. */
export const rtgenmsg = struct("rtgenmsg", [["family", "u8"], ["_pad", "pad", 3]]);
