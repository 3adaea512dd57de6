// Set and map declarations and elements as nft sends them: type ids, key lengths, flags,
// user data (byte orders, typeof, auto-merge, comment) and elements, with intervals turned into
// start keys and INTERVAL_END keys (or key/key_end for concatenations) the way nft's
// set_to_intervals does.
import type { Elem, Node } from "./ast.js";
import { byteLen, fromBigInt, toBigInt, TYPES, type DataType } from "./datatype.js";
import { metaKey } from "./expr/meta.js";
import { ctKey } from "./expr/ct.js";
import { objectType } from "./expr/objref.js";
import { PROTOS } from "./proto.js";
import { NFT_DATA_VERDICT, typeIdOf } from "./set.js";
import { NFT_SET_ELEM_INTERVAL_END, NFT_SET_F } from "./types.js";
import { UdataWriter, UD_COMMENT, UD_SET } from "./udata.js";

const regLen = (n: number) => Math.ceil(n / 4) * 4;
const BYTEORDER = { invalid: 0, host: 1, big: 2 } as const;

/** nft's enum expr_types numbers, as stored in a set's typeof user data. */
const ETYPE = { verdict: 1, value: 4, payload: 7, meta: 9, ct: 12, concat: 13 } as const;
/** nft's enum proto_desc_id. */
const PROTO_ID: Record<string, number> = {
  ah: 1, esp: 2, comp: 3, icmp: 4, igmp: 5, udp: 6, udplite: 7, tcp: 8, dccp: 9, sctp: 10, th: 11, ip: 12, ip6: 13,
  icmpv6: 14, arp: 15, vlan: 16, ether: 17,
};

export interface KeySpec {
  types: DataType[];
  /** Bytes of each component (unpadded). */
  lens: number[];
}

export function keyLen(k: KeySpec): number {
  return k.types.length === 1 ? k.lens[0]! : k.lens.reduce((a, l) => a + regLen(l), 0);
}

export function specOfTypes(types: DataType[]): KeySpec {
  return { types, lens: types.map((t) => byteLen(t, 4)) };
}

/** The udata of a key expression (nft's build_udata), nested as nft nests it. */
function typeofUdata(n: Node | undefined): Buffer | undefined {
  if (!n) return undefined;
  const w = new UdataWriter();
  const nest = (type: number, inner: Buffer) => Buffer.concat([Buffer.from([type, inner.length]), inner]);
  const u32 = (type: number, v: number) => { const b = Buffer.alloc(6); b[0] = type; b[1] = 4; b.writeUInt32LE(v >>> 0, 2); return b; };
  const data = (x: Node): [number, Buffer] | undefined => {
    switch (x.t) {
      case "payload": {
        const id = x.proto ? PROTO_ID[x.proto] ?? 0 : 0;
        const p = x.proto ? PROTOS[x.proto] : undefined;
        const idx = p && x.field ? p.fields.findIndex((f) => f.name === x.field) + 1 : 0;
        const parts = [u32(0, id), u32(1, idx)];
        if (!id) parts.push(u32(2, ({ ll: 1, network: 2, transport: 3, inner: 4 } as const)[x.base]), u32(3, x.offset));
        if (x.type.id === TYPES.integer.id) parts.push(u32(4, x.bits));
        return [ETYPE.payload, Buffer.concat(parts)];
      }
      case "meta": return [ETYPE.meta, u32(0, metaKey.values.get(x.key) ?? 0)];
      case "ct": return [ETYPE.ct, Buffer.concat([u32(0, ctKey.values.get(x.key) ?? 0), u32(1, x.dir === "original" ? 0 : x.dir === "reply" ? 1 : -1)])];
      case "byteorder": return data(x.arg);
      case "binop": return data(x.left);
      default: return undefined;
    }
  };
  if (n.t === "concat") {
    const parts: Buffer[] = [];
    n.items.forEach((it, i) => {
      const d = data(it);
      if (d) parts.push(nest(i, Buffer.concat([u32(0, d[0]), nest(1, d[1])])));
    });
    void w;
    return Buffer.concat([u32(0, ETYPE.concat), nest(1, Buffer.concat(parts))]);
  }
  const d = data(n);
  if (!d) return undefined;
  return Buffer.concat([u32(0, d[0]), nest(1, d[1])]);
}

