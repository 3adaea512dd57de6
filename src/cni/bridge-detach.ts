// The bridge plugin's DEL: the container's end of the pair, or the host's when the namespace is
// gone. Best effort and idempotent, as SPEC asks.
import * as fs from "node:fs";
import type { Attachment } from "./config.js";
import { validIfname } from "./config.js";
import { Rtnl, type NetnsRef } from "./deps.js";
import { delLink, findLink } from "./link-util.js";
import { NetnsGoneError, openNetnsPath, refuseHostNamespace } from "./netns-path.js";
import type { CniResult } from "./result.js";
import { settled } from "./settled.js";

/**
 * What `bridgeDetach()` removes for DEL; tolerant of a namespace or interface already gone, as CNI
 * requires.
 *
 * @example
 * ```ts
 * import { readFileSync } from "node:fs";
 * // the container's namespace is gone already: the host end named in the ADD result is removed instead
 * const prevResult = parseResult(JSON.parse(readFileSync("/run/lab/ctr1-eth0.json", "utf8")), "1.1.0"); // saved at ADD
 * const spec: BridgeDetachSpec = { network: "lab", containerId: "ctr1", ifname: "eth0", netnsPath: "", bridge: "cni0", prevResult };
 * await bridgeDetach(spec);
 * ```
 */
export interface BridgeDetachSpec extends Attachment {
  /** Empty or undefined when the runtime gave none; a path that no longer exists is fine. */
  netnsPath?: string;
  /** Where the bridge and the host veth live; default the current namespace. */
  hostNetns?: NetnsRef;
  /** The bridge a host veth named in prevResult must be on to be removed; default "cni0". */
  bridge?: string;
  /** The ADD result: names the host veth, which is removed even when the namespace is gone. */
  prevResult?: CniResult;
}

/** Global unicast addresses: what DEL reports having removed with the interface. */
function globalUnicast(a: { local: string; prefixlen: number; scope: string | number }): boolean {
  return a.scope === "global" || a.scope === 0;
}

/**
 * DEL: removes the container interface when it is one end of a veth pair with the host namespace
 * (an interface of that name that is not, e.g. the one an ADD found taken, stays), and the host
 * end named in prevResult when the namespace is gone. Idempotent: anything already gone is fine.
 * Returns the addresses the container interface had.
 *
 * @example
 * ```ts
 * const att = { network: "lab", containerId: "ctr1", ifname: "eth0" };
 * const { addresses } = await bridgeDetach({ ...att, netnsPath: "/run/netns/ctr1", bridge: "cni0" });
 * console.log(addresses); // [ '10.22.0.2/24' ]; [] when it was gone already
 * await hostLocal.release(att, {});
 * ```
 */
export async function bridgeDetach(spec: BridgeDetachSpec): Promise<{
  /** The container interface's global addresses with prefix ("10.22.0.2/24"); [] when it was gone already. */
  addresses: string[];
}> {
  const addresses: string[] = [];
  const brName = spec.bridge ?? "cni0";
  const host = await Rtnl.open(spec.hostNetns ?? {});
  try {
    if (spec.netnsPath) {
      let nsfd: number | undefined;
      try {
        nsfd = openNetnsPath(spec.netnsPath);
      } catch (e) {
        if (!(e instanceof NetnsGoneError)) throw e;
      }
      if (nsfd !== undefined) {
        let cont: Rtnl | undefined;
        try {
          refuseHostNamespace(nsfd, spec.hostNetns ?? {});
          const c = (cont = await Rtnl.open({ netnsFd: nsfd }));
          const l = await findLink(c, spec.ifname);
          // the pair's two ends name each other's index
          const peer = l?.kind === "veth" && l.link ? await findLink(host, l.link) : undefined;
          if (l && peer?.kind === "veth" && peer.link === l.index) {
            for (const a of await settled(() => c.addr.list({ dev: l.index }))) if (globalUnicast(a)) addresses.push(`${a.local}/${a.prefixlen}`);
            await delLink(c, l.index);
          }
        } finally {
          cont?.close();
          fs.closeSync(nsfd);
        }
      }
    }
    // the namespace gone (or not given) while the pair lives on: remove it from the host side,
    // if the name is still a veth on the bridge (it is random, but could have been reused)
    const hostEnds = (spec.prevResult?.interfaces ?? []).filter((i) => !i.sandbox && i.name !== brName && validIfname(i.name));
    const br = hostEnds.length ? await findLink(host, brName) : undefined;
    for (const i of br ? hostEnds : []) {
      const p = await findLink(host, i.name);
      if (p?.kind === "veth" && p.master === br!.index) await delLink(host, p.index);
    }
  } finally {
    host.close();
  }
  return { addresses };
}

