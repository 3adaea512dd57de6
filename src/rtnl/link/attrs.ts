import { attrSet, enumDef, type AttrSet, type CustomCodec } from "../../netlink/attrs.js";
import type { MessageDef } from "../../netlink/message.js";
import type { NlWriter } from "../../netlink/writer.js";
import { ifinfomsg } from "../headers.js";
import { RTM_NAMES } from "../types.js";
import { afSpecAttrs } from "./afspec.js";
import { rtnlLinkIfmap, rtnlLinkStats, rtnlLinkStats64 } from "./stats.js";

/** IF_OPER_* (RFC 2863 operational state), named as ip prints them. */
export const operstates = enumDef("operstate", {
  UNKNOWN: 0, NOTPRESENT: 1, DOWN: 2, LOWERLAYERDOWN: 3, TESTING: 4, DORMANT: 5, UP: 6,
});

/** IF_LINK_MODE_* */
export const linkmodes = enumDef("linkmode", { DEFAULT: 0, DORMANT: 1, TESTING: 2 });

/**
 * IFLA_IFALIAS and IFLA_INFO_KIND: iproute2 sends them without a terminating NUL (NLA_STRING
 * takes the attribute length); the kernel reports them with one. Encode like ip, decode either.
 */
const unterminatedString: CustomCodec = {
  encode(w: NlWriter, value: unknown) {
    if (typeof value !== "string") throw new TypeError("expected a string");
    w.utf8(value);
  },
  decode(buf: Buffer, start: number, end: number) {
    let e = end;
    while (e > start && buf[e - 1] === 0) e--;
    return buf.toString("utf8", start, e);
  },
};

/**
 * IFLA_INFO_DATA and IFLA_INFO_SLAVE_DATA tables by kind. Filled by kinds/index.ts (the kinds
 * import this file for the veth peer's IFLA attributes, so this file cannot import them).
 */
export const infoDataChoices: Record<string, AttrSet> = {};
export const infoSlaveDataChoices: Record<string, AttrSet> = {};

export const linkInfoAttrs = attrSet("linkinfo", "IFLA_INFO_", {
  kind: [1, "custom", { codec: unterminatedString }],
  data: [2, "submsg", { selector: "kind", choices: infoDataChoices }],
  xstats: [3, "binary"],
  slaveKind: [4, "string"],
  slaveData: [5, "submsg", { selector: "slaveKind", choices: infoSlaveDataChoices }],
});

export const xdpAttrs = attrSet("xdp", "IFLA_XDP_", {
  fd: [1, "s32"],
  attached: [2, "u8"],
  flags: [3, "u32"],
  progId: [4, "u32"],
  drvProgId: [5, "u32"],
  skbProgId: [6, "u32"],
  hwProgId: [7, "u32"],
  expectedFd: [8, "s32"],
});

/** IFLA_PROP_LIST holds IFLA_ALT_IFNAME entries, numbered like the top-level set. */
export const propListAttrs = attrSet("prop-list", "IFLA_", {
  altIfname: [53, "string", { multi: true }],
});

export const protoDownReasonAttrs = attrSet("proto-down-reason", "IFLA_PROTO_DOWN_REASON_", {
  mask: [1, "u32"],
  value: [2, "u32"],
});

/** The IFLA_* attributes of RTM_NEWLINK/GETLINK/DELLINK (linux/if_link.h). */
export const linkAttrs: AttrSet = attrSet("link", "IFLA_", {
  address: [1, "lladdr"],
  broadcast: [2, "lladdr"],
  ifname: [3, "string"],
  mtu: [4, "u32"],
  link: [5, "u32"],
  qdisc: [6, "string"],
  stats: [7, "struct", { struct: rtnlLinkStats }],
  cost: [8, "binary"],
  priority: [9, "binary"],
  master: [10, "u32"],
  wireless: [11, "binary"],
  protinfo: [12, "binary"],
  txqlen: [13, "u32"],
  map: [14, "struct", { struct: rtnlLinkIfmap }],
  weight: [15, "u32"],
  operstate: [16, "u8", { enum: operstates }],
  linkmode: [17, "u8", { enum: linkmodes }],
  linkinfo: [18, "nest", { set: linkInfoAttrs }],
  netNsPid: [19, "u32"],
  ifalias: [20, "custom", { codec: unterminatedString }],
  numVf: [21, "u32"],
  vfinfoList: [22, "binary"],
  stats64: [23, "struct", { struct: rtnlLinkStats64 }],
  vfPorts: [24, "binary"],
  portSelf: [25, "binary"],
  afSpec: [26, "nest", { set: afSpecAttrs }],
  group: [27, "u32"],
  netNsFd: [28, "s32"],
  extMask: [29, "u32"],
  promiscuity: [30, "u32"],
  numTxQueues: [31, "u32"],
  numRxQueues: [32, "u32"],
  carrier: [33, "u8"],
  physPortId: [34, "binary"],
  carrierChanges: [35, "u32"],
  physSwitchId: [36, "binary"],
  linkNetnsid: [37, "s32"],
  physPortName: [38, "string"],
  protoDown: [39, "u8"],
  gsoMaxSegs: [40, "u32"],
  gsoMaxSize: [41, "u32"],
  // 42 IFLA_PAD only aligns u64 attributes: left to `unknown` if it ever shows up
  xdp: [43, "nest", { set: xdpAttrs }],
  event: [44, "u32"],
  newNetnsid: [45, "s32"],
  targetNetnsid: [46, "s32"],
  carrierUpCount: [47, "u32"],
  carrierDownCount: [48, "u32"],
  newIfindex: [49, "s32"],
  minMtu: [50, "u32"],
  maxMtu: [51, "u32"],
  propList: [52, "nest", { set: propListAttrs }],
  altIfname: [53, "string", { multi: true }],
  permAddress: [54, "lladdr"],
  protoDownReason: [55, "nest", { set: protoDownReasonAttrs }],
  parentDevName: [56, "string"],
  parentDevBusName: [57, "string"],
  groMaxSize: [58, "u32"],
  tsoMaxSize: [59, "u32"],
  tsoMaxSegs: [60, "u32"],
  allmulti: [61, "u32"],
  devlinkPort: [62, "binary"],
  gsoIpv4MaxSize: [63, "u32"],
  groIpv4MaxSize: [64, "u32"],
  dpllPin: [65, "binary"],
  maxPacingOffloadHorizon: [66, "uint"],
  netnsImmutable: [67, "u8"],
  headroom: [68, "u16"],
  tailroom: [69, "u16"],
});

export const linkMessage: MessageDef = { name: "ifinfomsg", header: ifinfomsg, attrs: linkAttrs, typeNames: RTM_NAMES };

/** RTEXT_FILTER_* for IFLA_EXT_MASK (linux/rtnetlink.h). */
export const RTEXT_FILTER_VF = 1;
export const RTEXT_FILTER_SKIP_STATS = 8;
