// Socket diagnostics (NETLINK_SOCK_DIAG): what ss shows, filtered by the kernel. States go in the
// request header (idiag_states), addresses and ports in the bytecode program the kernel runs on
// every socket (INET_DIAG_REQ_BYTECODE), so a dump copies out only what was asked for.
import { NETLINK_SOCK_DIAG } from "../netlink/constants.js";
import { NlkitInputError } from "../netlink/errors.js";
import { parseIp } from "../netlink/ip.js";
import { openSocket, tableRequest, type CallOptions, type NetlinkSocket, type OpenOptions, type Request } from "../netlink/socket.js";
import { compileFilter, type InetConditions } from "./bytecode.js";
import {
  AF_INET, AF_INET6, AF_UNIX, ALL_STATES, INET_DIAG_EXT, INET_DIAG_NOCOOKIE, inetDiagReqDef, IPPROTO_TCP, IPPROTO_UDP,
  SOCK_DESTROY, SOCK_DIAG_BY_FAMILY, SS_STATE_NAMES, TCP_STATE, UDIAG_SHOW, unixDiagReqDef,
} from "./table.js";
import { inetDecoder, unixDecoder, type InetSocket, type UnixSocket } from "./view.js";

export type { Counter, Endpoint, InetSocket, SkMeminfo, SocketState, TcpInfo, UnixSocket } from "./view.js";
export type { InetConditions } from "./bytecode.js";

/**
 * What `sd.tcp()`/`sd.udp()` keep, filtered by the kernel: family, states, addresses and ports (a
 * bytecode filter, as `ss` compiles one); `info`, `mem` and `tos` ask for tcp_info, memory and TOS.
 *
 * @example
 * ```ts
 * // ss -4 -ti state established dst 10.0.0.0/24 dport = :22
 * const f: InetFilter = { family: 4, states: ["established"], dst: "10.0.0.0/24", dport: 22, info: true };
 * for (const s of await sd.tcp(f)) console.log(s.remote.address, s.cong, s.tcpInfo?.rtt);   // "10.0.0.2 cubic 412" (rtt in µs)
 * ```
 */
export interface InetFilter extends InetConditions {
  /** 4 or 6; left out, both (one dump each, IPv4 first, as ss does). */
  family?: 4 | 6;
  /**
   * States to dump, in ss's words (case does not matter): established, syn-sent, syn-recv,
   * fin-wait-1, fin-wait-2, time-wait, closed (unconnected), close-wait, last-ack, listening
   * (listen), closing, or the groups all, connected, synchronized, bucket, big; ss's column
   * names (ESTAB, UNCONN...) work too. Left out: every state.
   */
  states?: readonly string[];
  /** tcp_info, the congestion algorithm and its numbers (what ss -i asks for). */
  info?: boolean;
  /** Socket memory (ss -m). */
  mem?: boolean;
  /** TOS / traffic class (ss --tos). */
  tos?: boolean;
}

/**
 * What `SockDiag.unix()` keeps (states), and which extras to ask the kernel for (details, memory,
 * owner).
 *
 * @example
 * ```ts
 * // ss -xle: listeners, with their owner and the connections waiting for accept()
 * const f: UnixFilter = { states: ["listening"], details: true, uid: true };
 * for (const s of await sd.unix(f)) console.log(s.name, s.uid, s.icons?.length ?? 0);   // "/run/app.sock 1000 0"
 * ```
 */
export interface UnixFilter {
  /** States to dump, in the words InetFilter.states takes; a unix socket is ESTAB (connected), LISTEN or UNCONN (closed). Left out: every state. */
  states?: readonly string[];
  /** The bound file's inode and device, and a listener's pending connections (what ss -e asks for). */
  details?: boolean;
  /** Socket memory, as UnixSocket.skmem (ss -m). */
  mem?: boolean;
  /** The owner's uid, as UnixSocket.uid (UDIAG_SHOW_UID, Linux 5.3+). */
  uid?: boolean;
}

/**
 * A socket to destroy: a dumped InetSocket, or its protocol, addresses and ports (and cookie, for exactly that one).
 *
 * @example
 * ```ts
 * // ss -K src 10.0.0.1 sport = :22 dst 10.0.0.2 dport = :51000 (needs CAP_NET_ADMIN)
 * const spec: DestroySpec = { proto: "tcp", local: { address: "10.0.0.1", port: 22 }, remote: { address: "10.0.0.2", port: 51000 } };
 * await sd.destroy(spec);   // NetlinkError ENOENT when no such socket
 * // a dumped socket is a DestroySpec too, with its cookie: exactly that one goes
 * for (const s of await sd.tcp({ states: ["established"], dst: "10.0.0.2" })) await sd.destroy(s);
 * ```
 */
