import { NetlinkParseError, NlkitInputError } from "./errors.js";
import type { NlWriter } from "./writer.js";

/**
 * Fixed C structs (ifinfomsg, rtmsg, rtnl_link_stats64...) as data. Decoding is tolerant: a
 * shorter struct yields only the fields it holds, a longer one keeps its extra bytes in `tail`.
 */
export type FieldKind =
  | "u8" | "u16" | "u32" | "u64" | "u64n" | "s8" | "s16" | "s32" | "s64"
  | "u16be" | "u32be" | "bytes" | "pad";

export interface FieldDef {
  readonly name: string;
  readonly kind: FieldKind;
  readonly offset: number;
  readonly size: number;
}

/**
 * A C struct's layout (name, size, fields with offsets) as `struct()` builds it.
 *
 * @example
 * ```ts
 * const ifaddrmsg: StructDef = struct("ifaddrmsg", [["family", "u8"], ["prefixlen", "u8"], ["flags", "u8"], ["scope", "u8"], ["index", "u32"]]);
 * console.log(ifaddrmsg.size, ifaddrmsg.fields.map((f) => `${f.name}@${f.offset}`).join(" "));
 * // 8 "family@0 prefixlen@1 flags@2 scope@3 index@4"
 * ```
 */
export interface StructDef {
  /** The C struct's name, used in error messages. */
  readonly name: string;
  /** Its size in bytes, padding included. */
  readonly size: number;
  /** Its fields with their offsets. */
  readonly fields: readonly FieldDef[];
}

const FIELD_SIZE: Record<Exclude<FieldKind, "bytes" | "pad">, number> = {
  u8: 1, s8: 1, u16: 2, s16: 2, u16be: 2, u32: 4, s32: 4, u32be: 4, u64: 8, u64n: 8, s64: 8,
};

/**
 * Declares a C struct (a family header such as ifinfomsg or genlmsghdr) as a list of fields in C
 * order; offsets and alignment are computed, and `["x", "bytes", 16]` or `["_", "pad", 2]` take an
 * explicit size. Decoding is tolerant of shorter and longer structs from other kernel versions.
 *
 * @example
 * ```ts
 * import { struct } from "nlkit";
 * const genl = struct("genlmsghdr", [["cmd", "u8"], ["version", "u8"], ["_", "pad", 2]]);
 * ```
 */
export function struct(name: string, fields: ReadonlyArray<readonly [string, FieldKind, number?]>): StructDef {
  let offset = 0;
  const out: FieldDef[] = [];
  for (const [fname, kind, explicit] of fields) {
    const size = kind === "bytes" || kind === "pad" ? explicit ?? 0 : FIELD_SIZE[kind];
    if (kind !== "pad") out.push({ name: fname, kind, offset, size });
    offset += size;
  }
  return { name, size: offset, fields: out };
}

/**
 * A decoded struct: fields by name; 64-bit fields are bigints, byte arrays Buffers.
 *
 * @example
 * ```ts
 * const stats = struct("rtnl_link_stats", [["rxPackets", "u32"], ["txPackets", "u32"], ["rxBytes", "u64"]]);
 * const value: StructValue = decodeStruct(Buffer.from("0a00000014000000e803000000000000", "hex"), 0, 16, stats);
 * console.log(value);   // { rxPackets: 10, txPackets: 20, rxBytes: 1000n }
 * ```
 */
export type StructValue = Record<string, number | bigint | Buffer | undefined>;

/**
 * Reads a C struct laid out by `struct()`, tolerantly: a shorter struct (an older kernel's) leaves the
 * fields it lacks undefined, a longer one (a newer kernel's) keeps the extra bytes in `tail`; a span
 * outside the buffer throws `NetlinkParseError`.
 *
 * @example
 * ```ts
 * const ifaddrmsg = struct("ifaddrmsg", [["family", "u8"], ["prefixlen", "u8"], ["flags", "u8"], ["scope", "u8"], ["index", "u32"]]);
 * const buf = Buffer.from([10, 64, 0, 0, 2, 0, 0, 0]);
 * decodeStruct(buf, 0, 8, ifaddrmsg);   // { family: 10, prefixlen: 64, flags: 0, scope: 0, index: 2 }
 * decodeStruct(buf, 0, 4, ifaddrmsg);   // { family: 10, prefixlen: 64, flags: 0, scope: 0 }: index is past a short struct
 * decodeStruct(buf, 4, 8, ifaddrmsg);   // throws NetlinkParseError: 8 bytes at 4 reach outside the buffer
 * ```
 */
