import type { CallOptions } from "../../netlink/socket.js";
import type { RawAttr } from "../../netlink/attrs.js";
import type { BondOptions } from "./kinds/bond.js";
import type { BridgeOptions, BridgePortOptions } from "./kinds/bridge.js";
import type { GeneveOptions } from "./kinds/geneve.js";
import type { IpTunnelOptions } from "./kinds/gre.js";
import type { IpvlanOptions } from "./kinds/ipvlan.js";
import type { NetnsRefLike } from "./kinds/kind.js";
import type { MacvlanOptions } from "./kinds/macvlan.js";
import type { VlanOptions } from "./kinds/vlan.js";
import type { VrfOptions } from "./kinds/vrf.js";
import type { VxlanOptions } from "./kinds/vxlan.js";

export type {
  BondOptions, BridgeOptions, BridgePortOptions, GeneveOptions, IpTunnelOptions, IpvlanOptions, MacvlanOptions, NetnsRefLike,
  VlanOptions, VrfOptions, VxlanOptions,
};

/**
 * A device: its name, or its ifindex.
 *
 * @example
 * ```ts
 * const devs: LinkRef[] = ["veth0", 7];   // a name, or an ifindex
 * for (const dev of devs) await rt.link.set(dev, { up: true });
 * ```
 */
export type LinkRef = string | number;

/** Options every link takes when it is created, and that `set` changes (ip link add/set vocabulary). */
export interface LinkCommonOptions {
  /** MTU in bytes (IFLA_MTU, ip's mtu); the kernel refuses values outside the device's min/max MTU. Absent: the kind's default, or unchanged. */
  mtu?: number;
  /** Link-layer address "02:00:00:00:00:01" */
  address?: string;
  /** Link-layer broadcast address, "ff:ff:ff:ff:ff:ff" style (IFLA_BROADCAST, ip's broadcast/brd). */
  broadcast?: string;
  /** Transmit queue length in packets (IFLA_TXQLEN, ip's txqueuelen, shown as qlen). */
  txqueuelen?: number;
  /** Create it in (or move it to) another namespace: a name under /run/netns, or a NetnsRef. */
  netns?: NetnsRefLike;
  /** Enslave to this bridge, bond or VRF, by name or index (IFLA_MASTER, ip's master). */
  master?: LinkRef;
  /** true brings the link up (IFF_UP, ip link set up), false down; absent leaves it as it is (new links start down). */
  up?: boolean;
  /** Receive every frame, not only those to its address (IFF_PROMISC, ip's promisc on|off). */
  promisc?: boolean;
  /** Receive all multicast (IFF_ALLMULTI, ip's allmulticast on|off). */
  allmulticast?: boolean;
  /** The device does multicast (IFF_MULTICAST, ip's multicast on|off). */
  multicast?: boolean;
  /** false sets IFF_NOARP (ip's arp off): no ARP or neighbour discovery on the device. */
  arp?: boolean;
  /** Free-text description (IFLA_IFALIAS, ip's alias), shorter than 256 bytes. */
  alias?: string;
  /** Device group number (0 is ip's "default") */
  group?: number;
}

/**
 * The far end of a veth pair: its name, and the namespace and settings it is created with.
 *
 * @example
 * ```ts
 * const peer: VethPeerSpec = { name: "eth0", netns: "ns1", address: "02:00:00:00:01:01", mtu: 1450 };
 * await rt.link.add({ name: "veth-ns1", kind: "veth", peer, mtu: 1450, up: true });   // the peer is eth0 in ns1, still down
 * ```
 */
export interface VethPeerSpec {
  /** Left out, the kernel names it vethN. */
  name?: string;
  /** The peer's MAC address. */
  address?: string;
  /** The peer's MTU. */
  mtu?: number;
  /** The peer's transmit queue length. */
  txqueuelen?: number;
  /** The peer is created directly in this namespace. */
  netns?: NetnsRefLike;
  /** Requested ifindex of the peer */
  index?: number;
  // No `up`: the kernel opens the peer before the pair is linked and veth_open answers ENOTCONN;
  // bring it up with set() afterwards.
}

