import { encodeAttrs } from "../../netlink/attrs.js";
import { NlkitInputError } from "../../netlink/errors.js";
import { parseLladdr } from "../../netlink/ip.js";
import type { StructValue } from "../../netlink/struct.js";
import { NlWriter } from "../../netlink/writer.js";
import { validateIfname } from "../context.js";
import { linkKinds } from "./kinds/index.js";
import type { KindContext, LinkKindDef, NetnsRefLike } from "./kinds/kind.js";
import type { VethPeerMsg } from "./kinds/veth.js";
import type { LinkAddSpec, LinkCommonOptions, LinkSetOptions, VethPeerSpec } from "./types.js";

/**
 * Pure request building for the link verbs: typed options to an ifinfomsg header and IFLA_*
 * values, validated before anything is sent. Attribute order follows iproute2 (the options it
 * writes while parsing, then IFLA_LINK, IFLA_IFNAME, IFLA_LINKINFO), so requests compare byte
 * for byte with ip's.
 */
export interface LinkRequest {
  header: StructValue;
  attrs: Record<string, unknown>;
}

const IFF_UP = 1;
const U32_MAX = 0xffffffff;
const IFALIASZ = 256;

const KIND_OPTION_KEYS = new Set(
  [...linkKinds.values()].map((k) => k.optionsKey).filter((k): k is string => k !== undefined).concat("peer", "tuntap"),
);
const COMMON_KEYS = ["mtu", "address", "broadcast", "txqueuelen", "netns", "master", "up", "promisc", "allmulticast", "multicast", "arp", "alias", "group"];
const ADD_KEYS = new Set([...COMMON_KEYS, "name", "kind", "index", "link", ...KIND_OPTION_KEYS]);
/** set()'s kind option keys: the link's own kind (IFLA_INFO_DATA), or its master's for a port (IFLA_INFO_SLAVE_DATA). */
const CHANGE_KINDS = new Map<string, { def: LinkKindDef; slave: boolean }>();
for (const def of linkKinds.values()) {
  if (def.change && def.optionsKey) CHANGE_KINDS.set(def.optionsKey, { def, slave: false });
  if (def.slaveChange && def.slaveOptionsKey) CHANGE_KINDS.set(def.slaveOptionsKey, { def, slave: true });
}
const SET_KEYS = new Set([...COMMON_KEYS, "name", ...CHANGE_KINDS.keys()]);
const PEER_KEYS = new Set(["name", "address", "mtu", "txqueuelen", "netns", "index"]);

function checkKeys(obj: object, allowed: Set<string>, where: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.has(k)) throw new NlkitInputError(`unknown option "${k}"${where ? ` in ${where}` : ""}`, where ? `${where}.${k}` : k);
  }
}

function u32(v: number | undefined, field: string, min = 0): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < min || v > U32_MAX) throw new NlkitInputError(`${field} must be an integer between ${min} and ${U32_MAX}`, field);
  return v;
}

function lladdr(v: string | undefined, field: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !parseLladdr(v)) throw new NlkitInputError(`invalid link-layer address "${String(v)}"`, field);
  return v;
}

/** ifi_flags/ifi_change for `up`, written into `header`. */
/** ip link's flag words: the option, its IFF_* bit, and whether true clears it (arp off is IFF_NOARP). */
type FlagWord = "up" | "arp" | "promisc" | "allmulticast" | "multicast";
const IF_FLAGS: ReadonlyArray<readonly [FlagWord, number, boolean]> = [
  ["up", IFF_UP, false], ["arp", 0x80, true], ["promisc", 0x100, false], ["allmulticast", 0x200, false], ["multicast", 0x1000, false],
];

/** ifi_flags and ifi_change for the flag words given, as ip writes them: only those bits change. */
function setIfFlags(header: StructValue, o: Pick<LinkCommonOptions, FlagWord>): void {
  let flags = 0, change = 0;
  for (const [key, bit, inverted] of IF_FLAGS) {
    const v = o[key];
    if (v === undefined) continue;
    if (typeof v !== "boolean") throw new NlkitInputError(`${key} must be a boolean`, key);
    change |= bit;
    if (v !== inverted) flags |= bit;
  }
  if (change) {
    header.flags = flags >>> 0;
    header.change = change >>> 0;
  }
}