export function decodeStruct(buf: Buffer, off: number, len: number, def: StructDef): StructValue {
  if (!(off >= 0 && off + Math.max(0, len) <= buf.length)) {
    throw new NetlinkParseError(`${def.name}: ${len} bytes at ${off} reach outside the buffer of ${buf.length} bytes`, off >= 0 ? off : 0);
  }
  if (len >= def.size) {
    const out = readerOf(def)(buf, off);
    if (len > def.size) out.tail = Buffer.from(buf.subarray(off + def.size, off + len));
    return out;
  }
  const out: StructValue = {};
  for (const f of def.fields) {
    if (f.offset + f.size > len) break;
    out[f.name] = readField(buf, off + f.offset, f);
  }
  return out;
}

type StructReader = (buf: Buffer, off: number) => StructValue;
const readers = new WeakMap<StructDef, StructReader>();

/**
 * A whole struct read by one generated object literal. Filling an object field by field through
 * `out[name] = v` turns it into a slow dictionary-mode object past a dozen fields (V8 limits
 * keyed additions) and cost ~1 us for rtnl_link_stats64; the literal builds a fast object with a
 * shared shape in ~0.1 us. Field names and offsets come from the table, never from input.
 */
function readerOf(def: StructDef): StructReader {
  let r = readers.get(def);
  if (!r) {
    const body = def.fields.map((f) => `${JSON.stringify(f.name)}: ${readExpr(f)}`).join(",\n");
    const fn = new Function("bytes", `return (buf, off) => ({\n${body}\n});`) as (b: typeof copyBytes) => StructReader;
    r = fn(copyBytes);
    readers.set(def, r);
  }
  return r;
}

function copyBytes(buf: Buffer, at: number, size: number): Buffer {
  return Buffer.from(buf.subarray(at, at + size));
}

function readExpr(f: FieldDef): string {
  const at = `off + ${f.offset}`;
  switch (f.kind) {
    case "u8": return `buf[${at}]`;
    case "s8": return `buf.readInt8(${at})`;
    case "u16": return `buf.readUInt16LE(${at})`;
    case "s16": return `buf.readInt16LE(${at})`;
    case "u16be": return `buf.readUInt16BE(${at})`;
    case "u32": return `buf.readUInt32LE(${at})`;
    case "s32": return `buf.readInt32LE(${at})`;
    case "u32be": return `buf.readUInt32BE(${at})`;
    case "u64": return `buf.readBigUInt64LE(${at})`;
    case "u64n": return `buf.readUInt32LE(${at}) + buf.readUInt32LE(${at} + 4) * 0x100000000`;
    case "s64": return `buf.readBigInt64LE(${at})`;
    case "bytes": return `bytes(buf, ${at}, ${f.size})`;
    case "pad": return "0";
  }
}

function readField(buf: Buffer, at: number, f: FieldDef): number | bigint | Buffer {
  switch (f.kind) {
    case "u8": return buf[at]!;
    case "s8": return buf.readInt8(at);
    case "u16": return buf.readUInt16LE(at);
    case "s16": return buf.readInt16LE(at);
    case "u16be": return buf.readUInt16BE(at);
    case "u32": return buf.readUInt32LE(at);
    case "s32": return buf.readInt32LE(at);
    case "u32be": return buf.readUInt32BE(at);
    case "u64": return buf.readBigUInt64LE(at);
    // counters: exact up to 2^53, which no interface reaches in practice
    case "u64n": return buf.readUInt32LE(at) + buf.readUInt32LE(at + 4) * 0x1_0000_0000;
    case "s64": return buf.readBigInt64LE(at);
    case "bytes": return Buffer.from(buf.subarray(at, at + f.size));
    case "pad": return 0;
  }
}

/**
 * Writes def.size bytes; absent fields are zero.
 *
 * @example
 * ```ts
 * const ifaddrmsg = struct("ifaddrmsg", [["family", "u8"], ["prefixlen", "u8"], ["flags", "u8"], ["scope", "u8"], ["index", "u32"]]);
 * const w = new NlWriter();
 * encodeStruct(w, ifaddrmsg, { family: 2, prefixlen: 24, index: 3 });
 * w.take();   // <Buffer 02 18 00 00 03 00 00 00>: flags and scope left zero
 * encodeStruct(w, ifaddrmsg, { prefixlen: 300 });   // throws NlkitInputError ("ifaddrmsg.prefixlen: ...")
 * ```
 */
export function encodeStruct(w: NlWriter, def: StructDef, value: StructValue | undefined): void {
  if (!value) {
    w.zeros(def.size);
    return;
  }
  const start = w.pos;
  try {
    writerOf(def)(w, value);
  } catch {
    // the generated writer makes the same checks; the field-by-field walk names the bad field
    w.pos = start;
    encodeStructByField(w, def, value);
  }
}

