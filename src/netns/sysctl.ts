// sysctl(8) for one namespace, without the sysctl binary. Files under /proc/sys/net belong to the
// namespace of the thread that opens them, so the file is opened (synchronously) inside the
// namespace window and read or written after the switch back.
import * as fs from "node:fs";
import { NlkitInputError } from "../netlink/errors.js";
import type { NetnsRef } from "../netlink/netns-ref.js";
import { errnoMessage, errnoNumber } from "../syscalls/errno.js";
import { SyscallError } from "../syscalls/errors.js";
import { runSync, type NetnsLike } from "./ref.js";

const PROC_SYS = "/proc/sys";

/**
 * A sysctl failed in a system call (errno/code as SyscallError), worded like sysctl(8).
 *
 * @example
 * ```ts
 * import { sysctl, SysctlError } from "nlkit";
 * try {
 *   await sysctl.set("net.ipv4.conf.veth9.forwarding", 1, { netns: "ns1" });
 * } catch (e) {
 *   // no veth9 in ns1: the key's file is not there
 *   if (e instanceof SysctlError && e.code === "ENOENT") console.log(`no such key ${e.key} (${e.path})`);
 *   else throw e;
 * }
 * ```
 */
export class SysctlError extends SyscallError {
  /** Always "SysctlError". */
  override readonly name = "SysctlError";
  /** The key asked for. */
  readonly key: string;
  /** The /proc/sys file behind it. */
  readonly path: string;

  constructor(syscall: string, errno: number, key: string, path: string, what: string) {
    super(syscall, errno);
    this.key = key;
    this.path = path;
    this.message = `${what} ${path}: ${errnoMessage(errno)} (${this.code})`;
  }
}

/**
 * The /proc/sys path of a key, by sysctl(8)'s rule: the first separator decides. A key whose first
 * separator is '/' is a path already; otherwise dots and slashes swap, so that a slash stands for a
 * dot inside a component: net.ipv4.conf.veth1/2.forwarding -> net/ipv4/conf/veth1.2/forwarding.
 */
export function sysctlPath(key: string): string {
  if (typeof key !== "string" || key.length === 0) throw new NlkitInputError("sysctl key is empty", "key");
  if (key.includes("\0")) throw new NlkitInputError("sysctl key contains a NUL byte", "key");
  const first = /[./]/.exec(key)?.[0];
  const rel = first === "." ? key.replace(/[./]/g, (c) => (c === "." ? "/" : ".")) : key;
  const parts = rel.split("/");
  if (parts.some((p) => p === "" || p === "." || p === "..")) {
    throw new NlkitInputError(`invalid sysctl key "${key}": empty, '.' or '..' component`, "key");
  }
  return `${PROC_SYS}/${rel}`;
}

/**
 * Where the key is read or written: a namespace, or (none given) the caller's current one.
 *
 * @example
 * ```ts
 * // the same key, read in the current namespace and in ns1 (by name; netnsPath/netnsFd/netnsPid work too)
 * const opts: SysctlOptions = { netns: "ns1" };
 * console.log(await sysctl.get("net.ipv4.ip_forward"), await sysctl.get("net.ipv4.ip_forward", opts));
 * ```
 */
export type SysctlOptions = NetnsRef;

function target(opts: SysctlOptions): NetnsLike | undefined {
  const given = opts.netns !== undefined || opts.netnsPath !== undefined || opts.netnsFd !== undefined || opts.netnsPid !== undefined;
  return given ? opts : undefined;
}

function openKey(key: string, flags: number, opts: SysctlOptions): { fd: number; path: string } {
  const path = sysctlPath(key);
  const open = () => {
    try {
      return fs.openSync(path, flags);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const errno = code ? errnoNumber(code) : undefined;
      if (errno === undefined) throw e;
      throw new SysctlError("open", errno, key, path, code === "ENOENT" ? "cannot stat" : "cannot open");
    }
  };
  const ns = target(opts);
  return { fd: ns === undefined ? open() : runSync(ns, open), path };
}

function ioFail(e: unknown, syscall: string, key: string, path: string, what: string): never {
  const code = (e as NodeJS.ErrnoException).code;
  const errno = code ? errnoNumber(code) : undefined;
  if (errno === undefined) throw e;
  throw new SysctlError(syscall, errno, key, path, what);
}

export function getSync(key: string, opts: SysctlOptions = {}): string {
  const { fd, path } = openKey(key, fs.constants.O_RDONLY, opts);
  try {
    return fs.readFileSync(fd, "utf8").trim();
  } catch (e) {
    return ioFail(e, "read", key, path, "reading key");
  } finally {
    fs.closeSync(fd);
  }
}

export function setSync(key: string, value: string | number | boolean, opts: SysctlOptions = {}): void {
  const text = typeof value === "boolean" ? (value ? "1" : "0") : String(value);
  if (text.includes("\0")) throw new NlkitInputError("sysctl value contains a NUL byte", "value");
  const { fd, path } = openKey(key, fs.constants.O_WRONLY, opts);
  try {
    // One write: proc handlers parse a single buffer; a short write would split a value.
    fs.writeSync(fd, text);
  } catch (e) {
    ioFail(e, "write", key, path, "setting key");
  } finally {
    fs.closeSync(fd);
  }
}

/** `sysctl -n KEY` (trimmed), in `opts`' namespace or the current one. */
export async function get(key: string, opts: SysctlOptions = {}): Promise<string> {
  return getSync(key, opts);
}

/** `sysctl -w KEY=VALUE`, in `opts`' namespace or the current one. */
export async function set(key: string, value: string | number | boolean, opts: SysctlOptions = {}): Promise<void> {
  setSync(key, value, opts);
}
