// A packet through the base chains of one netfilter hook, as nf_tables walks them: base chains in
// priority order, rules in order, jump/goto into regular chains (verdict maps too), return, and
// the chain's policy at the end. Rules that only "maybe" match are noted along the way and
// passed over, so the outcome says both what certainly happens and what might happen first.
import { ruleSet, type NftChain, type NftRule, type NftRuleset, type NftTable } from "../nft/ruleset.js";
import { runRule, type Action, type PacketView } from "./nft-vm.js";

export interface Hit {
  table: NftTable;
  chain: NftChain;
  /** The rule that decided; absent when the base chain's policy did. */
  rule?: NftRule;
  /** What happened: accept, drop, reject, masquerade, snat, ..., or "unknown" (a verdict map on an unknown key). */
  verdict: string;
  /** The chain the walk entered at the hook, and the jumps that led to `chain`. */
  path: string[];
  certain: boolean;
}

export interface HookOutcome {
  /** The first certain end: a drop or reject (by a rule or a policy), or a NAT statement where asked for. */
  final?: Hit;
  /** Decisions that may happen before `final` (or instead of it), in walk order. */
  maybe: Hit[];
  /** The base chains walked, "table family name chain name". */
  chains: string[];
}

const TERMINAL = new Set(["accept", "drop", "reject", "queue", "masquerade", "snat", "dnat", "redirect"]);
const MAX_DEPTH = 16;

type Walk = { hit: Hit } | { ret: true } | undefined;

function walkChain(rs: NftRuleset, table: NftTable, chain: NftChain, p: PacketView, sure: boolean, path: string[], maybe: Hit[], depth: number): Walk {
  if (depth > MAX_DEPTH) return undefined;
  for (const rule of chain.rules) {
    const r = runRule(rule.expressions, p, (name) => ruleSet(rule, name));
    if (r.match === "no") continue;
    const certain = sure && r.match === "yes";
    const hit = (verdict: string): Hit => ({ table, chain, rule, verdict, path, certain });
    if (r.unknownVerdict) { maybe.push(hit("unknown")); continue; }
    const a: Action | undefined = r.action;
    if (!a || a.kind === "continue") continue;
    if (a.kind === "return") {
      if (certain) return { ret: true };
      // it may have returned: whatever comes after in this chain only maybe happens
      sure = false;
      continue;
    }
    if (a.kind === "jump" || a.kind === "goto") {
      const target = table.chains.find((c) => c.name === a.chain);
      if (!target) continue;
      const sub = walkChain(rs, table, target, p, certain, [...path, `${a.kind} ${a.chain}`], maybe, depth + 1);
      if (sub && "hit" in sub) return sub;
      // a goto's chain that ends returns to whoever called this chain
      if (a.kind === "goto") {
        if (certain) return { ret: true };
        sure = false;
      }
      continue;
    }
    if (!TERMINAL.has(a.kind)) continue;
    if (certain) return { hit: hit(a.kind) };
    maybe.push(hit(a.kind));
  }
  return undefined;
}

const familiesOf = (p: PacketView): string[] => (p.family === 4 ? ["ip", "inet"] : ["ip6", "inet"]);

/**
 * The base chains of `type` at `hook` for the packet's family, walked in priority order. For
 * filter chains the walk goes on past an accept (every base chain must let the packet through)
 * and ends at a drop; for nat chains it ends at the first NAT statement.
 */
export function walkHook(rs: NftRuleset, hook: string, type: "filter" | "nat", p: PacketView): HookOutcome {
  const bases: Array<{ table: NftTable; chain: NftChain }> = [];
  for (const table of rs.tables) {
    if (!familiesOf(p).includes(table.family)) continue;
    for (const chain of table.chains) if (chain.hook === hook && chain.type === type) bases.push({ table, chain });
  }
  bases.sort((a, b) => (a.chain.priority ?? 0) - (b.chain.priority ?? 0));
  const out: HookOutcome = { maybe: [], chains: bases.map((b) => `table ${b.table.family} ${b.table.name} chain ${b.chain.name}`) };
  for (const { table, chain } of bases) {
    const path = [chain.name];
    const w = walkChain(rs, table, chain, p, true, path, out.maybe, 0);
    if (w && "hit" in w) {
      const v = w.hit.verdict;
      if (type === "nat" ? v !== "accept" && v !== "drop" : v === "drop" || v === "reject") {
        out.final = w.hit;
        return out;
      }
      continue;
    }
    if (type === "filter" && chain.policy === "drop") {
      out.final = { table, chain, verdict: "drop", path, certain: true };
      return out;
    }
  }
  return out;
}
