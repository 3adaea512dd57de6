import { attrSet } from "../../netlink/attrs.js";
import type { MessageDef } from "../../netlink/message.js";
import { struct } from "../../netlink/struct.js";
import { RTM_NAMES } from "../types.js";

// Per-device IP configuration as the kernel reports it (linux/netconf.h): struct netconfmsg (one
// byte, padded to four before the attributes), then NETCONFA_* attributes, each a u32 (s32 for
// the device index, which has two special values).

export const netconfmsg = struct("netconfmsg", [["family", "u8"], ["_pad", "pad", 3]]);

export const netconfAttrs = attrSet("netconf", "NETCONFA_", {
  ifindex: [1, "s32"],
  forwarding: [2, "u32"],
  rpFilter: [3, "u32"],
  mcForwarding: [4, "u32"],
  proxyNeigh: [5, "u32"],
  ignoreRoutesWithLinkdown: [6, "u32"],
  input: [7, "u32"],
  bcForwarding: [8, "u32"],
});

export const netconfDef: MessageDef = { name: "netconfmsg", header: netconfmsg, attrs: netconfAttrs, typeNames: RTM_NAMES };

/** NETCONFA_IFINDEX_ALL / _DEFAULT: the "all" and "default" entries of /proc/sys/net/ipv{4,6}/conf. */
export const NETCONF_IFINDEX_ALL = -1;
export const NETCONF_IFINDEX_DEFAULT = -2;

/** rp_filter's values as ip names them. */
export const RP_FILTER_NAMES: readonly string[] = ["off", "strict", "loose"];
