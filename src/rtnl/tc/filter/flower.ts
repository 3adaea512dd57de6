import { attrSet, type AttrValues } from "../../../netlink/attrs.js";
import { NlkitInputError } from "../../../netlink/errors.js";
import { parseCidr, parseIp, parseLladdr } from "../../../netlink/ip.js";
import { actAttrs } from "../action/index.js";
import { classid, ETH_P_8021AD, ETH_P_8021Q, ETH_P_ALL, ETH_P_IP, ETH_P_IPV6, formatClassid, protocolName, protocolNumber, type Handle, type Protocol } from "../handle.js";
import { checkOptions, intOpt } from "../kind.js";
import { clsFlags, clsFlagsView, defineFilter, hexHandle, plainHandle, type FilterEncodeContext } from "./kind.js";
import { shown } from "../shown.js";

// The flower keys nlkit encodes; the rest of TCA_FLOWER_* is decoded by number only (kept raw).
export const flowerAttrs = attrSet("flower", "TCA_FLOWER_", {
  classid: [1, "u32"],
  indev: [2, "string"],
  act: [3, "array", { set: actAttrs }],
  keyEthDst: [4, "lladdr"],
  keyEthDstMask: [5, "lladdr"],
  keyEthSrc: [6, "lladdr"],
  keyEthSrcMask: [7, "lladdr"],
  keyEthType: [8, "u16", { be: true }],
  keyIpProto: [9, "u8"],
  keyIpv4Src: [10, "ip"],
  keyIpv4SrcMask: [11, "ip"],
  keyIpv4Dst: [12, "ip"],
  keyIpv4DstMask: [13, "ip"],
  keyIpv6Src: [14, "ip"],
  keyIpv6SrcMask: [15, "ip"],
  keyIpv6Dst: [16, "ip"],
  keyIpv6DstMask: [17, "ip"],
  keyTcpSrc: [18, "u16", { be: true }],
  keyTcpDst: [19, "u16", { be: true }],
  keyUdpSrc: [20, "u16", { be: true }],
  keyUdpDst: [21, "u16", { be: true }],
  flags: [22, "u32"],
  keyVlanId: [23, "u16"],
  keyVlanPrio: [24, "u8"],
  keyVlanEthType: [25, "u16", { be: true }],
  keySctpSrc: [41, "u16", { be: true }],
  keySctpDst: [42, "u16", { be: true }],
  keyIpTos: [73, "u8"],
  keyIpTosMask: [74, "u8"],
  keyIpTtl: [75, "u8"],
  keyIpTtlMask: [76, "u8"],
  inHwCount: [86, "u32"],
  keyPortSrcMin: [87, "u16", { be: true }],
  keyPortSrcMax: [88, "u16", { be: true }],
  keyPortDstMin: [89, "u16", { be: true }],
  keyPortDstMax: [90, "u16", { be: true }],
});

const IP_PROTOS = { tcp: 6, udp: 17, sctp: 132, icmp: 1, icmpv6: 58 } as const;

/**
 * Options of the flower classifier: matches on the packet's headers by field name.
 *
 * @example
 * ```ts
 * const flower: FlowerOptions = { srcIp: "198.51.100.0/24", ipProto: "udp", dstPort: "5000-5100" };
 * await rt.tc.filter.add({ dev: "eth0", parent: "ingress", protocol: "ip", pref: 10, kind: "flower", flower,
 *   actions: [{ kind: "gact", gact: { action: "drop" } }] });
 * // tc filter add dev eth0 ingress protocol ip pref 10 flower src_ip 198.51.100.0/24 ip_proto udp dst_port 5000-5100 action drop
 * ```
 */
