import { decodeParts } from "../../netlink/compiled.js";
import type { Decoder } from "../../netlink/decoder.js";
import { NetlinkError, NlkitInputError } from "../../netlink/errors.js";
import { parseIp, parseLladdr, type IpFamily } from "../../netlink/ip.js";
import { tableRequest, type CallOptions, type Request } from "../../netlink/socket.js";
import type { StructValue } from "../../netlink/struct.js";
import type { BuildContext } from "../context.js";
import { enumInput, flagNames, nudState } from "../enums.js";
import { addressIn, familyOf, intIn, objectIn } from "../input.js";
import { nameOf } from "../names.js";
import { AF_BRIDGE, AF_INET, AF_INET6, AF_UNSPEC, RTM_DELNEIGH, RTM_GETNEIGH, RTM_NEWNEIGH } from "../types.js";
import { addFlags, ObjectVerbs, type AddOptions } from "../verb.js";
import { NTF, NTF_FLAGS, NUD, NUD_ORDER, ndmsgDef } from "./table.js";

/**
 * A neighbour's NUD state in `ip neigh`'s words.
 *
 * @example
 * ```ts
 * const state: NeighState = "reachable";
 * await rt.neigh.replace({ dev: "veth0", to: "192.0.2.2", lladdr: "02:00:00:00:00:02", state });   // nud reachable
 * const stale = await rt.neigh.list({ state: "stale" });
 * ```
 */
export type NeighState = "permanent" | "reachable" | "stale" | "noarp" | "none" | "incomplete" | "delay" | "probe" | "failed";
/** Bridge fdb entries use the `bridge fdb` words: permanent (local), static, dynamic. */
export type FdbState = "permanent" | "local" | "static" | "temp" | "dynamic";

/**
 * A neighbour (`ip neigh add ADDR lladdr MAC dev DEV nud STATE`) or, with `family: "bridge"`, a bridge
 * fdb entry (`bridge fdb add MAC dev DEV dst ADDR`).
 *
 * @example
 * ```ts
 * await rt.neigh.add({ dev: "veth1", to: "10.0.0.2", lladdr: "02:00:00:00:00:02", state: "permanent" });
 * ```
 */
export interface NeighSpec {
  /** The device, by name or index. */
  dev: string | number;
  /** The neighbour's IP address (required for IP neighbours; the VXLAN remote goes in `dst`). */
  to?: string;
  /** The link-layer address (ip's lladdr). */
  lladdr?: string;
  /** Default "permanent", like ip (and `bridge fdb`'s permanent for the bridge family). */
  state?: NeighState | FdbState | number;
  /** A proxy (published) entry, ip neigh add proxy. */
  proxy?: boolean;
  /** Mark the neighbour as a router (IPv6). */
  router?: boolean;
  /** NTF_EXT_LEARNED: learned by something outside the kernel. */
  extern?: boolean;
  /** 4, 6 or "bridge" for fdb entries; IP families follow `to` when not given. */
  family?: IpFamily | "bridge";
  /** Who installs the entry (ip's protocol). */
  protocol?: number;
  // bridge fdb
  /** `bridge fdb ... self`: the entry goes to the device itself (a VXLAN's fdb). */
  self?: boolean;
  /** `bridge fdb ... master`: the entry goes to the bridge above the port. */
  master?: boolean;
  /** `bridge fdb ... sticky`: the entry never moves to another port. */
  sticky?: boolean;
  /** VXLAN remote (NDA_DST of an fdb entry). */
  dst?: string;
  /** The bridge VLAN. */
  vlan?: number;
  /** The VXLAN destination port. */
  port?: number;
  /** The VXLAN VNI. */
  vni?: number;
  /** The source VNI. */
  srcVni?: number;
  /** Underlay device to reach dst (NDA_IFINDEX). */
  via?: string | number;
  /** `bridge fdb ... nhid NHID`: a nexthop group instead of dst, port and VNI (NDA_NH_ID). */
  nhid?: number;
  /** `bridge fdb ... use`: NTF_USE, the bridge refreshes the entry as if traffic had used it. */
  use?: boolean;
}

