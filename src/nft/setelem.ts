import { NlkitInputError } from "../netlink/errors.js";
import { formatIPv4, formatIPv6, formatLladdr, parseCidr, parseIp, parseLladdr } from "../netlink/ip.js";
import { ifnameBytes, protoNumber, L4PROTO } from "./build.js";
import { NFT_SET_ELEM_INTERVAL_END } from "./types.js";

/** nft data types (nftables include/datatype.h) usable as set keys; byteorder 1 host, 2 big. */
export const KEY_TYPES = {
  ipv4_addr: { id: 7, len: 4, byteorder: 2 },
  ipv6_addr: { id: 8, len: 16, byteorder: 2 },
  ether_addr: { id: 9, len: 6, byteorder: 2 },
  inet_proto: { id: 12, len: 1, byteorder: 1 },
  inet_service: { id: 13, len: 2, byteorder: 2 },
  mark: { id: 19, len: 4, byteorder: 1 },
  ifname: { id: 41, len: 16, byteorder: 1 },
} as const;
/**
 * The single key types whose elements nlkit encodes itself ("ipv4_addr", "ipv6_addr", "ether_addr",
 * "inet_proto", "inet_service", "mark", "ifname"): the `type` of `tx.addElements()` (and the older
 * `type` of `tx.addSet()`), and `NftSet.keyType` by name. `key` of `tx.addSet()` takes any nft type.
 *
 * @example
 * ```ts
 * const type: SetKeyType = "ipv4_addr";
 * // checked at commit against the set's key type: an NlkitInputError if blocked holds something else
 * await nft.transaction((tx) => { tx.addElements({ family: "inet", table: "fw", set: "blocked", type, elements: ["203.0.113.0/28"] }); });
 * ```
 */
export type SetKeyType = keyof typeof KEY_TYPES;

export function keyTypeOf(t: SetKeyType): { id: number; len: number; byteorder: number } {
  const kt = KEY_TYPES[t];
  if (!kt) throw new NlkitInputError(`unsupported set key type "${String(t)}"`, "type");
  return kt;
}

export function keyTypeName(id: number): SetKeyType | number {
  for (const [n, kt] of Object.entries(KEY_TYPES)) if (kt.id === id) return n as SetKeyType;
  return id;
}

function encodeKey(type: SetKeyType, text: string): Buffer {
  switch (type) {
    case "ipv4_addr": case "ipv6_addr": {
      const ip = parseIp(text);
      if (!ip || (ip.family === 4) !== (type === "ipv4_addr")) throw new NlkitInputError(`invalid ${type} element "${text}"`, "elements");
      return ip.bytes;
    }
    case "ether_addr": return Buffer.from(parseLladdr(text) ?? fail(type, text));
    case "inet_proto": return Buffer.from([protoNumber(/^\d+$/.test(text) ? Number(text) : text)]);
    case "inet_service": {
      const n = Number(text);
      if (!Number.isInteger(n) || n < 0 || n > 65535) fail(type, text);
      const b = Buffer.alloc(2); b.writeUInt16BE(n); return b;
    }
    case "mark": {
      const n = Number(text);
      if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) fail(type, text);
      const b = Buffer.alloc(4); b.writeUInt32LE(n); return b;
    }
    case "ifname": return ifnameBytes(text);
  }
}

function fail(type: string, text: string): never {
  throw new NlkitInputError(`invalid ${type} element "${text}"`, "elements");
}

/** Ranges as [first, last] keys: "10.0.0.0/24", "192.0.2.1-192.0.2.9", "1000-2000" or one value. */
function elementRange(type: SetKeyType, text: string): [Buffer, Buffer] {
  if ((type === "ipv4_addr" || type === "ipv6_addr") && text.includes("/")) {
    const c = parseCidr(text, type === "ipv4_addr" ? 4 : 6);
    if (!c) fail(type, text);
    const lo = Buffer.from(c.bytes), hi = Buffer.from(c.bytes);
    for (let i = c.prefixlen; i < lo.length * 8; i++) {
      lo[i >> 3]! &= ~(0x80 >> (i & 7));
      hi[i >> 3]! |= 0x80 >> (i & 7);
    }
    return [lo, hi];
  }
  const dash = text.indexOf("-", type === "ipv6_addr" ? text.indexOf(":") : 1);
  if (dash > 0 && type !== "ifname") return [encodeKey(type, text.slice(0, dash)), encodeKey(type, text.slice(dash + 1))];
  const k = encodeKey(type, text);
  return [k, k];
}

