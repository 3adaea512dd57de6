// nft's data types (nftables include/datatype.h): what a value of a field or a set key means,
// how nft prints it and how it reads it back. Values travel as Buffers in the byte order the
// kernel holds them in (big-endian for packet fields, host order for meta and ct keys).
import { formatIPv4, formatIPv6 } from "../netlink/ip.js";
import { SYMBOLS } from "./symbols.js";

export type ByteOrder = "big" | "host";

export interface DataType {
  readonly id: number;
  readonly name: string;
  /** nft's description, used in its error messages ("IPv4 address"). */
  readonly desc: string;
  /** Size in bits; 0 when variable (strings, verdicts). */
  readonly bits: number;
  readonly byteorder: ByteOrder;
  /** How a value prints: a printer below, else symbols then the integer format. */
  readonly kind: Kind;
  /** nft's printf format when no symbol matches ("0x%08x" for marks). */
  readonly hexWidth?: number;
  readonly symbols?: ReadonlyArray<readonly [string, number]>;
  /** A bitmask: a value prints as its flag names ("established,related"). */
  readonly bitmask?: boolean;
  /** DTYPE_F_PREFIX: "10.0.0.0/8" is a value of this type. */
  readonly prefix?: boolean;
}

export type Kind =
  | "integer" | "string" | "ipv4" | "ipv6" | "lladdr" | "inet_proto" | "verdict" | "time"
  | "classid" | "ifindex" | "invalid";

const T = (id: number, name: string, desc: string, bits: number, byteorder: ByteOrder, kind: Kind, more: Partial<DataType> = {}): DataType =>
  ({ id, name, desc, bits, byteorder, kind, ...more });

/** Every type nlkit knows, by nft's numbers (TYPE_*). */
export const TYPES = {
  invalid: T(0, "invalid", "invalid", 0, "host", "invalid"),
  verdict: T(1, "verdict", "netfilter verdict", 0, "host", "verdict"),
  nf_proto: T(2, "nf_proto", "netfilter protocol", 8, "host", "integer", { symbols: SYMBOLS.nfproto }),
  bitmask: T(3, "bitmask", "bitmask", 0, "host", "integer", { hexWidth: 0 }),
  integer: T(4, "integer", "integer", 0, "host", "integer"),
  string: T(5, "string", "string", 0, "host", "string"),
  ll_addr: T(6, "ll_addr", "link layer address", 0, "big", "lladdr"),
  ipv4_addr: T(7, "ipv4_addr", "IPv4 address", 32, "big", "ipv4", { prefix: true }),
  ipv6_addr: T(8, "ipv6_addr", "IPv6 address", 128, "big", "ipv6", { prefix: true }),
  ether_addr: T(9, "ether_addr", "Ethernet address", 48, "big", "lladdr"),
  ether_type: T(10, "ether_type", "Ethernet protocol", 16, "big", "integer", { symbols: SYMBOLS.ethertype, hexWidth: 4 }),
  arp_op: T(11, "arp_op", "ARP operation", 16, "big", "integer", { symbols: SYMBOLS.arpop }),
  inet_proto: T(12, "inet_proto", "Internet protocol", 8, "host", "inet_proto"),
  inet_service: T(13, "inet_service", "internet network service", 16, "big", "integer"),
  icmp_type: T(14, "icmp_type", "ICMP type", 8, "big", "integer", { symbols: SYMBOLS.icmpType }),
  tcp_flag: T(15, "tcp_flag", "TCP flag", 8, "big", "integer", { symbols: SYMBOLS.tcpFlag, bitmask: true, hexWidth: 0 }),
  time: T(18, "time", "relative time", 32, "host", "time"),
  mark: T(19, "mark", "packet mark", 32, "host", "integer", { hexWidth: 8, prefix: true }),
  iface_index: T(20, "iface_index", "network interface index", 32, "host", "ifindex"),
  iface_type: T(21, "iface_type", "network interface type", 16, "host", "integer", { symbols: SYMBOLS.arphrd }),
  realm: T(22, "realm", "routing realm", 32, "host", "integer"),
  classid: T(23, "classid", "TC classid", 32, "host", "classid"),
  uid: T(24, "uid", "user ID", 32, "host", "integer"),
  gid: T(25, "gid", "group ID", 32, "host", "integer"),
  ct_state: T(26, "ct_state", "conntrack state", 32, "host", "integer", { symbols: SYMBOLS.ctState, bitmask: true, hexWidth: 0 }),
  ct_dir: T(27, "ct_dir", "conntrack direction", 8, "host", "integer", { symbols: SYMBOLS.ctDir }),
  ct_status: T(28, "ct_status", "conntrack status", 32, "host", "integer", { symbols: SYMBOLS.ctStatus, bitmask: true, hexWidth: 0 }),
  icmpv6_type: T(29, "icmpv6_type", "ICMPv6 type", 8, "big", "integer", { symbols: SYMBOLS.icmp6Type }),
  ct_label: T(30, "ct_label", "conntrack label", 128, "host", "integer", { bitmask: true, hexWidth: 0 }),
  pkt_type: T(31, "pkt_type", "packet type", 8, "host", "integer", { symbols: SYMBOLS.pkttype }),
  icmp_code: T(32, "icmp_code", "icmp code", 8, "big", "integer", { symbols: SYMBOLS.icmpCode }),
  icmpv6_code: T(33, "icmpv6_code", "icmpv6 code", 8, "big", "integer", { symbols: SYMBOLS.icmpv6Code }),
  icmpx_code: T(34, "icmpx_code", "icmpx code", 8, "big", "integer", { symbols: SYMBOLS.icmpxCode }),
  devgroup: T(35, "devgroup", "devgroup name", 32, "host", "integer"),
  dscp: T(36, "dscp", "Differentiated Services Code Point", 6, "big", "integer", { symbols: SYMBOLS.dscp, hexWidth: 2 }),
  ecn: T(37, "ecn", "Explicit Congestion Notification", 2, "big", "integer", { symbols: SYMBOLS.ecn, hexWidth: 1 }),
  fib_addrtype: T(38, "fib_addrtype", "fib address type", 32, "host", "integer", { symbols: SYMBOLS.addrtype }),
  boolean: T(39, "boolean", "boolean type", 1, "host", "integer", { symbols: SYMBOLS.boolean }),
  ct_event: T(40, "ct_event", "conntrack event bits", 32, "host", "integer", { symbols: SYMBOLS.ctEvent, bitmask: true, hexWidth: 0 }),
  ifname: T(41, "ifname", "network interface name", 128, "host", "string"),
  igmp_type: T(42, "igmp_type", "IGMP type", 8, "big", "integer", { symbols: SYMBOLS.igmpType }),
} as const satisfies Record<string, DataType>;

