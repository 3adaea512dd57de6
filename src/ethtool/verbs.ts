import { Genl, registerGenlFamily, type GenlCommand, type GenlMessage, type GenlOptions } from "../genl/verbs.js";
import type { GenlMonitor, GenlMonitorOptions } from "../genl/monitor.js";
import { NetlinkParseError, NlkitInputError } from "../netlink/errors.js";
import type { CallOptions } from "../netlink/socket.js";
import {
  bitNames, featureChanges, featureView, readBitset, resolveFeatureRequest,
  type Bits, type DecodedBitset, type FeatureBits, type FeatureChange, type Features,
} from "./features.js";
import * as sys from "../syscalls/index.js";
import { readDriverStats } from "./ioctl.js";
import { COMMANDS, ETH_SS, ETHTOOL_FAMILY, ETHTOOL_FLAG, ETHTOOL_MCGRP_MONITOR_NAME } from "./table.js";

registerGenlFamily(ETHTOOL_FAMILY);

/**
 * setFeatures()'s options.
 *
 * @example
 * ```ts
 * // ethtool -K veth1 gro on tx-checksum-ipv4 on: rx-gro changes, the fixed tx-checksum-ipv4 is reported
 * const opts: EthtoolSetFeaturesOptions = { sendFixed: true, timeoutMs: 5000 };
 * const e = await et.setFeatures("veth1", { gro: true, "tx-checksum-ipv4": true }, opts).catch((x: unknown) => x);
 * if (e instanceof FeatureChangeError) console.log(e.refused);   // [{ feature: "tx-checksum-ipv4", active: false, requested: true }]
 * ```
 */
export interface SetFeaturesOptions extends CallOptions {
  /**
   * Send features that are fixed on the device along with the others, as `ethtool -K` does: the
   * kernel changes what it can, and its answer (a FeatureChangeError) says what it left. By
   * default a fixed feature is refused before anything is sent, so nothing changes.
   */
  sendFixed?: boolean;
}

/**
 * A device by name or ifindex.
 *
 * @example
 * ```ts
 * const { index } = await rt.link.get("veth1");
 * const dev: EthtoolDev = index;             // or the name, "veth1"
 * console.log(await et.linkState(dev));      // { link: true }
 * ```
 */
export type EthtoolDev = string | number;

/**
 * Where `Ethtool.open()` creates its socket, or an existing `Genl` handle to share (and its family
 * cache); with `genl`, the namespace and socket options are not used.
 *
 * @example
 * ```ts
 * const opts: EthtoolOptions = { netns: "ns1", timeoutMs: 5000 };   // ip netns exec ns1 ethtool ...
 * const e1 = await Ethtool.open(opts);
 * const e2 = await Ethtool.open({ genl: e1.genl });   // shares e1's socket and family cache
 * e2.close();                                         // leaves e1.genl open
 * e1.close();
 * ```
 */
export interface EthtoolOptions extends GenlOptions {
  /** Share this generic netlink handle (and its family cache) instead of opening one; close() leaves it open. */
  genl?: Genl;
}

/**
 * LINKINFO: the port and PHY (`ethtool DEV`'s Port, PHYAD, Transceiver, MDI-X); enum values by
 * name, a value this version does not know as its number.
 *
 * @example
 * ```ts
 * const info: EthtoolLinkInfo = await et.linkInfo("veth1");
 * console.log(info);   // { port: "tp", phyaddr: 0, tpMdix: "unknown", tpMdixCtrl: "unknown", transceiver: "internal" }
 * ```
 */
export interface LinkInfo {
  /** ethtool's Port (PORT_*): "tp", "aui", "mii", "fibre", "bnc", "da", "none", "other". */
  port?: string | number;
  /** ethtool's PHYAD: the PHY's address on the MDIO bus. */
  phyaddr?: number;
  /** ethtool's MDI-X status (ETH_TP_MDI_*): "off" (MDI), "on" (MDI-X), "unknown" where it does not apply. */
  tpMdix?: string | number;
  /** The MDI-X setting (ethtool -s ... mdix): "off", "on", "auto", or "unknown" where it cannot be set. */
  tpMdixCtrl?: string | number;
  /** ethtool's Transceiver (XCVR_*): "internal" or "external". */
  transceiver?: string | number;
}

