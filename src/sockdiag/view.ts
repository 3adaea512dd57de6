// A decoded sock_diag message → the public object. Numbers stay in the kernel's units (tcp_info
// times in microseconds, rates in bytes per second); 64-bit counters become numbers when exact,
// else decimal strings, so that every result goes through JSON.stringify.
import { decodeParts } from "../netlink/compiled.js";
import { NLMSG_HDRLEN } from "../netlink/constants.js";
import type { Decoder } from "../netlink/decoder.js";
import { NetlinkParseError } from "../netlink/errors.js";
import { formatIPv4, formatIPv6 } from "../netlink/ip.js";
import type { StructValue } from "../netlink/struct.js";
import {
  AF_INET6, INET_DIAG_SOCKOPT_BITS, inetDiagMsg, inetDiagMsgDef, SOCK_TYPE, SS_STATE_NAMES, TCP_CA_STATE, TCPI_OPT,
  TIMER_NAMES, unixDiagMsg, unixDiagMsgDef,
} from "./table.js";

/**
 * ss's name of a socket state.
 *
 * @example
 * ```ts
 * // ss -s's TCP line: how many sockets are in each state
 * const byState = new Map<SocketState, number>();
 * for (const s of await sd.tcp()) byState.set(s.state, (byState.get(s.state) ?? 0) + 1);
 * console.log(byState.get("ESTAB") ?? 0, byState.get("TIME-WAIT") ?? 0);   // 12 3
 * ```
 */
export type SocketState =
  | "UNKNOWN" | "ESTAB" | "SYN-SENT" | "SYN-RECV" | "FIN-WAIT-1" | "FIN-WAIT-2" | "TIME-WAIT" | "UNCONN"
  | "CLOSE-WAIT" | "LAST-ACK" | "LISTEN" | "CLOSING";

/**
 * One end of an inet socket: its address and port.
 *
 * @example
 * ```ts
 * // an endpoint as ss prints it: "0.0.0.0:22", "[::]:22", "0.0.0.0:*"
 * const show = (e: SocketEndpoint): string => `${e.address.includes(":") ? `[${e.address}]` : e.address}:${e.port || "*"}`;
 * for (const s of await sd.tcp({ states: ["listening"] })) console.log(show(s.local), show(s.remote));   // "[::]:22 [::]:*"
 * ```
 */
export interface Endpoint {
  /** The IP address as ss prints it (10.0.0.1, 2001:db8::1, ::ffff:10.0.0.1); 0.0.0.0 or :: for any. */
  address: string;
  /** 0 for "any" (ss prints *). */
  port: number;
}

/**
 * A 64-bit counter: a number when it is exact, else its decimal digits.
 *
 * @example
 * ```ts
 * // tcp_info's 64-bit counters: a number while exact, else its decimal digits; BigInt takes both
 * let sent = 0n;
 * for (const s of await sd.tcp({ states: ["established"], info: true })) {
 *   const c: Counter | undefined = s.tcpInfo?.bytesSent;
 *   sent += BigInt(c ?? 0);
 * }
 * console.log(`${sent} bytes sent over the open connections`);
 * ```
 */
export type Counter = number | string;

/**
 * struct tcp_info (linux/tcp.h), in the kernel's units: times in µs unless named otherwise. An older
 * kernel's shorter struct lacks the fields added since (pacingRate onwards), which are then absent.
 *
 * @example
 * ```ts
 * // ss -ti dport = :443
 * const [s] = await sd.tcp({ states: ["established"], dport: 443, info: true });
 * const t: TcpInfo | undefined = s?.tcpInfo;
 * if (t) console.log(`rtt:${t.rtt / 1000}/${t.rttvar / 1000} cwnd:${t.sndCwnd} retrans:${t.retrans}/${t.totalRetrans} ${t.options.join(" ")}`);
 * // "rtt:12.5/3.1 cwnd:10 retrans:0/2 ts sack wscale"
 * ```
 */
