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

/** Where a NetnsRef points, as a stat (the caller's own namespace when the ref is empty). */
function statRef(ref: { netns?: string; netnsPath?: string; netnsFd?: number; netnsPid?: number }): fs.Stats {
  if (ref.netnsFd !== undefined) return fs.fstatSync(ref.netnsFd);
  if (ref.netns !== undefined) return fs.statSync(`/run/netns/${ref.netns}`);
  if (ref.netnsPath !== undefined) return fs.statSync(ref.netnsPath);
  if (ref.netnsPid !== undefined) return fs.statSync(`/proc/${ref.netnsPid}/ns/net`);
  return fs.statSync("/proc/thread-self/ns/net");
}

/**
 * Refuses a container namespace that is the host's own (code 8, as libcni's skel): the plugin
 * would otherwise create, and on DEL delete, CNI_IFNAME among the host's interfaces.
 */
export function refuseHostNamespace(containerFd: number, host: Parameters<typeof statRef>[0]): void {
  const a = fs.fstatSync(containerFd), b = statRef(host);
  if (a.ino === b.ino && a.dev === b.dev) {
    throw new CniError(CNI_ERR.invalidNetns, "plugin's netns and netns from CNI_NETNS should not be the same");
  }
}
