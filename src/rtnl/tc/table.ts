import { attrSet, type AttrSet, type AttrTable } from "../../netlink/attrs.js";
import type { MessageDef } from "../../netlink/message.js";
import { struct } from "../../netlink/struct.js";

// Traffic control on the wire (linux/rtnetlink.h, pkt_sched.h, gen_stats.h): struct tcmsg, then
// TCA_* attributes shared by qdiscs, classes and filters. TCA_OPTIONS is a sub-message chosen by
// TCA_KIND, with one table of kinds per object (qdisc/, filter/ and the htb class).

export const RTM_NEWQDISC = 36;
export const RTM_DELQDISC = 37;
export const RTM_GETQDISC = 38;
export const RTM_NEWTCLASS = 40;
export const RTM_DELTCLASS = 41;
export const RTM_GETTCLASS = 42;
export const RTM_NEWTFILTER = 44;
export const RTM_DELTFILTER = 45;
export const RTM_GETTFILTER = 46;

export const TC_RTM_NAMES: ReadonlyMap<number, string> = new Map([
  [36, "RTM_NEWQDISC"], [37, "RTM_DELQDISC"], [38, "RTM_GETQDISC"],
  [40, "RTM_NEWTCLASS"], [41, "RTM_DELTCLASS"], [42, "RTM_GETTCLASS"],
  [44, "RTM_NEWTFILTER"], [45, "RTM_DELTFILTER"], [46, "RTM_GETTFILTER"],
]);

export const tcmsg = struct("tcmsg", [
  ["family", "u8"], ["_pad1", "pad", 1], ["_pad2", "pad", 2], ["ifindex", "s32"], ["handle", "u32"], ["parent", "u32"], ["info", "u32"],
]);

/** struct tc_ratespec: what every rate table goes with. */
export const tcRatespec = [
  ["cellLog", "u8"], ["linklayer", "u8"], ["overhead", "u16"], ["cellAlign", "s16"], ["mpu", "u16"], ["rate", "u32"],
] as const;

export const gnetStatsBasic = struct("gnet_stats_basic", [["bytes", "u64n"], ["packets", "u32"], ["_pad", "pad", 4]]);
export const gnetStatsRateEst = struct("gnet_stats_rate_est", [["bps", "u32"], ["pps", "u32"]]);
export const gnetStatsRateEst64 = struct("gnet_stats_rate_est64", [["bps", "u64n"], ["pps", "u64n"]]);
export const gnetStatsQueue = struct("gnet_stats_queue", [
  ["qlen", "u32"], ["backlog", "u32"], ["drops", "u32"], ["requeues", "u32"], ["overlimits", "u32"],
]);
/** struct tc_stats: the old TCA_STATS. */
export const tcStats = struct("tc_stats", [
  ["bytes", "u64n"], ["packets", "u32"], ["drops", "u32"], ["overlimits", "u32"], ["bps", "u32"], ["pps", "u32"],
  ["qlen", "u32"], ["backlog", "u32"], ["_pad", "pad", 4],
]);
export const tcEstimator = struct("tc_estimator", [["interval", "s8"], ["ewmaLog", "u8"]]);
export const nlaBitfield32 = struct("nla_bitfield32", [["value", "u32"], ["selector", "u32"]]);
export const tcSizespec = struct("tc_sizespec", [
  ["cellLog", "u8"], ["sizeLog", "u8"], ["cellAlign", "s16"], ["overhead", "s32"], ["linklayer", "u32"],
  ["mpu", "u32"], ["mtu", "u32"], ["tsize", "u32"],
]);

/** TCA_STATS_* inside TCA_STATS2 (and an action's TCA_ACT_STATS). */
export const statsAttrs = attrSet("tc stats", "TCA_STATS_", {
  basic: [1, "struct", { struct: gnetStatsBasic }],
  rateEst: [2, "struct", { struct: gnetStatsRateEst }],
  queue: [3, "struct", { struct: gnetStatsQueue }],
  /** the kind's own statistics (xstats) */
  app: [4, "binary"],
  rateEst64: [5, "struct", { struct: gnetStatsRateEst64 }],
  pad: [6, "binary"],
  basicHw: [7, "struct", { struct: gnetStatsBasic }],
  pkt64: [8, "u64"],
});

export const stabAttrs = attrSet("tc stab", "TCA_STAB_", {
  base: [1, "struct", { struct: tcSizespec }],
  data: [2, "binary"],
});

/**
 * The TCA_* set of one object: `options` is TCA_OPTIONS's table of kinds (a kind without an
 * entry keeps its options as bytes, which the kind's view reads, or nlkit does not know it).
 */
export function tcaAttrs(name: string, options: Record<string, AttrSet | (() => AttrSet)>): AttrSet {
  const table: AttrTable = {
    kind: [1, "string"],
    options: [2, "submsg", { selector: "kind", choices: options }],
    stats: [3, "struct", { struct: tcStats }],
    xstats: [4, "binary"],
    rate: [5, "struct", { struct: tcEstimator }],
    fcnt: [6, "u32"],
    stats2: [7, "nest", { set: statsAttrs }],
    stab: [8, "nest", { set: stabAttrs }],
    pad: [9, "binary"],
    dumpInvisible: [10, "flag"],
    chain: [11, "u32"],
    hwOffload: [12, "u8"],
    ingressBlock: [13, "u32"],
    egressBlock: [14, "u32"],
    dumpFlags: [15, "struct", { struct: nlaBitfield32 }],
    extWarnMsg: [16, "string"],
  };
  return attrSet(name, "TCA_", table);
}

export function tcMessage(name: string, attrs: AttrSet): MessageDef {
  return { name, header: tcmsg, attrs, typeNames: TC_RTM_NAMES };
}

/** TCA_CLS_FLAGS_*: the flags word of classifiers (u32, bpf, matchall, flower). */
export const TCA_CLS_FLAGS = { skipHw: 1, skipSw: 2, inHw: 4, notInHw: 8, verbose: 16 } as const;