/**
 * Settings of a tun/tap device created by `rt.link.add()` (`ip tuntap add`): owner, group and
 * queue flags; with `persist: false` the device lives as long as the fd `add()` resolves with.
 *
 * @example
 * ```ts
 * import { closeSync } from "node:fs";
 * const tuntap: TuntapOptions = { owner: 1000, multiQueue: true, vnetHdr: true };
 * await rt.link.add({ name: "tap0", kind: "tap", tuntap, up: true });   // persistent, as ip tuntap add mode tap
 * // with persist: false the device lives as long as the fd add() resolves with
 * const fd = await rt.link.add({ name: "tun0", kind: "tun", tuntap: { persist: false } });
 * if (fd !== undefined) closeSync(fd);   // tun0 is gone
 * ```
 */
export interface TuntapOptions {
  /** uid that may open the device */
  owner?: number;
  /** gid that may open the device */
  group?: number;
  /** IFF_MULTI_QUEUE: one queue per fd attached to the device (ip tuntap's multi_queue); default off. */
  multiQueue?: boolean;
  /** Prepend the 4-byte packet information header (ip tuntap's "pi"); default off, like ip. */
  pi?: boolean;
  /** IFF_VNET_HDR: each packet starts with a struct virtio_net_hdr carrying offload data (ip tuntap's vnet_hdr); default off. */
  vnetHdr?: boolean;
  /**
   * Default true: the device outlives nlkit's fd. With false, add() resolves with the open fd,
   * which the caller owns: the device disappears when it is closed.
   */
  persist?: boolean;
}

/**
 * What `rt.link.add()` creates (`ip link add NAME type KIND ...`): the name, the kind and that kind's
 * options under a property of the same name, plus the settings every link takes (mtu, address, master,
 * netns, up).
 *
 * @example
 * ```ts
 * await rt.link.add({ name: "br0", kind: "bridge", bridge: { stp: true, forwardDelay: 400 } });
 * ```
 */
export interface LinkAddSpec extends LinkCommonOptions {
  /** The new device's name (IFLA_IFNAME). */
  name: string;
  /** IFLA_INFO_KIND: veth, bridge, vxlan, macvlan, macvtap, vlan, ipvlan, bond, vrf, geneve, gre, gretap, ipip, wireguard, dummy, tun, tap... */
  kind: string;
  /** Requested ifindex */
  index?: number;
  /** Lower device (macvlan, macvtap, vlan, ipvlan): IFLA_LINK */
  link?: LinkRef;
  /** veth: the other end. */
  peer?: VethPeerSpec;
  /** kind bridge: its options. */
  bridge?: BridgeOptions;
  /** kind vxlan: its options. */
  vxlan?: VxlanOptions;
  /** kind macvlan: its options. */
  macvlan?: MacvlanOptions;
  /** kind macvtap: its options (as macvlan's). */
  macvtap?: MacvlanOptions;
  /** kind vlan: its options. */
  vlan?: VlanOptions;
  /** kind ipvlan: its options. */
  ipvlan?: IpvlanOptions;
  /** kind bond: its options. */
  bond?: BondOptions;
  /** kind vrf: its table. */
  vrf?: VrfOptions;
  /** kind geneve: its options. */
  geneve?: GeneveOptions;
  /** kind gre: its options. */
  gre?: IpTunnelOptions;
  /** kind gretap: its options. */
  gretap?: IpTunnelOptions;
  /** kind ipip: its options. */
  ipip?: IpTunnelOptions;
  /** kind tun/tap: its options. */
  tuntap?: TuntapOptions;
}

