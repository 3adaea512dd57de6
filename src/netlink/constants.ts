// Numbers from /usr/include/linux/netlink.h. Families keep their own numbers in their tables.

/** rtnetlink: links, addresses, routes, neighbours, rules, qdiscs (what ip and tc talk to). */
export const NETLINK_ROUTE = 0;
/** Socket diagnostics (inet_diag, unix_diag...): what ss queries. */
export const NETLINK_SOCK_DIAG = 4;
/** nfnetlink: nftables, conntrack, nflog/nfqueue (what nft and conntrack talk to). */
export const NETLINK_NETFILTER = 12;
/** Generic netlink: families found by name through nlctrl (ethtool, wireguard, devlink...). */
export const NETLINK_GENERIC = 16;

/** Size of struct nlmsghdr in bytes: len, type, flags, seq, pid. */
export const NLMSG_HDRLEN = 16;
/** Size of struct nlattr in bytes: nla_len and nla_type. */
export const NLA_HDRLEN = 4;

/** Control message to be ignored. */
export const NLMSG_NOOP = 1;
/** An error or, with error 0, an ack; carries struct nlmsgerr and, with NLM_F_ACK_TLVS, extack attributes. */
export const NLMSG_ERROR = 2;
/** Ends a multipart (NLM_F_MULTI) answer such as a dump; carries the dump's final error code. */
export const NLMSG_DONE = 3;
/** Data was lost (historic; the kernel reports drops as ENOBUFS instead). */
export const NLMSG_OVERRUN = 4;
/** Types below this are reserved for netlink control messages. */
export const NLMSG_MIN_TYPE = 0x10;

/** Set on every request to the kernel. */
export const NLM_F_REQUEST = 0x01;
/** Part of a multipart answer, ended by NLMSG_DONE. */
export const NLM_F_MULTI = 0x02;
/** Asks for an ack (an NLMSG_ERROR with error 0) once the request succeeded. */
export const NLM_F_ACK = 0x04;
/** Asks the kernel to send the resulting notification back to the requester too. */
export const NLM_F_ECHO = 0x08;
/** On a dump's messages: the data changed while it was dumped, so it may be inconsistent. */
export const NLM_F_DUMP_INTR = 0x10;
/** On a dump's messages: the kernel applied the request's filter (strict checking). */
export const NLM_F_DUMP_FILTERED = 0x20;
// GET requests
/** GET request: return the whole table. */
export const NLM_F_ROOT = 0x100;
/** GET request: return every entry that matches (with NLM_F_ROOT, NLM_F_DUMP). */
export const NLM_F_MATCH = 0x200;
/** GET request: ask for an atomic snapshot of the table (linux/netlink.h's "atomic GET"; rarely used). */
export const NLM_F_ATOMIC = 0x400;
/** GET request as a dump: NLM_F_ROOT | NLM_F_MATCH. */
export const NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
// NEW requests
/** NEW request: replace an existing object (ip's `replace`/`change`). */
export const NLM_F_REPLACE = 0x100;
/** NEW request: fail with EEXIST when the object exists (ip's `add`). */
export const NLM_F_EXCL = 0x200;
/** NEW request: create the object when it does not exist. */
export const NLM_F_CREATE = 0x400;
/** NEW request: add to the end of the object list (ip route's `append`). */
export const NLM_F_APPEND = 0x800;
// DELETE requests
/** DELETE request: do not delete recursively (nftables: fail if the table or chain is not empty). */
export const NLM_F_NONREC = 0x100;
/** DELETE request: delete every object the request matches (e.g. a device's fdb entries; Linux 5.19+). */
export const NLM_F_BULK = 0x200;
// flags of an ACK (NLMSG_ERROR) message
/** On an ack: the request's payload was left out of the NLMSG_ERROR (NETLINK_CAP_ACK). */
export const NLM_F_CAPPED = 0x100;
/** On an ack: extended ack attributes (NLMSGERR_ATTR_*) follow the nlmsgerr. */
export const NLM_F_ACK_TLVS = 0x200;

/** nla_type bit: the attribute holds nested attributes. */
export const NLA_F_NESTED = 0x8000;
/** nla_type bit: the payload is in network byte order. */
export const NLA_F_NET_BYTEORDER = 0x4000;
/** The nla_type bits that are the type itself, without NLA_F_NESTED and NLA_F_NET_BYTEORDER. */
export const NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

// SOL_NETLINK socket options
/** SOL_NETLINK option: join a multicast group (its number, from 1). */
export const NETLINK_ADD_MEMBERSHIP = 1;
/** SOL_NETLINK option: leave a multicast group. */
export const NETLINK_DROP_MEMBERSHIP = 2;
/** SOL_NETLINK option: deliver the destination group of each message as NETLINK_PKTINFO ancillary data. */
export const NETLINK_PKTINFO = 3;
/** SOL_NETLINK option: report multicast delivery failures to the sender. */
export const NETLINK_BROADCAST_ERROR = 4;
/** SOL_NETLINK option: do not report receive-queue overruns as ENOBUFS. */
export const NETLINK_NO_ENOBUFS = 5;
/** SOL_NETLINK option: receive notifications from every peer namespace with an nsid, each tagged with it. */
export const NETLINK_LISTEN_ALL_NSID = 8;
/** SOL_NETLINK option (getsockopt): the bitmap of joined multicast groups. */
export const NETLINK_LIST_MEMBERSHIPS = 9;
/** SOL_NETLINK option: acks leave out the request's payload (NLM_F_CAPPED); nlkit always sets it. */
export const NETLINK_CAP_ACK = 10;
/** SOL_NETLINK option: the kernel explains errors with extended ack attributes (NLMSGERR_ATTR_*). */
export const NETLINK_EXT_ACK = 11;
/** SOL_NETLINK option: the kernel checks request headers strictly and honours dump filters. */
export const NETLINK_GET_STRICT_CHK = 12;

// extended ACK TLVs (enum nlmsgerr_attrs)
/** Extended ack: the kernel's error message, a string (what ip prints after "Error:"). */
export const NLMSGERR_ATTR_MSG = 1;
/** Extended ack: the offset in the request (from its nlmsghdr) of the attribute at fault, u32. */
export const NLMSGERR_ATTR_OFFS = 2;
/** Extended ack: an arbitrary cookie the subsystem returns on success. */
export const NLMSGERR_ATTR_COOKIE = 3;
/** Extended ack: the policy of the attribute at fault (nested NL_POLICY_TYPE_ATTR_*). */
export const NLMSGERR_ATTR_POLICY = 4;
/** Extended ack: the type of a required attribute that is missing, u32 (Linux 6.0+). */
export const NLMSGERR_ATTR_MISS_TYPE = 5;
/** Extended ack: the offset of the nest that lacks that attribute, u32 (Linux 6.0+). */
export const NLMSGERR_ATTR_MISS_NEST = 6;
