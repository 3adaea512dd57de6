import { attrSet, decodeAttrs } from "../netlink/attrs.js";
import { NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, NLMSG_HDRLEN } from "../netlink/constants.js";
import { NlkitInputError } from "../netlink/errors.js";
import { parseIp, parseLladdr, type IpFamily } from "../netlink/ip.js";
import { checkMessageBounds, type MessageDef } from "../netlink/message.js";
import { decodeStruct, encodeStruct, struct } from "../netlink/struct.js";
import type { NlWriter } from "../netlink/writer.js";
import type { Executor, RtnlContext } from "./context.js";
import { enumInput, flagNames, nudState } from "./enums.js";
import { ndmsg } from "./headers.js";
import { linkNames, nameOf } from "./names.js";
import { change } from "./verb.js";
import { AF_BRIDGE, AF_INET, AF_INET6, AF_UNSPEC, RTM_DELNEIGH, RTM_GETNEIGH, RTM_NAMES, RTM_NEWNEIGH } from "./types.js";

// --- tables (linux/neighbour.h) ------------------------------------------------------------------

export const ndaCacheinfo = struct("nda_cacheinfo", [["confirmed", "u32"], ["used", "u32"], ["updated", "u32"], ["refcnt", "u32"]]);

export const ndaAttrs = attrSet("neigh", "NDA_", {
  dst: [1, "ip"],
  lladdr: [2, "lladdr"],
  cacheinfo: [3, "struct", { struct: ndaCacheinfo }],
  probes: [4, "u32"],
  vlan: [5, "u16"],
  port: [6, "u16", { be: true }],
  vni: [7, "u32"],
  ifindex: [8, "u32"],
  master: [9, "u32"],
  linkNetnsid: [10, "s32"],
  srcVni: [11, "u32"],
  protocol: [12, "u8"],
  nhId: [13, "u32"],
  fdbExtAttrs: [14, "binary"],
  flagsExt: [15, "u32"],
  ndmStateMask: [16, "u16"],
  ndmFlagsMask: [17, "u8"],
});

export const ndmsgDef: MessageDef = { name: "ndmsg", header: ndmsg, attrs: ndaAttrs, typeNames: RTM_NAMES };

const NDA = { DST: 1, LLADDR: 2, VLAN: 5, PORT: 6, VNI: 7, IFINDEX: 8, MASTER: 9, SRC_VNI: 11, PROTOCOL: 12 } as const;

/** NTF_* bits of ndm_flags. */
export const NTF_FLAGS: ReadonlyArray<readonly [string, number]> = [
  ["use", 0x01], ["self", 0x02], ["master", 0x04], ["proxy", 0x08], ["extern_learn", 0x10],
  ["offload", 0x20], ["sticky", 0x40], ["router", 0x80],
];
const NTF = { SELF: 0x02, MASTER: 0x04, PROXY: 0x08, EXT_LEARNED: 0x10, STICKY: 0x40, ROUTER: 0x80 } as const;
const NUD = { REACHABLE: 0x02, NOARP: 0x40, PERMANENT: 0x80 } as const;

/** NUD_* bits in the order ip prints them. */
export const NUD_ORDER: ReadonlyArray<readonly [string, number]> = [
  ["incomplete", 0x01], ["reachable", 0x02], ["stale", 0x04], ["delay", 0x08], ["probe", 0x10],
  ["failed", 0x20], ["noarp", 0x40], ["permanent", 0x80],
];

export type NeighState = "permanent" | "reachable" | "stale" | "noarp" | "none" | "incomplete" | "delay" | "probe" | "failed";
/** Bridge fdb entries use the `bridge fdb` words: permanent (local), static, dynamic. */
export type FdbState = "permanent" | "local" | "static" | "temp" | "dynamic";

