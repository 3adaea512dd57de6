// 7. Packet filters on the path: the probe run through the filter base chains it meets, as
// nf_tables walks them (rules, sets, maps, verdict maps, jumps, policies). Leaving the namespace
// it meets output and postrouting; crossing the router, prerouting, forward and postrouting. A
// chain that certainly drops it is named with the rule (or the policy) that does.
import { Nft } from "../../nft/nft.js";
import type { NftRuleset } from "../../nft/ruleset.js";
import { because, check, ok, skipped } from "../check.js";
import { cmd, nsName, type DoctorContext, type Ns } from "../context.js";
import { walkHook, type Hit } from "../nft-path.js";
import type { PacketView } from "../nft-vm.js";

interface Place {
  id: string;
  title: string;
  ns: Ns;
  /** Each hook with the devices the packet has there ("" where the hook has none). */
  hooks: Array<{ hook: string; iifname: string; oifname: string }>;
}

function probeText(p: PacketView): string {
  const what = p.l4proto === 17 ? `UDP to port ${p.dport}` : p.family === 4 ? "ICMP echo request" : "ICMPv6 echo request";
  return `${what} from ${p.saddr} to ${p.daddr}`;
}

function where(h: Hit): string {
  const handle = h.rule ? `, handle ${h.rule.handle}` : "";
  const via = h.path.length > 1 ? `; reached through ${h.path.join(" > ")}` : "";
  return `table ${h.table.family} ${h.table.name} chain ${h.chain.name}${handle}${via}`;
}

const hitText = (h: Hit) => (h.rule ? `"${h.rule.text}" (${where(h)})` : `the policy drop of chain ${h.chain.name} (table ${h.table.family} ${h.table.name})`);

/** An accept for the probe's addresses in the chain that drops it: before the rule, or at the end (policy). */
function fixFor(ns: Ns, h: Hit, p: PacketView): string {
  const v = p.family === 4 ? "ip" : "ip6";
  const match = `${v} saddr ${p.saddr} ${v} daddr ${p.daddr} accept`;
  const chain = `${h.table.family} ${h.table.name} ${h.chain.name}`;
  return h.rule ? cmd(ns, `nft insert rule ${chain} position ${h.rule.handle} ${match}`) : cmd(ns, `nft add rule ${chain} ${match}`);
}

async function readRuleset(ns: Ns): Promise<NftRuleset> {
  const nft = await Nft.open(ns === undefined ? {} : { netns: ns });
  try {
    return await nft.ruleset();
  } finally {
    nft.close();
  }
}

async function judge(ctx: DoctorContext, place: Place, base: Omit<PacketView, "iifname" | "oifname">): Promise<void> {
  let rs: NftRuleset;
  try {
    rs = await readRuleset(place.ns);
  } catch (e) {
    ctx.add(check(place.id, place.title, "warning", `cannot read nftables in ${nsName(place.ns)}: ${(e as Error).message}`));
    return;
  }
  const chains: string[] = [];
  const maybe: Hit[] = [];
  for (const hk of place.hooks) {
    const p: PacketView = { ...base, iifname: hk.iifname, oifname: hk.oifname };
    const o = walkHook(rs, hk.hook, "filter", p);
    chains.push(...o.chains.map((c) => `${c} (${hk.hook})`));
    const before = [...maybe, ...o.maybe];
    if (o.final) {
      const accepts = before.filter((m) => m.verdict !== "drop" && m.verdict !== "reject");
      const details = { hook: hk.hook, table: o.final.table.name, family: o.final.table.family, chain: o.final.chain.name, handle: o.final.rule?.handle, rule: o.final.rule?.text, path: o.final.path };
      if (accepts.length) {
        ctx.add(check(place.id, place.title, "warning",
          `${hitText(o.final)} drops the ${probeText(p)} in ${nsName(place.ns)} at ${hk.hook}, unless ${hitText(accepts[0]!)} lets it through first (it matches on fields not judged here)`,
          { details }));
      } else {
        ctx.add(check(place.id, place.title, "failure", `${hitText(o.final)} drops the ${probeText(p)} in ${nsName(place.ns)} at ${hk.hook}`,
          { fix: fixFor(place.ns, o.final, p), details }));
      }
      return;
    }
    maybe.push(...o.maybe);
  }
  const drops = maybe.filter((m) => m.verdict === "drop" || m.verdict === "reject" || m.verdict === "unknown");
  if (drops.length) {
    const d = drops[0]!;
    ctx.add(check(place.id, place.title, "warning",
      `${hitText(d)} may ${d.verdict === "unknown" ? "decide the fate of" : "drop"} the ${probeText(base as PacketView)} in ${nsName(place.ns)} (it matches on fields not judged here)`,
      { details: { table: d.table.name, family: d.table.family, chain: d.chain.name, handle: d.rule?.handle, rule: d.rule?.text, path: d.path } }));
    return;
  }
  ctx.add(ok(place.id, place.title, chains.length
    ? `no filter chain in ${nsName(place.ns)} drops the ${probeText(base as PacketView)} (${chains.join(", ")})`
    : `no nftables filter chains in ${nsName(place.ns)} on this path`));
}

/** The subject's own output path: output and postrouting. */
export async function localFilterCheck(ctx: DoctorContext): Promise<void> {
  const f = ctx.facts;
  const id = "filter.local", title = "packet filter (leaving)";
  if (!f.route?.dev || !f.src) return void ctx.add(skipped(id, title, "no route and source address to judge the packet by"));
  await judge(ctx, { id, title, ns: ctx.subject, hooks: [
    { hook: "output", iifname: "", oifname: f.route.dev },
    { hook: "postrouting", iifname: "", oifname: f.route.dev },
  ] }, probeBase(ctx));
}

/** The router's forwarding path: prerouting, forward and postrouting. */
export async function routerFilterCheck(ctx: DoctorContext): Promise<void> {
  const f = ctx.facts;
  const id = "filter.forward", title = "packet filter (router)";
  const r = f.forwarding;
  if (!r || !f.src) {
    const why = !f.gateway ? `${f.dst} is on-link: no router on the path`
      : !f.routerKnown && ctx.routerHint === undefined ? "the router namespace is unknown" : because("forward.route");
    return void ctx.add(skipped(id, title, why));
  }
  const iif = r.ingress ?? "";
  await judge(ctx, { id, title, ns: r.router, hooks: [
    { hook: "prerouting", iifname: iif, oifname: "" },
    { hook: "forward", iifname: iif, oifname: r.out },
    { hook: "postrouting", iifname: iif, oifname: r.out },
  ] }, probeBase(ctx));
}

function probeBase(ctx: DoctorContext): Omit<PacketView, "iifname" | "oifname"> {
  const f = ctx.facts;
  const base = { family: f.family, saddr: f.src!, daddr: f.dst };
  if (f.port !== undefined) return { ...base, l4proto: 17, dport: f.port };
  return f.family === 4 ? { ...base, l4proto: 1, icmpType: 8 } : { ...base, l4proto: 58, icmpType: 128 };
}