/**
 * add()'s second argument: replace, or append (another remote for the same MAC, vxlan head-end replication).
 *
 * @example
 * ```ts
 * const opts: NeighModifyOptions = { append: true };
 * // bridge fdb append: flood unknown MACs to one more VXLAN remote (head-end replication)
 * await rt.neigh.add({ family: "bridge", dev: "vxlan42", lladdr: "00:00:00:00:00:00", dst: "198.51.100.3" }, opts);
 * ```
 */
export type NeighModifyOptions = AddOptions;

/**
 * What `rt.neigh.list()` keeps: device, family (or "bridge" for the fdb), state, proxy entries.
 *
 * @example
 * ```ts
 * const filter: NeighListFilter = { dev: "veth0", state: ["stale", "failed"] };
 * console.log((await rt.neigh.list(filter)).length, "stale or failed");
 * await rt.neigh.flush(filter);   // ip neigh flush dev veth0 nud stale nud failed
 * const proxies = await rt.neigh.list({ proxy: true });   // ip neigh show proxy
 * ```
 */
export interface NeighListFilter {
  /** Only this device's entries (ip neigh show dev), by name or index; for the fdb, the bridge port. Filtered by the kernel. */
  dev?: string | number;
  /** 4 or 6 for that family's neighbours, "bridge" for the bridge fdb; absent means both IP families' neighbours. */
  family?: IpFamily | "bridge";
  /** Only the entries of devices enslaved to this master, by name or index (for the fdb, the bridge's own too: bridge fdb show br). Filtered by the kernel. */
  master?: string | number;
  /** Keep entries in any of these states (matched here; the kernel has no state filter). */
  state?: NeighState | NeighState[];
  /** The proxy table instead of the neighbour cache (ip neigh show proxy). */
  proxy?: boolean;
}

/**
 * `ip neigh get ADDR dev DEV`: one entry, looked up by the kernel.
 *
 * @example
 * ```ts
 * const spec: NeighGetSpec = { dev: "eth0", to: "fe80::1" };
 * try {
 *   const n = await rt.neigh.get(spec);
 *   console.log(n.lladdr, n.state.join(","), n.router);
 * } catch (e) {
 *   if (!(e instanceof NetlinkError && e.code === "ENOENT")) throw e;
 *   console.log("no entry for fe80::1 on eth0");
 * }
 * ```
 */
export interface NeighGetSpec {
  /** The device the entry is on, by name or index (required, as ip's dev). */
  dev: string | number;
  /** The neighbour's IPv4 or IPv6 address; its family picks the table. */
  to: string;
  /** Look the address up in the proxy table (ip neigh get proxy ADDR). */
  proxy?: boolean;
}

/**
 * A neighbour or bridge fdb entry as `rt.neigh.list()` returns it (`ip -j neigh`, `bridge -j fdb`
 * data).
 *
 * @example
 * ```ts
 * const neighs: Neigh[] = await rt.neigh.list({ dev: "eth0", family: 4 });
 * for (const n of neighs) console.log(n.dst, n.lladdr ?? "(none)", n.state.join(","));   // "192.0.2.1" "52:54:00:12:34:56" "reachable"
 * ```
 */
export interface Neigh {
  /** 4, 6, or "bridge" for fdb entries. */
  family: IpFamily | "bridge" | number;
  /** The device's ifindex. */
  index: number;
  /** The device's name. */
  dev: string;
  /** The neighbour's IP address (for fdb entries: the VXLAN remote). */
  dst?: string;
  /** The neighbour's link-layer address. */
  lladdr?: string;
  /** Names of the NUD_* bits ("permanent", "reachable"...); [] for NUD_NONE. */
  state: string[];
  /** Names of the NTF_* bits ("proxy", "router", "self", "master", "extern_learn"...). */
  flags: string[];
  /** A proxy entry (ip neigh show proxy). */
  proxy: boolean;
  /** The neighbour is a router (IPv6 NTF_ROUTER). */
  router: boolean;
  /** How many probes were sent. */
  probes?: number;
  /** Ages in clock ticks: confirmed, used, updated; and references. */
  cacheinfo?: {
    /** Clock ticks (USER_HZ, usually centiseconds) since the neighbour was last confirmed reachable (ndm_confirmed). */
    confirmed: number;
    /** Clock ticks (USER_HZ) since the entry was last used (ndm_used). */
    used: number;
    /** Clock ticks (USER_HZ) since the entry's state last changed (ndm_updated). */
    updated: number;
    /** References held on the entry besides the table's own (ndm_refcnt; ip -s neigh's ref). */
    refcnt: number;
  };
  /** Who installed the entry. */
  protocol?: number;
  /** The bridge VLAN of an fdb entry. */
  vlan?: number;
  /** The VXLAN destination port. */
  port?: number;
  /** The VXLAN VNI. */
  vni?: number;
  /** The source VNI (collect-metadata devices). */
  srcVni?: number;
  /** NDA_IFINDEX of an fdb entry, as a name. */
  via?: string;
  /** The ifindex to reach the VXLAN remote through. */
  viaIndex?: number;
  /** The bridge an fdb entry belongs to. */
  master?: string;
  /** The bridge's ifindex. */
  masterIndex?: number;
  /** The nexthop group id of an fdb entry. */
  nhid?: number;
  /** The NUD_* bits as the kernel sent them. */
  rawState: number;
}

