import { NlkitInputError } from "../../netlink/errors.js";

// tc's 32-bit handles (linux/pkt_sched.h): major:minor in hex, the reserved parents, and the
// ethernet protocol words of filters. Parsing follows tc's get_qdisc_handle/get_tc_classid;
// printing its print_tc_classid.

export const TC_H_ROOT = 0xffffffff;
export const TC_H_INGRESS = 0xfffffff1;
export const TC_H_CLSACT = TC_H_INGRESS;
export const TC_H_MIN_INGRESS = 0xfff2;
export const TC_H_MIN_EGRESS = 0xfff3;
/** The clsact hooks filters attach to: `tc filter add ... ingress|egress`. */
export const CLSACT_INGRESS = (TC_H_CLSACT & 0xffff0000 | TC_H_MIN_INGRESS) >>> 0;
export const CLSACT_EGRESS = (TC_H_CLSACT & 0xffff0000 | TC_H_MIN_EGRESS) >>> 0;

/**
 * A tc handle or parent in tc's notation ("1:", "1:10", "root", "ingress", "egress") or a number.
 *
 * @example
 * ```ts
 * const parent: TcHandle = "1:";
 * const classid: TcHandle = "1:10";
 * await rt.tc.class.add({ dev: "eth0", parent, classid, kind: "htb", htb: { rate: "10mbit" } });
 * await rt.tc.class.del({ dev: "eth0", classid: 0x10010 });   // the same class as a number (major 1, minor 0x10)
 * ```
 */
export type Handle = string | number;

const HEX = /^[0-9a-f]+$/i;

function hex(text: string, field: string, what: string, max: number): number {
  if (!HEX.test(text)) throw new NlkitInputError(`invalid ${what} "${text}" in ${field} (hex digits expected)`, field);
  const n = parseInt(text, 16);
  if (n > max) throw new NlkitInputError(`invalid ${what} "${text}" in ${field} (at most ${max.toString(16)})`, field);
  return n;
}

/** A handle's text; anything but a string or a number is the caller's mistake. */
function text(v: unknown, field: string): string {
  if (typeof v !== "string") throw new NlkitInputError(`invalid ${field}: a string like "1:10" or a number expected`, field);
  return v;
}

function raw(v: number, field: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new NlkitInputError(`invalid ${field} ${v}`, field);
  return v;
}

/** A qdisc handle: "1:" (or "1", "none"), or the 32-bit value. */
export function qdiscHandle(v: Handle, field = "handle"): number {
  if (typeof v === "number") return raw(v, field);
  if (v === "none") return 0;
  const m = /^([0-9a-f]+):?$/i.exec(text(v, field));
  if (!m) throw new NlkitInputError(`invalid qdisc handle "${v}" (e.g. "1:")`, field);
  return hex(m[1]!, field, "major", 0xffff) * 0x10000;
}

/** A class id as tc reads one: "1:10", ":10", "1:", "root", "none", or the 32-bit value. */
export function classid(v: Handle, field = "classid"): number {
  if (typeof v === "number") return raw(v, field);
  if (v === "root") return TC_H_ROOT;
  if (v === "none") return 0;
  const t = text(v, field);
  const colon = t.indexOf(":");
  if (colon < 0) return hex(t, field, "class id", 0xffffffff);
  const maj = colon === 0 ? 0 : hex(t.slice(0, colon), field, "major", 0xffff);
  const rest = t.slice(colon + 1);
  const min = rest === "" ? 0 : hex(rest, field, "minor", 0xffff);
  return (maj * 0x10000 + min) >>> 0;
}

/** What a qdisc hangs from: "root", "ingress" or "clsact" (both TC_H_INGRESS), or a class id. */
export function qdiscParent(v: Handle, field = "parent"): number {
  if (v === "ingress" || v === "clsact") return TC_H_INGRESS;
  return classid(v, field);
}

/** What a filter attaches to: "root", "ingress"/"egress" (the clsact hooks), or a class id / qdisc handle. */
export function filterParent(v: Handle, field = "parent"): number {
  if (v === "ingress") return CLSACT_INGRESS;
  if (v === "egress") return CLSACT_EGRESS;
  return classid(v, field);
}

/** print_tc_classid: "root", "none", ":10", "1:", "1:10". */
export function formatClassid(h: number): string {
  const v = h >>> 0;
  if (v === TC_H_ROOT) return "root";
  if (v === 0) return "none";
  const maj = v >>> 16, min = v & 0xffff;
  if (maj === 0) return `:${min.toString(16)}`;
  if (min === 0) return `${maj.toString(16)}:`;
  return `${maj.toString(16)}:${min.toString(16)}`;
}

/** A qdisc's parent in the API's words: "root", "ingress" (TC_H_INGRESS, clsact's too), or a class id. */
export function qdiscParentName(h: number): string {
  return h >>> 0 === TC_H_INGRESS ? "ingress" : formatClassid(h);
}

/** A filter's parent in the API's words: "root", "ingress"/"egress" for the clsact hooks, or a handle. */
export function filterParentName(h: number): string {
  const v = h >>> 0;
  if (v === CLSACT_INGRESS) return "ingress";
  if (v === CLSACT_EGRESS) return "egress";
  return formatClassid(v);
}

// --- u32 handles: htid (12 bits) : hash (8 bits) : node (12 bits) ---------------------------------