export interface SetSpec {
  name: string;
  id: number;
  key: KeySpec;
  /** The expression the set is looked up with (anonymous sets store it as typeof). */
  keyExpr?: Node;
  /** Named sets declared with a concatenated type store an empty concat typeof. */
  concatTypeof?: boolean;
  data?: KeySpec;
  dataTypeofConcat?: boolean;
  verdict?: boolean;
  objType?: string;
  anonymous: boolean;
  flags: string[];
  timeout?: number;
  gcInterval?: number;
  size?: number;
  policy?: "performance" | "memory";
  comment?: string;
  autoMerge?: boolean;
  /** Number of elements sent (constant sets: nft puts it in NFTA_SET_DESC_SIZE). */
  elementCount?: number;
}

export function setFlags(s: SetSpec): number {
  let f = 0;
  if (s.anonymous) f |= NFT_SET_F.anonymous | NFT_SET_F.constant;
  for (const w of s.flags) {
    if (w === "constant") f |= NFT_SET_F.constant;
    else if (w === "interval") f |= NFT_SET_F.interval;
    else if (w === "timeout") f |= NFT_SET_F.timeout;
    else if (w === "dynamic") f |= NFT_SET_F.eval;
  }
  if (s.timeout) f |= NFT_SET_F.timeout;
  if (s.data || s.verdict) f |= NFT_SET_F.map;
  if (s.objType) f |= NFT_SET_F.object;
  if (f & NFT_SET_F.interval && s.key.types.length > 1) f |= NFT_SET_F.concat;
  return f;
}

/** NFT_MSG_NEWSET attributes, in libnftnl's order. */
export function setAttrs(table: string, s: SetSpec): Record<string, unknown> {
  const flags = setFlags(s);
  const a: Record<string, unknown> = { table, name: s.name, flags, keyType: typeIdOf(s.key.types), keyLen: keyLen(s.key) };
  if (s.verdict) { a.dataType = NFT_DATA_VERDICT; a.dataLen = 0; }
  else if (s.data) { a.dataType = typeIdOf(s.data.types); a.dataLen = keyLen(s.data); }
  if (s.objType) a.objType = objectType.values.get(s.objType) ?? 0;
  a.id = s.id;
  const constant = (flags & NFT_SET_F.constant) !== 0;
  if (!constant && s.policy === "memory") a.policy = 1;
  const desc: Record<string, unknown> = {};
  if (!constant && s.size) desc.size = s.size;
  else if (constant && s.elementCount !== undefined) desc.size = s.elementCount;
  if (flags & NFT_SET_F.concat) desc.concat = s.key.lens.map((len) => ({ len }));
  if (Object.keys(desc).length) a.desc = desc;
  if (s.timeout) a.timeout = BigInt(s.timeout);
  if (s.gcInterval) a.gcInterval = s.gcInterval;
  a.userdata = setUdata(s);
  return a;
}