/** Big-endian increment; returns undefined on overflow (the range reaches the top). */
function next(b: Buffer): Buffer | undefined {
  const out = Buffer.from(b);
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] !== 0xff) { out[i]!++; return out; }
    out[i] = 0;
  }
  return undefined;
}

/**
 * NFTA_SET_ELEM_LIST_ELEMENTS entries. Interval sets carry each range as its start and, flagged
 * NFT_SET_ELEM_INTERVAL_END, the first key after it (as nft sends them).
 */
export function encodeElements(type: SetKeyType, elements: string[], interval: boolean, timeout?: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const withTimeout = (e: Record<string, unknown>) => {
    if (timeout !== undefined) return { timeout: BigInt(Math.round(timeout * 1000)), ...e };
    return e;
  };
  if (!interval) {
    for (const text of elements) out.push(withTimeout({ key: { value: encodeKey(type, text) } }));
    return out;
  }
  const ranges = elements.map((t) => elementRange(type, t)).sort((a, b) => Buffer.compare(a[0], b[0]));
  for (const [lo, hi] of ranges) {
    out.push(withTimeout({ key: { value: lo } }));
    const end = next(hi);
    if (end) out.push({ flags: NFT_SET_ELEM_INTERVAL_END, key: { value: end } });
  }
  return out;
}

export function formatKey(type: SetKeyType | number, b: Buffer): string {
  switch (type) {
    case "ipv4_addr": return b.length === 4 ? formatIPv4(b) : b.toString("hex");
    case "ipv6_addr": return b.length === 16 ? formatIPv6(b) : b.toString("hex");
    case "ether_addr": return formatLladdr(b, 0, b.length);
    case "inet_proto": {
      const name = Object.entries(L4PROTO).find(([, n]) => n === b[0]);
      return name ? name[0] : String(b[0]);
    }
    case "inet_service": return b.length === 2 ? String(b.readUInt16BE(0)) : b.toString("hex");
    case "mark": return b.length === 4 ? `0x${b.readUInt32LE(0).toString(16).padStart(8, "0")}` : b.toString("hex");
    case "ifname": return JSON.stringify(b.toString("utf8").replace(/\0.*$/s, ""));
    default: return `0x${b.toString("hex")}`;
  }
}

function prev(b: Buffer): Buffer {
  const out = Buffer.from(b);
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] !== 0) { out[i]!--; return out; }
    out[i] = 0xff;
  }
  return out;
}

function prefixOf(lo: Buffer, hi: Buffer): number | undefined {
  let bits = lo.length * 8;
  let p = 0;
  while (p < bits && ((lo[p >> 3]! ^ hi[p >> 3]!) & (0x80 >> (p & 7))) === 0) p++;
  for (let i = p; i < bits; i++) {
    const m = 0x80 >> (i & 7);
    if ((lo[i >> 3]! & m) !== 0 || (hi[i >> 3]! & m) === 0) return undefined;
  }
  return p;
}

export interface DecodedElement { key: Buffer; flags?: number; timeout?: bigint; expiration?: bigint }

/**
 * Elements as nft prints them. Interval sets come back from the kernel as start keys and
 * INTERVAL_END keys (in any order); they are paired into "a-b" or CIDR text.
 */
export function formatElements(type: SetKeyType | number, elems: DecodedElement[], interval: boolean): string[] {
  // the kernel returns hash order; nft lists elements sorted
  if (!interval) return [...elems].sort((a, b) => Buffer.compare(a.key, b.key)).map((e) => formatKey(type, e.key));
  // at equal keys the end of one range sorts before the start of the adjacent one
  const sorted = [...elems].sort((a, b) => Buffer.compare(a.key, b.key) || ((b.flags ?? 0) & 1) - ((a.flags ?? 0) & 1));
  const out: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i]!;
    if ((e.flags ?? 0) & NFT_SET_ELEM_INTERVAL_END) continue;
    const endEl = sorted.slice(i + 1).find((x) => (x.flags ?? 0) & NFT_SET_ELEM_INTERVAL_END);
    const hi = endEl ? prev(endEl.key) : Buffer.alloc(e.key.length, 0xff);
    if (hi.equals(e.key)) { out.push(formatKey(type, e.key)); continue; }
    const p = (type === "ipv4_addr" || type === "ipv6_addr") ? prefixOf(e.key, hi) : undefined;
    out.push(p !== undefined ? `${formatKey(type, e.key)}/${p}` : `${formatKey(type, e.key)}-${formatKey(type, hi)}`);
  }
  return out;
}