export interface NeighSpec {
  dev: string | number;
  /** The neighbour's IP address (required for IP neighbours; the VXLAN remote goes in `dst`). */
  to?: string;
  lladdr?: string;
  /** Default "permanent", like ip (and `bridge fdb`'s permanent for the bridge family). */
  state?: NeighState | FdbState | number;
  /** A proxy (published) entry, ip neigh add proxy. */
  proxy?: boolean;
  router?: boolean;
  /** NTF_EXT_LEARNED: learned by something outside the kernel. */
  extern?: boolean;
  /** 4, 6 or "bridge" for fdb entries; IP families follow `to` when not given. */
  family?: IpFamily | "bridge";
  protocol?: number;
  // bridge fdb
  self?: boolean;
  master?: boolean;
  sticky?: boolean;
  /** VXLAN remote (NDA_DST of an fdb entry). */
  dst?: string;
  vlan?: number;
  port?: number;
  vni?: number;
  srcVni?: number;
  /** Underlay device to reach dst (NDA_IFINDEX). */
  via?: string | number;
}

export interface NeighModifyOptions {
  replace?: boolean;
  /** CREATE|APPEND: another remote for the same MAC (vxlan head-end replication). */
  append?: boolean;
}

export interface NeighListFilter {
  dev?: string | number;
  family?: IpFamily | "bridge";
  /** Keep entries in any of these states (matched here; the kernel has no state filter). */
  state?: NeighState | NeighState[];
  /** The proxy table instead of the neighbour cache (ip neigh show proxy). */
  proxy?: boolean;
}

export interface Neigh {
  family: IpFamily | "bridge" | number;
  index: number;
  dev: string;
  dst?: string;
  lladdr?: string;
  /** Names of the NUD_* bits ("permanent", "reachable"...); [] for NUD_NONE. */
  state: string[];
  /** Names of the NTF_* bits ("proxy", "router", "self", "master", "extern_learn"...). */
  flags: string[];
  proxy: boolean;
  router: boolean;
  probes?: number;
  cacheinfo?: { confirmed: number; used: number; updated: number; refcnt: number };
  protocol?: number;
  vlan?: number;
  port?: number;
  vni?: number;
  srcVni?: number;
  /** NDA_IFINDEX of an fdb entry, as a name. */
  via?: string;
  master?: string;
  nhid?: number;
  rawState: number;
}

// --- request building --------------------------------------------------------------------------

interface NeighReq {
  family: number;
  ifindex: number;
  state: number;
  flags: number;
  dst?: Buffer;
  lladdr?: Buffer;
  bridge: boolean;
  vlan?: number;
  port?: number;
  vni?: number;
  srcVni?: number;
  via?: number;
  protocol?: number;
}

function intIn(v: unknown, field: string, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > max) throw new NlkitInputError(`invalid ${field} ${String(v)}`, field);
  return v;
}

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