export interface DestroySpec {
  /** "tcp" or "udp". */
  proto: "tcp" | "udp";
  /** The socket's local address and port. */
  local: {
    /** The local IP address as dumped; IPv4 or IPv6, the same family as remote.address. */
    address: string;
    /** The local port, 0-65535. */
    port: number;
  };
  /** The socket's peer address and port. */
  remote: {
    /** The peer's IP address as dumped (0.0.0.0 or :: when unconnected); an IPv4 peer of an IPv6 socket is written ::ffff:a.b.c.d. */
    address: string;
    /** The peer's port, 0-65535 (0 when unconnected). */
    port: number;
  };
  /** Default from the addresses. */
  family?: 4 | 6;
  /** The kernel's socket cookie, to close exactly that socket. */
  cookie?: string;
  /** The bound interface index, for sockets bound to a device. */
  iface?: number;
}

const BIT = (s: number) => 1 << s;
const T = TCP_STATE;
/** ss's scan_state(): its filter words and groups, as idiag_states bits. */
const STATE_WORDS: ReadonlyMap<string, number> = new Map([
  ["established", BIT(T.ESTABLISHED)], ["syn-sent", BIT(T.SYN_SENT)], ["syn-recv", BIT(T.SYN_RECV)], ["syn-rcv", BIT(T.SYN_RECV)],
  ["fin-wait-1", BIT(T.FIN_WAIT1)], ["fin-wait-2", BIT(T.FIN_WAIT2)], ["time-wait", BIT(T.TIME_WAIT)],
  ["closed", BIT(T.CLOSE)], ["close", BIT(T.CLOSE)], ["unconnected", BIT(T.CLOSE)], ["close-wait", BIT(T.CLOSE_WAIT)],
  ["last-ack", BIT(T.LAST_ACK)], ["listening", BIT(T.LISTEN)], ["listen", BIT(T.LISTEN)], ["closing", BIT(T.CLOSING)],
  ["unknown", BIT(0)], ["all", ALL_STATES],
  ["connected", ALL_STATES & ~(BIT(T.CLOSE) | BIT(T.LISTEN))],
  ["synchronized", ALL_STATES & ~(BIT(T.CLOSE) | BIT(T.LISTEN) | BIT(T.SYN_SENT))],
  ["bucket", BIT(T.SYN_RECV) | BIT(T.TIME_WAIT)],
  ["big", ALL_STATES & ~(BIT(T.SYN_RECV) | BIT(T.TIME_WAIT))],
  ...SS_STATE_NAMES.slice(1).map((n, i) => [n.toLowerCase(), BIT(i + 1)] as const),
]);

/** idiag_states from state words; unknown words are refused before anything is sent. */
export function stateMask(states: readonly string[] | undefined, field = "states"): number {
  if (states === undefined) return ALL_STATES;
  if (!Array.isArray(states)) throw new NlkitInputError(`${field} must be an array of state names`, field);
  if (states.length === 0) throw new NlkitInputError(`${field} is empty: no socket can match`, field);
  let mask = 0;
  for (const s of states) {
    const bits = typeof s === "string" ? STATE_WORDS.get(s.toLowerCase()) : undefined;
    if (bits === undefined) {
      throw new NlkitInputError(`unknown socket state "${String(s)}" (expected one of ${[...STATE_WORDS.keys()].join(", ")})`, field);
    }
    mask |= bits;
  }
  return mask;
}

const INET_KEYS = new Set(["family", "states", "info", "mem", "tos", "src", "dst", "sport", "dport"]);
const UNIX_KEYS = new Set(["states", "details", "mem", "uid"]);

function objectIn<T>(v: T | undefined, keys: ReadonlySet<string>, what: string): T {
  if (v === undefined) return {} as T;
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new NlkitInputError(`${what} must be an object`, "filter");
  for (const k of Object.keys(v)) {
    if (!keys.has(k)) throw new NlkitInputError(`unknown ${what} field "${k}" (expected ${[...keys].join(", ")})`, k);
  }
  for (const k of ["info", "mem", "tos", "details", "uid"]) {
    const b = (v as Record<string, unknown>)[k];
    if (b !== undefined && typeof b !== "boolean") throw new NlkitInputError(`${k} must be a boolean`, k);
  }
  return v;
}

