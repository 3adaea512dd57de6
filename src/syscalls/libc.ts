// The one place that loads ffi-rs. Rules and measurements behind every choice here:
// ../shared/notes/ffi-rs.md.
import { isMainThread } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { readFileSync, stat } from 'node:fs';
import type * as FfiRs from 'ffi-rs';
import { SyscallError } from './errors.js';

// Checked before ffi-rs is required (hence createRequire rather than a static import, which
// would be evaluated first): ffi-rs loaded only in a worker segfaults the process when the
// worker exits, and setns/unshare act on the calling thread only.
if (!isMainThread) {
  throw new Error(
    'nlkit must be loaded on the main thread: ffi-rs segfaults the process when it is loaded ' +
      'inside worker_threads, and namespace switches only affect the calling thread ' +
      '(under vitest use pool "forks")',
  );
}

const requireCjs = createRequire(import.meta.url);

/**
 * ffi-rs picks its glibc or musl binary by calling process.report.getReport(), which assembles a
 * whole diagnostic report (10-20 ms, about a tenth of a command's start-up) to read one field.
 * When this process has glibc's libc.so.6 mapped, the answer is known, and for the one synchronous
 * require getReport returns just that field. Otherwise (musl, no /proc) ffi-rs asks as it would.
 */
function requireFfiRs(): typeof FfiRs {
  let glibc = false;
  try {
    glibc = /\/libc\.so\.6$/m.test(readFileSync('/proc/self/maps', 'utf8'));
  } catch {
    // no /proc: ffi-rs finds out itself
  }
  const report = process.report;
  if (!glibc || typeof report?.getReport !== 'function') return requireCjs('ffi-rs') as typeof FfiRs;
  const getReport = report.getReport;
  report.getReport = (() => ({ header: { glibcVersionRuntime: 'glibc' } })) as unknown as typeof getReport;
  try {
    return requireCjs('ffi-rs') as typeof FfiRs;
  } finally {
    report.getReport = getReport;
  }
}
const ffi = requireFfiRs();
export const { DataType } = ffi;

type Load = (params: FfiRs.FFIParams<FfiRs.DataType.I64>) => unknown;

/**
 * ffi-rs's exported load() wraps its native binding's load() to normalise array parameter types,
 * copying every descriptor's paramsType with a .map per call. Our descriptors are already in the
 * native form, and in cold code (the first thousands of calls of a process) that wrapper cost
 * ~1 us per call: 3.5-4.6 us against 2.9 us for the bare native call. The binding is the module
 * ffi-rs itself loaded (whichever platform package that was), found in require's cache; if it is
 * not there, the wrapper is used.
 */
function nativeLoad(): Load | undefined {
  for (const m of Object.values(requireCjs.cache)) {
    const e = m?.exports as Partial<Record<string, unknown>> | undefined;
    if (m?.filename.endsWith('.node') && typeof e?.load === 'function' && typeof e.createExternalBuffer === 'function' &&
        e.createExternalBuffer === ffi.createExternalBuffer) {
      return e.load as Load;
    }
  }
  return undefined;
}
const native = nativeLoad();
const load: Load = native ?? (ffi.load as Load);
/** Which entry sync calls take: "native" (the binding's own load) or "wrapper". For tests. */
export const ffiEntry: 'native' | 'wrapper' = native ? 'native' : 'wrapper';

// Opened once and never closed: ffi-rs's library map is process-global.
ffi.open({ library: 'libc', path: 'libc.so.6' });

/** A Buffer parameter, passed as its own data pointer (zero copy; subarray offsets honoured;
 *  an empty Buffer becomes NULL). */
export const BUF = ffi.arrayConstructor({ type: DataType.U8Array, length: 0 });
/** ffi-rs has no NULL for Buffer parameters: a slot that may be NULL is declared U64 and given 0. */
export const NULLPTR = DataType.U64;

/** A reusable `load()` descriptor: `define()` allocates per call and costs ~2.5x more. */
export interface Call {
  readonly library: 'libc';
  readonly funcName: string;
  readonly retType: FfiRs.DataType;
  paramsType: FfiRs.FieldType[];
  readonly paramsValue: unknown[];
  readonly freeResultMemory: false;
}

export function fn(funcName: string, retType: FfiRs.DataType, paramsType: FfiRs.FieldType[]): Call {
  return {
    library: 'libc',
    funcName,
    retType,
    paramsType,
    paramsValue: new Array<unknown>(paramsType.length).fill(0),
    freeResultMemory: false,
  };
}

export function call(d: Call): number {
  return load(d as unknown as FfiRs.FFIParams<FfiRs.DataType.I64>) as number;
}