/**
 * LINKMODES: speed, duplex, autonegotiation and the link modes (kernel names, e.g. "1000baseT/Full").
 *
 * @example
 * ```ts
 * const m: EthtoolLinkModes = await et.linkModes("veth1");   // ethtool veth1's Speed, Duplex, ...
 * console.log(m.speed, m.duplex, m.autoneg, m.supported);    // 10000 "full" false [] (veth reports no link modes)
 * const gbit = (await et.linkModes("eth0")).advertised?.includes("1000baseT/Full");
 * ```
 */
export interface LinkModes {
  /** ethtool's Auto-negotiation: on (true) or off. */
  autoneg?: boolean;
  /** Mb/s; "unknown" when the driver does not know (no link, or a virtual device that says so). */
  speed?: number | "unknown";
  /** ethtool's Duplex (DUPLEX_*): "half", "full" or "unknown". */
  duplex?: string | number;
  /** ethtool's Lanes: the number of lanes the link uses; absent when the driver does not report it. */
  lanes?: number;
  /** Link modes, ports, pause and FEC bits the device supports (present when the kernel reported our modes). */
  supported?: string[];
  /** The same bits as advertised to the link partner (ethtool's "Advertised link modes"); present with `supported`. */
  advertised?: string[];
  /** What the link partner advertises, when known. */
  peer?: string[];
  /** ethtool's master-slave cfg (MASTER_SLAVE_CFG_*): "preferred-master", "forced-slave"..., "unsupported" where the PHY has no such role. */
  masterSlaveCfg?: string | number;
  /** ethtool's master-slave status (MASTER_SLAVE_STATE_*): "master", "slave", "err", "unknown" or "unsupported". */
  masterSlaveState?: string | number;
  /** The PHY's rate matching (RATE_MATCH_*): "none", "pause", "crs" or "open-loop". */
  rateMatching?: string | number;
}

/**
 * What `Ethtool.linkState()` reports (`ethtool DEV`'s "Link detected", signal quality, extended state
 * codes).
 *
 * @example
 * ```ts
 * const st: EthtoolLinkState = await et.linkState("veth1");
 * console.log(st.link ? "Link detected: yes" : "Link detected: no");   // "no" while the peer is down
 * if (st.sqi !== undefined) console.log(`SQI: ${st.sqi}/${st.sqiMax}`);   // absent on veth
 * ```
 */
export interface LinkState {
  /** ethtool's "Link detected"; absent when the driver cannot tell. */
  link?: boolean;
  /** Signal quality index and its maximum, where the PHY measures it. */
  sqi?: number;
  /** The highest value `sqi` can take on this PHY. */
  sqiMax?: number;
  /** ETHTOOL_LINK_EXT_STATE_* and its substate: why the link is down, when the driver knows. */
  extState?: number;
  /** ETHTOOL_LINK_EXT_SUBSTATE_*: the detail of `extState` (numbered within it), when the driver gives one. */
  extSubstate?: number;
}

/**
 * Wake-on-LAN modes a device supports and has enabled (`ethtool DEV`'s Wake-on lines).
 *
 * @example
 * ```ts
 * const wol: EthtoolWol = await et.wol("eth0");   // needs CAP_NET_ADMIN; EOPNOTSUPP on veth
 * console.log(wol.supported.join(" "), "|", wol.enabled.join(" "));   // "phy ucast mcast bcast magic | magic"
 * ```
 */
export interface Wol {
  /** Wake-on-LAN modes (kernel names: phy, ucast, mcast, bcast, arp, magic, magicsecure, filter). */
  supported: string[];
  /** The modes enabled now (ethtool's "Wake-on"), by the same names; empty when Wake-on-LAN is off. */
  enabled: string[];
  /** The SecureOn password, as colon hex. */
  sopass?: string;
}

