import { NLA_F_NESTED, NLA_HDRLEN, NLMSG_HDRLEN } from "./constants.js";

/** A u32 known to be in range, little-endian. */
function put32(b: Buffer, at: number, v: number): void {
  b[at] = v;
  b[at + 1] = v >>> 8;
  b[at + 2] = v >>> 16;
  b[at + 3] = v >>> 24;
}

/**
 * A growable byte writer for netlink messages and attributes. One instance is meant to be reused
 * (reset between messages) so that encoding allocates nothing in the steady state.
 * Offsets returned by begin* stay valid across growth; Buffers returned by view() do not.
 *
 * @example
 * ```ts
 * const w = new NlWriter();
 * const msg = w.beginMessage(18, constants.NLM_F_REQUEST | constants.NLM_F_DUMP);   // RTM_GETLINK
 * w.zeros(16);   // struct ifinfomsg, all zero: every family
 * w.attrU32(29, 1);   // IFLA_EXT_MASK: RTEXT_FILTER_VF
 * w.endMessage(msg);
 * const bytes = w.take();   // 40 bytes, nlmsg_len filled in: ready for send()
 * ```
 */
export class NlWriter {
  /**
   * The buffer written into; replaced by a larger one when it fills, so read it through `view`/`take`
   * after writing.
   */
  buf: Buffer;
  /** Where the next byte goes: the length written so far. */
  pos = 0;

  constructor(initialSize = 4096) {
    this.buf = Buffer.alloc(initialSize);
  }

  /** Starts over at position 0, keeping the buffer. */
  reset(): this {
    this.pos = 0;
    return this;
  }

  /** Grows the buffer so that `n` more bytes fit. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Writes an unsigned 8-bit integer. */
  u8(v: number): void { this.ensure(1); this.buf[this.pos++] = v & 0xff; }
  /** Writes an unsigned 16-bit integer, little-endian (the host order of the machines nlkit runs on). */
  u16(v: number): void { this.ensure(2); this.buf.writeUInt16LE(v & 0xffff, this.pos); this.pos += 2; }
  /** Writes an unsigned 16-bit integer in network order. */
  u16be(v: number): void { this.ensure(2); this.buf.writeUInt16BE(v & 0xffff, this.pos); this.pos += 2; }
  /** Writes an unsigned 32-bit integer, little-endian. */
  u32(v: number): void { this.ensure(4); this.buf.writeUInt32LE(v >>> 0, this.pos); this.pos += 4; }
  /** Writes an unsigned 32-bit integer in network order. */
  u32be(v: number): void { this.ensure(4); this.buf.writeUInt32BE(v >>> 0, this.pos); this.pos += 4; }
  /** Writes a signed 32-bit integer, little-endian. */
  s32(v: number): void { this.ensure(4); this.buf.writeInt32LE(v | 0, this.pos); this.pos += 4; }
  /** Writes a signed 32-bit integer in network order. */
  s32be(v: number): void { this.ensure(4); this.buf.writeInt32BE(v | 0, this.pos); this.pos += 4; }
  /** Writes an unsigned 64-bit integer, little-endian. */
  u64(v: bigint | number): void { this.ensure(8); this.buf.writeBigUInt64LE(BigInt(v), this.pos); this.pos += 8; }
  /** Writes an unsigned 64-bit integer in network order. */
  u64be(v: bigint | number): void { this.ensure(8); this.buf.writeBigUInt64BE(BigInt(v), this.pos); this.pos += 8; }
  /** Writes a signed 64-bit integer, little-endian. */
  s64(v: bigint | number): void { this.ensure(8); this.buf.writeBigInt64LE(BigInt(v), this.pos); this.pos += 8; }

  /** Writes bytes as they are. */
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Writes `n` zero bytes (padding, reserved fields). */
  zeros(n: number): void {
    this.ensure(n);
    // Buffer#fill validates its arguments first, which costs more than a short loop in the
    // mostly cold code that encodes one request per verb call
    if (n <= 32) {
      const b = this.buf;
      for (let i = this.pos, end = this.pos + n; i < end; i++) b[i] = 0;
    } else {
      this.buf.fill(0, this.pos, this.pos + n);
    }
    this.pos += n;
  }

  /** Writes a string's UTF-8 bytes followed by a NUL. */
  cstring(s: string): void {
    this.utf8(s);
    this.ensure(1);
    this.buf[this.pos++] = 0;
  }

  /** Writes a string's UTF-8 bytes (no NUL). */
  utf8(s: string): void {
    this.ensure(s.length * 3);
    const b = this.buf;
    let p = this.pos;
    // short ASCII (names, kinds) byte by byte, which is cheaper than Buffer#write's dispatch
    if (s.length <= 32) {
      let i = 0;
      for (; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[p + i] = c;
      }
      if (i === s.length) p += i;
      else p += b.write(s, p, "utf8");
    } else {
      p += b.write(s, p, "utf8");
    }
    this.pos = p;
  }