export interface TcpInfo {
  /** tcpi_state as ss names it ("ESTAB", "LISTEN"...). A listener's tcp_info holds only this, the pacing rates, reordering, sndCwnd, unacked and sacked; the rest is 0. */
  state: SocketState;
  /** tcpi_ca_state, the congestion-avoidance state: "open", "disorder", "cwr", "recovery" or "loss"; the number when nlkit does not know it. */
  caState: string | number;
  /** tcpi_retransmits: retransmission timeouts in a row not yet recovered from (icsk_retransmits). */
  retransmits: number;
  /** tcpi_probes: zero-window or keepalive probes sent and not answered. */
  probes: number;
  /** ss's backoff: how many times the RTO has been doubled (exponential backoff). */
  backoff: number;
  /** TCPI_OPT_* names: ts, sack, wscale, ecn, ecnseen, syn_data. */
  options: string[];
  /** The peer's window scale shift (ss's wscale:snd,rcv, first number); meaningful with the wscale option. */
  sndWscale: number;
  /** Our own window scale shift (ss's wscale, second number). */
  rcvWscale: number;
  /** ss's app_limited: the last delivery rate sample was limited by the application, not the network. */
  deliveryRateAppLimited: boolean;
  /** tcpi_fastopen_client_fail, why a Fast Open connect fell back: 0 unspecified, 1 no cookie, 2 SYN data not acked, 3 SYN retransmitted. */
  fastopenClientFail: number;
  /** The retransmission timeout, µs (ss prints rto: in ms). */
  rto: number;
  /** The delayed-ACK timeout, µs (ss's ato:, in ms). */
  ato: number;
  /** The MSS we send with, bytes (ss's mss:). */
  sndMss: number;
  /** The kernel's estimate of the peer's MSS, bytes (ss's rcvmss:). */
  rcvMss: number;
  /** Segments sent and not yet acked (ss's unacked:); on a listener, connections waiting for accept(). */
  unacked: number;
  /** Segments the peer SACKed (ss's sacked:); on a listener, its accept backlog limit. */
  sacked: number;
  /** Segments in flight presumed lost (ss's lost:). */
  lost: number;
  /** Retransmitted segments still unacked (ss's retrans:N/total, first number). */
  retrans: number;
  /** ss's fackets:; always 0 since Linux 4.15 removed FACK. */
  fackets: number;
  /** Milliseconds since the last data was sent (ss's lastsnd:). */
  lastDataSent: number;
  /** Always 0: the kernel does not remember when it last sent an ACK. */
  lastAckSent: number;
  /** Milliseconds since data was last received (ss's lastrcv:). */
  lastDataRecv: number;
  /** Milliseconds since an ACK was last received (ss's lastack:). */
  lastAckRecv: number;
  /** The path MTU, bytes (ss's pmtu:). */
  pmtu: number;
  /** The current clamp on the receive window we advertise, bytes (ss's rcv_ssthresh:). */
  rcvSsthresh: number;
  /** The smoothed RTT, µs (ss's rtt:, first number, in ms). */
  rtt: number;
  /** The RTT's mean deviation, µs (ss's rtt:, second number, in ms). */
  rttvar: number;
  /** The slow-start threshold, segments (ss's ssthresh:); 2147483647 (infinite) until a loss lowers it. */
  sndSsthresh: number;
  /** The congestion window, segments (ss's cwnd:). */
  sndCwnd: number;
  /** The MSS advertised to the peer, bytes (ss's advmss:). */
  advmss: number;
  /** How far out of order packets may arrive before counting as lost, segments (ss's reordering:; default 3, net.ipv4.tcp_reordering). */
  reordering: number;
  /** The receiver-side RTT estimate, µs (ss's rcv_rtt:, in ms); 0 until measured. */
  rcvRtt: number;
  /** Receive-buffer autotuning's measure of what the application reads per RTT, bytes (ss's rcv_space:). */
  rcvSpace: number;
  /** Segments retransmitted over the connection's life (ss's retrans:N/total, second number). */
  totalRetrans: number;
  /** The pacing rate, bytes per second (ss's pacing_rate, printed in bps); 2^64-1, as a string, when unlimited. */
  pacingRate: Counter;
  /** SO_MAX_PACING_RATE, bytes per second; 2^64-1, as a string, when none is set (ss prints it only when set). */
  maxPacingRate: Counter;
  /** Bytes the peer acknowledged (ss's bytes_acked:). */
  bytesAcked: Counter;
  /** Bytes received in order (ss's bytes_received:). */
  bytesReceived: Counter;
  /** Segments sent, retransmissions and pure ACKs included (ss's segs_out:). */
  segsOut: number;
  /** Segments received, pure ACKs included (ss's segs_in:). */
  segsIn: number;
  /** Bytes written by the application and not yet sent (ss's notsent:). */
  notsentBytes: number;
  /** The least RTT seen in the last net.ipv4.tcp_min_rtt_wlen seconds (default 300), µs (ss's minrtt:, in ms). */
  minRtt: number;
  /** Segments received that carried data (ss's data_segs_in:). */
  dataSegsIn: number;
  /** Segments sent that carried data, retransmissions included (ss's data_segs_out:). */
  dataSegsOut: number;
  /** The last delivery rate sample, bytes per second (ss's delivery_rate, printed in bps). */
  deliveryRate: Counter;
  /** Time spent with data in flight, µs (ss's busy:, in ms); includes rwndLimited and sndbufLimited. */
  busyTime: Counter;
  /** Time the peer's receive window held sending back, µs (ss's rwnd_limited:, in ms). */
  rwndLimited: Counter;
  /** Time the send buffer held sending back, µs (ss's sndbuf_limited:, in ms). */
  sndbufLimited: Counter;
  /** Segments delivered to the peer, retransmissions included (ss's delivered:). */
  delivered: number;
  /** Delivered segments the peer echoed as ECN CE-marked. */
  deliveredCe: number;
  /** Bytes sent, retransmissions included (ss's bytes_sent:). */
  bytesSent: Counter;
  /** Bytes retransmitted (ss's bytes_retrans:). */
  bytesRetrans: Counter;
  /** Duplicate segments the peer reported with DSACK (ss's dsack_dups:). */
  dsackDups: number;
  /** Reordering events seen (ss's reord_seen:). */
  reordSeen: number;
  /** Out-of-order packets received (ss's rcv_ooopack:). */
  rcvOoopack: number;
  /** The peer's receive window, scaled, bytes (ss's snd_wnd:). */
  sndWnd: number;
}

