import { decodeParts } from "../../netlink/compiled.js";
import type { Decoder } from "../../netlink/decoder.js";
import { NlkitInputError } from "../../netlink/errors.js";
import { networkOf, parseCidr, type Cidr, type IpFamily } from "../../netlink/ip.js";
import { tableRequest, type CallOptions, type Request } from "../../netlink/socket.js";
import type { StructValue } from "../../netlink/struct.js";
import type { BuildContext } from "../context.js";
import { enumInput, enumOutput, flagNames, flagValue, rtScope } from "../enums.js";
import { cidrIn, familyNumber, ipFamilyNumber, objectIn, u32 } from "../input.js";
import { nameOf } from "../names.js";
import { RTM_DELADDR, RTM_GETADDR, RTM_NEWADDR } from "../types.js";
import { addFlags, ObjectVerbs, type AddOptions } from "../verb.js";
import { IFA_FLAG_INPUT, IFA_FLAGS, ifaddrDef, INFINITY_LIFE_TIME } from "./table.js";

/**
 * A valid or preferred lifetime in seconds, or "forever".
 *
 * @example
 * ```ts
 * const validLft: Lifetime = 3600;
 * const preferredLft: Lifetime = 1800;   // at most validLft; "forever" for both is the default
 * await rt.addr.replace({ dev: "veth0", address: "2001:db8::10/64", validLft, preferredLft });
 * const [a] = await rt.addr.list({ dev: "veth0", family: 6, scope: "global" });
 * console.log(a?.validLft === "forever" ? "permanent" : `${a?.validLft} s left`);
 * ```
 */
export type Lifetime = number | "forever";
/**
 * An address flag in `ip addr`'s words (nodad, noprefixroute, ...); other kernel flag names pass
 * through.
 *
 * @example
 * ```ts
 * const flags: AddrFlag[] = ["nodad", "noprefixroute"];
 * await rt.addr.add({ dev: "veth0", address: "2001:db8::10/64", flags });
 * ```
 */
export type AddrFlag = "nodad" | "noprefixroute" | "home" | "mngtmpaddr" | "autojoin" | "optimistic" | "secondary" | "temporary" | (string & {});

/**
 * What `ip addr add` takes besides the address and the device.
 *
 * @example
 * ```ts
 * const opts: AddrOptions = { scope: "link", flags: ["nodad"], validLft: 600, preferredLft: 300 };
 * await rt.addr.add({ dev: "veth0", address: "fe80::2/64", ...opts });
 * ```
 */
export interface AddrOptions {
  /** "+" computes it from the prefix like `ip addr add ... brd +`, "-" the network address. */
  broadcast?: "+" | "-" | string;
  /** An anycast address (IPv6). */
  anycast?: string;
  /** An IPv4 label ("veth1:web"); ip wants it to begin with the device name. */
  label?: string;
  /** "global" (default), "site", "link", "host" or a number. */
  scope?: "global" | "site" | "link" | "host" | number;
  /** The remote end of a point-to-point address, with its prefix ("10.0.0.2/32"). */
  peer?: string;
  /** ip addr's flags: "nodad", "noprefixroute", "home"... */
  flags?: AddrFlag[];
  /** Valid lifetime in seconds, or "forever" (default). */
  validLft?: Lifetime;
  /** Preferred lifetime in seconds, or "forever"; at most validLft. */
  preferredLft?: Lifetime;
  /** IFA_RT_PRIORITY: the metric of the prefix route. */
  metric?: number;
  /** IFA_PROTO (address originator). */
  proto?: number;
}

/**
 * An address on a device: add/replace/del's first argument.
 *
 * @example
 * ```ts
 * const spec: AddrSpec = { dev: "veth0", address: "192.0.2.1/24", broadcast: "+", label: "veth0:web" };
 * await rt.addr.add(spec);   // ip addr add 192.0.2.1/24 brd + label veth0:web dev veth0
 * await rt.addr.del({ dev: "veth0", address: "192.0.2.1/24" });
 * ```
 */
export interface AddrSpec extends AddrOptions {
  /** The device the address is on, by name or index (ip's dev). */
  dev: string | number;
  /** "10.0.0.1/24", "2001:db8::1/64"; without a prefix, a host address (/32, /128). */
  address: string;
}

/**
 * The third argument of the `add(dev, address, opts)` form.
 *
 * @example
 * ```ts
 * const opts: AddrAddOptions = { peer: "10.0.0.2/32", replace: true };
 * await rt.addr.add("wg0", "10.0.0.1", opts);   // ip addr replace 10.0.0.1 peer 10.0.0.2/32 dev wg0
 * ```
 */
