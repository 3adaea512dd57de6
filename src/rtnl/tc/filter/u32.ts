import { attrSet, type AttrValues } from "../../../netlink/attrs.js";
import { NlkitInputError } from "../../../netlink/errors.js";
import { parseCidr, parseLladdr } from "../../../netlink/ip.js";
import { decodeStruct, encodeStruct, struct } from "../../../netlink/struct.js";
import { NlWriter } from "../../../netlink/writer.js";
import { actAttrs } from "../action/index.js";
import { classid, formatClassid, formatU32Handle, u32Handle, u32Hash, u32Node, type Handle } from "../handle.js";
import { checkOptions, intOpt, num } from "../kind.js";
import { clsFlags, clsFlagsView, defineFilter, type FilterEncodeContext } from "./kind.js";
import { shown } from "../shown.js";

/** struct tc_u32_sel without its keys; each key is a struct tc_u32_key right after it. */
export const u32SelHead = struct("tc_u32_sel", [
  ["flags", "u8"], ["offshift", "u8"], ["nkeys", "u8"], ["_pad", "pad", 1], ["offmask", "u16be"], ["off", "u16"],
  ["offoff", "s16"], ["hoff", "s16"], ["hmask", "u32be"],
]);
export const u32Key = struct("tc_u32_key", [["mask", "u32be"], ["val", "u32be"], ["off", "s32"], ["offmask", "s32"]]);
export const u32Mark = struct("tc_u32_mark", [["val", "u32"], ["mask", "u32"], ["success", "u32"]]);
export const u32Pcnt = struct("tc_u32_pcnt", [["rcnt", "u64n"], ["rhit", "u64n"]]);

export const u32Attrs = attrSet("u32", "TCA_U32_", {
  classid: [1, "u32"],
  hash: [2, "u32"],
  link: [3, "u32"],
  divisor: [4, "u32"],
  /** tc_u32_sel and its keys (see u32SelHead, u32Key) */
  sel: [5, "binary"],
  police: [6, "binary"],
  act: [7, "array", { set: actAttrs }],
  indev: [8, "string"],
  pcnt: [9, "binary"],
  mark: [10, "struct", { struct: u32Mark }],
  flags: [11, "u32"],
  pad: [12, "binary"],
});

const TC_U32 = { terminal: 1, offset: 2, varoffset: 4, eat: 8 } as const;

/** A matched value: the number alone (all bits matter), or with its mask. */
export type Masked = number | { value: number; mask: number };

/**
 * One u32 match in tc's selectors (`match ip dst 10.0.0.2/32`, `match ip dport 80 0xffff`); all
 * matches of a filter must hold.
 *
 * @example
 * ```ts
 * const ssh: U32Match = { ip: { protocol: 6, dport: 22 } };   // match ip protocol 6 0xff match ip dport 22 0xffff
 * const lowdelay: U32Match = { ip: { tos: { value: 0x10, mask: 0xff } } };   // match ip tos 0x10 0xff
 * await rt.tc.filter.add({ dev: "eth0", parent: "1:", protocol: "ip", pref: 5, kind: "u32", u32: { match: [ssh], classid: "1:20" } });
 * await rt.tc.filter.add({ dev: "eth0", parent: "1:", protocol: "ip", pref: 6, kind: "u32", u32: { match: [lowdelay], classid: "1:20" } });
 * ```
 */
