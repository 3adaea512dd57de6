// Subnet arithmetic the checks need: which prefix an address is in, and a free host in it.
import { formatIp, inSubnet, networkOf, parseCidr, parseIp, type IpFamily } from "../netlink/ip.js";

export interface Prefixed {
  address: string;
  prefixlen: number;
}

export function family(address: string): IpFamily | undefined {
  return parseIp(address)?.family;
}

/** "10.0.0.0/24" for 10.0.0.7/24. */
export function subnetText(p: Prefixed): string {
  const c = parseCidr(`${p.address}/${p.prefixlen}`)!;
  return `${formatIp(networkOf(c))}/${p.prefixlen}`;
}

export function contains(p: Prefixed, address: string): boolean {
  const net = parseIp(p.address), a = parseIp(address);
  if (!net || !a || net.family !== a.family) return false;
  return inSubnet(a.bytes, net.bytes, p.prefixlen);
}

export function sameSubnet(a: Prefixed, b: Prefixed): boolean {
  return a.prefixlen === b.prefixlen && contains(a, b.address);
}

/**
 * The lowest IPv4 host address of the subnet that nobody in `used` holds (not the network or
 * broadcast address). IPv6 subnets are left to SLAAC/the operator: undefined.
 */
export function freeHost(p: Prefixed, used: Iterable<string>): string | undefined {
  const c = parseCidr(`${p.address}/${p.prefixlen}`);
  if (!c || c.family !== 4 || c.prefixlen > 30) return undefined;
  const taken = new Set(used);
  const base = networkOf(c).readUInt32BE(0);
  const size = 2 ** (32 - c.prefixlen);
  for (let i = 1; i < size - 1 && i < 65536; i++) {
    const b = Buffer.alloc(4);
    b.writeUInt32BE((base + i) >>> 0);
    const text = formatIp(b);
    if (!taken.has(text)) return text;
  }
  return undefined;
}

const PRIVATE = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "fc00::/7", "fe80::/10"]
  .map((t) => { const c = parseCidr(t)!; return { address: c.address, prefixlen: c.prefixlen }; });

/** Addresses that the wider world cannot route back to: a path leaving them needs NAT. */
export function isPrivate(address: string): boolean {
  return PRIVATE.some((p) => contains(p, address));
}

/** "198.51.100.1:7007" / "[2001:db8::1]:7007" / plain addresses. */
export function parseTarget(text: string): { address: string; port?: number } | undefined {
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  if (v6) return parseIp(v6[1]!) ? { address: v6[1]!, port: Number(v6[2]) } : undefined;
  const v4 = /^([\d.]+):(\d+)$/.exec(text);
  if (v4) return parseIp(v4[1]!)?.family === 4 ? { address: v4[1]!, port: Number(v4[2]) } : undefined;
  return parseIp(text) ? { address: text } : undefined;
}

/** Addresses that can source or answer routed traffic (not lo's, not IPv6 link-local). */
export function usable(a: { scope: string | number }): boolean {
  return a.scope !== "host" && a.scope !== "link";
}
