import { decodeAttrs, decodeAttrValue, forEachAttr, INVALID, keepRaw, type AttrValues, type RawAttr } from "../../netlink/attrs.js";
import { NLA_F_NESTED, NLA_HDRLEN, NLA_TYPE_MASK, NLMSG_HDRLEN } from "../../netlink/constants.js";
import { NetlinkParseError } from "../../netlink/errors.js";
import { retainingDecoder } from "../../netlink/decoder.js";
import { checkMessageBounds } from "../../netlink/message.js";
import { ifinfomsg } from "../headers.js";
import { linkAttrs } from "./attrs.js";
import { bridgeLinkAttrs, bridgePortAttrs, brportStates } from "./kinds/bridge.js";
import { AF_BRIDGE } from "../types.js";
import "./kinds/index.js";
import type { Link } from "./types.js";

// ip's print order for ifi_flags (iproute2 print_link_flags), RUNNING folded into NO-CARRIER.
const IFF_UP = 0x1;
const IFF_RUNNING = 0x40;
const FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [0x8, "LOOPBACK"], [0x2, "BROADCAST"], [0x10, "POINTOPOINT"], [0x1000, "MULTICAST"], [0x80, "NOARP"],
  [0x200, "ALLMULTI"], [0x100, "PROMISC"], [0x400, "MASTER"], [0x800, "SLAVE"], [0x4, "DEBUG"],
  [0x8000, "DYNAMIC"], [0x4000, "AUTOMEDIA"], [0x2000, "PORTSEL"], [0x20, "NOTRAILERS"], [0x1, "UP"],
  [0x10000, "LOWER_UP"], [0x20000, "DORMANT"], [0x40000, "ECHO"],
];

export function flagNames(flags: number): string[] {
  const out: string[] = [];
  if (flags & IFF_UP && !(flags & IFF_RUNNING)) out.push("NO-CARRIER");
  let rest = flags & ~IFF_RUNNING;
  for (const [bit, name] of FLAG_NAMES) {
    if (rest & bit) {
      out.push(name);
      rest &= ~bit;
    }
  }
  if (rest) out.push(rest.toString(16));
  return out;
}

/** ARPHRD_* to ip's link_type names (iproute2 ll_types.c). */
const LINK_TYPES = new Map<number, string>([
  [0, "netrom"], [1, "ether"], [2, "eether"], [3, "ax25"], [4, "pronet"], [5, "chaos"], [6, "ieee802"],
  [7, "arcnet"], [8, "atalk"], [15, "dlci"], [19, "atm"], [23, "metricom"], [24, "ieee1394"], [27, "eui64"],
  [32, "infiniband"], [256, "slip"], [257, "cslip"], [258, "slip6"], [259, "cslip6"], [260, "rsrvd"],
  [264, "adapt"], [270, "rose"], [271, "x25"], [272, "hwx25"], [280, "can"], [290, "mctp"], [512, "ppp"],
  [513, "hdlc"], [516, "lapb"], [517, "ddcmp"], [518, "rawhdlc"], [519, "rawip"], [768, "ipip"],
  [769, "tunnel6"], [770, "frad"], [771, "skip"], [772, "loopback"], [773, "localtlk"], [774, "fddi"],
  [775, "bif"], [776, "sit"], [777, "ip/ddp"], [778, "gre"], [779, "pimreg"], [780, "hippi"], [781, "ash"],
  [782, "econet"], [783, "irda"], [784, "fcpp"], [785, "fcal"], [786, "fcpl"], [787, "fcfb"], [800, "tr"],
  [801, "tr+rh"], [802, "ieee802.11/fcs"], [803, "ieee802.11/radiotap"], [804, "ieee802.15.4"],
  [805, "ieee802.15.4/monitor"], [820, "phonet"], [821, "phonet_pipe"], [822, "caif"], [823, "gre6"],
  [824, "netlink"], [825, "6lowpan"], [826, "vsockmon"], [0xfffe, "none"], [0xffff, "void"],
]);