interface Parts {
  header: StructValue;
  attrs: Record<string, unknown>;
}

const SPEC_KEYS = new Set(["dev", "to", "lladdr", "state", "proxy", "router", "extern", "family", "protocol", "self", "master", "sticky", "dst", "vlan", "port", "vni", "srcVni", "via", "nhid", "use"]);
const FDB_ONLY = ["dst", "vlan", "port", "vni", "srcVni", "via", "self", "master", "sticky", "nhid", "use"] as const;

// --- input to ndmsg + NDA_* ----------------------------------------------------------------------

function fdbState(s: NeighSpec["state"]): number {
  if (typeof s === "number") return intIn(s, "state", 0xffff);
  // bridge fdb_modify: NOARP by default, "permanent" adds PERMANENT, "static" REACHABLE,
  // "dynamic" REACHABLE without NOARP; with neither, PERMANENT is assumed
  switch (s) {
    case undefined: case "permanent": case "local": return NUD.NOARP | NUD.PERMANENT;
    case "static": case "temp": return NUD.NOARP | NUD.REACHABLE;
    case "dynamic": return NUD.REACHABLE;
    default: throw new NlkitInputError(`invalid fdb state "${String(s)}" (permanent, static, dynamic)`, "state");
  }
}

/**
 * `ip neigh add/del` and `bridge fdb add/del` requests. ip neigh writes NDA_DST then NDA_LLADDR;
 * bridge fdb the MAC first, then the remote and the vxlan extras in this order.
 */
