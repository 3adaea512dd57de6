import { attrSet, enumDef, type AttrSet, type CustomCodec } from "../netlink/attrs.js";
import { NetlinkParseError, NlkitInputError } from "../netlink/errors.js";
import { struct } from "../netlink/struct.js";
import type { GenlCommand, GenlFamilySpec } from "../genl/verbs.js";

// ethtool over generic netlink (linux/ethtool_netlink.h, family "ethtool", version 1). Every
// request and reply starts with ETHTOOL_A_*_HEADER (the device, and request flags); bit sets
// (features, link modes, WoL modes...) travel as ETHTOOL_A_BITSET nests, either compact (size,
// value and mask bitmaps) or as a list of bits with index, name and value.

export const ETHTOOL_GENL_NAME = "ethtool";
export const ETHTOOL_GENL_VERSION = 1;
export const ETHTOOL_MCGRP_MONITOR_NAME = "monitor";

/** User-to-kernel messages (ETHTOOL_MSG_*), by their UAPI suffix. */
export const ETHTOOL_MSG = {
  STRSET_GET: 1, LINKINFO_GET: 2, LINKINFO_SET: 3, LINKMODES_GET: 4, LINKMODES_SET: 5, LINKSTATE_GET: 6,
  DEBUG_GET: 7, DEBUG_SET: 8, WOL_GET: 9, WOL_SET: 10, FEATURES_GET: 11, FEATURES_SET: 12,
  PRIVFLAGS_GET: 13, PRIVFLAGS_SET: 14, RINGS_GET: 15, RINGS_SET: 16, CHANNELS_GET: 17, CHANNELS_SET: 18,
  COALESCE_GET: 19, COALESCE_SET: 20, PAUSE_GET: 21, PAUSE_SET: 22, EEE_GET: 23, EEE_SET: 24, TSINFO_GET: 25,
  CABLE_TEST_ACT: 26, CABLE_TEST_TDR_ACT: 27, TUNNEL_INFO_GET: 28, FEC_GET: 29, FEC_SET: 30,
  MODULE_EEPROM_GET: 31, STATS_GET: 32, PHC_VCLOCKS_GET: 33, MODULE_GET: 34, MODULE_SET: 35,
} as const;

/** Kernel-to-user messages (replies and notifications), by their UAPI suffix after ETHTOOL_MSG_. */
export const ETHTOOL_MSG_KERNEL = {
  STRSET_GET_REPLY: 1, LINKINFO_GET_REPLY: 2, LINKINFO_NTF: 3, LINKMODES_GET_REPLY: 4, LINKMODES_NTF: 5,
  LINKSTATE_GET_REPLY: 6, DEBUG_GET_REPLY: 7, DEBUG_NTF: 8, WOL_GET_REPLY: 9, WOL_NTF: 10,
  FEATURES_GET_REPLY: 11, FEATURES_SET_REPLY: 12, FEATURES_NTF: 13, PRIVFLAGS_GET_REPLY: 14, PRIVFLAGS_NTF: 15,
  RINGS_GET_REPLY: 16, RINGS_NTF: 17, CHANNELS_GET_REPLY: 18, CHANNELS_NTF: 19, COALESCE_GET_REPLY: 20,
  COALESCE_NTF: 21, PAUSE_GET_REPLY: 22, PAUSE_NTF: 23, EEE_GET_REPLY: 24, EEE_NTF: 25, TSINFO_GET_REPLY: 26,
  CABLE_TEST_NTF: 27, CABLE_TEST_TDR_NTF: 28, TUNNEL_INFO_GET_REPLY: 29, FEC_GET_REPLY: 30, FEC_NTF: 31,
  MODULE_EEPROM_GET_REPLY: 32, STATS_GET_REPLY: 33, PHC_VCLOCKS_GET_REPLY: 34, MODULE_GET_REPLY: 35, MODULE_NTF: 36,
} as const;

/** ETHTOOL_FLAG_*: header flags of a request. */
export const ETHTOOL_FLAG = { COMPACT_BITSETS: 1 << 0, OMIT_REPLY: 1 << 1, STATS: 1 << 2 } as const;

