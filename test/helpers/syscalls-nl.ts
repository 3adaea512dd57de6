// Just enough hand-built rtnetlink to exercise src/syscalls without the codec.
import { AF_NETLINK, SOCK_CLOEXEC, SOCK_RAW, bind, recv, sendto, sockaddrNl, socket } from '../../src/syscalls/index.js';

export const NETLINK_ROUTE = 0;
export const RTM_NEWLINK = 16;
export const RTM_GETLINK = 18;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLM_F_REQUEST = 0x1;
export const NLM_F_DUMP = 0x300;
export const IFLA_IFNAME = 3;

/** nlmsghdr + ifinfomsg: a dump of all links, or a get of one ifindex. */
export function getlinkRequest(seq: number, ifindex?: number): Buffer {
  const b = Buffer.alloc(32);
  b.writeUInt32LE(32, 0);
  b.writeUInt16LE(RTM_GETLINK, 4);
  b.writeUInt16LE(ifindex === undefined ? NLM_F_REQUEST | NLM_F_DUMP : NLM_F_REQUEST, 6);
  b.writeUInt32LE(seq, 8);
  b.writeInt32LE(ifindex ?? 0, 20);
  return b;
}

export function openRoute(): number {
  const fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  bind(fd, sockaddrNl());
  return fd;
}

interface Msg {
  type: number;
  seq: number;
  body: Buffer;
}

export function* messages(buf: Buffer): Generator<Msg> {
  let off = 0;
  while (off + 16 <= buf.length) {
    const len = buf.readUInt32LE(off);
    if (len < 16) break;
    yield { type: buf.readUInt16LE(off + 4), seq: buf.readUInt32LE(off + 8), body: buf.subarray(off + 16, off + len) };
    off += (len + 3) & ~3;
  }
}

export function linkName(body: Buffer): string | undefined {
  let off = 16; // ifinfomsg
  while (off + 4 <= body.length) {
    const len = body.readUInt16LE(off);
    if (len < 4) break;
    if ((body.readUInt16LE(off + 2) & 0x3fff) === IFLA_IFNAME) {
      return body.toString('utf8', off + 4, off + len).replace(/\0.*$/s, '');
    }
    off += (len + 3) & ~3;
  }
  return undefined;
}

/** Dumps link names over an already open NETLINK_ROUTE socket. */
export function dumpLinkNames(fd: number, seq = 1): string[] {
  sendto(fd, getlinkRequest(seq), 0, sockaddrNl());
  const names: string[] = [];
  const buf = Buffer.alloc(65536);
  for (;;) {
    const n = recv(fd, buf, 0);
    for (const m of messages(buf.subarray(0, n))) {
      if (m.type === NLMSG_DONE) return names;
      if (m.type === NLMSG_ERROR) throw new Error(`netlink error ${m.body.readInt32LE(0)}`);
      if (m.type === RTM_NEWLINK) names.push(linkName(m.body) ?? '?');
    }
  }
}