/**
 * How `rt.link.add()` sends: `replace` makes it `ip link replace`, plus the usual
 * `signal`/`timeoutMs`.
 *
 * @example
 * ```ts
 * const opts: LinkAddOptions = { replace: true, timeoutMs: 5000 };
 * // ip link replace: creates dummy0 when it is missing; the kernel refuses (EOPNOTSUPP) to replace an existing link
 * await rt.link.add({ name: "dummy0", kind: "dummy", mtu: 9000 }, opts);
 * ```
 */
export interface LinkAddOptions extends CallOptions {
  /** NLM_F_CREATE|NLM_F_REPLACE instead of NLM_F_CREATE|NLM_F_EXCL, as `ip link replace` sends. */
  replace?: boolean;
}

/**
 * What `rt.link.set()` changes (`ip link set`): name, mtu, address, master (null for nomaster),
 * namespace, up/down and the other settings `LinkAddSpec` takes.
 *
 * @example
 * ```ts
 * await rt.link.set("v1", { mtu: 9000, name: "eth1", up: true });
 * ```
 */
export interface LinkSetOptions extends Omit<LinkCommonOptions, "master"> {
  /** Enslave to a master, or null to release (ip's nomaster). */
  master?: LinkRef | null;
  /** Rename */
  name?: string;
  /**
   * Kind options changed in place (`ip link set DEV type vxlan ttl 64`): the link's own kind,
   * one per call. Only what is given is sent; the kernel refuses what that kind cannot change
   * (a vxlan's VNI or port...) with its extack message, and then nothing changes.
   */
  vxlan?: VxlanOptions;
  /** Change a bridge's options (ip link set DEV type bridge ...). */
  bridge?: BridgeOptions;
  /** Change a macvlan's options. */
  macvlan?: MacvlanOptions;
  /** Change a macvtap's options. */
  macvtap?: MacvlanOptions;
  /** Change a bond's options. */
  bond?: BondOptions;
  /**
   * Bridge port options of a link enslaved to a bridge (`type bridge_slave cost 5 learning off`).
   * Given with `master`, they are sent after it, once the link is that bridge's port.
   */
  bridgeSlave?: BridgePortOptions;
}

/**
 * Which links `rt.link.list()` returns (`ip link show type KIND`, `ip link show master BR`), filtered
 * by the kernel.
 *
 * @example
 * ```ts
 * const filter: LinkListFilter = { kind: "veth", master: "br0" };
 * for (const l of await rt.link.list(filter)) console.log(l.name, l.operstate);   // ip link show master br0 type veth
 * ```
 */
export interface LinkListFilter {
  /**
   * Only links of this IFLA_INFO_KIND (ip link show type KIND): "veth", "bridge"... "tun" matches
   * every tun/tap device, as the kernel reports them all as kind tun; "tap" only the taps.
   */
  kind?: string;
  /** Only ports of this master (ip link show master BR), by name or index. */
  master?: LinkRef;
  /**
   * "bridge": dump the AF_BRIDGE view instead (`bridge link show`, ifi_family AF_BRIDGE): the
   * kernel answers with bridge ports only, each with its port options in `protinfo`. Those
   * messages carry no IFLA_LINKINFO, so `kind` cannot be combined with it, nor can `fields`.
   */
  family?: "bridge";
}

/**
 * rtnl_link_stats64
 *
 * @example
 * ```ts
 * const stats: LinkStats64 | undefined = (await rt.link.get("eth0")).stats64;
 * if (stats) console.log(`rx ${stats.rxBytes} B ${stats.rxPackets} pkts, tx ${stats.txBytes} B, dropped ${stats.rxDropped}/${stats.txDropped}`);
 * ```
 */
