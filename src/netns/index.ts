// Named network namespaces, programs and sysctls inside them, and namespace ids.
import { exec, spawn } from "./exec.js";
import { add, attach, del, exists, list, listDetailed, listIds } from "./named.js";
import { getId, setId } from "./nsid.js";
import { current, identify, resolve, runSync } from "./ref.js";
import { get, set, sysctlPath } from "./sysctl.js";

/**
 * `ip netns` as functions: add, attach, del, list and exists for named namespaces under /run/netns;
 * exec and spawn to run a program inside one (argv, never a shell); runSync to run a function inside
 * one; setId/getId for namespace ids. Every namespace switch is synchronous and undone before
 * returning, even on throw. Failures are `NetnsError`s.
 *
 * @example
 * ```ts
 * import { netns } from "nlkit";
 * await netns.add("ns1");                                     // ip netns add ns1
 * const r = await netns.exec("ns1", "ip", ["-j", "addr"]);    // { code, signal, stdout, stderr }
 * await netns.del("ns1");
 * ```
 */
export const netns = Object.freeze({
  /** `ip netns add NAME`: a new namespace, bind-mounted under /run/netns. */
  add,
  /** `ip netns attach NAME PID`: names an existing namespace. */
  attach,
  /** `ip netns del NAME`: removes the name; the namespace lives on while something holds it. */
  del,
  /** `ip netns list`: the names, in ip's order. */
  list,
  /** `ip netns list` with each namespace's id. */
  listDetailed,
  /** `ip netns list-id`: the ids assigned, with their names. */
  listIds,
  /** Whether a name is a mounted namespace. */
  exists,
  /** Runs a program inside a namespace and collects its output (argv, never a shell). */
  exec,
  /** Starts a program inside a namespace as a ChildProcess. */
  spawn,
  /** Runs a synchronous function inside a namespace, switching back even when it throws. */
  runSync,
  /** `ip netns set NAME ID`: assigns a namespace's id as another namespace sees it. */
  setId,
  /** A namespace's id as another namespace sees it (RTM_GETNSID), or undefined. */
  getId,
  /** Where a namespace reference points, checked but not opened. */
  resolve,
  /** The inode of the namespace behind a reference: equal inodes, same namespace. */
  identify,
  /** The inode of the namespace the calling thread is in. */
  current,
});

/**
 * sysctl(8) per namespace: `get`/`set` a key under /proc/sys as seen from `{ netns }` (any NetnsRef,
 * default the current namespace), and `path` for the file behind a key. Failures are `SysctlError`s.
 *
 * @example
 * ```ts
 * import { sysctl } from "nlkit";
 * await sysctl.set("net.ipv4.ip_forward", "1", { netns: "ns1" });
 * await sysctl.get("net.ipv4.conf.all.forwarding", { netns: "ns1" });   // "1"
 * ```
 */
export const sysctl = Object.freeze({
  /** `sysctl -n KEY`, in `opts.netns` or the current namespace. */
  get,
  /** `sysctl -w KEY=VALUE`, in `opts.netns` or the current namespace. */
  set,
  /** The /proc/sys path of a key, by sysctl(8)'s rules. */
  path: sysctlPath,
});

export { NetnsError } from "./errors.js";
export { SysctlError, type SysctlOptions } from "./sysctl.js";
export type { ExecOptions, ExecResult } from "./exec.js";
export type { NetnsEntry, NsidEntry } from "./named.js";
export type { NsidOptions } from "./nsid.js";
export type { NetnsLike, ResolvedNetns } from "./ref.js";
export type { NetnsRef } from "../netlink/netns-ref.js";