export function linkTypeName(type: number): string {
  return LINK_TYPES.get(type) ?? `[${type}]`;
}

interface LinkInfoValues {
  kind?: string;
  data?: Record<string, unknown> | Buffer;
  slaveKind?: string;
  slaveData?: Record<string, unknown> | Buffer;
}

type LinkOut = Link & { other?: Record<string, unknown> };

/**
 * One RTM_NEWLINK message to a Link, in one pass over the attributes. Values are read through
 * the IFLA table (decodeAttrValue) but stored by name at fixed sites rather than through a
 * generic `out[key] = v`: V8 turns objects grown by computed keys into dictionaries past a dozen
 * properties, and a link has ~40. That, and not copying an intermediate attribute object, took
 * a 2001-link dump from ~23 to a few us per link. Runs inside the socket's receive buffer:
 * every value is a copy.
 */
export function decodeLink(buf: Buffer, start: number, len: number): Link {
  return new LinkRecord(buf, start, len, false);
}

/**
 * decodeLink for the socket's retaining protocol: the lazily decoded parts read straight from the
 * datagram copy the socket hands over, instead of each link copying its bytes again (a copy per
 * link was ~15% of a 2001-link dump's time).
 */
export const decodeLinkRetaining = retainingDecoder((buf, start, len): Link => new LinkRecord(buf, start, len, true));

const IFLA_PROTINFO = bridgeLinkAttrs.byKey.get("protinfo")!.type;
const IFLA_AF_SPEC = bridgeLinkAttrs.byKey.get("afSpec")!.type;

/**
 * IFLA_PROTINFO of an AF_BRIDGE message: a bridge port's IFLA_BRPORT_* (NLA_F_NESTED), or from
 * kernels before 3.x a bare u8 STP state. A nest broken inside keeps what it can in `unknown`.
 * Undefined when neither shape fits.
 */
function bridgeProtinfo(buf: Buffer, ps: number, pe: number, rawType: number): AttrValues | undefined {
  if (!(rawType & NLA_F_NESTED)) {
    if (pe - ps !== 1) return undefined;
    const state = buf[ps]!;
    return { state: brportStates.names.get(state) ?? state };
  }
  try {
    return decodeAttrs(buf, ps, pe, bridgePortAttrs);
  } catch (e) {
    if (!(e instanceof NetlinkParseError)) throw e;
    const kept: AttrValues = {};
    keepRaw(kept, buf, ps, pe, rawType, `IFLA_PROTINFO: ${e.message}`);
    return kept;
  }
}

// AF_BRIDGE's IFLA_AF_SPEC goes where an AF_UNSPEC link has its AF_BRIDGE part, afSpec.bridge
const bridgeAfSpecDef = bridgeLinkAttrs.byKey.get("afSpec")!;

/**
 * The Link is built by a constructor rather than grown from a small literal: V8 sizes a
 * constructor's objects by the `this.x =` assignments it sees in its body (all of the switch
 * below) and trims the unused room after a few objects, so the ~40 properties sit inside the
 * object. Added one by one to a literal, they went to a side array reallocated every third
 * property (~1.5 KiB of garbage per link). Its prototype is Object.prototype: what it makes is
 * a plain object (constructor Object, same prototype as a literal).
 */
