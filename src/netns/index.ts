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
  add, attach, del, list, listDetailed, listIds, exists,
  exec, spawn, runSync,
  setId, getId,
  resolve, identify, current,
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
export const sysctl = Object.freeze({ get, set, path: sysctlPath });

export { NetnsError } from "./errors.js";
export { SysctlError, type SysctlOptions } from "./sysctl.js";
export type { ExecOptions, ExecResult } from "./exec.js";
export type { NetnsEntry, NsidEntry } from "./named.js";
export type { NsidOptions } from "./nsid.js";
export type { NetnsLike, ResolvedNetns } from "./ref.js";
export type { NetnsRef } from "../netlink/netns-ref.js";