// A Buffer argument costs ~2.5 us per call in ffi-rs, a U64 ~0.5 us. Hot calls therefore pass the
// data address of Buffers seen before. That is sound because an ArrayBuffer's backing store never
// moves once its address has been taken (V8 moves on-heap typed-array data off-heap on first
// access and keeps it there), the caller's Buffer keeps it alive during the synchronous call, and
// a detached ArrayBuffer has length 0, which takes the NULL path below.
const dAddr = fn('memcpy', DataType.BigInt, [BUF, BUF, DataType.U64]);
const bases = new WeakMap<ArrayBufferLike, number>();
// Only a second sighting pays for the address: one-shot Buffers (a fresh request per call) stay
// on the plain Buffer path, which is cheaper than memcpy's lookup.
const seenOnce = new WeakSet<ArrayBufferLike>();

function address(buf: Buffer): number {
  const ab = buf.buffer;
  const base = bases.get(ab);
  if (base !== undefined) return base + buf.byteOffset;
  if (!seenOnce.has(ab)) {
    seenOnce.add(ab);
    return -1;
  }
  seenOnce.delete(ab);
  return lookupAddress(buf);
}

/** The data address of a long-lived Buffer, looked up at once (no second sighting needed). Only
 *  for Buffers the caller keeps referenced for as long as it passes the address. */
export function pinnedAddress(buf: Buffer): number {
  const base = bases.get(buf.buffer);
  return base !== undefined ? base + buf.byteOffset : lookupAddress(buf);
}

function lookupAddress(buf: Buffer): number {
  const v = dAddr.paramsValue;
  v[0] = buf;
  v[1] = buf;
  v[2] = 0;
  const p = Number(call(dAddr));
  v[0] = v[1] = null;
  bases.set(buf.buffer, p - buf.byteOffset);
  return p;
}

/** Two descriptors for one function sharing one paramsValue array: slot `slot` is a raw address
 *  (U64) in `byPtr` and a Buffer in `byBuf`. */
export interface BufCall {
  readonly v: unknown[];
  readonly slot: number;
  readonly byPtr: Call;
  readonly byBuf: Call;
}

export function bufFn(funcName: string, retType: FfiRs.DataType, paramsType: FfiRs.FieldType[], slot: number): BufCall {
  const byBuf = fn(funcName, retType, paramsType);
  const ptrTypes = [...paramsType];
  ptrTypes[slot] = DataType.U64;
  const byPtr = { ...byBuf, paramsType: ptrTypes };
  return { v: byBuf.paramsValue, slot, byPtr, byBuf };
}

/** Calls with `buf` in the pair's buffer slot; other slots must already be set in `d.v`. An empty
 *  Buffer is passed as NULL, like ffi-rs does. */
export function callBuf(d: BufCall, buf: Buffer): number {
  const p = buf.length === 0 ? 0 : address(buf);
  if (p >= 0) {
    d.v[d.slot] = p;
    return call(d.byPtr);
  }
  d.v[d.slot] = buf;
  const r = call(d.byBuf);
  d.v[d.slot] = 0;
  return r;
}

// errno is thread-local; this view is the main thread's, which is where every sync call runs.
// Reading it costs nothing, unlike the `errno: true` option (+1-5 us per call).
const errnoBuf: Buffer = ffi.createExternalBuffer(
  ffi.load({
    library: 'libc',
    funcName: '__errno_location',
    retType: DataType.External,
    paramsType: [],
    paramsValue: [],
    freeResultMemory: false,
  }),
  4,
);

/** errno of the last failed call. Must be read before any other JS (even console.log) runs. */
export function errno(): number {
  return errnoBuf.readInt32LE(0);
}

/** Throws SyscallError with the current errno; call it right after a -1 return. */
export function fail(syscall: string): never {
  throw new SyscallError(syscall, errnoBuf.readInt32LE(0));
}

export interface AsyncResult {
  value: number;
  errnoCode: number;
}

/** A call on a libuv pool thread; errno comes from ffi-rs (read on that thread). The caller
 *  must keep every Buffer argument referenced until the promise settles. */
export function callInThread(
  funcName: string,
  retType: FfiRs.DataType,
  paramsType: FfiRs.FieldType[],
  paramsValue: unknown[],
): Promise<AsyncResult> {
  return ffi.load({
    library: 'libc',
    funcName,
    retType,
    paramsType,
    paramsValue,
    errno: true,
    runInNewThread: true,
    freeResultMemory: false,
  }) as unknown as Promise<AsyncResult>;
}

// Resolves memcpy (first sighting, then the address lookup) on the main thread.
{
  const b = Buffer.alloc(1);
  address(b);
  address(b);
}

// libuv creates its pool threads on first use and they keep the namespace of that moment:
// start them now, while the main thread is certainly at home.
stat('/', () => {});
