import { NetlinkParseError, NlkitInputError } from "../netlink/errors.js";

// Bit sets as ethtool's replies carry them, and netdev features under the names `ethtool -k`
// prints: the legacy offload flags (rx-checksumming, tcp-segmentation-offload...) stand for the
// kernel features their pattern matches, the rest go by their kernel names.

/** An ETHTOOL_A_BITSET nest as the generic decoder returns it. */
export interface DecodedBitset {
  nomask?: boolean;
  size?: number;
  bits?: { bit?: Array<{ index?: number; name?: string; value?: boolean }> };
  value?: number[];
  mask?: number[];
}

/** A bit set either way it travels: compact (bitmaps) or as a list of named bits. */
export interface Bits {
  size: number;
  value: boolean[];
  /** Which bits the set speaks for; undefined for a set without a mask (ETHTOOL_A_BITSET_NOMASK). */
  mask: boolean[] | undefined;
  /** Bit names, when the list form carried them. */
  names: Array<string | undefined>;
}

function wordsToBits(words: number[], size: number): boolean[] {
  const out: boolean[] = [];
  for (let i = 0; i < size; i++) out.push(((words[i >>> 5] ?? 0) >>> (i & 31) & 1) === 1);
  return out;
}

/**
 * The largest bit set read. The kernel's biggest (link modes) has a few hundred bits; a size is a
 * u32 from the wire, and must never become an allocation or a loop of that size.
 */
const MAX_BITSET_SIZE = 0x10000;

/** Reads a decoded bit set; undefined when there is none. */
export function readBitset(b: DecodedBitset | undefined): Bits | undefined {
  if (!b) return undefined;
  if (b.size !== undefined && b.size > MAX_BITSET_SIZE) throw new NetlinkParseError(`ETHTOOL_A_BITSET_SIZE ${b.size} exceeds ${MAX_BITSET_SIZE}`, 0);
  if (b.value !== undefined) {
    const size = b.size ?? Math.min(b.value.length * 32, MAX_BITSET_SIZE);
    return { size, value: wordsToBits(b.value, size), mask: b.nomask || !b.mask ? undefined : wordsToBits(b.mask, size), names: [] };
  }
  const list = b.bits?.bit ?? [];
  const size = b.size ?? Math.min(list.reduce((n, x) => Math.max(n, (x.index ?? -1) + 1), 0), MAX_BITSET_SIZE);
  const out: Bits = { size, value: new Array<boolean>(size).fill(false), mask: b.nomask ? undefined : new Array<boolean>(size).fill(false), names: [] };
  for (const x of list) {
    const i = x.index;
    if (i === undefined || i < 0 || i >= size) continue;
    if (x.name !== undefined) out.names[i] = x.name;
    // without a mask only the bits that are set are listed; with one, the mask's bits, and
    // ETHTOOL_A_BITSET_BIT_VALUE marks those that are set
    if (out.mask) {
      out.mask[i] = true;
      out.value[i] = x.value === true;
    } else {
      out.value[i] = true;
    }
  }
  return out;
}

/** Names of the bits set in `which` (the value, or the mask), in index order. */
export function bitNames(bits: Bits | undefined, which: "value" | "mask", names: ReadonlyArray<string | undefined> = []): string[] {
  if (!bits) return [];
  const set = which === "mask" ? bits.mask ?? bits.value : bits.value;
  const out: string[] = [];
  for (let i = 0; i < bits.size; i++) if (set[i]) out.push(bits.names[i] ?? names[i] ?? `BIT${i}`);
  return out;
}

// --- features ----------------------------------------------------------------------------------

/**
 * One feature as `ethtool -k` shows it.
 *
 * @example
 * ```ts
 * const f: EthtoolFeature | undefined = (await et.features("veth1"))["tx-checksum-ipv4"];
 * if (f) console.log(f.active, f.fixed, f.wanted, f.parent);   // false true false "tx-checksumming"
 * ```
 */