export interface U32Match {
  /** IPv4 header fields (tc's match ip ...); ports and ICMP fields assume a 20-byte header, as tc does. */
  ip?: {
    /** Source address or prefix ("192.0.2.0/24"; a bare address is /32). */
    src?: string;
    /** Destination address or prefix ("10.0.0.2/32"; a bare address is /32). */
    dst?: string;
    /** The TOS byte (tc's match ip tos); a bare number matches all 8 bits. */
    tos?: Masked;
    /** The same byte as tos, by its DiffServ name (tc's match ip dsfield). */
    dsfield?: Masked;
    /** The same byte as tos again (tc's match ip precedence): mask it with 0xe0 for the precedence bits. */
    precedence?: Masked;
    /** The header's first byte (tc's match ip ihl), version included: mask it with 0x0f for the header length in words. */
    ihl?: Masked;
    /** The IP protocol number (6 tcp, 17 udp, 1 icmp); a bare number matches all 8 bits. */
    protocol?: Masked;
    /** true: not a fragment, offset 0 and MF clear (tc's match ip nofrag). */
    nofrag?: boolean;
    /** true: the first fragment, MF set and offset 0 (tc's match ip firstfrag). */
    firstfrag?: boolean;
    /** true: the Don't Fragment bit is set (tc's match ip df). */
    df?: boolean;
    /** true: the More Fragments bit is set (tc's match ip mf). */
    mf?: boolean;
    /** The TCP/UDP destination port (tc's match ip dport); a bare number matches all 16 bits. */
    dport?: Masked;
    /** The TCP/UDP source port (tc's match ip sport); a bare number matches all 16 bits. */
    sport?: Masked;
    /** The ICMP type (tc's match ip icmp_type). */
    icmpType?: Masked;
    /** The ICMP code (tc's match ip icmp_code). */
    icmpCode?: Masked;
  };
  /** IPv6 header fields (tc's match ip6 ...); ports and ICMPv6 fields assume no extension headers, as tc does. */
  ip6?: {
    /** Source address or prefix ("2001:db8::/64"; a bare address is /128). */
    src?: string;
    /** Destination address or prefix ("2001:db8::1"; a bare address is /128). */
    dst?: string;
    /** The traffic class byte (tc's match ip6 priority); a bare number matches all 8 bits. */
    priority?: Masked;
    /** The Next Header of the fixed header (tc's match ip6 protocol): 6 tcp, 17 udp, 58 icmpv6. */
    protocol?: Masked;
    /** The header's first 32-bit word (tc's match ip6 flowlabel): mask it with 0x000fffff for the flow label alone. */
    flowlabel?: Masked;
    /** The TCP/UDP destination port (tc's match ip6 dport); a bare number matches all 16 bits. */
    dport?: Masked;
    /** The TCP/UDP source port (tc's match ip6 sport); a bare number matches all 16 bits. */
    sport?: Masked;
    /** The ICMPv6 type (tc's match ip6 icmp_type). */
    icmpType?: Masked;
    /** The ICMPv6 code (tc's match ip6 icmp_code). */
    icmpCode?: Masked;
  };
  /** TCP ports (tc's match tcp ...), read at the next header: that needs the offset a linking node's `offset` set, else they read the IP header's first bytes. */
  tcp?: {
    /** The source port; a bare number matches all 16 bits. */
    src?: Masked;
    /** The destination port; a bare number matches all 16 bits. */
    dst?: Masked;
  };
  /** UDP ports (tc's match udp ...), read at the next header like tcp's. */
  udp?: {
    /** The source port; a bare number matches all 16 bits. */
    src?: Masked;
    /** The destination port; a bare number matches all 16 bits. */
    dst?: Masked;
  };
  /** ICMP fields (tc's match icmp ...), read at the next header like tcp's. */
  icmp?: {
    /** The ICMP type (first byte of the next header). */
    type?: Masked;
    /** The ICMP code (second byte of the next header). */
    code?: Masked;
  };
  /** raw words at `at` bytes from the network header (or from the next header with `nexthdr`) */
  u32?: {
    /** The value to match, after masking. */
    value: number;
    /** The bits that matter. */
    mask: number;
    /** Byte offset, a multiple of 4 (tc's at N); default 0; negative reaches into the link-layer header. */
    at?: number;
    /** Count `at` from the next header (tc's at nexthdr+N) rather than the network header. */
    nexthdr?: boolean;
  };
  /** A raw 16-bit field (tc's match u16 VAL MASK at N). */
  u16?: {
    /** The value to match, after masking (16 bits). */
    value: number;
    /** The bits that matter (16 bits). */
    mask: number;
    /** Byte offset, even (tc's at N); default 0. */
    at?: number;
    /** Count `at` from the next header (tc's at nexthdr+N) rather than the network header. */
    nexthdr?: boolean;
  };
  /** A raw byte (tc's match u8 VAL MASK at N). */
  u8?: {
    /** The value to match, after masking (8 bits). */
    value: number;
    /** The bits that matter (8 bits). */
    mask: number;
    /** Byte offset (tc's at N); default 0. */
    at?: number;
    /** Count `at` from the next header (tc's at nexthdr+N) rather than the network header. */
    nexthdr?: boolean;
  };
  /** The packet's firewall mark (tc's match mark VAL MASK, TCA_U32_MARK); one per filter. */
  mark?: {
    /** The mark after masking; no bits outside `mask`. */
    value: number;
    /** The mark's bits that matter. */
    mask: number;
  };
  /** Ethernet addresses in the link-layer header (tc's match ether ...). */
  ether?: {
    /** Source MAC address ("02:00:00:00:00:01"). */
    src?: string;
    /** Destination MAC address. */
    dst?: string;
  };
}