export interface AddrAddOptions extends AddrOptions, AddOptions {}

/**
 * What narrows `rt.addr.del()` to one address when several share the local one (`peer`, `label`).
 *
 * @example
 * ```ts
 * const opts: AddrDelOptions = { peer: "10.0.0.2/32", timeoutMs: 2000 };
 * await rt.addr.del("wg0", "10.0.0.1", opts);   // ip addr del 10.0.0.1 peer 10.0.0.2/32 dev wg0
 * ```
 */
export interface AddrDelOptions extends CallOptions {
  /** The point-to-point peer, with its prefix ("10.0.0.2/32"), of the address to delete (ip addr del ... peer). */
  peer?: string;
  /** IPv4: the label of the address to delete ("veth1:web"; ip addr del ... label). */
  label?: string;
}

/**
 * What `rt.addr.list()` and `rt.addr.flush()` keep: device, family, scope and label.
 *
 * @example
 * ```ts
 * const filter: AddrListFilter = { family: 4, scope: "global", label: "veth0:*" };
 * console.log((await rt.addr.list(filter)).map((a) => `${a.local} ${a.label}`));   // ip -4 addr show scope global label 'veth0:*'
 * const removed = await rt.addr.flush({ dev: "veth0", family: 6, scope: "global" });
 * ```
 */
export interface AddrListFilter {
  /** Only this device's addresses (ip addr show dev), by name or index; filtered by the kernel. */
  dev?: string | number;
  /** 4 or 6 (ip -4 / -6); absent: both. */
  family?: IpFamily;
  /** Only addresses of this scope (ip addr show scope): "global", "site", "link", "host" or a number. */
  scope?: string | number;
  /** Exact label, or a pattern with '*' (like ip's fnmatch). */
  label?: string;
}

export interface AddrCacheinfo { preferred: number; valid: number; cstamp: number; tstamp: number }

/**
 * An address as `rt.addr.list()` returns it (`ip -j addr` data): family, local and peer addresses,
 * prefix length, scope, label, flags and lifetimes, with the device's index and name.
 *
 * @example
 * ```ts
 * const addrs: Addr[] = await rt.addr.list({ dev: "eth0", family: 6 });
 * for (const a of addrs) console.log(`${a.local}/${a.prefixlen}`, a.scope, a.flags, a.validLft);   // "2001:db8::5/64" "global" [ "noprefixroute" ] "forever"
 * ```
 */
export interface Addr {
  /** 4 or 6. */
  family: IpFamily;
  /** The device's ifindex. */
  index: number;
  /** The device's name. */
  dev: string;
  /** The prefix length (24 in 10.0.0.1/24). */
  prefixlen: number;
  /** This host's address (IFA_LOCAL, or IFA_ADDRESS when the kernel sent only that). */
  local: string;
  /** IFA_ADDRESS: the peer on point-to-point links, else the same as local. */
  address: string;
  /** Set when address differs from local. */
  peer?: string;
  /** The IPv4 broadcast address. */
  broadcast?: string;
  /** The anycast address, when one was set. */
  anycast?: string;
  /** The IPv4 label ("veth1:web"); defaults to the device name. */
  label?: string;
  /** "global", "link", "host" or a number. */
  scope: string | number;
  /** Flag names (IFA_FLAGS, or the header's 8 bits); IPv6 "secondary" is called "temporary". */
  flags: string[];
  /** 4294967295 (INFINITY_LIFE_TIME) is "forever". */
  validLft: Lifetime;
  /** Preferred lifetime left, in seconds, or "forever". */
  preferredLft: Lifetime;
  /** Lifetimes and creation/update timestamps as the kernel keeps them. */
  cacheinfo?: AddrCacheinfo;
  /** The prefix route's metric (ip's metric). */
  metric?: number;
  /** Who added the address (IFA_PROTO), when the kernel reports it. */
  proto?: number;
}

interface Parts {
  header: StructValue;
  attrs: Record<string, unknown>;
}

const ADD_KEYS = new Set(["dev", "address", "broadcast", "anycast", "label", "scope", "peer", "flags", "validLft", "preferredLft", "metric", "proto"]);

// --- input to ifaddrmsg + IFA_* ------------------------------------------------------------------

function lifetime(v: Lifetime | undefined, field: string): number {
  if (v === undefined || v === "forever") return INFINITY_LIFE_TIME;
  return u32(v, field);
}