/** enum ethtool_stringset (linux/ethtool.h): the string sets STRSET_GET reads. */
export const ETH_SS = { STATS: 1, FEATURES: 4, LINK_MODES: 9, MSG_CLASSES: 10, WOL_MODES: 11 } as const;

/**
 * The legacy SIOCETHTOOL commands (linux/ethtool.h) that driver statistics still need: ethtool -S
 * reads them this way, as ethtool netlink carries only the standard statistics groups.
 */
export const ETHTOOL_IOCTL = { GSTRINGS: 0x1b, GSTATS: 0x1d, GSSET_INFO: 0x37 } as const;
/** ETH_GSTRING_LEN: each name of a string set, NUL-padded. */
export const ETH_GSTRING_LEN = 32;

/** The heads of the legacy commands' buffers; their arrays follow (u32 counts, names, u64 values). */
export const ethtoolSsetInfo = struct("ethtool_sset_info", [["cmd", "u32"], ["reserved", "u32"], ["ssetMask", "u64"]]);
export const ethtoolGstrings = struct("ethtool_gstrings", [["cmd", "u32"], ["stringSet", "u32"], ["len", "u32"]]);
export const ethtoolStats = struct("ethtool_stats", [["cmd", "u32"], ["nStats", "u32"]]);

/**
 * ETHTOOL_A_BITSET_VALUE / _MASK: a bitmap of u32 words in host order (the size in bits is
 * ETHTOOL_A_BITSET_SIZE), as the array of words.
 */
export const bitmapCodec: CustomCodec = {
  encode(w, value) {
    if (!Array.isArray(value) || !value.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff)) {
      throw new NlkitInputError("a bitmap is an array of u32 words", "bitset");
    }
    for (const x of value as number[]) w.u32(x);
  },
  decode(buf, start, end) {
    if ((end - start) % 4 !== 0) throw new NetlinkParseError(`bitmap of ${end - start} bytes is not whole u32 words`, start);
    const words: number[] = [];
    for (let off = start; off < end; off += 4) words.push(buf.readUInt32LE(off));
    return words;
  },
};

const nest = { nestFlag: true } as const;

export const headerAttrs = attrSet("ethtool-header", "ETHTOOL_A_HEADER_", {
  devIndex: [1, "u32"],
  devName: [2, "string"],
  flags: [3, "u32"],
}, nest);

export const bitsetBitAttrs = attrSet("ethtool-bitset-bit", "ETHTOOL_A_BITSET_BIT_", {
  index: [1, "u32"],
  name: [2, "string"],
  value: [3, "flag"],
}, nest);

export const bitsetBitsAttrs = attrSet("ethtool-bitset-bits", "ETHTOOL_A_BITSET_BITS_", {
  bit: [1, "nest", { set: bitsetBitAttrs, multi: true }],
}, nest);

export const bitsetAttrs = attrSet("ethtool-bitset", "ETHTOOL_A_BITSET_", {
  nomask: [1, "flag"],
  size: [2, "u32"],
  bits: [3, "nest", { set: bitsetBitsAttrs }],
  value: [4, "custom", { codec: bitmapCodec }],
  mask: [5, "custom", { codec: bitmapCodec }],
}, nest);

export const stringAttrs = attrSet("ethtool-string", "ETHTOOL_A_STRING_", {
  index: [1, "u32"],
  value: [2, "string"],
}, nest);

export const stringsAttrs = attrSet("ethtool-strings", "ETHTOOL_A_STRINGS_", {
  string: [1, "nest", { set: stringAttrs, multi: true }],
}, nest);

export const stringsetAttrs = attrSet("ethtool-stringset", "ETHTOOL_A_STRINGSET_", {
  id: [1, "u32"],
  count: [2, "u32"],
  strings: [3, "nest", { set: stringsAttrs }],
}, nest);

export const stringsetsAttrs = attrSet("ethtool-stringsets", "ETHTOOL_A_STRINGSETS_", {
  stringset: [1, "nest", { set: stringsetAttrs, multi: true }],
}, nest);

