import { struct } from "../../netlink/struct.js";

// struct rtnl_link_stats64 (linux/if_link.h). It grew over kernels (rx_nohandler in 4.6,
// rx_otherhost_dropped in 5.19): decodeStruct reads whatever prefix the kernel sent and keeps any
// newer tail. Counters are numbers (u64n): exact to 2^53.
export const rtnlLinkStats64 = struct("rtnl_link_stats64", [
  ["rxPackets", "u64n"], ["txPackets", "u64n"], ["rxBytes", "u64n"], ["txBytes", "u64n"],
  ["rxErrors", "u64n"], ["txErrors", "u64n"], ["rxDropped", "u64n"], ["txDropped", "u64n"],
  ["multicast", "u64n"], ["collisions", "u64n"],
  ["rxLengthErrors", "u64n"], ["rxOverErrors", "u64n"], ["rxCrcErrors", "u64n"], ["rxFrameErrors", "u64n"],
  ["rxFifoErrors", "u64n"], ["rxMissedErrors", "u64n"],
  ["txAbortedErrors", "u64n"], ["txCarrierErrors", "u64n"], ["txFifoErrors", "u64n"],
  ["txHeartbeatErrors", "u64n"], ["txWindowErrors", "u64n"],
  ["rxCompressed", "u64n"], ["txCompressed", "u64n"], ["rxNohandler", "u64n"],
  ["rxOtherhostDropped", "u64n"],
]);

/** struct rtnl_link_stats: the 32-bit counters of IFLA_STATS, kept for old consumers. */
export const rtnlLinkStats = struct("rtnl_link_stats", [
  ["rxPackets", "u32"], ["txPackets", "u32"], ["rxBytes", "u32"], ["txBytes", "u32"],
  ["rxErrors", "u32"], ["txErrors", "u32"], ["rxDropped", "u32"], ["txDropped", "u32"],
  ["multicast", "u32"], ["collisions", "u32"],
  ["rxLengthErrors", "u32"], ["rxOverErrors", "u32"], ["rxCrcErrors", "u32"], ["rxFrameErrors", "u32"],
  ["rxFifoErrors", "u32"], ["rxMissedErrors", "u32"],
  ["txAbortedErrors", "u32"], ["txCarrierErrors", "u32"], ["txFifoErrors", "u32"],
  ["txHeartbeatErrors", "u32"], ["txWindowErrors", "u32"],
  ["rxCompressed", "u32"], ["txCompressed", "u32"], ["rxNohandler", "u32"],
]);

/**
 * struct rtnl_link_ifmap: 64-bit layout (u64 x3, u16, u8, u8, then padding to 32 bytes). Numbers
 * (u64n), exact to 2^53 like the counters, so that a Link serialises as JSON: physical addresses
 * and I/O ports stay far below that.
 */
export const rtnlLinkIfmap = struct("rtnl_link_ifmap", [
  ["memStart", "u64n"], ["memEnd", "u64n"], ["baseAddr", "u64n"], ["irq", "u16"], ["dma", "u8"], ["port", "u8"],
]);
