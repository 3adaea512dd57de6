// portMappings over nftables netlink, keyed by attachment like masquerade.ts:
//
//   table inet cni_plugins_hostport {
//     chain prerouting { type nat hook prerouting priority dstnat;   fib daddr type local jump hostip_hostports; ... jump hostports }
//     chain output     { type nat hook output priority -100;         (the same two rules: the host itself) }
//     chain postrouting { type nat hook postrouting priority srcnat; jump masquerading }
//     chain hostip_hostports { per mapping with a hostIP }           (first, so a hostIP wins over a wildcard)
//     chain hostports {                                              per mapping without one:
//       ip saddr 10.22.0.0/24 tcp dport 18080 meta mark set mark | 0x2000    (hairpin: from the bridge's subnet)
//       ip saddr 127.0.0.1 tcp dport 18080 meta mark set mark | 0x2000       (from the host's loopback)
//       tcp dport 18080 dnat ip to 10.22.0.2:80
//     }
//     chain masquerading { ip daddr 10.22.0.2 meta mark & 0x2000 == 0x2000 masquerade }
//   }
//
// every per-attachment rule carrying the attachment's comment. The marks and the masquerade are
// the reference's (CNI-HOSTPORT-SETMARK/-MASQ, `snat`, `markMasqBit`); hairpin traffic must be
// masqueraded or the container answers its neighbour directly, past the DNAT.
import { CNI_ERR, CniError, invalidConfig } from "./errors.js";
import type { Attachment, GcAttachment } from "./config.js";
import { Conntrack, nftExpr as x, Rtnl, sysctl, type Expr, type NftRule, type Transaction } from "./deps.js";
import { formatAddr, formatNet, network, parseAddr, parseNet, type Family, type IpNet } from "./ip.js";
import { attachmentComment, attachmentKey, deleteRules, fibDaddrLocal, hostU32, networkKey, openNft, readInet, rulesByComment, sameRule, type NftTarget, gcRules } from "./nft-util.js";

/**
 * The nftables table holding portmap's DNAT rules, named as the reference portmap plugin names it.
 *
 * @example
 * ```ts
 * import { Nft } from "nlkit";
 * // uninstalling: every attachment's port forwards go with the table
 * const nft = await Nft.open();
 * await nft.deleteTable({ family: "inet", name: HOSTPORT_TABLE });
 * nft.close();
 * ```
 */
export const HOSTPORT_TABLE = "cni_plugins_hostport";
const HOSTIP_CHAIN = "hostip_hostports";
const HOSTPORTS_CHAIN = "hostports";
const MASQ_CHAIN = "masquerading";
const RULE_CHAINS = [HOSTIP_CHAIN, HOSTPORTS_CHAIN, MASQ_CHAIN];
const L4: Record<string, number> = { tcp: 6, udp: 17, sctp: 132 };

/**
 * One `portMappings` entry (`runtimeConfig`): a host port forwarded to a container port.
 *
 * @example
 * ```ts
 * // 203.0.113.10:8443 on the host to the container's 443; DNS on any local address
 * const https: PortMapping = { hostPort: 8443, containerPort: 443, protocol: "tcp", hostIP: "203.0.113.10" };
 * const dns: PortMapping = { hostPort: 5353, containerPort: 53, protocol: "udp" };
 * const att = { network: "lab", containerId: "ctr1", ifname: "eth0" };
 * await portForward.add(att, { mappings: [https, dns], addresses: ["10.22.0.2/24"] });
 * ```
 */
export interface PortMapping {
  /** The port on the host that is forwarded, 1-65535 (`tcp dport N` before the dnat). */
  hostPort: number;
  /** The container's port it is forwarded to, 1-65535 (`dnat to ADDR:PORT`). */
  containerPort: number;
  /** tcp (default), udp or sctp */
  protocol?: string;
  /** Only traffic to this local address; "" or the unspecified address means any. */
  hostIP?: string;
}