/**
 * A driver's message level (`ethtool DEV`'s "Current message level").
 *
 * @example
 * ```ts
 * const dbg: EthtoolDebugInfo = await et.debug("eth0");   // EOPNOTSUPP on veth
 * console.log(`0x${dbg.msglvl.toString(16).padStart(8, "0")} (${dbg.msglvl})`, dbg.classes.join(" "));   // "0x00000007 (7) drv probe link"
 * ```
 */
export interface DebugInfo {
  /** The driver's message level (bits 0-31 of the mask). */
  msglvl: number;
  /** Names of the message classes enabled. */
  classes: string[];
}

/**
 * CHANNELS (`ethtool -l`): 0 where the device has no channel of a kind.
 *
 * @example
 * ```ts
 * const ch: EthtoolChannels = await et.channels("veth1");   // ethtool -l veth1
 * console.log(ch.rxMax, ch.rx, ch.combinedMax);             // 2 1 0 on 2 CPUs (ethtool prints 0 as n/a)
 * if (ch.rx < ch.rxMax) await et.setChannels("veth1", { rx: ch.rxMax });
 * ```
 */
export interface Channels {
  /** Most receive-only channels the device supports. */
  rxMax: number;
  /** Most transmit-only channels. */
  txMax: number;
  /** Most other (link interrupt) channels. */
  otherMax: number;
  /** Most combined channels. */
  combinedMax: number;
  /** Receive-only channels in use. */
  rx: number;
  /** Transmit-only channels in use. */
  tx: number;
  /** Other channels in use. */
  other: number;
  /** Combined channels in use. */
  combined: number;
}

/**
 * A driver's own statistics (`ethtool -S`), by the names the driver gives them, in its order.
 * Counters are numbers, or decimal strings past 2^53.
 *
 * @example
 * ```ts
 * // the host end of a container's eth0: its veth peer's ifindex, as `ethtool -S eth0 | grep peer_ifindex`
 * const inCtr = await Ethtool.open({ netns: "ctr1" });
 * const stats: EthtoolStats = await inCtr.stats("eth0");
 * inCtr.close();
 * console.log(stats.peer_ifindex, stats.rx_queue_0_drops);   // 7 0
 * ```
 */
export type EthtoolStats = Record<string, number | string>;

/**
 * TSINFO (`ethtool -T`): time stamping, by the kernel's names (software-transmit, hwtstamp_filter_all...).
 *
 * @example
 * ```ts
 * const ts: EthtoolTsInfo = await et.tsinfo("veth1");   // ethtool -T veth1
 * console.log(ts.timestamping, ts.phcIndex ?? "none");   // ["software-transmit", "software-receive", "software-system-clock"] "none"
 * ```
 */
export interface TsInfo {
  /** SOF_TIMESTAMPING_* capabilities. */
  timestamping: string[];
  /** HWTSTAMP_TX_* modes. */
  txTypes: string[];
  /** HWTSTAMP_FILTER_* modes. */
  rxFilters: string[];
  /** The PTP hardware clock's index (/dev/ptpN); absent when the device has none. */
  phcIndex?: number;
}

/**
 * `ethtool -L`: the counts to set; a kind left out keeps its count.
 *
 * @example
 * ```ts
 * const spec: EthtoolChannelsSpec = { rx: 2, tx: 2 };
 * await et.setChannels("veth1", spec);   // ethtool -L veth1 rx 2 tx 2
 * // above the maximum: NetlinkError EINVAL, "requested channel count exceeds maximum"
 * await et.setChannels("veth1", { rx: 5 }).catch((e: unknown) => console.log(e instanceof NetlinkError && e.kernelMessage));
 * ```
 */
export interface ChannelsSpec {
  /** Receive-only channels (ethtool -L's rx). */
  rx?: number;
  /** Transmit-only channels (ethtool -L's tx). */
  tx?: number;
  /** Other channels, for link interrupts or SR-IOV coordination (ethtool -L's other). */
  other?: number;
  /** Combined receive and transmit channels (ethtool -L's combined). */
  combined?: number;
}

