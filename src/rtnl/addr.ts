import { attrSet, decodeAttrs } from "../netlink/attrs.js";
import { NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, NLMSG_HDRLEN } from "../netlink/constants.js";
import { NlkitInputError } from "../netlink/errors.js";
import { networkOf, parseCidr, type Cidr, type IpFamily } from "../netlink/ip.js";
import { checkMessageBounds, type MessageDef } from "../netlink/message.js";
import type { Request } from "../netlink/socket.js";
import { decodeStruct, encodeStruct, struct } from "../netlink/struct.js";
import type { NlWriter } from "../netlink/writer.js";
import type { Executor, RtnlContext } from "./context.js";
import { enumInput, enumOutput, flagNames, flagValue, rtScope } from "./enums.js";
import { ifaddrmsg } from "./headers.js";
import { linkNames, nameOf } from "./names.js";
import { change, send } from "./verb.js";
import { AF_INET, AF_INET6, AF_UNSPEC, RTM_DELADDR, RTM_GETADDR, RTM_NAMES, RTM_NEWADDR } from "./types.js";

// --- tables (linux/if_addr.h) ---------------------------------------------------------------------

export const ifaCacheinfo = struct("ifa_cacheinfo", [["preferred", "u32"], ["valid", "u32"], ["cstamp", "u32"], ["tstamp", "u32"]]);

export const ifaAttrs = attrSet("ifaddr", "IFA_", {
  address: [1, "ip"],
  local: [2, "ip"],
  label: [3, "string"],
  broadcast: [4, "ip"],
  anycast: [5, "ip"],
  cacheinfo: [6, "struct", { struct: ifaCacheinfo }],
  multicast: [7, "ip"],
  flags: [8, "u32"],
  rtPriority: [9, "u32"],
  targetNetnsid: [10, "s32"],
  proto: [11, "u8"],
});

export const ifaddrDef: MessageDef = { name: "ifaddrmsg", header: ifaddrmsg, attrs: ifaAttrs, typeNames: RTM_NAMES };

const IFA = { ADDRESS: 1, LOCAL: 2, LABEL: 3, BROADCAST: 4, ANYCAST: 5, CACHEINFO: 6, FLAGS: 8, RT_PRIORITY: 9, PROTO: 11 } as const;

/** IFA_F_* in the order ip prints them (ipaddress.c ifa_flag_names); "temporary" is v6's "secondary". */
export const IFA_FLAGS: ReadonlyArray<readonly [string, number]> = [
  ["secondary", 0x01], ["nodad", 0x02], ["optimistic", 0x04], ["dadfailed", 0x08], ["home", 0x10],
  ["deprecated", 0x20], ["tentative", 0x40], ["permanent", 0x80], ["mngtmpaddr", 0x100],
  ["noprefixroute", 0x200], ["autojoin", 0x400], ["stable-privacy", 0x800],
];
const IFA_FLAG_INPUT: ReadonlyArray<readonly [string, number]> = [...IFA_FLAGS, ["temporary", 0x01]];

export const INFINITY_LIFE_TIME = 0xffffffff;

export type Lifetime = number | "forever";
export type AddrFlag = "nodad" | "noprefixroute" | "home" | "mngtmpaddr" | "autojoin" | "optimistic" | "secondary" | "temporary" | (string & {});

export interface AddrAddOptions {
  /** "+" computes it from the prefix like `ip addr add ... brd +`, "-" the network address. */
  broadcast?: "+" | "-" | string;
  anycast?: string;
  label?: string;
  scope?: "global" | "site" | "link" | "host" | number;
  /** The remote end of a point-to-point address, with its prefix ("10.0.0.2/32"). */
  peer?: string;
  flags?: AddrFlag[];
  validLft?: Lifetime;
  preferredLft?: Lifetime;
  /** IFA_RT_PRIORITY: the metric of the prefix route. */
  metric?: number;
  /** IFA_PROTO (address originator). */
  proto?: number;
  /** CREATE|REPLACE instead of CREATE|EXCL. */
  replace?: boolean;
}

