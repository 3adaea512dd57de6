import type { Neigh } from "../neigh/verbs.js";

export interface NeighJsonOptions {
  /** ip leaves "dev" out when the listing was filtered on a device. */
  devFiltered?: boolean;
  /** ip -s: the cache timers (seconds) and probe count; bridge -s: used and updated. */
  stats?: boolean;
}

/** USER_HZ: nda_cacheinfo counts clock ticks. */
const USER_HZ = 100;

/**
 * One entry of `ip -j neigh show`.
 *
 * @example
 * ```ts
 * const neighs = await rt.neigh.list({ dev: "eth0" });
 * console.log(JSON.stringify(neighs.map((n) => neighToIpJson(n, { devFiltered: true, stats: true }))));   // ip -j -s neigh show dev eth0
 * ```
 */
export function neighToIpJson(n: Neigh, opts: NeighJsonOptions = {}): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (n.dst !== undefined) o.dst = n.dst;
  if (!opts.devFiltered && n.index) o.dev = n.dev;
  if (n.lladdr !== undefined) o.lladdr = n.lladdr;
  // ip prints these flags as JSON nulls (print_null)
  if (n.router) o.router = null;
  if (n.proxy) o.proxy = null;
  if (n.flags.includes("extern_learn")) o.extern_learn = null;
  if (n.flags.includes("offload")) o.offload = null;
  if (opts.stats) {
    const ci = n.cacheinfo;
    if (ci) {
      if (ci.refcnt) o.refcnt = ci.refcnt;
      o.used = Math.trunc(ci.used / USER_HZ);
      o.confirmed = Math.trunc(ci.confirmed / USER_HZ);
      o.updated = Math.trunc(ci.updated / USER_HZ);
    }
    if (n.probes !== undefined) o.probes = n.probes;
  }
  if (n.state.length) o.state = n.state.map((s) => s.toUpperCase());
  if (n.protocol !== undefined) o.protocol = String(n.protocol);
  return o;
}

const FDB_FLAG_ORDER = ["self", "router", "extern_learn", "offload", "master", "sticky"];

/**
 * One entry of `bridge -j fdb show`.
 *
 * @example
 * ```ts
 * const fdb = await rt.neigh.list({ family: "bridge" });
 * console.log(JSON.stringify(fdb.map((n) => fdbToBridgeJson(n))));   // bridge -j fdb show
 * ```
 */
export function fdbToBridgeJson(n: Neigh, opts: NeighJsonOptions = {}): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (n.lladdr !== undefined) o.mac = n.lladdr;
  if (!opts.devFiltered && n.index) o.ifname = n.dev;
  if (n.dst !== undefined) o.dst = n.dst;
  if (n.vlan !== undefined) o.vlan = n.vlan;
  if (n.port !== undefined) o.port = n.port;
  if (n.vni !== undefined) o.vni = n.vni;
  if (n.srcVni !== undefined) o.src_vni = n.srcVni;
  if (n.via !== undefined) o.viaIf = n.via;
  if (n.nhid !== undefined) o.nhid = n.nhid;
  if (opts.stats && n.cacheinfo) {
    o.used = Math.trunc(n.cacheinfo.used / USER_HZ);
    o.updated = Math.trunc(n.cacheinfo.updated / USER_HZ);
  }
  o.flags = FDB_FLAG_ORDER.filter((f) => n.flags.includes(f));
  if (n.master !== undefined) o.master = n.master;
  // bridge's state_n2a: permanent > static (noarp) > stale > reachable ("", which bridge still
  // prints as "state": "") > the bits in hex (C's %#x: plain 0 for none)
  const s = n.rawState;
  o.state = s & 0x80 ? "permanent" : s & 0x40 ? "static" : s & 0x04 ? "stale" : s & 0x02 ? "" : s ? `0x${s.toString(16)}` : "0";
  return o;
}