/**
 * setFeatures() could not do what was asked: features that are fixed on the device (refused
 * before anything was sent, so nothing changed, and `changes` lists just those fixed features in
 * their present state), or that the kernel left in another state than requested (its FEATURES_SET
 * reply), in which case `changes` says what did change. `code` is EOPNOTSUPP, `field` the first
 * refused feature.
 *
 * @example
 * ```ts
 * try {
 *   await et.setFeatures("veth1", { "tx-checksum-ipv4": true });   // ethtool -K veth1 tx-checksum-ipv4 on
 * } catch (e) {
 *   if (!(e instanceof FeatureChangeError)) throw e;
 *   for (const c of e.refused) console.log(`${c.feature}: ${c.active ? "on" : "off"} [requested ${c.requested ? "on" : "off"}]`);   // "tx-checksum-ipv4: off [requested on]"
 * }
 * ```
 */
export class FeatureChangeError extends NlkitInputError {
  /** ethtool -K's "Actual changes", in the kernel's feature order. */
  readonly changes: FeatureChange[];
  /** The requested features that did not end up as requested. */
  readonly refused: FeatureChange[];
  /**
   * No feature of the device changed (ethtool: "Could not change any device features"): always
   * when fixed features were refused before sending, else when the kernel's reply lists no
   * feature whose active state moved.
   */
  readonly nothingChanged: boolean;

  constructor(dev: EthtoolDev, changes: FeatureChange[], nothingChanged: boolean) {
    const refused = changes.filter((c) => c.requested !== undefined && c.requested !== c.active);
    const what = refused.map((c) => `${c.feature}: ${onOff(c.active)} [requested ${onOff(c.requested!)}]`).join(", ");
    super(`could not change features of ${dev}: ${what}`, refused[0]?.feature, "EOPNOTSUPP");
    this.changes = changes;
    this.refused = refused;
    this.nothingChanged = nothingChanged;
  }
}

function onOff(v: boolean): string {
  return v ? "on" : "off";
}

const IFNAMSIZ = 16;
const MAX_STRINGS = 0x10000;

/** ETHTOOL_A_*_HEADER for a device, plus request flags. */
function header(dev: EthtoolDev, flags = 0): Record<string, unknown> {
  const h: Record<string, unknown> = {};
  if (typeof dev === "number") {
    if (!Number.isInteger(dev) || dev <= 0 || dev > 0xffffffff) throw new NlkitInputError(`invalid ifindex ${dev}`, "dev");
    h.devIndex = dev;
  } else if (typeof dev === "string" && dev !== "" && Buffer.byteLength(dev) < IFNAMSIZ && !/[\s/]/.test(dev)) {
    h.devName = dev;
  } else {
    throw new NlkitInputError(`invalid device name ${JSON.stringify(dev)}`, "dev");
  }
  if (flags) h.flags = flags;
  return h;
}

const CHANNEL_KEYS = { rx: "rxCount", tx: "txCount", other: "otherCount", combined: "combinedCount" } as const;

function bitsOrFail(b: DecodedBitset | undefined, what: string): Bits {
  const bits = readBitset(b);
  if (!bits) throw new NetlinkParseError(`ETHTOOL_MSG_FEATURES_GET_REPLY without ETHTOOL_A_FEATURES_${what}`, 0);
  return bits;
}

/**
 * ethtool over generic netlink, bound to one network namespace: link settings and state, offload
 * features under `ethtool -k`'s names, channels, timestamping, and notifications. String sets (feature
 * names) are read once per handle. A feature the kernel will not change rejects with
 * `FeatureChangeError`, which says what did change.
 *
 * @example
 * ```ts
 * import { Ethtool } from "nlkit";
 * const et = await Ethtool.open({ netns: "ns1" });
 * await et.features("veth1");                                   // ethtool -k veth1
 * await et.setFeatures("veth1", { "tx-checksum-ip-generic": false, gro: true });   // ethtool -K
 * await et.channels("veth1");                                   // ethtool -l veth1
 * et.close();
 * ```
 */
export class Ethtool {
  /** The generic netlink handle underneath (owned, or shared through `opts.genl`). */
  readonly genl: Genl;
  private readonly ownsGenl: boolean;
  private readonly strsets = new Map<number, string[]>();

  /** Opens a handle in the namespace `opts` names (default the current one), or on a shared `opts.genl`. */
  static async open(opts: EthtoolOptions = {}): Promise<Ethtool> {
    return Ethtool.openSync(opts);
  }

