import { attrSet, enumDef, type AttrValues, type CustomCodec } from "../../../netlink/attrs.js";
import { NlkitInputError } from "../../../netlink/errors.js";
import { parseIp } from "../../../netlink/ip.js";
import { struct } from "../../../netlink/struct.js";
import { defineKind, type IndexNames, type KindContext } from "./kind.js";

export const vxlanPortRange = struct("ifla_vxlan_port_range", [["low", "u16be"], ["high", "u16be"]]);

/**
 * IFLA_VXLAN_TTL_INHERIT is an NLA_FLAG in requests (the kernel refuses a payload) and a u8 in
 * dumps: written empty, read as the u8 (or 1 when it came as a bare flag).
 */
const flagOrU8: CustomCodec = {
  encode() {},
  decode: (buf: Buffer, start: number, end: number) => (end > start ? buf[start]! : 1),
};

export const vxlanDf = enumDef("vxlan df", { unset: 0, set: 1, inherit: 2 });

/** IFLA_VXLAN_* (linux/if_link.h). Ports are big-endian on the wire. */
export const vxlanAttrs = attrSet("vxlan", "IFLA_VXLAN_", {
  id: [1, "u32"],
  group: [2, "ip"],
  link: [3, "u32"],
  local: [4, "ip"],
  ttl: [5, "u8"],
  tos: [6, "u8"],
  learning: [7, "u8"],
  ageing: [8, "u32"],
  limit: [9, "u32"],
  portRange: [10, "struct", { struct: vxlanPortRange }],
  proxy: [11, "u8"],
  rsc: [12, "u8"],
  l2miss: [13, "u8"],
  l3miss: [14, "u8"],
  port: [15, "u16", { be: true }],
  group6: [16, "ip"],
  local6: [17, "ip"],
  udpCsum: [18, "u8"],
  udpZeroCsum6Tx: [19, "u8"],
  udpZeroCsum6Rx: [20, "u8"],
  remcsumTx: [21, "u8"],
  remcsumRx: [22, "u8"],
  gbp: [23, "flag"],
  remcsumNopartial: [24, "flag"],
  collectMetadata: [25, "u8"],
  label: [26, "u32", { be: true }],
  gpe: [27, "flag"],
  ttlInherit: [28, "custom", { codec: flagOrU8 }],
  df: [29, "u8", { enum: vxlanDf }],
  vnifilter: [30, "u8"],
  localbypass: [31, "u8"],
  labelPolicy: [32, "u32"],
  reservedBits: [33, "binary"],
  mcRoute: [34, "u8"],
});

/**
 * Options of a VXLAN link (`ip link add type vxlan id ... remote ... dstport ...`).
 *
 * @example
 * ```ts
 * const vxlan: VxlanOptions = { id: 42, local: "192.0.2.1", remote: "198.51.100.1", port: 4789, dev: "eth0", learning: false };
 * await rt.link.add({ name: "vxlan42", kind: "vxlan", vxlan, mtu: 1450, up: true });
 * ```
 */
export interface VxlanOptions {
  /** VNI (0..2^24-1); required to create one, unless external. */
  id?: number;
  /** Unicast remote (same attribute as group, as in ip) */
  remote?: string;
  /** Multicast group */
  group?: string;
  /** The source address of encapsulated packets. */
  local?: string;
  /** UDP destination port (dstport); left out, the kernel uses 8472 */
  port?: number;
  /** UDP source port range (srcport MIN MAX) */
  portRange?: {
    /** Lowest UDP source port (ip's srcport MIN). */
    low: number;
    /** Top of the UDP source port range (ip's srcport MAX); the kernel refuses one below low. */
    high: number;
  };
  /** Underlying device for multicast */
  dev?: string | number;
  /** 1..255, 0 for ip's "auto", or "inherit" (IFLA_VXLAN_TTL_INHERIT) */
  ttl?: number | "inherit";
  /** 1 is ip's "inherit" */
  tos?: number;
  /** The outer DF bit: "unset", "set", or "inherit" from the inner packet. */
  df?: "unset" | "set" | "inherit";
  /** IPv6 flow label (flowlabel) */
  label?: number;
  /** Default true, like the kernel and ip: ip always sends it when creating (external turns it off). */
  learning?: boolean;
  /** FDB entry lifetime in seconds, 0 for none */
  ageing?: number;
  /** Maximum FDB entries (maxaddress), 0 for unlimited */
  limit?: number;
  /** Answer ARP/ND from the fdb (proxy). */
  proxy?: boolean;
  /** Route short-circuit. */
  rsc?: boolean;
  /** Notify user space of unknown MAC addresses. */
  l2miss?: boolean;
  /** Notify user space of unknown IP addresses. */
  l3miss?: boolean;
  /** Checksum outer UDP over IPv4. */
  udpCsum?: boolean;
  /** Send IPv6 outer UDP with a zero checksum. */
  udp6ZeroCsumTx?: boolean;
  /** Accept IPv6 outer UDP with a zero checksum. */
  udp6ZeroCsumRx?: boolean;
  /** Remote checksum offload, sending. */
  remcsumTx?: boolean;
  /** Remote checksum offload, receiving. */
  remcsumRx?: boolean;
  /** Collect metadata (ip's "external"): the VNI and remote come per packet from lwtunnel routes or tc. */
  external?: boolean;
  /** Group Policy extension. */
  gbp?: boolean;
  /** Generic Protocol Extension. */
  gpe?: boolean;
  /** With external: per-VNI filtering (bridge vni) */
  vnifilter?: boolean;
}

