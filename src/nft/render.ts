import { formatIPv4, formatIPv6, formatLladdr } from "../netlink/ip.js";
import { L4PROTO } from "./build.js";
import { CT_STATE_BITS } from "./expr/ct.js";
import type { Expr } from "./expr/index.js";
import { NF_NAT_RANGE } from "./expr/nat.js";
import { LIMIT_UNITS } from "./build.js";
import type { NftFamily } from "./types.js";

/**
 * Turns expression lists back into the one-line text `nft list ruleset` prints, for the
 * expressions nlkit knows. Like nft, implicit dependencies (meta l4proto before tcp dport,
 * meta nfproto before ip saddr in inet tables) are left out of the text.
 */

export interface RenderContext {
  family: NftFamily;
  /** Anonymous sets of the table, by name, already formatted ("{ tcp, udp }"). */
  anonSets?: ReadonlyMap<string, string>;
}

type Field = { text: string; type: ValueType; dep?: "l3" | "l4"; l3?: string; l4?: string };
type ValueType = "ipv4" | "ipv6" | "port" | "ifname" | "l4proto" | "nfproto" | "ethertype" | "ctstate"
  | "mark" | "int" | "ether" | "icmptype" | "icmpv6type" | "raw";

interface Loaded { field: Field; mask?: Buffer; len?: number }

const ETHERTYPES: Record<number, string> = { 0x0800: "ip", 0x86dd: "ip6", 0x0806: "arp", 0x8100: "vlan" };
const ICMP_TYPES: Record<number, string> = { 0: "echo-reply", 3: "destination-unreachable", 8: "echo-request", 11: "time-exceeded" };
const ICMPV6_TYPES: Record<number, string> = {
  1: "destination-unreachable", 128: "echo-request", 129: "echo-reply", 133: "nd-router-solicit",
  134: "nd-router-advert", 135: "nd-neighbor-solicit", 136: "nd-neighbor-advert",
};
const OPS: Record<string, string> = { eq: "", neq: "!= ", lt: "< ", lte: "<= ", gt: "> ", gte: ">= " };

function payloadField(d: Record<string, any>, l3: string | undefined, l4: string | undefined): Field {
  const { base, offset: off, len } = d as { base: string; offset: number; len: number };
  if (base === "network" && l3 === "ip") {
    if (off === 12 && len <= 4) return { text: "ip saddr", type: "ipv4", l3: "ip" };
    if (off === 16 && len <= 4) return { text: "ip daddr", type: "ipv4", l3: "ip" };
    if (off === 9 && len === 1) return { text: "ip protocol", type: "l4proto", l3: "ip" };
  }
  if (base === "network" && l3 === "ip6") {
    if (off === 8 && len <= 16) return { text: "ip6 saddr", type: "ipv6", l3: "ip6" };
    if (off === 24 && len <= 16) return { text: "ip6 daddr", type: "ipv6", l3: "ip6" };
    if (off === 6 && len === 1) return { text: "ip6 nexthdr", type: "l4proto", l3: "ip6" };
  }
  if (base === "transport" && len === 2 && (off === 0 || off === 2)) {
    const proto = l4 === "tcp" || l4 === "udp" || l4 === "sctp" || l4 === "udplite" ? l4 : "th";
    return { text: `${proto} ${off === 0 ? "sport" : "dport"}`, type: "port", ...(proto !== "th" ? { l4: proto } : {}) };
  }
  if (base === "transport" && off === 0 && len === 1 && (l4 === "icmp" || l4 === "icmpv6")) {
    return { text: `${l4} type`, type: l4 === "icmp" ? "icmptype" : "icmpv6type", l4 };
  }
  if (base === "ll") {
    if (off === 0 && len === 6) return { text: "ether daddr", type: "ether" };
    if (off === 6 && len === 6) return { text: "ether saddr", type: "ether" };
    if (off === 12 && len === 2) return { text: "ether type", type: "ethertype", dep: "l3" };
  }
  const b = ({ ll: "@ll", network: "@nh", transport: "@th", inner: "@ih" } as Record<string, string>)[base] ?? `@${base}`;
  return { text: `${b},${off * 8},${len * 8}`, type: "raw" };
}

function metaField(key: string): Field {
  switch (key) {
    case "iifname": case "oifname": return { text: key, type: "ifname" };
    case "l4proto": return { text: "meta l4proto", type: "l4proto", dep: "l4" };
    case "nfproto": return { text: "meta nfproto", type: "nfproto", dep: "l3" };
    case "protocol": return { text: "meta protocol", type: "ethertype", dep: "l3" };
    case "mark": return { text: "meta mark", type: "mark" };
    default: return { text: `meta ${key}`, type: "int" };
  }
}

