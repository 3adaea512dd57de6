// 4. The kernel's own answer for the destination (RTM_GETROUTE inside the namespace), and whether
// its gateway is someone on the segment.
import type { Route } from "../../rtnl/route/verbs.js";
import { because, check, ok, skipped } from "../check.js";
import { cmd, nsName, type DoctorContext } from "../context.js";
import { contains } from "../ip.js";
import { holderText, referenceAddrs, segmentAddrs } from "../segment.js";

export function routeText(r: Route): string {
  return [
    r.type !== "unicast" ? String(r.type) : "",
    r.dst === "default" ? "" : r.dst,
    r.gateway ? `via ${r.gateway}` : "",
    r.dev ? `dev ${r.dev}` : "",
    r.prefsrc ? `src ${r.prefsrc}` : "",
    `table ${r.table === 254 ? "main" : r.table}`,
    r.flags.length ? r.flags.join(" ") : "",
  ].filter(Boolean).join(" ");
}

export async function routingChecks(ctx: DoctorContext): Promise<void> {
  const f = ctx.facts;
  const ref = referenceAddrs(ctx);
  // the segment's router side: the bridge's (or the peer's) address, in our subnet when we have one
  const gwCandidate = (ref.find((x) => f.egressAddrs.some((m) => contains(m, x.addr.local))) ?? ref[0])?.addr.local;
  const dstOnSegment = segmentAddrs(ctx).some((x) => contains(x.addr, f.dst));
  const r = f.route;

  if (!r) {
    const why = f.routeError ? `${f.routeError.message}${f.routeError.code ? ` (${f.routeError.code})` : ""}` : "no answer";
    const fix = dstOnSegment ? undefined : gwCandidate ? cmd(ctx.subject, `route add default via ${gwCandidate}`) : undefined;
    const hint = dstOnSegment
      ? `; ${f.dst} is on the segment, so the connected route comes with an address in its subnet`
      : gwCandidate ? `; ${gwCandidate} is the router on this segment` : "";
    ctx.add(check("route.lookup", "route", "failure", `no route to ${f.dst} in ${nsName(ctx.subject)}: ${why}${hint}`, { fix }));
    ctx.add(skipped("route.gateway", "gateway", because("route.lookup")));
    return;
  }
  f.src = r.prefsrc ?? f.egressAddrs[0]?.local;
  if (r.type !== "unicast" && r.type !== "local") {
    ctx.add(check("route.lookup", "route", "failure", `the kernel's route to ${f.dst} is ${routeText(r)}: it drops the packet`, { details: r }));
    ctx.add(skipped("route.gateway", "gateway", because("route.lookup")));
    return;
  }
  ctx.add(ok("route.lookup", "route", routeText(r), r));

  const configured = r.gateway ?? f.fib?.gateway;
  if (!configured) {
    ctx.add(ok("route.gateway", "gateway", `${f.dst} is on-link on ${r.dev ?? "?"}: no gateway`));
    return;
  }
  const replaceFix = gwCandidate && gwCandidate !== configured
    ? cmd(ctx.subject, `route replace ${f.fib?.dst ?? r.dst} via ${gwCandidate}`) : undefined;
  const ownAddrs = (await ctx.rt(ctx.subject).addr.list({ family: f.family })).map((a) => a.local);
  if (ownAddrs.includes(configured)) {
    ctx.add(check("route.gateway", "gateway", "failure",
      `the gateway ${configured} (${routeText(f.fib ?? r)}) is this namespace's own address: the kernel treats ${f.dst} as on-link and nobody answers ARP for it`,
      { fix: replaceFix }));
    return;
  }
  f.gateway = configured;
  if (!f.egressAddrs.some((a) => contains(a, configured)) && !(f.fib ?? r).flags.includes("onlink")) {
    ctx.add(check("route.gateway", "gateway", "failure",
      `the gateway ${configured} is in none of ${r.dev}'s subnets (${f.egressAddrs.map((a) => `${a.local}/${a.prefixlen}`).join(", ") || "no address"}): it is not on-link`,
      { fix: replaceFix }));
    return;
  }
  if (!f.segment.length) {
    ctx.add(check("route.gateway", "gateway", "warning", `the gateway ${configured} cannot be verified: the other end of ${r.dev} is not reachable from here`));
    return;
  }
  const holder = segmentAddrs(ctx).find((x) => x.addr.local === configured);
  if (!holder) {
    ctx.add(check("route.gateway", "gateway", "failure",
      `nobody on the segment of ${r.dev} holds the gateway ${configured}${gwCandidate ? ` (the router there is ${gwCandidate})` : ""}`, { fix: replaceFix }));
    return;
  }
  f.router = holder.host.netns;
  f.routerKnown = true;
  ctx.add(ok("route.gateway", "gateway", `the gateway ${configured} is ${holderText(holder.host)}`));
}