type StructWriter = (w: NlWriter, value: StructValue) => void;
const writers = new WeakMap<StructDef, StructWriter>();

/**
 * A whole struct written by generated straight-line code (like readerOf): the field walk with its
 * switch ran once per message for every header (rtmsg, ifinfomsg...), which showed in batches
 * that are mostly cold code. Field names and offsets come from the table, never from input.
 */
function writerOf(def: StructDef): StructWriter {
  let wr = writers.get(def);
  if (!wr) {
    const lines: string[] = [`w.ensure(${def.size});`, "const b = w.buf, at = w.pos;", "let x;"];
    // absent fields and padding are zero
    if (def.size <= 32) for (let i = 0; i < def.size; i++) lines.push(`b[at + ${i}] = 0;`);
    else lines.push(`b.fill(0, at, at + ${def.size});`);
    for (const f of def.fields) {
      lines.push(`x = v[${JSON.stringify(f.name)}];`, `if (x !== undefined) { ${writeStmt(f)} }`);
    }
    lines.push(`w.pos = at + ${def.size};`, "x = v.tail;", "if (x instanceof Buffer) w.bytes(x);");
    const fn = new Function("Buffer", `return (w, v) => {\n${lines.join("\n")}\n};`) as (b: typeof Buffer) => StructWriter;
    wr = fn(Buffer);
    writers.set(def, wr);
  }
  return wr;
}

function writeStmt(f: FieldDef): string {
  const at = `at + ${f.offset}`;
  switch (f.kind) {
    // a byte in range needs none of writeUInt8's checks; anything else takes the checked path
    case "u8": return `if (typeof x === "number" && (x & 0xff) === x) b[${at}] = x; else b.writeUInt8(Number(x), ${at});`;
    case "s8": return `b.writeInt8(Number(x), ${at});`;
    case "u16": return `b.writeUInt16LE(Number(x), ${at});`;
    case "s16": return `b.writeInt16LE(Number(x), ${at});`;
    case "u16be": return `b.writeUInt16BE(Number(x), ${at});`;
    case "u32": return `b.writeUInt32LE(Number(x), ${at});`;
    case "s32": return `b.writeInt32LE(Number(x), ${at});`;
    case "u32be": return `b.writeUInt32BE(Number(x), ${at});`;
    case "u64": case "u64n": return `b.writeBigUInt64LE(BigInt(x), ${at});`;
    case "s64": return `b.writeBigInt64LE(BigInt(x), ${at});`;
    case "bytes": return `if (!Buffer.isBuffer(x) || x.length > ${f.size}) throw new RangeError(""); x.copy(b, ${at});`;
    case "pad": return "";
  }
}

/** The reference encoder: slower, and the one that words the errors. */
export function encodeStructByField(w: NlWriter, def: StructDef, value: StructValue | undefined): void {
  const start = w.pos;
  w.zeros(def.size);
  if (!value) return;
  const b = w.buf;
  for (const f of def.fields) {
    const v = value[f.name];
    if (v === undefined) continue;
    const at = start + f.offset;
    try {
      switch (f.kind) {
        case "u8": b.writeUInt8(Number(v), at); break;
        case "s8": b.writeInt8(Number(v), at); break;
        case "u16": b.writeUInt16LE(Number(v), at); break;
        case "s16": b.writeInt16LE(Number(v), at); break;
        case "u16be": b.writeUInt16BE(Number(v), at); break;
        case "u32": b.writeUInt32LE(Number(v), at); break;
        case "s32": b.writeInt32LE(Number(v), at); break;
        case "u32be": b.writeUInt32BE(Number(v), at); break;
        case "u64": case "u64n": b.writeBigUInt64LE(BigInt(v as number | bigint), at); break;
        case "s64": b.writeBigInt64LE(BigInt(v as number | bigint), at); break;
        case "bytes": {
          if (!Buffer.isBuffer(v) || v.length > f.size) throw new RangeError(`expected at most ${f.size} bytes`);
          v.copy(b, at);
          break;
        }
        case "pad": break;
      }
    } catch (e) {
      throw new NlkitInputError(`${def.name}.${f.name}: ${(e as Error).message}`, f.name);
    }
  }
  if (value.tail instanceof Buffer) w.bytes(value.tail);
}

export function checkStructLength(len: number, def: StructDef, at: number, minimum = def.size): void {
  if (len < minimum) throw new NetlinkParseError(`${def.name} needs ${minimum} bytes, got ${len}`, at);
}
