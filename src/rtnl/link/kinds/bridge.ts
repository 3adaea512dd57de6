import { attrSet, enumDef, type AttrValues } from "../../../netlink/attrs.js";
import { struct } from "../../../netlink/struct.js";
import { bridgeAfAttrs } from "../afspec.js";
import { formatBridgeId, hex, timer, type IndexNames } from "./json-util.js";
import { NlkitInputError } from "../../../netlink/errors.js";
import { defineKind, type KindContext } from "./kind.js";

/** struct ifla_bridge_id: priority (2 bytes, big-endian) and MAC. */
export const iflaBridgeId = struct("ifla_bridge_id", [["prio", "u16be"], ["addr", "bytes", 6]]);

/** struct br_boolopt_multi */
export const brBoolOptMulti = struct("br_boolopt_multi", [["optval", "u32"], ["optmask", "u32"]]);

// BR_BOOLOPT_* bit numbers (linux/if_bridge.h)
const BR_BOOLOPT_NO_LL_LEARN = 0;
const BR_BOOLOPT_MCAST_VLAN_SNOOPING = 1;

/**
 * IFLA_BR_* (linux/if_link.h). Times are clock_t: centiseconds, as ip takes and prints them. The
 * u64 timers and intervals decode to numbers (u64n): a Link serialises as JSON.
 */
export const bridgeAttrs = attrSet("bridge", "IFLA_BR_", {
  forwardDelay: [1, "u32"],
  helloTime: [2, "u32"],
  maxAge: [3, "u32"],
  ageingTime: [4, "u32"],
  stpState: [5, "u32"],
  priority: [6, "u16"],
  vlanFiltering: [7, "u8"],
  vlanProtocol: [8, "u16", { be: true }],
  groupFwdMask: [9, "u16"],
  rootId: [10, "struct", { struct: iflaBridgeId }],
  bridgeId: [11, "struct", { struct: iflaBridgeId }],
  rootPort: [12, "u16"],
  rootPathCost: [13, "u32"],
  topologyChange: [14, "u8"],
  topologyChangeDetected: [15, "u8"],
  helloTimer: [16, "u64n"],
  tcnTimer: [17, "u64n"],
  topologyChangeTimer: [18, "u64n"],
  gcTimer: [19, "u64n"],
  groupAddr: [20, "lladdr"],
  fdbFlush: [21, "flag"],
  mcastRouter: [22, "u8"],
  mcastSnooping: [23, "u8"],
  mcastQueryUseIfaddr: [24, "u8"],
  mcastQuerier: [25, "u8"],
  mcastHashElasticity: [26, "u32"],
  mcastHashMax: [27, "u32"],
  mcastLastMemberCnt: [28, "u32"],
  mcastStartupQueryCnt: [29, "u32"],
  mcastLastMemberIntvl: [30, "u64n"],
  mcastMembershipIntvl: [31, "u64n"],
  mcastQuerierIntvl: [32, "u64n"],
  mcastQueryIntvl: [33, "u64n"],
  mcastQueryResponseIntvl: [34, "u64n"],
  mcastStartupQueryIntvl: [35, "u64n"],
  nfCallIptables: [36, "u8"],
  nfCallIp6tables: [37, "u8"],
  nfCallArptables: [38, "u8"],
  vlanDefaultPvid: [39, "u16"],
  // 40 IFLA_BR_PAD
  vlanStatsEnabled: [41, "u8"],
  mcastStatsEnabled: [42, "u8"],
  mcastIgmpVersion: [43, "u8"],
  mcastMldVersion: [44, "u8"],
  vlanStatsPerPort: [45, "u8"],
  multiBoolopt: [46, "struct", { struct: brBoolOptMulti }],
  mcastQuerierState: [47, "binary"],
  fdbNLearned: [48, "u32", { uapi: "IFLA_BR_FDB_N_LEARNED" }],
  fdbMaxLearned: [49, "u32"],
});