export interface AddrDelOptions {
  peer?: string;
  label?: string;
}

export interface AddrListFilter {
  dev?: string | number;
  family?: IpFamily;
  scope?: string | number;
  /** Exact label, or a pattern with '*' (like ip's fnmatch). */
  label?: string;
}

export interface AddrCacheinfo { preferred: number; valid: number; cstamp: number; tstamp: number }

export interface Addr {
  family: IpFamily;
  index: number;
  dev: string;
  prefixlen: number;
  /** This host's address (IFA_LOCAL, or IFA_ADDRESS when the kernel sent only that). */
  local: string;
  /** IFA_ADDRESS: the peer on point-to-point links, else the same as local. */
  address: string;
  /** Set when address differs from local. */
  peer?: string;
  broadcast?: string;
  anycast?: string;
  label?: string;
  scope: string | number;
  /** Flag names (IFA_FLAGS, or the header's 8 bits); IPv6 "secondary" is called "temporary". */
  flags: string[];
  /** 4294967295 (INFINITY_LIFE_TIME) is "forever". */
  validLft: Lifetime;
  preferredLft: Lifetime;
  cacheinfo?: AddrCacheinfo;
  metric?: number;
  proto?: number;
}

// --- request building --------------------------------------------------------------------------

function cidrOf(text: unknown, field: string, family?: IpFamily): Cidr {
  if (typeof text !== "string") throw new NlkitInputError(`${field} must be an address string`, field);
  const c = parseCidr(text);
  if (!c) throw new NlkitInputError(`invalid address "${text}"`, field);
  if (family && c.family !== family) throw new NlkitInputError(`${field} ${text} is IPv${c.family}, the address is IPv${family}`, field);
  return c;
}

function lifetime(v: Lifetime | undefined, field: string): number {
  if (v === undefined || v === "forever") return INFINITY_LIFE_TIME;
  if (!Number.isInteger(v) || v < 0 || v > INFINITY_LIFE_TIME) throw new NlkitInputError(`invalid ${field} ${String(v)}`, field);
  return v;
}

function u32(v: number, field: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new NlkitInputError(`invalid ${field} ${v}`, field);
  return v;
}

function checkLabel(label: string, dev: string | number): void {
  if (Buffer.byteLength(label) >= 16) throw new NlkitInputError(`label "${label}" is longer than 15 bytes`, "label");
  // the kernel accepts any label, but ip insists it starts with the device name so that
  // ifconfig-era aliases ("eth0:1") keep working; keep the same guard
  if (typeof dev === "string" && !label.startsWith(dev)) {
    throw new NlkitInputError(`label "${label}" must begin with the device name "${dev}"`, "label");
  }
}

/** Broadcast for brd "+" (host bits set) or "-" (host bits clear), as ip computes it. */
function autoBroadcast(c: Cidr, plus: boolean): Buffer {
  const net = networkOf(c);
  if (!plus) return net;
  for (let bit = c.prefixlen; bit < net.length * 8; bit++) net[bit >> 3]! |= 0x80 >> (bit & 7);
  return net;
}

interface AddrRequest {
  family: number;
  prefixlen: number;
  flags: number;
  scope: number;
  index: number;
  local: Buffer;
  /** IFA_ADDRESS placed right after the label (peer) or after the flags (copy of local). */
  peer?: Buffer;
  addressCopy?: Buffer;
  label?: string;
  broadcast?: Buffer;
  brdAuto?: Buffer;
  anycast?: Buffer;
  metric?: number;
  ifaFlags?: number;
  cacheinfo?: [number, number];
  proto?: number;
}

