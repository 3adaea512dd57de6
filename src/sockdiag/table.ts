import { attrSet, enumDef, type CustomCodec } from "../netlink/attrs.js";
import { NetlinkParseError } from "../netlink/errors.js";
import type { MessageDef } from "../netlink/message.js";
import { struct, type FieldKind } from "../netlink/struct.js";

// Socket diagnostics on the wire (linux/sock_diag.h, inet_diag.h, unix_diag.h, tcp.h): a request
// struct per family, a reply struct per socket, then INET_DIAG_* / UNIX_DIAG_* attributes. Field
// names follow the C members without their prefix.

export const SOCK_DIAG_BY_FAMILY = 20;
export const SOCK_DESTROY = 21;
export const SOCK_DIAG_NAMES: ReadonlyMap<number, string> = new Map([[SOCK_DIAG_BY_FAMILY, "SOCK_DIAG_BY_FAMILY"], [SOCK_DESTROY, "SOCK_DESTROY"]]);

/** Address families and protocols the requests name (linux/socket.h, linux/in.h). */
export const AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10;
export const IPPROTO_TCP = 6, IPPROTO_UDP = 17;
/** Socket types of unix_diag_msg.udiag_type (linux/net.h). */
export const SOCK_TYPE = enumDef("socket type", { stream: 1, dgram: 2, seqpacket: 5 });

/** struct inet_diag_sockid, inside every inet request and reply: ports and addresses big-endian. */
const sockid: ReadonlyArray<readonly [string, FieldKind, number?]> = [
  ["sport", "u16be"], ["dport", "u16be"], ["src", "bytes", 16], ["dst", "bytes", 16], ["if", "u32"],
  ["cookie0", "u32"], ["cookie1", "u32"],
];
/** idiag_cookie when the caller names a socket by its addresses only. */
export const INET_DIAG_NOCOOKIE = 0xffffffff;

/** The pad byte is sdiag_raw_protocol for raw sockets (struct inet_diag_req_raw). */
export const inetDiagReqV2 = struct("inet_diag_req_v2", [
  ["family", "u8"], ["protocol", "u8"], ["ext", "u8"], ["rawProtocol", "u8"], ["states", "u32"], ...sockid,
]);

export const inetDiagMsg = struct("inet_diag_msg", [
  ["family", "u8"], ["state", "u8"], ["timer", "u8"], ["retrans", "u8"], ...sockid,
  ["expires", "u32"], ["rqueue", "u32"], ["wqueue", "u32"], ["uid", "u32"], ["inode", "u32"],
]);

export const unixDiagReq = struct("unix_diag_req", [
  ["family", "u8"], ["protocol", "u8"], ["_pad", "pad", 2], ["states", "u32"], ["ino", "u32"], ["show", "u32"],
  ["cookie0", "u32"], ["cookie1", "u32"],
]);

export const unixDiagMsg = struct("unix_diag_msg", [
  ["family", "u8"], ["type", "u8"], ["state", "u8"], ["_pad", "pad", 1], ["ino", "u32"], ["cookie0", "u32"], ["cookie1", "u32"],
]);

/** UDIAG_SHOW_* bits of unix_diag_req.udiag_show: which attributes the kernel adds. */
export const UDIAG_SHOW = { NAME: 0x01, VFS: 0x02, PEER: 0x04, ICONS: 0x08, RQLEN: 0x10, MEMINFO: 0x20, UID: 0x40 } as const;

/** The INET_DIAG_* extensions idiag_ext asks for: bit (type - 1) of the request's idiag_ext. */
export const INET_DIAG_EXT = { MEMINFO: 1, INFO: 2, VEGASINFO: 3, CONG: 4, TOS: 5, TCLASS: 6, SKMEMINFO: 7 } as const;

export const inetDiagMeminfo = struct("inet_diag_meminfo", [["rmem", "u32"], ["wmem", "u32"], ["fmem", "u32"], ["tmem", "u32"]]);

/** The u32 array behind INET_DIAG_SKMEMINFO and UNIX_DIAG_MEMINFO, by SK_MEMINFO_* index. */
export const skMeminfo = struct("sk_meminfo", [
  ["rmemAlloc", "u32"], ["rcvbuf", "u32"], ["wmemAlloc", "u32"], ["sndbuf", "u32"], ["fwdAlloc", "u32"],
  ["wmemQueued", "u32"], ["optmem", "u32"], ["backlog", "u32"], ["drops", "u32"],
]);

