// The data directory's lock: an exclusive flock(2) on <dir>/lock, the lock the reference takes (so
// the two implementations exclude each other), held for a whole allocation or release.
import * as fs from "node:fs";
import { CNI_ERR, CniError } from "../errors.js";
import { flock, LOCK_EX, LOCK_NB } from "../deps.js";

export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn` holding the lock. The lock is polled without blocking (a blocked flock would hold the
 * main thread, and with it every namespace switch); waiting longer than `timeoutMs` is code 11,
 * "try again later". Closing the file releases the lock, also when the process dies.
 */
export async function withDirLock<T>(lockPath: string, fn: () => Promise<T> | T, timeoutMs = DEFAULT_LOCK_TIMEOUT_MS): Promise<T> {
  // O_RDONLY|O_CREAT 0750: the mode the reference's file mutex gives the file
  const fd = fs.openSync(lockPath, fs.constants.O_RDONLY | fs.constants.O_CREAT, 0o750);
  try {
    const deadline = Date.now() + timeoutMs;
    for (let wait = 1; ; wait = Math.min(wait * 2, 25)) {
      try {
        flock(fd, LOCK_EX | LOCK_NB);
        break;
      } catch (e) {
        // by code, not class: in the library bundle flock's SyscallError is a second copy of the class
        if ((e as { code?: unknown }).code !== "EAGAIN") throw e;
      }
      if (Date.now() >= deadline) {
        throw new CniError(CNI_ERR.tryAgainLater, `timed out after ${timeoutMs} ms waiting for the lock ${lockPath}`, "another plugin holds the host-local data directory");
      }
      await sleep(wait + Math.random() * wait);
    }
    return await fn();
  } finally {
    fs.closeSync(fd);
  }
}