/**
 * A socket's memory use (`ss -m`'s skmem), in bytes (drops: packets).
 *
 * @example
 * ```ts
 * // ss -tm sport = :22
 * const [s] = await sd.tcp({ states: ["established"], sport: 22, mem: true });
 * const m: SkMeminfo | undefined = s?.skmem;
 * if (m) console.log(`skmem:(r${m.rmemAlloc},rb${m.rcvbuf},t${m.wmemAlloc},tb${m.sndbuf},d${m.drops})`);   // "skmem:(r0,rb131072,t0,tb87040,d0)"
 * ```
 */
export interface SkMeminfo {
  /** Received data queued for the application (skmem's r, SK_MEMINFO_RMEM_ALLOC). */
  rmemAlloc: number;
  /** The receive buffer's limit (skmem's rb: sk_rcvbuf, what getsockopt(SO_RCVBUF) returns). */
  rcvbuf: number;
  /** Sent data handed down to IP and the device, not yet freed (skmem's t). */
  wmemAlloc: number;
  /** The send buffer's limit (skmem's tb: sk_sndbuf, what getsockopt(SO_SNDBUF) returns). */
  sndbuf: number;
  /** Memory charged to the socket ahead of use (skmem's f, sk_forward_alloc). */
  fwdAlloc: number;
  /** Data queued to send: unsent and sent but unacked (skmem's w). */
  wmemQueued: number;
  /** Option memory: ancillary data, socket filters (skmem's o). */
  optmem: number;
  /** Received data parked in the backlog while the owner held the socket locked (skmem's bl). */
  backlog: number;
  /** Packets the socket dropped (receive buffer full, filtered...) (skmem's d): a count, not bytes. */
  drops: number;
}