function setUdata(s: SetSpec): Buffer {
  const w = new UdataWriter();
  const order = (k: KeySpec) => (k.types.length > 1 ? BYTEORDER.invalid : BYTEORDER[k.types[0]!.byteorder]);
  w.u32(UD_SET.keyByteorder, order(s.key));
  if (s.verdict) w.u32(UD_SET.dataByteorder, BYTEORDER.invalid);
  else if (s.data) w.u32(UD_SET.dataByteorder, order(s.data));
  const parts: Buffer[] = [w.take()];
  const tlv = (type: number, v: Buffer) => parts.push(Buffer.from([type, v.length]), v);
  const u32 = (type: number, v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); tlv(type, b); };
  const interval = (setFlags(s) & NFT_SET_F.interval) !== 0;
  const isMap = s.data !== undefined || s.verdict === true || s.objType !== undefined;
  if (s.autoMerge || (s.anonymous && interval && !isMap)) u32(UD_SET.mergeElements, 1);
  const emptyConcat = () => { const b = Buffer.alloc(8); b[0] = 0; b[1] = 4; b.writeUInt32LE(ETYPE.concat, 2); b[6] = 1; b[7] = 0; return b; };
  if (s.anonymous) {
    // anonymous sets keep the expression they are looked up with; maps only a concatenation
    if (s.keyExpr && (!isMap || s.keyExpr.t === "concat")) {
      const t = typeofUdata(s.keyExpr);
      if (t) tlv(UD_SET.keyTypeof, t);
    }
  } else if (s.concatTypeof) tlv(UD_SET.keyTypeof, emptyConcat());
  if (s.verdict && s.anonymous) {
    const b = Buffer.alloc(8); b[0] = 0; b[1] = 4; b.writeUInt32LE(ETYPE.verdict, 2); b[6] = 1; b[7] = 0;
    tlv(UD_SET.dataTypeof, b);
  } else if (s.dataTypeofConcat) tlv(UD_SET.dataTypeof, emptyConcat());
  if (s.data || s.verdict || s.objType) u32(UD_SET.dataInterval, 0);
  let out = Buffer.concat(parts);
  if (s.comment !== undefined) out = Buffer.concat([out, new UdataWriter().string(UD_SET.comment, s.comment).take()]);
  return out;
}

// --- elements ---------------------------------------------------------------------------------------

interface Range { lo: Buffer; hi: Buffer; elem: Elem }

const constOf = (n: Node): Buffer => {
  if (n.t !== "value") throw new Error(`expected a constant, got ${n.t}`);
  return n.c.bytes;
};

/** A value, prefix or range as [lo, hi] in the key's byte order. */
function bounds(n: Node, len: number): [Buffer, Buffer] {
  const pad = (b: Buffer) => { const o = Buffer.alloc(len); b.copy(o); return o; };
  if (n.t === "range") return [pad(constOf(n.lo)), pad(constOf(n.hi))];
  if (n.t === "prefix") {
    const lo = pad(constOf(n.value)), hi = Buffer.from(lo);
    for (let i = n.len; i < len * 8; i++) { lo[i >> 3]! &= ~(0x80 >> (i & 7)); hi[i >> 3]! |= 0x80 >> (i & 7); }
    return [lo, hi];
  }
  if (n.t === "value" && n.c.type.kind === "string" && n.c.bytes.indexOf(0) < 0 && n.c.bytes.length < len) {
    // "eth*" in an interval set: every name with that prefix
    const lo = pad(n.c.bytes), hi = Buffer.alloc(len, 0xff);
    n.c.bytes.copy(hi);
    return [lo, hi];
  }
  const v = pad(constOf(n));
  return [v, v];
}

/** A key (concatenated or not) as the register bytes: components left-aligned in 4-byte slots. */
function keyBytes(spec: KeySpec, n: Node, end = false): Buffer {
  if (spec.types.length === 1) return bounds(n, spec.lens[0]!)[end ? 1 : 0];
  const items = n.t === "concat" ? n.items : [n];
  const out = Buffer.alloc(keyLen(spec));
  let off = 0;
  spec.lens.forEach((len, i) => {
    bounds(items[i]!, len)[end ? 1 : 0].copy(out, off);
    off += regLen(len);
  });
  return out;
}

function dataAttr(n: Node, spec: SetSpec): Record<string, unknown> | undefined {
  if (n.t === "verdict") {
    const v: Record<string, unknown> = { code: n.code };
    if (n.chain !== undefined) v.chain = n.chain;
    return { verdict: v };
  }
  if (spec.data) return { value: keyBytes(spec.data, n) };
  return undefined;
}