const extBit = (attr: number) => 1 << (attr - 1);

/** The dump requests for a filter: one per family, IPv4 first. */
function inetRequests(protocol: number, filter: InetFilter | undefined): Request[] {
  const f = objectIn(filter, INET_KEYS, "socket filter");
  if (f.family !== undefined && f.family !== 4 && f.family !== 6) throw new NlkitInputError(`invalid family ${String(f.family)} (expected 4 or 6)`, "family");
  const states = stateMask(f.states);
  let ext = 0;
  if (f.mem) ext |= extBit(INET_DIAG_EXT.MEMINFO) | extBit(INET_DIAG_EXT.SKMEMINFO);
  if (f.info) ext |= extBit(INET_DIAG_EXT.INFO) | extBit(INET_DIAG_EXT.VEGASINFO) | extBit(INET_DIAG_EXT.CONG);
  if (f.tos) ext |= extBit(INET_DIAG_EXT.TOS) | extBit(INET_DIAG_EXT.TCLASS);
  const bytecode = compileFilter(f);
  const families = f.family === 4 ? [AF_INET] : f.family === 6 ? [AF_INET6] : [AF_INET, AF_INET6];
  return families.map((family) => tableRequest(inetDiagReqDef, SOCK_DIAG_BY_FAMILY, 0, { family, protocol, ext, states }, bytecode ? { bytecode } : undefined));
}

function unixRequest(filter: UnixFilter | undefined): Request {
  const f = objectIn(filter, UNIX_KEYS, "unix socket filter");
  let show = UDIAG_SHOW.NAME | UDIAG_SHOW.PEER | UDIAG_SHOW.RQLEN;
  if (f.mem) show |= UDIAG_SHOW.MEMINFO;
  if (f.details) show |= UDIAG_SHOW.VFS | UDIAG_SHOW.ICONS;
  if (f.uid) show |= UDIAG_SHOW.UID;
  return tableRequest(unixDiagReqDef, SOCK_DIAG_BY_FAMILY, 0, { family: AF_UNIX, protocol: 0, states: stateMask(f.states), show });
}

function endpointIn(e: unknown, field: string): { family: 4 | 6; bytes: Buffer; port: number } {
  const ep = e as { address?: unknown; port?: unknown } | undefined;
  const ip = typeof ep?.address === "string" ? parseIp(ep.address) : undefined;
  if (!ip) throw new NlkitInputError(`${field}.address must be an IP address`, `${field}.address`);
  const port = ep!.port;
  if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65535) throw new NlkitInputError(`invalid ${field}.port ${String(port)}`, `${field}.port`);
  // inet_diag_sockid holds 16 address bytes; an IPv4 address fills the first four
  const bytes = Buffer.alloc(16);
  ip.bytes.copy(bytes);
  return { family: ip.family, bytes, port };
}

/** The inet_diag_req_v2 header that names one socket (what ss -K sends for each socket it kills). */
function destroyHeader(spec: DestroySpec): Record<string, number | Buffer> {
  if (spec === null || typeof spec !== "object") throw new NlkitInputError("destroy needs a socket (an InetSocket or a DestroySpec)", "socket");
  const protocol = spec.proto === "tcp" ? IPPROTO_TCP : spec.proto === "udp" ? IPPROTO_UDP : undefined;
  if (protocol === undefined) throw new NlkitInputError(`invalid proto ${String(spec.proto)} (tcp or udp)`, "proto");
  const local = endpointIn(spec.local, "local");
  const remote = endpointIn(spec.remote, "remote");
  const family = spec.family ?? local.family;
  if (family !== 4 && family !== 6) throw new NlkitInputError(`invalid family ${String(family)} (expected 4 or 6)`, "family");
  // the kernel would read the address bytes as the other family's and close some other socket or none
  if (remote.family !== local.family) throw new NlkitInputError(`remote.address is IPv${remote.family}, local.address IPv${local.family}`, "remote.address");
  if (family !== local.family) throw new NlkitInputError(`family ${family} does not match the IPv${local.family} addresses (an IPv4-mapped peer of an IPv6 socket is written ::ffff:a.b.c.d)`, "family");
  let cookie0 = INET_DIAG_NOCOOKIE, cookie1 = INET_DIAG_NOCOOKIE;
  if (spec.cookie !== undefined) {
    if (typeof spec.cookie !== "string" || !/^[0-9a-f]{1,16}$/i.test(spec.cookie)) throw new NlkitInputError(`invalid cookie "${String(spec.cookie)}" (hex, as dumped)`, "cookie");
    const c = BigInt(`0x${spec.cookie}`);
    cookie0 = Number(c & 0xffffffffn);
    cookie1 = Number(c >> 32n);
  }
  const iface = spec.iface ?? 0;
  if (!Number.isInteger(iface) || iface < 0 || iface > 0xffffffff) throw new NlkitInputError(`invalid iface ${String(spec.iface)}`, "iface");
  return {
    family: family === 4 ? AF_INET : AF_INET6, protocol, ext: 0, states: 0,
    sport: local.port, dport: remote.port, src: local.bytes, dst: remote.bytes, if: iface, cookie0, cookie1,
  };
}

