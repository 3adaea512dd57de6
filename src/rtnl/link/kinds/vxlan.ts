import { attrSet, enumDef, type AttrValues } from "../../../netlink/attrs.js";
import { NlkitInputError } from "../../../netlink/errors.js";
import { parseIp } from "../../../netlink/ip.js";
import { struct } from "../../../netlink/struct.js";
import { defineKind, type IndexNames, type KindContext } from "./kind.js";

export const vxlanPortRange = struct("ifla_vxlan_port_range", [["low", "u16be"], ["high", "u16be"]]);

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
  // NLA_FLAG when set, but dumps carry it as a u8 (0 or 1)
  ttlInherit: [28, "u8"],
  df: [29, "u8", { enum: vxlanDf }],
  vnifilter: [30, "u8"],
  localbypass: [31, "u8"],
  labelPolicy: [32, "u32"],
  reservedBits: [33, "binary"],
  mcRoute: [34, "u8"],
});

export interface VxlanOptions {
  /** VNI (0..2^24-1) */
  id: number;
  /** Unicast remote (same attribute as group, as in ip) */
  remote?: string;
  /** Multicast group */
  group?: string;
  local?: string;
  /** UDP destination port (dstport); left out, the kernel uses 8472 */
  port?: number;
  /** Underlying device for multicast */
  dev?: string | number;
  ttl?: number;
  tos?: number;
  /** Default true, like the kernel and ip: ip always sends it. */
  learning?: boolean;
  ageing?: number;
  udpCsum?: boolean;
}

function addr(v: string, field: string): { v6: boolean; text: string } {
  const ip = parseIp(v);
  if (!ip) throw new NlkitInputError(`invalid IP address "${v}"`, field);
  return { v6: ip.family === 6, text: v };
}

export const vxlan = defineKind({
  kind: "vxlan",
  data: vxlanAttrs,
  optionsKey: "vxlan",
  encode(o: VxlanOptions, ctx: KindContext) {
    if (!o || !Number.isInteger(o.id) || o.id < 0 || o.id >= 1 << 24) throw new NlkitInputError("vxlan.id must be a VNI between 0 and 16777215", "vxlan.id");
    if (o.remote && o.group) throw new NlkitInputError("give vxlan.remote or vxlan.group, not both", "vxlan.group");
    const dst = o.remote ?? o.group;
    const d = dst ? addr(dst, o.remote ? "vxlan.remote" : "vxlan.group") : undefined;
    const l = o.local ? addr(o.local, "vxlan.local") : undefined;
    if (d && l && d.v6 !== l.v6) throw new NlkitInputError("vxlan.local and the remote/group must be of the same family", "vxlan.local");
    if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535)) throw new NlkitInputError("vxlan.port must be 0..65535", "vxlan.port");
    // ip's order: options it writes while parsing (dev, ttl, tos), then id, addresses, learning, port
    return {
      link: o.dev === undefined ? undefined : ctx.ifindex(o.dev, "vxlan.dev"),
      ttl: o.ttl,
      tos: o.tos,
      id: o.id,
      local: l && !l.v6 ? l.text : undefined,
      local6: l?.v6 ? l.text : undefined,
      group: d && !d.v6 ? d.text : undefined,
      group6: d?.v6 ? d.text : undefined,
      ageing: o.ageing,
      learning: o.learning === false ? 0 : 1,
      udpCsum: o.udpCsum === undefined ? undefined : o.udpCsum ? 1 : 0,
      port: o.port,
    };
  },
  ipJson(d: AttrValues, names: IndexNames) {
    const out: Record<string, unknown> = {};
    const put = (k: string, v: unknown) => { if (v !== undefined) out[k] = v; };
    const bool = (k: string, v: unknown) => { if (v !== undefined) out[k] = v === 1; };
    put("id", d.id);
    const group = (d.group ?? d.group6) as string | undefined;
    if (group) put(isMulticast(group) ? "group" : "remote", group);
    put("local", d.local ?? d.local6);
    if (d.link) put("link", names(d.link as number) ?? `if${d.link}`);
    put("port_range", d.portRange ? { low: (d.portRange as { low: number }).low, high: (d.portRange as { high: number }).high } : undefined);
    put("port", d.port);
    bool("learning", d.learning);
    if (d.proxy) out.proxy = true;
    if (d.rsc) out.rsc = true;
    if (d.l2miss) out.l2miss = true;
    if (d.l3miss) out.l3miss = true;
    if (d.tos !== undefined && d.tos !== 0 && d.tos !== 1) put("tos", d.tos);
    if (d.ttlInherit) out.ttl = "inherit";
    else if (d.ttl) put("ttl", d.ttl);
    put("df", d.df);
    if (d.label) put("label", hexLabel(d.label as number));
    put("ageing", d.ageing);
    if (d.limit) put("limit", d.limit);
    bool("udp_csum", d.udpCsum);
    bool("udp_zero_csum6_tx", d.udpZeroCsum6Tx);
    bool("udp_zero_csum6_rx", d.udpZeroCsum6Rx);
    if (d.remcsumTx) out.remcsum_tx = true;
    if (d.remcsumRx) out.remcsum_rx = true;
    if (d.gbp) out.gbp = true;
    if (d.gpe) out.gpe = true;
    if (d.collectMetadata) out.external = true;
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