export const tcpvegasInfo = struct("tcpvegas_info", [["enabled", "u32"], ["rttcnt", "u32"], ["rtt", "u32"], ["minrtt", "u32"]]);
export const tcpDctcpInfo = struct("tcp_dctcp_info", [["enabled", "u16"], ["ceState", "u16"], ["alpha", "u32"], ["abEcn", "u32"], ["abTot", "u32"]]);
export const tcpBbrInfo = struct("tcp_bbr_info", [["bwLo", "u32"], ["bwHi", "u32"], ["minRtt", "u32"], ["pacingGain", "u32"], ["cwndGain", "u32"]]);

/** Two bytes of bit fields (struct inet_diag_sockopt); names in INET_DIAG_SOCKOPT_BITS. */
export const inetDiagSockopt = struct("inet_diag_sockopt", [["bits", "u8"], ["bits2", "u8"]]);
export const INET_DIAG_SOCKOPT_BITS: ReadonlyArray<readonly [string, number]> = [
  ["recverr", 0x01], ["is_icsk", 0x02], ["freebind", 0x04], ["hdrincl", 0x08], ["mc_loop", 0x10], ["transparent", 0x20],
  ["mc_all", 0x40], ["nodefrag", 0x80], ["bind_address_no_port", 0x100], ["recverr_rfc4884", 0x200], ["defer_connect", 0x400],
];

/**
 * struct tcp_info as these headers define it; newer kernels append fields (6.18 sends 280
 * bytes), which the tolerant decoder leaves in `tail`. Bytes 6 and 7 hold bit fields: the
 * window scales (snd low nibble, rcv high nibble), then delivery_rate_app_limited:1 and
 * fastopen_client_fail:2. 64-bit counters are read as BigInt and made numbers by the view.
 */
export const tcpInfo = struct("tcp_info", [
  ["state", "u8"], ["caState", "u8"], ["retransmits", "u8"], ["probes", "u8"], ["backoff", "u8"], ["options", "u8"],
  ["wscale", "u8"], ["flags", "u8"],
  ["rto", "u32"], ["ato", "u32"], ["sndMss", "u32"], ["rcvMss", "u32"],
  ["unacked", "u32"], ["sacked", "u32"], ["lost", "u32"], ["retrans", "u32"], ["fackets", "u32"],
  ["lastDataSent", "u32"], ["lastAckSent", "u32"], ["lastDataRecv", "u32"], ["lastAckRecv", "u32"],
  ["pmtu", "u32"], ["rcvSsthresh", "u32"], ["rtt", "u32"], ["rttvar", "u32"], ["sndSsthresh", "u32"], ["sndCwnd", "u32"],
  ["advmss", "u32"], ["reordering", "u32"], ["rcvRtt", "u32"], ["rcvSpace", "u32"], ["totalRetrans", "u32"],
  ["pacingRate", "u64"], ["maxPacingRate", "u64"], ["bytesAcked", "u64"], ["bytesReceived", "u64"],
  ["segsOut", "u32"], ["segsIn", "u32"], ["notsentBytes", "u32"], ["minRtt", "u32"], ["dataSegsIn", "u32"], ["dataSegsOut", "u32"],
  ["deliveryRate", "u64"], ["busyTime", "u64"], ["rwndLimited", "u64"], ["sndbufLimited", "u64"],
  ["delivered", "u32"], ["deliveredCe", "u32"], ["bytesSent", "u64"], ["bytesRetrans", "u64"],
  ["dsackDups", "u32"], ["reordSeen", "u32"], ["rcvOoopack", "u32"], ["sndWnd", "u32"],
]);

/** TCPI_OPT_* bits of tcpi_options, in the order ss prints them. */
export const TCPI_OPT: ReadonlyArray<readonly [string, number]> = [
  ["ts", 0x01], ["sack", 0x02], ["wscale", 0x04], ["ecn", 0x08], ["ecnseen", 0x10], ["syn_data", 0x20],
];
/** enum tcp_ca_state. */
export const TCP_CA_STATE = enumDef("tcp_ca_state", { open: 0, disorder: 1, cwr: 2, recovery: 3, loss: 4 });

/** A list of u32 in host order (UNIX_DIAG_ICONS: the inodes of connections not yet accepted). */
const u32List: CustomCodec = {
  encode(w, value) {
    for (const v of value as number[]) w.u32(v);
  },
  decode(buf, start, end) {
    if ((end - start) % 4 !== 0) throw new NetlinkParseError(`u32 list of ${end - start} bytes`, start);
    const out: number[] = [];
    for (let at = start; at < end; at += 4) out.push(buf.readUInt32LE(at));
    return out;
  },
};

export const inetDiagReqAttrs = attrSet("inet_diag_req", "INET_DIAG_REQ_", {
  bytecode: [1, "binary"],
  skBpfStorages: [2, "binary", { uapi: "INET_DIAG_REQ_SK_BPF_STORAGES" }],
  protocol: [3, "u32"],
});