function buildNeigh(ctx: RtnlContext, spec: NeighSpec): NeighReq {
  if (!spec || typeof spec !== "object") throw new NlkitInputError("neighbour spec must be an object", "dev");
  if (spec.dev === undefined) throw new NlkitInputError("dev is required", "dev");
  const bridge = spec.family === "bridge";
  const r: NeighReq = { family: AF_UNSPEC, ifindex: 0, state: 0, flags: 0, bridge };
  if (spec.lladdr !== undefined && spec.lladdr !== "null") {
    const ll = typeof spec.lladdr === "string" ? parseLladdr(spec.lladdr) : undefined;
    if (!ll) throw new NlkitInputError(`invalid lladdr "${String(spec.lladdr)}"`, "lladdr");
    r.lladdr = ll;
  }
  if (bridge) {
    r.family = AF_BRIDGE;
    if (!r.lladdr) throw new NlkitInputError("lladdr (the MAC) is required for fdb entries", "lladdr");
    r.state = fdbState(spec.state);
    if (spec.self) r.flags |= NTF.SELF;
    if (spec.master) r.flags |= NTF.MASTER;
    if (!(r.flags & (NTF.SELF | NTF.MASTER))) r.flags |= NTF.SELF;
    if (spec.sticky) r.flags |= NTF.STICKY;
    if (spec.dst !== undefined) {
      const ip = typeof spec.dst === "string" ? parseIp(spec.dst) : undefined;
      if (!ip) throw new NlkitInputError(`invalid dst "${String(spec.dst)}"`, "dst");
      r.dst = ip.bytes;
    }
    if (spec.vlan !== undefined) r.vlan = intIn(spec.vlan, "vlan", 4094);
    if (spec.port !== undefined) r.port = intIn(spec.port, "port", 0xffff);
    if (spec.vni !== undefined) r.vni = intIn(spec.vni, "vni", 0xffffff);
    if (spec.srcVni !== undefined) r.srcVni = intIn(spec.srcVni, "srcVni", 0xffffff);
    if (spec.via !== undefined) r.via = ctx.ifindex(spec.via, "via");
  } else {
    if (spec.to === undefined) throw new NlkitInputError("to (the neighbour's address) is required", "to");
    const ip = typeof spec.to === "string" ? parseIp(spec.to) : undefined;
    if (!ip) throw new NlkitInputError(`invalid address "${String(spec.to)}"`, "to");
    if (spec.family !== undefined && spec.family !== ip.family) {
      throw new NlkitInputError(`to ${spec.to} is IPv${ip.family} but family is ${String(spec.family)}`, "to");
    }
    for (const k of ["dst", "vlan", "port", "vni", "srcVni", "via", "self", "master", "sticky"] as const) {
      if (spec[k] !== undefined) throw new NlkitInputError(`${k} applies to bridge fdb entries (family: "bridge")`, k);
    }
    r.family = ip.family === 4 ? AF_INET : AF_INET6;
    r.dst = ip.bytes;
    r.state = spec.state !== undefined ? enumInput(nudState, spec.state, "state", 0xffff) : NUD.PERMANENT;
    if (spec.proxy) r.flags |= NTF.PROXY;
    if (spec.router) r.flags |= NTF.ROUTER;
  }
  if (spec.extern) r.flags |= NTF.EXT_LEARNED;
  if (spec.protocol !== undefined) r.protocol = intIn(spec.protocol, "protocol", 0xff);
  r.ifindex = ctx.ifindex(spec.dev, "dev");
  return r;
}

// ip neigh sends NDA_DST then NDA_LLADDR; bridge fdb the MAC first, then the remote and the
// vxlan extras in this order
function encodeNeigh(w: NlWriter, r: NeighReq): void {
  encodeStruct(w, ndmsg, { family: r.family, ifindex: r.ifindex, state: r.state, flags: r.flags });
  if (r.bridge) {
    if (r.lladdr) w.attrBytes(NDA.LLADDR, r.lladdr);
    if (r.dst) w.attrBytes(NDA.DST, r.dst);
    if (r.vlan !== undefined) w.attrU16(NDA.VLAN, r.vlan);
    if (r.port !== undefined) w.attrU16be(NDA.PORT, r.port);
    if (r.vni !== undefined) w.attrU32(NDA.VNI, r.vni);
    if (r.srcVni !== undefined) w.attrU32(NDA.SRC_VNI, r.srcVni);
    if (r.via !== undefined) w.attrU32(NDA.IFINDEX, r.via);
  } else {
    if (r.dst) w.attrBytes(NDA.DST, r.dst);
    if (r.lladdr) w.attrBytes(NDA.LLADDR, r.lladdr);
  }
  if (r.protocol !== undefined) w.attrU8(NDA.PROTOCOL, r.protocol);
}

// --- decoding ------------------------------------------------------------------------------------