export function neighParts(spec: NeighSpec, b: BuildContext): Parts {
  const s = objectIn(spec, "neighbour spec", "dev") as unknown as NeighSpec;
  for (const k of Object.keys(s)) if (!SPEC_KEYS.has(k)) throw new NlkitInputError(`unknown neighbour option "${k}"`, k);
  if (s.dev === undefined) throw new NlkitInputError("dev is required", "dev");
  const bridge = s.family === "bridge";
  const header: StructValue = { family: AF_UNSPEC, ifindex: 0, state: 0, flags: 0 };
  const attrs: Record<string, unknown> = {};
  let lladdr: Buffer | undefined;
  if (s.lladdr !== undefined && s.lladdr !== "null") {
    lladdr = typeof s.lladdr === "string" ? parseLladdr(s.lladdr) : undefined;
    if (!lladdr) throw new NlkitInputError(`invalid lladdr "${String(s.lladdr)}"`, "lladdr");
  }
  let flags = 0;
  if (bridge) {
    header.family = AF_BRIDGE;
    if (!lladdr) throw new NlkitInputError("lladdr (the MAC) is required for fdb entries", "lladdr");
    header.state = fdbState(s.state);
    if (s.self) flags |= NTF.SELF;
    if (s.master) flags |= NTF.MASTER;
    if (!(flags & (NTF.SELF | NTF.MASTER))) flags |= NTF.SELF;
    if (s.sticky) flags |= NTF.STICKY;
    if (s.use) flags |= NTF.USE;
    if (s.router) flags |= NTF.ROUTER;
    attrs.lladdr = lladdr;
    if (s.dst !== undefined) attrs.dst = addressIn(s.dst, "dst").bytes;
    if (s.vlan !== undefined) attrs.vlan = intIn(s.vlan, "vlan", 4094);
    if (s.nhid !== undefined) attrs.nhId = intIn(s.nhid, "nhid", 0xffffffff);
    if (s.port !== undefined) attrs.port = intIn(s.port, "port", 0xffff);
    if (s.vni !== undefined) attrs.vni = intIn(s.vni, "vni", 0xffffff);
    if (s.srcVni !== undefined) attrs.srcVni = intIn(s.srcVni, "srcVni", 0xffffff);
    if (s.via !== undefined) attrs.ifindex = b.ifindex(s.via, "via");
  } else {
    if (s.to === undefined) throw new NlkitInputError("to (the neighbour's address) is required", "to");
    const ip = typeof s.to === "string" ? parseIp(s.to) : undefined;
    if (!ip) throw new NlkitInputError(`invalid address "${String(s.to)}"`, "to");
    if (s.family !== undefined && s.family !== ip.family) {
      throw new NlkitInputError(`to ${s.to} is IPv${ip.family} but family is ${String(s.family)}`, "to");
    }
    for (const k of FDB_ONLY) {
      if (s[k] !== undefined) throw new NlkitInputError(`${k} applies to bridge fdb entries (family: "bridge")`, k);
    }
    header.family = ip.family === 4 ? AF_INET : AF_INET6;
    attrs.dst = ip.bytes;
    if (lladdr) attrs.lladdr = lladdr;
    header.state = s.state !== undefined ? enumInput(nudState, s.state, "state", 0xffff) : NUD.PERMANENT;
    if (s.proxy) flags |= NTF.PROXY;
    if (s.router) flags |= NTF.ROUTER;
  }
  if (s.extern) flags |= NTF.EXT_LEARNED;
  header.flags = flags;
  if (s.protocol !== undefined) attrs.protocol = intIn(s.protocol, "protocol", 0xff);
  header.ifindex = b.ifindex(s.dev, "dev");
  return { header, attrs };
}

/** The RTM_DELNEIGH of a listed IP neighbour: family, device and address name it. */
function neighDeleteParts(n: Neigh): Parts {
  const ip = n.dst !== undefined ? parseIp(n.dst) : undefined;
  const header = { family: ip ? (ip.family === 4 ? AF_INET : AF_INET6) : AF_UNSPEC, ifindex: n.index, state: 0, flags: n.proxy ? NTF.PROXY : 0 };
  return { header, attrs: ip ? { dst: ip.bytes } : {} };
}

/**
 * The RTM_DELNEIGH of a listed fdb entry, as `bridge fdb del` sends it: the MAC and VLAN name a
 * bridge's entry, and a VXLAN device's remotes for one MAC differ only in dst, port, VNI and
 * via device; self or master says whose table it is in.
 */
function fdbDeleteParts(n: Neigh): Parts {
  const attrs: Record<string, unknown> = {};
  const mac = n.lladdr !== undefined ? parseLladdr(n.lladdr) : undefined;
  if (mac) attrs.lladdr = mac;
  const remote = n.dst !== undefined ? parseIp(n.dst) : undefined;
  if (remote) attrs.dst = remote.bytes;
  if (n.vlan !== undefined) attrs.vlan = n.vlan;
  if (n.port !== undefined) attrs.port = n.port;
  if (n.vni !== undefined) attrs.vni = n.vni;
  if (n.srcVni !== undefined) attrs.srcVni = n.srcVni;
  if (n.viaIndex !== undefined) attrs.ifindex = n.viaIndex;
  const flags = (n.flags.includes("master") ? NTF.MASTER : 0) | (n.flags.includes("self") ? NTF.SELF : 0);
  return { header: { family: AF_BRIDGE, ifindex: n.index, state: 0, flags }, attrs };
}

// --- ndmsg + NDA_* to Neigh ----------------------------------------------------------------------

interface NdmsgHeader { family?: number; ifindex?: number; state?: number; flags?: number; type?: number }

