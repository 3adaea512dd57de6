// Does a nat postrouting rule rewrite this packet's source? The rule's expressions are run
// against one packet (source, destination, output/input device) the way nf_tables would: loads
// into registers, masks, compares; masq or snat at the end means yes. What cannot be judged from
// those fields (sets, ct state, marks) counts as "may match".
import type { Expr } from "../nft/expr/index.js";
import type { NftChain, NftRule, NftRuleset } from "../nft/ruleset.js";
import { parseIp } from "../netlink/ip.js";

export interface PacketView {
  family: 4 | 6;
  saddr: string;
  daddr: string;
  oifname: string;
  iifname?: string;
  /** IPPROTO number of the probe (1 icmp, 17 udp...) */
  l4proto?: number;
}

export type RuleVerdict = { match: "yes" | "maybe"; action: "masquerade" | "snat" } | { match: "no" };

const IFNAMSIZ = 16;
const ifname = (name: string) => { const b = Buffer.alloc(IFNAMSIZ); b.write(name, "latin1"); return b; };

function compare(op: string, a: Buffer, b: Buffer): boolean {
  const c = Buffer.compare(a, b);
  switch (op) {
    case "eq": return c === 0;
    case "neq": return c !== 0;
    case "lt": return c < 0;
    case "lte": return c <= 0;
    case "gt": return c > 0;
    case "gte": return c >= 0;
    default: return false;
  }
}

/** The packet field a load reads, as bytes; undefined when the packet view cannot say. */
function load(e: Expr, p: PacketView): Buffer | undefined {
  const d = e.data as Record<string, any>;
  if (e.name === "payload" && d.base === "network") {
    const [sOff, dOff, len] = p.family === 4 ? [12, 16, 4] : [8, 24, 16];
    const field = d.offset === sOff ? p.saddr : d.offset === dOff ? p.daddr : undefined;
    if (field === undefined || d.len > len) return undefined;
    const whole = parseIp(field)!.bytes;
    return whole.subarray(0, d.len);
  }
  if (e.name === "meta") {
    switch (d.key) {
      case "oifname": return ifname(p.oifname);
      case "iifname": return p.iifname !== undefined ? ifname(p.iifname) : undefined;
      case "nfproto": return Buffer.from([p.family === 4 ? 2 : 10]);
      case "l4proto": return p.l4proto !== undefined ? Buffer.from([p.l4proto]) : undefined;
      default: return undefined;
    }
  }
  return undefined;
}

export function evaluateRule(exprs: Expr[], p: PacketView): RuleVerdict {
  const regs = new Map<number, Buffer | undefined>();
  let uncertain = false;
  for (const e of exprs) {
    const d = (e.data && !Buffer.isBuffer(e.data) ? e.data : {}) as Record<string, any>;
    switch (e.name) {
      case "payload": case "meta": case "ct":
        if (d.dreg !== undefined) regs.set(d.dreg, load(e, p));
        else uncertain = true; // a store (sreg): mangling, not matching
        break;
      case "bitwise": {
        const v = regs.get(d.sreg);
        const mask: Buffer | undefined = d.mask?.value, xor: Buffer | undefined = d.xor?.value;
        if (!v || !mask) { regs.set(d.dreg, undefined); break; }
        const out = Buffer.alloc(d.len ?? v.length);
        for (let i = 0; i < out.length; i++) out[i] = ((v[i] ?? 0) & (mask[i] ?? 0)) ^ (xor?.[i] ?? 0);
        regs.set(d.dreg, out);
        break;
      }
      case "cmp": {
        const v = regs.get(d.sreg);
        const want: Buffer | undefined = d.data?.value;
        if (!v || !want) { uncertain = true; break; }
        // an interface-name prefix match ("eth*") compares fewer bytes than IFNAMSIZ
        if (!compare(d.op, v.subarray(0, want.length), want)) return { match: "no" };
        break;
      }
      case "immediate":
        if (d.data?.verdict) return { match: "no" }; // accept/drop/jump before any nat: not this rule's doing
        break;
      case "masq": return { match: uncertain ? "maybe" : "yes", action: "masquerade" };
      case "nat":
        if (d.type === "snat") return { match: uncertain ? "maybe" : "yes", action: "snat" };
        return { match: "no" };
      case "counter": case "log": case "limit":
        break;
      default:
        uncertain = true;
    }
  }
  return { match: "no" };
}

export interface SnatMatch {
  rule: NftRule;
  chain: NftChain;
  verdict: Extract<RuleVerdict, { match: "yes" | "maybe" }>;
}

/** The first rule of a nat postrouting chain that rewrites the packet's source. */
export function findSourceNat(rs: NftRuleset, p: PacketView): SnatMatch | undefined {
  const families = p.family === 4 ? ["ip", "inet"] : ["ip6", "inet"];
  for (const t of rs.tables) {
    if (!families.includes(t.family)) continue;
    for (const chain of t.chains) {
      if (chain.type !== "nat" || chain.hook !== "postrouting") continue;
      for (const rule of chain.rules) {
        const v = evaluateRule(rule.expressions, p);
        if (v.match !== "no") return { rule, chain, verdict: v };
      }
    }
  }
  return undefined;
}
