// Sets and maps as nft lists them: the declaration (key and data types, concatenations, flags,
// timeouts, comment) and the elements, turned from the kernel's keys back into values, ranges
// and prefixes the way nft's segtree does.
import type { Elem, Node } from "./ast.js";
import { byteLen, toBigInt, typeById, TYPES, type DataType } from "./datatype.js";
import { objectType } from "./expr/objref.js";
import type { NftFamily } from "./types.js";
import { NFT_SET_ELEM_CATCHALL, NFT_SET_ELEM_INTERVAL_END, NFT_SET_F } from "./types.js";
import { parseUdata, udataString, udataU32, UD_COMMENT, UD_SET } from "./udata.js";

export const NFT_DATA_VERDICT = 0xffffff00;
/** nft packs a concatenation's type ids 6 bits each, the first type highest (TYPE_BITS). */
const TYPE_BITS = 6;

export interface SetDecl {
  family: NftFamily;
  table: string;
  name: string;
  handle: number;
  flags: number;
  key: DataType[];
  /** Bytes of each key component (each takes a multiple of 4 in the key). */
  keyLens: number[];
  keyLen: number;
  /** Map data: value types, "verdict", or an object type for object maps. */
  data?: DataType[];
  dataLens?: number[];
  verdict?: boolean;
  objType?: string;
  /** Milliseconds. */
  timeout?: number;
  gcInterval?: number;
  size?: number;
  policy?: "performance" | "memory";
  comment?: string;
  autoMerge?: boolean;
  elems: Elem[];
}

const regLen = (n: number) => Math.ceil(n / 4) * 4;

/** A kernel type id to its types (several for a concatenation); unknown ids become "invalid". */
export function typesOf(id: number): DataType[] {
  const single = typeById(id);
  if (single && id < 1 << TYPE_BITS) return [single];
  const out: DataType[] = [];
  let v = id;
  while (v > 0) {
    out.unshift(typeById(v & ((1 << TYPE_BITS) - 1)) ?? TYPES.invalid);
    v = Math.floor(v / (1 << TYPE_BITS));
  }
  return out.length ? out : [TYPES.invalid];
}

/** The kernel type id of a list of types (nft's concat_type_alloc). */
export function typeIdOf(types: readonly DataType[]): number {
  return types.reduce((acc, t) => acc * (1 << TYPE_BITS) + t.id, 0);
}

/** Component lengths: from NFTA_SET_DESC_CONCAT when given, else from the types' sizes. */
function componentLens(types: DataType[], total: number, desc?: number[]): number[] {
  if (desc && desc.length === types.length) return desc;
  if (types.length === 1) return [total];
  return types.map((t) => byteLen(t, 4));
}

type Attrs = Record<string, any>;
const num = (v: unknown): number => (typeof v === "bigint" ? Number(v) : typeof v === "number" ? v : 0);

export function decodeSetDecl(a: Attrs, family: NftFamily): SetDecl {
  const flags = num(a.flags);
  const key = typesOf(num(a.keyType));
  const keyLen = num(a.keyLen);
  const concatLens = Array.isArray(a.desc?.concat) ? (a.desc.concat as Attrs[]).map((f) => num(f.len)) : undefined;
  const ud = parseUdata(Buffer.isBuffer(a.userdata) ? a.userdata : undefined);
  const decl: SetDecl = {
    family, table: String(a.table ?? ""), name: String(a.name ?? ""), handle: num(a.handle), flags,
    key, keyLens: componentLens(key, keyLen, concatLens), keyLen, elems: [],
  };
  if (flags & NFT_SET_F.map) {
    const dataType = num(a.dataType);
    if (dataType === NFT_DATA_VERDICT) decl.verdict = true;
    else {
      decl.data = typesOf(dataType);
      decl.dataLens = componentLens(decl.data, num(a.dataLen));
    }
  }
  if (flags & NFT_SET_F.object) decl.objType = String(objectType.names.get(num(a.objType)) ?? num(a.objType));
  if (a.timeout !== undefined) decl.timeout = num(a.timeout);
  if (a.gcInterval !== undefined) decl.gcInterval = num(a.gcInterval);
  if (a.desc?.size !== undefined) decl.size = num(a.desc.size);
  if (a.policy !== undefined) decl.policy = num(a.policy) === 1 ? "memory" : "performance";
  const comment = udataString(ud.get(UD_SET.comment));
  if (comment !== undefined) decl.comment = comment;
  if (udataU32(ud.get(UD_SET.mergeElements))) decl.autoMerge = true;
  return decl;
}

