// sockaddr builders: plain bytes, no FFI. Layouts from <linux/netlink.h> and <netinet/in.h>.
import { isIPv4, isIPv6 } from 'node:net';
import { AF_INET, AF_INET6, AF_NETLINK } from './constants.js';

/** struct sockaddr_nl: family, pad, nl_pid (0 = let the kernel pick / the kernel), nl_groups. */
export function sockaddrNl(pid = 0, groups = 0): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16LE(AF_NETLINK, 0);
  b.writeUInt32LE(pid >>> 0, 4);
  b.writeUInt32LE(groups >>> 0, 8);
  return b;
}

function ipv4Bytes(addr: string): number[] {
  if (!isIPv4(addr)) throw new TypeError(`not an IPv4 address: ${addr}`);
  return addr.split('.').map(Number);
}

function ipv6Bytes(addr: string): Buffer {
  if (!isIPv6(addr)) throw new TypeError(`not an IPv6 address: ${addr}`);
  // A zone (fe80::1%eth0) is not part of the address bytes; pass it as scopeId.
  let s = addr.split('%')[0]!;
  const out = Buffer.alloc(16);
  // An embedded dotted quad (::ffff:1.2.3.4) becomes its two final groups.
  const dot = s.lastIndexOf(':');
  const tail = s.slice(dot + 1);
  if (tail.includes('.')) {
    const q = ipv4Bytes(tail);
    s = `${s.slice(0, dot + 1)}${((q[0]! << 8) | q[1]!).toString(16)}:${((q[2]! << 8) | q[3]!).toString(16)}`;
  }
  const [head, rest] = s.includes('::') ? s.split('::') : [s, undefined];
  const hs = head ? head.split(':') : [];
  const ts = rest ? rest.split(':') : [];
  const groups = rest === undefined ? hs : [...hs, ...Array<string>(8 - hs.length - ts.length).fill('0'), ...ts];
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new RangeError(`bad port: ${port}`);
}

/** struct sockaddr_in (16 bytes), port in network order. */
export function sockaddrIn(addr: string, port: number): Buffer {
  checkPort(port);
  const b = Buffer.alloc(16);
  b.writeUInt16LE(AF_INET, 0);
  b.writeUInt16BE(port, 2);
  Buffer.from(ipv4Bytes(addr)).copy(b, 4);
  return b;
}

/** struct sockaddr_in6 (28 bytes): family, port (network order), flowinfo 0, addr, scope id. */
export function sockaddrIn6(addr: string, port: number, scopeId = 0): Buffer {
  checkPort(port);
  const b = Buffer.alloc(28);
  b.writeUInt16LE(AF_INET6, 0);
  b.writeUInt16BE(port, 2);
  ipv6Bytes(addr).copy(b, 8);
  b.writeUInt32LE(scopeId >>> 0, 24);
  return b;
}