/**
 * What `portForward()` installs for an attachment: its mappings, the container addresses they point
 * at, whether hairpin and localhost connections are masqueraded (and with which mark), and extra
 * match conditions.
 *
 * @example
 * ```ts
 * const att = { network: "lab", containerId: "ctr1", ifname: "eth0" };
 * const spec: PortForwardSpec = {
 *   mappings: [{ hostPort: 8080, containerPort: 80 }],
 *   addresses: ["10.22.0.2/24", "2001:db8:22::2/64"], // both families forwarded
 *   snat: false,                                       // no masquerade of hairpin and localhost connections
 *   conditionsV4: ["-i", "eth0", "!", "-s", "198.51.100.0/24"], // only from eth0, and not from 198.51.100.0/24
 * };
 * await portForward.add(att, spec);
 * ```
 */
export interface PortForwardSpec {
  /** The port mappings (runtimeConfig's `portMappings`); none installs nothing. */
  mappings: readonly PortMapping[];
  /** The container's addresses with their prefix, as results carry them; the first of each family is used. */
  addresses: readonly string[];
  /** Masquerade hairpin and localhost connections (default true). */
  snat?: boolean;
  /** The mark bit that asks for that masquerade (0-31, default 13: 0x2000). */
  markMasqBit?: number;
  /** Extra conditions on every DNAT, iptables-style: ["!", "-d", "192.0.2.0/24", "-i", "eth0"]. */
  conditionsV4?: readonly string[];
  /** The same for the IPv6 DNATs, with IPv6 addresses: ["-i", "eth0", "!", "-s", "2001:db8::/32"]. */
  conditionsV6?: readonly string[];
}

/**
 * Reads a portMappings entry strictly (code 7 for what the reference also refuses).
 *
 * @example
 * ```ts
 * const conf = parseNetConf({
 *   cniVersion: "1.0.0", name: "lab", type: "portmap",
 *   runtimeConfig: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: "TCP" }, { hostPort: 5353, containerPort: 53, protocol: "udp" }] },
 * });
 * const list = conf.runtimeConfig.portMappings;
 * const mappings = Array.isArray(list) ? list.map(parsePortMapping) : [];
 * console.log(mappings[0]); // { hostPort: 8080, containerPort: 80, protocol: 'tcp' }
 * ```
 */
export function parsePortMapping(v: unknown, i: number): PortMapping {
  if (typeof v !== "object" || v === null) throw invalidConfig(`portMappings[${i}] must be an object`);
  const o = v as Record<string, unknown>;
  const port = (k: string): number => {
    const p = o[k];
    if (typeof p !== "number" || !Number.isInteger(p) || p <= 0 || p > 65535) {
      throw invalidConfig(`Invalid ${k === "hostPort" ? "host" : "container"} port number: ${JSON.stringify(p)}`);
    }
    return p;
  };
  const m: PortMapping = { hostPort: port("hostPort"), containerPort: port("containerPort") };
  const proto = o.protocol === undefined || o.protocol === "" ? "tcp" : o.protocol;
  if (typeof proto !== "string" || L4[proto.toLowerCase()] === undefined) {
    throw new CniError(CNI_ERR.unsupportedField, `portMappings[${i}].protocol ${JSON.stringify(o.protocol)} is not tcp, udp or sctp`);
  }
  m.protocol = proto.toLowerCase();
  if (o.hostIP !== undefined && o.hostIP !== null && o.hostIP !== "") {
    if (!parseAddr(o.hostIP)) throw invalidConfig(`portMappings[${i}].hostIP ${JSON.stringify(o.hostIP)} is not an address`);
    m.hostIP = o.hostIP as string;
  }
  return m;
}