interface RawElem { key: Buffer; keyEnd?: Buffer; flags: number; data?: Attrs; objref?: string; timeout?: number; expires?: number; comment?: string; counter?: { packets: number; bytes: number } }

function rawElem(e: Attrs): RawElem | undefined {
  const flags = num(e.flags);
  const key: Buffer | undefined = e.key?.value;
  if (!Buffer.isBuffer(key) && !(flags & NFT_SET_ELEM_CATCHALL)) return undefined;
  const r: RawElem = { key: Buffer.isBuffer(key) ? key : Buffer.alloc(0), flags };
  if (Buffer.isBuffer(e.keyEnd?.value)) r.keyEnd = e.keyEnd.value;
  if (e.data) r.data = e.data;
  if (typeof e.objref === "string") r.objref = e.objref;
  if (e.timeout !== undefined) r.timeout = num(e.timeout);
  if (e.expiration !== undefined) r.expires = num(e.expiration);
  const comment = udataString(parseUdata(Buffer.isBuffer(e.userdata) ? e.userdata : undefined).get(UD_COMMENT));
  if (comment !== undefined) r.comment = comment;
  const counter = [e.expr, ...(Array.isArray(e.expressions) ? e.expressions : [])].find((x) => x?.name === "counter");
  if (counter && counter.data && !Buffer.isBuffer(counter.data)) r.counter = { packets: num(counter.data.packets), bytes: num(counter.data.bytes) };
  return r;
}

const value = (type: DataType, bytes: Buffer, bits?: number): Node => ({ t: "value", c: bits === undefined ? { type, bytes } : { type, bytes, bits } });

/** Splits a key (or map data) into its components, each left-aligned in 4-byte slots. */
export function splitValue(types: DataType[], lens: number[], bytes: Buffer): Node {
  if (types.length === 1) return value(types[0]!, Buffer.from(bytes.subarray(0, lens[0] ?? bytes.length)));
  const items: Node[] = [];
  let off = 0;
  types.forEach((t, i) => {
    const len = lens[i] ?? byteLen(t, 4);
    items.push(value(t, Buffer.from(bytes.subarray(off, off + len))));
    off += regLen(len);
  });
  return { t: "concat", items };
}

function elemData(decl: SetDecl, r: RawElem): Node | undefined {
  if (decl.objType) return r.objref !== undefined ? { t: "objname", name: r.objref } : undefined;
  if (decl.verdict) {
    const v = r.data?.verdict;
    if (!v) return undefined;
    const code = typeof v.code === "string" ? v.code : "accept";
    return { t: "verdict", code: code as never, ...(v.chain ? { chain: String(v.chain) } : {}) };
  }
  if (decl.data && Buffer.isBuffer(r.data?.value)) return splitValue(decl.data, decl.dataLens ?? [], r.data.value);
  return undefined;
}

function toElem(decl: SetDecl, r: RawElem, key: Node): Elem {
  const e: Elem = { key };
  const data = elemData(decl, r);
  if (data) e.data = data;
  if (r.timeout) e.timeout = r.timeout;
  if (r.expires) e.expires = r.expires;
  if (r.comment !== undefined) e.comment = r.comment;
  if (r.counter) e.stmts = [{ s: "counter", packets: r.counter.packets, bytes: r.counter.bytes }];
  return e;
}

/** The key as nft sorts it: the number the bytes mean in the key type's byte order. */
function sortValue(decl: SetDecl, key: Buffer): bigint {
  if (decl.key.length > 1) {
    // nft exports each component unpadded, then reads the whole as one host-order number
    const parts: Buffer[] = [];
    let off = 0;
    decl.key.forEach((t, i) => {
      const len = decl.keyLens[i] ?? byteLen(t, 4);
      parts.push(key.subarray(off, off + len));
      off += regLen(len);
    });
    return toBigInt(Buffer.concat(parts), "host");
  }
  return toBigInt(key, decl.key[0]!.byteorder);
}

