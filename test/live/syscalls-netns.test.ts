import { afterAll, describe, expect, it } from 'vitest';
import { closeSync, openSync } from 'node:fs';
import { close, currentNetnsInode, getsockname, withNetns, withNewNetns } from '../../src/syscalls/index.js';
import { dumpLinkNames, openRoute } from '../helpers/syscalls-nl.js';

// Only anonymous namespaces: nothing here touches the root namespace or /run/netns.
describe.skipIf(process.getuid?.() !== 0)('network namespace switching (needs root: unshare/setns)', () => {
  const home = currentNetnsInode();
  const fds: number[] = [];
  afterAll(() => {
    for (const fd of fds) closeSync(fd);
    expect(currentNetnsInode()).toBe(home);
  });

  it('withNewNetns runs fn elsewhere and comes back', () => {
    const inside = withNewNetns(() => currentNetnsInode());
    expect(inside).not.toBe(home);
    expect(currentNetnsInode()).toBe(home);
  });

  it('comes back after fn throws, and the error is fn’s', () => {
    const boom = new Error('boom');
    expect(() =>
      withNewNetns(() => {
        throw boom;
      }),
    ).toThrow(boom);
    expect(currentNetnsInode()).toBe(home);
  });

  it('a socket created inside stays there while the process is home', () => {
    const fd = withNewNetns(() => openRoute());
    try {
      expect(currentNetnsInode()).toBe(home);
      expect(getsockname(fd, Buffer.alloc(12))).toBe(12);
      expect(dumpLinkNames(fd)).toEqual(['lo']);
      const homeFd = openRoute();
      try {
        expect(dumpLinkNames(homeFd).length).toBeGreaterThan(1);
      } finally {
        close(homeFd);
      }
    } finally {
      close(fd);
    }
  });

  it('withNetns enters a namespace by fd, repeatedly, and restores after a throw', () => {
    const [nsFd, ino] = withNewNetns(() => [openSync('/proc/thread-self/ns/net', 'r'), currentNetnsInode()] as const);
    fds.push(nsFd);
    expect(withNetns(nsFd, () => currentNetnsInode())).toBe(ino);
    expect(withNetns(nsFd, () => currentNetnsInode())).toBe(ino);
    expect(() =>
      withNetns(nsFd, () => {
        throw new RangeError('inside');
      }),
    ).toThrow(RangeError);
    expect(currentNetnsInode()).toBe(home);
    const fd = withNetns(nsFd, () => openRoute());
    try {
      expect(dumpLinkNames(fd)).toEqual(['lo']);
    } finally {
      close(fd);
    }
  });

  it('nests: withNewNetns inside withNetns returns to the outer one, then home', () => {
    const [nsFd, ino] = withNewNetns(() => [openSync('/proc/thread-self/ns/net', 'r'), currentNetnsInode()] as const);
    fds.push(nsFd);
    withNetns(nsFd, () => {
      const inner = withNewNetns(() => currentNetnsInode());
      expect(inner).not.toBe(ino);
      expect(currentNetnsInode()).toBe(ino);
    });
    expect(currentNetnsInode()).toBe(home);
  });

  it('a Promise-returning fn is refused and the namespace is restored', async () => {
    let inner: Promise<number> | undefined;
    expect(() =>
      withNewNetns(() => {
        inner = Promise.reject(new Error('late'));
        return inner;
      }),
    ).toThrow(/returned a Promise\/thenable; namespace switches are synchronous/);
    expect(currentNetnsInode()).toBe(home);
    await expect(inner).rejects.toThrow('late'); // and no unhandled rejection escaped
    expect(() => withNewNetns(() => ({ then: () => {} }))).toThrow(TypeError);
    expect(currentNetnsInode()).toBe(home);
  });

  it('a bad target fd leaves the thread at home', () => {
    expect(() => withNetns(-1, () => 1)).toThrowError(expect.objectContaining({ syscall: 'setns', code: 'EBADF' }) as Error);
    expect(currentNetnsInode()).toBe(home);
  });

  it('the libuv pool was started at home: async fs after a switch still sees home', async () => {
    withNewNetns(() => 0);
    const { stat } = await import('node:fs/promises');
    // thread-self, stat'ed from a pool thread, names that pool thread's namespace.
    expect((await stat('/proc/thread-self/ns/net', { bigint: true })).ino).toBe(home);
  });
});