/**
 * A TCP or UDP socket as `SockDiag.tcp()` and `udp()` return it (`ss -tuan` data): state, endpoints, queues, and
 * with the options asked for, tcp_info, memory, owner and inode.
 *
 * @example
 * ```ts
 * // ss -tn state established dport = :443
 * for (const s of await sd.tcp({ states: ["established"], dport: 443 })) {
 *   console.log(`${s.local.address}:${s.local.port} -> ${s.remote.address}:${s.remote.port} q ${s.recvQ}/${s.sendQ} sk:${s.cookie}`);
 * }   // "10.0.0.2:51000 -> 10.0.0.1:443 q 0/0 sk:2f3a"
 * ```
 */
export interface InetSocket {
  /** 4 or 6. */
  family: 4 | 6;
  /** "tcp" or "udp". */
  proto: "tcp" | "udp";
  /**
   * The state as ss's State column prints it ("LISTEN", "ESTAB", "TIME-WAIT"...); an unconnected UDP
   * socket is "UNCONN".
   */
  state: SocketState;
  /** The local address and port. */
  local: Endpoint;
  /** The peer's address and port (0.0.0.0:0 / [::]:0 when unconnected). */
  remote: Endpoint;
  /** Bytes in the receive queue (a listener: connections waiting for accept). */
  recvQ: number;
  /** Bytes in the send queue (a listener: its backlog). */
  sendQ: number;
  /** The socket's inode (0 for time-wait), which /proc/PID/fd links name. */
  inode: number;
  /** The owner's uid. */
  uid: number;
  /** The device the socket is bound to (SO_BINDTODEVICE), as an ifindex. */
  iface?: number;
  /** The kernel's socket cookie in hex (ss's sk:); destroy() uses it to name exactly this socket. */
  cookie: string;
  /** The pending timer (ss -o): on (retransmit), keepalive, timewait, persist. */
  timer?: {
    /** ss's timer name: "on" (retransmit, also SYN-RECV and loss probes), "keepalive", "timewait", "persist" (zero-window probe), or "unknown". */
    name: string;
    /** Milliseconds until it fires (idiag_expires; 0 once due). */
    expiresMs: number;
    /** The third number of ss's timer:(...): retransmissions for "on", probes sent for keepalive and persist, 0 for timewait. */
    retrans: number;
  };
  /** What shutdown(2) closed: reading, writing. */
  shutdown?: {
    /** No more data will be read: shutdown(SHUT_RD), or for TCP the peer's FIN (RCV_SHUTDOWN). */
    read: boolean;
    /** No more data will be sent: shutdown(SHUT_WR) or close() (SEND_SHUTDOWN). */
    write: boolean;
  };
  /** IPV6_V6ONLY on an IPv6 socket. */
  v6only?: boolean;
  /** The socket's SO_MARK, when the kernel reports it. */
  mark?: number;
  /** The cgroup v2 id the socket was created in. */
  cgroupId?: number;
  /** INET_DIAG_SOCKOPT bit names (freebind, transparent, recverr...). */
  sockopt?: string[];
  /** The IPv4 TOS. */
  tos?: number;
  /** The IPv6 traffic class. */
  tclass?: number;
  /** The net_cls class id or the priority. */
  classId?: number;
  /** With `info`: tcp_info, the congestion control algorithm and its own numbers. */
  tcpInfo?: TcpInfo;
  /** The congestion control algorithm ("cubic", "bbr"). */
  cong?: string;
  /** Vegas's state (INET_DIAG_VEGASINFO), when it is the algorithm; Illinois, Westwood and NV report theirs in this shape too. */
  vegas?: {
    /** Whether Vegas is steering the window this RTT (tcpv_enabled). */
    enabled: boolean;
    /** RTT samples taken in the last RTT (tcpv_rttcnt). */
    rttcnt: number;
    /** Vegas's base RTT, the least it has seen on the connection, µs (tcpv_rtt; the other algorithms put a current or average RTT here). */
    rtt: number;
    /** The least RTT sample of the last RTT, µs (tcpv_minrtt). */
    minrtt: number;
  };
  /** BBR's state, when it is the algorithm. */
  bbr?: {
    /** The estimated bottleneck bandwidth, bytes per second (ss's bbr:(bw:...), printed in bps). */
    bw: Counter;
    /** BBR's min RTT, µs (ss's mrtt:, in ms). */
    minRtt: number;
    /** The pacing gain, fixed point with 256 = 1.0 (ss prints pacing_gain: divided by 256). */
    pacingGain: number;
    /** The cwnd gain, fixed point with 256 = 1.0 (ss's cwnd_gain:, divided by 256). */
    cwndGain: number;
  };
  /** DCTCP's state, when it is the algorithm. */
  dctcp?: {
    /** False when DCTCP fell back to Reno (ss's dctcp:fallback_mode); the other numbers are then 0. */
    enabled: boolean;
    /** 1 while the segments arriving are CE-marked (ss's ce_state:). */
    ceState: number;
    /** The estimated fraction of marked bytes, 1024 = all (ss's alpha:). */
    alpha: number;
    /** Bytes (segments × MSS) delivered CE-marked in the current observation window (ss's ab_ecn:). */
    abEcn: number;
    /** Bytes (segments × MSS) delivered in the current observation window (ss's ab_tot:). */
    abTot: number;
  };
  /** With `mem`: INET_DIAG_MEMINFO, ss's older mem:(r,w,f,t), in bytes. */
  meminfo?: {
    /** Received data queued for the application (mem's r). */
    rmem: number;
    /** Data queued to send, unsent and unacked (mem's w). */
    wmem: number;
    /** Memory charged to the socket ahead of use (mem's f). */
    fmem: number;
    /** Sent data handed down to IP and the device, not yet freed (mem's t). */
    tmem: number;
  };
  /** Memory use (ss -m), when asked for. */
  skmem?: SkMeminfo;
}