export interface Feature {
  /** On now (ethtool -k's on/off, ETHTOOL_A_FEATURES_ACTIVE); for a legacy flag, whether any feature it stands for is on. */
  active: boolean;
  /** What was asked for (ethtool's "requested"); null for a legacy flag standing for several features. */
  wanted: boolean | null;
  /** Not changeable on this device; null for a legacy flag standing for several features. */
  fixed: boolean | null;
  /** The legacy flag this feature is listed under (tx-checksum-ip-generic under tx-checksumming). */
  parent?: string;
}

/**
 * Features in `ethtool -k`'s order and names.
 *
 * @example
 * ```ts
 * const features: EthtoolFeatures = await et.features("veth1");   // ethtool -k veth1
 * for (const [name, f] of Object.entries(features)) {
 *   console.log(`${f.parent ? "\t" : ""}${name}: ${f.active ? "on" : "off"}${f.fixed ? " [fixed]" : ""}`);   // "rx-checksumming: on", "\ttx-checksum-ipv4: off [fixed]"...
 * }
 * ```
 */
export type Features = Record<string, Feature>;

/** [short name, ethtool -k's name, pattern of the kernel features it stands for (one '*' at most)]. */
export const LEGACY_FEATURES: ReadonlyArray<readonly [string, string, string]> = [
  ["rx", "rx-checksumming", "rx-checksum"],
  ["tx", "tx-checksumming", "tx-checksum-*"],
  ["sg", "scatter-gather", "tx-scatter-gather*"],
  ["tso", "tcp-segmentation-offload", "tx-tcp*-segmentation"],
  ["ufo", "udp-fragmentation-offload", "tx-udp-fragmentation"],
  ["gso", "generic-segmentation-offload", "tx-generic-segmentation"],
  ["gro", "generic-receive-offload", "rx-gro"],
  ["lro", "large-receive-offload", "rx-lro"],
  ["rxvlan", "rx-vlan-offload", "rx-vlan-hw-parse"],
  ["txvlan", "tx-vlan-offload", "tx-vlan-hw-insert"],
  ["ntuple", "ntuple-filters", "rx-ntuple-filter"],
  ["rxhash", "receive-hashing", "rx-hashing"],
];
/** No kernel with ethtool netlink has UDP fragmentation offload: ethtool never lists it. */
const UFO = "udp-fragmentation-offload";

export function patternMatch(name: string, pattern: string): boolean {
  const star = pattern.indexOf("*");
  if (star < 0) return name === pattern;
  const head = pattern.slice(0, star);
  const tail = pattern.slice(star + 1);
  return name.length >= head.length + tail.length && name.startsWith(head) && name.endsWith(tail);
}

/** The legacy flag each kernel feature falls under (its index in LEGACY_FEATURES), or -1. */
function legacyOf(names: ReadonlyArray<string>): number[] {
  return names.map((n) => (n ? LEGACY_FEATURES.findIndex(([, , p]) => patternMatch(n, p)) : -1));
}

export interface FeatureBits {
  hw: Bits;
  wanted: Bits;
  active: Bits;
  nochange: Bits;
}

/** FEATURES_GET's bit sets under ethtool -k's names, in its order. */
export function featureView(names: ReadonlyArray<string>, b: FeatureBits): Features {
  const one = (i: number): Feature => ({
    active: b.active.value[i] === true,
    wanted: b.wanted.value[i] === true,
    fixed: b.hw.value[i] !== true || b.nochange.value[i] === true,
  });
  const legacy = legacyOf(names);
  const out: Features = {};
  LEGACY_FEATURES.forEach(([, long], li) => {
    if (long === UFO) return;
    const members = legacy.flatMap((l, i) => (l === li ? [i] : []));
    if (members.length !== 1) out[long] = { active: members.some((i) => b.active.value[i] === true), wanted: null, fixed: null };
    if (members.length === 1) out[long] = one(members[0]!);
    else for (const i of members) out[names[i]!] = { ...one(i), parent: long };
  });
  names.forEach((n, i) => {
    if (n && legacy[i]! < 0) out[n] = one(i);
  });
  return out;
}

