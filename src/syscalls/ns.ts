// Namespaces, mounts and process ids. setns/unshare act on the calling thread only; every
// switch here is synchronous and restored in `finally`, so the main thread is never left abroad.
import { closeSync, openSync, statSync } from 'node:fs';
import { CLONE_NEWNET } from './constants.js';
import { BUF, DataType, NULLPTR, call, fail, fn } from './libc.js';

const { I32, U64 } = DataType;

const dSetns = fn('setns', I32, [I32, I32]);
const dUnshare = fn('unshare', I32, [I32]);
const dUmount2 = fn('umount2', I32, [BUF, I32]);
const dGetpid = fn('getpid', I32, []);
const dGettid = fn('gettid', I32, []);

export function setns(fd: number, nstype: number): void {
  const v = dSetns.paramsValue;
  v[0] = fd;
  v[1] = nstype;
  if (call(dSetns) < 0) fail('setns');
}

export function unshare(flags: number): void {
  dUnshare.paramsValue[0] = flags;
  if (call(dUnshare) < 0) fail('unshare');
}

function cstr(s: string, what: string): Buffer {
  if (s.includes('\0')) throw new TypeError(`${what} contains a NUL byte`);
  return Buffer.from(`${s}\0`, 'utf8');
}

/** null arguments are passed as NULL pointers. */
export function mount(
  source: string | null,
  target: string,
  fstype: string | null,
  flags: number,
  data: string | null,
): void {
  // Not a hot path: the descriptor is built per call because each NULL changes a slot's type.
  const s = source === null ? 0 : cstr(source, 'mount source');
  const f = fstype === null ? 0 : cstr(fstype, 'mount fstype');
  const d = data === null ? 0 : cstr(data, 'mount data');
  const desc = fn('mount', I32, [s === 0 ? NULLPTR : BUF, BUF, f === 0 ? NULLPTR : BUF, U64, d === 0 ? NULLPTR : BUF]);
  desc.paramsValue.splice(0, 5, s, cstr(target, 'mount target'), f, flags, d);
  if (call(desc) < 0) fail('mount');
}

export function umount2(target: string, flags: number): void {
  const v = dUmount2.paramsValue;
  v[0] = cstr(target, 'umount2 target');
  v[1] = flags;
  const r = call(dUmount2);
  v[0] = null;
  if (r < 0) fail('umount2');
}

export function getpid(): number {
  return call(dGetpid);
}

export function gettid(): number {
  return call(dGettid);
}

// /proc/self would name the thread-group leader's namespace; thread-self is the caller's.
const NETNS_SELF = '/proc/thread-self/ns/net';

function assertNotThenable(r: unknown): void {
  if (r !== null && (typeof r === 'object' || typeof r === 'function') && typeof (r as { then?: unknown }).then === 'function') {
    // The async work already started and may still reject: keep that from becoming an
    // unhandledRejection on top of this error.
    (r as PromiseLike<unknown>).then(undefined, () => {});
    throw new TypeError(
      'nlkit: the function run inside a network namespace switch returned a Promise/thenable; ' +
        'namespace switches are synchronous and async work inside one runs in the wrong namespace ' +
        '(create the sockets inside, await outside)',
    );
  }
}

function switched<T>(enter: () => void, fn: () => T): T {
  const home = openSync(NETNS_SELF, 'r');
  try {
    enter();
    try {
      const r = fn();
      assertNotThenable(r);
      return r;
    } finally {
      // If this fails the main thread is stuck in a foreign namespace: nothing sane can follow,
      // so this error replaces whatever fn threw.
      setns(home, CLONE_NEWNET);
    }
  } finally {
    closeSync(home);
  }
}

/** Runs fn with the calling thread in the network namespace `targetFd` refers to. */
export function withNetns<T>(targetFd: number, fn: () => T): T {
  return switched(() => setns(targetFd, CLONE_NEWNET), fn);
}

/** Runs fn in a fresh anonymous network namespace; it lives on only through what fn created
 *  there (sockets, fds of /proc/thread-self/ns/net, bind mounts). */
export function withNewNetns<T>(fn: () => T): T {
  return switched(() => unshare(CLONE_NEWNET), fn);
}

export function currentNetnsInode(): bigint {
  return statSync(NETNS_SELF, { bigint: true }).ino;
}

// Resolve every symbol now, on the main thread (ffi-rs's symbol cache has no lock), with
// arguments that fail or do nothing.
{
  dSetns.paramsValue.splice(0, 2, -1, 0);
  call(dSetns);
  dUnshare.paramsValue[0] = 0;
  call(dUnshare);
  const empty = Buffer.from('\0');
  dUmount2.paramsValue.splice(0, 2, empty, 0);
  call(dUmount2);
  dUmount2.paramsValue[0] = null;
  const m = fn('mount', I32, [BUF, BUF, NULLPTR, U64, NULLPTR]);
  m.paramsValue.splice(0, 5, empty, empty, 0, 0, 0);
  call(m);
  call(dGetpid);
  call(dGettid);
}
