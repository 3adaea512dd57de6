import { IFA_FLAGS, INFINITY_LIFE_TIME } from "../addr/table.js";
import type { Addr } from "../addr/verbs.js";

/**
 * One entry of `ip -j addr show`'s "addr_info" array, keys in ip's order.
 *
 * @example
 * ```ts
 * const addrs = await rt.addr.list({ dev: "eth0" });
 * console.log(JSON.stringify(addrs.map((a) => addrToIpJson(a))));   // the "addr_info" array of ip -j addr show dev eth0
 * ```
 */
export function addrToIpJson(a: Addr): Record<string, unknown> {
  const o: Record<string, unknown> = { family: a.family === 6 ? "inet6" : "inet", local: a.local };
  if (a.peer !== undefined) o.address = a.peer;
  o.prefixlen = a.prefixlen;
  if (a.metric !== undefined) o.metric = a.metric;
  if (a.broadcast !== undefined) o.broadcast = a.broadcast;
  if (a.anycast !== undefined) o.anycast = a.anycast;
  o.scope = typeof a.scope === "number" ? String(a.scope) : a.scope;
  const set = new Set(a.flags);
  for (const [name] of IFA_FLAGS) {
    if (name === "permanent") {
      // ip prints the absence of IFA_F_PERMANENT, as "dynamic"
      if (!set.has("permanent")) o.dynamic = true;
    } else if (name === "secondary") {
      if (set.has("secondary")) o.secondary = true;
      if (set.has("temporary")) o.temporary = true;
    } else if (set.has(name)) {
      o[name] = true;
    }
  }
  const unknown = a.flags.filter((f) => f.startsWith("0x"));
  if (unknown.length) o.ifa_flags = unknown.map((f) => parseInt(f, 16)).reduce((x, y) => x | y, 0).toString(16).padStart(2, "0");
  if (a.label !== undefined) o.label = a.label;
  if (a.cacheinfo) {
    o.valid_life_time = a.validLft === "forever" ? INFINITY_LIFE_TIME : a.validLft;
    o.preferred_life_time = a.preferredLft === "forever" ? INFINITY_LIFE_TIME : a.preferredLft;
  }
  return o;
}
