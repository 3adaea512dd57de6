// Route notifications that change more than the route they carry. The kernel keeps several
// routes per table/destination/source/tos/metric (routeBase) and says less than it does:
//
// - `ip route replace` (NLM_F_REPLACE) swaps the first route of that base for the new one
//   without a delete. With one other route reported there, that one is gone; with several,
//   which one is unknown.
// - An IPv6 route with a gateway added next to another (`ip -6 route append`) joins it: the
//   notification carries the whole multipath route, the single routes it absorbed get no delete.
// - An IPv6 delete of one next hop of a multipath route reports that hop alone; the route stays
//   with the others, in a shape no notification gives.
// - A device going down or away takes its IPv4 routes along without a word.
//
// What can be worked out is reported as deletes; what cannot asks for the routes to be dumped
// again (a resync).
import type { Link } from "../link/types.js";
import type { Route } from "../route/verbs.js";
import type { Notification } from "./events.js";
import { objectKey, routeHops } from "./keys.js";
import type { ReportedState } from "./state.js";

export interface RouteEffects {
  /** Reported routes the notification removed too. */
  gone: Route[];
  /** The routes must be dumped again. */
  resync: boolean;
}

const NOTHING: RouteEffects = { gone: [], resync: false };

/** What `n` does to the reported routes (of `family`, when given) besides its own key; `state` is still before it. */
export function routeEffects(state: ReportedState, n: Notification, family: 4 | 6 | undefined): RouteEffects {
  if (n.object === "link") {
    if (family === 6) return NOTHING;
    const had = state.get("link", objectKey("link", n.data)) as Link | undefined;
    return { gone: [], resync: had?.up === true && (n.action === "del" || !n.data.up) };
  }
  if (n.object !== "route") return NOTHING;
  const r = n.data;
  const key = objectKey("route", r);
  const others = state.sameBase(r);
  if (others.length === 0) return NOTHING;
  if (n.action === "new" && n.replace) return others.length === 1 ? { gone: others, resync: false } : { gone: [], resync: true };
  if (r.family !== 6) return NOTHING;
  const hops = new Set(routeHops(r).map(bare));
  if (n.action === "new" && r.nexthops) {
    return { gone: others.filter((o) => routeHops(o).every((h) => hops.has(bare(h)))), resync: false };
  }
  if (n.action === "del" && state.get("route", key) === undefined) {
    // one hop of a multipath route we reported
    return { gone: [], resync: others.some((o) => o.nexthops && routeHops(o).some((h) => hops.has(bare(h)))) };
  }
  return NOTHING;
}

/** A hop without its weight. */
function bare(hop: string): string {
  const star = hop.indexOf("*");
  return star < 0 ? hop : hop.slice(0, star);
}
