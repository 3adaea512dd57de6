import { attrSet } from "../../netlink/attrs.js";
import type { MessageDef } from "../../netlink/message.js";
import { struct } from "../../netlink/struct.js";
import { RTM_NAMES } from "../types.js";

// IPv6 address selection labels (RFC 6724 policy table) on the wire (linux/if_addrlabel.h):
// struct ifaddrlblmsg, then IFAL_* attributes.

export const ifaddrlblmsg = struct("ifaddrlblmsg", [
  ["family", "u8"], ["_reserved", "pad", 1], ["prefixlen", "u8"], ["flags", "u8"], ["index", "u32"], ["seq", "u32"],
]);

export const ifalAttrs = attrSet("addrlabel", "IFAL_", {
  address: [1, "ip"],
  label: [2, "u32"],
});

export const ifaddrlblDef: MessageDef = { name: "ifaddrlblmsg", header: ifaddrlblmsg, attrs: ifalAttrs, typeNames: RTM_NAMES };

/** The kernel keeps 0xffffffff (IPV6_ADDR_LABEL_DEFAULT) for "no label"; it cannot be given. */
export const ADDRLABEL_DEFAULT = 0xffffffff;
