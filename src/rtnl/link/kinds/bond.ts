import { attrSet, enumDef, type AttrValues } from "../../../netlink/attrs.js";
import { NlkitInputError } from "../../../netlink/errors.js";
import { defineKind, type IndexNames, type KindContext } from "./kind.js";

export const bondModes = enumDef("bond mode", {
  "balance-rr": 0, "active-backup": 1, "balance-xor": 2, broadcast: 3, "802.3ad": 4, "balance-tlb": 5, "balance-alb": 6,
});
export const bondXmitHashPolicies = enumDef("bond xmit_hash_policy", {
  layer2: 0, "layer3+4": 1, "layer2+3": 2, "encap2+3": 3, "encap3+4": 4, "vlan+srcmac": 5,
});
export const bondLacpRates = enumDef("bond lacp_rate", { slow: 0, fast: 1 });
export const bondAdSelect = enumDef("bond ad_select", { stable: 0, bandwidth: 1, count: 2 });

export const bondAdInfoAttrs = attrSet("bond-ad-info", "IFLA_BOND_AD_INFO_", {
  aggregator: [1, "u16"],
  numPorts: [2, "u16"],
  actorKey: [3, "u16"],
  partnerKey: [4, "u16"],
  partnerMac: [5, "lladdr"],
});

/** IFLA_BOND_* (linux/if_link.h) */
export const bondAttrs = attrSet("bond", "IFLA_BOND_", {
  mode: [1, "u8", { enum: bondModes }],
  activeSlave: [2, "u32"],
  miimon: [3, "u32"],
  updelay: [4, "u32"],
  downdelay: [5, "u32"],
  useCarrier: [6, "u8"],
  arpInterval: [7, "u32"],
  arpIpTarget: [8, "array", { elem: "ip", elemType: 0 }],
  arpValidate: [9, "u32"],
  arpAllTargets: [10, "u32"],
  primary: [11, "u32"],
  primaryReselect: [12, "u8"],
  failOverMac: [13, "u8"],
  xmitHashPolicy: [14, "u8", { enum: bondXmitHashPolicies }],
  resendIgmp: [15, "u32"],
  numPeerNotif: [16, "u8"],
  allSlavesActive: [17, "u8"],
  minLinks: [18, "u32"],
  lpInterval: [19, "u32"],
  packetsPerSlave: [20, "u32"],
  adLacpRate: [21, "u8", { enum: bondLacpRates }],
  adSelect: [22, "u8", { enum: bondAdSelect }],
  adInfo: [23, "nest", { set: bondAdInfoAttrs }],
  adActorSysPrio: [24, "u16"],
  adUserPortKey: [25, "u16"],
  adActorSystem: [26, "lladdr"],
  tlbDynamicLb: [27, "u8"],
  peerNotifDelay: [28, "u32"],
  adLacpActive: [29, "u8"],
  missedMax: [30, "u8"],
  nsIp6Target: [31, "array", { elem: "ip", elemType: 0 }],
  coupledControl: [32, "u8"],
  broadcastNeigh: [33, "u8"],
});

export const bondSlaveAttrs = attrSet("bond-slave", "IFLA_BOND_SLAVE_", {
  state: [1, "u8"],
  miiStatus: [2, "u8"],
  linkFailureCount: [3, "u32"],
  permHwaddr: [4, "lladdr"],
  queueId: [5, "u16"],
  adAggregatorId: [6, "u16"],
  adActorOperPortState: [7, "u8"],
  adPartnerOperPortState: [8, "u16"],
  prio: [9, "s32"],
  actorPortPrio: [10, "u16"],
});

/**
 * Options of a bond link (`ip link add type bond mode ... miimon ...`).
 *
 * @example
 * ```ts
 * const bond: BondOptions = { mode: "802.3ad", miimon: 100, lacpRate: "fast", xmitHashPolicy: "layer3+4" };
 * await rt.link.add({ name: "bond0", kind: "bond", bond });
 * for (const dev of ["eth1", "eth2"]) {
 *   await rt.link.set(dev, { up: false });   // a port is enslaved down
 *   await rt.link.set(dev, { master: "bond0" });
 * }
 * await rt.link.set("bond0", { up: true });
 * ```
 */
export interface BondOptions {
  /** The bonding mode (ip's mode). */
  mode?: "balance-rr" | "active-backup" | "balance-xor" | "broadcast" | "802.3ad" | "balance-tlb" | "balance-alb";
  /** MII link monitoring interval, ms. */
  miimon?: number;
  /** Wait this long (ms) before using a port whose link came up. */
  updelay?: number;
  /** Wait this long (ms) before dropping a port whose link went down. */
  downdelay?: number;
  /** Ports that must be up for the bond to have carrier. */
  minLinks?: number;
  /** How balance-xor and 802.3ad pick a port. */
  xmitHashPolicy?: "layer2" | "layer3+4" | "layer2+3" | "encap2+3" | "encap3+4" | "vlan+srcmac";
  /** 802.3ad: how often the partner sends LACPDUs ("slow" 30 s, "fast" 1 s). */
  lacpRate?: "slow" | "fast";
  /** active-backup: the preferred port. */
  primary?: string | number;
}

export const bond = defineKind({
  kind: "bond",
  data: bondAttrs,
  slaveData: bondSlaveAttrs,
  optionsKey: "bond",
  change(o: BondOptions, ctx: KindContext) {
    return bond.encode!(o, ctx) ?? {};
  },
  encode(o: BondOptions = {}, ctx: KindContext) {
    if (o.mode !== undefined && !bondModes.values.has(o.mode)) throw new NlkitInputError(`invalid bond mode "${o.mode}"`, "bond.mode");
    return {
      mode: o.mode,
      miimon: o.miimon,
      updelay: o.updelay,
      downdelay: o.downdelay,
      minLinks: o.minLinks,
      xmitHashPolicy: o.xmitHashPolicy,
      adLacpRate: o.lacpRate,
      primary: o.primary === undefined ? undefined : ctx.ifindex(o.primary, "bond.primary"),
    };
  },
  ipJson(d: AttrValues, names: IndexNames) {
    const out: Record<string, unknown> = {};
    if (d.mode !== undefined) out.mode = d.mode;
    if (d.activeSlave) out.active_slave = names(d.activeSlave as number) ?? d.activeSlave;
    if (d.miimon !== undefined) out.miimon = d.miimon;
    if (d.updelay !== undefined) out.updelay = d.updelay;
    if (d.downdelay !== undefined) out.downdelay = d.downdelay;
    if (d.minLinks !== undefined) out.min_links = d.minLinks;
    if (d.xmitHashPolicy !== undefined) out.xmit_hash_policy = d.xmitHashPolicy;
    if (d.adLacpRate !== undefined) out.ad_lacp_rate = d.adLacpRate;
    return out;
  },
});
