import { attrSet, enumDef } from "../netlink/attrs.js";
import type { MessageDef } from "../netlink/message.js";
import { nfgenmsg, nfnlType, NFNL_SUBSYS } from "../netlink/nfnetlink.js";
import { struct } from "../netlink/struct.js";

// ctnetlink on the wire (linux/netfilter/nfnetlink_conntrack.h): struct nfgenmsg, then CTA_*.
// Integers are big-endian except CTA_FILTER's flag words (NLA_U32 read with nla_get_u32).

/** cntl_msg_types; the wire type is (NFNL_SUBSYS_CTNETLINK << 8) | msg. */
export const IPCTNL_MSG = {
  IPCTNL_MSG_CT_NEW: 0, IPCTNL_MSG_CT_GET: 1, IPCTNL_MSG_CT_DELETE: 2, IPCTNL_MSG_CT_GET_CTRZERO: 3,
  IPCTNL_MSG_CT_GET_STATS_CPU: 4, IPCTNL_MSG_CT_GET_STATS: 5, IPCTNL_MSG_CT_GET_DYING: 6, IPCTNL_MSG_CT_GET_UNCONFIRMED: 7,
} as const;

const ct = (m: number) => nfnlType(NFNL_SUBSYS.ctnetlink, m);
export const CT_NEW = ct(IPCTNL_MSG.IPCTNL_MSG_CT_NEW);
export const CT_GET = ct(IPCTNL_MSG.IPCTNL_MSG_CT_GET);
export const CT_DELETE = ct(IPCTNL_MSG.IPCTNL_MSG_CT_DELETE);
export const CT_GET_STATS = ct(IPCTNL_MSG.IPCTNL_MSG_CT_GET_STATS);

export const CT_MSG_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(IPCTNL_MSG).map(([name, m]) => [ct(m), name]));

/** nfnetlink multicast groups (linux/netfilter/nfnetlink.h) that carry flow events. */
export const NFNLGRP = { NFNLGRP_CONNTRACK_NEW: 1, NFNLGRP_CONNTRACK_UPDATE: 2, NFNLGRP_CONNTRACK_DESTROY: 3 } as const;

export const ipAttrs = attrSet("ct-ip", "CTA_IP_", {
  v4Src: [1, "ip"],
  v4Dst: [2, "ip"],
  v6Src: [3, "ip"],
  v6Dst: [4, "ip"],
}, { nestFlag: true });

export const protoAttrs = attrSet("ct-proto", "CTA_PROTO_", {
  num: [1, "u8"],
  srcPort: [2, "u16", { be: true }],
  dstPort: [3, "u16", { be: true }],
  icmpId: [4, "u16", { be: true }],
  icmpType: [5, "u8"],
  icmpCode: [6, "u8"],
  icmpv6Id: [7, "u16", { be: true }],
  icmpv6Type: [8, "u8"],
  icmpv6Code: [9, "u8"],
}, { nestFlag: true });

export const tupleAttrs = attrSet("ct-tuple", "CTA_TUPLE_", {
  ip: [1, "nest", { set: ipAttrs }],
  proto: [2, "nest", { set: protoAttrs }],
  zone: [3, "u16", { be: true }],
}, { nestFlag: true });

export const counterAttrs = attrSet("ct-counters", "CTA_COUNTERS_", {
  packets: [1, "u64", { be: true }],
  bytes: [2, "u64", { be: true }],
  packets32: [3, "u32", { be: true, uapi: "CTA_COUNTERS32_PACKETS" }],
  bytes32: [4, "u32", { be: true, uapi: "CTA_COUNTERS32_BYTES" }],
  pad: [5, "binary"],
}, { nestFlag: true });

export const timestampAttrs = attrSet("ct-timestamp", "CTA_TIMESTAMP_", {
  start: [1, "u64", { be: true }],
  stop: [2, "u64", { be: true }],
  pad: [3, "binary"],
}, { nestFlag: true });

/** struct nf_ct_tcp_flags: IP_CT_TCP_FLAG_* bits and which of them the sender sets. */
export const tcpFlagsStruct = struct("nf_ct_tcp_flags", [["flags", "u8"], ["mask", "u8"]]);