// Attribute order follows what `ip addr add` sends for the same arguments, so that requests
// compare byte for byte with iproute2's.
function encodeAddr(w: NlWriter, r: AddrRequest): void {
  encodeStruct(w, ifaddrmsg, { family: r.family, prefixlen: r.prefixlen, flags: r.flags, scope: r.scope, index: r.index });
  w.attrBytes(IFA.LOCAL, r.local);
  if (r.label !== undefined) w.attrString(IFA.LABEL, r.label);
  if (r.peer) w.attrBytes(IFA.ADDRESS, r.peer);
  if (r.broadcast) w.attrBytes(IFA.BROADCAST, r.broadcast);
  if (r.anycast) w.attrBytes(IFA.ANYCAST, r.anycast);
  if (r.metric !== undefined) w.attrU32(IFA.RT_PRIORITY, r.metric);
  if (r.ifaFlags !== undefined) w.attrU32(IFA.FLAGS, r.ifaFlags);
  if (r.addressCopy) w.attrBytes(IFA.ADDRESS, r.addressCopy);
  if (r.brdAuto) w.attrBytes(IFA.BROADCAST, r.brdAuto);
  if (r.cacheinfo) {
    const s = w.beginAttr(IFA.CACHEINFO);
    w.u32(r.cacheinfo[0]);
    w.u32(r.cacheinfo[1]);
    w.zeros(8);
    w.endAttr(s);
  }
  if (r.proto !== undefined) w.attrU8(IFA.PROTO, r.proto);
}

function buildAdd(index: number, dev: string | number, cidr: string, o: AddrAddOptions): AddrRequest {
  const local = cidrOf(cidr, "address");
  const fam = local.family === 4 ? AF_INET : AF_INET6;
  const r: AddrRequest = { family: fam, prefixlen: local.prefixlen, flags: 0, scope: 0, index, local: local.bytes };
  let base = local;
  if (o.label !== undefined) {
    checkLabel(o.label, dev);
    r.label = o.label;
  }
  if (o.peer !== undefined) {
    const peer = cidrOf(o.peer, "peer", local.family);
    r.peer = peer.bytes;
    r.prefixlen = peer.prefixlen;
    base = peer;
  } else {
    r.addressCopy = local.bytes;
  }
  if (o.broadcast !== undefined) {
    if (local.family !== 4) throw new NlkitInputError("broadcast is IPv4 only", "broadcast");
    if (o.broadcast === "+" || o.broadcast === "-") r.brdAuto = autoBroadcast(base, o.broadcast === "+");
    else r.broadcast = cidrOf(o.broadcast, "broadcast", 4).bytes;
  }
  if (o.anycast !== undefined) r.anycast = cidrOf(o.anycast, "anycast", local.family).bytes;
  // ip's default_scope(): loopback addresses are host-scoped, everything else global
  r.scope = o.scope !== undefined ? enumInput(rtScope, o.scope, "scope")
    : local.family === 4 && local.bytes[0] === 127 ? 254 : 0;
  if (o.metric !== undefined) r.metric = u32(o.metric, "metric");
  const flags = o.flags ? flagValue(o.flags, IFA_FLAG_INPUT, "flags") : 0;
  if (flags > 0xff) r.ifaFlags = flags;
  else r.flags = flags;
  if (o.validLft !== undefined || o.preferredLft !== undefined) {
    const valid = lifetime(o.validLft, "validLft");
    const preferred = lifetime(o.preferredLft, "preferredLft");
    if (valid === 0) throw new NlkitInputError("validLft must not be zero", "validLft");
    if (valid < preferred) throw new NlkitInputError("preferredLft is greater than validLft", "preferredLft");
    r.cacheinfo = [preferred, valid];
  }
  if (o.proto !== undefined) {
    if (!Number.isInteger(o.proto) || o.proto < 0 || o.proto > 0xff) throw new NlkitInputError(`invalid proto ${o.proto}`, "proto");
    r.proto = o.proto;
  }
  return r;
}

