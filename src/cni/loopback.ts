// The loopback plugin's work: lo up (ADD), down (DEL), up (CHECK), in the container's namespace.
import * as fs from "node:fs";
import { CNI_ERR, CniError } from "./errors.js";
import { Rtnl } from "./deps.js";
import { formatAddr, parseAddr } from "./ip.js";
import { NetnsGoneError, openNetnsPath, refuseHostNamespace } from "./netns-path.js";
import type { CniResult } from "./result.js";
import { settled } from "./settled.js";

async function inNetns<T>(netnsPath: string, fn: (rt: Rtnl) => Promise<T>): Promise<T> {
  const fd = openNetnsPath(netnsPath);
  try {
    // the plugin's own lo is not the container's: taking it down would cut the host's loopback
    refuseHostNamespace(fd, {});
    const rt = await Rtnl.open({ netnsFd: fd });
    try {
      return await fn(rt);
    } finally {
      rt.close();
    }
  } finally {
    fs.closeSync(fd);
  }
}

const isLoopback = (a: string): boolean => {
  const ip = parseAddr(a)!;
  return ip.family === 4 ? ip.value >> 24n === 127n : ip.value === 1n;
};

/**
 * ADD: lo up; the result names lo with its first IPv4 and IPv6 address, as the reference's.
 *
 * @example
 * ```ts
 * const result = await loopbackUp("/run/netns/ctr1");
 * console.log(result.ips?.map((ip) => ip.address)); // [ '127.0.0.1/8', '::1/128' ]
 * ```
 */
export async function loopbackUp(netnsPath: string): Promise<CniResult> {
  return inNetns(netnsPath, async (rt) => {
    await rt.link.set("lo", { up: true });
    const result: CniResult = { cniVersion: "1.1.0", interfaces: [{ name: "lo", mac: "00:00:00:00:00:00", sandbox: netnsPath }], ips: [], dns: {} };
    for (const family of [4, 6] as const) {
      const addrs = await settled(() => rt.addr.list({ dev: "lo", family }));
      const bad = addrs.find((a) => !isLoopback(a.local));
      if (bad) throw new CniError(CNI_ERR.internal, `loopback interface found with non-loopback address "${bad.local}"`);
      if (addrs[0]) result.ips!.push({ interface: 0, address: `${formatAddr(parseAddr(addrs[0].local)!)}/${addrs[0].prefixlen}` });
    }
    if (result.ips!.length === 0) delete result.ips;
    return result;
  });
}

/**
 * DEL: lo down; a namespace that is gone (or none given) is already done.
 *
 * @example
 * ```ts
 * // DEL: CNI_NETNS may be empty, or name a namespace already deleted; both are done already
 * await loopbackDown(process.env.CNI_NETNS);
 * ```
 */
export async function loopbackDown(netnsPath: string | undefined): Promise<void> {
  if (!netnsPath) return;
  try {
    await inNetns(netnsPath, (rt) => rt.link.set("lo", { up: false }));
  } catch (e) {
    if (e instanceof NetnsGoneError) return;
    throw e;
  }
}

/**
 * CHECK: lo is up.
 *
 * @example
 * ```ts
 * try {
 *   await loopbackCheck("/run/netns/ctr1");
 * } catch (e) {
 *   if (e instanceof CniError) console.log(e.message); // loopback interface is down
 *   else throw e;
 * }
 * ```
 */
export async function loopbackCheck(netnsPath: string): Promise<void> {
  await inNetns(netnsPath, async (rt) => {
    if (!(await rt.link.get("lo")).up) throw new CniError(CNI_ERR.internal, "loopback interface is down");
  });
}
