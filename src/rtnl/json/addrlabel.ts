import type { Addrlabel } from "../addrlabel/verbs.js";

/** One entry of `ip -j addrlabel list` (print_addrlabel), keys in ip's order. */
export function addrlabelToIpJson(a: Addrlabel): Record<string, unknown> {
  const o: Record<string, unknown> = { address: a.address, prefixlen: a.prefixlen };
  if (a.index) o.ifname = a.dev ?? `if${a.index}`;
  o.label = a.label;
  return o;
}