export const brportStates = enumDef("bridge port state", {
  disabled: 0, listening: 1, learning: 2, forwarding: 3, blocking: 4,
});

/**
 * IFLA_BRPORT_*: the kernel reports the boolean options as u8 (not NLA_FLAG, whatever the YAML
 * spec says) and accepts u8 when they are set.
 */
export const bridgePortAttrs = attrSet("bridge-port", "IFLA_BRPORT_", {
  state: [1, "u8", { enum: brportStates }],
  priority: [2, "u16"],
  cost: [3, "u32"],
  mode: [4, "u8"],
  guard: [5, "u8"],
  protect: [6, "u8"],
  fastLeave: [7, "u8"],
  learning: [8, "u8"],
  unicastFlood: [9, "u8"],
  proxyarp: [10, "u8"],
  learningSync: [11, "u8"],
  proxyarpWifi: [12, "u8"],
  rootId: [13, "struct", { struct: iflaBridgeId }],
  bridgeId: [14, "struct", { struct: iflaBridgeId }],
  designatedPort: [15, "u16"],
  designatedCost: [16, "u16"],
  id: [17, "u16"],
  no: [18, "u16"],
  topologyChangeAck: [19, "u8"],
  configPending: [20, "u8"],
  messageAgeTimer: [21, "u64n"],
  forwardDelayTimer: [22, "u64n"],
  holdTimer: [23, "u64n"],
  flush: [24, "flag"],
  multicastRouter: [25, "u8"],
  // 26 IFLA_BRPORT_PAD
  mcastFlood: [27, "u8"],
  mcastToUcast: [28, "u8"],
  vlanTunnel: [29, "u8"],
  bcastFlood: [30, "u8"],
  groupFwdMask: [31, "u16"],
  neighSuppress: [32, "u8"],
  isolated: [33, "u8"],
  backupPort: [34, "u32"],
  mrpRingOpen: [35, "u8"],
  mrpInOpen: [36, "u8"],
  mcastEhtHostsLimit: [37, "u32"],
  mcastEhtHostsCnt: [38, "u32"],
  locked: [39, "u8"],
  mab: [40, "u8"],
  mcastNGroups: [41, "u32", { uapi: "IFLA_BRPORT_MCAST_N_GROUPS" }],
  mcastMaxGroups: [42, "u32"],
  neighVlanSuppress: [43, "u8"],
  backupNhid: [44, "u32"],
});

/**
 * What an AF_BRIDGE link message (bridge link show/set) carries unlike an AF_UNSPEC one:
 * IFLA_PROTINFO is the port's IFLA_BRPORT_* nest (bridge(8) marks it NLA_F_NESTED, the kernel
 * takes it either way), and IFLA_AF_SPEC holds IFLA_BRIDGE_* itself, not one nest per family.
 */
export const bridgeLinkAttrs = attrSet("bridge-link", "IFLA_", {
  protinfo: [12, "nest", { set: bridgePortAttrs }],
  afSpec: [26, "nest", { set: bridgeAfAttrs }],
}, { nestFlag: true });

/**
 * Options of a bridge link (`ip link add type bridge ...`), in ip's units (times in centiseconds as ip
 * takes them).
 *
 * @example
 * ```ts
 * const bridge: BridgeOptions = { vlanFiltering: true, vlanDefaultPvid: 1, stp: false, ageingTime: 30000 };   // ageing 300 s
 * await rt.link.add({ name: "br0", kind: "bridge", bridge, up: true });
 * await rt.link.set("br0", { bridge: { mcastSnooping: false } });   // ip link set br0 type bridge mcast_snooping 0
 * ```
 */