const OPTION_KEYS = new Set([
  "id", "remote", "group", "local", "port", "portRange", "dev", "ttl", "tos", "df", "label", "learning", "ageing", "limit",
  "proxy", "rsc", "l2miss", "l3miss", "udpCsum", "udp6ZeroCsumTx", "udp6ZeroCsumRx", "remcsumTx", "remcsumRx",
  "external", "gbp", "gpe", "vnifilter",
]);

function addr(v: string, field: string): { v6: boolean; text: string } {
  const ip = typeof v === "string" ? parseIp(v) : undefined;
  if (!ip) throw new NlkitInputError(`invalid IP address "${String(v)}"`, field);
  return { v6: ip.family === 6, text: v };
}

const u8bool = (v: boolean | undefined, field: string): number | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== "boolean") throw new NlkitInputError(`${field} must be a boolean`, field);
  return v ? 1 : 0;
};

function intIn(v: number | undefined, field: string, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < 0 || v > max) throw new NlkitInputError(`${field} must be an integer between 0 and ${max}`, field);
  return v;
}

/**
 * IFLA_VXLAN_* values in ip's order: what it writes while reading the words (dev, ttl, tos, df,
 * flowlabel, ageing, maxaddress, srcport, the switches), then id, local, group, learning, dstport.
 * Creating takes ip's defaults (learning on unless external); changing an existing link sends only
 * what is given, and the kernel refuses what cannot change (the VNI, the port, most switches).
 */
function vxlanValues(o: VxlanOptions, ctx: KindContext, creating: boolean): Record<string, unknown> {
  if (!o || typeof o !== "object") throw new NlkitInputError("vxlan options must be an object", "vxlan");
  for (const k of Object.keys(o)) if (!OPTION_KEYS.has(k)) throw new NlkitInputError(`unknown option "${k}" in vxlan`, `vxlan.${k}`);
  if (o.id !== undefined && (!Number.isInteger(o.id) || o.id < 0 || o.id >= 1 << 24)) {
    throw new NlkitInputError("vxlan.id must be a VNI between 0 and 16777215", "vxlan.id");
  }
  if (o.external && o.id !== undefined) throw new NlkitInputError("give vxlan.id or vxlan.external, not both", "vxlan.id");
  if (o.vnifilter && !o.external) throw new NlkitInputError("vxlan.vnifilter needs vxlan.external", "vxlan.vnifilter");
  if (creating && o.id === undefined && !o.external) throw new NlkitInputError("vxlan.id must be a VNI between 0 and 16777215", "vxlan.id");
  if (o.remote && o.group) throw new NlkitInputError("give vxlan.remote or vxlan.group, not both", "vxlan.group");
  const dst = o.remote ?? o.group;
  const d = dst ? addr(dst, o.remote ? "vxlan.remote" : "vxlan.group") : undefined;
  const l = o.local ? addr(o.local, "vxlan.local") : undefined;
  if (d && l && d.v6 !== l.v6) throw new NlkitInputError("vxlan.local and the remote/group must be of the same family", "vxlan.local");
  intIn(o.port, "vxlan.port", 65535);
  if (o.ttl !== undefined && o.ttl !== "inherit") intIn(o.ttl, "vxlan.ttl", 255);
  const df = o.df === undefined ? undefined : vxlanDf.values.get(o.df);
  if (o.df !== undefined && df === undefined) throw new NlkitInputError(`vxlan.df must be "unset", "set" or "inherit"`, "vxlan.df");
  if (o.label !== undefined) intIn(o.label, "vxlan.label", 0xfffff);
  let portRange: { low: number; high: number } | undefined;
  if (o.portRange !== undefined) {
    const r = o.portRange;
    if (!r || typeof r !== "object") throw new NlkitInputError("vxlan.portRange must be { low, high }", "vxlan.portRange");
    portRange = { low: intIn(r.low, "vxlan.portRange.low", 65535)!, high: intIn(r.high, "vxlan.portRange.high", 65535)! };
  }
  const learning = o.learning !== undefined ? u8bool(o.learning, "vxlan.learning") : creating ? (o.external ? 0 : 1) : undefined;
  return {
    link: o.dev === undefined ? undefined : ctx.ifindex(o.dev, "vxlan.dev"),
    ttl: o.ttl === "inherit" ? undefined : o.ttl,
    ttlInherit: o.ttl === "inherit" ? 1 : undefined,
    tos: intIn(o.tos, "vxlan.tos", 255),
    df,
    label: o.label,
    ageing: intIn(o.ageing, "vxlan.ageing", 0xffffffff),
    limit: intIn(o.limit, "vxlan.limit", 0xffffffff),
    portRange,
    proxy: u8bool(o.proxy, "vxlan.proxy"),
    rsc: u8bool(o.rsc, "vxlan.rsc"),
    l2miss: u8bool(o.l2miss, "vxlan.l2miss"),
    l3miss: u8bool(o.l3miss, "vxlan.l3miss"),
    udpCsum: u8bool(o.udpCsum, "vxlan.udpCsum"),
    udpZeroCsum6Tx: u8bool(o.udp6ZeroCsumTx, "vxlan.udp6ZeroCsumTx"),
    udpZeroCsum6Rx: u8bool(o.udp6ZeroCsumRx, "vxlan.udp6ZeroCsumRx"),
    remcsumTx: u8bool(o.remcsumTx, "vxlan.remcsumTx"),
    remcsumRx: u8bool(o.remcsumRx, "vxlan.remcsumRx"),
    collectMetadata: u8bool(o.external, "vxlan.external"),
    gbp: o.gbp ? true : undefined,
    gpe: o.gpe ? true : undefined,
    vnifilter: u8bool(o.vnifilter, "vxlan.vnifilter"),
    id: o.id,
    local: l && !l.v6 ? l.text : undefined,
    local6: l?.v6 ? l.text : undefined,
    group: d && !d.v6 ? d.text : undefined,
    group6: d?.v6 ? d.text : undefined,
    learning,
    // ip sends gpe's own port when none is given
    port: o.port ?? (o.gpe ? 4790 : undefined),
  };
}