export const protoinfoTcpAttrs = attrSet("ct-protoinfo-tcp", "CTA_PROTOINFO_TCP_", {
  state: [1, "u8"],
  wscaleOriginal: [2, "u8"],
  wscaleReply: [3, "u8"],
  flagsOriginal: [4, "struct", { struct: tcpFlagsStruct }],
  flagsReply: [5, "struct", { struct: tcpFlagsStruct }],
}, { nestFlag: true });

export const protoinfoDccpAttrs = attrSet("ct-protoinfo-dccp", "CTA_PROTOINFO_DCCP_", {
  state: [1, "u8"],
  role: [2, "u8"],
  handshakeSeq: [3, "u64", { be: true }],
  pad: [4, "binary"],
}, { nestFlag: true });

export const protoinfoSctpAttrs = attrSet("ct-protoinfo-sctp", "CTA_PROTOINFO_SCTP_", {
  state: [1, "u8"],
  vtagOriginal: [2, "u32", { be: true }],
  vtagReply: [3, "u32", { be: true }],
}, { nestFlag: true });

export const protoinfoAttrs = attrSet("ct-protoinfo", "CTA_PROTOINFO_", {
  tcp: [1, "nest", { set: protoinfoTcpAttrs }],
  dccp: [2, "nest", { set: protoinfoDccpAttrs }],
  sctp: [3, "nest", { set: protoinfoSctpAttrs }],
}, { nestFlag: true });

export const helpAttrs = attrSet("ct-help", "CTA_HELP_", {
  name: [1, "string"],
  info: [2, "binary"],
}, { nestFlag: true });

export const protonatAttrs = attrSet("ct-protonat", "CTA_PROTONAT_", {
  portMin: [1, "u16", { be: true }],
  portMax: [2, "u16", { be: true }],
}, { nestFlag: true });

export const natAttrs = attrSet("ct-nat", "CTA_NAT_", {
  v4Minip: [1, "ip"],
  v4Maxip: [2, "ip"],
  proto: [3, "nest", { set: protonatAttrs }],
  v6Minip: [4, "ip"],
  v6Maxip: [5, "ip"],
}, { nestFlag: true });

export const seqadjAttrs = attrSet("ct-seqadj", "CTA_SEQADJ_", {
  correctionPos: [1, "u32", { be: true }],
  offsetBefore: [2, "u32", { be: true }],
  offsetAfter: [3, "u32", { be: true }],
}, { nestFlag: true });

export const secctxAttrs = attrSet("ct-secctx", "CTA_SECCTX_", {
  name: [1, "string"],
}, { nestFlag: true });

export const synproxyAttrs = attrSet("ct-synproxy", "CTA_SYNPROXY_", {
  isn: [1, "u32", { be: true }],
  its: [2, "u32", { be: true }],
  tsoff: [3, "u32", { be: true }],
}, { nestFlag: true });

/** CTA_FILTER: which fields of CTA_TUPLE_ORIG / CTA_TUPLE_REPLY a dump or flush compares. */
export const filterAttrs = attrSet("ct-filter", "CTA_FILTER_", {
  origFlags: [1, "u32"],
  replyFlags: [2, "u32"],
}, { nestFlag: true });

/**
 * CTA_FILTER_F_* bits (net/netfilter/nf_internals.h: kernel-internal, so no UAPI header holds
 * them; the kernel refuses bits beyond CTA_FILTER_F_ALL with EOPNOTSUPP).
 */
export const CTA_FILTER_F = {
  ipSrc: 1 << 0, ipDst: 1 << 1, tupleZone: 1 << 2, protoNum: 1 << 3, srcPort: 1 << 4, dstPort: 1 << 5,
  icmpType: 1 << 6, icmpCode: 1 << 7, icmpId: 1 << 8, icmpv6Type: 1 << 9, icmpv6Code: 1 << 10, icmpv6Id: 1 << 11,
} as const;