  /** `open()` without the promise. */
  static openSync(opts: EthtoolOptions = {}): Ethtool {
    const { genl, ...rest } = opts;
    return new Ethtool(genl ?? Genl.openSync(rest), genl === undefined);
  }

  private constructor(genl: Genl, owns: boolean) {
    this.genl = genl;
    this.ownsGenl = owns;
  }

  /** LINKINFO_GET. */
  async linkInfo(dev: EthtoolDev, opts?: CallOptions): Promise<LinkInfo> {
    const a = await this.get(COMMANDS.linkinfoGet, header(dev), opts);
    const out: LinkInfo = {};
    for (const k of ["port", "phyaddr", "tpMdix", "tpMdixCtrl", "transceiver"] as const) if (a[k] !== undefined) (out as Record<string, unknown>)[k] = a[k];
    return out;
  }

  /** LINKMODES_GET, bit sets as named lists (like ethtool, which asks for them uncompacted). */
  async linkModes(dev: EthtoolDev, opts?: CallOptions): Promise<LinkModes> {
    const a = await this.get(COMMANDS.linkmodesGet, header(dev), opts);
    const out: LinkModes = {};
    if (a.autoneg !== undefined) out.autoneg = a.autoneg !== 0;
    if (a.speed !== undefined) out.speed = a.speed === 0 || a.speed === 0xffff || a.speed === 0xffffffff ? "unknown" : a.speed;
    if (a.duplex !== undefined) out.duplex = a.duplex;
    if (a.lanes !== undefined) out.lanes = a.lanes;
    const ours = readBitset(a.ours);
    if (ours) {
      out.supported = bitNames(ours, "mask");
      out.advertised = bitNames(ours, "value");
    }
    const peer = readBitset(a.peer);
    if (peer) out.peer = bitNames(peer, "value");
    for (const k of ["masterSlaveCfg", "masterSlaveState", "rateMatching"] as const) if (a[k] !== undefined) out[k] = a[k];
    return out;
  }

  /** LINKSTATE_GET. */
  async linkState(dev: EthtoolDev, opts?: CallOptions): Promise<LinkState> {
    const a = await this.get(COMMANDS.linkstateGet, header(dev), opts);
    const out: LinkState = {};
    if (a.link !== undefined) out.link = a.link !== 0;
    for (const k of ["sqi", "sqiMax", "extState", "extSubstate"] as const) if (a[k] !== undefined) out[k] = a[k];
    return out;
  }

  /** WOL_GET (EOPNOTSUPP from devices without Wake-on-LAN, veth among them). */
  async wol(dev: EthtoolDev, opts?: CallOptions): Promise<Wol> {
    const a = await this.get(COMMANDS.wolGet, header(dev), opts);
    const modes = readBitset(a.modes);
    const out: Wol = { supported: bitNames(modes, "mask"), enabled: bitNames(modes, "value") };
    if (Buffer.isBuffer(a.sopass)) out.sopass = [...a.sopass].map((b) => b.toString(16).padStart(2, "0")).join(":");
    return out;
  }

  /** DEBUG_GET: the driver's message level (EOPNOTSUPP where the driver has none). */
  async debug(dev: EthtoolDev, opts?: CallOptions): Promise<DebugInfo> {
    const a = await this.get(COMMANDS.debugGet, header(dev), opts);
    const mask = readBitset(a.msgmask);
    let msglvl = 0;
    for (let i = 0; i < Math.min(32, mask?.size ?? 0); i++) if (mask!.value[i]) msglvl |= 1 << i;
    return { msglvl: msglvl >>> 0, classes: bitNames(mask, "value") };
  }

