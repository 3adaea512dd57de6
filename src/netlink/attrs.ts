import { NLA_F_NESTED, NLA_F_NET_BYTEORDER, NLA_HDRLEN, NLA_TYPE_MASK } from "./constants.js";
import { NetlinkParseError, NlkitInputError } from "./errors.js";
import { formatIPv4, formatIPv6, formatLladdr, parseIp, parseLladdr } from "./ip.js";
import { decodeStruct, encodeStruct, type StructDef, type StructValue } from "./struct.js";
import type { NlWriter } from "./writer.js";

/**
 * Declarative attribute tables. A family describes each attribute set as data (number, name,
 * kind, nested set, byte order) and the generic encodeAttrs/decodeAttrs walk it. Decoding keeps
 * attributes it does not know (or cannot read) in `unknown`, and encoding re-emits them, so data
 * round-trips even across kernel versions.
 */

/**
 * How an attribute-table entry's payload is read and written: integers by width and sign, strings,
 * flags, addresses (`ip`, `lladdr`), nested sets (`nest`, `array`, `submsg`), structs and custom codecs.
 *
 * @example
 * ```ts
 * const kind: AttrKind = "ip";
 * const addr = attrSet("addr", "IFA_", { address: [1, kind], local: [2, kind], label: [3, "string"], flags: [8, "u32"] });
 * const w = new NlWriter();
 * encodeAttrs(w, addr, { local: "fd00::1", label: "eth0" });
 * console.log(decodeAttrs(w.buf, 0, w.pos, addr));   // { local: "fd00::1", label: "eth0" }
 * ```
 */
export type AttrKind =
  | "u8" | "u16" | "u32" | "u64" | "s8" | "s16" | "s32" | "s64"
  /**
   * A u64 on the wire decoded to a number, exact to 2^53 (as struct u64n): timers and counters
   * of results that must serialise as JSON. "u64" decodes to a BigInt.
   */
  | "u64n"
  /** NLA_UINT/NLA_SINT: 4 or 8 bytes on the wire */
  | "uint" | "sint"
  | "string" | "binary" | "flag"
  /** 4 or 16 bytes, decoded to dotted/colon text */
  | "ip"
  /** link-layer address of any length, colon hex */
  | "lladdr"
  | "nest" | "array" | "submsg" | "struct" | "custom";

/**
 * A kernel enum's names and values both ways, as `enumDef` builds it.
 *
 * @example
 * ```ts
 * const operstate: EnumDef = enumDef("operstate", { unknown: 0, notpresent: 1, down: 2, lowerlayerdown: 3, testing: 4, dormant: 5, up: 6 });
 * console.log(operstate.names.get(6), operstate.values.get("down"));   // "up" 2
 * const link = attrSet("link", "IFLA_", { operstate: [16, "u8", { enum: operstate }] });
 * const w = new NlWriter();
 * encodeAttrs(w, link, { operstate: "up" });   // or 6
 * console.log(decodeAttrs(w.buf, 0, w.pos, link).operstate);   // "up"
 * ```
 */
export interface EnumDef {
  /** What the enum is called in errors, e.g. "operstate" in `invalid operstate "upp"`. */
  readonly name: string;
  /** Value to word, for decoding; a value with several words keeps the first one given. */
  readonly names: ReadonlyMap<number, string>;
  /** Word to value, for encoding; every word given, aliases included. */
  readonly values: ReadonlyMap<string, number>;
}

/**
 * Names the values of a kernel enum, so decoded attributes read as words ("bridge", "static") and
 * encoders accept either the word or the number.
 *
 * @example
 * ```ts
 * import { enumDef } from "nlkit";
 * const proto = enumDef("rt_protocol", { kernel: 2, boot: 3, static: 4 });
 * ```
 */
export function enumDef(name: string, entries: Record<string, number>): EnumDef {
  const names = new Map<number, string>();
  const values = new Map<string, number>();
  for (const [k, v] of Object.entries(entries)) {
    if (!names.has(v)) names.set(v, k);
    values.set(k, v);
  }
  return { name, names, values };
}

export function enumValue(e: EnumDef, v: string | number, field?: string): number {
  if (typeof v === "number") return v;
  const n = e.values.get(v);
  if (n === undefined) {
    throw new NlkitInputError(`invalid ${e.name} "${v}" (expected one of ${[...e.values.keys()].join(", ")})`, field);
  }
  return n;
}

