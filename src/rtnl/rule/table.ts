import { attrSet } from "../../netlink/attrs.js";
import type { MessageDef } from "../../netlink/message.js";
import { struct } from "../../netlink/struct.js";
import { fibRuleHdr } from "../headers.js";
import { RTM_NAMES } from "../types.js";

// Policy routing rules on the wire (linux/fib_rules.h): struct fib_rule_hdr, then FRA_*.

export const fibRuleUidRange = struct("fib_rule_uid_range", [["start", "u32"], ["end", "u32"]]);
export const fibRulePortRange = struct("fib_rule_port_range", [["start", "u16"], ["end", "u16"]]);

export const fraAttrs = attrSet("rule", "FRA_", {
  dst: [1, "ip"],
  src: [2, "ip"],
  iifname: [3, "string"],
  goto: [4, "u32"],
  unused2: [5, "binary"],
  priority: [6, "u32"],
  unused3: [7, "binary"],
  unused4: [8, "binary"],
  unused5: [9, "binary"],
  fwmark: [10, "u32"],
  flow: [11, "u32"],
  tunId: [12, "u64", { be: true }],
  suppressIfgroup: [13, "u32"],
  suppressPrefixlen: [14, "u32"],
  table: [15, "u32"],
  fwmask: [16, "u32"],
  oifname: [17, "string"],
  pad: [18, "binary"],
  l3mdev: [19, "u8"],
  uidRange: [20, "struct", { struct: fibRuleUidRange }],
  protocol: [21, "u8"],
  ipProto: [22, "u8"],
  sportRange: [23, "struct", { struct: fibRulePortRange }],
  dportRange: [24, "struct", { struct: fibRulePortRange }],
});

export const fibRuleDef: MessageDef = { name: "fib_rule_hdr", header: fibRuleHdr, attrs: fraAttrs, typeNames: RTM_NAMES };

export const FIB_RULE_INVERT = 0x2;
export const FIB_RULE_IIF_DETACHED = 0x8;
export const FIB_RULE_OIF_DETACHED = 0x10;

/** IP protocol names ip rule accepts for ipproto (from /etc/protocols). */
export const IP_PROTOS: Readonly<Record<string, number>> = { icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, "ipv6-icmp": 58, sctp: 132, udplite: 136 };