export const inetDiagAttrs = attrSet("inet_diag", "INET_DIAG_", {
  meminfo: [1, "struct", { struct: inetDiagMeminfo }],
  info: [2, "struct", { struct: tcpInfo }],
  vegasinfo: [3, "struct", { struct: tcpvegasInfo }],
  cong: [4, "string"],
  tos: [5, "u8"],
  tclass: [6, "u8"],
  skmeminfo: [7, "struct", { struct: skMeminfo }],
  shutdown: [8, "u8"],
  dctcpinfo: [9, "struct", { struct: tcpDctcpInfo }],
  protocol: [10, "u8"],
  skv6only: [11, "u8"],
  locals: [12, "binary"],
  peers: [13, "binary"],
  pad: [14, "binary"],
  mark: [15, "u32"],
  bbrinfo: [16, "struct", { struct: tcpBbrInfo }],
  classId: [17, "u32"],
  md5sig: [18, "binary"],
  ulpInfo: [19, "binary"],
  skBpfStorages: [20, "binary", { uapi: "INET_DIAG_SK_BPF_STORAGES" }],
  cgroupId: [21, "u64"],
  sockopt: [22, "struct", { struct: inetDiagSockopt }],
});

export const unixDiagAttrs = attrSet("unix_diag", "UNIX_DIAG_", {
  // the sun_path bytes: an abstract name starts with NUL and may hold more
  name: [0, "binary"],
  vfs: [1, "struct", { struct: struct("unix_diag_vfs", [["ino", "u32"], ["dev", "u32"]]) }],
  peer: [2, "u32"],
  icons: [3, "custom", { codec: u32List }],
  rqlen: [4, "struct", { struct: struct("unix_diag_rqlen", [["rqueue", "u32"], ["wqueue", "u32"]]) }],
  meminfo: [5, "struct", { struct: skMeminfo }],
  shutdown: [6, "u8"],
  uid: [7, "u32"],
});

const noAttrs = attrSet("unix_diag_req", "UNIX_DIAG_REQ_", {});

export const inetDiagReqDef: MessageDef = { name: "inet_diag_req_v2", header: inetDiagReqV2, attrs: inetDiagReqAttrs, typeNames: SOCK_DIAG_NAMES };
export const inetDiagMsgDef: MessageDef = { name: "inet_diag_msg", header: inetDiagMsg, attrs: inetDiagAttrs, typeNames: SOCK_DIAG_NAMES };
export const unixDiagReqDef: MessageDef = { name: "unix_diag_req", header: unixDiagReq, attrs: noAttrs, typeNames: SOCK_DIAG_NAMES };
export const unixDiagMsgDef: MessageDef = { name: "unix_diag_msg", header: unixDiagMsg, attrs: unixDiagAttrs, typeNames: SOCK_DIAG_NAMES };

/** TCP states (include/net/tcp_states.h): the numbers of idiag_state and bits of idiag_states. */
export const TCP_STATE = {
  ESTABLISHED: 1, SYN_SENT: 2, SYN_RECV: 3, FIN_WAIT1: 4, FIN_WAIT2: 5, TIME_WAIT: 6, CLOSE: 7,
  CLOSE_WAIT: 8, LAST_ACK: 9, LISTEN: 10, CLOSING: 11,
} as const;
/** Every state ss knows (its SS_ALL): bits 0-11. */
export const ALL_STATES = 0xfff;

/** ss's names for each state, as it prints them (by state number). */
export const SS_STATE_NAMES = [
  "UNKNOWN", "ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "UNCONN",
  "CLOSE-WAIT", "LAST-ACK", "LISTEN", "CLOSING",
] as const;

/** idiag_timer values, as ss names them. */
export const TIMER_NAMES = ["off", "on", "keepalive", "timewait", "persist"] as const;

// --- the filter bytecode (INET_DIAG_REQ_BYTECODE): ops, each followed by its argument --------

export const INET_DIAG_BC = {
  NOP: 0, JMP: 1, S_GE: 2, S_LE: 3, D_GE: 4, D_LE: 5, AUTO: 6, S_COND: 7, D_COND: 8, DEV_COND: 9,
  MARK_COND: 10, S_EQ: 11, D_EQ: 12, CGROUP_COND: 13,
} as const;

/** A jump op: `yes` and `no` are byte offsets forward from the op; past the end + 4 rejects. */
export const inetDiagBcOp = struct("inet_diag_bc_op", [["code", "u8"], ["yes", "u8"], ["no", "u16"]]);
/** An address/port condition; the address bytes follow (none needed for AF_UNSPEC). port -1: any. */
export const inetDiagHostcond = struct("inet_diag_hostcond", [["family", "u8"], ["prefixLen", "u8"], ["_pad", "pad", 2], ["port", "s32"]]);
