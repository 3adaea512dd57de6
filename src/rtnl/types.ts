// rtnetlink message types (linux/rtnetlink.h).
export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;
export const RTM_SETLINK = 19;
export const RTM_NEWADDR = 20;
export const RTM_DELADDR = 21;
export const RTM_GETADDR = 22;
export const RTM_NEWROUTE = 24;
export const RTM_DELROUTE = 25;
export const RTM_GETROUTE = 26;
export const RTM_NEWNEIGH = 28;
export const RTM_DELNEIGH = 29;
export const RTM_GETNEIGH = 30;
export const RTM_NEWRULE = 32;
export const RTM_DELRULE = 33;
export const RTM_GETRULE = 34;
export const RTM_NEWADDRLABEL = 72;
export const RTM_DELADDRLABEL = 73;
export const RTM_GETADDRLABEL = 74;
export const RTM_NEWNETCONF = 80;
export const RTM_DELNETCONF = 81;
export const RTM_GETNETCONF = 82;
export const RTM_NEWNSID = 88;
export const RTM_DELNSID = 89;
export const RTM_GETNSID = 90;

export const RTM_NAMES: ReadonlyMap<number, string> = new Map([
  [16, "RTM_NEWLINK"], [17, "RTM_DELLINK"], [18, "RTM_GETLINK"], [19, "RTM_SETLINK"],
  [20, "RTM_NEWADDR"], [21, "RTM_DELADDR"], [22, "RTM_GETADDR"],
  [24, "RTM_NEWROUTE"], [25, "RTM_DELROUTE"], [26, "RTM_GETROUTE"],
  [28, "RTM_NEWNEIGH"], [29, "RTM_DELNEIGH"], [30, "RTM_GETNEIGH"],
  [32, "RTM_NEWRULE"], [33, "RTM_DELRULE"], [34, "RTM_GETRULE"],
  [72, "RTM_NEWADDRLABEL"], [73, "RTM_DELADDRLABEL"], [74, "RTM_GETADDRLABEL"],
  [80, "RTM_NEWNETCONF"], [81, "RTM_DELNETCONF"], [82, "RTM_GETNETCONF"],
  [88, "RTM_NEWNSID"], [89, "RTM_DELNSID"], [90, "RTM_GETNSID"],
]);

// Address families as rtnetlink uses them (linux/socket.h).
export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_BRIDGE = 7;
export const AF_INET6 = 10;
export const AF_PACKET = 17;
export const AF_MPLS = 28;

// Multicast groups (enum rtnetlink_groups), for monitors.
/**
 * rtnetlink multicast group numbers (enum rtnetlink_groups), for `NetlinkMonitor.open({ groups })`;
 * `rt.monitor()` joins the right ones itself.
 *
 * @example
 * ```ts
 * // raw route notifications: the message type of each (RTM_NEWROUTE 24, RTM_DELROUTE 25)
 * const mon = NetlinkMonitor.open({ protocol: constants.NETLINK_ROUTE, groups: [RTNLGRP.ipv4Route, RTNLGRP.ipv6Route] },
 *   (buf, start) => buf.readUInt16LE(start + 4));
 * for await (const ev of mon) {
 *   if (ev instanceof MonitorOverrun) continue;   // the kernel dropped some: dump again
 *   console.log(ev === 24 ? "new route" : "deleted route");
 * }
 * ```
 */
export const RTNLGRP = {
  /** RTNLGRP_LINK: links created, changed or deleted (RTM_NEWLINK/DELLINK; ip monitor link). */
  link: 1,
  /** RTNLGRP_NOTIFY: a legacy group (RTMGRP_NOTIFY) that current kernels send next to nothing to. */
  notify: 2,
  /** RTNLGRP_NEIGH: neighbour and bridge fdb entries (RTM_NEWNEIGH/DELNEIGH; ip monitor neigh). */
  neigh: 3,
  /** RTNLGRP_TC: qdiscs, classes, filters and actions (tc monitor). */
  tc: 4,
  /** RTNLGRP_IPV4_IFADDR: IPv4 addresses added or removed (RTM_NEWADDR/DELADDR). */
  ipv4Ifaddr: 5,
  /** RTNLGRP_IPV4_MROUTE: IPv4 multicast forwarding cache entries (ip mroute). */
  ipv4Mroute: 6,
  /** RTNLGRP_IPV4_ROUTE: IPv4 routes (RTM_NEWROUTE/DELROUTE). */
  ipv4Route: 7,
  /** RTNLGRP_IPV4_RULE: IPv4 policy routing rules (ip rule). */
  ipv4Rule: 8,
  /** RTNLGRP_IPV6_IFADDR: IPv6 addresses added, removed or changed (DAD, lifetimes). */
  ipv6Ifaddr: 9,
  /** RTNLGRP_IPV6_MROUTE: IPv6 multicast forwarding cache entries (ip -6 mroute). */
  ipv6Mroute: 10,
  /** RTNLGRP_IPV6_ROUTE: IPv6 routes (RTM_NEWROUTE/DELROUTE). */
  ipv6Route: 11,
  /** RTNLGRP_IPV6_IFINFO: a device's IPv6 state (AF_INET6 RTM_NEWLINK: router advertisement flags, token). */
  ipv6Ifinfo: 12,
  /** RTNLGRP_IPV6_PREFIX: prefixes learned from router advertisements (RTM_NEWPREFIX; ip monitor prefix). */
  ipv6Prefix: 18,
  /** RTNLGRP_IPV6_RULE: IPv6 policy routing rules (ip -6 rule). */
  ipv6Rule: 19,
  /** RTNLGRP_NSID: namespace ids assigned or removed (RTM_NEWNSID/DELNSID; ip monitor nsid). */
  nsid: 28,
} as const;
