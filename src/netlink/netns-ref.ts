import * as fs from "node:fs";
import { NlkitInputError } from "./errors.js";

/** Where iproute2 (and nlkit) keep named network namespaces. */
export const NETNS_RUN_DIR = "/run/netns";

/**
 * A network namespace, named the ways iproute2 users name them. At most one field is set.
 *
 * @example
 * ```ts
 * const ref: NetnsRef = { netnsPid: 4242 };   // the namespace of process 4242 (a container's)
 * const inside = await Rtnl.open(ref);
 * console.log((await inside.link.list()).map((l) => l.name));   // ["lo", "eth0"]
 * const nftNs = await Nft.open({ netns: "ns1" });   // a name from ip netns add ns1
 * ```
 */
export interface NetnsRef {
  /** A name under /run/netns, as `ip netns add NAME` makes. */
  netns?: string;
  /** Any nsfs path: /run/netns/x, /proc/PID/ns/net, /var/run/docker/netns/... */
  netnsPath?: string;
  /** An open namespace fd; the caller keeps ownership. */
  netnsFd?: number;
  /** The namespace of a process. */
  netnsPid?: number;
}

const NAME_MAX = 255;

/** Refuses names `ip netns` would refuse, before anything touches the filesystem. */
export function validateNetnsName(name: string): void {
  if (typeof name !== "string" || name.length === 0) throw new NlkitInputError("namespace name is empty", "netns");
  if (name.includes("/") || name === "." || name === "..") {
    throw new NlkitInputError(`invalid namespace name "${name}": it must not contain '/' or be '.' or '..'`, "netns");
  }
  if (Buffer.byteLength(name) > NAME_MAX) throw new NlkitInputError(`namespace name is longer than ${NAME_MAX} bytes`, "netns");
  if (name.includes("\0")) throw new NlkitInputError("namespace name contains a NUL byte", "netns");
}

export function netnsNamePath(name: string): string {
  validateNetnsName(name);
  return `${NETNS_RUN_DIR}/${name}`;
}

/** The path of a referenced namespace, or undefined for an fd or for "the current namespace". */
export function netnsRefPath(ref: NetnsRef): string | undefined {
  // a bare name ("ns1") where an options object belongs must not quietly mean the current namespace
  if (ref === null || typeof ref !== "object") throw new NlkitInputError(`namespace options must be an object such as { netns: "ns1" }, not ${JSON.stringify(ref)}`, "netns");
  const given = [ref.netns, ref.netnsPath, ref.netnsFd, ref.netnsPid].filter((v) => v !== undefined).length;
  if (given > 1) throw new NlkitInputError("give only one of netns, netnsPath, netnsFd, netnsPid", "netns");
  if (ref.netns !== undefined) return netnsNamePath(ref.netns);
  if (ref.netnsPath !== undefined) return ref.netnsPath;
  if (ref.netnsPid !== undefined) {
    if (!Number.isInteger(ref.netnsPid) || ref.netnsPid <= 0) throw new NlkitInputError(`invalid pid ${ref.netnsPid}`, "netnsPid");
    return `/proc/${ref.netnsPid}/ns/net`;
  }
  return undefined;
}

/**
 * Opens a namespace file for setns. A missing one (or one this user may not open) is the
 * caller's input, worded as ip words it; anything else is a plain filesystem error.
 */
export function openNetnsPath(path: string): number {
  try {
    return fs.openSync(path, "r");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "ENOENT" || err.code === "EACCES") {
      const why = err.code === "ENOENT" ? "No such file or directory" : "Permission denied";
      throw new NlkitInputError(`Cannot open network namespace "${path}": ${why}`, "netns", err.code);
    }
    throw e;
  }
}