/** iptables-style conditions to expressions: [!] -s/-d CIDR, [!] -i/-o IFNAME; anything else is code 2. */
export function conditionExprs(tokens: readonly string[] | undefined, family: Family, key: string): Expr[] {
  const out: Expr[] = [];
  if (!tokens) return out;
  const bad = (why: string): never => {
    throw new CniError(CNI_ERR.unsupportedField, `unsupported field "${key}": ${why}`, `${key}: ${JSON.stringify(tokens)}`);
  };
  for (let i = 0; i < tokens.length; i++) {
    let op: "eq" | "neq" = "eq";
    if (tokens[i] === "!") { op = "neq"; i++; }
    const flag = tokens[i], value = tokens[i + 1];
    if (value === undefined) bad(`"${flag ?? "!"}" needs a value`);
    i++;
    switch (flag) {
      case "-s": case "--source": case "-d": case "--destination": {
        const n = value!.includes("/") ? parseNet(value) : parseNet(`${value}/${family === 4 ? 32 : 128}`);
        if (!n || n.addr.family !== family) bad(`"${value}" is not an IPv${family} address or prefix`);
        const text = formatNet(network(n!));
        const src = flag === "-s" || flag === "--source";
        out.push(...(family === 4 ? (src ? x.ipSaddr(text, op) : x.ipDaddr(text, op)) : (src ? x.ip6Saddr(text, op) : x.ip6Daddr(text, op))));
        break;
      }
      case "-i": case "--in-interface": out.push(...x.iifname(value!, op)); break;
      case "-o": case "--out-interface": out.push(...x.oifname(value!, op)); break;
      default: bad(`"${flag}" is not a condition nlkit-cni understands (it takes -s, -d, -i and -o, each optionally after "!")`);
    }
  }
  return out;
}

const famOf = (v6: boolean): Family => (v6 ? 6 : 4);

function portMatch(proto: string, port: number): Expr[] {
  // what nft writes for "tcp dport N": the l4proto dependency, then the port at transport offset 2
  return [x.meta("l4proto"), x.cmp("eq", Buffer.from([L4[proto]!])), x.payload("transport", 2, 2), x.cmp("eq", x.be16(port))];
}

function markSet(mark: number): Expr[] {
  return [x.meta("mark"), x.bitwise(hostU32(~mark), hostU32(mark)), { name: "meta", data: { key: "mark", sreg: 1 } }];
}

function markMatch(mark: number): Expr[] {
  return [x.meta("mark"), x.bitwise(hostU32(mark), hostU32(0)), x.cmp("eq", hostU32(mark))];
}

interface PlannedRule { chain: string; expressions: Expr[] }

/** The attachment's rules for one container address, in the order they are added. */
function planFor(spec: PortForwardSpec, addr: IpNet): PlannedRule[] {
  const v6 = addr.addr.family === 6;
  const fam = famOf(v6);
  const self = formatAddr(addr.addr);
  const subnet = formatNet(network(addr));
  const snat = spec.snat ?? true;
  const bit = spec.markMasqBit ?? 13;
  if (!Number.isInteger(bit) || bit < 0 || bit > 31) throw invalidConfig("MasqMarkBit must be between 0 and 31");
  const mark = (1 << bit) >>> 0;
  const cond = conditionExprs(v6 ? spec.conditionsV6 : spec.conditionsV4, fam, v6 ? "conditionsV6" : "conditionsV4");
  const nfproto = x.nfproto(v6 ? "ipv6" : "ipv4");
  const saddr = (a: string) => (v6 ? x.ip6Saddr(a) : x.ipSaddr(a));
  const out: PlannedRule[] = [];
  for (const m of spec.mappings) {
    let daddr: Expr[] = [];
    let chain = HOSTPORTS_CHAIN;
    if (m.hostIP) {
      const h = parseAddr(m.hostIP)!;
      // a hostIP of the other family does not apply to this address; the unspecified one means any
      if (h.family !== fam) continue;
      if (h.value !== 0n) {
        daddr = v6 ? x.ip6Daddr(formatAddr(h)) : x.ipDaddr(formatAddr(h));
        chain = HOSTIP_CHAIN;
      }
    }
    const ports = portMatch(m.protocol ?? "tcp", m.hostPort);
    if (snat) {
      out.push({ chain, expressions: [...nfproto, ...cond, ...daddr, ...saddr(subnet), ...ports, ...markSet(mark)] });
      if (!v6) out.push({ chain, expressions: [...nfproto, ...cond, ...daddr, ...saddr("127.0.0.1"), ...ports, ...markSet(mark)] });
    }
    const to = v6 ? `[${self}]:${m.containerPort}` : `${self}:${m.containerPort}`;
    out.push({ chain, expressions: x.flattenExprs([...nfproto, ...cond, ...daddr, ...ports, x.dnat(to)]) });
  }
  if (snat && out.length) {
    out.push({ chain: MASQ_CHAIN, expressions: x.flattenExprs([...nfproto, ...(v6 ? x.ip6Daddr(self) : x.ipDaddr(self)), ...markMatch(mark), x.masquerade()]) });
  }
  return out;
}