export function enumName(e: EnumDef, v: number): string | number {
  return e.names.get(v) ?? v;
}

/**
 * For attributes no table can express (RTA_MULTIPATH, nftables data values...).
 *
 * @example
 * ```ts
 * const s32s: CustomCodec = {   // IFLA_INET6_CONF: the devconf values, packed s32s
 *   encode: (w, value) => { for (const n of value as number[]) w.s32(n); },
 *   decode: (buf, start, end) => Array.from({ length: (end - start) >> 2 }, (_, i) => buf.readInt32LE(start + i * 4)),
 * };
 * const inet6 = attrSet("inet6", "IFLA_INET6_", { flags: [1, "u32"], conf: [2, "custom", { codec: s32s }] });
 * const w = new NlWriter();
 * encodeAttrs(w, inet6, { conf: [1, 64, -1] });
 * console.log(decodeAttrs(w.buf, 0, w.pos, inet6).conf);   // [1, 64, -1]
 * ```
 */
export interface CustomCodec {
  /** Writes the attribute's payload (its header is written around it); `parent` holds the sibling values being encoded. */
  encode(w: NlWriter, value: unknown, parent: Record<string, unknown>): void;
  /**
   * Reads the payload from `start` to `end` (header excluded); `parent` holds the siblings decoded so
   * far. Throwing NetlinkParseError keeps the attribute raw in `unknown` instead of failing the message.
   */
  decode(buf: Buffer, start: number, end: number, parent: Record<string, unknown>): unknown;
}

type SetRef = AttrSet | (() => AttrSet);

/**
 * Per-attribute options of an `attrSet` entry: byte order, the nested set, the enum that names the
 * values, and how sub-messages are chosen.
 *
 * @example
 * ```ts
 * const port: AttrOptions = { be: true };   // ports travel in network byte order
 * const proto = attrSet("proto", "CTA_PROTO_", { num: [1, "u8"], srcPort: [2, "u16", port], dstPort: [3, "u16", port] }, { nestFlag: true });
 * const w = new NlWriter();
 * encodeAttrs(w, proto, { num: 6, dstPort: 443 });
 * w.take();   // <Buffer 05 00 01 00 06 00 00 00 06 00 03 00 01 bb 00 00>
 * ```
 */
export interface AttrOptions {
  /** Integer in network byte order (also honoured on decode when the kernel sets NLA_F_NET_BYTEORDER). */
  be?: boolean;
  /** Nested set (kind nest/array) */
  set?: SetRef;
  /** The attribute may repeat; its value is an array. */
  multi?: boolean;
  /** struct: the payload's C layout. */
  struct?: StructDef;
  /** Names an integer's values: decoded to the word, encoded from the word or the number. */
  enum?: EnumDef;
  /** array: the nla_type of every element (default: index + 1) */
  elemType?: number;
  /** array: element kind when elements are scalars rather than nests */
  elem?: AttrKind;
  /** submsg: the sibling key whose value picks the nested set */
  selector?: string;
  /** submsg: the nested set for each value of the selector (a value not listed stays raw bytes). */
  choices?: Record<string, SetRef>;
  /** custom: how the payload is written and read. */
  codec?: CustomCodec;
  /** UAPI constant name when it is not prefix + UPPER_SNAKE(key) */
  uapi?: string;
  /** string: false to write it without the terminating NUL (the kernel takes either; iproute2 omits it for some). */
  nul?: boolean;
}

export interface AttrDef extends AttrOptions {
  readonly type: number;
  readonly key: string;
  readonly kind: AttrKind;
  readonly uapi: string;
}

/**
 * An attribute kept as bytes because its table does not describe it, with its type and flag bits.
 *
 * @example
 * ```ts
 * const link = attrSet("link", "IFLA_", { ifname: [3, "string"] });
 * const w = new NlWriter();
 * w.attrString(3, "eth0");
 * w.attrU8(16, 6);   // IFLA_OPERSTATE, which this table does not know
 * const raw: RawAttr = decodeAttrs(w.buf, 0, w.pos, link).unknown![0]!;
 * console.log(raw);   // { type: 16, nested: false, netByteorder: false, data: <Buffer 06> }
 * encodeAttrs(w.reset(), link, { ifname: "eth0", unknown: [raw] });   // written back unchanged
 * ```
 */
