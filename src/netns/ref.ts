// Naming a namespace, opening it, and running synchronous code inside it.
import * as fs from "node:fs";
import { NlkitInputError } from "../netlink/errors.js";
import { netnsRefPath, validateNetnsName, NETNS_RUN_DIR, type NetnsRef } from "../netlink/netns-ref.js";
import * as sys from "../syscalls/index.js";
import { netnsFail } from "./errors.js";

/**
 * A namespace as users name it: a string is a name under /run/netns, or, when it starts with '/',
 * any nsfs path (iproute2 takes any string containing '/' as a path; nlkit refuses relative paths
 * so that "a/b" is an invalid name rather than a file below the working directory).
 */
export type NetnsLike = string | NetnsRef;

export interface ResolvedNetns {
  path?: string;
  /** The caller's fd, when the reference was one (never opened or closed by nlkit). */
  fd?: number;
}

function toRef(ref: NetnsLike): NetnsRef {
  if (typeof ref === "string") return ref.startsWith("/") ? { netnsPath: ref } : { netns: ref };
  if (ref === null || typeof ref !== "object") throw new NlkitInputError("a namespace is a name, a path or a NetnsRef", "netns");
  return ref;
}

/** Where a reference points, checked for shape but not opened. */
export function resolve(ref: NetnsLike): ResolvedNetns {
  const r = toRef(ref);
  if (r.netns !== undefined) validateNetnsName(r.netns);
  const path = netnsRefPath(r);
  if (path !== undefined) return { path };
  if (r.netnsFd !== undefined) {
    if (!Number.isInteger(r.netnsFd) || r.netnsFd < 0) throw new NlkitInputError(`invalid namespace fd ${r.netnsFd}`, "netnsFd");
    return { fd: r.netnsFd };
  }
  throw new NlkitInputError("no namespace given: give a name, a path, an fd or a pid", "netns");
}

/** How errors name the namespace: what the user wrote. */
export function describeRef(ref: NetnsLike): string {
  if (typeof ref === "string") return ref;
  return ref.netns ?? ref.netnsPath ?? (ref.netnsPid !== undefined ? `pid ${ref.netnsPid}` : `fd ${ref.netnsFd}`);
}

/** An fd on the namespace, and whether this module opened it (and must close it). */
export interface OpenNetns {
  fd: number;
  owned: boolean;
}

export function openNetns(ref: NetnsLike): OpenNetns {
  const r = resolve(ref);
  if (r.fd !== undefined) return { fd: r.fd, owned: false };
  try {
    return { fd: fs.openSync(r.path!, "r"), owned: true };
  } catch (e) {
    return netnsFail(e, "open", describeRef(ref), `Cannot open network namespace "${describeRef(ref)}"`);
  }
}

export function closeNetns(o: OpenNetns): void {
  if (o.owned) fs.closeSync(o.fd);
}

function isAsyncFunction(fn: unknown): boolean {
  const name = (fn as { constructor?: { name?: string } })?.constructor?.name;
  return name === "AsyncFunction" || name === "AsyncGeneratorFunction";
}

/**
 * Runs fn with the calling (main) thread inside the namespace and always switches back, even when
 * fn throws. Sockets and /proc/sys files opened in fn stay bound to the namespace afterwards.
 * An async fn is refused before switching; any other fn that returns a thenable is refused after
 * (its async part would run on a thread that has already left, or on the libuv pool, which never
 * entered).
 */
export function runSync<T>(ref: NetnsLike, fn: () => T): T {
  if (typeof fn !== "function") throw new NlkitInputError("runSync needs a function", "fn");
  if (isAsyncFunction(fn)) {
    throw new NlkitInputError(
      "netns.runSync: the callback is an async function; a namespace switch is synchronous and async work " +
        "inside it would run in the wrong namespace (open sockets/files inside, await outside)",
      "fn",
    );
  }
  const o = openNetns(ref);
  try {
    return sys.withNetns(o.fd, fn);
  } finally {
    closeNetns(o);
  }
}

// linux/nsfs.h: _IO(0xb7, 0x3)
const NS_GET_NSTYPE = 0xb703;

/** The namespace inode behind a reference (`ls -iL /run/netns/x`): equal inodes, same namespace. */
export function identify(ref: NetnsLike): bigint {
  const o = openNetns(ref);
  try {
    // An empty or unmounted file under /run/netns has an inode too: only nsfs answers this ioctl,
    // and it tells a network namespace from the others.
    let type = -1;
    try {
      type = sys.ioctlInt(o.fd, NS_GET_NSTYPE, 0);
    } catch {
      // ENOTTY: not an nsfs file
    }
    if (type !== sys.CLONE_NEWNET) throw new NlkitInputError(`"${describeRef(ref)}" is not a network namespace`, "netns");
    return fs.fstatSync(o.fd, { bigint: true }).ino;
  } finally {
    closeNetns(o);
  }
}

/** The inode of the namespace the calling thread is in. */
export function current(): bigint {
  return sys.currentNetnsInode();
}

export { NETNS_RUN_DIR };
