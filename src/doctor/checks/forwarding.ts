// 6. When the path leaves through another namespace: that namespace forwards (ip_forward), knows
// where to send the packet and how to send the answer back, and rewrites a private source (NAT).
import { Nft } from "../../nft/nft.js";
import { sysctl } from "../../netns/index.js";
import type { Route } from "../../rtnl/route/verbs.js";
import { because, check, ok, skipped } from "../check.js";
import { cmd, nsName, type DoctorContext, type Ns } from "../context.js";
import { contains, isPrivate, subnetText } from "../ip.js";
import { natFlow, probeTupleOf, withNatFlow } from "../nat-flow.js";
import { findSourceNat } from "../nat-rules.js";
import type { Check } from "../types.js";
import { routeText } from "./routing.js";

const IDS = [
  ["forward.router", "router"],
  ["forward.ip_forward", "ip forwarding"],
  ["forward.route", "router's routes"],
  ["nat.masquerade", "source NAT"],
] as const;

function skipRest(ctx: DoctorContext, from: number, why: string): void {
  for (const [id, title] of IDS.slice(from)) ctx.add(skipped(id, title, why));
}

export async function forwardingChecks(ctx: DoctorContext): Promise<void> {
  const f = ctx.facts;
  if (!f.route) return skipRest(ctx, 0, because("route.lookup"));
  if (!f.gateway) return skipRest(ctx, 0, `${f.dst} is on-link: no router on the path`);

  let router: Ns = f.router;
  const hint = ctx.routerHint;
  if (hint !== undefined && (!f.routerKnown || hint !== f.router)) {
    if (f.routerKnown) {
      ctx.add(check("forward.router", "router", "warning",
        `--router ${hint} given, but the gateway ${f.gateway} is in ${nsName(f.router)}; checking ${hint} as told`));
    } else {
      ctx.add(ok("forward.router", "router", `${hint} (as given with --router)`));
    }
    router = hint;
  } else if (!f.routerKnown) {
    ctx.add(check("forward.router", "router", "warning",
      `the gateway ${f.gateway} is not held by any namespace reachable by name from here: name the router with --router NS`));
    return skipRest(ctx, 1, "the router namespace is unknown");
  } else {
    ctx.add(ok("forward.router", "router", `${nsName(router)} forwards for ${nsName(ctx.subject)}: it holds the gateway ${f.gateway}`));
  }

  const key = f.family === 4 ? "net.ipv4.ip_forward" : "net.ipv6.conf.all.forwarding";
  const nsOpt = router === undefined ? {} : { netns: router };
  let fwd: string | undefined;
  try {
    fwd = await sysctl.get(key, nsOpt);
  } catch (e) {
    ctx.add(check("forward.ip_forward", "ip forwarding", "warning", `cannot read ${key} in ${nsName(router)}: ${(e as Error).message}`));
  }
  if (fwd !== undefined) {
    if (fwd === "1") ctx.add(ok("forward.ip_forward", "ip forwarding", `${key} = 1 in ${nsName(router)}`));
    else ctx.add(check("forward.ip_forward", "ip forwarding", "failure",
      `${key} = ${fwd} in ${nsName(router)}: it drops packets that are not addressed to itself`,
      { fix: cmd(router, `sysctl -w ${key}=1`) }));
  }

  // where the router sends the packet, and the answer back to our source
  const rrt = ctx.rt(router);
  let out: Route | undefined, back: Route | undefined, outErr = "", backErr = "";
  try { out = await rrt.route.get(f.dst); } catch (e) { outErr = (e as Error).message; }
  if (f.src) try { back = await rrt.route.get(f.src); } catch (e) { backErr = (e as Error).message; }
  // where our packets enter the router: the bridge (or the one the peer should be a port of), else the peer
  const br = f.bridge ?? f.bridgeCandidate;
  const ingress = (br?.netns === router ? br?.link.name : undefined) ?? (f.peer?.netns === router ? f.peer?.link.name : undefined);
  if (!out || (out.type !== "unicast" && out.type !== "local")) {
    // a link taken down loses its routes but keeps its addresses: the uplink that should carry it
    const links = await rrt.link.list();
    const uplink = (await rrt.addr.list({ family: f.family }))
      .filter((a) => contains(a, f.dst))
      .map((a) => links.find((l) => l.index === a.index))
      .find((l) => l && !l.up);
    ctx.add(check("forward.route", "router's routes", "failure",
      `${nsName(router)} has no usable route to ${f.dst}: ${out ? routeText(out) : outErr}` +
      (uplink ? `; its uplink ${uplink.name}, whose subnet holds ${f.dst}, is down` : " (it needs an uplink route or a default route)"),
      { fix: uplink ? cmd(router, `link set ${uplink.name} up`) : undefined }));
  } else if (f.src && (!back || (ingress && back.dev !== ingress))) {
    ctx.add(check("forward.route", "router's routes", "failure",
      `${nsName(router)} would send answers to ${f.src} ${back ? `out ${back.dev} (${routeText(back)})` : `nowhere (${backErr})`}${ingress ? `, not back through ${ingress}` : ""}`));
  } else {
    ctx.add(ok("forward.route", "router's routes", `${nsName(router)}: ${routeText(out)}; back: ${back ? routeText(back) : "?"}`));
  }

  if (!out?.dev || !f.src) return skipRest(ctx, 3, because("forward.route"));
  f.forwarding = { router, out: out.dev, ...(ingress ? { ingress } : {}) };
  if (ingress && out.dev === ingress) {
    ctx.add(skipped("nat.masquerade", "source NAT", `${nsName(router)} sends it back out ${ingress}, the segment it came from: no NAT on that path`));
    return;
  }
  const srcAddr = f.egressAddrs.find((a) => a.local === f.src) ?? f.egressAddrs.find((a) => contains(a, f.src!));
  const subnet = srcAddr ? subnetText(srcAddr) : f.src;
  let rs;
  try {
    const nft = await Nft.open(nsOpt);
    try { rs = await nft.ruleset(); } finally { nft.close(); }
  } catch (e) {
    ctx.add(check("nat.masquerade", "source NAT", "warning", `cannot read nftables in ${nsName(router)}: ${(e as Error).message}`));
    return;
  }
  const m = findSourceNat(rs, {
    family: f.family, saddr: f.src, daddr: f.dst, oifname: out.dev, ...(ingress ? { iifname: ingress } : {}),
    l4proto: f.port !== undefined ? 17 : f.family === 4 ? 1 : 58,
  });
  const needed = isPrivate(f.src) && !isPrivate(f.dst);
  let c: Check;
  if (m) {
    const where = `table ${m.chain.family} ${m.chain.table} chain ${m.chain.name}${m.path.length > 1 ? `; reached through ${m.path.join(" > ")}` : ""}`;
    c = check("nat.masquerade", "source NAT", m.verdict.match === "yes" || !needed ? "ok" : "warning",
      `"${m.rule.text}" (${where}) ${m.verdict.match === "yes" ? "rewrites" : "may rewrite (it also matches on fields not judged here)"} ${f.src} leaving ${out.dev}`,
      { details: { rule: m.rule.text, handle: m.rule.handle } });
  } else if (needed) {
    c = check("nat.masquerade", "source NAT", "failure",
      `no masquerade/snat rule in ${nsName(router)}'s nat postrouting chains matches ${f.src} leaving ${out.dev}: ` +
      `${f.dst} would answer a private address (${subnet}) it has no route to`,
      { fix: cmd(router, `nat masquerade --saddr ${subnet}${ingress ? ` --not-oif ${ingress}` : ""}`) });
  } else {
    ctx.add(ok("nat.masquerade", "source NAT",
      `no source NAT for ${f.src} leaving ${out.dev}, none needed${isPrivate(f.dst) ? ` (${f.dst} is private too; it needs a route back to ${subnet})` : " (the source is routable)"}`));
    return;
  }
  // the probe has run: the router's conntrack shows whether (and to what) its flow was translated
  const q = probeTupleOf(f)!;
  const routerAddrs = (await rrt.addr.list({ family: f.family })).map((a) => a.local);
  ctx.add(withNatFlow(c, await natFlow(router, q, f.natFlowsBefore), { router, q, needed, rule: m?.verdict.match === "yes" ? "yes" : m ? "maybe" : undefined, routerAddrs }));
}