function buildDel(index: number, dev: string | number, cidr: string, o: AddrDelOptions): AddrRequest {
  const local = cidrOf(cidr, "address");
  const r: AddrRequest = {
    family: local.family === 4 ? AF_INET : AF_INET6, prefixlen: local.prefixlen, flags: 0, scope: 0, index, local: local.bytes,
  };
  if (o.label !== undefined) {
    checkLabel(o.label, dev);
    r.label = o.label;
  }
  if (o.peer !== undefined) {
    const peer = cidrOf(o.peer, "peer", local.family);
    r.peer = peer.bytes;
    r.prefixlen = peer.prefixlen;
  } else if (local.family === 6 || cidr.includes("/")) {
    // an IPv4 address given without a prefix matches any prefix length: ip leaves IFA_ADDRESS
    // out so the kernel does not compare prefixes
    r.addressCopy = local.bytes;
  }
  return r;
}

// --- decoding ------------------------------------------------------------------------------------

function lft(v: number): Lifetime {
  return v === INFINITY_LIFE_TIME ? "forever" : v;
}

/** One RTM_NEWADDR to an Addr; `names` maps indexes to device names. */
export function decodeAddr(buf: Buffer, start: number, len: number, names: ReadonlyMap<number, string>): Addr {
  checkMessageBounds(buf, start, len, ifaddrmsg);
  const h = decodeStruct(buf, start + NLMSG_HDRLEN, 8, ifaddrmsg);
  const a = decodeAttrs(buf, start + NLMSG_HDRLEN + 8, start + len, ifaAttrs);
  const family: IpFamily = h.family === AF_INET6 ? 6 : 4;
  const local = (a.local ?? a.address ?? "") as string;
  const address = (a.address ?? a.local ?? "") as string;
  const index = h.index as number;
  const flagWord = (a.flags as number | undefined) ?? (h.flags as number);
  const out: Addr = {
    family, index, dev: nameOf(names, index), prefixlen: h.prefixlen as number, local, address,
    scope: enumOutput(rtScope, h.scope as number),
    flags: flagNames(flagWord, IFA_FLAGS).map((f) => (f === "secondary" && family === 6 ? "temporary" : f)),
    validLft: "forever", preferredLft: "forever",
  };
  if (address !== local) out.peer = address;
  if (a.broadcast) out.broadcast = a.broadcast as string;
  if (a.anycast) out.anycast = a.anycast as string;
  if (a.label !== undefined) out.label = a.label as string;
  const ci = a.cacheinfo as Record<string, number> | undefined;
  if (ci && ci.valid !== undefined) {
    out.cacheinfo = { preferred: ci.preferred!, valid: ci.valid, cstamp: ci.cstamp ?? 0, tstamp: ci.tstamp ?? 0 };
    out.validLft = lft(ci.valid);
    out.preferredLft = lft(ci.preferred!);
  }
  if (a.rtPriority !== undefined) out.metric = a.rtPriority as number;
  if (a.proto !== undefined) out.proto = a.proto as number;
  return out;
}

function labelMatches(pattern: string, label: string): boolean {
  if (!pattern.includes("*") && !pattern.includes("?")) return pattern === label;
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
  return re.test(label);
}

// --- verbs ---------------------------------------------------------------------------------------

export class AddrApi {
  constructor(protected readonly ctx: RtnlContext, protected readonly exec: Executor) {}

  /** `ip addr add CIDR dev DEV ...` (or `ip addr replace` with { replace: true }). */
  add(dev: string | number, address: string, opts: AddrAddOptions = {}): Promise<void> {
    let req: Request;
    try {
      const r = buildAdd(this.ctx.ifindex(dev), dev, address, opts);
      const flags = NLM_F_CREATE | (opts.replace ? NLM_F_REPLACE : NLM_F_EXCL);
      req = { type: RTM_NEWADDR, flags, def: ifaddrDef, encode: (w) => encodeAddr(w, r) };
    } catch (e) {
      return this.exec.fail(e);
    }
    return send(this.exec, req);
  }