/**
 * Options of the u32 classifier: its matches, where matching packets go, and hash table placement.
 *
 * @example
 * ```ts
 * const u32: U32Options = { match: [{ ip: { src: "192.0.2.0/24", protocol: 6 } }, { tcp: { dst: 80 } }], classid: "1:10" };
 * await rt.tc.filter.add({ dev: "eth0", parent: "1:", protocol: "ip", pref: 10, kind: "u32", u32 });
 * // tc filter add dev eth0 parent 1: protocol ip pref 10 u32 match ip src 192.0.2.0/24 match ip protocol 6 0xff match tcp dst 80 0xffff flowid 1:10
 * ```
 */
export interface U32Options {
  /** The selectors; all must hold. */
  match?: U32Match[];
  /** where matching packets go (tc's classid / flowid) */
  classid?: Handle;
  /** makes this node a hash table of that many buckets (a power of two up to 256) */
  divisor?: number;
  /** continue in this hash table ("2:") */
  link?: string;
  /** the hash table this node goes in ("800:") */
  ht?: string;
  /** node id within its bucket */
  order?: number;
  /** Which bits select the hash bucket (tc's hashkey mask M at N). */
  hashkey?: {
    /** The bits of the 32-bit word that pick the bucket (tc's hashkey mask M). */
    mask: number;
    /** Byte offset of that word from the network header (or where `eat` moved it), a multiple of 4 (tc's at N). */
    at: number;
  };
  /** Header offset for the next table (tc's offset): nested protocol headers. */
  offset?: {
    /** Constant bytes to the next header (tc's offset plus N); the kernel rounds the whole offset up to 4 bytes. */
    plus?: number;
    /** Byte offset of the 16-bit word the offset is read from, even (tc's offset at N). */
    at?: number;
    /** The bits of that word that hold it (tc's offset mask M, as written: 0x0f00 for the IHL). */
    mask?: number;
    /** How far the masked word is shifted right to give bytes (tc's offset shift S; 6 turns the IHL into bytes). */
    shift?: number;
    /** Move the base there for the linked table, so its plain offsets count from the next header too (tc's eat). */
    eat?: boolean;
  };
  /** Match packets that came in on this device. */
  indev?: string;
  /** Do not offload to hardware. */
  skipHw?: boolean;
  /** Only in hardware. */
  skipSw?: boolean;
}

type Key = { val: number; mask: number; off: number; offmask: number };