  /**
   * `ethtool -S DEV`: the driver's own statistics (veth: its peer_ifindex and per-queue XDP
   * counters); {} for a driver without any (lo). Ethtool netlink carries only the standard
   * statistics groups, so these are read as ethtool reads them, with the SIOCETHTOOL commands,
   * on this handle's socket and so in its namespace. A name a driver repeats keeps its last
   * value (ethtool prints each). A device that does not exist is a SyscallError ENODEV; over a
   * scripted transport there is no socket to ask: NlkitInputError.
   */
  async stats(dev: EthtoolDev, opts?: CallOptions): Promise<EthtoolStats> {
    header(dev);
    opts?.signal?.throwIfAborted();
    const fd = this.genl.socket.fd;
    if (fd < 0) throw new NlkitInputError("driver statistics are read with an ioctl on a kernel socket; this handle's transport has none", "dev");
    const name = typeof dev === "number" ? sys.ifIndexToName(fd, dev) : dev;
    const out: EthtoolStats = {};
    for (const [k, v] of readDriverStats(fd, name)) out[k] = v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
    return out;
  }

  /** Offload features under `ethtool -k`'s names, in its order. */
  async features(dev: EthtoolDev, opts?: CallOptions): Promise<Features> {
    const h = header(dev, ETHTOOL_FLAG.COMPACT_BITSETS);
    const names = await this.strings(ETH_SS.FEATURES, opts);
    return featureView(names, await this.featureBits(h, opts));
  }

  /**
   * `ethtool -K DEV FEATURE on|off ...`: features by kernel name (rx-gro, tx-checksum-ip-generic)
   * or ethtool's legacy names (gro, tx, generic-receive-offload...), which stand for every kernel
   * feature they cover. Resolves with what changed, including features that followed the ones
   * asked for. A fixed feature asked to change is refused before anything is sent (unless
   * `sendFixed`); a feature the kernel leaves otherwise than asked rejects with its answer
   * (FeatureChangeError).
   */
  async setFeatures(dev: EthtoolDev, want: Record<string, boolean>, opts?: SetFeaturesOptions): Promise<FeatureChange[]> {
    const h = header(dev, ETHTOOL_FLAG.COMPACT_BITSETS);
    const names = await this.strings(ETH_SS.FEATURES, opts);
    const asked = resolveFeatureRequest(names, want);
    const requested = new Map<number, boolean>();
    for (const [i, v] of asked) requested.set(i, v);
    if (!opts?.sendFixed) {
      const before = await this.featureBits(h, opts);
      const fixed: FeatureChange[] = [];
      for (const [i, v] of [...requested].sort((x, y) => x[0] - y[0])) {
        const isFixed = before.hw.value[i] !== true || before.nochange.value[i] === true;
        const active = before.active.value[i] === true;
        if (isFixed && active !== v) fixed.push({ feature: names[i]!, active, requested: v });
      }
      if (fixed.length) throw new FeatureChangeError(dev, fixed, true);
    }
    const bit = asked.map(([i, v]) => (v ? { name: names[i], value: true } : { name: names[i] }));
    const [reply] = await this.genl.request(ETHTOOL_FAMILY, COMMANDS.featuresSet, { header: h, wanted: { bits: { bit } } }, opts);
    if (!reply) return [];
    const a = reply.attrs as Record<string, DecodedBitset | undefined>;
    const changes = featureChanges(names, readBitset(a.wanted), readBitset(a.active), requested);
    if (changes.some((c) => c.requested !== undefined && c.requested !== c.active)) {
      // ETHTOOL_A_FEATURES_ACTIVE is the diff of the active bits the request caused
      const moved = readBitset(a.active)?.mask?.some(Boolean) ?? false;
      throw new FeatureChangeError(dev, changes, !moved);
    }
    return changes;
  }

  /** CHANNELS_GET (`ethtool -l`). */
  async channels(dev: EthtoolDev, opts?: CallOptions): Promise<Channels> {
    const a = await this.get(COMMANDS.channelsGet, header(dev), opts);
    return {
      rxMax: a.rxMax ?? 0, txMax: a.txMax ?? 0, otherMax: a.otherMax ?? 0, combinedMax: a.combinedMax ?? 0,
      rx: a.rxCount ?? 0, tx: a.txCount ?? 0, other: a.otherCount ?? 0, combined: a.combinedCount ?? 0,
    };
  }