export interface RawAttr {
  /** The attribute type, flag bits removed. */
  type: number;
  /** NLA_F_NESTED was set. */
  nested: boolean;
  /** NLA_F_NET_BYTEORDER was set. */
  netByteorder: boolean;
  /** The payload. */
  data: Buffer;
  /** Why a known attribute was kept raw (e.g. wrong length). */
  reason?: string;
}

/**
 * Decoded attributes by key, plus the raw ones the table did not know or could not read (`unknown`),
 * kept so they re-encode unchanged.
 *
 * @example
 * ```ts
 * const link = attrSet("link", "IFLA_", { ifname: [3, "string"], mtu: [4, "u32"] });
 * const w = new NlWriter();
 * encodeAttrs(w, link, { ifname: "eth0", mtu: 1500 });
 * w.attrU32(13, 1000);   // IFLA_TXQLEN, not in the table
 * const v: AttrValues = decodeAttrs(w.buf, 0, w.pos, link);
 * console.log(v.ifname, v.mtu, v.unknown?.map((a) => a.type));   // "eth0" 1500 [13]
 * ```
 */
export type AttrValues = Record<string, unknown> & {
  /** Attributes the table does not know, and known ones that could not be read (with `reason`); absent when there are none. */
  unknown?: RawAttr[];
};

export type AttrTable = Record<string, readonly [number, AttrKind, AttrOptions?]>;

export interface AttrSetOptions {
  /** Set NLA_F_NESTED on nests this set writes (nfnetlink expects it; iproute2 omits it for rtnetlink). */
  nestFlag?: boolean;
}

/**
 * A compiled attribute table (made by `attrSet`): lookups by attribute type and by key, used by
 * `encodeAttrs`/`decodeAttrs` and nested sets.
 *
 * @example
 * ```ts
 * const link: AttrSet = attrSet("link", "IFLA_", { ifname: [3, "string"], mtu: [4, "u32"], txqlen: [13, "u32", { uapi: "IFLA_TXQLEN" }] });
 * console.log(link.byKey.get("mtu")?.uapi, link.byType[3]?.key);   // "IFLA_MTU" "ifname"
 * console.log(link.defs().map((d) => `${d.uapi}=${d.type}`));   // ["IFLA_IFNAME=3", "IFLA_MTU=4", "IFLA_TXQLEN=13"]
 * ```
 */
export class AttrSet {
  /** Definitions indexed by attribute type (flag bits removed); holes for types the table lacks. */
  readonly byType: (AttrDef | undefined)[] = [];
  /** Definitions by their table key, e.g. "mtu". */
  readonly byKey = new Map<string, AttrDef>();
  /** Whether nests this set writes carry NLA_F_NESTED (see AttrSetOptions.nestFlag; default false). */
  readonly nestFlag: boolean;

  constructor(
    /** The set's name in errors and parse messages, e.g. "link". */
    readonly name: string,
    /** The UAPI prefix of its attribute names, e.g. "IFLA_": with the key in UPPER_SNAKE it gives each def's `uapi` unless given. */
    readonly prefix: string,
    table: AttrTable,
    opts: AttrSetOptions = {},
  ) {
    this.nestFlag = opts.nestFlag ?? false;
    for (const [key, [type, kind, o]] of Object.entries(table)) {
      if (this.byType[type]) throw new Error(`${name}: attribute ${type} defined twice`);
      const def: AttrDef = { ...o, type, key, kind, uapi: o?.uapi ?? prefix + upperSnake(key) };
      this.byType[type] = def;
      this.byKey.set(key, def);
    }
  }

  /** Every definition, for tests that check numbers against the UAPI headers. */
  defs(): AttrDef[] {
    return [...this.byKey.values()];
  }
}

/**
 * Declares a netlink attribute set as a table (key, attribute type, kind, options); the generic
 * encoder and decoder walk it, so a family needs no hand-written codec. Unknown attributes survive a
 * decode and re-encode as raw bytes. Throws `NlkitInputError` at encode time for values that do not
 * fit.
 *
 * @example
 * ```ts
 * import { attrSet } from "nlkit";
 * const ctrl = attrSet("ctrl", "CTRL_ATTR_", { familyId: [1, "u16"], familyName: [2, "string"] }, { nestFlag: true });
 * ```
 */