/**
 * `ethtool --json -k DEV`'s object for these features: `ifname`, then each feature's active, fixed
 * and requested.
 *
 * @example
 * ```ts
 * const json = featuresToEthtoolJson("veth1", await et.features("veth1"));
 * console.log(JSON.stringify([json]));   // ethtool --json -k veth1: [{"ifname":"veth1","rx-checksumming":{"active":true,"fixed":false,"requested":true},...}]
 * ```
 */
export function featuresToEthtoolJson(ifname: string, features: Features): Record<string, unknown> {
  const out: Record<string, unknown> = { ifname };
  for (const [name, f] of Object.entries(features)) out[name] = { active: f.active, fixed: f.fixed, requested: f.wanted };
  return out;
}

/**
 * What `setFeatures` asks for, resolved against the kernel's feature names: each kernel feature
 * (by index) and its value, in the order given, legacy names expanded to what they stand for.
 */
export function resolveFeatureRequest(names: ReadonlyArray<string>, want: Record<string, unknown>): Array<[number, boolean]> {
  if (typeof want !== "object" || want === null || Array.isArray(want)) throw new NlkitInputError("features must be an object of feature names and booleans", "features");
  const out: Array<[number, boolean]> = [];
  for (const [name, v] of Object.entries(want)) {
    if (typeof v !== "boolean") throw new NlkitInputError(`feature "${name}" must be true or false`, name);
    const legacy = LEGACY_FEATURES.find(([short, long]) => name === short || name === long);
    if (legacy) {
      const hits = names.flatMap((n, i) => (n && patternMatch(n, legacy[2]) ? [i] : []));
      if (!hits.length) throw new NlkitInputError(`feature "${name}" stands for no feature of this kernel`, name, "EOPNOTSUPP");
      for (const i of hits) out.push([i, v]);
      continue;
    }
    const i = name ? names.indexOf(name) : -1;
    if (i < 0) throw new NlkitInputError(`unknown feature "${name}" (the kernel's names are in ethtool -k; legacy ones: ${LEGACY_FEATURES.map(([s]) => s).join(", ")})`, name, "EOPNOTSUPP");
    out.push([i, v]);
  }
  if (!out.length) throw new NlkitInputError("no feature to change", "features");
  return out;
}

/**
 * One line of ethtool -K's "Actual changes": a feature whose state changed, or a requested one
 * that did not end up as requested (requested !== active).
 *
 * @example
 * ```ts
 * const changes: EthtoolFeatureChange[] = await et.setFeatures("veth1", { "tx-checksum-ip-generic": false });   // ethtool -K veth1 tx-checksum-ip-generic off
 * for (const c of changes) console.log(`${c.feature}: ${c.active ? "on" : "off"}${c.requested === undefined ? " [not requested]" : ""}`);
 * // "tx-checksum-ip-generic: off", "tx-tcp-segmentation: off [not requested]", ...
 * ```
 */
export interface FeatureChange {
  /** The kernel's name. */
  feature: string;
  /** Its state now. */
  active: boolean;
  /** What was asked for, when it was asked for. */
  requested?: boolean;
}

/**
 * FEATURES_SET_REPLY's bit sets as changes: WANTED's mask holds the requested features whose
 * state is not what was asked for, ACTIVE's mask every feature whose state changed.
 */
export function featureChanges(names: ReadonlyArray<string>, wanted: Bits | undefined, active: Bits | undefined, requested: ReadonlyMap<number, boolean>): FeatureChange[] {
  const out: FeatureChange[] = [];
  const size = Math.max(wanted?.size ?? 0, active?.size ?? 0);
  for (let i = 0; i < size; i++) {
    const feature = names[i] || `bit${i}`;
    if (wanted?.mask?.[i]) {
      const asked = wanted.value[i] === true;
      out.push({ feature, active: !asked, requested: asked });
    } else if (active?.mask?.[i]) {
      const c: FeatureChange = { feature, active: active.value[i] === true };
      const r = requested.get(i);
      if (r !== undefined) c.requested = r;
      out.push(c);
    }
  }
  return out;
}