export function decodeNeigh(buf: Buffer, start: number, len: number, names: ReadonlyMap<number, string>): Neigh | undefined {
  checkMessageBounds(buf, start, len);
  if (buf.readUInt16LE(start + 4) !== RTM_NEWNEIGH) return undefined;
  checkMessageBounds(buf, start, len, ndmsg);
  const h = decodeStruct(buf, start + NLMSG_HDRLEN, 12, ndmsg) as Record<string, number>;
  const a = decodeAttrs(buf, start + NLMSG_HDRLEN + 12, start + len, ndaAttrs) as Record<string, any>;
  const fam = h.family!;
  const n: Neigh = {
    family: fam === AF_INET ? 4 : fam === AF_INET6 ? 6 : fam === AF_BRIDGE ? "bridge" : fam,
    index: h.ifindex!, dev: nameOf(names, h.ifindex!),
    state: flagNames(h.state!, NUD_ORDER), flags: flagNames(h.flags!, NTF_FLAGS),
    proxy: (h.flags! & NTF.PROXY) !== 0, router: (h.flags! & NTF.ROUTER) !== 0, rawState: h.state!,
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
  if (a.ifindex !== undefined) n.via = nameOf(names, a.ifindex);
  if (a.master !== undefined) n.master = nameOf(names, a.master);
  if (a.nhId !== undefined) n.nhid = a.nhId;
  return n;
}

// --- verbs ---------------------------------------------------------------------------------------

export class NeighApi {
  constructor(protected readonly ctx: RtnlContext, protected readonly exec: Executor) {}

  /** `ip neigh add` / `bridge fdb add` (family "bridge"); { replace } or { append } too. */
  add(spec: NeighSpec, opts: NeighModifyOptions = {}): Promise<void> {
    return change(this.exec, () => {
      if (opts.replace && opts.append) throw new NlkitInputError("replace and append exclude each other", "replace");
      const r = buildNeigh(this.ctx, spec);
      const flags = NLM_F_CREATE | (opts.replace ? NLM_F_REPLACE : opts.append ? NLM_F_APPEND : NLM_F_EXCL);
      return { type: RTM_NEWNEIGH, flags, def: ndmsgDef, encode: (w: NlWriter) => encodeNeigh(w, r) };
    });
  }

  replace(spec: NeighSpec): Promise<void> {
    return this.add(spec, { replace: true });
  }

  append(spec: NeighSpec): Promise<void> {
    return this.add(spec, { append: true });
  }

  /** `ip neigh del ADDR dev DEV` / `bridge fdb del MAC dev DEV [dst IP]`. */
  del(spec: NeighSpec): Promise<void> {
    return change(this.exec, () => {
      const r = buildNeigh(this.ctx, spec);
      return { type: RTM_DELNEIGH, def: ndmsgDef, encode: (w: NlWriter) => encodeNeigh(w, r) };
    });
  }

  /**
   * Neighbours (or, with proxy, proxy entries; with family "bridge", fdb entries), filtered by
   * the kernel on device, here on state. Unlike `ip neigh show`, NOARP entries are not hidden.
   * Reads go straight to the socket, even from a batch.
   */
  async list(filter: NeighListFilter = {}): Promise<Neigh[]> {
    const bridge = filter.family === "bridge";
    const family = bridge ? AF_BRIDGE : filter.family === 4 ? AF_INET : filter.family === 6 ? AF_INET6 : AF_UNSPEC;
    if (filter.family !== undefined && !bridge && family === AF_UNSPEC) {
      throw new NlkitInputError(`invalid family ${String(filter.family)}`, "family");
    }
    if (bridge && filter.proxy) throw new NlkitInputError("proxy entries are IP neighbours, not fdb entries", "proxy");
    const ifindex = filter.dev !== undefined ? this.ctx.ifindex(filter.dev) : 0;
    const states = filter.state === undefined ? undefined
      : (Array.isArray(filter.state) ? filter.state : [filter.state]).reduce((m, s) => m | enumInput(nudState, s, "state"), 0);
    const names = linkNames(this.ctx);
    const rows = await this.ctx.socket.dump({
      type: RTM_GETNEIGH,
      def: ndmsgDef,
      encode: (w) => {
        // the neighbour dump takes the device as NDA_IFINDEX (strict checking refuses it in the
        // header); the fdb dump takes the bridge port in the header
        encodeStruct(w, ndmsg, { family, ifindex: bridge ? ifindex : 0, flags: filter.proxy ? NTF.PROXY : 0 });
        if (!bridge && ifindex) w.attrU32(NDA.IFINDEX, ifindex);
      },
    }, (buf, start, len) => decodeNeigh(buf, start, len, names), { retries: 2 });
    return rows.filter((n): n is Neigh => n !== undefined
      && (states === undefined || (states === 0 ? n.rawState === 0 : (n.rawState & states) !== 0)));
  }
}

export { buildNeigh, encodeNeigh };
