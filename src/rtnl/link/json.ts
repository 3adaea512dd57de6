import { linkKinds } from "./kinds/index.js";
import type { IndexNames } from "./kinds/kind.js";
import type { Link } from "./types.js";

/** Other links of the same namespace, by ifindex: names (or whole Links, which also give their flags). */
export type LinkLookup = ReadonlyMap<number, Link | string> | IndexNames;

/**
 * A Link as `ip -j -d link show` prints it (iproute2 6.1 key names and value formats). Devices
 * are named through `others` (ifindex -> link in the same namespace), as ip does with its cache;
 * indexes it cannot name print as "if<N>" like ip. Given whole Links, the flags get ip's "M-DOWN"
 * when the lower/peer device is down.
 */
export function linkToIpJson(link: Link, others: LinkLookup = () => undefined): Record<string, unknown> {
  const lookup = (i: number): Link | string | undefined => (typeof others === "function" ? others(i) : others.get(i));
  const name: IndexNames = (i) => {
    const o = lookup(i);
    return typeof o === "string" ? o : o?.name;
  };
  const out: Record<string, unknown> = { ifindex: link.index };
  let mdown = false;
  if (link.link !== undefined && link.link !== 0) {
    if (link.linkNetnsid !== undefined) out.link_index = link.link;
    else {
      out.link = name(link.link) ?? `if${link.link}`;
      const lower = lookup(link.link);
      mdown = typeof lower === "object" && !lower.up;
    }
  }
  out.ifname = link.name;
  out.flags = mdown ? [...link.flags, "M-DOWN"] : link.flags;
  put(out, "mtu", link.mtu);
  put(out, "qdisc", link.qdisc);
  if (link.master) out.master = name(link.master) ?? `if${link.master}`;
  put(out, "operstate", link.operstate);
  put(out, "linkmode", link.linkmode);
  if (link.group !== undefined) out.group = link.group === 0 ? "default" : String(link.group);
  put(out, "txqlen", link.txqlen);
  out.link_type = link.linkType;
  put(out, "address", link.address);
  put(out, "broadcast", link.broadcast);
  if (link.permAddress !== undefined && link.permAddress !== link.address) out.permaddr = link.permAddress;
  put(out, "link_netnsid", link.linkNetnsid);
  put(out, "promiscuity", link.promiscuity);
  put(out, "allmulti", link.allmulti);
  put(out, "min_mtu", link.minMtu);
  put(out, "max_mtu", link.maxMtu);
  if (link.kind !== undefined || link.slaveKind !== undefined) {
    const li: Record<string, unknown> = {};
    const kind = link.kind === undefined ? undefined : linkKinds.get(link.kind);
    if (link.kind !== undefined) li.info_kind = link.kind;
    if (kind?.ipJson && link.infoData && !Buffer.isBuffer(link.infoData)) li.info_data = kind.ipJson(link.infoData, name);
    const slave = link.slaveKind === undefined ? undefined : linkKinds.get(link.slaveKind);
    if (link.slaveKind !== undefined) li.info_slave_kind = link.slaveKind;
    if (slave?.slaveIpJson && link.infoSlaveData && !Buffer.isBuffer(link.infoSlaveData)) {
      li.info_slave_data = slave.slaveIpJson(link.infoSlaveData, name);
    }
    out.linkinfo = li;
  }
  const genMode = link.afSpec?.inet6?.addrGenMode;
  if (genMode !== undefined) out.inet6_addr_gen_mode = genMode;
  put(out, "num_tx_queues", link.numTxQueues);
  put(out, "num_rx_queues", link.numRxQueues);
  put(out, "gso_max_size", link.gsoMaxSize);
  put(out, "gso_max_segs", link.gsoMaxSegs);
  put(out, "tso_max_size", link.tsoMaxSize);
  put(out, "tso_max_segs", link.tsoMaxSegs);
  put(out, "gro_max_size", link.groMaxSize);
  put(out, "parentbus", link.parentDevBusName);
  put(out, "parentdev", link.parentDevName);
  if (link.protoDown) out.proto_down = true;
  put(out, "ifalias", link.alias);
  if (link.altNames?.length) out.altnames = link.altNames;
  return out;
}

/** A whole dump as ip -j -d prints it, naming devices from the dump itself. */
export function linksToIpJson(links: readonly Link[]): Record<string, unknown>[] {
  const byIndex = new Map(links.map((l) => [l.index, l] as const));
  return links.map((l) => linkToIpJson(l, byIndex));
}

function put(out: Record<string, unknown>, key: string, v: unknown): void {
  if (v !== undefined) out[key] = v;
}