  /** `ip addr replace`: create, or update the lifetimes/flags of an existing address. */
  replace(dev: string | number, address: string, opts: AddrAddOptions = {}): Promise<void> {
    return this.add(dev, address, { ...opts, replace: true });
  }

  /** `ip addr del CIDR dev DEV`. */
  del(dev: string | number, address: string, opts: AddrDelOptions = {}): Promise<void> {
    return change(this.exec, () => {
      const r = buildDel(this.ctx.ifindex(dev), dev, address, opts);
      return { type: RTM_DELADDR, def: ifaddrDef, encode: (w) => encodeAddr(w, r) };
    });
  }

  /**
   * Addresses, filtered by the kernel on device and family (strict checking), and here on
   * scope and label. One link dump per call maps indexes to names. Reads go straight to the
   * socket, even from a batch.
   */
  async list(filter: AddrListFilter = {}): Promise<Addr[]> {
    return this.listSync(filter);
  }

  private listSync(filter: AddrListFilter): Addr[] {
    const index = filter.dev !== undefined ? this.ctx.ifindex(filter.dev) : 0;
    const family = familyNumber(filter.family, "family");
    const scope = filter.scope !== undefined ? enumInput(rtScope, filter.scope, "scope") : undefined;
    const names = linkNames(this.ctx);
    const rows = this.ctx.socket.dumpSync({
      type: RTM_GETADDR,
      def: ifaddrDef,
      encode: (w) => encodeStruct(w, ifaddrmsg, { family, index }),
    }, (buf, start, len) => (buf.readUInt16LE(start + 4) === RTM_NEWADDR ? decodeAddr(buf, start, len, names) : undefined), { retries: 2 });
    return rows.filter((a): a is Addr => a !== undefined
      && (scope === undefined || enumInput(rtScope, a.scope, "scope") === scope)
      && (filter.label === undefined || labelMatches(filter.label, a.label ?? a.dev)));
  }

  /**
   * `ip addr flush`: deletes the listed addresses (secondaries first, so that removing a
   * primary cannot take them along and turn their own delete into an error). Returns how many.
   * From a batch, the deletes are queued before this returns.
   */
  flush(filter: AddrListFilter = {}): Promise<number> {
    let addrs: Addr[];
    try {
      addrs = this.listSync(filter);
    } catch (e) {
      return Promise.reject(e);
    }
    addrs.sort((x, y) => Number(y.flags.includes("secondary") || y.flags.includes("temporary"))
      - Number(x.flags.includes("secondary") || x.flags.includes("temporary")));
    const done = Promise.all(addrs.map((a) => {
      const local = parseCidr(a.local)!.bytes;
      const r: AddrRequest = {
        family: a.family === 4 ? AF_INET : AF_INET6, prefixlen: a.prefixlen, flags: 0, scope: 0, index: a.index, local,
        addressCopy: parseCidr(a.address)!.bytes,
      };
      return this.exec.run({ type: RTM_DELADDR, def: ifaddrDef, encode: (w) => encodeAddr(w, r) });
    })).then(() => addrs.length);
    // the batch outcome reports failed deletes: this promise may go unread
    if (this.exec.batched) done.catch(() => undefined);
    return done;
  }
}

export function familyNumber(f: IpFamily | "inet" | "inet6" | undefined, field: string): number {
  if (f === undefined) return AF_UNSPEC;
  if (f === 4 || f === "inet") return AF_INET;
  if (f === 6 || f === "inet6") return AF_INET6;
  throw new NlkitInputError(`invalid family ${String(f)} (expected 4 or 6)`, field);
}

// re-exported for the golden tests, which build requests without a kernel
export { buildAdd as buildAddrAdd, buildDel as buildAddrDel, encodeAddr };