export const strsetAttrs = attrSet("ethtool-strset", "ETHTOOL_A_STRSET_", {
  header: [1, "nest", { set: headerAttrs }],
  stringsets: [2, "nest", { set: stringsetsAttrs }],
  countsOnly: [3, "flag"],
}, nest);

// enums of linux/ethtool.h, named the way ethtool's command line names them
export const portEnum = enumDef("port", { tp: 0x00, aui: 0x01, mii: 0x02, fibre: 0x03, bnc: 0x04, da: 0x05, none: 0xef, other: 0xff });
export const transceiverEnum = enumDef("transceiver", { internal: 0x00, external: 0x01 });
/** ETH_TP_MDI_*: status and control of MDI/MDI-X; "unknown" is ETH_TP_MDI_INVALID. */
export const mdixEnum = enumDef("mdix", { unknown: 0x00, off: 0x01, on: 0x02, auto: 0x03 });
export const duplexEnum = enumDef("duplex", { half: 0x00, full: 0x01, unknown: 0xff });
export const masterSlaveCfgEnum = enumDef("master-slave cfg", {
  unsupported: 0, unknown: 1, "preferred-master": 2, "preferred-slave": 3, "forced-master": 4, "forced-slave": 5,
});
export const masterSlaveStateEnum = enumDef("master-slave state", { unsupported: 0, unknown: 1, master: 2, slave: 3, err: 4 });
export const rateMatchingEnum = enumDef("rate matching", { none: 0, pause: 1, crs: 2, "open-loop": 3 });

export const linkinfoAttrs = attrSet("ethtool-linkinfo", "ETHTOOL_A_LINKINFO_", {
  header: [1, "nest", { set: headerAttrs }],
  port: [2, "u8", { enum: portEnum }],
  phyaddr: [3, "u8"],
  tpMdix: [4, "u8", { enum: mdixEnum }],
  tpMdixCtrl: [5, "u8", { enum: mdixEnum }],
  transceiver: [6, "u8", { enum: transceiverEnum }],
}, nest);

export const linkmodesAttrs = attrSet("ethtool-linkmodes", "ETHTOOL_A_LINKMODES_", {
  header: [1, "nest", { set: headerAttrs }],
  autoneg: [2, "u8"],
  ours: [3, "nest", { set: bitsetAttrs }],
  peer: [4, "nest", { set: bitsetAttrs }],
  speed: [5, "u32"],
  duplex: [6, "u8", { enum: duplexEnum }],
  masterSlaveCfg: [7, "u8", { enum: masterSlaveCfgEnum }],
  masterSlaveState: [8, "u8", { enum: masterSlaveStateEnum }],
  lanes: [9, "u32"],
  rateMatching: [10, "u8", { enum: rateMatchingEnum }],
}, nest);

export const linkstateAttrs = attrSet("ethtool-linkstate", "ETHTOOL_A_LINKSTATE_", {
  header: [1, "nest", { set: headerAttrs }],
  link: [2, "u8"],
  sqi: [3, "u32"],
  sqiMax: [4, "u32"],
  extState: [5, "u8"],
  extSubstate: [6, "u8"],
}, nest);

export const debugAttrs = attrSet("ethtool-debug", "ETHTOOL_A_DEBUG_", {
  header: [1, "nest", { set: headerAttrs }],
  msgmask: [2, "nest", { set: bitsetAttrs }],
}, nest);

export const wolAttrs = attrSet("ethtool-wol", "ETHTOOL_A_WOL_", {
  header: [1, "nest", { set: headerAttrs }],
  modes: [2, "nest", { set: bitsetAttrs }],
  sopass: [3, "binary"],
}, nest);

export const featuresAttrs = attrSet("ethtool-features", "ETHTOOL_A_FEATURES_", {
  header: [1, "nest", { set: headerAttrs }],
  hw: [2, "nest", { set: bitsetAttrs }],
  wanted: [3, "nest", { set: bitsetAttrs }],
  active: [4, "nest", { set: bitsetAttrs }],
  nochange: [5, "nest", { set: bitsetAttrs }],
}, nest);