export interface BridgeOptions {
  /** Turn on the kernel's spanning tree (ip's stp_state 1). */
  stp?: boolean;
  /** IFLA_BR_STP_STATE as ip's stp_state takes it (0 off, anything else on); give this or stp. */
  stpState?: number;
  /** Centiseconds (clock_t), as `ip link add ... type bridge forward_delay 400` takes them. */
  forwardDelay?: number;
  /** Centiseconds. */
  helloTime?: number;
  /** Centiseconds. */
  maxAge?: number;
  /** Centiseconds. */
  ageingTime?: number;
  /** The bridge's STP priority. */
  priority?: number;
  /** Filter by VLAN (bridge vlan ...). */
  vlanFiltering?: boolean;
  /** The VLAN protocol filtered on. */
  vlanProtocol?: "802.1Q" | "802.1ad" | number;
  /** The PVID new ports get (default 1; 0 for none). */
  vlanDefaultPvid?: number;
  /** Link-local groups forwarded rather than dropped. */
  groupFwdMask?: number;
  /** IGMP/MLD snooping. */
  mcastSnooping?: boolean;
}

/**
 * A port's options (`ip link set DEV type bridge_slave ...`): IFLA_INFO_SLAVE_DATA of a bridge port.
 *
 * @example
 * ```ts
 * await rt.link.set("veth0", { master: "br0", up: true });
 * const port: BridgePortOptions = { learning: false, isolated: true, cost: 10 };
 * await rt.link.set("veth0", { bridgeSlave: port });   // ip link set veth0 type bridge_slave learning off isolated on cost 10
 * ```
 */
export interface BridgePortOptions {
  /** Flush the port's dynamic fdb entries (fdb_flush) */
  fdbFlush?: boolean;
  /** STP port state (bridge link set ... state). */
  state?: "disabled" | "listening" | "learning" | "forwarding" | "blocking" | number;
  /** STP port priority. */
  priority?: number;
  /** STP path cost. */
  cost?: number;
  /**
   * Send frames back out the port they came in on (for VMs and containers talking through a reflective
   * relay).
   */
  hairpin?: boolean;
  /** BPDU guard: disable the port when it receives a BPDU. */
  guard?: boolean;
  /** Root guard: never let this port become the root port. */
  rootBlock?: boolean;
  /** Stop multicast to the port at once on an IGMP/MLD leave. */
  fastLeave?: boolean;
  /** Learn source MAC addresses on this port. */
  learning?: boolean;
  /** Unicast flooding */
  flood?: boolean;
  /** Flood unknown multicast to this port. */
  mcastFlood?: boolean;
  /** Flood broadcast to this port. */
  bcastFlood?: boolean;
  /** Send multicast to this port as unicast copies. */
  mcastToUnicast?: boolean;
  /** Answer ARP for known neighbours instead of flooding. */
  proxyArp?: boolean;
  /** Proxy ARP for Wi-Fi (IEEE 802.11) rules. */
  proxyArpWifi?: boolean;
  /** 0 disabled, 1 learn (default), 2 permanent */
  mcastRouter?: number;
  /** Suppress ARP/ND flooding using the neighbour table (EVPN). */
  neighSuppress?: boolean;
  /** Link-local groups (01:80:C2:00:00:0X bits) forwarded rather than dropped. */
  groupFwdMask?: number;
  /** Map VLANs to tunnel ids (with a collect-metadata VXLAN). */
  vlanTunnel?: boolean;
  /** Isolated ports cannot talk to each other, only to non-isolated ones. */
  isolated?: boolean;
  /** Only forward from MAC addresses with an fdb entry (802.1X). */
  locked?: boolean;
  /** Failover port; null removes it (nobackup_port) */
  backupPort?: string | number | null;
}

const VLAN_PROTOCOLS: Record<string, number> = { "802.1Q": 0x8100, "802.1ad": 0x88a8 };

const u8bool = (v: boolean | undefined) => (v === undefined ? undefined : v ? 1 : 0);

const PORT_KEYS = new Set([
  "fdbFlush", "state", "priority", "cost", "hairpin", "guard", "rootBlock", "fastLeave", "learning", "flood", "mcastFlood",
  "bcastFlood", "mcastToUnicast", "proxyArp", "proxyArpWifi", "mcastRouter", "neighSuppress", "groupFwdMask", "vlanTunnel",
  "isolated", "locked", "backupPort",
]);

