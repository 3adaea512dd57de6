import { describe, expect, it } from 'vitest';
import { constants } from 'node:os';
import { closeSync, openSync } from 'node:fs';
import {
  AF_NETLINK,
  CLONE_NEWNET,
  SOCK_RAW,
  SyscallError,
  close,
  errnoMessage,
  errnoName,
  errnoNumber,
  setns,
  socket,
} from '../../src/syscalls/index.js';

function thrown(f: () => unknown): SyscallError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SyscallError);
    return e as SyscallError;
  }
  throw new Error('did not throw');
}

describe('errno tables', () => {
  it('names and messages match Linux and glibc', () => {
    expect(errnoName(1)).toBe('EPERM');
    expect(errnoMessage(1)).toBe('Operation not permitted');
    expect(errnoName(11)).toBe('EAGAIN');
    expect(errnoName(4)).toBe('EINTR');
    expect(errnoName(105)).toBe('ENOBUFS');
    expect(errnoMessage(105)).toBe('No buffer space available');
    expect(errnoName(133)).toBe('EHWPOISON');
    expect(errnoName(9999)).toBe('UNKNOWN_9999');
    expect(errnoMessage(9999)).toBe('Unknown error 9999');
  });

  it("agrees with node's os.constants.errno for every name it knows", () => {
    const aliases: Record<string, string> = { EWOULDBLOCK: 'EAGAIN', EDEADLOCK: 'EDEADLK', ENOTSUP: 'EOPNOTSUPP' };
    for (const [name, n] of Object.entries(constants.errno)) {
      expect(errnoName(n), name).toBe(aliases[name] ?? name);
      expect(errnoNumber(name)).toBe(n);
    }
  });
});

describe('SyscallError from real calls', () => {
  it('close(-1) is EBADF', () => {
    const e = thrown(() => close(-1));
    expect(e.syscall).toBe('close');
    expect(e.errno).toBe(9);
    expect(e.code).toBe('EBADF');
    expect(e.message).toBe('close: Bad file descriptor (EBADF)');
    expect(e.name).toBe('SyscallError');
  });

  it('an unknown netlink protocol is EPROTONOSUPPORT', () => {
    const e = thrown(() => socket(AF_NETLINK, SOCK_RAW, 999));
    expect(e.code).toBe('EPROTONOSUPPORT');
    expect(e.syscall).toBe('socket');
  });

  it('setns on a regular file is EINVAL', () => {
    const fd = openSync('/proc/self/status', 'r');
    try {
      expect(thrown(() => setns(fd, CLONE_NEWNET)).code).toBe('EINVAL');
    } finally {
      closeSync(fd);
    }
  });

  it('errno survives GC and allocation between failing calls', () => {
    for (let i = 0; i < 20000; i++) {
      const junk = new Array(64).fill({ i });
      expect(thrown(() => (i & 1 ? close(-1) : socket(AF_NETLINK, SOCK_RAW, 999))).errno).toBe(i & 1 ? 9 : 93);
      void junk;
    }
  });
});
