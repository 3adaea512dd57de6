import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import {
  AF_INET,
  AF_INET6,
  AF_NETLINK,
  MSG_DONTWAIT,
  MSG_PEEK,
  MSG_TRUNC,
  SOCK_CLOEXEC,
  SOCK_RAW,
  SOL_SOCKET,
  SO_RCVBUF,
  SO_SNDBUF,
  SyscallError,
  close,
  getsockname,
  getsockopt,
  getsockoptInt,
  getpid,
  gettid,
  recv,
  recvfrom,
  sendto,
  setsockoptInt,
  sockaddrIn,
  sockaddrIn6,
  sockaddrNl,
  socket,
} from '../../src/syscalls/index.js';
import { RTM_NEWLINK, dumpLinkNames, getlinkRequest, linkName, messages, openRoute } from '../helpers/syscalls-nl.js';

describe('NETLINK_ROUTE socket', () => {
  it('binds and gets a nonzero port id', () => {
    const fd = openRoute();
    try {
      const a = Buffer.alloc(12);
      expect(getsockname(fd, a)).toBe(12);
      expect(a.readUInt16LE(0)).toBe(AF_NETLINK);
      expect(a.readUInt32LE(4)).not.toBe(0);
    } finally {
      close(fd);
    }
  });

  it('dumps links with sendto + recv', () => {
    const fd = openRoute();
    try {
      expect(dumpLinkNames(fd)).toContain('lo');
    } finally {
      close(fd);
    }
  });

  it('MSG_PEEK|MSG_TRUNC reports the full datagram length into a 16-byte buffer', () => {
    const fd = openRoute();
    try {
      expect(sendto(fd, getlinkRequest(7, 1), 0)).toBe(32);
      const small = Buffer.alloc(16);
      const full = recv(fd, small, MSG_PEEK | MSG_TRUNC);
      expect(full).toBeGreaterThan(16);
      expect(small.readUInt32LE(0)).toBe(full); // nlmsg_len of the single reply
      const buf = Buffer.alloc(full);
      const from = Buffer.alloc(12, 0xff);
      expect(recvfrom(fd, buf, 0, from)).toBe(full);
      expect(from.readUInt16LE(0)).toBe(AF_NETLINK);
      expect(from.readUInt32LE(4)).toBe(0); // the kernel
      const [m] = [...messages(buf)];
      expect(m?.type).toBe(RTM_NEWLINK);
      expect(m?.seq).toBe(7);
      expect(linkName(m!.body)).toBe('lo');
    } finally {
      close(fd);
    }
  });

  it('honours subarray views for send and receive', () => {
    const fd = openRoute();
    try {
      const big = Buffer.alloc(100, 0xee);
      getlinkRequest(9, 1).copy(big, 40);
      expect(sendto(fd, big.subarray(40, 72), 0, sockaddrNl())).toBe(32);
      const rx = Buffer.alloc(70000, 0xaa);
      const view = rx.subarray(1000, 66000);
      const n = recv(fd, view, 0);
      expect(rx[999]).toBe(0xaa);
      expect(rx.readUInt32LE(1000)).toBe(n);
      expect(rx.readUInt16LE(1004)).toBe(RTM_NEWLINK);
      expect(rx[1000 + n]).toBe(0xaa);
      // A view shorter than the datagram truncates inside it and never writes past it.
      sendto(fd, getlinkRequest(10, 1), 0);
      const tiny = rx.subarray(2000, 2020);
      rx.fill(0xaa);
      expect(recv(fd, tiny, MSG_TRUNC)).toBe(n);
      expect(rx[2020]).toBe(0xaa);
      expect(rx[1999]).toBe(0xaa);
    } finally {
      close(fd);
    }
  });

  it('honours views on the by-address path too (same ArrayBuffer, many offsets, pooled Buffers)', () => {
    const fd = openRoute();
    try {
      const tx = Buffer.alloc(4096, 0xee);
      const rx = Buffer.alloc(65536, 0xaa);
      for (let i = 0; i < 12; i++) {
        const off = 64 * i + (i & 3); // odd offsets too
        getlinkRequest(100 + i, 1).copy(tx, off);
        expect(sendto(fd, tx.subarray(off, off + 32), 0)).toBe(32);
        rx.fill(0xaa);
        const at = 8 + 512 * i + (i & 1);
        const n = recv(fd, rx.subarray(at), 0);
        expect(rx[at - 1]).toBe(0xaa);
        expect(rx.readUInt32LE(at)).toBe(n);
        expect(rx.readUInt32LE(at + 8)).toBe(100 + i);
        expect(rx[at + n]).toBe(0xaa);
      }
      // Buffer.from of small data shares Node's 8 KiB pool: distinct Buffers, one ArrayBuffer.
      for (let i = 0; i < 6; i++) {
        const req = Buffer.from(getlinkRequest(200 + i, 1));
        sendto(fd, req, 0);
        const n = recv(fd, rx, 0);
        expect(rx.readUInt32LE(8)).toBe(200 + i);
        expect(n).toBe(rx.readUInt32LE(0));
      }
    } finally {
      close(fd);
    }
  });

  it('a detached ArrayBuffer is passed as NULL with length 0, never its old address', () => {
    const fd = openRoute();
    try {
      const ab = new ArrayBuffer(64);
      const b = Buffer.from(ab);
      for (let i = 0; i < 3; i++) getlinkRequest(1, 1).copy(b), sendto(fd, b.subarray(0, 32), 0), recv(fd, Buffer.alloc(8192), 0);
      structuredClone(ab, { transfer: [ab] });
      expect(b.length).toBe(0);
      expect(() => recv(fd, b, MSG_DONTWAIT)).toThrowError(expect.objectContaining({ code: 'EAGAIN' }) as Error);
    } finally {
      close(fd);
    }
  });

  it('several requests in one sendto are all answered', () => {
    const fd = openRoute();
    try {
      sendto(fd, Buffer.concat([getlinkRequest(1, 1), getlinkRequest(2, 1), getlinkRequest(3, 1)]), 0);
      const buf = Buffer.alloc(65536);
      const seqs: number[] = [];
      for (let i = 0; i < 3; i++) for (const m of messages(buf.subarray(0, recv(fd, buf, 0)))) seqs.push(m.seq);
      expect(seqs).toEqual([1, 2, 3]);
    } finally {
      close(fd);
    }
  });

  it('an empty non-blocking queue is EAGAIN, not a hang', () => {
    const fd = openRoute();
    try {
      const b = Buffer.alloc(64);
      // first sighting (Buffer path), second (address lookup), then the cached address
      for (let i = 0; i < 4; i++) {
        expect(() => recv(fd, b, MSG_DONTWAIT)).toThrowError(expect.objectContaining({ code: 'EAGAIN', syscall: 'recv' }) as Error);
      }
    } finally {
      close(fd);
    }
  });

  it('int socket options round-trip', () => {
    const fd = openRoute();
    try {
      setsockoptInt(fd, SOL_SOCKET, SO_SNDBUF, 65536);
      expect(getsockoptInt(fd, SOL_SOCKET, SO_SNDBUF)).toBe(131072); // the kernel doubles it
      const v = Buffer.alloc(8);
      expect(getsockopt(fd, SOL_SOCKET, SO_RCVBUF, v)).toBe(4);
      expect(v.readInt32LE(0)).toBeGreaterThan(0);
      expect(() => getsockoptInt(fd, 12345, 1)).toThrow(SyscallError);
    } finally {
      close(fd);
    }
  });

  it('does not leak fds over 10k open/close cycles', () => {
    const count = (): number => readdirSync('/proc/self/fd').length;
    const before = count();
    for (let i = 0; i < 10000; i++) close(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0));
    expect(count()).toBe(before);
  });
});