export const channelsAttrs = attrSet("ethtool-channels", "ETHTOOL_A_CHANNELS_", {
  header: [1, "nest", { set: headerAttrs }],
  rxMax: [2, "u32"],
  txMax: [3, "u32"],
  otherMax: [4, "u32"],
  combinedMax: [5, "u32"],
  rxCount: [6, "u32"],
  txCount: [7, "u32"],
  otherCount: [8, "u32"],
  combinedCount: [9, "u32"],
}, nest);

export const tsinfoAttrs = attrSet("ethtool-tsinfo", "ETHTOOL_A_TSINFO_", {
  header: [1, "nest", { set: headerAttrs }],
  timestamping: [2, "nest", { set: bitsetAttrs }],
  txTypes: [3, "nest", { set: bitsetAttrs }],
  rxFilters: [4, "nest", { set: bitsetAttrs }],
  phcIndex: [5, "u32"],
}, nest);

/** The messages the kernel sends, for decoding replies and monitor notifications by command. */
export const KERNEL_MESSAGES: ReadonlyArray<readonly [keyof typeof ETHTOOL_MSG_KERNEL, AttrSet]> = [
  ["STRSET_GET_REPLY", strsetAttrs],
  ["LINKINFO_GET_REPLY", linkinfoAttrs], ["LINKINFO_NTF", linkinfoAttrs],
  ["LINKMODES_GET_REPLY", linkmodesAttrs], ["LINKMODES_NTF", linkmodesAttrs],
  ["LINKSTATE_GET_REPLY", linkstateAttrs],
  ["DEBUG_GET_REPLY", debugAttrs], ["DEBUG_NTF", debugAttrs],
  ["WOL_GET_REPLY", wolAttrs], ["WOL_NTF", wolAttrs],
  ["FEATURES_GET_REPLY", featuresAttrs], ["FEATURES_SET_REPLY", featuresAttrs], ["FEATURES_NTF", featuresAttrs],
  ["CHANNELS_GET_REPLY", channelsAttrs], ["CHANNELS_NTF", channelsAttrs],
  ["TSINFO_GET_REPLY", tsinfoAttrs],
];

/** ethtool's commands: number, name and request attribute set. */
function command(k: keyof typeof ETHTOOL_MSG, attrs: AttrSet): GenlCommand {
  return { cmd: ETHTOOL_MSG[k], name: `ETHTOOL_MSG_${k}`, attrs };
}

export const COMMANDS = {
  strsetGet: command("STRSET_GET", strsetAttrs),
  linkinfoGet: command("LINKINFO_GET", linkinfoAttrs),
  linkmodesGet: command("LINKMODES_GET", linkmodesAttrs),
  linkstateGet: command("LINKSTATE_GET", linkstateAttrs),
  debugGet: command("DEBUG_GET", debugAttrs),
  wolGet: command("WOL_GET", wolAttrs),
  featuresGet: command("FEATURES_GET", featuresAttrs),
  featuresSet: command("FEATURES_SET", featuresAttrs),
  channelsGet: command("CHANNELS_GET", channelsAttrs),
  channelsSet: command("CHANNELS_SET", channelsAttrs),
  tsinfoGet: command("TSINFO_GET", tsinfoAttrs),
} as const;

/**
 * The family as Genl sees it: replies and notifications decoded by command.
 *
 * @example
 * ```ts
 * const fam = await genl.family(ETHTOOL_FAMILY.name);    // genl ctrl get name ethtool
 * console.log(fam.id, ETHTOOL_FAMILY.version);            // 21 1 (the id is handed out at boot)
 * const mon = genl.monitor(ETHTOOL_FAMILY, "monitor");    // what et.monitor() opens
 * mon.close();
 * ```
 */
export const ETHTOOL_FAMILY: GenlFamilySpec = {
  name: ETHTOOL_GENL_NAME,
  version: ETHTOOL_GENL_VERSION,
  messages: new Map(KERNEL_MESSAGES.map(([k, attrs]) => [ETHTOOL_MSG_KERNEL[k], { name: `ETHTOOL_MSG_${k}`, attrs }])),
};