function ctField(key: string): Field {
  if (key === "state") return { text: "ct state", type: "ctstate" };
  if (key === "mark") return { text: "ct mark", type: "mark" };
  return { text: `ct ${key}`, type: "int" };
}

function prefixLen(mask: Buffer): number | undefined {
  let n = 0;
  while (n < mask.length * 8 && mask[n >> 3]! & (0x80 >> (n & 7))) n++;
  for (let i = n; i < mask.length * 8; i++) if (mask[i >> 3]! & (0x80 >> (i & 7))) return undefined;
  return n;
}

function formatValue(f: Field, v: Buffer, loadLen: number, mask?: Buffer): string {
  switch (f.type) {
    case "ipv4": case "ipv6": {
      const full = f.type === "ipv4" ? 4 : 16;
      const b = Buffer.alloc(full);
      v.copy(b, 0, 0, Math.min(v.length, full));
      const text = f.type === "ipv4" ? formatIPv4(b) : formatIPv6(b);
      const p = mask ? prefixLen(mask) : loadLen < full ? loadLen * 8 : undefined;
      return p !== undefined && p < full * 8 ? `${text}/${p}` : text;
    }
    case "port": return String(v.readUInt16BE(0));
    case "ifname": {
      // nft compares only the prefix of a wildcard name ("eth*"), so its value has no NUL
      const nul = v.indexOf(0);
      return JSON.stringify(nul < 0 ? `${v.toString("utf8")}*` : v.toString("utf8", 0, nul));
    }
    case "l4proto": return Object.entries(L4PROTO).find(([, n]) => n === v[0])?.[0] ?? String(v[0]);
    case "nfproto": return v[0] === 2 ? "ipv4" : v[0] === 10 ? "ipv6" : String(v[0]);
    case "ethertype": { const n = v.readUInt16BE(0); return ETHERTYPES[n] ?? `0x${n.toString(16).padStart(4, "0")}`; }
    case "ether": return formatLladdr(v, 0, v.length);
    case "icmptype": return ICMP_TYPES[v[0]!] ?? String(v[0]);
    case "icmpv6type": return ICMPV6_TYPES[v[0]!] ?? String(v[0]);
    case "ctstate": return ctStates(v.readUInt32LE(0));
    case "mark": return `0x${v.readUInt32LE(0).toString(16).padStart(8, "0")}`;
    case "int": return v.length === 4 ? String(v.readUInt32LE(0)) : v.length === 2 ? String(v.readUInt16LE(0)) : v.length === 1 ? String(v[0]) : `0x${v.toString("hex")}`;
    default: return `0x${v.toString("hex")}`;
  }
}

function ctStates(bits: number): string {
  return Object.entries(CT_STATE_BITS).filter(([, b]) => bits & b).map(([n]) => n).join(",");
}

interface Stmt { text: string; dep?: "l3" | "l4" }