function checkLabel(label: unknown, dev: string | number): string {
  if (typeof label !== "string" || Buffer.byteLength(label) >= 16) throw new NlkitInputError(`label "${String(label)}" must be a string of at most 15 bytes`, "label");
  // the kernel accepts any label, but ip insists it starts with the device name so that
  // ifconfig-era aliases ("eth0:1") keep working; keep the same guard
  if (typeof dev === "string" && !label.startsWith(dev)) {
    throw new NlkitInputError(`label "${label}" must begin with the device name "${dev}"`, "label");
  }
  return label;
}

/** Broadcast for brd "+" (host bits set) or "-" (host bits clear), as ip computes it. */
function autoBroadcast(c: Cidr, plus: boolean): Buffer {
  const net = networkOf(c);
  if (!plus) return net;
  for (let bit = c.prefixlen; bit < net.length * 8; bit++) net[bit >> 3]! |= 0x80 >> (bit & 7);
  return net;
}

function checkSpec(spec: unknown, keys: ReadonlySet<string>): AddrSpec {
  const s = objectIn(spec, "address spec", "address");
  for (const k of Object.keys(s)) if (!keys.has(k)) throw new NlkitInputError(`unknown option "${k}"`, k);
  if (s.dev === undefined) throw new NlkitInputError("dev is required", "dev");
  return s as unknown as AddrSpec;
}

/**
 * `ip addr add`'s request. Attributes go in the order ip writes them, so that requests compare
 * byte for byte with iproute2's: IFA_ADDRESS follows the label when it is a peer, and comes after
 * the flags when it repeats the local address; an explicit broadcast precedes IFA_ANYCAST, brd
 * +/- comes last but one.
 */
export function addrAddParts(spec: AddrSpec, b: BuildContext): Parts {
  const s = checkSpec(spec, ADD_KEYS);
  const local = cidrIn(s.address, "address");
  const header: StructValue = { family: ipFamilyNumber(local.family), prefixlen: local.prefixlen, flags: 0, scope: 0, index: 0 };
  const attrs: Record<string, unknown> = { local: local.bytes };
  if (s.label !== undefined) attrs.label = checkLabel(s.label, s.dev);
  let base = local;
  if (s.peer !== undefined) {
    const peer = cidrIn(s.peer, "peer", local.family);
    attrs.address = peer.bytes;
    header.prefixlen = peer.prefixlen;
    base = peer;
  }
  let brdAuto: Buffer | undefined;
  if (s.broadcast !== undefined) {
    if (local.family !== 4) throw new NlkitInputError("broadcast is IPv4 only", "broadcast");
    if (s.broadcast === "+" || s.broadcast === "-") brdAuto = autoBroadcast(base, s.broadcast === "+");
    else attrs.broadcast = cidrIn(s.broadcast, "broadcast", 4).bytes;
  }
  if (s.anycast !== undefined) attrs.anycast = cidrIn(s.anycast, "anycast", local.family).bytes;
  // ip's default_scope(): loopback addresses are host-scoped, everything else global
  header.scope = s.scope !== undefined ? enumInput(rtScope, s.scope, "scope")
    : local.family === 4 && local.bytes[0] === 127 ? 254 : 0;
  if (s.metric !== undefined) attrs.rtPriority = u32(s.metric, "metric");
  const flags = s.flags ? flagValue(s.flags, IFA_FLAG_INPUT, "flags") : 0;
  // the header has 8 bits; more need IFA_FLAGS
  if (flags > 0xff) attrs.flags = flags;
  else header.flags = flags;
  if (s.peer === undefined) attrs.address = local.bytes;
  if (brdAuto) attrs.broadcast = brdAuto;
  if (s.validLft !== undefined || s.preferredLft !== undefined) {
    const valid = lifetime(s.validLft, "validLft");
    const preferred = lifetime(s.preferredLft, "preferredLft");
    if (valid === 0) throw new NlkitInputError("validLft must not be zero", "validLft");
    if (valid < preferred) throw new NlkitInputError("preferredLft is greater than validLft", "preferredLft");
    attrs.cacheinfo = { preferred, valid };
  }
  if (s.proto !== undefined) attrs.proto = u32(s.proto, "proto", 0xff);
  header.index = b.ifindex(s.dev, "dev");
  return { header, attrs };
}

