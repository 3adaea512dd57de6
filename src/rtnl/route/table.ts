import { attrSet, decodeAttrs, encodeAttrs, type AttrSet, type AttrValues, type CustomCodec } from "../../netlink/attrs.js";
import { NetlinkParseError } from "../../netlink/errors.js";
import { formatIp } from "../../netlink/ip.js";
import type { MessageDef } from "../../netlink/message.js";
import { struct } from "../../netlink/struct.js";
import { enumDef } from "../../netlink/attrs.js";
import { rtmsg } from "../headers.js";
import { RTM_NAMES } from "../types.js";

// Route attributes (linux/rtnetlink.h): RTA_*, the RTAX_* metrics nested in RTA_METRICS, and
// RTA_MULTIPATH, a packed list of struct rtnexthop each followed by its own RTA_* attributes.

export const rtaCacheinfo = struct("rta_cacheinfo", [
  ["clntref", "u32"], ["lastuse", "u32"], ["expires", "s32"], ["error", "u32"],
  ["used", "u32"], ["id", "u32"], ["ts", "u32"], ["tsage", "u32"],
]);

export const rtaxAttrs = attrSet("metrics", "RTAX_", {
  lock: [1, "u32"],
  mtu: [2, "u32"],
  window: [3, "u32"],
  rtt: [4, "u32"],
  rttvar: [5, "u32"],
  ssthresh: [6, "u32"],
  cwnd: [7, "u32"],
  advmss: [8, "u32"],
  reordering: [9, "u32"],
  hoplimit: [10, "u32"],
  initcwnd: [11, "u32"],
  features: [12, "u32"],
  rtoMin: [13, "u32"],
  initrwnd: [14, "u32"],
  quickack: [15, "u32"],
  // ip sends the congestion control name without its NUL
  ccAlgo: [16, "string", { nul: false }],
  fastopenNoCookie: [17, "u32"],
});

/** struct rtnexthop: rtnh_len, rtnh_flags, rtnh_hops (weight - 1), rtnh_ifindex. */
export const rtnexthop = struct("rtnexthop", [["len", "u16"], ["flags", "u8"], ["hops", "u8"], ["ifindex", "s32"]]);
const RTNH_SIZE = 8;

export interface RawNexthop {
  ifindex: number;
  flags: number;
  hops: number;
  attrs: AttrValues;
}

/**
 * RTA_MULTIPATH: a packed list of rtnexthop structs, each followed by its own attributes, which
 * the RTA_ table encodes and decodes (rtnh_len covers them, padding included, as ip counts it).
 */
export const multipathCodec: CustomCodec = {
  encode(w, value) {
    for (const nh of value as RawNexthop[]) {
      const s = w.pos;
      w.u16(0);
      w.u8(nh.flags);
      w.u8(nh.hops);
      w.s32(nh.ifindex);
      encodeAttrs(w, rtaAttrs, nh.attrs);
      w.buf.writeUInt16LE(w.pos - s, s);
    }
  },
  decode(buf, start, end) {
    const out: RawNexthop[] = [];
    let off = start;
    while (off + RTNH_SIZE <= end) {
      const len = buf.readUInt16LE(off);
      if (len < RTNH_SIZE || off + len > end) break;
      out.push({
        flags: buf[off + 2]!,
        hops: buf[off + 3]!,
        ifindex: buf.readInt32LE(off + 4),
        attrs: len > RTNH_SIZE ? decodeAttrs(buf, off + RTNH_SIZE, off + len, rtaAttrs) : {},
      });
      off += (len + 3) & ~3;
    }
    return out;
  },
};

/** struct rtvia: a gateway of another family (IPv4 routes via IPv6 next hops). */
export const viaCodec: CustomCodec = {
  encode(w, value) {
    const v = value as { family: number; bytes: Uint8Array };
    w.u16(v.family);
    w.bytes(v.bytes);
  },
  decode(buf, start, end) {
    // too short for its family: kept raw by the attribute decoder
    if (end - start < 2) throw new NetlinkParseError(`rtvia of ${end - start} bytes`, start);
    return { family: buf.readUInt16LE(start), address: formatIp(buf, start + 2, end - start - 2) };
  },
};

export const rtaAttrs: AttrSet = attrSet("route", "RTA_", {
  dst: [1, "ip"],
  src: [2, "ip"],
  iif: [3, "u32"],
  oif: [4, "u32"],
  gateway: [5, "ip"],
  priority: [6, "u32"],
  prefsrc: [7, "ip"],
  metrics: [8, "nest", { set: rtaxAttrs }],
  multipath: [9, "custom", { codec: multipathCodec }],
  protoinfo: [10, "binary"],
  flow: [11, "u32"],
  cacheinfo: [12, "struct", { struct: rtaCacheinfo }],
  session: [13, "binary"],
  mpAlgo: [14, "binary"],
  table: [15, "u32"],
  mark: [16, "u32"],
  mfcStats: [17, "binary"],
  via: [18, "custom", { codec: viaCodec }],
  newdst: [19, "binary"],
  pref: [20, "u8", { enum: enumDef("pref", { medium: 0, high: 1, low: 3 }) }],
  encapType: [21, "u16"],
  encap: [22, "binary"],
  expires: [23, "u32"],
  pad: [24, "binary"],
  uid: [25, "u32"],
  ttlPropagate: [26, "u8"],
  ipProto: [27, "u8"],
  sport: [28, "u16", { be: true }],
  dport: [29, "u16", { be: true }],
  nhId: [30, "u32"],
});

export const rtmsgDef: MessageDef = { name: "rtmsg", header: rtmsg, attrs: rtaAttrs, typeNames: RTM_NAMES };

/** RTAX_* keys in number order, the order metrics are written in. */
export const METRIC_KEYS = rtaxAttrs.defs().filter((d) => d.key !== "lock").sort((a, b) => a.type - b.type);

/** rtm_flags / rtnh_flags bits ip prints, in its order (print_rt_flags). */
export const RT_FLAGS: ReadonlyArray<readonly [string, number]> = [
  ["dead", 0x1], ["onlink", 0x4], ["pervasive", 0x2], ["offload", 0x8], ["trap", 0x40], ["notify", 0x100],
  ["linkdown", 0x10], ["unresolved", 0x20], ["rt_offload", 0x4000], ["rt_trap", 0x8000], ["rt_offload_failed", 0x20000000],
];
export const RT_FLAGS_MASK = RT_FLAGS.reduce((m, [, b]) => m | b, 0) >>> 0;

/**
 * RTCF_* (linux/in_route.h): how the kernel resolved a route get, in the upper half of rtm_flags
 * of an IPv4 cloned route, in the order ip prints them after "cache" (print_cache_flags).
 */
export const RTCF_FLAGS: ReadonlyArray<readonly [string, number]> = [
  ["local", 0x80000000], ["reject", 0x40000000], ["mc", 0x20000000], ["brd", 0x10000000], ["dst-nat", 0x08000000],
  ["src-nat", 0x00800000], ["masq", 0x00400000], ["dst-direct", 0x00020000], ["src-direct", 0x04000000],
  ["redirected", 0x00040000], ["redirect", 0x01000000], ["fastroute", 0x00200000], ["notify", 0x00010000], ["proxy", 0x00080000],
];
export const RTCF_MASK = 0xffff0000;

export const RTNH_F_ONLINK = 0x4;
export const RTM_F_CLONED = 0x200;
export const RTM_F_LOOKUP_TABLE = 0x1000;
export const RTM_F_FIB_MATCH = 0x2000;