export interface LinkStats64 {
  /** Good packets received (rx_packets; ip -s RX packets), including those the host dropped later. */
  rxPackets: number;
  /** Packets transmitted successfully (tx_packets; ip -s TX packets). */
  txPackets: number;
  /** Bytes of the good packets received (rx_bytes; ip -s RX bytes). */
  rxBytes: number;
  /** Bytes of the packets transmitted (tx_bytes; ip -s TX bytes). */
  txBytes: number;
  /** Bad packets received, the detailed rx*Errors counters among them (rx_errors; ip -s RX errors). */
  rxErrors: number;
  /** Packets that failed to transmit, the detailed tx*Errors counters among them (tx_errors; ip -s TX errors). */
  txErrors: number;
  /** Packets received but not processed, e.g. no memory or an unknown protocol (rx_dropped; ip -s RX dropped). */
  rxDropped: number;
  /** Packets dropped on their way to transmission, e.g. no memory (tx_dropped; ip -s TX dropped). */
  txDropped: number;
  /** Multicast packets received (ip -s mcast). */
  multicast: number;
  /** Collisions while transmitting (ip -s collsns). */
  collisions: number;
  /** Packets received with an invalid length (rx_length_errors; ip -s -s length). */
  rxLengthErrors: number;
  /** Receiver ring buffer overflows (rx_over_errors; ip -s -s overrun). */
  rxOverErrors: number;
  /** Packets received with a bad CRC (rx_crc_errors; ip -s -s crc). */
  rxCrcErrors: number;
  /** Frame alignment errors on receive (rx_frame_errors; ip -s -s frame). */
  rxFrameErrors: number;
  /** Receiver FIFO overruns (rx_fifo_errors; ip -s -s fifo). */
  rxFifoErrors: number;
  /** Packets the device dropped for lack of buffers (rx_missed_errors; ip -s missed). */
  rxMissedErrors: number;
  /** Transmissions aborted, e.g. after too many collisions (tx_aborted_errors; ip -s -s aborted). */
  txAbortedErrors: number;
  /** Transmissions that lost carrier (tx_carrier_errors; ip -s carrier). */
  txCarrierErrors: number;
  /** Transmitter FIFO underruns (tx_fifo_errors; ip -s -s fifo). */
  txFifoErrors: number;
  /** SQE heartbeat errors on transmit (tx_heartbeat_errors; ip -s -s heartbt). */
  txHeartbeatErrors: number;
  /** Late collisions on transmit (tx_window_errors; ip -s -s window). */
  txWindowErrors: number;
  /** Compressed packets received (rx_compressed; CSLIP/PPP devices). */
  rxCompressed: number;
  /** Compressed packets transmitted (tx_compressed; CSLIP/PPP devices). */
  txCompressed: number;
  /** Absent before Linux 4.6 */
  rxNohandler?: number;
  /** Absent before Linux 5.19 */
  rxOtherhostDropped?: number;
  /** Bytes of fields newer than this table */
  tail?: Buffer;
}

/**
 * A link's per-protocol settings (IFLA_AF_SPEC): IPv4 devconf, IPv6 devconf, flags and token.
 *
 * @example
 * ```ts
 * const af: LinkAfSpec | undefined = (await rt.link.get("eth0")).afSpec;
 * console.log(af?.inet6?.addrGenMode, af?.inet6?.token);   // "eui64" "::"
 * ```
 */
