// From the library's Link objects to ip -j records, keeping only what ip prints without -d.
import type { Cli } from "../context.js";

type J = Record<string, unknown>;

/** Keys `ip -j link show` adds only with -d. */
const DETAIL_KEYS = new Set([
  "promiscuity", "allmulti", "min_mtu", "max_mtu", "linkinfo", "inet6_addr_gen_mode", "num_tx_queues", "num_rx_queues",
  "gso_max_size", "gso_max_segs", "tso_max_size", "tso_max_segs", "gro_max_size", "gso_ipv4_max_size", "gro_ipv4_max_size",
  "parentbus", "parentdev", "phys_port_name", "phys_port_id", "phys_switch_id", "vfinfo_list", "num_vf",
]);

export function stripDetails(j: J, details: boolean): J {
  if (details) return j;
  const out: J = {};
  for (const [k, v] of Object.entries(j)) if (!DETAIL_KEYS.has(k)) out[k] = v;
  return out;
}

/** nsid -> name of the named namespaces, for text's "link-netns NAME" (only looked up when needed). */
export async function nsidNames(cli: Cli, records: readonly J[]): Promise<(nsid: number) => string | undefined> {
  if (!records.some((r) => r.link_netnsid !== undefined)) return () => undefined;
  try {
    const { netns } = await import("../../netns/index.js");
    const entries = await netns.listDetailed(cli.opts.netns !== undefined ? { in: cli.opts.netns } : {});
    const m = new Map(entries.filter((e) => e.nsid !== undefined).map((e) => [e.nsid!, e.name]));
    return (id) => m.get(id);
  } catch {
    return () => undefined;
  }
}
