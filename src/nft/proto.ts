// Packet headers as nft knows them (nftables src/proto.c): each protocol's fields with bit
// offsets and data types, the field that names the next protocol up, and how a family starts.
// Delinearizing uses it to name a payload load ("ip saddr"); evaluating text uses it to find
// a field and the dependency a match needs ("tcp dport" needs "meta l4proto tcp").
import { INTEGER_BE, TYPES, type DataType } from "./datatype.js";
import type { NftFamily } from "./types.js";

export type Base = "ll" | "network" | "transport" | "inner";
export const BASES: readonly Base[] = ["ll", "network", "transport", "inner"];
export const baseIndex = (b: Base): number => BASES.indexOf(b);

export interface Field {
  readonly name: string;
  /** Offset and length in bits from the start of the header. */
  readonly offset: number;
  readonly bits: number;
  readonly type: DataType;
}

/** How a protocol's protocol key is matched when nft adds it as a dependency. */
export type KeyMatch = { meta: string } | { field: string };

export interface Proto {
  readonly name: string;
  readonly base: Base;
  readonly fields: readonly Field[];
  /** The field (or meta key) whose value names the protocol above, and what names which. */
  readonly key?: KeyMatch;
  /** The header field that names the protocol above ("ip protocol"): a match on it sets the context. */
  readonly keyField?: string;
  readonly upper?: ReadonlyArray<readonly [number, string]>;
  /** Pseudo protocols (inet, netdev, inet-service) have no fields of their own. */
  readonly pseudo?: boolean;
}

const f = (name: string, offset: number, bits: number, type: DataType = INTEGER_BE): Field => ({ name, offset, bits, type });
const port = (name: string, offset: number) => f(name, offset, 16, TYPES.inet_service);

const L4_UPPER: ReadonlyArray<readonly [number, string]> = [
  [1, "icmp"], [2, "igmp"], [58, "icmpv6"], [50, "esp"], [51, "ah"], [108, "comp"], [17, "udp"], [136, "udplite"],
  [6, "tcp"], [33, "dccp"], [132, "sctp"],
];
const ETH_UPPER: ReadonlyArray<readonly [number, string]> = [[0x0800, "ip"], [0x0806, "arp"], [0x86dd, "ip6"], [0x8100, "vlan"], [0x88a8, "vlan"]];