/** IFLA_NET_NS_PID for a pid, else IFLA_NET_NS_FD of a namespace the context opens. */
function setNetnsAttr(attrs: Record<string, unknown>, ref: NetnsRefLike, ctx: KindContext, field: string): void {
  if (typeof ref === "object" && ref.netnsPid !== undefined && ref.netns === undefined && ref.netnsPath === undefined && ref.netnsFd === undefined) {
    attrs.netNsPid = u32(ref.netnsPid, `${field}.netnsPid`, 1);
  } else {
    attrs.netNsFd = ctx.netnsFd(ref, field);
  }
}

/**
 * The options every link request shares, as IFLA_* values in iproute2's order. Only the options
 * given become keys: these requests are built once per verb call, and most calls set one or two
 * things (`{ up: true }`), so the common case must cost next to nothing. `master: null` means
 * "detach" (IFLA_MASTER 0) where `nullDetaches`, as in link set; a new link has nothing to leave.
 */
function commonAttrs(o: LinkCommonOptions | LinkSetOptions, ctx: KindContext, prefix: string, nullDetaches = false): Record<string, unknown> {
  const attrs: Record<string, unknown> = {};
  if (o.alias !== undefined && (typeof o.alias !== "string" || Buffer.byteLength(o.alias) >= IFALIASZ)) {
    throw new NlkitInputError(`alias must be a string shorter than ${IFALIASZ} bytes`, prefix + "alias");
  }
  // validate everything that needs no lookup before opening namespaces or asking the kernel
  if (o.address !== undefined) attrs.address = lladdr(o.address, prefix + "address");
  if (o.broadcast !== undefined) attrs.broadcast = lladdr(o.broadcast, prefix + "broadcast");
  if (o.mtu !== undefined) attrs.mtu = u32(o.mtu, prefix + "mtu");
  if (o.txqueuelen !== undefined) attrs.txqlen = u32(o.txqueuelen, prefix + "txqueuelen");
  const group = o.group === undefined ? undefined : u32(o.group, prefix + "group");
  if (o.netns !== undefined) setNetnsAttr(attrs, o.netns, ctx, prefix + "netns");
  if (o.master === null) {
    if (nullDetaches) attrs.master = 0;
  } else if (o.master !== undefined) {
    attrs.master = ctx.ifindex(o.master, prefix + "master");
  }
  if (o.alias !== undefined) attrs.ifalias = o.alias;
  if (group !== undefined) attrs.group = group;
  return attrs;
}

function peerMessage(p: VethPeerSpec, ctx: KindContext): VethPeerMsg {
  checkKeys(p, PEER_KEYS, "peer");
  if (p.name !== undefined) validateIfname(p.name, "peer.name");
  const header: StructValue = {};
  if (p.index !== undefined) header.index = u32(p.index, "peer.index", 1);
  const attrs = commonAttrs({ address: p.address, mtu: p.mtu, txqueuelen: p.txqueuelen, netns: p.netns }, ctx, "peer.");
  attrs.ifname = p.name;
  return { header, attrs };
}