export function attrSet(name: string, prefix: string, table: AttrTable, opts?: AttrSetOptions): AttrSet {
  return new AttrSet(name, prefix, table, opts);
}

function upperSnake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

export function resolveSet(ref: SetRef | undefined): AttrSet | undefined {
  return typeof ref === "function" ? ref() : ref;
}

// --- encoding ---------------------------------------------------------------------------------

/**
 * Writes the attributes of `values` as `set` describes them; `undefined`/`null` values are skipped.
 * Throws `NlkitInputError` for a key the set does not have or a value of the wrong shape.
 *
 * @example
 * ```ts
 * const link = attrSet("link", "IFLA_", { ifname: [3, "string"], mtu: [4, "u32"] });
 * const w = new NlWriter();
 * encodeAttrs(w, link, { ifname: "veth0", mtu: 9000 });
 * w.take();   // <Buffer 0a 00 03 00 76 65 74 68 30 00 00 00 08 00 04 00 28 23 00 00>
 * encodeAttrs(w, link, { mtu: "9000" });   // throws NlkitInputError: link.mtu: expected a number, got string
 * encodeAttrs(w, link, { qdisc: "fq" });   // throws NlkitInputError: unknown attribute "qdisc" for link
 * ```
 */
export function encodeAttrs(w: NlWriter, set: AttrSet, values: Record<string, unknown>): void {
  for (const key in values) {
    const v = values[key];
    if (v === undefined || v === null) continue;
    if (key === "unknown") {
      for (const raw of v as RawAttr[]) writeRaw(w, raw);
      continue;
    }
    const def = set.byKey.get(key);
    if (!def) throw new NlkitInputError(`unknown attribute "${key}" for ${set.name}`, key);
    if (def.multi) {
      if (!Array.isArray(v)) throw new NlkitInputError(`${set.name}.${key} must be an array`, key);
      for (const item of v) encodeOne(w, set, def, item, values);
    } else if (!encodeCommon(w, def, v)) {
      encodeOne(w, set, def, v, values);
    }
  }
}

/**
 * The attributes of nearly every request (names, u32 values in range, u8 flags), written without
 * encodeOne's dispatch: requests are built one per verb call, mostly by cold code. False for
 * anything else, including every value encodeOne would refuse, which then takes the full path.
 */
function encodeCommon(w: NlWriter, def: AttrDef, v: unknown): boolean {
  const kind = def.kind;
  if (kind === "string") {
    // short enough that nla_len cannot overflow
    if (typeof v !== "string" || v.length > 0x3000 || def.nul === false) return false;
    w.attrString(def.type, v);
    return true;
  }
  if (kind === "u32") {
    if (typeof v !== "number" || v >>> 0 !== v || def.be) return false;
    w.attrU32(def.type, v);
    return true;
  }
  if (kind === "u8") {
    if (typeof v !== "number" || (v & 0xff) !== v) return false;
    w.attrU8(def.type, v);
    return true;
  }
  return false;
}

function writeRaw(w: NlWriter, raw: RawAttr): void {
  let t = raw.type;
  if (raw.nested) t |= NLA_F_NESTED;
  if (raw.netByteorder) t |= NLA_F_NET_BYTEORDER;
  w.attrBytes(t, raw.data);
}