  /** CHANNELS_SET (`ethtool -L DEV rx N tx N`): counts are written in the order given; the kernel checks them against the maximums. */
  async setChannels(dev: EthtoolDev, spec: ChannelsSpec, opts?: CallOptions): Promise<void> {
    const attrs: Record<string, unknown> = { header: header(dev) };
    if (typeof spec !== "object" || spec === null) throw new NlkitInputError("channels spec must be an object", "channels");
    for (const [k, v] of Object.entries(spec)) {
      const key = CHANNEL_KEYS[k as keyof typeof CHANNEL_KEYS];
      if (!key) throw new NlkitInputError(`unknown channel kind "${k}" (rx, tx, other, combined)`, k);
      if (v === undefined) continue;
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new NlkitInputError(`${k} must be a channel count (0 to 4294967295)`, k);
      attrs[key] = v;
    }
    if (Object.keys(attrs).length === 1) throw new NlkitInputError("no channel count to set", "channels");
    await this.genl.request(ETHTOOL_FAMILY, COMMANDS.channelsSet, attrs, opts);
  }

  /** TSINFO_GET, bit sets as named lists (like `ethtool -T`, which asks for them uncompacted). */
  async tsinfo(dev: EthtoolDev, opts?: CallOptions): Promise<TsInfo> {
    const a = await this.get(COMMANDS.tsinfoGet, header(dev), opts);
    const out: TsInfo = {
      timestamping: bitNames(readBitset(a.timestamping), "value"),
      txTypes: bitNames(readBitset(a.txTypes), "value"),
      rxFilters: bitNames(readBitset(a.rxFilters), "value"),
    };
    if (a.phcIndex !== undefined) out.phcIndex = a.phcIndex;
    return out;
  }

  /** The ethtool family's "monitor" group: notifications of every change, decoded. */
  monitor(opts?: GenlMonitorOptions): GenlMonitor {
    return this.genl.monitor(ETHTOOL_FAMILY, ETHTOOL_MCGRP_MONITOR_NAME, opts);
  }

  /** A global string set (ETH_SS_*) by index; read once per handle. */
  async strings(id: number, opts?: CallOptions): Promise<string[]> {
    const hit = this.strsets.get(id);
    if (hit) return hit;
    const [reply] = await this.genl.request(ETHTOOL_FAMILY, COMMANDS.strsetGet, { header: {}, stringsets: { stringset: [{ id }] } }, opts);
    const sets = ((reply?.attrs as Record<string, any> | undefined)?.stringsets?.stringset ?? []) as Array<Record<string, any>>;
    const set = sets.find((s) => s.id === id);
    if (!set) throw new NetlinkParseError(`ETHTOOL_MSG_STRSET_GET_REPLY without string set ${id}`, 0);
    // a count is a u32 from the kernel: never an allocation of that size
    const count = Math.min(Number(set.count ?? 0), MAX_STRINGS);
    const names: string[] = new Array<string>(count).fill("");
    for (const s of (set.strings?.string ?? []) as Array<{ index?: number; value?: string }>) {
      if (s.index !== undefined && s.index >= 0 && s.index < count) names[s.index] = s.value ?? "";
    }
    this.strsets.set(id, names);
    return names;
  }

  /** Closes the generic netlink handle unless it was shared through `opts.genl`. */
  close(): void {
    this.strsets.clear();
    if (this.ownsGenl) this.genl.close();
  }

  private async featureBits(h: Record<string, unknown>, opts: CallOptions | undefined): Promise<FeatureBits> {
    const a = await this.get(COMMANDS.featuresGet, h, opts) as Record<string, DecodedBitset | undefined>;
    return { hw: bitsOrFail(a.hw, "HW"), wanted: bitsOrFail(a.wanted, "WANTED"), active: bitsOrFail(a.active, "ACTIVE"), nochange: bitsOrFail(a.nochange, "NOCHANGE") };
  }

  /** A GET of one device: its reply's attributes. */
  private async get(command: GenlCommand, h: Record<string, unknown>, opts: CallOptions | undefined): Promise<Record<string, any>> {
    const [reply]: GenlMessage[] = await this.genl.request(ETHTOOL_FAMILY, command, { header: h }, opts);
    if (!reply) throw new NetlinkParseError(`no reply to ${command.name}`, 0);
    return reply.attrs;
  }
}