/** `ip addr del`'s request. */
export function addrDelParts(spec: AddrSpec, b: BuildContext): Parts {
  // the spec that added an address deletes it: only dev, address, peer and label select, the rest
  // (broadcast, lifetimes, flags...) is ignored as the kernel ignores it in ip addr del's request
  const s = checkSpec(spec, ADD_KEYS);
  const local = cidrIn(s.address, "address");
  const header: StructValue = { family: ipFamilyNumber(local.family), prefixlen: local.prefixlen, flags: 0, scope: 0, index: 0 };
  const attrs: Record<string, unknown> = { local: local.bytes };
  if (s.label !== undefined) attrs.label = checkLabel(s.label, s.dev);
  if (s.peer !== undefined) {
    const peer = cidrIn(s.peer, "peer", local.family);
    attrs.address = peer.bytes;
    header.prefixlen = peer.prefixlen;
  } else if (local.family === 6 || s.address.includes("/")) {
    // an IPv4 address given without a prefix matches any prefix length: ip leaves IFA_ADDRESS
    // out so the kernel does not compare prefixes
    attrs.address = local.bytes;
  }
  header.index = b.ifindex(s.dev, "dev");
  return { header, attrs };
}

// --- ifaddrmsg + IFA_* to Addr ----------------------------------------------------------------------

function lft(v: number): Lifetime {
  return v === INFINITY_LIFE_TIME ? "forever" : v;
}

interface IfaddrHeader { family?: number; prefixlen?: number; flags?: number; scope?: number; index?: number }

/**
 * One RTM_NEWADDR (or DELADDR) as an Addr, with `dev` left to the caller (names come later).
 * undefined for messages that are no address of an IP family.
 */
export const decodeAddr: Decoder<Addr | undefined> = (buf, start, len) => {
  const m = decodeParts<IfaddrHeader>(buf, start, len, ifaddrDef);
  const h = m.header;
  if ((m.type !== RTM_NEWADDR && m.type !== RTM_DELADDR) || (h.family !== 2 && h.family !== 10)) return undefined;
  const a = m.attrs as Record<string, any>;
  const family: IpFamily = h.family === 10 ? 6 : 4;
  const local: string = a.local ?? a.address ?? "";
  const address: string = a.address ?? a.local ?? "";
  const index = h.index ?? 0;
  const flagWord: number = a.flags ?? h.flags ?? 0;
  const out: Addr = {
    family, index, dev: `if${index}`, prefixlen: h.prefixlen ?? 0, local, address,
    scope: enumOutput(rtScope, h.scope ?? 0),
    flags: flagNames(flagWord, IFA_FLAGS).map((f) => (f === "secondary" && family === 6 ? "temporary" : f)),
    validLft: "forever", preferredLft: "forever",
  };
  if (address !== local) out.peer = address;
  if (a.broadcast !== undefined) out.broadcast = a.broadcast;
  if (a.anycast !== undefined) out.anycast = a.anycast;
  if (a.label !== undefined) out.label = a.label;
  const ci = a.cacheinfo as Partial<AddrCacheinfo> | undefined;
  if (ci && ci.valid !== undefined && ci.preferred !== undefined) {
    out.cacheinfo = { preferred: ci.preferred, valid: ci.valid, cstamp: ci.cstamp ?? 0, tstamp: ci.tstamp ?? 0 };
    out.validLft = lft(ci.valid);
    out.preferredLft = lft(ci.preferred);
  }
  if (a.rtPriority !== undefined) out.metric = a.rtPriority;
  if (a.proto !== undefined) out.proto = a.proto;
  return out;
};

function labelMatches(pattern: string, label: string): boolean {
  if (!pattern.includes("*") && !pattern.includes("?")) return pattern === label;
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
  return re.test(label);
}

/** Both call forms, (spec, opts) and ip's (dev, address, opts), to one spec and its options. */
function normalise<O extends object>(a: unknown, b: unknown, c: unknown): [AddrSpec, O | undefined] {
  if (typeof a === "string" || typeof a === "number") {
    const { replace, append, signal, timeoutMs, ...rest } = (c ?? {}) as Record<string, unknown>;
    const opts = { replace, append, signal, timeoutMs } as O;
    return [{ ...rest, dev: a, address: b } as AddrSpec, opts];
  }
  return [a as AddrSpec, b as O | undefined];
}

// --- verbs ---------------------------------------------------------------------------------------

/**
 * ip addr add/replace/del/show/flush, over RTM_NEWADDR/DELADDR/GETADDR.
 *
 * @example
 * ```ts
 * await rt.addr.add("veth0", "192.0.2.1/24");
 * await rt.addr.add({ dev: "veth0", address: "2001:db8::1/64", flags: ["nodad"] });
 * for (const a of await rt.addr.list({ dev: "veth0" })) console.log(`${a.local}/${a.prefixlen}`, a.scope);
 * const removed = await rt.addr.flush({ dev: "veth0", family: 4 });   // ip -4 addr flush dev veth0
 * ```
 */