/** One RTM_NEWNEIGH (or DELNEIGH) as a Neigh, devices named "if<index>" until the caller resolves them. */
export const decodeNeigh: Decoder<Neigh | undefined> = (buf, start, len) => {
  const m = decodeParts<NdmsgHeader>(buf, start, len, ndmsgDef);
  if (m.type !== RTM_NEWNEIGH && m.type !== RTM_DELNEIGH) return undefined;
  const h = m.header;
  const a = m.attrs as Record<string, any>;
  const index = h.ifindex ?? 0, state = h.state ?? 0, flags = h.flags ?? 0;
  const n: Neigh = {
    family: familyOf(h.family), index, dev: `if${index}`,
    state: flagNames(state, NUD_ORDER), flags: flagNames(flags, NTF_FLAGS),
    proxy: (flags & NTF.PROXY) !== 0, router: (flags & NTF.ROUTER) !== 0, rawState: state,
  };
  if (a.dst !== undefined) n.dst = a.dst;
  if (a.lladdr !== undefined) n.lladdr = a.lladdr;
  if (a.probes !== undefined) n.probes = a.probes;
  if (a.cacheinfo) n.cacheinfo = a.cacheinfo;
  if (a.protocol !== undefined) n.protocol = a.protocol;
  if (a.vlan !== undefined) n.vlan = a.vlan;
  if (a.port !== undefined) n.port = a.port;
  if (a.vni !== undefined) n.vni = a.vni;
  if (a.srcVni !== undefined) n.srcVni = a.srcVni;
  if (a.ifindex !== undefined) { n.viaIndex = a.ifindex; n.via = `if${a.ifindex}`; }
  if (a.master !== undefined) { n.masterIndex = a.master; n.master = `if${a.master}`; }
  if (a.nhId !== undefined) n.nhid = a.nhId;
  return n;
};

/** Fills in device names; indexes with no device here stay "if<index>", as ip prints them. */
export function nameNeighs(list: readonly Neigh[], names: ReadonlyMap<number, string>): void {
  for (const n of list) {
    n.dev = nameOf(names, n.index);
    if (n.viaIndex !== undefined) n.via = nameOf(names, n.viaIndex);
    if (n.masterIndex !== undefined) n.master = nameOf(names, n.masterIndex);
  }
}

export function neighIndexes(list: readonly Neigh[]): number[] {
  const out: number[] = [];
  for (const n of list) {
    out.push(n.index);
    if (n.viaIndex !== undefined) out.push(n.viaIndex);
    if (n.masterIndex !== undefined) out.push(n.masterIndex);
  }
  return out;
}

function familyNumberOf(f: NeighListFilter["family"]): number {
  if (f === undefined) return AF_UNSPEC;
  if (f === "bridge") return AF_BRIDGE;
  if (f === 4) return AF_INET;
  if (f === 6) return AF_INET6;
  throw new NlkitInputError(`invalid family ${String(f)}`, "family");
}

// --- verbs ---------------------------------------------------------------------------------------

/**
 * ip neigh add/replace/append/del/get/show/flush and bridge fdb, over RTM_NEWNEIGH/DELNEIGH/GETNEIGH.
 *
 * @example
 * ```ts
 * await rt.neigh.replace({ dev: "veth0", to: "192.0.2.2", lladdr: "02:00:00:00:00:02" });   // nud permanent
 * const n = await rt.neigh.get({ dev: "veth0", to: "192.0.2.2" });
 * console.log(n.lladdr, n.state);   // "02:00:00:00:00:02" [ "permanent" ]
 * await rt.neigh.del({ dev: "veth0", to: "192.0.2.2" });
 * const fdb = await rt.neigh.list({ family: "bridge", dev: "vxlan42" });   // bridge fdb show dev vxlan42
 * ```
 */
export class NeighApi extends ObjectVerbs {
  /** `ip neigh add` / `bridge fdb add` (family "bridge"); { replace } or { append } too. */
  add(spec: NeighSpec, opts?: NeighModifyOptions): Promise<void> {
    let flags: number;
    try {
      flags = addFlags(opts, true);
    } catch (e) {
      return this.exec.fail(e);
    }
    return this.change((b) => this.request(RTM_NEWNEIGH, flags, neighParts(spec, b)), opts);
  }

  /** `ip neigh replace` / `bridge fdb replace`: adds the entry or overwrites the existing one. */
  replace(spec: NeighSpec, opts?: CallOptions): Promise<void> {
    return this.add(spec, { ...opts, replace: true });
  }

