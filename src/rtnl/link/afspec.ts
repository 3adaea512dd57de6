import { attrSet, enumDef, type CustomCodec } from "../../netlink/attrs.js";
import { struct } from "../../netlink/struct.js";
import type { NlWriter } from "../../netlink/writer.js";

/**
 * IFLA_AF_SPEC: one nest per address family (AF_INET, AF_INET6, AF_BRIDGE), each with its own
 * attributes. The devconf arrays (IFLA_INET_CONF, IFLA_INET6_CONF) and the IPv6 statistics grow
 * with every kernel, so they decode to plain arrays of whatever length arrived.
 */
function intArray(size: 4 | 8, signed: boolean): CustomCodec {
  return {
    encode(w: NlWriter, value: unknown) {
      for (const v of value as number[]) size === 8 ? w.u64(v) : signed ? w.s32(v) : w.u32(v);
    },
    decode(buf: Buffer, start: number, end: number) {
      const n = Math.floor((end - start) / size);
      const out = new Array<number>(n);
      for (let i = 0, p = start; i < n; i++, p += size) {
        out[i] = size === 8 ? buf.readUInt32LE(p) + buf.readUInt32LE(p + 4) * 0x1_0000_0000
          : signed ? buf.readInt32LE(p) : buf.readUInt32LE(p);
      }
      return out;
    },
  };
}

/** IFLA_INET_CONF: u32 per IPV4_DEVCONF_* (index = IPV4_DEVCONF_x - 1). */
export const inetAfAttrs = attrSet("ifla-inet", "IFLA_INET_", {
  conf: [1, "custom", { codec: intArray(4, false) }],
});

export const addrGenModes = enumDef("inet6 addr_gen_mode", { eui64: 0, none: 1, stable_secret: 2, random: 3 });

export const ifla6Cacheinfo = struct("ifla_cacheinfo", [
  ["maxReasmLen", "u32"], ["tstamp", "u32"], ["reachableTime", "u32"], ["retransTime", "u32"],
]);

export const inet6AfAttrs = attrSet("ifla-inet6", "IFLA_INET6_", {
  flags: [1, "u32"],
  /** s32 per DEVCONF_* */
  conf: [2, "custom", { codec: intArray(4, true) }],
  stats: [3, "custom", { codec: intArray(8, false) }],
  mcast: [4, "binary"],
  cacheinfo: [5, "struct", { struct: ifla6Cacheinfo }],
  icmp6stats: [6, "custom", { codec: intArray(8, false) }],
  token: [7, "ip"],
  addrGenMode: [8, "u8", { enum: addrGenModes }],
  raMtu: [9, "u32"],
});

/** AF_BRIDGE part of IFLA_AF_SPEC (linux/if_bridge.h), as bridge(8) sends and the kernel reports. */
export const bridgeVlanInfo = struct("bridge_vlan_info", [["flags", "u16"], ["vid", "u16"]]);

export const bridgeAfAttrs = attrSet("ifla-bridge", "IFLA_BRIDGE_", {
  flags: [0, "u16"],
  mode: [1, "u16"],
  vlanInfo: [2, "struct", { struct: bridgeVlanInfo, multi: true }],
  vlanTunnelInfo: [3, "binary", { multi: true }],
  mrp: [4, "binary"],
  cfm: [5, "binary"],
  mst: [6, "binary"],
});

// Attribute types here are address family numbers, so their UAPI names are AF_*.
export const afSpecAttrs = attrSet("af-spec", "AF_", {
  inet: [2, "nest", { set: inetAfAttrs }],
  bridge: [7, "nest", { set: bridgeAfAttrs }],
  inet6: [10, "nest", { set: inet6AfAttrs }],
});