/** tc's pack_key: keys at the same offset merge, contradicting ones are refused. */
function packKey(keys: Key[], val: number, mask: number, off: number, offmask: number, field: string): void {
  const v = (val & mask) >>> 0;
  const hit = keys.find((k) => k.off === off && k.offmask === offmask);
  if (hit) {
    if (((v ^ hit.val) & mask & hit.mask) !== 0) throw new NlkitInputError(`${field}: contradicts an earlier match at offset ${off}`, field);
    hit.val = (hit.val | v) >>> 0;
    hit.mask = (hit.mask | mask) >>> 0;
    return;
  }
  if (keys.length >= 128) throw new NlkitInputError("u32: at most 128 match keys", field);
  if (off % 4) throw new NlkitInputError(`${field}: a 32-bit key at offset ${off} is not word-aligned`, field);
  keys.push({ val: v, mask: mask >>> 0, off, offmask });
}

function masked(v: Masked, bits: 8 | 16 | 32, field: string): [number, number] {
  const full = bits === 32 ? 0xffffffff : (1 << bits) - 1;
  const [value, mask] = typeof v === "number" ? [v, full] : v && typeof v === "object" ? [v.value, v.mask] : [NaN, NaN];
  return [intOpt(value, `${field}.value`, full), intOpt(mask, `${field}.mask`, full)];
}

function key32(keys: Key[], v: Masked, off: number, offmask: number, field: string) {
  const [val, mask] = masked(v, 32, field);
  packKey(keys, val, mask, off, offmask, field);
}

function key16(keys: Key[], v: Masked, off: number, offmask: number, field: string) {
  let [val, mask] = masked(v, 16, field);
  if ((off & 3) === 0) { val *= 0x10000; mask *= 0x10000; }
  packKey(keys, val, mask, off & ~3, offmask, field);
}

function key8(keys: Key[], v: Masked, off: number, offmask: number, field: string) {
  let [val, mask] = masked(v, 8, field);
  const shift = [24, 16, 8, 0][off & 3]!;
  val *= 2 ** shift;
  mask *= 2 ** shift;
  packKey(keys, val, mask, off & ~3, offmask, field);
}

function prefixKeys(keys: Key[], text: unknown, family: 4 | 6, off: number, field: string) {
  const c = typeof text === "string" ? parseCidr(text.includes("/") ? text : `${text}/${family === 4 ? 32 : 128}`, family) : undefined;
  if (!c || c.family !== family) throw new NlkitInputError(`invalid ${field} ${shown(text)} (an IPv${family} address or prefix)`, field);
  for (let i = 0; i < c.prefixlen; i += 32) {
    const word = c.bytes.readUInt32BE(i / 8);
    const bits = Math.min(32, c.prefixlen - i);
    const mask = bits === 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
    packKey(keys, word, mask, off + i / 8, 0, field);
  }
}

function etherKeys(keys: Key[], text: unknown, off: number, field: string) {
  const mac = typeof text === "string" ? parseLladdr(text) : undefined;
  if (!mac || mac.length !== 6) throw new NlkitInputError(`invalid ${field} ${shown(text)} (a MAC address)`, field);
  for (let i = 0; i < 6; i++) key8(keys, mac[i]!, off + i, 0, field);
}

const flagKey = (keys: Key[], on: unknown, val: number, mask: number, field: string) => {
  if (on !== true) throw new NlkitInputError(`${field} takes true`, field);
  key16(keys, { value: val, mask }, 6, 0, field);
};