function portInt(v: number | undefined, field: string, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < 0 || v > max) throw new NlkitInputError(`bridgeSlave.${field} must be an integer between 0 and ${max}`, `bridgeSlave.${field}`);
  return v;
}

function portBool(v: boolean | undefined, field: string): number | undefined {
  if (v !== undefined && typeof v !== "boolean") throw new NlkitInputError(`bridgeSlave.${field} must be a boolean`, `bridgeSlave.${field}`);
  return u8bool(v);
}

/** IFLA_BRPORT_* values in the order ip's bridge_slave parser writes them. */
function portValues(o: BridgePortOptions, ctx: KindContext): Record<string, unknown> {
  if (!o || typeof o !== "object") throw new NlkitInputError("bridgeSlave options must be an object", "bridgeSlave");
  for (const k of Object.keys(o)) if (!PORT_KEYS.has(k)) throw new NlkitInputError(`unknown option "${k}" in bridgeSlave`, `bridgeSlave.${k}`);
  let state: number | undefined;
  if (typeof o.state === "string") {
    state = brportStates.values.get(o.state);
    if (state === undefined) throw new NlkitInputError(`invalid bridge port state "${o.state}"`, "bridgeSlave.state");
  } else state = portInt(o.state, "state", 255);
  let backupPort: number | undefined;
  if (o.backupPort === null) backupPort = 0;
  else if (o.backupPort !== undefined) backupPort = ctx.ifindex(o.backupPort, "bridgeSlave.backupPort");
  return {
    flush: o.fdbFlush ? true : undefined,
    state,
    priority: portInt(o.priority, "priority", 0xffff),
    cost: portInt(o.cost, "cost", 0xffffffff),
    mode: portBool(o.hairpin, "hairpin"),
    guard: portBool(o.guard, "guard"),
    protect: portBool(o.rootBlock, "rootBlock"),
    fastLeave: portBool(o.fastLeave, "fastLeave"),
    learning: portBool(o.learning, "learning"),
    unicastFlood: portBool(o.flood, "flood"),
    mcastFlood: portBool(o.mcastFlood, "mcastFlood"),
    bcastFlood: portBool(o.bcastFlood, "bcastFlood"),
    mcastToUcast: portBool(o.mcastToUnicast, "mcastToUnicast"),
    proxyarp: portBool(o.proxyArp, "proxyArp"),
    proxyarpWifi: portBool(o.proxyArpWifi, "proxyArpWifi"),
    multicastRouter: portInt(o.mcastRouter, "mcastRouter", 255),
    neighSuppress: portBool(o.neighSuppress, "neighSuppress"),
    groupFwdMask: portInt(o.groupFwdMask, "groupFwdMask", 0xffff),
    vlanTunnel: portBool(o.vlanTunnel, "vlanTunnel"),
    isolated: portBool(o.isolated, "isolated"),
    locked: portBool(o.locked, "locked"),
    backupPort,
  };
}

// bridge(8)'s `link set` order: the flags first, then cost, priority and state, the newer options last
const BRIDGE_LINK_ORDER = [
  "guard", "mode", "fastLeave", "protect", "unicastFlood", "multicastRouter", "mcastFlood", "bcastFlood", "mcastToUcast",
  "learning", "cost", "priority", "state", "neighSuppress", "vlanTunnel", "isolated", "locked", "backupPort",
];

/**
 * The IFLA_BRPORT_* values of an AF_BRIDGE RTM_SETLINK (IFLA_PROTINFO): what `bridge link set`
 * writes, in its order; options bridge(8) has no word for follow.
 */
