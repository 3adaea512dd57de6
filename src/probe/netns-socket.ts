import * as fs from "node:fs";
import { NlkitInputError } from "../netlink/errors.js";
import { netnsRefPath, type NetnsRef } from "../netlink/netns-ref.js";
import * as sys from "../syscalls/index.js";

/** A namespace given by name, or any NetnsRef; undefined means the current one. */
export type NetnsArg = string | NetnsRef | undefined;

/**
 * Creates a socket inside a namespace: the thread switches in only for the socket() call and is
 * back before anything else runs; the socket stays bound to that namespace.
 */
export function socketIn(netns: NetnsArg, domain: number, type: number, protocol: number): number {
  const create = () => sys.socket(domain, type | sys.SOCK_CLOEXEC | sys.SOCK_NONBLOCK, protocol);
  if (netns === undefined) return create();
  const ref: NetnsRef = typeof netns === "string" ? { netns } : netns;
  if (ref.netnsFd !== undefined) return sys.withNetns(ref.netnsFd, create);
  const path = netnsRefPath(ref);
  if (!path) return create();
  let fd: number;
  try {
    fd = fs.openSync(path, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") {
      throw new NlkitInputError(`network namespace "${ref.netns ?? path}" does not exist`, "netns", "ENOENT");
    }
    throw e;
  }
  try {
    return sys.withNetns(fd, create);
  } finally {
    fs.closeSync(fd);
  }
}