/** The RTM_NEWLINK that creates `spec` (every kind but tun/tap, which use the ioctl). */
export function buildAddRequest(spec: LinkAddSpec, ctx: KindContext): LinkRequest {
  if (!spec || typeof spec !== "object") throw new NlkitInputError("link spec must be an object", "spec");
  checkKeys(spec, ADD_KEYS, "");
  validateIfname(spec.name, "name");
  if (typeof spec.kind !== "string" || !/^[A-Za-z0-9_.-]{1,32}$/.test(spec.kind)) {
    throw new NlkitInputError(`invalid link kind "${String(spec.kind)}"`, "kind");
  }
  const def = linkKinds.get(spec.kind);
  for (const key of KIND_OPTION_KEYS) {
    const mine = key === "peer" ? spec.kind === "veth" : def?.optionsKey === key;
    if ((spec as unknown as Record<string, unknown>)[key] !== undefined && !mine) {
      throw new NlkitInputError(`option "${key}" does not apply to kind ${spec.kind}`, key);
    }
  }
  const header: StructValue = {};
  setIfFlags(header, spec);
  if (spec.index !== undefined) header.index = u32(spec.index, "index", 1);
  const attrs = commonAttrs(spec, ctx, "");
  if (spec.link !== undefined) attrs.link = ctx.ifindex(spec.link, "link");
  attrs.ifname = spec.name;
  let data: Record<string, unknown> | undefined;
  if (spec.kind === "veth") {
    if (spec.peer) data = { peer: peerMessage(spec.peer, ctx) };
  } else if (def?.encode) {
    data = def.encode(def.optionsKey ? (spec as unknown as Record<string, unknown>)[def.optionsKey] : undefined, ctx);
  }
  attrs.linkinfo = data && Object.values(data).some((v) => v !== undefined) ? { kind: spec.kind, data } : { kind: spec.kind };
  return { header, attrs };
}

/** The port options key (bridgeSlave...) a set() gives, if any. */
export function portOptionsKey(o: LinkSetOptions): string | undefined {
  return Object.keys(o).find((k) => CHANGE_KINDS.get(k)?.slave === true && (o as Record<string, unknown>)[k] !== undefined);
}

/** The RTM_NEWLINK (without NLM_F_CREATE) that `ip link set` sends for these changes. */
export function buildSetRequest(index: number, o: LinkSetOptions, ctx: KindContext): LinkRequest {
  if (!o || typeof o !== "object") throw new NlkitInputError("link set options must be an object", "options");
  checkKeys(o, SET_KEYS, "");
  if (o.name !== undefined) validateIfname(o.name, "name");
  const header: StructValue = { index };
  setIfFlags(header, o);
  const attrs = commonAttrs(o, ctx, "", true);
  if (o.name !== undefined) attrs.ifname = o.name;
  const linkinfo = kindChange(o, ctx);
  if (linkinfo) attrs.linkinfo = linkinfo;
  return { header, attrs };
}

/**
 * IFLA_LINKINFO for `ip link set DEV type KIND ...`, written as ip writes it: IFLA_INFO_KIND is
 * the type word ("vxlan", or "bridge_slave" for a port, which the kernel does not look up), then
 * IFLA_INFO_DATA, or IFLA_INFO_SLAVE_DATA for the master's port options. The kernel applies what
 * the kind lets change and refuses the rest with an extack ("Cannot change VNI").
 */
function kindChange(o: LinkSetOptions, ctx: KindContext): Record<string, unknown> | undefined {
  const given = Object.keys(o).filter((k) => CHANGE_KINDS.has(k) && (o as Record<string, unknown>)[k] !== undefined);
  if (given.length === 0) return undefined;
  if (given.length > 1) throw new NlkitInputError(`give one kind's options per set, not ${given.join(" and ")}`, given[1]!);
  const key = given[0]!;
  const { def, slave } = CHANGE_KINDS.get(key)!;
  const opts = (o as Record<string, unknown>)[key];
  if (!opts || typeof opts !== "object") throw new NlkitInputError(`${key} must be an object`, key);
  if (!slave) {
    const data = def.change!(opts, ctx);
    return Object.values(data).some((v) => v !== undefined) ? { kind: def.kind, data } : { kind: def.kind };
  }
  const data = def.slaveChange!(opts, ctx);
  if (!Object.values(data).some((v) => v !== undefined)) return { kind: `${def.kind}_slave` };
  // the slave data's table is chosen by IFLA_INFO_SLAVE_KIND, which ip does not send: encode it here
  const w = new NlWriter(64);
  encodeAttrs(w, def.slaveData!, data);
  return { kind: `${def.kind}_slave`, slaveData: w.take() };
}