export function renderExpressions(exprs: readonly Expr[], ctx: RenderContext): string {
  const regs = new Map<number, Loaded>();
  const imm = new Map<number, Buffer>();
  const out: Stmt[] = [];
  let l3: string | undefined = ctx.family === "ip" ? "ip" : ctx.family === "ip6" ? "ip6" : undefined;
  let l4: string | undefined;
  const push = (s: Stmt, f?: Field) => {
    // a match that needs a protocol context makes the statement establishing it implicit
    if (f && out.length) {
      const last = out[out.length - 1]!;
      if ((last.dep === "l4" && f.l4) || (last.dep === "l3" && f.l3)) out.pop();
      // icmp implies ipv4 and icmpv6 ipv6; tcp or udp imply neither, so nft shows the nfproto match
      if ((f.l4 === "icmp" || f.l4 === "icmpv6") && out.length && out[out.length - 1]!.dep === "l3" && ctx.family !== "ip" && ctx.family !== "ip6") out.pop();
    }
    out.push(s);
  };
  for (let i = 0; i < exprs.length; i++) {
    const e = exprs[i]!;
    const d = (e.data ?? {}) as Record<string, any>;
    switch (e.name) {
      case "payload":
        if (d.sreg !== undefined) { push({ text: `${payloadField(d, l3, l4).text} set ?` }); break; }
        regs.set(d.dreg, { field: { ...payloadField(d, l3, l4) }, mask: undefined });
        (regs.get(d.dreg) as any).len = d.len;
        break;
      case "meta":
        if (d.sreg !== undefined) { push({ text: `meta ${d.key} set ?` }); break; }
        regs.set(d.dreg, { field: metaField(String(d.key)) });
        break;
      case "ct":
        if (d.sreg !== undefined) { push({ text: `ct ${d.key} set ?` }); break; }
        regs.set(d.dreg, { field: ctField(String(d.key)) });
        break;
      case "bitwise": {
        const r = regs.get(d.sreg);
        if (r && d.mask?.value) regs.set(d.dreg, { ...r, mask: d.mask.value });
        break;
      }
      case "cmp": {
        const r = regs.get(d.sreg);
        const v: Buffer = d.data?.value ?? Buffer.alloc(0);
        if (!r) { push({ text: `[cmp ${d.op} 0x${v.toString("hex")}]` }); break; }
        const f = r.field;
        if (f.type === "ctstate" && r.mask && d.op === "neq" && v.every((b) => b === 0)) {
          push({ text: `${f.text} ${ctStates(r.mask.readUInt32LE(0))}` }, f);
          break;
        }
        // nft writes an inclusive range match as gte then lte on the same register
        // (nft loads the field again before the second compare)
        let j = i + 1;
        const reload = exprs[j]?.data as Record<string, any> | undefined;
        if (exprs[j]?.name === "payload" && reload?.dreg === d.sreg && payloadField(reload!, l3, l4).text === f.text) j++;
        const nx = exprs[j]?.data as Record<string, any> | undefined;
        if (d.op === "gte" && exprs[j]?.name === "cmp" && nx?.op === "lte" && nx.sreg === d.sreg && nx.data?.value) {
          i = j;
          push({ text: `${f.text} ${formatRange(f, v, nx.data.value, r)}` }, f);
          break;
        }
        const text = `${f.text} ${OPS[d.op] ?? `${d.op} `}${formatValue(f, v, (r as any).len ?? v.length, r.mask)}`;
        push({ text, ...(f.dep && d.op === "eq" ? { dep: f.dep } : {}) }, f);
        if (f.dep === "l4" && d.op === "eq") l4 = formatValue(f, v, 1);
        if (f.dep === "l3" && d.op === "eq") {
          const p = formatValue(f, v, v.length);
          l3 = p === "ipv4" ? "ip" : p === "ipv6" ? "ip6" : p;
        }
        if (f.text === "ip protocol" || f.text === "ip6 nexthdr") l4 = formatValue(f, v, 1);
        break;
      }
      case "range": {
        const r = regs.get(d.sreg);
        const lo: Buffer = d.fromData?.value ?? Buffer.alloc(0), hi: Buffer = d.toData?.value ?? Buffer.alloc(0);
        if (!r) { push({ text: `[range ${d.op} 0x${lo.toString("hex")} 0x${hi.toString("hex")}]` }); break; }
        push({ text: `${r.field.text} ${d.op === "neq" ? "!= " : ""}${formatRange(r.field, lo, hi, r)}` }, r.field);
        break;
      }
      case "lookup": {
        const r = regs.get(d.sreg);
        const name = String(d.set);
        const target = ctx.anonSets?.get(name) ?? `@${name}`;
        const f = r?.field ?? { text: "?", type: "raw" as const };
        push({ text: `${f.text} ${d.flags & 1 ? "!= " : ""}${target}` }, f);
        break;
      }
      case "immediate":
        if (d.dreg === 0 && d.data?.verdict) {
          const v = d.data.verdict;
          push({ text: v.chain ? `${v.code} ${v.chain}` : String(v.code) });
        } else if (d.data?.value) imm.set(d.dreg, d.data.value);
        break;
      case "counter":
        push({ text: `counter packets ${Number(d.packets ?? 0)} bytes ${Number(d.bytes ?? 0)}` });
        break;
      case "log": {
        let t = "log";
        if (d.prefix !== undefined) t += ` prefix ${JSON.stringify(d.prefix)}`;
        if (d.group !== undefined) t += ` group ${d.group}`;
        if (d.level !== undefined && d.level !== "warn") t += ` level ${d.level}`;
        push({ text: t });
        break;
      }
      case "limit": {
        const unit = Object.entries(LIMIT_UNITS).find(([, s]) => BigInt(s) === BigInt(d.unit ?? 1))?.[0] ?? `${d.unit}s`;
        const over = d.flags & 1 ? "over " : "";
        const bytes = d.type === "bytes";
        let t = `limit rate ${over}${Number(d.rate)}${bytes ? " bytes" : ""}/${unit}`;
        if (d.burst && d.burst !== 5 && !bytes) t += ` burst ${d.burst} packets`;
        push({ text: t });
        break;
      }
      case "masq": push({ text: `masquerade${natPorts(d, imm)}${natFlags(d.flags)}` }); break;
      case "redir": push({ text: `redirect${natPorts(d, imm)}${natFlags(d.flags)}` }); break;
      case "nat": {
        const addr = d.regAddrMin !== undefined ? imm.get(d.regAddrMin) : undefined;
        const fam = d.family === "ip6" ? "ip6" : "ip";
        let to = addr ? (addr.length === 16 ? formatIPv6(addr) : formatIPv4(addr)) : "";
        if (addr && d.regAddrMax !== undefined && d.regAddrMax !== d.regAddrMin) {
          const hi = imm.get(d.regAddrMax);
          if (hi) to += `-${hi.length === 16 ? formatIPv6(hi) : formatIPv4(hi)}`;
        }
        if (fam === "ip6" && addr && d.regProtoMin !== undefined) to = `[${to}]`;
        const ports = d.regProtoMin !== undefined ? imm.get(d.regProtoMin) : undefined;
        if (ports) to += `:${ports.readUInt16BE(0)}`;
        const famText = ctx.family === "inet" ? ` ${fam}` : "";
        push({ text: `${d.type}${famText} to ${to}${natFlags(d.flags)}` });
        break;
      }
      case "reject": {
        const r = rejectText(d, l3, ctx.family);
        // the protocol match that only makes the reject possible is implicit, as in nft's listing
        const last = out[out.length - 1];
        if (last?.dep === "l3" && r.l3) out.pop();
        if (last?.dep === "l4" && r.tcp && (ctx.family === "ip" || ctx.family === "ip6")) out.pop();
        else if (r.tcp && (ctx.family === "ip" || ctx.family === "ip6") && /^(ip protocol|ip6 nexthdr) tcp$/.test(last?.text ?? "")) out.pop();
        push({ text: r.text });
        break;
      }
      default:
        push({ text: `[${e.name}]` });
    }
  }
  return out.map((s) => s.text).join(" ");
}

