// What identifies each object to the kernel (its key), and what of it counts as a change. A
// resync compares the kernel's answer with what was reported by these two, per key.
import type { Addr } from "../addr/verbs.js";
import type { Link } from "../link/types.js";
import type { Neigh } from "../neigh/verbs.js";
import type { Route } from "../route/verbs.js";
import type { Rule } from "../rule/verbs.js";
import type { MonitorObject, ObjectData } from "./events.js";

/**
 * Where the kernel looks a route up: table, destination, source prefix, tos and metric. Several
 * routes may share that (`ip route append` in IPv4; routes through different devices in IPv6),
 * told apart by type and next hops: see routeKey, and RtnlMonitor for what a replace or an
 * append does to the others.
 */
export function routeBase(r: Route): string {
  return `${r.family}|${r.table}|${r.dst}/${r.dstLen}|${r.from ?? ""}/${r.srcLen}|${r.tos}|${r.metric ?? 0}`;
}

/** A route's next hops as "gateway@ifindex", sorted (the kernel's own order varies between messages). */
export function routeHops(r: Route): string[] {
  if (r.nhid !== undefined) return [`nhid ${r.nhid}`];
  const hops = r.nexthops ?? [{ gateway: r.gateway, via: r.via, index: r.index ?? 0, weight: 1 }];
  return hops.map((h) => `${h.gateway ?? h.via?.address ?? ""}@${h.index}${r.nexthops ? `*${h.weight}` : ""}`).sort();
}

export function routeKey(r: Route): string {
  return `${routeBase(r)}|${r.type}|${routeHops(r).join(",")}`;
}

/** IPv4 addresses are told apart by local, peer and prefix length; IPv6 ones by address alone. */
function addrKey(a: Addr): string {
  const base = `${a.family}|${a.index}|${a.local}`;
  return a.family === 4 ? `${base}|${a.address}/${a.prefixlen}` : base;
}

/** IP neighbours by device and address (the proxy table apart); fdb entries by port, MAC, VLAN and remote. */
function neighKey(n: Neigh): string {
  const base = `${n.family}|${n.index}|${n.dst ?? ""}|${n.proxy ? "proxy" : ""}`;
  if (n.family !== "bridge") return base;
  return `${base}|${n.lladdr ?? ""}|${n.vlan ?? ""}|${n.flags.includes("self") ? "self" : ""}|${n.masterIndex ?? ""}`;
}

/** A rule has no identity but its whole content: the kernel deletes the first rule that matches. */
function ruleKey(r: Rule): string {
  return canonical(r);
}

export function objectKey<O extends MonitorObject>(object: O, data: ObjectData[O]): string {
  switch (object) {
    case "link": return String((data as Link).index);
    case "addr": return addrKey(data as Addr);
    case "route": return routeKey(data as Route);
    case "neigh": return neighKey(data as Neigh);
    default: return ruleKey(data as Rule);
  }
}

/**
 * Properties that move by themselves (counters, timestamps, countdowns) or that only some
 * messages carry (IFLA_EVENT is in notifications, never in dumps): they do not make a change.
 * A link's are skipped by name, without reading them: they are decoded lazily.
 */
const VOLATILE: Record<MonitorObject, ReadonlySet<string>> = {
  link: new Set(["stats64", "afSpec", "other"]),
  addr: new Set(["cacheinfo"]),
  route: new Set(["expires"]),
  neigh: new Set(["cacheinfo", "probes"]),
  rule: new Set(),
};

/** What of an object counts when deciding whether it changed, as one comparable string. */
export function significance<O extends MonitorObject>(object: O, data: ObjectData[O]): string {
  const skip = VOLATILE[object];
  const src = data as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(src)) if (!skip.has(k)) out[k] = src[k];
  if (object === "addr") {
    // a finite lifetime counts down every second; only whether it is finite is the address's own
    for (const k of ["validLft", "preferredLft"]) if (out[k] !== "forever") out[k] = "finite";
  }
  if (object === "route" && Array.isArray(out.nexthops)) {
    // the kernel reports a multipath route's hops in a different order after an append than in a dump
    out.nexthops = (out.nexthops as unknown[]).map((nh) => canonical(nh)).sort();
  }
  return canonical(out);
}

/** JSON with sorted keys and Buffers as hex, so that equal data gives equal text. */
export function canonical(v: unknown): string {
  if (Buffer.isBuffer(v)) return JSON.stringify(v.toString("hex"));
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}