export interface FlowerOptions {
  /** Where matching packets go (tc's classid). */
  classid?: Handle;
  /** Match packets that came in on this device. */
  indev?: string;
  /** Do not offload to hardware. */
  skipHw?: boolean;
  /** Only in hardware. */
  skipSw?: boolean;
  /** Match the VLAN id. */
  vlanId?: number;
  /** Match the VLAN priority. */
  vlanPrio?: number;
  /** the protocol inside the VLAN tag (with protocol 802.1q/802.1ad) */
  vlanEthType?: Protocol;
  /** "02:00:00:00:00:01", optionally with "/24" or "/ff:ff:ff:00:00:00" */
  dstMac?: string;
  /** Match the source MAC. */
  srcMac?: string;
  /** Match the IP protocol. */
  ipProto?: "tcp" | "udp" | "sctp" | "icmp" | "icmpv6" | number;
  /** value, or "value/mask" */
  ipTos?: number | string;
  /** Match the TTL (a value or value/mask). */
  ipTtl?: number | string;
  /** an address or prefix of the filter's (or vlanEthType's) family */
  dstIp?: string;
  /** Match the source address or prefix. */
  srcIp?: string;
  /** a port, or "min-max" */
  dstPort?: number | string;
  /** Match the source port (a number or a range "1000-2000"). */
  srcPort?: number | string;
}

const KEYS = ["classid", "indev", "skipHw", "skipSw", "vlanId", "vlanPrio", "vlanEthType", "dstMac", "srcMac", "ipProto", "ipTos", "ipTtl", "dstIp", "srcIp", "dstPort", "srcPort"];

function mac(text: unknown, field: string): [Buffer, Buffer] {
  if (typeof text !== "string") throw new NlkitInputError(`invalid ${field}`, field);
  const [a, m] = text.split("/", 2) as [string, string | undefined];
  const addr = parseLladdr(a);
  if (!addr || addr.length !== 6) throw new NlkitInputError(`invalid ${field} "${text}"`, field);
  let mask: Buffer = Buffer.alloc(6, 0xff);
  if (m !== undefined) {
    if (/^\d+$/.test(m) && Number(m) <= 48) {
      const bits = Number(m);
      mask = Buffer.alloc(6);
      for (let i = 0; i < 6; i++) mask[i] = bits >= (i + 1) * 8 ? 0xff : bits > i * 8 ? (0xff << (8 - (bits - i * 8))) & 0xff : 0;
    } else {
      const mm = parseLladdr(m);
      if (!mm || mm.length !== 6) throw new NlkitInputError(`invalid mask in ${field} "${text}"`, field);
      mask = mm;
    }
  }
  return [addr, mask];
}

function u8Masked(v: unknown, field: string): [number, number] {
  if (typeof v === "number") return [intOpt(v, field, 0xff), 0xff];
  const m = typeof v === "string" ? /^(0x[0-9a-f]+|\d+)(?:\/(0x[0-9a-f]+|[0-9a-f]+))?$/i.exec(v) : null;
  if (!m) throw new NlkitInputError(`invalid ${field} ${shown(v)} (value or value/mask)`, field);
  const val = m[1]!.startsWith("0x") ? parseInt(m[1]!, 16) : Number(m[1]);
  const mask = m[2] === undefined ? 0xff : parseInt(m[2].replace(/^0x/i, ""), 16);
  return [intOpt(val, field, 0xff), intOpt(mask, field, 0xff)];
}

/** A prefix to the address and the mask tc sends with it. */
function ipKey(text: unknown, family: 4 | 6 | undefined, field: string): { family: 4 | 6; addr: Buffer; mask: Buffer } {
  const t = typeof text === "string" ? text : "";
  const ip = parseIp(t.split("/")[0]!);
  const c = ip ? parseCidr(t.includes("/") ? t : `${t}/${ip.family === 4 ? 32 : 128}`, ip.family) : undefined;
  if (!c) throw new NlkitInputError(`invalid ${field} ${shown(text)}`, field);
  if (family && c.family !== family) throw new NlkitInputError(`${field} ${t} does not match the filter's protocol`, field);
  const mask = Buffer.alloc(c.bytes.length);
  for (let i = 0; i < mask.length; i++) mask[i] = c.prefixlen >= (i + 1) * 8 ? 0xff : c.prefixlen > i * 8 ? (0xff << (8 - (c.prefixlen - i * 8))) & 0xff : 0;
  return { family: c.family, addr: c.bytes, mask };
}

