// Namespaces, mounts and process ids. setns/unshare act on the calling thread only; every
// switch here is synchronous and restored in `finally`, so the main thread is never left abroad.
import { closeSync, openSync, statSync } from 'node:fs';
import { CLONE_NEWNET } from './constants.js';
import { BUF, DataType, NULLPTR, call, fail, fn, pinnedAddress } from './libc.js';

const { I32, U64 } = DataType;

const dSetns = fn('setns', I32, [I32, I32]);
const dUnshare = fn('unshare', I32, [I32]);
const dUmount2 = fn('umount2', I32, [BUF, I32]);
const dUmount2At = fn('umount2', I32, [U64, I32]);
const dMountAt = fn('mount', I32, [U64, U64, U64, U64, U64]);
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

function checkNul(s: string | null, what: string): void {
  if (s !== null && s.includes('\0')) throw new TypeError(`${what} contains a NUL byte`);
}

// mount/umount2 run several times per named namespace (W4-style churn): their strings are
// copied into one long-lived Buffer and passed by address, since a Buffer argument costs ~2.5 us
// in ffi-rs and a U64 ~0.4 us. Strings that do not fit take the Buffer path.
const scratch = Buffer.alloc(4096);
const scratchAt = pinnedAddress(scratch);
const offsets = [0, 0, 0, 0];

/**
 * Copies `strs` into `buf` as consecutive C strings and writes each one's offset to `out` (-1 for
 * null). False when they do not all fit (what was written is then garbage). NULs are checked by
 * the caller.
 * @internal exported for tests
 */
export function packCStrings(buf: Buffer, strs: readonly (string | null)[], out: number[]): boolean {
  let off = 0;
  for (let i = 0; i < strs.length; i++) {
    const s = strs[i]!;
    if (s === null) {
      out[i] = -1;
      continue;
    }
    // a UTF-16 unit is at most 3 UTF-8 bytes: short strings need no measuring
    if (off + s.length * 3 + 1 > buf.length && off + Buffer.byteLength(s, 'utf8') + 1 > buf.length) return false;
    const n = buf.write(s, off, 'utf8');
    buf[off + n] = 0;
    out[i] = off;
    off += n + 1;
  }
  return true;
}

const at = (off: number): number => (off < 0 ? 0 : scratchAt + off);

/** null arguments are passed as NULL pointers. */
export function mount(
  source: string | null,
  target: string,
  fstype: string | null,
  flags: number,
  data: string | null,
): void {
  checkNul(source, 'mount source');
  checkNul(fstype, 'mount fstype');
  checkNul(data, 'mount data');
  checkNul(target, 'mount target');
  if (!packCStrings(scratch, [source, target, fstype, data], offsets)) return mountBuffers(source, target, fstype, flags, data);
  const v = dMountAt.paramsValue;
  v[0] = at(offsets[0]!);
  v[1] = at(offsets[1]!);
  v[2] = at(offsets[2]!);
  v[3] = flags;
  v[4] = at(offsets[3]!);
  if (call(dMountAt) < 0) fail('mount');
}

/** mount with each string in its own Buffer, for strings too long for the scratch Buffer. */
function mountBuffers(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void {
  // the descriptor is built per call because each NULL changes a slot's type
  const s = source === null ? 0 : cstr(source, 'mount source');
  const f = fstype === null ? 0 : cstr(fstype, 'mount fstype');
  const d = data === null ? 0 : cstr(data, 'mount data');
  const desc = fn('mount', I32, [s === 0 ? NULLPTR : BUF, BUF, f === 0 ? NULLPTR : BUF, U64, d === 0 ? NULLPTR : BUF]);
  desc.paramsValue.splice(0, 5, s, cstr(target, 'mount target'), f, flags, d);
  if (call(desc) < 0) fail('mount');
}

export function umount2(target: string, flags: number): void {
  checkNul(target, 'umount2 target');
  if (packCStrings(scratch, [target], offsets)) {
    const v = dUmount2At.paramsValue;
    v[0] = scratchAt + offsets[0]!;
    v[1] = flags;
    if (call(dUmount2At) < 0) fail('umount2');
    return;
  }
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
  dUmount2At.paramsValue.splice(0, 2, scratchAt, 0);
  scratch[0] = 0;
  call(dUmount2At);
  dMountAt.paramsValue.splice(0, 5, scratchAt, scratchAt, 0, 0, 0);
  call(dMountAt);
  call(dGetpid);
  call(dGettid);
}