/** The first address of each family in `addresses`. */
function containerAddrs(addresses: readonly string[]): IpNet[] {
  const out: IpNet[] = [];
  for (const a of addresses) {
    const n = parseNet(a);
    if (!n) throw invalidConfig(`"${a}" is not an address with a prefix length`);
    if (!out.some((o) => o.addr.family === n.addr.family)) out.push(n);
  }
  return out;
}

function plan(spec: PortForwardSpec): PlannedRule[] {
  return containerAddrs(spec.addresses).flatMap((a) => planFor(spec, a));
}

function ensureSkeleton(tx: Transaction): void {
  const family = "inet", table = HOSTPORT_TABLE;
  tx.addTable({ family, name: table });
  for (const name of RULE_CHAINS) tx.addChain({ family, table, name });
  tx.addChain({ family, table, name: "prerouting", type: "nat", hook: "prerouting", priority: "dstnat" });
  tx.addChain({ family, table, name: "output", type: "nat", hook: "output", priority: -100 });
  tx.addChain({ family, table, name: "postrouting", type: "nat", hook: "postrouting", priority: "srcnat" });
  // refilled in every transaction, so concurrent ADDs leave exactly these entry rules
  for (const name of ["prerouting", "output", "postrouting"]) tx.flushChain({ family, table, name });
  for (const name of ["prerouting", "output"]) {
    tx.addRule({ family, table, chain: name, expressions: [...fibDaddrLocal(), x.jump(HOSTIP_CHAIN)] });
    tx.addRule({ family, table, chain: name, expressions: [...fibDaddrLocal(), x.jump(HOSTPORTS_CHAIN)] });
  }
  tx.addRule({ family, table, chain: "postrouting", expressions: [x.jump(MASQ_CHAIN)] });
}

/**
 * route_localnet=1 on the host interface that reaches the container, so that connections from
 * 127.0.0.1 may be routed there after the DNAT (as the reference does).
 */
async function enableLocalnet(target: NftTarget, addrs: IpNet[]): Promise<void> {
  const v4 = addrs.find((a) => a.addr.family === 4);
  if (!v4) return;
  const rt = await Rtnl.open(target.netns ?? {});
  try {
    const route = await rt.route.get(formatAddr(v4.addr));
    if (route.dev) await sysctl.set(`net/ipv4/conf/${route.dev}/route_localnet`, "1", target.netns ?? {});
  } finally {
    rt.close();
  }
}

/**
 * Forwards the mappings to the attachment's addresses, replacing rules an earlier ADD left, in one
 * transaction; then deletes the conntrack flows to its UDP host ports (see forgetUdpFlows).
 */
async function add(att: Attachment, spec: PortForwardSpec, target: NftTarget = {}): Promise<void> {
  const rules = plan(spec);
  if (rules.length === 0) return;
  const nft = await openNft(target);
  try {
    const stale = rulesByComment(await readInet(nft), HOSTPORT_TABLE, RULE_CHAINS, attachmentKey(att));
    const comment = attachmentComment(att);
    await nft.transaction((tx) => {
      ensureSkeleton(tx);
      for (const r of stale) tx.deleteRule({ family: r.family, table: r.table, chain: r.chain, handle: r.handle });
      for (const r of rules) tx.addRule({ family: "inet", table: HOSTPORT_TABLE, chain: r.chain, expressions: r.expressions, comment });
    });
  } finally {
    nft.close();
  }
  if (spec.snat ?? true) await enableLocalnet(target, containerAddrs(spec.addresses));
  await forgetUdpFlows(spec, target);
}

/**
 * A UDP flow to a host port that began before the DNAT existed is never NATed: conntrack keeps
 * answering it from its entry as long as the peer keeps sending (a DNS client, a game). So once
 * the rules are in, the flows to each UDP host port are deleted, as the reference portmap does.
 * Best effort, as there: the rules are what ADD promises, and a host without conntrack has no
 * such flows.
 */