/** One `match` entry's selector fields, in the order given, as tc's parse_selector packs them. */
function matchKeys(keys: Key[], m: U32Match, where: string): { mark?: { val: number; mask: number; success: number } } {
  const sels = Object.keys(m ?? {});
  if (!m || typeof m !== "object" || sels.length === 0) throw new NlkitInputError(`${where} must name a selector (ip, ip6, tcp, udp, icmp, u32, u16, u8, mark, ether)`, where);
  let mark: { val: number; mask: number; success: number } | undefined;
  for (const sel of sels) {
    const o = (m as Record<string, Record<string, unknown>>)[sel]!;
    const f = `${where}.${sel}`;
    const each = (allowed: readonly string[], fn: (k: string, v: unknown, field: string) => void) => {
      for (const [k, v] of Object.entries(checkOptions(o, allowed, f))) fn(k, v, `${f}.${k}`);
    };
    switch (sel) {
      case "ip":
        each(["src", "dst", "tos", "dsfield", "precedence", "ihl", "protocol", "nofrag", "firstfrag", "df", "mf", "dport", "sport", "icmpType", "icmpCode"], (k, v, field) => {
          switch (k) {
            case "src": return prefixKeys(keys, v, 4, 12, field);
            case "dst": return prefixKeys(keys, v, 4, 16, field);
            case "tos": case "dsfield": case "precedence": return key8(keys, v as Masked, 1, 0, field);
            case "ihl": return key8(keys, v as Masked, 0, 0, field);
            case "protocol": return key8(keys, v as Masked, 9, 0, field);
            case "nofrag": return flagKey(keys, v, 0, 0x3fff, field);
            case "firstfrag": return flagKey(keys, v, 0x2000, 0x3fff, field);
            case "df": return flagKey(keys, v, 0x4000, 0x4000, field);
            case "mf": return flagKey(keys, v, 0x2000, 0x2000, field);
            case "dport": return key16(keys, v as Masked, 22, 0, field);
            case "sport": return key16(keys, v as Masked, 20, 0, field);
            case "icmpType": return key8(keys, v as Masked, 20, 0, field);
            default: return key8(keys, v as Masked, 21, 0, field);
          }
        });
        break;
      case "ip6":
        each(["src", "dst", "priority", "protocol", "flowlabel", "dport", "sport", "icmpType", "icmpCode"], (k, v, field) => {
          switch (k) {
            case "src": return prefixKeys(keys, v, 6, 8, field);
            case "dst": return prefixKeys(keys, v, 6, 24, field);
            case "priority": {
              const [val, mask] = masked(v as Masked, 8, field);
              return packKey(keys, val * 2 ** 20, mask * 2 ** 20, 0, 0, field);
            }
            case "protocol": return key8(keys, v as Masked, 6, 0, field);
            case "flowlabel": return key32(keys, v as Masked, 0, 0, field);
            case "dport": return key16(keys, v as Masked, 42, 0, field);
            case "sport": return key16(keys, v as Masked, 40, 0, field);
            case "icmpType": return key8(keys, v as Masked, 40, 0, field);
            // tc's own quirk: this one carries offmask 1
            default: return key8(keys, v as Masked, 41, 1, field);
          }
        });
        break;
      case "tcp": case "udp":
        each(["src", "dst"], (k, v, field) => key16(keys, v as Masked, k === "src" ? 0 : 2, -1, field));
        break;
      case "icmp":
        each(["type", "code"], (k, v, field) => key8(keys, v as Masked, k === "type" ? 0 : 1, -1, field));
        break;
      case "u32": case "u16": case "u8": {
        const r = checkOptions(o, ["value", "mask", "at", "nexthdr"], f);
        const at = r.at === undefined ? 0 : intOpt(r.at, `${f}.at`, 0x7fffffff, -0x80000000);
        const offmask = r.nexthdr ? -1 : 0;
        const v = { value: r.value, mask: r.mask } as Masked;
        if (sel === "u32") key32(keys, v, at, offmask, f);
        else if (sel === "u16") key16(keys, v, at, offmask, f);
        else key8(keys, v, at, offmask, f);
        break;
      }
      case "mark": {
        const r = checkOptions(o, ["value", "mask"], f);
        const val = intOpt(r.value, `${f}.value`), mask = intOpt(r.mask, `${f}.mask`);
        if (((val & mask) >>> 0) !== val) throw new NlkitInputError(`${f}: value ${val} has bits outside mask ${mask}`, f);
        if (mark) throw new NlkitInputError(`${where}: one mark match per filter`, f);
        mark = { val, mask, success: 0 };
        break;
      }
      case "ether":
        each(["src", "dst"], (k, v, field) => etherKeys(keys, v, k === "src" ? -8 : -14, field));
        break;
      default:
        throw new NlkitInputError(`unknown u32 selector "${sel}" in ${where} (ip, ip6, tcp, udp, icmp, u32, u16, u8, mark, ether)`, f);
    }
  }
  return { mark };
}