export interface LinkAfSpec {
  /** The AF_INET part: the device's IPv4 settings (net.ipv4.conf.DEV.*). */
  inet?: {
    /** IFLA_INET_CONF: one u32 per IPV4_DEVCONF_* sysctl, at index IPV4_DEVCONF_x - 1 (forwarding first). */
    conf?: number[];
    /** IFLA_INET_* attributes nlkit has no table entry for, kept as they came. */
    unknown?: RawAttr[];
  };
  /** The AF_INET6 part: the device's IPv6 state and settings (net.ipv6.conf.DEV.*). */
  inet6?: {
    /** IFLA_INET6_FLAGS: the device's IF_RA_MANAGED, IF_RA_OTHER, IF_RS_SENT, IF_RA_RCVD, IF_READY bits. */
    flags?: number;
    /** IFLA_INET6_CONF: one s32 per DEVCONF_* sysctl, at index DEVCONF_x (forwarding at 0). */
    conf?: number[];
    /** IFLA_INET6_STATS: the device's IPv6 counters, one per IPSTATS_MIB_*; index 0 holds how many there are. */
    stats?: number[];
    /** IFLA_INET6_ICMP6STATS: the device's ICMPv6 counters, one per ICMP6_MIB_*; index 0 holds how many there are. */
    icmp6stats?: number[];
    /** IFLA_INET6_CACHEINFO: reassembly and neighbour discovery timings. */
    cacheinfo?: {
      /** Largest reassembled packet, in bytes (65535). */
      maxReasmLen?: number;
      /** When the device's IPv6 state last changed (a router advertisement, a new token), in centiseconds since boot. */
      tstamp?: number;
      /** Neighbour discovery's current reachable time, in ms: base_reachable_time randomised to 0.5-1.5 times it. */
      reachableTime?: number;
      /** Neighbour solicitation retransmit interval, in ms (ip ntable's retrans; a router advertisement may set it). */
      retransTime?: number;
    };
    /** The interface identifier token (ip token set): "::" when none is set. */
    token?: string;
    /** How link-local and SLAAC addresses get their interface identifier (ip link set addrgenmode); a number when nlkit has no name for it. */
    addrGenMode?: "eui64" | "none" | "stable_secret" | "random" | number;
    /** The MTU the last router advertisement announced, in bytes; absent when none did (IFLA_INET6_RA_MTU). */
    raMtu?: number;
    /** IFLA_INET6_* attributes nlkit has no table entry for, kept as they came. */
    unknown?: RawAttr[];
  };
  /** The AF_BRIDGE part, with camelCase IFLA_BRIDGE_* keys (flags, mode, vlanInfo...), when the kernel sends one. */
  bridge?: Record<string, unknown>;
  /** Families nlkit has no table for, or a part that could not be read, kept as they came. */
  unknown?: RawAttr[];
}

/**
 * A decoded link, as RTM_NEWLINK reports it. Fields are absent when the kernel did not send them.
 *
 * @example
 * ```ts
 * const link: Link = await rt.link.get("eth0");
 * console.log(link.index, link.mtu, link.address, link.operstate, link.flags.join(","));   // 2 1500 "52:54:00:12:34:56" "UP" "BROADCAST,MULTICAST,UP,LOWER_UP"
 * if (link.kind === "vxlan") console.log(link.infoData);   // the vxlan's IFLA_VXLAN_* values (id, port, ...)
 * ```
 */