  /** `bridge fdb append`: another entry for the same MAC (e.g. one more VXLAN remote). */
  append(spec: NeighSpec, opts?: CallOptions): Promise<void> {
    return this.add(spec, { ...opts, append: true });
  }

  /** `ip neigh del ADDR dev DEV` / `bridge fdb del MAC dev DEV [dst IP]`. */
  del(spec: NeighSpec, opts?: CallOptions): Promise<void> {
    return this.change((b) => this.request(RTM_DELNEIGH, 0, neighParts(spec, b)), opts);
  }

  /** `ip neigh get ADDR dev DEV`: the kernel's entry for one neighbour, or ENOENT. */
  async get(spec: NeighGetSpec, opts?: CallOptions): Promise<Neigh> {
    const s = objectIn(spec, "neighbour get spec", "to") as unknown as NeighGetSpec;
    if (s.dev === undefined) throw new NlkitInputError("dev is required", "dev");
    const ip = addressIn(s.to, "to");
    const ifindex = await this.ctx.ifindex(s.dev, "dev", opts);
    const header = { family: ip.family === 4 ? AF_INET : AF_INET6, ifindex, flags: s.proxy ? NTF.PROXY : 0 };
    const rows = await this.readOne(tableRequest(ndmsgDef, RTM_GETNEIGH, 0, header, { dst: ip.bytes }), decodeNeigh, opts);
    const found = rows.filter((n): n is Neigh => n !== undefined);
    if (!found.length) throw new NetlinkError(2, { message: "neighbour lookup returned nothing" });
    nameNeighs(found, await this.ctx.names.resolve(neighIndexes(found), opts));
    return found[0]!;
  }

  /**
   * Neighbours (or, with proxy, proxy entries; with family "bridge", fdb entries), filtered by
   * the kernel on device, here on state. Unlike `ip neigh show`, NOARP entries are not hidden.
   * Reads go straight to the socket, even from a batch.
   */
  async list(filter: NeighListFilter = {}, opts?: CallOptions): Promise<Neigh[]> {
    const f = objectIn(filter, "list filter", "filter") as NeighListFilter;
    const bridge = f.family === "bridge";
    const family = familyNumberOf(f.family);
    if (bridge && f.proxy) throw new NlkitInputError("proxy entries are IP neighbours, not fdb entries", "proxy");
    const states = f.state === undefined ? undefined
      : (Array.isArray(f.state) ? f.state : [f.state]).reduce((m, s) => m | enumInput(nudState, s, "state"), 0);
    const ifindex = f.dev !== undefined ? await this.ctx.ifindex(f.dev, "dev", opts) : 0;
    // the neighbour dump takes the device as NDA_IFINDEX (strict checking refuses it in the
    // header); the fdb dump takes the bridge port in the header
    const header = { family, ifindex: bridge ? ifindex : 0, flags: f.proxy ? NTF.PROXY : 0 };
    const attrs: Record<string, number> = !bridge && ifindex ? { ifindex } : {};
    if (f.master !== undefined) attrs.master = await this.ctx.ifindex(f.master, "master", opts);
    const rows = await this.readDump(tableRequest(ndmsgDef, RTM_GETNEIGH, 0, header, attrs), decodeNeigh, opts);
    const found = rows.filter((n): n is Neigh => n !== undefined
      && (states === undefined || (states === 0 ? n.rawState === 0 : (n.rawState & states) !== 0)));
    nameNeighs(found, await this.ctx.names.resolve(neighIndexes(found), opts));
    return found;
  }

  /**
   * `ip neigh flush`: deletes what list(filter) finds, except, as ip does, permanent and NOARP
   * entries unless the filter names states. Resolves with how many.
   */
  flush(filter: NeighListFilter = {}, opts?: CallOptions): Promise<number> {
    const keepStatic = filter?.state === undefined;
    return this.flushAll(
      async () => (await this.list(filter, opts)).filter((n) => !keepStatic || (n.rawState & (NUD.PERMANENT | NUD.NOARP)) === 0),
      (n) => this.change(() => this.request(RTM_DELNEIGH, 0, n.family === "bridge" ? fdbDeleteParts(n) : neighDeleteParts(n)), opts),
    );
  }

  private request(type: number, flags: number, p: Parts): Request {
    return tableRequest(ndmsgDef, type, flags, p.header, p.attrs);
  }
}