describe('process ids', () => {
  it('getpid/gettid are the main thread of this process', () => {
    expect(getpid()).toBe(process.pid);
    expect(gettid()).toBe(process.pid);
  });
});

describe('sockaddr builders', () => {
  it('sockaddr_nl is 12 host-order bytes', () => {
    expect(sockaddrNl()).toEqual(Buffer.from([16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    expect(sockaddrNl(0x01020304, 0x80000001)).toEqual(Buffer.from([16, 0, 0, 0, 4, 3, 2, 1, 1, 0, 0, 0x80]));
  });

  it('sockaddr_in has a big-endian port', () => {
    expect(sockaddrIn('10.1.2.3', 0x1234)).toEqual(Buffer.from([AF_INET, 0, 0x12, 0x34, 10, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0]));
    expect(() => sockaddrIn('10.1.2', 1)).toThrow(TypeError);
    expect(() => sockaddrIn('10.1.2.3', 65536)).toThrow(RangeError);
  });

  it.each([
    ['::', '00000000000000000000000000000000'],
    ['::1', '00000000000000000000000000000001'],
    ['fe80::1%lo', 'fe800000000000000000000000000001'],
    ['2001:db8::8:800:200c:417a', '20010db80000000000080800200c417a'],
    ['2001:db8:0:0:1:0:0:1', '20010db8000000000001000000000001'],
    ['1::', '00010000000000000000000000000000'],
    ['::ffff:192.0.2.128', '00000000000000000000ffffc0000280'],
  ])('sockaddr_in6 %s', (addr, hex) => {
    const b = sockaddrIn6(addr, 443, 7);
    expect(b.length).toBe(28);
    expect(b.readUInt16LE(0)).toBe(AF_INET6);
    expect(b.readUInt16BE(2)).toBe(443);
    expect(b.readUInt32LE(4)).toBe(0);
    expect(b.subarray(8, 24).toString('hex')).toBe(hex);
    expect(b.readUInt32LE(24)).toBe(7);
  });
});

