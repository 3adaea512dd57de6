// After the probe, the router's conntrack says what the nftables rules only promise: whether the
// probe's flow left translated, and which source address the outside saw.
import type { Flow } from "../conntrack/flow.js";
import { Conntrack } from "../conntrack/verbs.js";
import type { IpFamily } from "../netlink/ip.js";
import { check } from "./check.js";
import { cmd, nsName, type DoctorContext, type Facts, type Ns } from "./context.js";
import type { Check } from "./types.js";

export interface ProbeTuple {
  family: IpFamily;
  src: string;
  dst: string;
  /** The UDP probe's port; without it the probe was ICMP echo. */
  port?: number;
}

export interface NatFlow {
  /** The probe's flow as the router tracks it: the newest of its tuple. */
  flow?: Flow;
  /** The source the outside saw ("198.51.100.2:61000"), when the flow was rewritten. */
  translated?: { address: string; port?: number };
  /** Why conntrack could not be read. */
  error?: string;
}

const protoOf = (q: ProbeTuple) => (q.port !== undefined ? "udp" : q.family === 4 ? "icmp" : "icmpv6");

async function probeTupleFlows(router: Ns, q: ProbeTuple): Promise<Flow[]> {
  const ct = await Conntrack.open(router === undefined ? {} : { netns: router });
  try {
    return await ct.list({ family: q.family, proto: protoOf(q), orig: { src: q.src, dst: q.dst, ...(q.port !== undefined ? { dport: q.port } : {}) } });
  } finally {
    ct.close();
  }
}

/** The router's namespace, when the checks before the probe found one. */
function routerOf(ctx: DoctorContext): { router: Ns } | undefined {
  const f = ctx.facts;
  if (!f.gateway || !f.src) return undefined;
  if (ctx.routerHint !== undefined) return { router: ctx.routerHint };
  return f.routerKnown ? { router: f.router } : undefined;
}

export function probeTupleOf(f: Facts): ProbeTuple | undefined {
  if (!f.src) return undefined;
  return { family: f.family, src: f.src, dst: f.dst, ...(f.port !== undefined ? { port: f.port } : {}) };
}

/**
 * Before the probe: what the router tracks already for the probe's tuple (id -> seconds left),
 * so that afterwards the probe's own flow is told from an earlier one (which may have been
 * translated by a rule since changed).
 */
export async function noteFlowsBeforeProbe(ctx: DoctorContext): Promise<void> {
  const r = routerOf(ctx), q = probeTupleOf(ctx.facts);
  if (!r || !q) return;
  try {
    ctx.facts.natFlowsBefore = new Map((await probeTupleFlows(r.router, q)).map((fl) => [fl.id, fl.timeout ?? 0]));
  } catch {
    // unreadable now is unreadable after the probe too, and said so there
  }
}

