import { attrSet, type AttrValues } from "../../../netlink/attrs.js";
import { NlkitInputError } from "../../../netlink/errors.js";
import { parseIp } from "../../../netlink/ip.js";
import { defineKind, type KindContext, type LinkKindDef } from "./kind.js";

/** GRE_KEY in IFLA_GRE_IFLAGS/OFLAGS (the GRE header's flag bits, big-endian). */
const GRE_KEY = 0x2000;

/** IFLA_GRE_*: gre and gretap (ip_gre). */
export const greAttrs = attrSet("gre", "IFLA_GRE_", {
  link: [1, "u32"],
  iflags: [2, "u16", { be: true }],
  oflags: [3, "u16", { be: true }],
  ikey: [4, "u32", { be: true }],
  okey: [5, "u32", { be: true }],
  local: [6, "ip"],
  remote: [7, "ip"],
  ttl: [8, "u8"],
  tos: [9, "u8"],
  pmtudisc: [10, "u8"],
  encapLimit: [11, "u8"],
  flowinfo: [12, "u32", { be: true }],
  flags: [13, "u32"],
  encapType: [14, "u16"],
  encapFlags: [15, "u16"],
  encapSport: [16, "u16", { be: true }],
  encapDport: [17, "u16", { be: true }],
  collectMetadata: [18, "flag"],
  ignoreDf: [19, "u8"],
  fwmark: [20, "u32"],
  erspanIndex: [21, "u32"],
  erspanVer: [22, "u8"],
  erspanDir: [23, "u8"],
  erspanHwid: [24, "u16"],
});

/** IFLA_IPTUN_*: ipip (and sit, ip6tnl). */
export const iptunAttrs = attrSet("iptun", "IFLA_IPTUN_", {
  link: [1, "u32"],
  local: [2, "ip"],
  remote: [3, "ip"],
  ttl: [4, "u8"],
  tos: [5, "u8"],
  encapLimit: [6, "u8"],
  flowinfo: [7, "u32", { be: true }],
  flags: [8, "u16"],
  proto: [9, "u8"],
  pmtudisc: [10, "u8"],
  "6rdPrefix": [11, "ip", { uapi: "IFLA_IPTUN_6RD_PREFIX" }],
  "6rdRelayPrefix": [12, "ip", { uapi: "IFLA_IPTUN_6RD_RELAY_PREFIX" }],
  "6rdPrefixlen": [13, "u16", { uapi: "IFLA_IPTUN_6RD_PREFIXLEN" }],
  "6rdRelayPrefixlen": [14, "u16", { uapi: "IFLA_IPTUN_6RD_RELAY_PREFIXLEN" }],
  encapType: [15, "u16"],
  encapFlags: [16, "u16"],
  encapSport: [17, "u16", { be: true }],
  encapDport: [18, "u16", { be: true }],
  collectMetadata: [19, "flag"],
  fwmark: [20, "u32"],
});

/**
 * Options of the IP tunnels gre, gretap and ipip (`ip link add type gre local ... remote ... ttl
 * ...`).
 *
 * @example
 * ```ts
 * const gre: IpTunnelOptions = { local: "192.0.2.1", remote: "203.0.113.1", ttl: 64, key: 1 };
 * await rt.link.add({ name: "gre1", kind: "gre", gre, up: true });
 * await rt.addr.add("gre1", "10.255.0.1/30");
 * ```
 */
export interface IpTunnelOptions {
  /** The IPv4 source address of the outer packets (ip's local); absent: any. */
  local?: string;
  /** The far end's IPv4 address (ip's remote); absent: any, a tunnel that is not point-to-point. */
  remote?: string;
  /** 0 = inherit */
  ttl?: number;
  /** TOS of the outer packets; 1 copies the inner packet's (ip's tos inherit); default 0. */
  tos?: number;
  /** Path MTU discovery; the kernel's default is on. */
  pmtudisc?: boolean;
  /** Underlying device */
  dev?: string | number;
  /** gre/gretap: key for both directions, or ikey/okey separately */
  key?: number;
  /** gre/gretap: the GRE key received packets must carry (ip's ikey); overrides key. */
  ikey?: number;
  /** gre/gretap: the GRE key put on sent packets (ip's okey); overrides key. */
  okey?: number;
}

function ipv4(v: string | undefined, field: string): string | undefined {
  if (v === undefined) return undefined;
  const ip = parseIp(v);
  if (!ip || ip.family !== 4) throw new NlkitInputError(`invalid IPv4 address "${v}"`, field);
  return v;
}

// Unlike ip, which writes every attribute with its default value, nlkit sends only what was
// asked for: the kernel's defaults are the same (pmtudisc on, everything else 0).
function greEncode(kind: string) {
  return (o: IpTunnelOptions = {}, ctx: KindContext) => {
    const ikey = o.ikey ?? o.key;
    const okey = o.okey ?? o.key;
    return {
      link: o.dev === undefined ? undefined : ctx.ifindex(o.dev, `${kind}.dev`),
      ikey,
      okey,
      iflags: ikey === undefined ? undefined : GRE_KEY,
      oflags: okey === undefined ? undefined : GRE_KEY,
      local: ipv4(o.local, `${kind}.local`),
      remote: ipv4(o.remote, `${kind}.remote`),
      pmtudisc: o.pmtudisc === undefined ? undefined : o.pmtudisc ? 1 : 0,
      tos: o.tos,
      ttl: o.ttl,
    };
  };
}

function tunnelJson(d: AttrValues) {
  const out: Record<string, unknown> = {};
  out.remote = d.remote ?? "any";
  out.local = d.local ?? "any";
  if (d.ttl) out.ttl = d.ttl;
  if (d.pmtudisc === 0) out.pmtudisc = false;
  return out;
}

export const gre: LinkKindDef = defineKind({ kind: "gre", data: greAttrs, optionsKey: "gre", encode: greEncode("gre"), ipJson: tunnelJson });
export const gretap: LinkKindDef = defineKind({ kind: "gretap", data: greAttrs, optionsKey: "gretap", encode: greEncode("gretap"), ipJson: tunnelJson });
export const ipip: LinkKindDef = defineKind({
  kind: "ipip",
  data: iptunAttrs,
  optionsKey: "ipip",
  encode(o: IpTunnelOptions = {}, ctx: KindContext) {
    if (o.key !== undefined || o.ikey !== undefined || o.okey !== undefined) throw new NlkitInputError("ipip tunnels have no keys", "ipip.key");
    return {
      link: o.dev === undefined ? undefined : ctx.ifindex(o.dev, "ipip.dev"),
      local: ipv4(o.local, "ipip.local"),
      remote: ipv4(o.remote, "ipip.remote"),
      pmtudisc: o.pmtudisc === undefined ? undefined : o.pmtudisc ? 1 : 0,
      tos: o.tos,
      ttl: o.ttl,
    };
  },
  ipJson: tunnelJson,
});