/**
 * A unix domain socket as `SockDiag.unix()` returns it (`ss -xa` data).
 *
 * @example
 * ```ts
 * // ss -xl
 * const socks: UnixSocket[] = await sd.unix({ states: ["listening"] });
 * for (const s of socks) console.log(s.type, s.name ?? "*", s.inode, s.recvQ);   // "stream /run/dbus/system_bus_socket 20311 0"
 * ```
 */
export interface UnixSocket {
  /** Always "unix". */
  family: "unix";
  /** "stream", "dgram", "seqpacket", or a number. */
  type: "stream" | "dgram" | "seqpacket" | number;
  /** As ss prints it: "LISTEN", "ESTAB", "UNCONN"... */
  state: SocketState;
  /** The bound path, or an abstract name as ss shows it (every NUL byte as "@"); absent when unbound. */
  name?: string;
  /** The socket's inode. */
  inode: number;
  /** The peer's inode, 0 when there is none. */
  peer: number;
  /** Bytes (or, for a listener, connections) waiting to be read. */
  recvQ: number;
  /** Bytes waiting to be sent (a listener: its backlog). */
  sendQ: number;
  /** The kernel's socket cookie in hex, as for an InetSocket (64-bit). */
  cookie: string;
  /** Which directions were shut down. */
  shutdown?: {
    /** No more data will be read: shutdown(SHUT_RD) here, or the peer shut down writing or closed (RCV_SHUTDOWN). */
    read: boolean;
    /** No more data will be sent: shutdown(SHUT_WR) here, or the peer shut down reading or closed (SEND_SHUTDOWN). */
    write: boolean;
  };
  /** With `details`: the bound file's inode and device (absent for an abstract or unbound socket). */
  vfs?: {
    /** The socket file's inode number, as stat(1) shows it. */
    ino: number;
    /** The device of the file system holding it, in the kernel's own encoding (major << 20 | minor), not stat's st_dev. */
    dev: number;
  };
  /** With `details`: a listener's pending connections (not yet accepted), by inode. */
  icons?: number[];
  /** With `uid`: the owner's uid. */
  uid?: number;
  /** With `mem`: memory use (ss -m). */
  skmem?: SkMeminfo;
}