export type TypeName = keyof typeof TYPES;

/** Packet header fields are big-endian integers (nft's templates say BYTEORDER_BIG_ENDIAN). */
export const INTEGER_BE: DataType = { ...TYPES.integer, byteorder: "big" };

/** The same type read in the other byte order (after the byteorder expression nft inserts for host-order keys). */
export function swapped(t: DataType): DataType {
  return { ...t, byteorder: t.byteorder === "big" ? "host" : "big" };
}

const BY_ID = new Map<number, DataType>();
const BY_NAME = new Map<string, DataType>();
for (const t of Object.values(TYPES)) {
  if (!BY_ID.has(t.id)) BY_ID.set(t.id, t);
  BY_NAME.set(t.name, t);
}

export function typeById(id: number): DataType | undefined {
  return BY_ID.get(id);
}

export function typeByName(name: string): DataType | undefined {
  return BY_NAME.get(name);
}

/** A typed constant: the bytes as the kernel holds them, and how many bits of them count. */
export interface Const {
  type: DataType;
  bytes: Buffer;
  /** Width in bits when it is not bytes.length * 8 (sub-byte header fields, booleans). */
  bits?: number;
}

/** The value as an unsigned integer, reading the bytes in the type's byte order. */
export function toBigInt(bytes: Buffer, order: ByteOrder): bigint {
  let n = 0n;
  if (order === "big") for (let i = 0; i < bytes.length; i++) n = (n << 8n) | BigInt(bytes[i]!);
  else for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

/** `len` bytes holding n in the given byte order (bits beyond len*8 are dropped). */
export function fromBigInt(n: bigint, len: number, order: ByteOrder): Buffer {
  const b = Buffer.alloc(len);
  let v = n < 0n ? 0n : n;
  for (let i = 0; i < len; i++) {
    b[order === "big" ? len - 1 - i : i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return b;
}

export function byteLen(t: DataType, fallback = 0): number {
  return t.bits ? Math.ceil(t.bits / 8) : fallback;
}

/** What printing needs from the environment (nft asks libc: if_indextoname, getprotobynumber). */
export interface PrintEnv {
  ifname?(index: number): string | undefined;
  protocolName?(n: number): string | undefined;
}

function hex(n: bigint, width = 0): string {
  return `0x${n.toString(16).padStart(width, "0")}`;
}

/** The text nft prints for one constant. */
export function printConst(c: Const, env: PrintEnv = {}): string {
  const t = c.type;
  const b = c.bytes;
  switch (t.kind) {
    case "ipv4": return b.length === 4 ? formatIPv4(b) : invalid(b);
    case "ipv6": return b.length === 16 ? formatIPv6(b) : invalid(b);
    case "lladdr": return [...b].map((x) => x.toString(16).padStart(2, "0")).join(":");
    case "string": return printString(b);
    case "verdict": return invalid(b);
    case "invalid": return invalid(b);
    case "inet_proto": {
      const name = env.protocolName?.(b[0] ?? 0);
      return name ?? String(b[0] ?? 0);
    }
    case "time": return formatTime(Number(toBigInt(b, t.byteorder)));
    case "classid": return formatClassid(Number(toBigInt(b, "host")));
    case "ifindex": {
      const n = Number(toBigInt(b, "host"));
      const name = env.ifname?.(n);
      return name !== undefined ? JSON.stringify(name) : String(n);
    }
    default: {
      const n = toBigInt(b, t.byteorder);
      const sym = t.symbols?.find(([, v]) => BigInt(v) === n);
      if (sym) return sym[0];
      return t.hexWidth !== undefined ? hex(n, t.hexWidth) : n.toString();
    }
  }
}

/** nft prints a value it has no type for as hex with this suffix. */
function invalid(b: Buffer): string {
  return `${hex(toBigInt(b, "host"))} [invalid type]`;
}

/**
 * nft compares a wildcard name ("veth*") by its prefix only, so its value has no NUL; a name that
 * really ends in '*' is written with a backslash. nft prints the text between quotes as is.
 */
function printString(b: Buffer): string {
  const nul = b.indexOf(0);
  if (nul < 0) return `"${b.toString("utf8")}*"`;
  const s = b.toString("utf8", 0, nul);
  return s.endsWith("*") ? `"${s.slice(0, -1)}\\*"` : `"${s}"`;
}

/** An interface name: the bytes up to the first NUL. */
export function stringOf(b: Buffer): string {
  const nul = b.indexOf(0);
  return b.toString("utf8", 0, nul < 0 ? b.length : nul);
}

/** 1d2h3m4s5ms, as nft writes durations; 0 writes nothing, as nft. */
export function formatTime(ms: number): string {
  let rest = Math.floor(ms);
  let out = "";
  for (const [unit, size] of [["d", 86400000], ["h", 3600000], ["m", 60000], ["s", 1000]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest %= size;
  }
  if (rest > 0) out += `${rest}ms`;
  return out;
}

/** "1d2h", "30s", "500ms", or plain seconds; undefined when it is not a duration. */
export function parseTime(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const re = /(\d+)(ms|d|h|m|s)/gy;
  let ms = 0, seen = "";
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = re.exec(text))) {
    if (seen.includes(`|${m[2]}|`)) return undefined;
    seen += `|${m[2]}|`;
    ms += Number(m[1]) * ({ d: 86400000, h: 3600000, m: 60000, s: 1000, ms: 1 } as Record<string, number>)[m[2]!]!;
    pos = re.lastIndex;
  }
  return pos === text.length && pos > 0 ? ms : undefined;
}

function formatClassid(n: number): string {
  if (n === 0xffffffff) return "root";
  if (n === 0) return "none";
  return `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
}

export function parseClassid(text: string): number | undefined {
  if (text === "root") return 0xffffffff;
  if (text === "none") return 0;
  const m = /^([0-9a-f]{0,4}):([0-9a-f]{1,4})$/i.exec(text);
  if (!m) return undefined;
  return ((parseInt(m[1] || "0", 16) << 16) | parseInt(m[2]!, 16)) >>> 0;
}