export const vxlan = defineKind({
  kind: "vxlan",
  data: vxlanAttrs,
  optionsKey: "vxlan",
  encode: (o: VxlanOptions, ctx: KindContext) => vxlanValues(o, ctx, true),
  change: (o: VxlanOptions, ctx: KindContext) => vxlanValues(o, ctx, false),
  // iproute2 6.1's vxlan_print_opt, key for key
  ipJson(d: AttrValues, names: IndexNames) {
    const out: Record<string, unknown> = {};
    const on = (k: string, v: unknown) => { if (v) out[k] = true; };
    const bool = (k: string, v: unknown) => { if (v !== undefined) out[k] = v === 1; };
    on("external", d.collectMetadata);
    on("vnifilter", d.vnifilter);
    if (d.id !== undefined) out.id = d.id;
    if (d.group !== undefined) {
      if (d.group !== "0.0.0.0") out[isMulticast(d.group as string) ? "group" : "remote"] = d.group;
    } else if (d.group6 !== undefined && d.group6 !== "::") {
      out[isMulticast(d.group6 as string) ? "group6" : "remote6"] = d.group6;
    }
    if (d.local !== undefined) {
      if (d.local !== "0.0.0.0") out.local = d.local;
    } else if (d.local6 !== undefined && d.local6 !== "::") out.local6 = d.local6;
    if (d.link) out.link = names(d.link as number) ?? `if${d.link}`;
    if (d.portRange) {
      const r = d.portRange as { low: number; high: number };
      out.port_range = { low: r.low, high: r.high };
    }
    if (d.port !== undefined) out.port = d.port;
    bool("learning", d.learning);
    on("proxy", d.proxy);
    on("rsc", d.rsc);
    on("l2miss", d.l2miss);
    on("l3miss", d.l3miss);
    if (d.tos) out.tos = hexLabel(d.tos as number);
    if (!d.ttlInherit && d.ttl !== undefined) out.ttl = d.ttl;
    if (d.df === "set" || d.df === "inherit" || d.df === "unset") out.df = d.df;
    if (d.label) out.label = hexLabel(d.label as number);
    if (d.ageing !== undefined) out.ageing = d.ageing;
    if (d.limit) out.limit = d.limit;
    bool("udp_csum", d.udpCsum);
    bool("udp_zero_csum6_tx", d.udpZeroCsum6Tx);
    bool("udp_zero_csum6_rx", d.udpZeroCsum6Rx);
    on("remcsum_tx", d.remcsumTx);
    on("remcsum_rx", d.remcsumRx);
    if (d.gbp !== undefined) out.gbp = true;
    if (d.gpe !== undefined) out.gpe = true;
    return out;
  },
});

function isMulticast(a: string): boolean {
  if (a.includes(":")) return a.toLowerCase().startsWith("ff");
  const first = Number(a.split(".")[0]);
  return first >= 224 && first <= 239;
}

function hexLabel(v: number): string {
  return `0x${v.toString(16)}`;
}
