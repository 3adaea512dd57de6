// libnftnl's user data: TLVs of {type u8, len u8, value} that nft stores in NFTA_*_USERDATA
// (comments, a set's byte orders, auto-merge). The kernel keeps them opaque.
import { NlkitInputError } from "../netlink/errors.js";

/** NFTNL_UDATA_SET_* */
export const UD_SET = {
  keyByteorder: 0, dataByteorder: 1, mergeElements: 2, keyTypeof: 3, dataTypeof: 4, expr: 5, dataInterval: 6, comment: 7,
} as const;
/** Tables, chains, rules, objects and set elements keep their comment at type 0. */
export const UD_COMMENT = 0;
/** NFTNL_UDATA_SET_ELEM_FLAGS */
export const UD_ELEM_FLAGS = 1;
export const NFT_USERDATA_MAXLEN = 256;

/** TLVs by type; a truncated TLV ends the walk (user data is not validated by the kernel). */
export function parseUdata(buf: Buffer | undefined): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  if (!buf) return out;
  let off = 0;
  while (off + 2 <= buf.length) {
    const type = buf[off]!, len = buf[off + 1]!;
    if (off + 2 + len > buf.length) break;
    if (!out.has(type)) out.set(type, buf.subarray(off + 2, off + 2 + len));
    off += 2 + len;
  }
  return out;
}

/** A NUL-terminated string TLV's text, or undefined when it has no terminating NUL (nft ignores those). */
export function udataString(v: Buffer | undefined): string | undefined {
  if (!v || v.length === 0 || v[v.length - 1] !== 0) return undefined;
  return v.toString("utf8", 0, v.indexOf(0));
}

export function udataU32(v: Buffer | undefined): number | undefined {
  return v && v.length >= 4 ? v.readUInt32LE(0) : undefined;
}

export class UdataWriter {
  private readonly parts: Buffer[] = [];

  u32(type: number, n: number): this {
    const b = Buffer.alloc(6);
    b[0] = type; b[1] = 4; b.writeUInt32LE(n >>> 0, 2);
    this.parts.push(b);
    return this;
  }

  /** A comment: nft refuses more than 127 bytes of text (NFTNL_UDATA_COMMENT_MAXLEN 128 with the NUL). */
  string(type: number, text: string, field = "comment"): this {
    const s = Buffer.from(`${text}\0`);
    if (s.length > 128) throw new NlkitInputError(`${field} is longer than 127 bytes`, field);
    this.parts.push(Buffer.from([type, s.length]), s);
    return this;
  }

  get empty(): boolean {
    return this.parts.length === 0;
  }

  take(): Buffer {
    return Buffer.concat(this.parts);
  }
}
