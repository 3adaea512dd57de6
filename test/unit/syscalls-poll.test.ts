import { describe, expect, it } from 'vitest';
import {
  EFD_CLOEXEC,
  EFD_NONBLOCK,
  POLLIN,
  SyscallError,
  close,
  eventfd,
  poll,
  pollAsync,
  read,
  write,
} from '../../src/syscalls/index.js';

function pollfds(...entries: Array<[fd: number, events: number]>): Buffer {
  const b = Buffer.alloc(entries.length * 8);
  entries.forEach(([fd, events], i) => {
    b.writeInt32LE(fd, i * 8);
    b.writeInt16LE(events, i * 8 + 4);
  });
  return b;
}

const one = (): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(1n);
  return b;
};

describe('eventfd + poll', () => {
  it('sync poll sees a written eventfd; read drains it', () => {
    const efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    try {
      const fds = pollfds([efd, POLLIN]);
      expect(poll(fds, 1, 0)).toBe(0);
      expect(write(efd, one())).toBe(8);
      expect(poll(fds, 1, 0)).toBe(1);
      expect(fds.readInt16LE(6) & POLLIN).toBe(POLLIN);
      const v = Buffer.alloc(8);
      expect(read(efd, v)).toBe(8);
      expect(v.readBigUInt64LE()).toBe(1n);
      expect(() => read(efd, v)).toThrowError(expect.objectContaining({ code: 'EAGAIN' }) as Error);
    } finally {
      close(efd);
    }
  });

  it('by-address Buffers stay correct under allocation churn (fresh Buffers, reused ones, views)', () => {
    const efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    try {
      const keep = Buffer.alloc(4096);
      for (let i = 1; i <= 3000; i++) {
        const fresh = Buffer.alloc(8 + (i % 50));
        const w = i % 3 === 0 ? fresh.subarray(fresh.length - 8) : keep.subarray((i * 8) % 4000, ((i * 8) % 4000) + 8);
        w.writeBigUInt64LE(BigInt(i));
        write(efd, w);
        const r = i % 2 ? Buffer.alloc(8) : keep.subarray(4088);
        expect(read(efd, r)).toBe(8);
        expect(r.readBigUInt64LE()).toBe(BigInt(i));
        if (i % 500 === 0) (globalThis as { gc?: () => void }).gc?.();
      }
    } finally {
      close(efd);
    }
  });

  it('rejects a pollfd buffer shorter than nfds entries', () => {
    expect(() => poll(Buffer.alloc(8), 2, 0)).toThrow(RangeError);
    expect(() => pollAsync(Buffer.alloc(8), 2, 0)).toThrow(RangeError);
  });

  it('pollAsync waits in a pool thread, a write wakes it, the event loop stays responsive', async () => {
    const efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    try {
      const fds = pollfds([efd, POLLIN]);
      let settled = false;
      // a timeout longer than the test's: only the write can end this poll
      const p = pollAsync(fds, 1, 600_000).finally(() => (settled = true));
      // timers keep firing while it waits (a poll on this thread would hold them all back)
      await new Promise<void>((r) => {
        let ticks = 0;
        const timer = setInterval(() => {
          if (++ticks < 10) return;
          clearInterval(timer);
          r();
        }, 5);
      });
      expect(settled).toBe(false);
      write(efd, one());
      expect(await p).toBe(1);
      expect(fds.readInt16LE(6) & POLLIN).toBe(POLLIN);
    } finally {
      close(efd);
    }
  });

  it('pollAsync times out with 0 and reports errno from the pool thread', async () => {
    expect(await pollAsync(pollfds([0, 0]), 1, 1)).toBe(0);
    // nfds beyond RLIMIT_NOFILE is EINVAL: an errno that can only come back via ffi-rs's
    // errno option, read on the pool thread.
    const many = 2_000_000;
    const err = await pollAsync(Buffer.alloc(many * 8), many, 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SyscallError);
    expect((err as SyscallError).code).toBe('EINVAL');
  });

  it('keeps the pollfd buffer alive while the thread uses it, under GC pressure', async () => {
    const efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    try {
      for (let round = 0; round < 20; round++) {
        // Only the promise is kept: the Buffer's one reference is inside pollAsync.
        const p = pollAsync(pollfds([efd, POLLIN]), 1, 5000);
        for (let i = 0; i < 200; i++) Buffer.alloc(1024 * 16).fill(i);
        (globalThis as { gc?: () => void }).gc?.();
        write(efd, one());
        expect(await p).toBe(1);
        read(efd, Buffer.alloc(8));
      }
    } finally {
      close(efd);
    }
  });
});