const LinkRecord = function LinkRecord(this: LinkOut, buf: Buffer, start: number, len: number, bufIsOwn: boolean): void {
  checkMessageBounds(buf, start, len);
  const end = start + len;
  const hs = start + NLMSG_HDRLEN;
  const hlen = end - hs;
  // ifinfomsg { family u8, pad u8, type u16, index s32, flags u32, change u32 }, read tolerantly
  const family = hlen >= 1 ? buf[hs]! : 0;
  const type = hlen >= 4 ? buf.readUInt16LE(hs + 2) : 0;
  const flags = hlen >= 12 ? buf.readUInt32LE(hs + 8) : 0;
  this.index = hlen >= 8 ? buf.readInt32LE(hs + 4) : 0;
  this.name = "";
  this.flags = flagNames(flags);
  this.ifiFlags = flags;
  this.up = (flags & IFF_UP) !== 0;
  this.linkType = linkTypeName(type);
  this.ifiType = type;
  const byType = linkAttrs.byType;
  const attrStart = hs + ((ifinfomsg.size + 3) & ~3);
  let lazyMask = 0;
  let off = attrStart;
  while (off + NLA_HDRLEN <= end) {
    const alen = buf.readUInt16LE(off);
    const rawType = buf.readUInt16LE(off + 2);
    if (alen < NLA_HDRLEN || off + alen > end) throw new NetlinkParseError(`link: bad attribute length ${alen}`, off);
    const t = rawType & NLA_TYPE_MASK;
    const ps = off + NLA_HDRLEN;
    const pe = off + alen;
    off += (alen + 3) & ~3;
    const def = byType[t];
    if (!def) { keepRaw(this, buf, ps, pe, rawType); continue; }
    if (t === IFLA_PROTINFO && family === AF_BRIDGE) {
      const p = bridgeProtinfo(buf, ps, pe, rawType);
      if (p) this.protinfo = p;
      else keepRaw(this, buf, ps, pe, rawType, `IFLA_PROTINFO: unexpected length ${pe - ps}`);
      continue;
    }
    const lazy = LAZY_BIT[t];
    if (lazy !== undefined) { lazyMask |= lazy; continue; }
    let v: any;
    try {
      v = decodeAttrValue(buf, def, ps, pe, rawType, EMPTY);
    } catch (e) {
      // a nest broken inside (linkinfo, xdp, prop list) costs that attribute, not the link
      if (!(e instanceof NetlinkParseError)) throw e;
      keepRaw(this, buf, ps, pe, rawType, `${def.uapi}: ${e.message}`);
      continue;
    }
    if (v === INVALID) { keepRaw(this, buf, ps, pe, rawType, `${def.uapi}: unexpected length ${pe - ps}`); continue; }
    switch (t) {
      case 1: this.address = v; break;
      case 2: this.broadcast = v; break;
      case 3: this.name = v; break;
      case 4: this.mtu = v; break;
      case 5: this.link = v; break;
      case 6: this.qdisc = v; break;
      case 10: this.master = v; break;
      case 13: this.txqlen = v; break;
      case 16: this.operstate = v; break;
      case 17: this.linkmode = v; break;
      case 18: {
        const li = v as LinkInfoValues;
        if (li.kind !== undefined) this.kind = li.kind;
        if (li.data !== undefined) this.infoData = li.data;
        if (li.slaveKind !== undefined) this.slaveKind = li.slaveKind;
        if (li.slaveData !== undefined) this.infoSlaveData = li.slaveData;
        break;
      }
      case 20: this.alias = v; break;
      case 21: this.numVf = v; break;
      case 27: this.group = v; break;
      case 30: this.promiscuity = v; break;
      case 31: this.numTxQueues = v; break;
      case 32: this.numRxQueues = v; break;
      case 33: this.carrier = v === 1; break;
      case 34: this.physPortId = v; break;
      case 35: this.carrierChanges = v; break;
      case 36: this.physSwitchId = v; break;
      case 37: this.linkNetnsid = v; break;
      case 38: this.physPortName = v; break;
      case 39: this.protoDown = v === 1; break;
      case 40: this.gsoMaxSegs = v; break;
      case 41: this.gsoMaxSize = v; break;
      case 43: this.xdp = v; break;
      case 47: this.carrierUpCount = v; break;
      case 48: this.carrierDownCount = v; break;
      case 50: this.minMtu = v; break;
      case 51: this.maxMtu = v; break;
      case 52: {
        const names = (v as { altIfname?: string[] }).altIfname;
        if (names) this.altNames = names;
        break;
      }
      case 53: (this.altNames ??= []).push(v); break;
      case 54: this.permAddress = v; break;
      case 56: this.parentDevName = v; break;
      case 57: this.parentDevBusName = v; break;
      case 58: this.groMaxSize = v; break;
      case 59: this.tsoMaxSize = v; break;
      case 60: this.tsoMaxSegs = v; break;
      case 61: this.allmulti = v; break;
      case 63: this.gsoIpv4MaxSize = v; break;
      case 64: this.groIpv4MaxSize = v; break;
    }
  }
  if (lazyMask) deferDecoding(this, buf, attrStart, end, lazyMask, bufIsOwn, family);
} as unknown as new (buf: Buffer, start: number, len: number, bufIsOwn: boolean) => LinkOut;
LinkRecord.prototype = Object.prototype;

