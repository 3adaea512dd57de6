// Small pieces the bridge's ADD, DEL and CHECK share.
import { CNI_ERR, CniError, invalidConfig } from "./errors.js";
import { validIfname } from "./config.js";
import { NetlinkError, sysctl, type Link, type NetnsRef, type Rtnl } from "./deps.js";

export const EEXIST = 17;
export const ENODEV = 19;

/** A failure the reference reports as a plain error: code 999 with the message. */
export const fail = (msg: string): never => {
  throw new CniError(CNI_ERR.internal, msg);
};

export const isErrno = (e: unknown, errno: number): boolean => e instanceof NetlinkError && e.errno === errno;

/** The link, or undefined when there is none by that name or index. */
export async function findLink(rt: Rtnl, dev: string | number): Promise<Link | undefined> {
  try {
    return await rt.link.get(dev);
  } catch (e) {
    if (isErrno(e, ENODEV)) return undefined;
    throw e;
  }
}

/** Sysctls the reference sets and ignores failures of (a missing key must not fail the ADD). */
export async function trySysctl(key: string, value: string, where: NetnsRef): Promise<void> {
  try {
    await sysctl.set(key, value, where);
  } catch {
    // best effort, as the reference
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The bridge name (default cni0), checked like the interface name and the MTU; code 7 / 4 otherwise. */
export function checkBridgeSpec(spec: { bridge?: string; ifname: string; mtu?: number }): string {
  const br = spec.bridge ?? "cni0";
  if (!validIfname(br)) throw invalidConfig(`invalid bridge name ${JSON.stringify(br)}`);
  if (!validIfname(spec.ifname)) throw new CniError(CNI_ERR.invalidEnvironment, `invalid interface name ${JSON.stringify(spec.ifname)}`);
  if (spec.mtu !== undefined && (!Number.isInteger(spec.mtu) || spec.mtu < 0 || spec.mtu > 65535)) throw invalidConfig(`invalid mtu ${spec.mtu}`);
  return br;
}

/** Deletes a link, an already missing one being fine. */
export async function delLink(rt: Rtnl, index: number): Promise<void> {
  try {
    await rt.link.del(index);
  } catch (e) {
    if (!isErrno(e, ENODEV)) throw e;
  }
}

