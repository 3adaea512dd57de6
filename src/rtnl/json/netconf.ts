import type { Netconf } from "../netconf/verbs.js";

const FAMILY_NAMES: Record<number, string> = { 4: "inet", 6: "inet6", 28: "mpls" };

/** One entry of `ip -j netconf show` (print_netconf), keys in ip's order. */
export function netconfToIpJson(n: Netconf): Record<string, unknown> {
  const o: Record<string, unknown> = { family: FAMILY_NAMES[n.family] ?? String(n.family), interface: n.dev };
  if (n.forwarding !== undefined) o.forwarding = n.forwarding;
  if (n.rpFilter !== undefined) o.rp_filter = n.rpFilter;
  if (n.mcForwarding !== undefined) o.mc_forwarding = n.mcForwarding;
  if (n.proxyNeigh !== undefined) o.proxy_neigh = n.proxyNeigh;
  if (n.ignoreRoutesWithLinkdown !== undefined) o.ignore_routes_with_linkdown = n.ignoreRoutesWithLinkdown;
  if (n.input !== undefined) o.input = n.input;
  return o;
}