export class AddrApi extends ObjectVerbs {
  /** `ip addr add ADDRESS dev DEV ...`: add({ dev, address, ... }, { replace? }) or add(dev, address, opts). */
  add(spec: AddrSpec, opts?: AddOptions): Promise<void>;
  add(dev: string | number, address: string, opts?: AddrAddOptions): Promise<void>;
  add(a: AddrSpec | string | number, b?: string | AddOptions, c?: AddrAddOptions): Promise<void> {
    let spec: AddrSpec, opts: AddOptions | undefined, flags: number;
    try {
      [spec, opts] = normalise<AddOptions>(a, b, c);
      flags = addFlags(opts, false);
    } catch (e) {
      return this.exec.fail(e);
    }
    return this.change((bc) => this.request(RTM_NEWADDR, flags, addrAddParts(spec, bc)), opts);
  }

  /** `ip addr replace`: create, or update the lifetimes/flags of an existing address. */
  replace(spec: AddrSpec, opts?: CallOptions): Promise<void>;
  replace(dev: string | number, address: string, opts?: AddrAddOptions): Promise<void>;
  replace(a: AddrSpec | string | number, b?: string | CallOptions, c?: AddrAddOptions): Promise<void> {
    if (typeof a === "string" || typeof a === "number") return this.add(a, b as string, { ...c, replace: true });
    return this.add(a, { ...(b as CallOptions | undefined), replace: true });
  }

  /**
   * `ip addr del ADDRESS dev DEV`: del({ dev, address, peer?, label? }) or del(dev, address, opts).
   * The spec given to add() deletes what it added: keys other than those four are accepted and
   * do not narrow the match.
   */
  del(spec: AddrSpec, opts?: CallOptions): Promise<void>;
  del(dev: string | number, address: string, opts?: AddrDelOptions): Promise<void>;
  del(a: AddrSpec | string | number, b?: string | CallOptions, c?: AddrDelOptions): Promise<void> {
    let spec: AddrSpec, opts: CallOptions | undefined;
    try {
      [spec, opts] = normalise<CallOptions>(a, b, c);
    } catch (e) {
      return this.exec.fail(e);
    }
    return this.change((bc) => this.request(RTM_DELADDR, 0, addrDelParts(spec, bc)), opts);
  }

  /**
   * Addresses, filtered by the kernel on device and family (strict checking), and here on
   * scope and label. Reads go straight to the socket, even from a batch.
   */
  async list(filter: AddrListFilter = {}, opts?: CallOptions): Promise<Addr[]> {
    const f = objectIn(filter, "list filter", "filter") as AddrListFilter;
    const index = f.dev !== undefined ? await this.ctx.ifindex(f.dev, "dev", opts) : 0;
    const family = familyNumber(f.family, "family");
    const scope = f.scope !== undefined ? enumInput(rtScope, f.scope, "scope") : undefined;
    const rows = await this.readDump(tableRequest(ifaddrDef, RTM_GETADDR, 0, { family, index }), decodeAddr, opts);
    const addrs = rows.filter((a): a is Addr => a !== undefined
      && (scope === undefined || enumInput(rtScope, a.scope, "scope") === scope));
    const names = await this.ctx.names.resolve(addrs.map((a) => a.index), opts);
    for (const a of addrs) a.dev = nameOf(names, a.index);
    return f.label === undefined ? addrs : addrs.filter((a) => labelMatches(f.label!, a.label ?? a.dev));
  }

  /**
   * `ip addr flush`: deletes the listed addresses (secondaries first, so that removing a
   * primary cannot take them along and turn their own delete into an error). Resolves with how
   * many. From a batch, the deletes are queued in the batch.
   */
  flush(filter: AddrListFilter = {}, opts?: CallOptions): Promise<number> {
    const secondary = (a: Addr) => Number(a.flags.includes("secondary") || a.flags.includes("temporary"));
    return this.flushAll(
      async () => (await this.list(filter, opts)).sort((x, y) => secondary(y) - secondary(x)),
      (a) => this.change(() => {
        const local = parseCidr(a.local)!;
        const address = parseCidr(a.address)!;
        return this.request(RTM_DELADDR, 0, {
          header: { family: ipFamilyNumber(a.family), prefixlen: a.prefixlen, flags: 0, scope: 0, index: a.index },
          attrs: { local: local.bytes, address: address.bytes },
        });
      }, opts),
    );
  }

  private request(type: number, flags: number, p: Parts): Request {
    return tableRequest(ifaddrDef, type, flags, p.header, p.attrs);
  }
}