// --- lazily decoded parts -------------------------------------------------------------------------
//
// Most of a link's bytes are counters few readers look at: IFLA_AF_SPEC (~800 bytes of devconf
// and IPv6 statistics), IFLA_STATS64, and the attributes outside the Link shape that go to
// `other` (IFLA_STATS, IFLA_MAP...). Decoding them for every link of a dump cost more than all
// the rest. They are decoded from a copy of the message's attributes when first read. The
// properties are own, enumerable accessors with shared functions (objects keep one shape), the
// state sits under a non-enumerable symbol: the Link compares, spreads and serialises as plain
// data. Assigning to one of them replaces it. Framing was checked by the eager pass; an
// attribute of `other` with an unexpected length lands in other.unknown.
//
// Per link, the lazy state is one object holding where its bytes are, and nothing else: the
// attributes are found again by walking the copy on first read (a few dozen headers), rather
// than recording spans during the eager pass. The copies go into shared slabs instead of one
// Buffer each: a Buffer per link (and an 8 KiB pool ArrayBuffer every few links) was a large
// part of the GC work of a big dump. The price: a link kept alive keeps its slab alive.
//
// Reading them never throws: the eager pass checked only the top-level framing, so a nest whose
// inside is broken is handed back raw where it would have gone (afSpec.unknown, other.unknown),
// with the reason, as the eager attributes are. A getter that throws would make JSON.stringify
// of a Link that list() returned fail.

const RAW = Symbol("nlkit.link.raw");
type LazyKey = "afSpec" | "stats64" | "other";
const AF_SPEC = 1, STATS64 = 2, OTHER = 4;
const PENDING: unique symbol = Symbol("pending");

class LazyParts {
  afSpec: unknown = PENDING;
  stats64: unknown = PENDING;
  other: unknown = PENDING;
  constructor(readonly bytes: Buffer, readonly start: number, readonly end: number, readonly family: number) {}
}

/** Attribute type -> the lazy property (bit) it belongs to. */
const LAZY_BIT: (number | undefined)[] = [];
const DIRECT = new Set([1, 2, 3, 4, 5, 6, 10, 13, 16, 17, 18, 20, 21, 27, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 43,
  47, 48, 50, 51, 52, 53, 54, 56, 57, 58, 59, 60, 61, 63, 64]);
for (const def of linkAttrs.defs()) {
  if (def.type === 26) LAZY_BIT[26] = AF_SPEC;
  else if (def.type === 23) LAZY_BIT[23] = STATS64;
  else if (!DIRECT.has(def.type)) LAZY_BIT[def.type] = OTHER;
}