/**
 * A sock_diag handle bound to a namespace (what `ss` shows): `tcp()`, `udp()` and `unix()` dump
 * sockets, filtered by the kernel (states, addresses, ports); `destroy()` closes one as `ss -K` does.
 * Never dumps DCCP (gone from Linux 6.16).
 *
 * @example
 * ```ts
 * import { SockDiag } from "nlkit";
 * const sd = await SockDiag.open({ netns: "ns1" });
 * const listeners = await sd.tcp({ states: ["listening"], sport: 80 });   // ss -tln sport = :80
 * sd.close();
 * ```
 */
export class SockDiag {
  private constructor(private readonly socket: NetlinkSocket) {}

  /**
   * Opens a sock_diag handle in the namespace `opts` names (default the current one), or over
   * `opts.transport`.
   */
  static async open(opts: OpenOptions = {}): Promise<SockDiag> {
    return new SockDiag(openSocket(NETLINK_SOCK_DIAG, opts));
  }

  /** TCP sockets (`ss -t`), e.g. `tcp({ states: ["listening"], sport: 8080 })`. */
  tcp(filter?: InetFilter, opts?: CallOptions): Promise<InetSocket[]> {
    return this.inet("tcp", filter, opts);
  }

  /** UDP sockets (`ss -u`); a bound, unconnected one is UNCONN. */
  udp(filter?: InetFilter, opts?: CallOptions): Promise<InetSocket[]> {
    return this.inet("udp", filter, opts);
  }

  /** UNIX sockets (`ss -x`). */
  async unix(filter?: UnixFilter, opts?: CallOptions): Promise<UnixSocket[]> {
    return this.socket.dump(unixRequest(filter), unixDecoder(), opts);
  }

  /** The same dump as tcp()/udp(), one socket at a time: for hosts with more sockets than one array should hold. */
  async *iterate(proto: "tcp" | "udp", filter?: InetFilter, opts?: CallOptions): AsyncGenerator<InetSocket, void, undefined> {
    const reqs = inetRequests(protoNumber(proto), filter);
    const decode = inetDecoder(proto);
    for (const req of reqs) yield* this.socket.dumpIter(req, decode, opts);
  }

  /**
   * SOCK_DESTROY: the kernel aborts the socket (its owner sees ECONNABORTED, a TCP peer gets a
   * reset). With a cookie (every dumped socket has one) only that very socket is hit; ENOENT
   * when it is gone. Needs CAP_NET_ADMIN and CONFIG_INET_DIAG_DESTROY.
   */
  async destroy(sock: InetSocket | DestroySpec, opts?: CallOptions): Promise<void> {
    await this.socket.request(tableRequest(inetDiagReqDef, SOCK_DESTROY, 0, destroyHeader(sock)), undefined, opts);
  }

  /** Closes the socket. */
  close(): void {
    this.socket.close();
  }

  private async inet(proto: "tcp" | "udp", filter: InetFilter | undefined, opts: CallOptions | undefined): Promise<InetSocket[]> {
    const reqs = inetRequests(protoNumber(proto), filter);
    const decode = inetDecoder(proto);
    const out: InetSocket[] = [];
    for (const req of reqs) out.push(...(await this.socket.dump(req, decode, opts)));
    return out;
  }
}

function protoNumber(proto: unknown): number {
  if (proto === "tcp") return IPPROTO_TCP;
  if (proto === "udp") return IPPROTO_UDP;
  throw new NlkitInputError(`invalid proto ${String(proto)} (tcp or udp)`, "proto");
}