function elemAttrs(spec: SetSpec, e: Elem, key: Buffer, extra: Record<string, unknown> = {}, withData = true): Record<string, unknown> {
  const a: Record<string, unknown> = {};
  if (extra.flags !== undefined) a.flags = extra.flags;
  if (e.timeout) a.timeout = BigInt(e.timeout);
  a.key = { value: key };
  if (extra.keyEnd) a.keyEnd = extra.keyEnd;
  if (withData && e.data) {
    if (spec.objType && e.data.t === "symbol") a.objref = e.data.text;
    else if (spec.objType && e.data.t === "objname") a.objref = e.data.name;
    else {
      const d = dataAttr(e.data, spec);
      if (d) a.data = d;
    }
  }
  if (withData && e.comment !== undefined) a.userdata = new UdataWriter().string(UD_COMMENT, e.comment).take();
  if (withData && e.stmts?.some((s) => s.s === "counter")) a.expr = { name: "counter", data: {} };
  return a;
}

/** Arithmetic on keys in their byte order. */
function add1(b: Buffer, order: "big" | "host"): Buffer | undefined {
  const max = (1n << BigInt(b.length * 8)) - 1n;
  const v = toBigInt(b, order);
  return v === max ? undefined : fromBigInt(v + 1n, b.length, order);
}

/**
 * NFTA_SET_ELEM_LIST_ELEMENTS for `elems`. `first` says whether this is the set's first batch of
 * elements (nft then adds the zero INTERVAL_END marker before a first range that starts above 0).
 */
export function encodeSetElements(spec: SetSpec, elems: Elem[], first = true): Record<string, unknown>[] {
  const flags = setFlags(spec);
  const interval = (flags & NFT_SET_F.interval) !== 0;
  if (!interval) return elems.map((e) => elemAttrs(spec, e, keyBytes(spec.key, e.key)));
  if (spec.key.types.length > 1) {
    return elems.map((e) => elemAttrs(spec, e, keyBytes(spec.key, e.key), { keyEnd: { value: keyBytes(spec.key, e.key, true) } }));
  }
  const len = spec.key.lens[0]!;
  const order = spec.key.types[0]!.byteorder;
  // intervals travel in network order: host-order keys are swapped (nft's mpz_switch_byteorder)
  const toWire = (b: Buffer) => (order === "host" ? Buffer.from(b).reverse() : b);
  const ranges: Range[] = elems.map((e) => { const [lo, hi] = bounds(e.key, len); return { lo: toWire(lo), hi: toWire(hi), elem: e }; })
    .sort((a, b) => Buffer.compare(a.lo, b.lo));
  const merged = spec.autoMerge || spec.anonymous ? mergeRanges(ranges) : ranges;
  const out: Record<string, unknown>[] = [];
  let pendingEnd: Buffer | undefined;
  merged.forEach((r, i) => {
    if (i === 0 && first && r.lo.some((b) => b !== 0)) out.push({ flags: NFT_SET_ELEM_INTERVAL_END, key: { value: Buffer.alloc(len) } });
    if (pendingEnd && (!spec.anonymous || !pendingEnd.equals(r.lo))) out.push({ flags: NFT_SET_ELEM_INTERVAL_END, key: { value: pendingEnd } });
    pendingEnd = add1(r.hi, "big");
    out.push(elemAttrs(spec, r.elem, r.lo));
  });
  if (pendingEnd) out.push({ flags: NFT_SET_ELEM_INTERVAL_END, key: { value: pendingEnd } });
  return out;
}

/** Overlapping and adjacent ranges become one (what auto-merge and anonymous sets do). */
function mergeRanges(ranges: Range[]): Range[] {
  const out: Range[] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    const next = last ? add1(last.hi, "big") : undefined;
    if (last && !last.elem.data && !r.elem.data && (Buffer.compare(r.lo, last.hi) <= 0 || (next && next.equals(r.lo)))) {
      if (Buffer.compare(r.hi, last.hi) > 0) last.hi = r.hi;
      continue;
    }
    out.push({ ...r });
  }
  return out;
}
