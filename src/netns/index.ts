// Named network namespaces, programs and sysctls inside them, and namespace ids.
import { exec, spawn } from "./exec.js";
import { add, attach, del, exists, list, listDetailed, listIds } from "./named.js";
import { getId, setId } from "./nsid.js";
import { current, identify, resolve, runSync } from "./ref.js";
import { get, set, sysctlPath } from "./sysctl.js";

/** `ip netns` as functions. Every namespace switch is synchronous and undone before returning. */
export const netns = Object.freeze({
  add, attach, del, list, listDetailed, listIds, exists,
  exec, spawn, runSync,
  setId, getId,
  resolve, identify, current,
});

/** sysctl(8) per namespace: `{ netns: "ns1" }` (or any NetnsRef), default the current namespace. */
export const sysctl = Object.freeze({ get, set, path: sysctlPath });

export { NetnsError } from "./errors.js";
export { SysctlError, type SysctlOptions } from "./sysctl.js";
export type { ExecOptions, ExecResult } from "./exec.js";
export type { NetnsEntry, NsidEntry } from "./named.js";
export type { NsidOptions } from "./nsid.js";
export type { NetnsLike, ResolvedNetns } from "./ref.js";
export type { NetnsRef } from "../netlink/netns-ref.js";