export function bridgePortProtinfo(o: BridgePortOptions, ctx: KindContext): Record<string, unknown> {
  const v = portValues(o, ctx);
  const out: Record<string, unknown> = {};
  for (const k of BRIDGE_LINK_ORDER) if (v[k] !== undefined) out[k] = v[k];
  for (const k of Object.keys(v)) if (v[k] !== undefined && !(k in out)) out[k] = v[k];
  return out;
}

/** IFLA_BR_* values, only those given; creating and changing a bridge send the same. */
function bridgeValues(o: BridgeOptions = {}): Record<string, unknown> {
  if (!o || typeof o !== "object") throw new NlkitInputError("bridge options must be an object", "bridge");
  if (o.stp !== undefined && o.stpState !== undefined) throw new NlkitInputError("give bridge.stp or bridge.stpState, not both", "bridge.stpState");
  if (o.stpState !== undefined && (!Number.isInteger(o.stpState) || o.stpState < 0 || o.stpState > 0xffffffff)) {
    throw new NlkitInputError("bridge.stpState must be a u32", "bridge.stpState");
  }
  const vp = o.vlanProtocol;
  return {
    stpState: o.stpState ?? (o.stp === undefined ? undefined : o.stp ? 1 : 0),
    forwardDelay: o.forwardDelay,
    helloTime: o.helloTime,
    maxAge: o.maxAge,
    ageingTime: o.ageingTime,
    priority: o.priority,
    vlanFiltering: u8bool(o.vlanFiltering),
    vlanProtocol: typeof vp === "string" ? VLAN_PROTOCOLS[vp] ?? vp : vp,
    vlanDefaultPvid: o.vlanDefaultPvid,
    groupFwdMask: o.groupFwdMask,
    mcastSnooping: u8bool(o.mcastSnooping),
  };
}