export interface Link {
  /** The interface index (ifindex), stable for the device's life. */
  index: number;
  /** The interface name (IFLA_IFNAME). */
  name: string;
  /** ifi_flags named as ip prints them (NO-CARRIER first when up without carrier) */
  flags: string[];
  /** ifi_flags as a number */
  ifiFlags: number;
  /** Administratively up (IFF_UP) */
  up: boolean;
  /** ip's link_type name for ifi_type ("ether", "loopback", "none"...) */
  linkType: string;
  /** ARPHRD_* number */
  ifiType: number;
  /** MTU in bytes. */
  mtu?: number;
  /** Smallest MTU the device accepts. */
  minMtu?: number;
  /** Largest MTU the device accepts. */
  maxMtu?: number;
  /** RFC 2863 state as ip prints it: "UP", "DOWN", "LOWERLAYERDOWN", "UNKNOWN"... */
  operstate?: string;
  /** "DEFAULT" or "DORMANT". */
  linkmode?: string;
  /** The link-layer address ("02:00:00:00:00:01"). */
  address?: string;
  /** The link-layer broadcast address. */
  broadcast?: string;
  /** The hardware's permanent address, when it differs from `address`. */
  permAddress?: string;
  /** Transmit queue length (ip's qlen). */
  txqlen?: number;
  /** The root qdisc's kind ("noqueue", "fq_codel"...). */
  qdisc?: string;
  /** The device group (ip's group). */
  group?: number;
  /** ifindex of the master */
  master?: number;
  /** ifindex of the peer/lower device (in linkNetnsid's namespace when that is set) */
  link?: number;
  /** The nsid of the namespace the peer or lower device lives in (ip's link-netnsid). */
  linkNetnsid?: number;
  /** The alias set with `ip link set DEV alias TEXT`. */
  alias?: string;
  /** Alternative names (`ip link property add altname`). */
  altNames?: string[];
  /** IFLA_INFO_KIND: "veth", "bridge", "vxlan"...; undefined for physical devices and lo. */
  kind?: string;
  /** The kind of the master this port belongs to ("bridge", "bond"). */
  slaveKind?: string;
  /** IFLA_INFO_DATA decoded with the kind's table (camelCase IFLA_<KIND>_* names), or raw bytes for kinds nlkit has no table for */
  infoData?: Record<string, unknown> | Buffer;
  /** The port's settings in its master (bridge port options, ...), decoded where known. */
  infoSlaveData?: Record<string, unknown> | Buffer;
  /**
   * IFLA_PROTINFO of a bridge port in an AF_BRIDGE dump (`link.list({ family: "bridge" })`): its
   * IFLA_BRPORT_* values, named as in infoSlaveData (`state` "forwarding", `cost`, `mode` for
   * hairpin, `protect` for root_block...).
   */
  protinfo?: Record<string, unknown> & {
    /** IFLA_BRPORT_* attributes the port table does not know, or could not read, kept raw. */
    unknown?: RawAttr[];
  };
  /** 64-bit counters (ip -s), decoded on first read. */
  stats64?: LinkStats64;
  /** Per-protocol settings (IPv4/IPv6 devconf), decoded on first read. */
  afSpec?: LinkAfSpec;
  /** Number of transmit queues. */
  numTxQueues?: number;
  /** Number of receive queues. */
  numRxQueues?: number;
  /** Largest GSO packet the stack builds for this device, in bytes. */
  gsoMaxSize?: number;
  /** Most segments in one GSO packet. */
  gsoMaxSegs?: number;
  /** Largest TSO packet the device accepts, in bytes. */
  tsoMaxSize?: number;
  /** Most segments the device accepts in one TSO packet. */
  tsoMaxSegs?: number;
  /** Largest packet GRO builds for this device, in bytes. */
  groMaxSize?: number;
  /** gsoMaxSize for IPv4 (BIG TCP). */
  gsoIpv4MaxSize?: number;
  /** groMaxSize for IPv4 (BIG TCP). */
  groIpv4MaxSize?: number;
  /** How many users put the device in promiscuous mode. */
  promiscuity?: number;
  /** How many users asked for all multicast. */
  allmulti?: number;
  /** Whether the device has carrier. */
  carrier?: boolean;
  /** How often carrier changed. */
  carrierChanges?: number;
  /** How often carrier came up. */
  carrierUpCount?: number;
  /** How often carrier went down. */
  carrierDownCount?: number;
  /** Whether protodown is set (a control plane holds the link down). */
  protoDown?: boolean;
  /** The parent device's name in sysfs (the bus device, e.g. a PCI address). */
  parentDevName?: string;
  /** The parent device's bus ("pci"). */
  parentDevBusName?: string;
  /** The port name the driver gives the physical port. */
  physPortName?: string;
  /** The physical port's identifier, as bytes. */
  physPortId?: Buffer;
  /** The switch's identifier, as bytes (ports of one switch share it). */
  physSwitchId?: Buffer;
  /** Number of SR-IOV virtual functions. */
  numVf?: number;
  /** Attached XDP programs, as the kernel reports them. */
  xdp?: Record<string, unknown>;
  /** Other decoded attributes that are not part of this shape (IFLA_STATS, IFLA_MAP, IFLA_EVENT...) */
  other?: Record<string, unknown>;
  /** Attributes nlkit has no table entry for (or could not read), kept as they came */
  unknown?: RawAttr[];
}