function encode(o: U32Options | undefined, _b: unknown, f: FilterEncodeContext) {
  const v = checkOptions(o, ["match", "classid", "divisor", "link", "ht", "order", "hashkey", "offset", "indev", "skipHw", "skipSw"], "u32");
  let handle = f.handle === undefined ? 0 : u32Handle(f.handle, "handle");
  const keys: Key[] = [];
  const head = { flags: 0, offshift: 0, nkeys: 0, offmask: 0, off: 0, offoff: 0, hoff: 0, hmask: 0 };
  const attrs: Record<string, unknown> = {};
  let mark: { val: number; mask: number; success: number } | undefined;
  if (v.match !== undefined) {
    if (!Array.isArray(v.match)) throw new NlkitInputError("u32.match must be an array of selectors", "u32.match");
    v.match.forEach((m: U32Match, i: number) => {
      const r = matchKeys(keys, m, `u32.match[${i}]`);
      if (r.mark) {
        if (mark) throw new NlkitInputError("u32: one mark match per filter", `u32.match[${i}].mark`);
        mark = r.mark;
      }
    });
  }
  if (mark) attrs.mark = mark;
  if (v.divisor !== undefined) {
    const d = intOpt(v.divisor, "u32.divisor", 256, 1);
    if (d & (d - 1)) throw new NlkitInputError(`u32.divisor ${d} is not a power of two`, "u32.divisor");
    attrs.divisor = d;
  }
  if (v.link !== undefined) {
    const l = u32Handle(v.link, "u32.link");
    if (l && u32Node(l)) throw new NlkitInputError('u32: "link" must be a hash table', "u32.link");
    attrs.link = l;
  }
  if (v.indev !== undefined) {
    if (typeof v.indev !== "string" || v.indev === "" || Buffer.byteLength(v.indev) > 16) throw new NlkitInputError("u32.indev must be a device name", "u32.indev");
    attrs.indev = v.indev;
  }
  if (v.classid !== undefined) {
    attrs.classid = classid(v.classid, "u32.classid");
    head.flags |= TC_U32.terminal;
  }
  if (f.actions) {
    attrs.act = f.actions;
    head.flags |= TC_U32.terminal;
  }
  let htid = 0;
  if (v.ht !== undefined) {
    const ht = u32Handle(v.ht, "u32.ht");
    if (f.handle !== undefined && u32Node(ht)) throw new NlkitInputError('u32: "ht" must be a hash table', "u32.ht");
    htid = (ht & 0xfffff000) >>> 0;
  }
  if (v.order !== undefined) {
    const order = intOpt(v.order, "u32.order", 0xfff);
    if (u32Node(handle) && order !== u32Node(handle)) throw new NlkitInputError('u32: "order" contradicts "handle"', "u32.order");
    handle = (handle | order) >>> 0;
  }
  if (v.hashkey !== undefined) {
    const h = checkOptions(v.hashkey, ["mask", "at"], "u32.hashkey");
    if (h.mask !== undefined) head.hmask = intOpt(h.mask, "u32.hashkey.mask");
    if (h.at !== undefined) {
      head.hoff = intOpt(h.at, "u32.hashkey.at", 0x7fff, -0x8000);
      if (head.hoff % 4) throw new NlkitInputError("u32.hashkey.at must be a multiple of 4", "u32.hashkey.at");
    }
  }
  if (v.offset !== undefined) {
    const x = checkOptions(v.offset, ["plus", "at", "mask", "shift", "eat"], "u32.offset");
    if (x.plus !== undefined) { head.off = intOpt(x.plus, "u32.offset.plus", 0xffff); head.flags |= TC_U32.offset; }
    if (x.at !== undefined) {
      head.offoff = intOpt(x.at, "u32.offset.at", 0x7fff, -0x8000);
      if (head.offoff % 2) throw new NlkitInputError('u32: offset "at" must be even', "u32.offset.at");
      head.flags |= TC_U32.varoffset;
    }
    if (x.mask !== undefined) { head.offmask = intOpt(x.mask, "u32.offset.mask", 0xffff); head.flags |= TC_U32.varoffset; }
    if (x.shift !== undefined) { head.offshift = intOpt(x.shift, "u32.offset.shift", 0xff); head.flags |= TC_U32.varoffset; }
    if (x.eat) head.flags |= TC_U32.eat;
  }
  if (htid) attrs.hash = htid;
  if (keys.length || v.match !== undefined) {
    head.nkeys = keys.length;
    const w = new NlWriter(u32SelHead.size + keys.length * u32Key.size);
    encodeStruct(w, u32SelHead, head);
    for (const k of keys) encodeStruct(w, u32Key, k);
    attrs.sel = w.take();
  }
  const flags = clsFlags(v, "u32");
  if (flags) attrs.flags = flags;
  return { attrs, handle };
}