function port(v: unknown, field: string): [number, number] | [number] {
  if (typeof v === "number") return [intOpt(v, field, 0xffff, 1)];
  const m = typeof v === "string" ? /^(\d+)(?:-(\d+))?$/.exec(v) : null;
  if (!m) throw new NlkitInputError(`invalid ${field} ${shown(v)} (a port or "min-max")`, field);
  const lo = intOpt(Number(m[1]), field, 0xffff, 1);
  if (m[2] === undefined) return [lo];
  const hi = intOpt(Number(m[2]), field, 0xffff);
  if (hi <= lo) throw new NlkitInputError(`${field}: max value should be greater than min value`, field);
  return [lo, hi];
}

/** f_flower.c's order for these keys, then the flags and the protocol as TCA_FLOWER_KEY_ETH_TYPE. */
function encode(o: FlowerOptions | undefined, _b: unknown, f: FilterEncodeContext) {
  const v = checkOptions(o, KEYS, "flower");
  const a: Record<string, unknown> = {};
  let ethType = f.protocol;
  if (v.classid !== undefined) a.classid = classid(v.classid, "flower.classid");
  if (v.indev !== undefined) {
    if (typeof v.indev !== "string" || v.indev === "") throw new NlkitInputError("flower.indev must be a device name", "flower.indev");
    a.indev = v.indev;
  }
  const vlan = ethType === ETH_P_8021Q || ethType === ETH_P_8021AD;
  if (v.vlanId !== undefined) {
    if (!vlan) throw new NlkitInputError("flower.vlanId needs protocol 802.1q or 802.1ad", "flower.vlanId");
    a.keyVlanId = intOpt(v.vlanId, "flower.vlanId", 4095);
  }
  if (v.vlanPrio !== undefined) {
    if (!vlan) throw new NlkitInputError("flower.vlanPrio needs protocol 802.1q or 802.1ad", "flower.vlanPrio");
    a.keyVlanPrio = intOpt(v.vlanPrio, "flower.vlanPrio", 7);
  }
  if (v.vlanEthType !== undefined) {
    if (!vlan) throw new NlkitInputError("flower.vlanEthType needs protocol 802.1q or 802.1ad", "flower.vlanEthType");
    ethType = protocolNumber(v.vlanEthType, "flower.vlanEthType");
    a.keyVlanEthType = ethType;
  }
  if (v.dstMac !== undefined) [a.keyEthDst, a.keyEthDstMask] = mac(v.dstMac, "flower.dstMac");
  if (v.srcMac !== undefined) [a.keyEthSrc, a.keyEthSrcMask] = mac(v.srcMac, "flower.srcMac");
  let proto = 0xff;
  if (v.ipProto !== undefined) {
    if (ethType !== ETH_P_IP && ethType !== ETH_P_IPV6) throw new NlkitInputError("flower.ipProto needs protocol ip or ipv6", "flower.ipProto");
    proto = typeof v.ipProto === "string" && v.ipProto in IP_PROTOS ? IP_PROTOS[v.ipProto as keyof typeof IP_PROTOS] : intOpt(v.ipProto, "flower.ipProto", 0xff);
    if ((v.ipProto === "icmp" && ethType !== ETH_P_IP) || (v.ipProto === "icmpv6" && ethType !== ETH_P_IPV6)) {
      throw new NlkitInputError(`flower.ipProto ${v.ipProto} does not match the filter's protocol`, "flower.ipProto");
    }
    a.keyIpProto = proto;
  }
  if (v.ipTos !== undefined) [a.keyIpTos, a.keyIpTosMask] = u8Masked(v.ipTos, "flower.ipTos");
  if (v.ipTtl !== undefined) [a.keyIpTtl, a.keyIpTtlMask] = u8Masked(v.ipTtl, "flower.ipTtl");
  const family = ethType === ETH_P_IP ? 4 : ethType === ETH_P_IPV6 ? 6 : undefined;
  for (const [k, dir] of [["dstIp", "Dst"], ["srcIp", "Src"]] as const) {
    if (v[k] === undefined) continue;
    if (!family && ethType !== 0) throw new NlkitInputError(`flower.${k} needs protocol ip or ipv6`, `flower.${k}`);
    const ip = ipKey(v[k], family, `flower.${k}`);
    const fam = ip.family === 4 ? "Ipv4" : "Ipv6";
    a[`key${fam}${dir}`] = ip.addr;
    a[`key${fam}${dir}Mask`] = ip.mask;
  }
  for (const [k, dir] of [["dstPort", "Dst"], ["srcPort", "Src"]] as const) {
    if (v[k] === undefined) continue;
    const l4 = proto === 6 ? "Tcp" : proto === 17 ? "Udp" : proto === 132 ? "Sctp" : undefined;
    if (!l4) throw new NlkitInputError(`flower.${k} needs ipProto tcp, udp or sctp`, `flower.${k}`);
    const p = port(v[k], `flower.${k}`);
    if (p.length === 2) {
      a[`keyPort${dir}Min`] = p[0];
      a[`keyPort${dir}Max`] = p[1];
    } else {
      a[`key${l4}${dir}`] = p[0];
    }
  }
  if (f.actions) a.act = f.actions;
  a.flags = clsFlags(v, "flower");
  if (f.protocol !== ETH_P_ALL) a.keyEthType = f.protocol;
  return { attrs: a, handle: plainHandle(f.handle) };
}