/** tc's get_u32_handle: "800::10", "800:", "2:", "::10", or "0x80000010" / a number. */
export function u32Handle(v: Handle, field: string): number {
  if (typeof v === "number") return raw(v, field);
  const t = text(v, field);
  if (!t.includes(":")) {
    if (/^0x[0-9a-f]+$/i.test(t)) return raw(parseInt(t.slice(2), 16), field);
    throw new NlkitInputError(`invalid u32 handle "${t}" (htid:hash:node in hex, e.g. "800::10")`, field);
  }
  const [h, b = "", n = "", extra] = t.split(":");
  if (extra !== undefined) throw new NlkitInputError(`invalid u32 handle "${t}"`, field);
  const part = (s: string, max: number, what: string) => (s === "" ? 0 : hex(s, field, `u32 ${what}`, max));
  return ((part(h!, 0xfff, "hash table id") * 2 ** 20) + part(b, 0xff, "bucket") * 2 ** 12 + part(n, 0xfff, "node")) >>> 0;
}

export const u32Htid = (h: number) => (h >>> 0) & 0xfff00000;
export const u32Hash = (h: number) => ((h >>> 0) >>> 12) & 0xff;
export const u32Node = (h: number) => (h >>> 0) & 0xfff;

/** sprint_u32_handle: "800:", "800::800", "2:", "none". */
export function formatU32Handle(h: number): string {
  const v = h >>> 0;
  if (v === 0) return "none";
  let s = "";
  if (u32Htid(v)) s += `${(u32Htid(v) >>> 20).toString(16)}:`;
  if (u32Node(v) || u32Hash(v)) {
    if (u32Hash(v)) s += u32Hash(v).toString(16);
    if (u32Node(v)) s += `:${u32Node(v).toString(16)}`;
  }
  return s;
}

// --- ethernet protocols of filters (lib/ll_proto.c's names, linux/if_ether.h numbers) --------------

const PROTOCOLS: ReadonlyArray<readonly [string, number]> = [
  ["loop", 0x0060], ["pup", 0x0200], ["pupat", 0x0201], ["ip", 0x0800], ["x25", 0x0805], ["arp", 0x0806],
  ["bpq", 0x08ff], ["ieeepup", 0x0a00], ["ieeepupat", 0x0a01], ["dec", 0x6000], ["dna_dl", 0x6001],
  ["dna_rc", 0x6002], ["dna_rt", 0x6003], ["lat", 0x6004], ["diag", 0x6005], ["cust", 0x6006], ["sca", 0x6007],
  ["rarp", 0x8035], ["atalk", 0x809b], ["aarp", 0x80f3], ["ipx", 0x8137], ["ipv6", 0x86dd], ["ppp_disc", 0x8863],
  ["ppp_ses", 0x8864], ["atmmpoa", 0x884c], ["atmfate", 0x8884], ["802_3", 0x0001], ["ax25", 0x0002],
  ["all", 0x0003], ["802_2", 0x0004], ["snap", 0x0005], ["ddcmp", 0x0006], ["wan_ppp", 0x0007], ["ppp_mp", 0x0008],
  ["localtalk", 0x0009], ["can", 0x000c], ["ppptalk", 0x0010], ["tr_802_2", 0x0011], ["mobitex", 0x0015],
  ["control", 0x0016], ["irda", 0x0017], ["econet", 0x0018], ["tipc", 0x88ca], ["profinet", 0x8892], ["aoe", 0x88a2],
  ["ethercat", 0x88a4], ["802.1Q", 0x8100], ["802.1ad", 0x88a8], ["mpls_uc", 0x8847], ["mpls_mc", 0x8848],
  ["teb", 0x6558], ["LLDP", 0x88cc], ["ipv4", 0x0800],
];

export const ETH_P_ALL = 0x0003;
export const ETH_P_IP = 0x0800;
export const ETH_P_IPV6 = 0x86dd;
export const ETH_P_8021Q = 0x8100;
export const ETH_P_8021AD = 0x88a8;

/**
 * A filter's protocol: a word ("ip", "ipv6", "all", "802.1q") or an ethertype number.
 *
 * @example
 * ```ts
 * const protocol: TcProtocol = "ipv6";
 * await rt.tc.filter.add({ dev: "eth0", parent: "ingress", protocol, pref: 20, kind: "flower",
 *   flower: { dstIp: "2001:db8::/32" }, actions: [{ kind: "gact", gact: { action: "drop" } }] });
 * const arp = await rt.tc.filter.list({ dev: "eth0", parent: "ingress", protocol: 0x0806 });   // the same as protocol "arp"
 * console.log(arp.length);   // 0
 * ```
 */
export type Protocol = string | number;

/** A protocol word ("ip", "ipv6", "all", "802.1q", case-insensitive) or number, in host order. */
export function protocolNumber(v: Protocol, field = "protocol"): number {
  if (typeof v === "number") {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new NlkitInputError(`invalid ${field} ${v}`, field);
    return v;
  }
  text(v, field);
  const hit = PROTOCOLS.find(([n]) => n.toLowerCase() === v.toLowerCase());
  if (hit) return hit[1];
  // "[N]" is how an unnamed protocol reads back (protocolName): a listed filter's protocol is input too
  const bracketed = /^\[(\d+)\]$/.exec(v)?.[1];
  const n = /^0x[0-9a-f]+$/i.test(v) ? parseInt(v.slice(2), 16) : /^\d+$/.test(v) ? Number(v) : bracketed !== undefined ? Number(bracketed) : NaN;
  if (!(n >= 0 && n <= 0xffff)) throw new NlkitInputError(`invalid ${field} "${v}" (e.g. "ip", "ipv6", "all" or a number)`, field);
  return n;
}

/** tc's protocol text: the first name for the number, else "[N]". */
export function protocolName(n: number): string {
  return PROTOCOLS.find(([, v]) => v === n)?.[0] ?? `[${n}]`;
}

/** Host-order 16 bits to network order (tcm_info's low half holds the protocol big-endian). */
export function htons(n: number): number {
  return ((n & 0xff) << 8) | ((n >>> 8) & 0xff);
}