/** The selector's keys and offsets, read back with the same tables. */
export function readSel(buf: Buffer): { head: Record<string, number>; keys: Key[] } {
  const head = decodeStruct(buf, 0, Math.min(buf.length, u32SelHead.size), u32SelHead) as Record<string, number>;
  const keys: Key[] = [];
  for (let at = u32SelHead.size, i = 0; i < (head.nkeys ?? 0) && at + u32Key.size <= buf.length; i++, at += u32Key.size) {
    keys.push(decodeStruct(buf, at, u32Key.size, u32Key) as unknown as Key);
  }
  return { head, keys };
}

function view(a: AttrValues, _ctx: unknown, handle: number) {
  const out: Record<string, unknown> = {};
  if (u32Node(handle)) out.order = u32Node(handle);
  if (a.divisor !== undefined) out.divisor = a.divisor;
  else if (a.hash !== undefined) {
    out.ht = formatU32Handle((a.hash as number) & 0xfff00000);
    out.bucket = u32Hash(a.hash as number);
  }
  let terminal = false;
  if (Buffer.isBuffer(a.sel)) {
    const { head, keys } = readSel(a.sel);
    terminal = ((head.flags ?? 0) & TC_U32.terminal) !== 0;
    out.keys = keys.map((k) => ({ value: k.val, mask: k.mask, off: k.off, offmask: k.offmask }));
    if ((head.flags ?? 0) & (TC_U32.offset | TC_U32.varoffset)) {
      out.offset = { plus: head.off, at: head.offoff, mask: head.offmask, shift: head.offshift, eat: ((head.flags ?? 0) & TC_U32.eat) !== 0 };
    }
    if (head.hmask) out.hashkey = { mask: head.hmask, at: head.hoff };
  }
  if (a.classid !== undefined) out.classid = formatClassid(a.classid as number);
  out.terminal = terminal;
  if (a.link !== undefined) out.link = formatU32Handle(a.link as number);
  Object.assign(out, clsFlagsView(a.flags));
  const mark = a.mark as Record<string, number> | undefined;
  if (mark) out.mark = { value: mark.val, mask: mark.mask, success: mark.success };
  if (Buffer.isBuffer(a.pcnt) && a.pcnt.length >= u32Pcnt.size) {
    const pc = decodeStruct(a.pcnt, 0, u32Pcnt.size, u32Pcnt);
    out.hits = { rule: num(pc.rcnt), success: num(pc.rhit) };
  }
  if (a.indev !== undefined) out.indev = a.indev;
  return out;
}

export const u32 = defineFilter({ kind: "u32", options: u32Attrs, encode, parseHandle: u32Handle, formatHandle: formatU32Handle, view, actionsKey: "act" });