function prefix(addr: unknown, mask: unknown): string | undefined {
  if (typeof addr !== "string") return undefined;
  if (typeof mask !== "string") return addr;
  const m = parseIp(mask);
  if (!m) return addr;
  let bits = 0;
  for (const byte of m.bytes) bits += [...byte.toString(2)].filter((c) => c === "1").length;
  return bits === m.bytes.length * 8 ? addr : `${addr}/${bits}`;
}

function view(a: AttrValues) {
  const out: Record<string, unknown> = {};
  if (a.classid !== undefined) out.classid = formatClassid(a.classid as number);
  if (a.indev !== undefined) out.indev = a.indev;
  if (a.keyVlanId !== undefined) out.vlanId = a.keyVlanId;
  if (a.keyVlanPrio !== undefined) out.vlanPrio = a.keyVlanPrio;
  if (a.keyVlanEthType !== undefined) out.vlanEthType = protocolName(a.keyVlanEthType as number);
  if (a.keyEthType !== undefined) out.ethType = protocolName(a.keyEthType as number);
  if (a.keyEthDst !== undefined) out.dstMac = a.keyEthDst;
  if (a.keyEthSrc !== undefined) out.srcMac = a.keyEthSrc;
  if (a.keyIpProto !== undefined) {
    const n = a.keyIpProto as number;
    out.ipProto = Object.entries(IP_PROTOS).find(([, x]) => x === n)?.[0] ?? n;
  }
  if (a.keyIpTos !== undefined) out.ipTos = a.keyIpTosMask === undefined || a.keyIpTosMask === 0xff ? a.keyIpTos : `${a.keyIpTos}/0x${(a.keyIpTosMask as number).toString(16)}`;
  if (a.keyIpTtl !== undefined) out.ipTtl = a.keyIpTtlMask === undefined || a.keyIpTtlMask === 0xff ? a.keyIpTtl : `${a.keyIpTtl}/0x${(a.keyIpTtlMask as number).toString(16)}`;
  const dst = prefix(a.keyIpv4Dst ?? a.keyIpv6Dst, a.keyIpv4DstMask ?? a.keyIpv6DstMask);
  const src = prefix(a.keyIpv4Src ?? a.keyIpv6Src, a.keyIpv4SrcMask ?? a.keyIpv6SrcMask);
  if (dst) out.dstIp = dst;
  if (src) out.srcIp = src;
  const dport = a.keyTcpDst ?? a.keyUdpDst ?? a.keySctpDst;
  const sport = a.keyTcpSrc ?? a.keyUdpSrc ?? a.keySctpSrc;
  if (dport !== undefined) out.dstPort = dport;
  else if (a.keyPortDstMin !== undefined) out.dstPort = `${a.keyPortDstMin}-${a.keyPortDstMax}`;
  if (sport !== undefined) out.srcPort = sport;
  else if (a.keyPortSrcMin !== undefined) out.srcPort = `${a.keyPortSrcMin}-${a.keyPortSrcMax}`;
  Object.assign(out, clsFlagsView(a.flags));
  return out;
}

export const flower = defineFilter({ kind: "flower", options: flowerAttrs, encode, parseHandle: plainHandle, formatHandle: hexHandle, view, actionsKey: "act" });