function encodeOne(w: NlWriter, set: AttrSet, def: AttrDef, v: unknown, parent: Record<string, unknown>): void {
  const t = def.type;
  try {
    switch (def.kind) {
      case "flag":
        if (v === true) w.attrFlag(t);
        else if (v !== false) throw new TypeError("expected a boolean");
        return;
      case "string":
        if (typeof v !== "string") throw new TypeError("expected a string");
        if (def.nul === false) w.attrBytes(t, Buffer.from(v));
        else w.attrString(t, v);
        return;
      case "binary":
        if (!(v instanceof Uint8Array)) throw new TypeError("expected a Buffer");
        w.attrBytes(t, v);
        return;
      case "ip": {
        const bytes = toIpBytes(v);
        w.attrBytes(t, bytes);
        return;
      }
      case "lladdr": {
        const bytes = typeof v === "string" ? parseLladdr(v) : v instanceof Uint8Array ? v : undefined;
        if (!bytes) throw new TypeError(`invalid link-layer address ${String(v)}`);
        w.attrBytes(t, bytes);
        return;
      }
      case "nest": {
        const inner = resolveSet(def.set)!;
        const s = w.beginNest(t, set.nestFlag);
        encodeAttrs(w, inner, v as Record<string, unknown>);
        w.endNest(s);
        return;
      }
      case "array": {
        if (!Array.isArray(v)) throw new TypeError("expected an array");
        const inner = resolveSet(def.set);
        const s = w.beginNest(t, set.nestFlag);
        v.forEach((item, i) => {
          const et = def.elemType ?? i + 1;
          if (inner) {
            const es = w.beginNest(et, set.nestFlag);
            encodeAttrs(w, inner, item as Record<string, unknown>);
            w.endNest(es);
          } else {
            encodeOne(w, set, { ...def, type: et, kind: def.elem ?? "u32", multi: false }, item, parent);
          }
        });
        w.endNest(s);
        return;
      }
      case "submsg": {
        const inner = selectSet(def, parent);
        if (!inner) {
          if (v instanceof Uint8Array) { w.attrBytes(t, v); return; }
          throw new TypeError(`no attribute table for ${def.selector} "${String(parent[def.selector!])}"`);
        }
        const s = w.beginNest(t, set.nestFlag);
        encodeAttrs(w, inner, v as Record<string, unknown>);
        w.endNest(s);
        return;
      }
      case "struct": {
        const s = w.beginAttr(t);
        encodeStruct(w, def.struct!, v as StructValue);
        w.endAttr(s);
        return;
      }
      case "custom": {
        const s = w.beginAttr(set.nestFlag && def.set ? t | NLA_F_NESTED : t);
        def.codec!.encode(w, v, parent);
        w.endAttr(s);
        return;
      }
      default:
        encodeInt(w, def, v);
    }
  } catch (e) {
    if (e instanceof NlkitInputError) throw e;
    throw new NlkitInputError(`${set.name}.${def.key}: ${(e as Error).message}`, def.key);
  }
}

function toIpBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === "string") {
    const ip = parseIp(v);
    if (ip) return ip.bytes;
  }
  throw new TypeError(`invalid IP address ${String(v)}`);
}