export const ctAttrs = attrSet("conntrack", "CTA_", {
  tupleOrig: [1, "nest", { set: tupleAttrs }],
  tupleReply: [2, "nest", { set: tupleAttrs }],
  status: [3, "u32", { be: true }],
  protoinfo: [4, "nest", { set: protoinfoAttrs }],
  help: [5, "nest", { set: helpAttrs }],
  natSrc: [6, "nest", { set: natAttrs }],
  timeout: [7, "u32", { be: true }],
  mark: [8, "u32", { be: true }],
  countersOrig: [9, "nest", { set: counterAttrs }],
  countersReply: [10, "nest", { set: counterAttrs }],
  use: [11, "u32", { be: true }],
  id: [12, "u32", { be: true }],
  natDst: [13, "nest", { set: natAttrs }],
  tupleMaster: [14, "nest", { set: tupleAttrs }],
  seqAdjOrig: [15, "nest", { set: seqadjAttrs }],
  seqAdjReply: [16, "nest", { set: seqadjAttrs }],
  secmark: [17, "u32", { be: true }],
  zone: [18, "u16", { be: true }],
  secctx: [19, "nest", { set: secctxAttrs }],
  timestamp: [20, "nest", { set: timestampAttrs }],
  markMask: [21, "u32", { be: true }],
  labels: [22, "binary"],
  labelsMask: [23, "binary"],
  synproxy: [24, "nest", { set: synproxyAttrs }],
  filter: [25, "nest", { set: filterAttrs }],
  statusMask: [26, "u32", { be: true }],
}, { nestFlag: true });

export const ctMessage: MessageDef = { name: "nfgenmsg", header: nfgenmsg, attrs: ctAttrs, typeNames: CT_MSG_NAMES };

export const statsGlobalAttrs = attrSet("ct-stats-global", "CTA_STATS_GLOBAL_", {
  entries: [1, "u32", { be: true }],
  maxEntries: [2, "u32", { be: true }],
});

export const statsMessage: MessageDef = { name: "nfgenmsg", header: nfgenmsg, attrs: statsGlobalAttrs, typeNames: CT_MSG_NAMES };

/** enum ip_conntrack_status (linux/netfilter/nf_conntrack_common.h), by bit, named without IPS_. */
export const IPS_BITS: ReadonlyArray<readonly [string, number]> = [
  ["EXPECTED", 0], ["SEEN_REPLY", 1], ["ASSURED", 2], ["CONFIRMED", 3], ["SRC_NAT", 4], ["DST_NAT", 5],
  ["SEQ_ADJUST", 6], ["SRC_NAT_DONE", 7], ["DST_NAT_DONE", 8], ["DYING", 9], ["FIXED_TIMEOUT", 10],
  ["TEMPLATE", 11], ["UNTRACKED", 12], ["HELPER", 13], ["OFFLOAD", 14], ["HW_OFFLOAD", 15],
];
export const IPS = Object.fromEntries(IPS_BITS.map(([n, b]) => [n, 1 << b])) as Record<string, number>;

/** enum tcp_conntrack as conntrack prints it (index 9 is TCP_CONNTRACK_SYN_SENT2, once LISTEN). */
export const tcpState = enumDef("tcp state", {
  NONE: 0, SYN_SENT: 1, SYN_RECV: 2, ESTABLISHED: 3, FIN_WAIT: 4, CLOSE_WAIT: 5, LAST_ACK: 6, TIME_WAIT: 7, CLOSE: 8, SYN_SENT2: 9,
});

/** enum sctp_conntrack (linux/netfilter/nf_conntrack_sctp.h). */
export const sctpState = enumDef("sctp state", {
  NONE: 0, CLOSED: 1, COOKIE_WAIT: 2, COOKIE_ECHOED: 3, ESTABLISHED: 4, SHUTDOWN_SENT: 5, SHUTDOWN_RECD: 6,
  SHUTDOWN_ACK_SENT: 7, HEARTBEAT_SENT: 8, HEARTBEAT_ACKED: 9,
});

/** DCCP's states as conntrack prints them (the kernel dropped DCCP tracking in 6.16). */
export const dccpState = enumDef("dccp state", {
  NONE: 0, REQUEST: 1, RESPOND: 2, PARTOPEN: 3, OPEN: 4, CLOSEREQ: 5, CLOSING: 6, TIMEWAIT: 7, IGNORE: 8, INVALID: 9,
});

/** Layer-4 protocols by the names conntrack gives them; anything else is "unknown". */
export const l4proto = enumDef("protocol", {
  icmp: 1, tcp: 6, udp: 17, dccp: 33, gre: 47, icmpv6: 58, sctp: 132, udplite: 136,
});

/** Protocols whose tuple holds ports (GRE keys travel in the same attributes). */
export const PORT_PROTOS: ReadonlySet<number> = new Set([6, 17, 33, 47, 132, 136]);
export const IPPROTO_ICMP = 1;
export const IPPROTO_ICMPV6 = 58;

export const AF_INET = 2;
export const AF_INET6 = 10;