function stateName(n: number): SocketState {
  return (SS_STATE_NAMES[n] ?? "UNKNOWN") as SocketState;
}

export function cookieText(lo: number, hi: number): string {
  return hi ? hi.toString(16) + lo.toString(16).padStart(8, "0") : lo.toString(16);
}

function counter(v: unknown): Counter {
  if (typeof v === "bigint") return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  return v as number;
}

function address(bytes: Buffer, v6: boolean): string {
  return v6 ? formatIPv6(bytes, 0) : formatIPv4(bytes, 0);
}

function shutdownOf(mask: unknown): { read: boolean; write: boolean } | undefined {
  return typeof mask === "number" ? { read: (mask & 1) !== 0, write: (mask & 2) !== 0 } : undefined;
}

function bitNames(bits: ReadonlyArray<readonly [string, number]>, value: number): string[] {
  return bits.filter(([, b]) => value & b).map(([n]) => n);
}

const TCP_INFO_U64 = ["pacingRate", "maxPacingRate", "bytesAcked", "bytesReceived", "deliveryRate", "busyTime", "rwndLimited", "sndbufLimited", "bytesSent", "bytesRetrans"];

/** tcp_info as decoded (tolerantly: a shorter one from an older kernel lacks the late fields). */
export function tcpInfoView(s: StructValue): TcpInfo {
  const { wscale, flags, options, state, caState, tail: _tail, ...rest } = s;
  const out: Record<string, unknown> = {
    state: stateName(state as number),
    caState: TCP_CA_STATE.names.get(caState as number) ?? caState,
    options: bitNames(TCPI_OPT, options as number),
    sndWscale: (wscale as number) & 0x0f,
    rcvWscale: (wscale as number) >> 4,
    deliveryRateAppLimited: ((flags as number) & 1) !== 0,
    fastopenClientFail: ((flags as number) >> 1) & 3,
  };
  for (const [k, v] of Object.entries(rest)) {
    if (v === undefined) continue;
    out[k] = TCP_INFO_U64.includes(k) ? counter(v) : v;
  }
  return out as unknown as TcpInfo;
}

function tooShort(what: string, len: number, start: number): never {
  throw new NetlinkParseError(`${what} reply of ${len} bytes`, start);
}

