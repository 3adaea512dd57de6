import { linkKinds } from "./kinds/index.js";
import type { IndexNames } from "./kinds/kind.js";
import type { Link, LinkStats64 } from "./types.js";

/** Other links of the same namespace, by ifindex: names (or whole Links, which also give their flags). */
export type LinkLookup = ReadonlyMap<number, Link | string> | IndexNames;

export interface LinkJsonOptions {
  /** ip's -s level: 1 adds "stats64" (rx/tx), 2 the error counters too. */
  stats?: number;
}

/**
 * A Link as `ip -j -d link show` prints it (iproute2 6.1 key names and value formats). Devices
 * are named through `others` (ifindex -> link in the same namespace), as ip does with its cache;
 * indexes it cannot name print as "if<N>" like ip. Given whole Links, the flags get ip's "M-DOWN"
 * when the lower/peer device is down.
 *
 * @example
 * ```ts
 * const links = await rt.link.list();
 * const byIndex = new Map(links.map((l) => [l.index, l] as const));
 * const eth0 = links.find((l) => l.name === "eth0");
 * if (eth0) console.log(JSON.stringify(linkToIpJson(eth0, byIndex, { stats: 1 })));   // ip -j -s -d link show eth0
 * ```
 */
export function linkToIpJson(link: Link, others: LinkLookup = () => undefined, opts: LinkJsonOptions = {}): Record<string, unknown> {
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
  if (link.protoDown) out.proto_down = true;
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
  put(out, "ifalias", link.alias);
  if (opts.stats && link.stats64) out.stats64 = statsToIpJson(link.stats64, opts.stats, link.carrierChanges);
  if (link.altNames?.length) out.altnames = link.altNames;
  return out;
}

/** rtnl_link_stats64 as `ip -j -s` prints it (print_stats64): rx and tx, the error counters at -s -s. */
export function statsToIpJson(s: LinkStats64, level = 1, carrierChanges?: number): Record<string, Record<string, number>> {
  const rx: Record<string, number> = {
    bytes: s.rxBytes, packets: s.rxPackets, errors: s.rxErrors, dropped: s.rxDropped, over_errors: s.rxOverErrors, multicast: s.multicast,
  };
  if (s.rxCompressed) rx.compressed = s.rxCompressed;
  if (level > 1) {
    Object.assign(rx, {
      length_errors: s.rxLengthErrors, crc_errors: s.rxCrcErrors, frame_errors: s.rxFrameErrors, fifo_errors: s.rxFifoErrors,
      missed_errors: s.rxMissedErrors,
    });
    if (s.rxNohandler) rx.nohandler = s.rxNohandler;
    if (s.rxOtherhostDropped) rx.otherhost = s.rxOtherhostDropped;
  }
  const tx: Record<string, number> = {
    bytes: s.txBytes, packets: s.txPackets, errors: s.txErrors, dropped: s.txDropped, carrier_errors: s.txCarrierErrors, collisions: s.collisions,
  };
  if (s.txCompressed) tx.compressed = s.txCompressed;
  if (level > 1) {
    Object.assign(tx, { aborted_errors: s.txAbortedErrors, fifo_errors: s.txFifoErrors, window_errors: s.txWindowErrors, heartbeat_errors: s.txHeartbeatErrors });
    if (carrierChanges !== undefined) tx.carrier_changes = carrierChanges;
  }
  return { rx, tx };
}

/**
 * A whole dump as ip -j -d prints it, naming devices from the dump itself.
 *
 * @example
 * ```ts
 * console.log(JSON.stringify(linksToIpJson(await rt.link.list())));   // ip -j -d link show
 * ```
 */
export function linksToIpJson(links: readonly Link[], opts: LinkJsonOptions = {}): Record<string, unknown>[] {
  const byIndex = new Map(links.map((l) => [l.index, l] as const));
  return links.map((l) => linkToIpJson(l, byIndex, opts));
}

function put(out: Record<string, unknown>, key: string, v: unknown): void {
  if (v !== undefined) out[key] = v;
}