export const bridge = defineKind({
  kind: "bridge",
  data: bridgeAttrs,
  slaveData: bridgePortAttrs,
  optionsKey: "bridge",
  slaveOptionsKey: "bridgeSlave",
  encode: bridgeValues,
  change: bridgeValues,
  slaveChange: portValues,
  ipJson(d: AttrValues) {
    const out: Record<string, unknown> = {};
    const put = (k: string, v: unknown) => { if (v !== undefined) out[k] = v; };
    put("forward_delay", d.forwardDelay);
    put("hello_time", d.helloTime);
    put("max_age", d.maxAge);
    put("ageing_time", d.ageingTime);
    put("stp_state", d.stpState);
    put("priority", d.priority);
    put("vlan_filtering", d.vlanFiltering);
    if (d.vlanProtocol !== undefined) put("vlan_protocol", d.vlanProtocol === 0x88a8 ? "802.1ad" : d.vlanProtocol === 0x8100 ? "802.1Q" : d.vlanProtocol);
    if (d.bridgeId) put("bridge_id", formatBridgeId(d.bridgeId as never));
    if (d.rootId) put("root_id", formatBridgeId(d.rootId as never));
    put("root_port", d.rootPort);
    put("root_path_cost", d.rootPathCost);
    put("topology_change", d.topologyChange);
    put("topology_change_detected", d.topologyChangeDetected);
    put("hello_timer", timer(d.helloTimer));
    put("tcn_timer", timer(d.tcnTimer));
    put("topology_change_timer", timer(d.topologyChangeTimer));
    put("gc_timer", timer(d.gcTimer));
    put("vlan_default_pvid", d.vlanDefaultPvid);
    put("vlan_stats_enabled", d.vlanStatsEnabled);
    put("vlan_stats_per_port", d.vlanStatsPerPort);
    if (d.groupFwdMask !== undefined) put("group_fwd_mask", hex(d.groupFwdMask as number));
    put("group_addr", d.groupAddr);
    put("mcast_snooping", d.mcastSnooping);
    if (d.multiBoolopt) {
      const { optval } = d.multiBoolopt as { optval: number };
      out.no_linklocal_learn = (optval >> BR_BOOLOPT_NO_LL_LEARN) & 1;
      out.mcast_vlan_snooping = (optval >> BR_BOOLOPT_MCAST_VLAN_SNOOPING) & 1;
    }
    put("mcast_router", d.mcastRouter);
    put("mcast_query_use_ifaddr", d.mcastQueryUseIfaddr);
    put("mcast_querier", d.mcastQuerier);
    put("mcast_hash_elasticity", d.mcastHashElasticity);
    put("mcast_hash_max", d.mcastHashMax);
    put("mcast_last_member_cnt", d.mcastLastMemberCnt);
    put("mcast_startup_query_cnt", d.mcastStartupQueryCnt);
    put("mcast_last_member_intvl", num(d.mcastLastMemberIntvl));
    put("mcast_membership_intvl", num(d.mcastMembershipIntvl));
    put("mcast_querier_intvl", num(d.mcastQuerierIntvl));
    put("mcast_query_intvl", num(d.mcastQueryIntvl));
    put("mcast_query_response_intvl", num(d.mcastQueryResponseIntvl));
    put("mcast_startup_query_intvl", num(d.mcastStartupQueryIntvl));
    put("mcast_stats_enabled", d.mcastStatsEnabled);
    put("mcast_igmp_version", d.mcastIgmpVersion);
    put("mcast_mld_version", d.mcastMldVersion);
    put("nf_call_iptables", d.nfCallIptables);
    put("nf_call_ip6tables", d.nfCallIp6tables);
    put("nf_call_arptables", d.nfCallArptables);
    return out;
  },
  // iproute2 6.1 keys only: newer options (mab, neigh_vlan_suppress) stay in the typed data
  slaveIpJson(d: AttrValues, names: IndexNames) {
    const out: Record<string, unknown> = {};
    const put = (k: string, v: unknown) => { if (v !== undefined) out[k] = v; };
    const bool = (k: string, v: unknown) => { if (v !== undefined) out[k] = v === 1; };
    put("state", d.state);
    put("priority", d.priority);
    put("cost", d.cost);
    bool("hairpin", d.mode);
    bool("guard", d.guard);
    bool("root_block", d.protect);
    bool("fastleave", d.fastLeave);
    bool("learning", d.learning);
    bool("flood", d.unicastFlood);
    if (d.id !== undefined) put("id", hex(d.id as number));
    if (d.no !== undefined) put("no", hex(d.no as number));
    put("designated_port", d.designatedPort);
    put("designated_cost", d.designatedCost);
    if (d.bridgeId) put("bridge_id", formatBridgeId(d.bridgeId as never));
    if (d.rootId) put("root_id", formatBridgeId(d.rootId as never));
    put("hold_timer", timer(d.holdTimer));
    put("message_age_timer", timer(d.messageAgeTimer));
    put("forward_delay_timer", timer(d.forwardDelayTimer));
    put("topology_change_ack", d.topologyChangeAck);
    put("config_pending", d.configPending);
    bool("proxy_arp", d.proxyarp);
    bool("proxy_arp_wifi", d.proxyarpWifi);
    put("multicast_router", d.multicastRouter);
    bool("mcast_flood", d.mcastFlood);
    bool("bcast_flood", d.bcastFlood);
    bool("mcast_to_unicast", d.mcastToUcast);
    bool("neigh_suppress", d.neighSuppress);
    if (d.groupFwdMask !== undefined) {
      put("group_fwd_mask", hex(d.groupFwdMask as number));
      put("group_fwd_mask_str", `0x${(d.groupFwdMask as number).toString(16)}`);
    }
    bool("vlan_tunnel", d.vlanTunnel);
    bool("isolated", d.isolated);
    bool("locked", d.locked);
    if (d.backupPort !== undefined) put("backup_port", names(d.backupPort as number) ?? `if${d.backupPort}`);
    return out;
  },
});

function num(v: unknown): number | undefined {
  return typeof v === "bigint" ? Number(v) : (v as number | undefined);
}