function formatRange(f: Field, lo: Buffer, hi: Buffer, r: Loaded): string {
  const len = r.len ?? lo.length;
  return `${formatValue(f, lo, len)}-${formatValue(f, hi, len)}`;
}

/** nft's names for ICMP codes (NFTA_REJECT_ICMP_CODE), per reject type. */
const ICMP_CODES: Record<number, string> = {
  0: "net-unreachable", 1: "host-unreachable", 2: "prot-unreachable", 3: "port-unreachable", 4: "frag-needed",
  9: "net-prohibited", 10: "host-prohibited", 13: "admin-prohibited",
};
const ICMPV6_CODES: Record<number, string> = {
  0: "no-route", 1: "admin-prohibited", 3: "addr-unreachable", 4: "port-unreachable", 5: "policy-fail", 6: "reject-route",
};
const ICMPX_CODES: Record<number, string> = { 0: "no-route", 1: "port-unreachable", 2: "host-unreachable", 3: "admin-prohibited" };

/**
 * nft leaves out the default code (port unreachable) except for an icmp/icmpv6 reject in a
 * table of several families, where the type itself has to be said.
 */
function rejectText(d: Record<string, any>, l3: string | undefined, family: NftFamily): { text: string; l3?: boolean; tcp?: boolean } {
  const code = Number(d.icmpCode ?? 0);
  if (d.type === "tcp reset") return { text: "reject with tcp reset", tcp: true };
  if (d.type === "icmpx") return { text: code === 1 ? "reject" : `reject with icmpx ${ICMPX_CODES[code] ?? code}` };
  const v6 = l3 === "ip6";
  const names = v6 ? ICMPV6_CODES : ICMP_CODES;
  const multi = family !== "ip" && family !== "ip6";
  if (!multi && code === (v6 ? 4 : 3)) return { text: "reject" };
  return { text: `reject with ${v6 ? "icmpv6" : "icmp"} ${names[code] ?? code}`, l3: true };
}

function natPorts(d: Record<string, any>, imm: Map<number, Buffer>): string {
  const lo = d.regProtoMin !== undefined ? imm.get(d.regProtoMin) : undefined;
  if (!lo) return "";
  const hi = d.regProtoMax !== undefined ? imm.get(d.regProtoMax) : undefined;
  return ` to :${lo.readUInt16BE(0)}${hi && !hi.equals(lo) ? `-${hi.readUInt16BE(0)}` : ""}`;
}

function natFlags(flags: number | undefined): string {
  if (!flags) return "";
  const out: string[] = [];
  if (flags & NF_NAT_RANGE.random) out.push("random");
  if (flags & NF_NAT_RANGE.fullyRandom) out.push("fully-random");
  if (flags & NF_NAT_RANGE.persistent) out.push("persistent");
  return out.length ? ` ${out.join(",")}` : "";
}