export async function natFlow(router: Ns, q: ProbeTuple, before?: ReadonlyMap<number, number>): Promise<NatFlow> {
  try {
    return probeFlow(await probeTupleFlows(router, q), q, before);
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** Of the flows of the probe's tuple, the probe's own, and the source it left with. */
export function probeFlow(flows: readonly Flow[], q: ProbeTuple, before?: ReadonlyMap<number, number>): NatFlow {
  // the probe's flow is new, or an old one its packets refreshed (more time left than before)
  if (before) flows = flows.filter((fl) => !before.has(fl.id) || (fl.timeout ?? 0) > before.get(fl.id)!);
  const answered = (fl: Flow) => (fl.status.includes("SEEN_REPLY") ? 1 : 0);
  const flow = [...flows].sort((a, b) => (b.timeout ?? 0) - (a.timeout ?? 0) || answered(b) - answered(a))[0];
  if (!flow) return {};
  // SNAT rewrites the reply's destination: what the outside answers is what it saw as the source
  if (flow.reply.dst === flow.orig.src && flow.reply.dport === flow.orig.sport) return { flow };
  return { flow, translated: { address: flow.reply.dst, ...(q.port !== undefined && flow.reply.dport !== undefined ? { port: flow.reply.dport } : {}) } };
}

function flowWords(f: Flow): string {
  const l4 = f.orig.dport !== undefined ? `:${f.orig.dport}` : "";
  return `${f.proto} ${f.orig.src} -> ${f.orig.dst}${l4}${f.status.includes("SEEN_REPLY") ? ", answered" : ", unanswered"}`;
}

const seenAs = (t: NonNullable<NatFlow["translated"]>) => (t.port !== undefined ? `${t.address}:${t.port}` : t.address);

/**
 * The nat.masquerade check with what conntrack showed folded in: the translated source as
 * evidence, and a missing or wrong translation as the failure it is when the source is private.
 */
export function withNatFlow(c: Check, seen: NatFlow, o: { router: Ns; q: ProbeTuple; needed: boolean; rule: "yes" | "maybe" | undefined; routerAddrs: readonly string[] }): Check {
  const where = `conntrack in ${nsName(o.router)}`;
  if (seen.error !== undefined) return check(c.id, c.title, c.status, `${c.evidence}; ${where} unreadable: ${seen.error}`, { fix: c.fix, details: c.details });
  const details = seen.flow ? { ...(c.details as object | undefined), flow: seen.flow } : c.details;
  if (!seen.flow) {
    // a NAT rule makes the kernel track connections there; without one, nothing may
    const why = o.rule ? `the probe did not get through ${nsName(o.router)}` : `nothing there may track connections without a NAT rule, or the probe did not get there`;
    return check(c.id, c.title, c.status, `${c.evidence}; the probe made no ${protoOf(o.q)} flow ${o.q.src} -> ${o.q.dst} in ${nsName(o.router)}'s conntrack: ${why}`, { fix: c.fix, details });
  }
  const f = seen.flow, t = seen.translated;
  if (t && !o.routerAddrs.includes(t.address)) {
    return check(c.id, c.title, o.needed ? "failure" : "warning",
      `${c.evidence}; ${where}: ${flowWords(f)}, left as ${seenAs(t)}, an address ${nsName(o.router)} does not hold: the answers go to ${t.address}, not back through ${nsName(o.router)}`,
      { details });
  }
  if (t) {
    // translated with no rule: NAT nlkit does not read (iptables-legacy), or a flow that began
    // under a rule since removed and keeps its translation until it ends
    if (!o.rule) {
      return check(c.id, c.title, "warning",
        `no nftables rule rewrites ${o.q.src}, yet ${where} shows ${flowWords(f)}, left as ${seenAs(t)}: ` +
        "a rule outside nftables translated it, or one since removed did when the flow began", { details });
    }
    return check(c.id, c.title, c.status, `${c.evidence}; the outside saw ${seenAs(t)} (${where}: ${flowWords(f)})`, { fix: c.fix, details });
  }
  const untranslated = `${where}: ${flowWords(f)}, left untranslated as ${o.q.src}`;
  if (o.rule === "yes" && o.needed) {
    // the rule matches what it sees: the flow began before it, and keeps going out untranslated until deleted
    const l4 = o.q.port !== undefined ? ` --dport ${o.q.port}` : "";
    return check(c.id, c.title, "failure", `${c.evidence}, but ${untranslated}: it began before the rule and keeps its (missing) translation until it is deleted`,
      { fix: cmd(o.router, `conntrack -D -p ${f.proto} -s ${o.q.src} -d ${o.q.dst}${l4}`), details });
  }
  if (o.rule === "maybe" && o.needed) {
    return check(c.id, c.title, "failure", `${c.evidence}, but ${untranslated}: the rule does not apply to it`, { details });
  }
  return check(c.id, c.title, c.status, `${c.evidence}; ${untranslated}`, { fix: c.fix, details });
}