/** The decoder of one SOCK_DIAG_BY_FAMILY reply of an inet dump. */
export function inetDecoder(proto: "tcp" | "udp"): Decoder<InetSocket> {
  return (buf, start, len) => {
    if (len < NLMSG_HDRLEN + inetDiagMsg.size) tooShort("inet_diag_msg", len, start);
    const { header: h, attrs: a } = decodeParts(buf, start, len, inetDiagMsgDef);
    const v6 = h.family === AF_INET6;
    const s: InetSocket = {
      family: v6 ? 6 : 4,
      proto,
      state: stateName(h.state as number),
      local: { address: address(h.src as Buffer, v6), port: h.sport as number },
      remote: { address: address(h.dst as Buffer, v6), port: h.dport as number },
      recvQ: h.rqueue as number,
      sendQ: h.wqueue as number,
      inode: h.inode as number,
      uid: h.uid as number,
      cookie: cookieText(h.cookie0 as number, h.cookie1 as number),
    };
    if (h.if) s.iface = h.if as number;
    if (h.timer) {
      s.timer = { name: TIMER_NAMES[h.timer as number] ?? "unknown", expiresMs: h.expires as number, retrans: h.retrans as number };
    }
    const shut = shutdownOf(a.shutdown);
    if (shut) s.shutdown = shut;
    if (v6 && a.skv6only !== undefined) s.v6only = a.skv6only !== 0;
    if (a.mark !== undefined) s.mark = a.mark as number;
    if (a.cgroupId !== undefined) s.cgroupId = Number(a.cgroupId);
    if (a.sockopt) {
      const o = a.sockopt as StructValue;
      s.sockopt = bitNames(INET_DIAG_SOCKOPT_BITS, (o.bits as number) | ((o.bits2 as number ?? 0) << 8));
    }
    if (a.tos !== undefined) s.tos = a.tos as number;
    if (a.tclass !== undefined) s.tclass = a.tclass as number;
    if (a.classId !== undefined) s.classId = a.classId as number;
    if (a.info) s.tcpInfo = tcpInfoView(a.info as StructValue);
    if (a.cong !== undefined) s.cong = a.cong as string;
    if (a.vegasinfo) {
      const v = a.vegasinfo as StructValue;
      s.vegas = { enabled: v.enabled !== 0, rttcnt: v.rttcnt as number, rtt: v.rtt as number, minrtt: v.minrtt as number };
    }
    if (a.bbrinfo) {
      const b = a.bbrinfo as StructValue;
      s.bbr = {
        bw: counter((BigInt(b.bwHi as number) << 32n) | BigInt(b.bwLo as number)),
        minRtt: b.minRtt as number, pacingGain: b.pacingGain as number, cwndGain: b.cwndGain as number,
      };
    }
    if (a.dctcpinfo) {
      const d = a.dctcpinfo as StructValue;
      s.dctcp = { enabled: d.enabled !== 0, ceState: d.ceState as number, alpha: d.alpha as number, abEcn: d.abEcn as number, abTot: d.abTot as number };
    }
    if (a.meminfo) s.meminfo = plain(a.meminfo) as unknown as InetSocket["meminfo"];
    if (a.skmeminfo) s.skmem = plain(a.skmeminfo) as unknown as SkMeminfo;
    return s;
  };
}

/** A decoded struct without the bytes it did not know. */
function plain(v: unknown): Record<string, number> {
  const { tail: _tail, ...rest } = v as StructValue;
  return rest as Record<string, number>;
}

/** sun_path as ss shows it: a path up to its NUL, an abstract name with every NUL as "@". */
function unixName(b: Buffer): string {
  if (b.length > 0 && b[0] === 0) return b.toString("latin1").replace(/\0/g, "@");
  const nul = b.indexOf(0);
  return b.toString("utf8", 0, nul < 0 ? b.length : nul);
}

export function unixDecoder(): Decoder<UnixSocket> {
  return (buf, start, len) => {
    if (len < NLMSG_HDRLEN + unixDiagMsg.size) tooShort("unix_diag_msg", len, start);
    const { header: h, attrs: a } = decodeParts(buf, start, len, unixDiagMsgDef);
    const rq = a.rqlen as StructValue | undefined;
    const s: UnixSocket = {
      family: "unix",
      type: (SOCK_TYPE.names.get(h.type as number) ?? h.type) as UnixSocket["type"],
      state: stateName(h.state as number),
      inode: h.ino as number,
      peer: (a.peer as number | undefined) ?? 0,
      recvQ: (rq?.rqueue as number | undefined) ?? 0,
      sendQ: (rq?.wqueue as number | undefined) ?? 0,
      cookie: cookieText(h.cookie0 as number, h.cookie1 as number),
    };
    if (a.name) s.name = unixName(a.name as Buffer);
    const shut = shutdownOf(a.shutdown);
    if (shut) s.shutdown = shut;
    if (a.vfs) {
      const v = a.vfs as StructValue;
      s.vfs = { ino: v.ino as number, dev: v.dev as number };
    }
    if (a.icons) s.icons = a.icons as number[];
    if (a.uid !== undefined) s.uid = a.uid as number;
    if (a.meminfo) s.skmem = plain(a.meminfo) as unknown as SkMeminfo;
    return s;
  };
}