export const PROTOS: Record<string, Proto> = {
  ether: {
    name: "ether", keyField: "type", base: "ll", key: { field: "type" }, upper: ETH_UPPER,
    fields: [f("daddr", 0, 48, TYPES.ether_addr), f("saddr", 48, 48, TYPES.ether_addr), f("type", 96, 16, TYPES.ether_type)],
  },
  vlan: {
    name: "vlan", keyField: "type", base: "ll", key: { field: "type" }, upper: ETH_UPPER,
    fields: [f("pcp", 0, 3), f("dei", 3, 1), f("cfi", 3, 1), f("id", 4, 12), f("type", 16, 16, TYPES.ether_type)],
  },
  arp: {
    name: "arp", base: "network",
    fields: [
      f("htype", 0, 16), f("ptype", 16, 16, TYPES.ether_type), f("hlen", 32, 8), f("plen", 40, 8),
      f("operation", 48, 16, TYPES.arp_op), f("saddr ether", 64, 48, TYPES.ether_addr), f("saddr ip", 112, 32, TYPES.ipv4_addr),
      f("daddr ether", 144, 48, TYPES.ether_addr), f("daddr ip", 192, 32, TYPES.ipv4_addr),
    ],
  },
  ip: {
    name: "ip", keyField: "protocol", base: "network", key: { meta: "l4proto" }, upper: L4_UPPER,
    fields: [
      f("version", 0, 4), f("hdrlength", 4, 4), f("dscp", 8, 6, TYPES.dscp), f("ecn", 14, 2, TYPES.ecn), f("length", 16, 16),
      f("id", 32, 16), f("frag-off", 48, 16), f("ttl", 64, 8), f("protocol", 72, 8, TYPES.inet_proto), f("checksum", 80, 16),
      f("saddr", 96, 32, TYPES.ipv4_addr), f("daddr", 128, 32, TYPES.ipv4_addr),
    ],
  },
  ip6: {
    name: "ip6", keyField: "nexthdr", base: "network", key: { meta: "l4proto" }, upper: L4_UPPER,
    fields: [
      f("version", 0, 4), f("dscp", 4, 6, TYPES.dscp), f("ecn", 10, 2, TYPES.ecn), f("flowlabel", 12, 20), f("length", 32, 16),
      f("nexthdr", 48, 8, TYPES.inet_proto), f("hoplimit", 56, 8), f("saddr", 64, 128, TYPES.ipv6_addr),
      f("daddr", 192, 128, TYPES.ipv6_addr),
    ],
  },
  icmp: {
    name: "icmp", keyField: "type", base: "transport", key: { field: "type" },
    fields: [
      f("type", 0, 8, TYPES.icmp_type), f("code", 8, 8, TYPES.icmp_code), f("checksum", 16, 16), f("id", 32, 16),
      f("sequence", 48, 16), f("gateway", 32, 32), f("mtu", 48, 16),
    ],
  },
  icmpv6: {
    name: "icmpv6", keyField: "type", base: "transport", key: { field: "type" },
    fields: [
      f("type", 0, 8, TYPES.icmpv6_type), f("code", 8, 8, TYPES.icmpv6_code), f("checksum", 16, 16),
      f("parameter-problem", 32, 32), f("mtu", 32, 32), f("id", 32, 16), f("sequence", 48, 16), f("max-delay", 32, 16),
    ],
  },
  igmp: {
    name: "igmp", base: "transport",
    fields: [f("type", 0, 8, TYPES.igmp_type), f("mrt", 8, 8), f("checksum", 16, 16), f("group", 32, 32)],
  },
  tcp: {
    name: "tcp", base: "transport",
    fields: [
      port("sport", 0), port("dport", 16), f("sequence", 32, 32), f("ackseq", 64, 32), f("doff", 96, 4),
      f("reserved", 100, 4), f("flags", 104, 8, TYPES.tcp_flag), f("window", 112, 16), f("checksum", 128, 16),
      f("urgptr", 144, 16),
    ],
  },
  udp: { name: "udp", base: "transport", fields: [port("sport", 0), port("dport", 16), f("length", 32, 16), f("checksum", 48, 16)] },
  udplite: { name: "udplite", base: "transport", fields: [port("sport", 0), port("dport", 16), f("csumcov", 32, 16), f("checksum", 48, 16)] },
  sctp: { name: "sctp", base: "transport", fields: [port("sport", 0), port("dport", 16), f("vtag", 32, 32), f("checksum", 64, 32)] },
  dccp: { name: "dccp", base: "transport", fields: [port("sport", 0), port("dport", 16)] },
  esp: { name: "esp", base: "transport", fields: [f("spi", 0, 32), f("sequence", 32, 32)] },
  ah: {
    name: "ah", keyField: "nexthdr", base: "transport",
    fields: [f("nexthdr", 0, 8, TYPES.inet_proto), f("hdrlength", 8, 8), f("reserved", 16, 16), f("spi", 32, 32), f("sequence", 64, 32)],
  },
  comp: { name: "comp", keyField: "nexthdr", base: "transport", fields: [f("nexthdr", 0, 8, TYPES.inet_proto), f("flags", 8, 8), f("cpi", 16, 16)] },
  th: { name: "th", base: "transport", fields: [port("sport", 0), port("dport", 16)] },
  // pseudo protocols: a family's starting point, matched through meta keys
  inet: { name: "inet", base: "ll", pseudo: true, key: { meta: "nfproto" }, upper: [[2, "ip"], [10, "ip6"]], fields: [] },
  netdev: { name: "netdev", base: "ll", pseudo: true, key: { meta: "protocol" }, upper: ETH_UPPER, fields: [] },
  "inet-service": { name: "inet-service", base: "transport", pseudo: true, key: { meta: "l4proto" }, upper: L4_UPPER, fields: [] },
};

/** The protocol a family's packets start with, and at which base (nft's hook_proto_desc). */
export function familyStart(family: NftFamily): { base: Base; proto: string } {
  switch (family) {
    case "ip": return { base: "network", proto: "ip" };
    case "ip6": return { base: "network", proto: "ip6" };
    case "inet": return { base: "ll", proto: "inet" };
    case "arp": return { base: "network", proto: "arp" };
    case "bridge": return { base: "ll", proto: "ether" };
    case "netdev": return { base: "ll", proto: "netdev" };
  }
}