  /** Zero-pads to the next 4-byte boundary (NLMSG_ALIGN / NLA_ALIGN). */
  align(): void {
    let pad = (4 - (this.pos & 3)) & 3;
    if (pad === 0) return;
    this.ensure(pad);
    const b = this.buf;
    while (pad-- > 0) b[this.pos++] = 0;
  }

  // --- messages -------------------------------------------------------------------------------

  /**
   * Starts a message: writes an nlmsghdr with the length left open and returns its offset for
   * `endMessage`.
   */
  beginMessage(type: number, flags: number, seq = 0, pid = 0): number {
    this.align();
    const start = this.pos;
    this.ensure(NLMSG_HDRLEN);
    const b = this.buf;
    // byte stores, as in beginAttr; Buffer#writeUInt16LE still refuses a type or flags out of range
    if (type >>> 0 === type && type <= 0xffff && flags >>> 0 === flags && flags <= 0xffff) {
      b[start + 4] = type;
      b[start + 5] = type >>> 8;
      b[start + 6] = flags;
      b[start + 7] = flags >>> 8;
    } else {
      b.writeUInt16LE(type, start + 4);
      b.writeUInt16LE(flags, start + 6);
    }
    put32(b, start, 0);
    put32(b, start + 8, seq >>> 0);
    put32(b, start + 12, pid >>> 0);
    this.pos += NLMSG_HDRLEN;
    return start;
  }

  /** Pads to 4 bytes and fills in the length of the message begun at `start`. */
  endMessage(start: number): void {
    this.align();
    put32(this.buf, start, (this.pos - start) >>> 0);
  }

  // --- attributes -----------------------------------------------------------------------------

  /** Opens an attribute whose payload the caller writes; close with endAttr. */
  beginAttr(type: number): number {
    this.align();
    const start = this.pos;
    this.ensure(NLA_HDRLEN);
    // byte stores: Buffer#writeUInt16LE's range checks cost more in cold code (it still takes
    // what is out of range, to throw its own error)
    if (type >>> 0 === type && type <= 0xffff) {
      this.buf[start + 2] = type;
      this.buf[start + 3] = type >>> 8;
    } else {
      this.buf.writeUInt16LE(type, start + 2);
    }
    this.pos += NLA_HDRLEN;
    return start;
  }

  /** nla_len excludes the trailing padding, which is added here. */
  endAttr(start: number): void {
    const len = this.pos - start;
    if (len <= 0xffff) {
      this.buf[start] = len;
      this.buf[start + 1] = len >>> 8;
    } else {
      this.buf.writeUInt16LE(len, start); // throws RangeError: nla_len is 16 bits
    }
    this.align();
  }

  /** Starts a nested attribute (with NLA_F_NESTED when `nestedFlag`), returning its offset for `endNest`. */
  beginNest(type: number, nestedFlag = false): number {
    return this.beginAttr(nestedFlag ? type | NLA_F_NESTED : type);
  }

  /** Closes the nested attribute begun at `start`, filling in its length. */
  endNest(start: number): void {
    this.endAttr(start);
  }

  /** Writes a u8 attribute. */
  attrU8(type: number, v: number): void { const s = this.beginAttr(type); this.u8(v); this.endAttr(s); }
  /** Writes a u16 attribute, little-endian. */
  attrU16(type: number, v: number): void { const s = this.beginAttr(type); this.u16(v); this.endAttr(s); }
  /** Writes a u16 attribute in network order (ports). */
  attrU16be(type: number, v: number): void { const s = this.beginAttr(type); this.u16be(v); this.endAttr(s); }
  /** Writes a u32 attribute, little-endian. */
  attrU32(type: number, v: number): void { const s = this.beginAttr(type); this.u32(v); this.endAttr(s); }
  /** Writes a u32 attribute in network order. */
  attrU32be(type: number, v: number): void { const s = this.beginAttr(type); this.u32be(v); this.endAttr(s); }
  /** Writes an s32 attribute. */
  attrS32(type: number, v: number): void { const s = this.beginAttr(type); this.s32(v); this.endAttr(s); }
  /** Writes a u64 attribute, little-endian. */
  attrU64(type: number, v: bigint | number): void { const s = this.beginAttr(type); this.u64(v); this.endAttr(s); }
  /** Writes a u64 attribute in network order. */
  attrU64be(type: number, v: bigint | number): void { const s = this.beginAttr(type); this.u64be(v); this.endAttr(s); }
  /** Writes a NUL-terminated string attribute. */
  attrString(type: number, v: string): void { const s = this.beginAttr(type); this.cstring(v); this.endAttr(s); }
  /** Writes a binary attribute. */
  attrBytes(type: number, v: Uint8Array): void { const s = this.beginAttr(type); this.bytes(v); this.endAttr(s); }
  /** Writes a flag attribute (no payload: present means true). */
  attrFlag(type: number): void { const s = this.beginAttr(type); this.endAttr(s); }

  /** A view of the written bytes; invalid after the next write that grows the buffer. */
  view(start = 0, end = this.pos): Buffer {
    return this.buf.subarray(start, end);
  }

  /** A copy of the written bytes, safe to keep. */
  take(start = 0, end = this.pos): Buffer {
    return Buffer.from(this.buf.subarray(start, end));
  }
}