function lazyDescriptor(key: LazyKey, type: number): PropertyDescriptor {
  return {
    get(this: { [RAW]: LazyParts }) {
      const raw = this[RAW];
      let v = raw[key];
      if (v === PENDING) v = raw[key] = type ? decodeOne(raw, type) : decodeOther(raw);
      return v;
    },
    set(this: { [RAW]: LazyParts }, v: unknown) {
      this[RAW][key] = v;
    },
    enumerable: true,
    configurable: true,
  };
}
const AF_SPEC_D = lazyDescriptor("afSpec", 26), STATS64_D = lazyDescriptor("stats64", 23), OTHER_D = lazyDescriptor("other", 0);

const SLAB_SIZE = 64 * 1024;
let slab = Buffer.allocUnsafeSlow(0);
let slabUsed = 0;

/** `bufIsOwn`: buf is a copy the link may keep (a retaining decoder's datagram), not the receive buffer. */
function deferDecoding(link: LinkOut, buf: Buffer, start: number, end: number, mask: number, bufIsOwn: boolean, family: number): void {
  if (bufIsOwn) {
    Object.defineProperty(link, RAW, { value: new LazyParts(buf, start, end, family) });
  } else {
    const len = end - start;
    if (slabUsed + len > slab.length) {
      slab = Buffer.allocUnsafeSlow(Math.max(SLAB_SIZE, len));
      slabUsed = 0;
    }
    buf.copy(slab, slabUsed, start, end);
    Object.defineProperty(link, RAW, { value: new LazyParts(slab, slabUsed, slabUsed + len, family) });
    slabUsed += (len + 7) & ~7;
  }
  // one defineProperty per key: Object.defineProperties with a ready map measured ~60% slower
  if (mask & STATS64) Object.defineProperty(link, "stats64", STATS64_D);
  if (mask & AF_SPEC) Object.defineProperty(link, "afSpec", AF_SPEC_D);
  if (mask & OTHER) Object.defineProperty(link, "other", OTHER_D);
}

function decodeOne(raw: LazyParts, type: number): unknown {
  const { bytes, end } = raw;
  let off = raw.start;
  while (off + NLA_HDRLEN <= end) {
    const alen = bytes.readUInt16LE(off);
    const rawType = bytes.readUInt16LE(off + 2);
    if ((rawType & NLA_TYPE_MASK) === type) {
      const bridgeAf = type === IFLA_AF_SPEC && raw.family === AF_BRIDGE;
      const def = bridgeAf ? bridgeAfSpecDef : linkAttrs.byType[type]!;
      const ps = off + NLA_HDRLEN, pe = off + alen;
      try {
        const v = decodeAttrValue(bytes, def, ps, pe, rawType, EMPTY);
        if (v === INVALID) return undefined;
        return bridgeAf ? { bridge: v } : v;
      } catch (e) {
        if (!(e instanceof NetlinkParseError)) throw e;
        const kept: { unknown?: RawAttr[] } = {};
        keepRaw(kept, bytes, ps, pe, rawType, `${def.uapi}: ${e.message}`);
        return kept;
      }
    }
    off += (alen + 3) & ~3;
  }
  return undefined;
}

function decodeOther(raw: LazyParts): Record<string, unknown> {
  const { bytes } = raw;
  const other: AttrValues = {};
  forEachAttr(bytes, raw.start, raw.end, (t, ps, pe, rawType) => {
    if (LAZY_BIT[t] !== OTHER) return;
    const def = linkAttrs.byType[t]!;
    let v: unknown;
    try {
      v = decodeAttrValue(bytes, def, ps, pe, rawType, EMPTY);
    } catch (e) {
      if (!(e instanceof NetlinkParseError)) throw e;
      keepRaw(other, bytes, ps, pe, rawType, `${def.uapi}: ${e.message}`);
      return;
    }
    if (v === INVALID) keepRaw(other, bytes, ps, pe, rawType, `${def.uapi}: unexpected length ${pe - ps}`);
    else if (def.multi) ((other[def.key] as unknown[] | undefined) ??= []).push(v);
    else other[def.key] = v;
  });
  return other;
}

const EMPTY: AttrValues = {};


export type { RawAttr };
