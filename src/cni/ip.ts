// IP address arithmetic for allocation and matching, on BigInt values. Text is parsed with nlkit's
// own parser and printed the way Go's net.IP.String() does, so that file names and results are the
// reference plugins' byte for byte.
import { parseIp } from "./deps.js";

export type Family = 4 | 6;

export interface IpAddr {
  family: Family;
  value: bigint;
}

/** An address with a prefix length ("10.22.0.2/24"); the address need not be the network's. */
export interface IpNet {
  addr: IpAddr;
  prefixlen: number;
}

const bits = (f: Family): number => (f === 4 ? 32 : 128);
const V4_MAPPED = 0xffffn << 32n;

/** "10.0.0.1", "fd00::1"; an IPv4-mapped IPv6 address is its IPv4 address, as Go's To4() makes it. */
export function parseAddr(text: unknown): IpAddr | undefined {
  if (typeof text !== "string" || text.includes("/")) return undefined;
  const ip = parseIp(text);
  if (!ip) return undefined;
  let value = 0n;
  for (const b of ip.bytes) value = (value << 8n) | BigInt(b);
  if (ip.family === 6 && value >> 32n === V4_MAPPED >> 32n) return { family: 4, value: value & 0xffffffffn };
  return { family: ip.family, value };
}

export function formatAddr(a: IpAddr): string {
  if (a.family === 4) {
    const v = Number(a.value);
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  }
  const w: number[] = [];
  for (let i = 7; i >= 0; i--) w.push(Number((a.value >> BigInt(i * 16)) & 0xffffn));
  // the longest run of two or more zero groups becomes "::", the first of equal runs winning
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return w.map((x) => x.toString(16)).join(":");
  const head = w.slice(0, best).map((x) => x.toString(16)).join(":");
  const tail = w.slice(best + bestLen).map((x) => x.toString(16)).join(":");
  return `${head}::${tail}`;
}

/** "10.22.0.2/24", "fd00::2/64"; undefined for anything else. */
export function parseNet(text: unknown): IpNet | undefined {
  if (typeof text !== "string") return undefined;
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const addr = parseAddr(text.slice(0, slash));
  const p = text.slice(slash + 1);
  if (!addr || !/^\d{1,3}$/.test(p)) return undefined;
  const prefixlen = Number(p);
  // an IPv4-mapped address keeps an IPv6 prefix in Go; nlkit takes the IPv4 part only
  if (prefixlen > bits(addr.family)) return undefined;
  return { addr, prefixlen };
}

export function formatNet(n: IpNet): string {
  return `${formatAddr(n.addr)}/${n.prefixlen}`;
}

function hostMask(n: IpNet): bigint {
  return (1n << BigInt(bits(n.addr.family) - n.prefixlen)) - 1n;
}

/** The network address (host bits cleared). */
export function networkAddr(n: IpNet): IpAddr {
  return { family: n.addr.family, value: n.addr.value & ~hostMask(n) };
}

/** The last address of the prefix (the IPv4 broadcast address). */
export function lastAddr(n: IpNet): IpAddr {
  return { family: n.addr.family, value: n.addr.value | hostMask(n) };
}

export function network(n: IpNet): IpNet {
  return { addr: networkAddr(n), prefixlen: n.prefixlen };
}

export function inNet(n: IpNet, a: IpAddr): boolean {
  return a.family === n.addr.family && (a.value & ~hostMask(n)) === networkAddr(n).value;
}

export function sameAddr(a: IpAddr | undefined, b: IpAddr | undefined): boolean {
  return a !== undefined && b !== undefined && a.family === b.family && a.value === b.value;
}

export function compareAddr(a: IpAddr, b: IpAddr): number {
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

export function addToAddr(a: IpAddr, delta: number): IpAddr {
  const max = (1n << BigInt(bits(a.family))) - 1n;
  return { family: a.family, value: (a.value + BigInt(delta)) & max };
}

/** The canonical text of an address given as text, or undefined when it is not one. */
export function canonicalAddr(text: unknown): string | undefined {
  const a = parseAddr(text);
  return a ? formatAddr(a) : undefined;
}

export function isMulticast(a: IpAddr): boolean {
  return a.family === 4 ? a.value >> 28n === 0xen : a.value >> 120n === 0xffn;
}