const INT_RANGE: Record<string, [number, number]> = {
  u8: [0, 0xff], u16: [0, 0xffff], u32: [0, 0xffffffff], uint: [0, Number.MAX_SAFE_INTEGER],
  s8: [-0x80, 0x7f], s16: [-0x8000, 0x7fff], s32: [-0x80000000, 0x7fffffff], sint: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

function encodeInt(w: NlWriter, def: AttrDef, raw: unknown): void {
  let v: number | bigint;
  if (typeof raw === "string" && def.enum) v = enumValue(def.enum, raw, def.key);
  else if (typeof raw === "boolean") v = raw ? 1 : 0;
  else if (typeof raw === "number" || typeof raw === "bigint") v = raw;
  else throw new TypeError(`expected a number, got ${typeof raw}`);
  const t = def.type;
  if (def.kind === "u64" || def.kind === "s64" || def.kind === "u64n") {
    const s = w.beginAttr(t);
    if (def.kind === "s64") w.s64(v);
    else if (def.be) w.u64be(v);
    else w.u64(v);
    w.endAttr(s);
    return;
  }
  const n = Number(v);
  const range = INT_RANGE[def.kind]!;
  if (!Number.isInteger(n) || n < range[0] || n > range[1]) throw new RangeError(`${String(raw)} is out of range for ${def.kind}`);
  const s = w.beginAttr(t);
  const b = w;
  switch (def.kind) {
    case "u8": case "s8": b.u8(n & 0xff); break;
    case "u16": case "s16": def.be ? b.u16be(n) : b.u16(n); break;
    case "u32": def.be ? b.u32be(n) : b.u32(n); break;
    case "s32": def.be ? b.s32be(n) : b.s32(n); break;
    case "uint": case "sint":
      if (n > 0xffffffff || n < -0x80000000) def.kind === "uint" ? b.u64(n) : b.s64(n);
      else def.kind === "uint" ? b.u32(n) : b.s32(n);
      break;
  }
  w.endAttr(s);
}

function selectSet(def: AttrDef, parent: Record<string, unknown>): AttrSet | undefined {
  return choiceOf(def, parent[def.selector!]);
}

/**
 * The nested set a submsg selector names. An own key only: the selector comes from the message
 * (IFLA_INFO_KIND "constructor" must not find Object.prototype.constructor).
 */
function choiceOf(def: AttrDef, sel: unknown): AttrSet | undefined {
  if (sel === undefined || !def.choices) return undefined;
  const key = String(sel);
  return Object.hasOwn(def.choices, key) ? resolveSet(def.choices[key]) : undefined;
}

// --- decoding ---------------------------------------------------------------------------------

/** A range of attributes must lie inside the buffer: a bad one is malformed input, not a RangeError. */
function checkRange(buf: Buffer, start: number, end: number, what: string): void {
  if (!(start >= 0 && end <= buf.length)) {
    throw new NetlinkParseError(`${what}: attributes [${start}, ${end}) reach outside the buffer of ${buf.length} bytes`, start >= 0 ? start : 0);
  }
}

/**
 * Calls fn for each attribute in [start, end); throws NetlinkParseError on broken framing.
 *
 * @example
 * ```ts
 * const w = new NlWriter();
 * w.attrString(3, "eth0");   // IFLA_IFNAME
 * w.attrU32(4, 1500);   // IFLA_MTU
 * forEachAttr(w.buf, 0, w.pos, (type, start, end) => console.log(type, end - start));   // 3 5, then 4 4
 * ```
 */
export function forEachAttr(
  buf: Buffer, start: number, end: number,
  fn: (type: number, payloadStart: number, payloadEnd: number, rawType: number) => void,
): void {
  checkRange(buf, start, end, "attributes");
  let off = start;
  while (off + NLA_HDRLEN <= end) {
    const len = buf.readUInt16LE(off);
    const rawType = buf.readUInt16LE(off + 2);
    if (len < NLA_HDRLEN || off + len > end) throw new NetlinkParseError(`bad attribute length ${len}`, off);
    fn(rawType & NLA_TYPE_MASK, off + NLA_HDRLEN, off + len, rawType);
    off += (len + 3) & ~3;
  }
}

/**
 * Reads the attributes between `start` and `end` as `set` describes them; attributes the set does not
 * know are kept in `unknown`. Malformed input throws `NetlinkParseError`, never a RangeError.
 *
 * @example
 * ```ts
 * const link = attrSet("link", "IFLA_", { ifname: [3, "string"], mtu: [4, "u32"] });
 * const w = new NlWriter();
 * w.attrString(3, "eth0");
 * w.attrU32(4, 1500);
 * console.log(decodeAttrs(w.buf, 0, w.pos, link));   // { ifname: "eth0", mtu: 1500 }
 * decodeAttrs(w.buf, 0, w.pos - 1, link);   // throws NetlinkParseError: link: bad attribute length 8
 * ```
 */
export function decodeAttrs(buf: Buffer, start: number, end: number, set: AttrSet): AttrValues {
  checkRange(buf, start, end, set.name);
  const out: AttrValues = {};
  let pendingSubmsgs: Array<[AttrDef, number, number, number]> | undefined;
  let off = start;
  while (off + NLA_HDRLEN <= end) {
    const len = buf.readUInt16LE(off);
    const rawType = buf.readUInt16LE(off + 2);
    if (len < NLA_HDRLEN || off + len > end) throw new NetlinkParseError(`${set.name}: bad attribute length ${len}`, off);
    const type = rawType & NLA_TYPE_MASK;
    const ps = off + NLA_HDRLEN;
    const pe = off + len;
    off += (len + 3) & ~3;
    const def = set.byType[type];
    if (!def) {
      keepRaw(out, buf, ps, pe, rawType);
      continue;
    }
    if (def.kind === "submsg" && out[def.selector!] === undefined) {
      (pendingSubmsgs ??= []).push([def, ps, pe, rawType]);
      continue;
    }
    storeDecoded(out, buf, def, ps, pe, rawType);
  }
  if (pendingSubmsgs) for (const [def, ps, pe, rawType] of pendingSubmsgs) storeDecoded(out, buf, def, ps, pe, rawType);
  return out;
}

/** @internal Decodes one attribute into out, or keeps it raw with the reason it could not be read. */
export function storeDecoded(out: AttrValues, buf: Buffer, def: AttrDef, ps: number, pe: number, rawType: number): void {
  let value: unknown;
  try {
    value = decodeValue(buf, def, ps, pe, rawType, out);
  } catch (e) {
    // broken framing inside one nest must not cost the rest of the message
    if (!(e instanceof NetlinkParseError)) throw e;
    keepRaw(out, buf, ps, pe, rawType, `${def.uapi}: ${e.message}`);
    return;
  }
  if (value === INVALID) {
    keepRaw(out, buf, ps, pe, rawType, `${def.uapi}: unexpected length ${pe - ps}`);
    return;
  }
  if (def.multi) {
    const arr = out[def.key] as unknown[] | undefined;
    if (arr) arr.push(value);
    else out[def.key] = [value];
  } else {
    out[def.key] = value;
  }
}

/** @internal Keeps an attribute as RawAttr in out.unknown (for hand-written decoders of hot messages). */
export function keepRaw(out: { unknown?: RawAttr[] }, buf: Buffer, ps: number, pe: number, rawType: number, reason?: string): void {
  const raw: RawAttr = {
    type: rawType & NLA_TYPE_MASK,
    nested: (rawType & NLA_F_NESTED) !== 0,
    netByteorder: (rawType & NLA_F_NET_BYTEORDER) !== 0,
    data: Buffer.from(buf.subarray(ps, pe)),
  };
  if (reason) raw.reason = reason;
  (out.unknown ??= []).push(raw);
}

/** @internal What decodeAttrValue returns for a payload of the wrong length. */
export const INVALID = Symbol("invalid");

const elemDefs = new WeakMap<AttrDef, AttrDef>();
function elemDefOf(def: AttrDef): AttrDef {
  let e = elemDefs.get(def);
  if (!e) elemDefs.set(def, e = { ...def, kind: def.elem ?? "u32", multi: false });
  return e;
}

const INT_SIZE: Record<string, number> = { u8: 1, s8: 1, u16: 2, s16: 2, u32: 4, s32: 4, u64: 8, u64n: 8, s64: 8 };

/**
 * @internal One attribute's value by its table entry, or INVALID. For hand-written single-pass
 * decoders of hot messages (decodeLink) that store values under their own names.
 */
export function decodeAttrValue(buf: Buffer, def: AttrDef, ps: number, pe: number, rawType: number, parent: AttrValues): unknown {
  return decodeValue(buf, def, ps, pe, rawType, parent);
}

function decodeValue(buf: Buffer, def: AttrDef, ps: number, pe: number, rawType: number, parent: AttrValues): unknown {
  const len = pe - ps;
  const kind = def.kind;
  // the common little-endian scalars first, without the generic path's size-table lookup
  if ((kind === "u32" || kind === "u8") && !def.be && !(rawType & NLA_F_NET_BYTEORDER)) {
    if (kind === "u32" ? len < 4 : len < 1) return INVALID;
    const n = kind === "u32" ? buf.readUInt32LE(ps) : buf[ps]!;
    return def.enum ? enumName(def.enum, n) : n;
  }
  switch (kind) {
    case "string": {
      let e = pe;
      while (e > ps && buf[e - 1] === 0) e--;
      return buf.toString("utf8", ps, e);
    }
    case "flag": return true;
    case "binary": return Buffer.from(buf.subarray(ps, pe));
    case "ip":
      if (len === 4) return formatIPv4(buf, ps);
      if (len === 16) return formatIPv6(buf, ps);
      return INVALID;
    case "lladdr": return formatLladdr(buf, ps, len);
    case "nest": return decodeAttrs(buf, ps, pe, resolveSet(def.set)!);
    case "array": return decodeArray(buf, def, ps, pe, parent);
    case "submsg": {
      const inner = choiceOf(def, parent[def.selector!]);
      return inner ? decodeAttrs(buf, ps, pe, inner) : Buffer.from(buf.subarray(ps, pe));
    }
    case "struct": return decodeStruct(buf, ps, len, def.struct!);
    case "custom": return def.codec!.decode(buf, ps, pe, parent);
    case "uint": case "sint": {
      if (len === 4) return def.kind === "uint" ? buf.readUInt32LE(ps) : buf.readInt32LE(ps);
      if (len === 8) {
        const big = def.kind === "uint" ? buf.readBigUInt64LE(ps) : buf.readBigInt64LE(ps);
        return Number(big);
      }
      return INVALID;
    }
    default: {
      if (len < INT_SIZE[def.kind]!) return INVALID;
      const be = def.be || (rawType & NLA_F_NET_BYTEORDER) !== 0;
      let n: number | bigint;
      switch (def.kind) {
        case "u8": n = buf[ps]!; break;
        case "s8": n = buf.readInt8(ps); break;
        case "u16": n = be ? buf.readUInt16BE(ps) : buf.readUInt16LE(ps); break;
        case "s16": n = be ? buf.readInt16BE(ps) : buf.readInt16LE(ps); break;
        case "u32": n = be ? buf.readUInt32BE(ps) : buf.readUInt32LE(ps); break;
        case "s32": n = be ? buf.readInt32BE(ps) : buf.readInt32LE(ps); break;
        case "u64": n = be ? buf.readBigUInt64BE(ps) : buf.readBigUInt64LE(ps); break;
        case "u64n": n = be ? buf.readUInt32BE(ps) * 0x1_0000_0000 + buf.readUInt32BE(ps + 4) : buf.readUInt32LE(ps) + buf.readUInt32LE(ps + 4) * 0x1_0000_0000; break;
        default: n = be ? buf.readBigInt64BE(ps) : buf.readBigInt64LE(ps); break;
      }
      return def.enum && typeof n === "number" ? enumName(def.enum, n) : n;
    }
  }
}

// Apart from decodeValue: a closure there captures its parameters, and V8 then allocates a
// context on every call of decodeValue, whatever the kind (48 bytes per scalar attribute).
function decodeArray(buf: Buffer, def: AttrDef, ps: number, pe: number, parent: AttrValues): unknown[] {
  const inner = resolveSet(def.set);
  const items: unknown[] = [];
  const elemDef: AttrDef | undefined = inner ? undefined : elemDefOf(def);
  forEachAttr(buf, ps, pe, (_t, s, e, rt) => {
    if (inner) items.push(decodeAttrs(buf, s, e, inner));
    else {
      const v = decodeValue(buf, elemDef!, s, e, rt, parent);
      items.push(v === INVALID ? Buffer.from(buf.subarray(s, e)) : v);
    }
  });
  return items;
}

/**
 * Names the attribute at byte `offset` of a request (the extack NLMSGERR_ATTR_OFFS), walking the
 * family's tables: e.g. "IFLA_LINKINFO/IFLA_INFO_DATA/IFLA_VXLAN_PORT".
 */
export function describeAttrAt(buf: Buffer, start: number, end: number, set: AttrSet, offset: number): string | undefined {
  // naming only: bytes it cannot walk name nothing
  if (!(start >= 0 && end <= buf.length)) return undefined;
  const path: string[] = [];
  let current: AttrSet | undefined = set;
  let s = start, e = end;
  let parent: AttrValues = {};
  outer: while (current) {
    let off = s;
    while (off + NLA_HDRLEN <= e) {
      const len = buf.readUInt16LE(off);
      if (len < NLA_HDRLEN || off + len > e) return path.length ? path.join("/") : undefined;
      const type = buf.readUInt16LE(off + 2) & NLA_TYPE_MASK;
      const def: AttrDef | undefined = current.byType[type];
      if (offset >= off && offset < off + ((len + 3) & ~3)) {
        path.push(def?.uapi ?? `${current.prefix}${type}`);
        if (offset === off || !def) return path.join("/");
        const next: AttrSet | undefined = def.kind === "nest" ? resolveSet(def.set)
          : def.kind === "submsg" ? choiceOf(def, parent[def.selector!]) : undefined;
        if (!next) return path.join("/");
        current = next;
        s = off + NLA_HDRLEN;
        e = off + len;
        parent = {};
        continue outer;
      }
      if (def && (def.kind === "string" || def.kind === "custom" || def.kind.startsWith("u"))) {
        try { parent[def.key] = decodeValue(buf, def, off + NLA_HDRLEN, off + len, 0, parent); } catch { /* naming only */ }
      }
      off += (len + 3) & ~3;
    }
    return path.length ? path.join("/") : undefined;
  }
  return undefined;
}

/** Name of attribute `type` in a set, for NLMSGERR_ATTR_MISS_TYPE. */
export function attrName(set: AttrSet, type: number): string {
  return set.byType[type]?.uapi ?? `${set.prefix}${type}`;
}

export function decodeIp(buf: Buffer, off: number, len: number): string {
  return len === 4 ? formatIPv4(buf, off) : formatIPv6(buf, off);
}
