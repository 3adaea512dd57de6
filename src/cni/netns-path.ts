// Opening CNI_NETNS: the path must name a network namespace (an nsfs file, or /proc/PID/ns/net).
import * as fs from "node:fs";
import { CNI_ERR, CniError } from "./errors.js";

const NSFS_MAGIC = 0x6e736673;
const PROC_SUPER_MAGIC = 0x9fa0;

/** A namespace path that does not exist (any more): DEL treats it as already cleaned up. */
export class NetnsGoneError extends CniError {
  constructor(readonly path: string, reason: string) {
    super(CNI_ERR.internal, `failed to open netns "${path}": ${reason}`);
  }
}

function errnoText(e: unknown): string {
  const m = /^[A-Z0-9]+: (.*?)(?:, \w+ '.*')?$/.exec((e as Error).message ?? "");
  return m ? m[1]! : String((e as Error).message ?? e);
}

/**
 * An open fd on the namespace at `path` (the caller closes it). Worded like the reference:
 * `failed to open netns "P": failed to Statfs "P": no such file or directory`.
 */
export function openNetnsPath(path: string): number {
  let type: number;
  try {
    type = Number(fs.statfsSync(path).type);
  } catch (e) {
    const reason = `failed to Statfs "${path}": ${errnoText(e)}`;
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new NetnsGoneError(path, reason);
    throw new CniError(CNI_ERR.internal, `failed to open netns "${path}": ${reason}`);
  }
  if (type !== NSFS_MAGIC && type !== PROC_SUPER_MAGIC) {
    // a bind mount that was unmounted leaves the plain file ip netns made: the namespace is gone
    throw new NetnsGoneError(path, `unknown FS magic on "${path}": ${type.toString(16)}`);
  }
  try {
    return fs.openSync(path, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new NetnsGoneError(path, errnoText(e));
    throw new CniError(CNI_ERR.internal, `failed to open netns "${path}": ${errnoText(e)}`);
  }
}

/** The inode of the calling thread's network namespace (to refuse CNI_NETNS being the plugin's own). */
export function sameNamespace(fd: number): boolean {
  const mine = fs.statSync("/proc/thread-self/ns/net");
  const other = fs.fstatSync(fd);
  return mine.ino === other.ino && mine.dev === other.dev;
}
