// flock(2): whole-file advisory locks, the kind Go's syscall.Flock takes (and fcntl locks do not
// see). Synchronous, like every wrapper here: a caller that must not block asks with LOCK_NB.
import { DataType, call, fail, fn } from './libc.js';

export const LOCK_SH = 1;
export const LOCK_EX = 2;
export const LOCK_NB = 4;
export const LOCK_UN = 8;

const dFlock = fn('flock', DataType.I32, [DataType.I32, DataType.I32]);

/** Throws SyscallError; with LOCK_NB a lock held elsewhere is code 'EAGAIN' (EWOULDBLOCK). */
export function flock(fd: number, operation: number): void {
  const v = dFlock.paramsValue;
  v[0] = fd;
  v[1] = operation;
  if (call(dFlock) < 0) fail('flock');
}

// Resolve the symbol now, on the main thread (ffi-rs's symbol cache has no lock): fd -1 is EBADF.
try {
  flock(-1, LOCK_UN);
} catch {
  // expected
}