/** The elements of a set in nft's listing order and form. */
export function decodeElements(decl: SetDecl, elemMsgs: Attrs[]): Elem[] {
  const raws: RawElem[] = [];
  for (const m of elemMsgs) for (const e of (Array.isArray(m.elements) ? m.elements : []) as Attrs[]) {
    const r = rawElem(e);
    if (r) raws.push(r);
  }
  const catchall = raws.filter((r) => r.flags & NFT_SET_ELEM_CATCHALL);
  const rest = raws.filter((r) => !(r.flags & NFT_SET_ELEM_CATCHALL));
  let out: Elem[];
  if (decl.flags & NFT_SET_F.interval && decl.key.length > 1) out = rest.map((r) => toElem(decl, r, concatRange(decl, r)));
  else if (decl.flags & NFT_SET_F.interval) out = intervals(decl, rest);
  else {
    out = rest
      .map((r) => [sortValue(decl, r.key), r] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([, r]) => toElem(decl, r, splitValue(decl.key, decl.keyLens, r.key)));
  }
  for (const r of catchall) out.push(toElem(decl, r, { t: "symbol", text: "*" }));
  return out;
}

/** A concatenated interval element: each component a value, prefix or range (concat_range_aggregate). */
function concatRange(decl: SetDecl, r: RawElem): Node {
  const lo = splitValue(decl.key, decl.keyLens, r.key);
  const hi = r.keyEnd ? splitValue(decl.key, decl.keyLens, r.keyEnd) : lo;
  if (lo.t !== "concat" || hi.t !== "concat") return lo;
  return { t: "concat", items: lo.items.map((l, i) => rangeOrPrefix(l, hi.items[i]!, true)) };
}

/** lo..hi (inclusive) as nft writes it: one value, a prefix (types that take one), else a range. */
function rangeOrPrefix(lo: Node, hi: Node, concat: boolean): Node {
  if (lo.t !== "value" || hi.t !== "value") return lo;
  const t = lo.c.type;
  const a = toBigInt(lo.c.bytes, t.byteorder), b = toBigInt(hi.c.bytes, t.byteorder);
  if (a === b) return lo;
  const bits = lo.c.bytes.length * 8;
  const span = b - a;
  const isPrefix = ((span + 1n) & span) === 0n && (a & span) === 0n;
  if (isPrefix && t.kind === "string" && !concat) {
    const plen = bits - span.toString(2).length;
    const str = lo.c.bytes.subarray(0, plen / 8);
    if (plen % 8 === 0 && plen > 0 && str.indexOf(0) < 0) return value(t, Buffer.from(str));
  }
  if (isPrefix && t.prefix) return { t: "prefix", value: lo, len: bits - (span === 0n ? 0 : span.toString(2).length) };
  if (isPrefix && t.kind === "string" && concat) {
    const plen = bits - span.toString(2).length;
    if (plen % 8 === 0) return value(t, Buffer.from(lo.c.bytes.subarray(0, plen / 8)));
  }
  return { t: "range", lo, hi };
}

function minusOne(b: Buffer, order: "big" | "host"): Buffer {
  const out = Buffer.from(b);
  const idx = (i: number) => (order === "big" ? out.length - 1 - i : i);
  for (let i = 0; i < out.length; i++) {
    const j = idx(i);
    if (out[j] !== 0) { out[j]!--; return out; }
    out[j] = 0xff;
  }
  return out;
}

/** Start keys and INTERVAL_END keys back into ranges (segtree's interval_map_decompose). */
function intervals(decl: SetDecl, raws: RawElem[]): Elem[] {
  const t = decl.key[0]!;
  const order = t.byteorder;
  const sorted = [...raws].sort((x, y) => {
    const a = toBigInt(x.key, order), b = toBigInt(y.key, order);
    if (a !== b) return a < b ? -1 : 1;
    return (y.flags & NFT_SET_ELEM_INTERVAL_END) - (x.flags & NFT_SET_ELEM_INTERVAL_END);
  });
  const out: Elem[] = [];
  let low: RawElem | undefined;
  for (const r of sorted) {
    const isEnd = (r.flags & NFT_SET_ELEM_INTERVAL_END) !== 0;
    if (!low) {
      if (!isEnd) low = r;
      continue;
    }
    // a start right after a start ends the first interval just before it
    const hiBytes = minusOne(r.key, order);
    out.push(toElem(decl, low, rangeOrPrefix(value(t, Buffer.from(low.key)), value(t, hiBytes), false)));
    low = isEnd ? undefined : r;
  }
  if (low) {
    const top = Buffer.alloc(low.key.length, 0xff);
    out.push(toElem(decl, low, rangeOrPrefix(value(t, Buffer.from(low.key)), value(t, top), false)));
  }
  return out;
}