export function protoUpper(p: Proto, value: number): Proto | undefined {
  const name = p.upper?.find(([v]) => v === value)?.[1];
  return name ? PROTOS[name] : undefined;
}

export function protoNumber(lower: Proto, upper: string): number | undefined {
  return lower.upper?.find(([, n]) => n === upper)?.[0];
}

export function findField(proto: string, name: string): Field | undefined {
  return PROTOS[proto]?.fields.find((x) => x.name === name);
}

/** The field of `proto` exactly at these bits, as nft resolves a payload load. */
export function fieldAt(p: Proto, offset: number, bits: number): Field | undefined {
  return p.fields.find((x) => x.offset === offset && x.bits === bits);
}

/** Meta keys (nftables src/meta.c): data type and whether nft prints them without "meta". */
export interface MetaKey { readonly type: DataType; readonly bits: number; readonly bare?: boolean }
const m = (type: DataType, bits = type.bits, bare = false): MetaKey => ({ type, bits, bare });
export const META_KEYS: Record<string, MetaKey> = {
  length: m(TYPES.integer, 32), protocol: m(TYPES.ether_type), priority: m(TYPES.classid), mark: m(TYPES.mark),
  iif: m(TYPES.iface_index, 32, true), oif: m(TYPES.iface_index, 32, true), iifname: m(TYPES.ifname, 128, true),
  oifname: m(TYPES.ifname, 128, true), iiftype: m(TYPES.iface_type), oiftype: m(TYPES.iface_type), skuid: m(TYPES.uid),
  skgid: m(TYPES.gid), nftrace: m(TYPES.integer, 1), rtclassid: m(TYPES.realm), secmark: m(TYPES.integer, 32),
  nfproto: m(TYPES.nf_proto), l4proto: m(TYPES.inet_proto), ibrname: m(TYPES.ifname, 128), obrname: m(TYPES.ifname, 128),
  pkttype: m(TYPES.pkt_type), cpu: m(TYPES.integer, 32), iifgroup: m(TYPES.devgroup, 32, true),
  oifgroup: m(TYPES.devgroup, 32, true), cgroup: m(TYPES.integer, 32), random: m(TYPES.integer, 32),
  ipsec: m(TYPES.boolean), iifkind: m(TYPES.ifname, 128), oifkind: m(TYPES.ifname, 128), ibrpvid: m(TYPES.integer, 16),
  ibrvproto: m(TYPES.ether_type), sdif: m(TYPES.iface_index), sdifname: m(TYPES.ifname, 128),
};

/** Conntrack keys (nftables src/ct.c); saddr/daddr take the address type of the table's family. */
export const CT_KEYS: Record<string, MetaKey> = {
  state: m(TYPES.ct_state), direction: m(TYPES.ct_dir), status: m(TYPES.ct_status), mark: m(TYPES.mark),
  secmark: m(TYPES.integer, 32), expiration: m(TYPES.time), helper: m(TYPES.string, 128), l3proto: m(TYPES.nf_proto),
  saddr: m(TYPES.ipv4_addr), daddr: m(TYPES.ipv4_addr), protocol: m(TYPES.inet_proto), "proto-src": m(TYPES.inet_service),
  "proto-dst": m(TYPES.inet_service), label: m(TYPES.ct_label), packets: m(TYPES.integer, 64), bytes: m(TYPES.integer, 64),
  avgpkt: m(TYPES.integer, 64), zone: m(TYPES.integer, 16), event: m(TYPES.ct_event), "ip saddr": m(TYPES.ipv4_addr),
  "ip daddr": m(TYPES.ipv4_addr), "ip6 saddr": m(TYPES.ipv6_addr), "ip6 daddr": m(TYPES.ipv6_addr), id: m(TYPES.integer, 32),
};

/** ct keys that are per direction: nft prints "ct original saddr" for them. */
export const CT_DIRECTIONAL = new Set(["saddr", "daddr", "protocol", "proto-src", "proto-dst", "packets", "bytes", "avgpkt", "zone", "ip saddr", "ip daddr", "ip6 saddr", "ip6 daddr", "l3proto"]);

/** Which base a meta/ct key's protocol-key match belongs to (nft's meta.base), if it is one. */
export function metaKeyBase(key: string): Base | undefined {
  if (key === "nfproto" || key === "protocol") return "ll";
  if (key === "l4proto") return "network";
  return undefined;
}
