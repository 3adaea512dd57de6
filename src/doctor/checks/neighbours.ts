// 5. The next hop's ARP/NDP entry, read after the probe has made the kernel ask for it.
import { check, ok, skipped, because } from "../check.js";
import { cmd, type DoctorContext } from "../context.js";
import { holderText, segmentAddrs } from "../segment.js";

export async function neighbourChecks(ctx: DoctorContext): Promise<void> {
  const f = ctx.facts;
  const id = "neigh.nexthop", title = "next hop neighbour";
  const e = f.egress!;
  if (!f.route) return void ctx.add(skipped(id, title, because("route.lookup")));
  if (f.route.type === "local") return void ctx.add(skipped(id, title, `${f.dst} is local: no neighbour`));
  const nexthop = f.gateway ?? f.dst;
  const proto = f.family === 4 ? "ARP" : "NDP";
  const entries = await ctx.rt(ctx.subject).neigh.list({ dev: e.index, family: f.family });
  const n = entries.find((x) => x.dst === nexthop);
  const holder = segmentAddrs(ctx).find((x) => x.addr.local === nexthop)?.host;
  if (!n || n.state.length === 0) {
    ctx.add(ok(id, title, `no ${proto} entry for ${nexthop} on ${e.name} yet (created by the first packet)`));
    return;
  }
  const state = n.state.map((s) => s.toUpperCase()).join(",");
  if (n.state.includes("failed")) {
    ctx.add(check(id, title, "failure",
      `${proto} for ${nexthop} on ${e.name} is FAILED: nobody answered${holder ? ` although ${holderText(holder)} holds it: the frames do not reach it` : `: nobody on the segment holds ${nexthop}`}`, { details: n }));
  } else if (n.state.includes("incomplete")) {
    ctx.add(check(id, title, "warning",
      `${proto} for ${nexthop} on ${e.name} is INCOMPLETE: asked, no answer yet${holder ? ` (${holderText(holder)} holds it)` : ""}`, { details: n }));
  } else if (holder?.lladdr && n.lladdr && n.lladdr !== holder.lladdr && n.lladdr === f.peer?.link.address) {
    // arp_ignore=0: a namespace answers ARP for any of its addresses on any of its interfaces
    ctx.add(check(id, title, "warning",
      `${nexthop} is at ${n.lladdr} (${state}): ${f.peer!.link.name}, the veth peer, answered for ${holderText(holder)}; the frames end at the peer, not at ${holder.dev}`,
      { details: n }));
  } else if (holder?.lladdr && n.lladdr && n.lladdr !== holder.lladdr && !n.state.includes("permanent")) {
    ctx.add(check(id, title, "warning",
      `${nexthop} is at ${n.lladdr} (${state}) in the cache, but ${holderText(holder)} has ${holder.lladdr}: a stale or foreign answer`,
      { fix: cmd(ctx.subject, `neigh del ${nexthop} dev ${e.name}`), details: n }));
  } else {
    ctx.add(ok(id, title, `${nexthop} is at ${n.lladdr ?? "?"} (${state})${holder ? `: ${holderText(holder)}` : ""}`, n));
  }
}