async function forgetUdpFlows(spec: PortForwardSpec, target: NftTarget): Promise<void> {
  const ports = [...new Set(spec.mappings.filter((m) => m.protocol === "udp").map((m) => m.hostPort))];
  if (ports.length === 0) return;
  const families = [...new Set(containerAddrs(spec.addresses).map((a) => a.addr.family))];
  let ct: Conntrack | undefined;
  try {
    ct = await Conntrack.open(target.netns ?? {});
    for (const family of families) for (const dport of ports) await ct.delete({ family, proto: "udp", orig: { dport } });
  } catch {
    // see above
  } finally {
    ct?.close();
  }
}

/** Removes every rule of the attachment (both families); returns how many. */
async function remove(att: Attachment, target: NftTarget = {}): Promise<number> {
  const nft = await openNft(target);
  try {
    const rules = rulesByComment(await readInet(nft), HOSTPORT_TABLE, RULE_CHAINS, attachmentKey(att));
    await deleteRules(nft, rules);
    return rules.length;
  } finally {
    nft.close();
  }
}

/** CHECK: the entry chains are hooked and every rule the mappings need is there. */
async function check(att: Attachment, spec: PortForwardSpec, target: NftTarget = {}): Promise<void> {
  const want = plan(spec);
  if (want.length === 0) return;
  const nft = await openNft(target);
  try {
    const rs = await readInet(nft);
    const table = rs.tables.find((t) => t.family === "inet" && t.name === HOSTPORT_TABLE);
    // a mapping with a hostIP is reached through hostip_hostports, the others through hostports
    const through = [...new Set(want.map((w) => w.chain).filter((c) => c !== MASQ_CHAIN))];
    for (const hook of ["prerouting", "output"]) {
      const c = table?.chains.find((ch) => ch.name === hook);
      for (const chain of through) {
        const jump = [...fibDaddrLocal(), x.jump(chain)];
        if (!c?.hook || !c.rules.some((r) => sameRule(r.expressions, jump))) {
          throw new CniError(CNI_ERR.internal, `portmap: chain ${hook} of table inet ${HOSTPORT_TABLE} does not lead to ${chain}`);
        }
      }
    }
    const mine: NftRule[] = rulesByComment(rs, HOSTPORT_TABLE, RULE_CHAINS, attachmentKey(att));
    for (const w of want) {
      if (!mine.some((r) => r.chain === w.chain && sameRule(r.expressions, w.expressions))) {
        throw new CniError(CNI_ERR.internal, `portmap: a rule of ${att.containerId}/${att.ifname} is missing from chain ${w.chain} of table inet ${HOSTPORT_TABLE}`);
      }
    }
  } finally {
    nft.close();
  }
}

/** GC: removes the network's rules of every attachment not in `valid`; returns how many. */
function gc(network: string, valid: readonly GcAttachment[], target: NftTarget = {}): Promise<number> {
  return gcRules(network, valid, target, HOSTPORT_TABLE, RULE_CHAINS);
}

/**
 * Port forwards keyed by attachment, in table inet cni_plugins_hostport.
 *
 * @example
 * ```ts
 * const att = { network: "lab", containerId: "ctr1", ifname: "eth0" };
 * const spec = { mappings: [{ hostPort: 8080, containerPort: 80 }], addresses: ["10.22.0.2/24"] };
 * await portForward.add(att, spec);   // tcp dport 8080 dnat ip to 10.22.0.2:80, and the hairpin marks
 * await portForward.check(att, spec);
 * console.log(await portForward.remove(att)); // 4: two marks, the DNAT and the masquerade
 * ```
 */
export const portForward = Object.freeze({
  /** ADD: the mappings' DNAT (and hairpin mark and masquerade) rules, replacing the attachment's earlier ones, in one transaction. */
  add,
  /** DEL: removes the attachment's rules of both families, found by their comment; returns how many. */
  remove,
  /** CHECK: a CniError (code 999) unless the hooked chains lead to the rules and every rule the spec needs is there. */
  check,
  /** GC: removes the network's rules of every attachment not in the valid list; returns how many. */
  gc,
  /** The table's name, "cni_plugins_hostport" (family inet): `HOSTPORT_TABLE`. */
  table: HOSTPORT_TABLE,
  /** The rules `add` would install for a spec, each with its chain, in order; nothing is sent. */
  plan,
});
