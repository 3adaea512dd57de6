import {
  NLM_F_ACK_TLVS, NLM_F_CAPPED, NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN,
  NLMSGERR_ATTR_COOKIE, NLMSGERR_ATTR_MISS_NEST, NLMSGERR_ATTR_MISS_TYPE, NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS,
} from "./constants.js";
import { attrName, decodeAttrs, describeAttrAt, encodeAttrs, forEachAttr, type AttrSet, type AttrValues } from "./attrs.js";
import { NetlinkParseError, type Extack } from "./errors.js";
import { decodeStruct, encodeStruct, type StructDef, type StructValue } from "./struct.js";
import type { NlWriter } from "./writer.js";

/**
 * The fields of a `struct nlmsghdr`.
 *
 * @example
 * ```ts
 * const w = new NlWriter();
 * const s = w.beginMessage(constants.NLMSG_ERROR, constants.NLM_F_CAPPED);
 * w.s32(-17);   // -EEXIST
 * w.u32(40); w.u16(20); w.u16(0x605); w.u32(7); w.u32(0);   // the request's nlmsghdr: RTM_NEWADDR, seq 7
 * w.endMessage(s);
 * const request: NlHeader | undefined = parseErrorPayload(w.buf, 0, w.pos).request;
 * console.log(request);   // { len: 40, type: 20, flags: 1541, seq: 7, pid: 0 }
 * ```
 */
export interface NlHeader {
  /** The message's length, header included. */
  len: number;
  /** The message type. */
  type: number;
  /** NLM_F_* flags. */
  flags: number;
  /** The sequence number that pairs replies with requests. */
  seq: number;
  /** The sender's port id (0 for the kernel). */
  pid: number;
}

/**
 * A family message: a fixed header struct followed by attributes.
 *
 * @example
 * ```ts
 * const ifaddrmsg = struct("ifaddrmsg", [["family", "u8"], ["prefixlen", "u8"], ["flags", "u8"], ["scope", "u8"], ["index", "u32"]]);
 * const addr = attrSet("addr", "IFA_", { address: [1, "ip"], local: [2, "ip"], label: [3, "string"] });
 * const def: MessageDef = { name: "addr", header: ifaddrmsg, attrs: addr, typeNames: new Map([[20, "RTM_NEWADDR"]]) };
 * const sock = NetlinkSocket.open({ protocol: constants.NETLINK_ROUTE });
 * // ip addr add 10.0.0.1/24 dev <ifindex 2>; a refusal names RTM_NEWADDR and the attribute at fault
 * await sock.request(tableRequest(def, 20, constants.NLM_F_CREATE | constants.NLM_F_EXCL, { family: 2, prefixlen: 24, index: 2 }, { local: "10.0.0.1", address: "10.0.0.1" }));
 * sock.close();
 * ```
 */
export interface MessageDef {
  /** A name for the messages, used in parse errors. */
  readonly name: string;
  /** The family's fixed header (ifaddrmsg, genlmsghdr...). */
  readonly header: StructDef;
  /** The attributes that follow it. */
  readonly attrs: AttrSet;
  /** Message type numbers to names, for errors (e.g. 16 -> RTM_NEWLINK). */
  readonly typeNames?: ReadonlyMap<number, string>;
}

/**
 * A message read by `decodeMessage`: the nlmsghdr fields, the family header and the attributes.
 *
 * @example
 * ```ts
 * const ifaddrmsg = struct("ifaddrmsg", [["family", "u8"], ["prefixlen", "u8"], ["flags", "u8"], ["scope", "u8"], ["index", "u32"]]);
 * const def: MessageDef = { name: "addr", header: ifaddrmsg, attrs: attrSet("addr", "IFA_", { address: [1, "ip"], label: [3, "string"] }) };
 * type AddrMsg = DecodedMessage<{ prefixlen: number; index: number }, { address?: string; label?: string }>;
 * const sock = NetlinkSocket.open({ protocol: constants.NETLINK_ROUTE });
 * const addrs: AddrMsg[] = await sock.dump({ type: 22, def, encode: (w) => w.zeros(8) }, (buf, s, l) => decodeMessage(buf, s, l, def));   // RTM_GETADDR
 * for (const a of addrs) console.log(a.header.index, `${a.attrs.address}/${a.header.prefixlen}`);   // 1 "127.0.0.1/8"...
 * sock.close();
 * ```
 */
export interface DecodedMessage<H = StructValue, A = AttrValues> {
  /** The message type. */
  type: number;
  /** NLM_F_* flags. */
  flags: number;
  /** The sequence number. */
  seq: number;
  /** The sender's port id. */
  pid: number;
  /** The family header, decoded by the message definition's struct. */
  header: H;
  /** The attributes, decoded by its attribute set. */
  attrs: A;
}

export function readHeader(buf: Buffer, off: number): NlHeader {
  return {
    len: buf.readUInt32LE(off),
    type: buf.readUInt16LE(off + 4),
    flags: buf.readUInt16LE(off + 6),
    seq: buf.readUInt32LE(off + 8),
    pid: buf.readUInt32LE(off + 12),
  };
}

/**
 * Throws NetlinkParseError unless buf[start, start + len) can hold a netlink message: a whole
 * nlmsghdr (and the family's fixed header, when given), and nothing past the buffer. Decoders are
 * handed (buf, start, len) by the socket, by users replaying captures and by tests; none of those
 * may turn a bad length into a RangeError, or into fields read from the next message's bytes.
 */
export function checkMessageBounds(buf: Buffer, start: number, len: number, header?: StructDef): void {
  if (!(start >= 0 && len >= NLMSG_HDRLEN && start + len <= buf.length)) {
    throw new NetlinkParseError(`no netlink message of ${len} bytes at ${start} in a buffer of ${buf.length}`, start >= 0 ? start : 0);
  }
  if (header && len < NLMSG_HDRLEN + header.size) {
    throw new NetlinkParseError(`a message of ${len} bytes cannot hold its ${header.name} (${header.size} bytes)`, start);
  }
}

/**
 * Calls fn(start, len) for each netlink message in buf[0, end). Several messages per datagram are
 * normal; a truncated one is a parse error. Fewer trailing bytes than a header (the last message's
 * alignment padding) are not a message and are passed over.
 *
 * @example
 * ```ts
 * const w = new NlWriter();
 * w.endMessage(w.beginMessage(16, constants.NLM_F_MULTI, 1));   // RTM_NEWLINK
 * w.endMessage(w.beginMessage(constants.NLMSG_DONE, constants.NLM_F_MULTI, 1));
 * forEachMessage(w.buf, w.pos, (start, len) => console.log(start, len, w.buf.readUInt16LE(start + 4)));   // 0 16 16, then 16 16 3
 * ```
 */
export function forEachMessage(buf: Buffer, end: number, fn: (start: number, len: number) => void): void {
  if (!(end >= 0 && end <= buf.length)) throw new NetlinkParseError(`end ${end} is outside the buffer of ${buf.length} bytes`, 0);
  let off = 0;
  while (off + NLMSG_HDRLEN <= end) {
    const len = buf.readUInt32LE(off);
    if (len < NLMSG_HDRLEN || off + len > end) throw new NetlinkParseError(`bad nlmsg_len ${len}`, off);
    fn(off, len);
    off += (len + 3) & ~3;
  }
}

/**
 * Splits a datagram into its netlink messages, as subarrays of `buf` (nothing is copied).
 *
 * @example
 * ```ts
 * const w = new NlWriter();
 * w.endMessage(w.beginMessage(16, constants.NLM_F_MULTI, 1));   // RTM_NEWLINK
 * w.endMessage(w.beginMessage(constants.NLMSG_DONE, constants.NLM_F_MULTI, 1));
 * const msgs = splitMessages(w.take());
 * console.log(msgs.map((m) => m.readUInt16LE(4)));   // [16, 3]
 * ```
 */
export function splitMessages(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  forEachMessage(buf, buf.length, (s, l) => out.push(buf.subarray(s, s + l)));
  return out;
}

/**
 * Writes one whole netlink message (nlmsghdr, the family header, attributes) and returns the offset
 * it starts at in the writer (its length is `w.pos` minus that); the building block under
 * `tableRequest` for families nlkit does not cover.
 *
 * @example
 * ```ts
 * const ifaddrmsg = struct("ifaddrmsg", [["family", "u8"], ["prefixlen", "u8"], ["flags", "u8"], ["scope", "u8"], ["index", "u32"]]);
 * const def: MessageDef = { name: "addr", header: ifaddrmsg, attrs: attrSet("addr", "IFA_", { address: [1, "ip"], local: [2, "ip"] }) };
 * const w = new NlWriter();
 * const flags = constants.NLM_F_REQUEST | constants.NLM_F_ACK | constants.NLM_F_CREATE | constants.NLM_F_EXCL;
 * const at = encodeMessage(w, def, 20, flags, { family: 2, prefixlen: 24, index: 2 }, { local: "10.0.0.1", address: "10.0.0.1" }, 1);   // RTM_NEWADDR
 * console.log(at, w.pos - at);   // 0 40: nlmsghdr, ifaddrmsg, IFA_ADDRESS, IFA_LOCAL
 * ```
 */
export function encodeMessage(
  w: NlWriter, def: MessageDef, type: number, flags: number,
  header: StructValue | undefined, attrs: Record<string, unknown> | undefined, seq = 0, pid = 0,
): number {
  const start = w.beginMessage(type, flags, seq, pid);
  encodeStruct(w, def.header, header);
  w.align();
  if (attrs) encodeAttrs(w, def.attrs, attrs);
  w.endMessage(start);
  return start;
}

/** A message's payload after the nlmsghdr: the family header struct, padding, the attributes. */
export function encodeBody(w: NlWriter, def: MessageDef, header: StructValue | undefined, attrs: Record<string, unknown> | undefined): void {
  encodeStruct(w, def.header, header);
  w.align();
  if (attrs) encodeAttrs(w, def.attrs, attrs);
}

/**
 * Decodes one message of a family; a header shorter than the struct is read tolerantly.
 *
 * @example
 * ```ts
 * const ifaddrmsg = struct("ifaddrmsg", [["family", "u8"], ["prefixlen", "u8"], ["flags", "u8"], ["scope", "u8"], ["index", "u32"]]);
 * const def: MessageDef = { name: "addr", header: ifaddrmsg, attrs: attrSet("addr", "IFA_", { address: [1, "ip"], label: [3, "string"] }) };
 * const w = new NlWriter();
 * encodeMessage(w, def, 20, 0, { family: 10, prefixlen: 64, index: 2 }, { address: "fd00::1" }, 5);
 * const m = decodeMessage(w.buf, 0, w.pos, def);
 * console.log(m.type, m.seq, m.header.prefixlen, m.attrs.address);   // 20 5 64 "fd00::1"
 * ```
 */
export function decodeMessage<H = StructValue, A = AttrValues>(buf: Buffer, start: number, len: number, def: MessageDef): DecodedMessage<H, A> {
  checkMessageBounds(buf, start, len);
  const end = start + len;
  const hs = start + NLMSG_HDRLEN;
  const hlen = Math.min(def.header.size, end - hs);
  const header = decodeStruct(buf, hs, hlen, def.header);
  if (header.tail) delete header.tail;
  const attrStart = hs + ((def.header.size + 3) & ~3);
  const attrs = attrStart < end ? decodeAttrs(buf, attrStart, end, def.attrs) : {};
  return {
    type: buf.readUInt16LE(start + 4),
    flags: buf.readUInt16LE(start + 6),
    seq: buf.readUInt32LE(start + 8),
    pid: buf.readUInt32LE(start + 12),
    header: header as H,
    attrs: attrs as A,
  };
}

export interface ErrorPayload {
  /** 0 for an ACK, else a positive errno. */
  errno: number;
  extack: Extack;
  /** The echoed request header (NLMSG_ERROR only). */
  request?: NlHeader;
}

/**
 * Parses NLMSG_ERROR (ack or error) and NLMSG_DONE payloads, with extended-ack TLVs.
 *
 * @example
 * ```ts
 * const w = new NlWriter();   // an NLMSG_ERROR as the kernel sends it, with an extack message
 * const s = w.beginMessage(constants.NLMSG_ERROR, constants.NLM_F_CAPPED | constants.NLM_F_ACK_TLVS);
 * w.s32(-95);   // -EOPNOTSUPP
 * w.u32(48); w.u16(16); w.u16(0x605); w.u32(3); w.u32(0);   // the request's nlmsghdr (capped: only that)
 * w.attrString(constants.NLMSGERR_ATTR_MSG, "Unknown device type");
 * w.endMessage(s);
 * const e = parseErrorPayload(w.buf, 0, w.pos);
 * console.log(e.errno, e.extack.message, e.request?.seq);   // 95 "Unknown device type" 3
 * ```
 */
export function parseErrorPayload(buf: Buffer, start: number, len: number): ErrorPayload {
  checkMessageBounds(buf, start, len);
  const end = start + len;
  const type = buf.readUInt16LE(start + 4);
  const flags = buf.readUInt16LE(start + 6);
  const p = start + NLMSG_HDRLEN;
  if (p + 4 > end) {
    // a DONE without payload happens on some families: it simply means success
    if (type === NLMSG_DONE) return { errno: 0, extack: {} };
    throw new NetlinkParseError("NLMSG_ERROR without error code", start);
  }
  const err = buf.readInt32LE(p);
  const out: ErrorPayload = { errno: err === 0 ? 0 : -err, extack: {} };
  let tlvStart = p + 4;
  if (type === NLMSG_ERROR) {
    if (tlvStart + NLMSG_HDRLEN <= end) {
      out.request = readHeader(buf, tlvStart);
      // the echoed request is just its header when capped, or when this is a plain ack
      const echoed = flags & NLM_F_CAPPED || err === 0 ? NLMSG_HDRLEN : out.request.len;
      tlvStart += (Math.min(echoed, end - tlvStart) + 3) & ~3;
    } else {
      tlvStart = end;
    }
  }
  if (flags & NLM_F_ACK_TLVS && tlvStart < end) out.extack = parseExtack(buf, tlvStart, end);
  return out;
}

export function parseExtack(buf: Buffer, start: number, end: number): Extack {
  const ex: Extack = {};
  forEachAttr(buf, start, end, (type, s, e) => {
    switch (type) {
      case NLMSGERR_ATTR_MSG: {
        let z = e;
        while (z > s && buf[z - 1] === 0) z--;
        ex.message = buf.toString("utf8", s, z);
        break;
      }
      case NLMSGERR_ATTR_OFFS: if (e - s >= 4) ex.offset = buf.readUInt32LE(s); break;
      case NLMSGERR_ATTR_COOKIE: ex.cookie = Buffer.from(buf.subarray(s, e)); break;
      case NLMSGERR_ATTR_MISS_TYPE: if (e - s >= 4) ex.missingType = buf.readUInt32LE(s); break;
      case NLMSGERR_ATTR_MISS_NEST: if (e - s >= 4) ex.missingNest = buf.readUInt32LE(s); break;
    }
  });
  return ex;
}

/** Fills extack.attribute from the request bytes and the family's message table. */
export function nameExtackAttribute(extack: Extack, request: Buffer | undefined, def: MessageDef | undefined): void {
  if (!def) return;
  if (extack.offset !== undefined && request && extack.offset >= NLMSG_HDRLEN && extack.offset < request.length) {
    const attrStart = NLMSG_HDRLEN + ((def.header.size + 3) & ~3);
    if (extack.offset >= attrStart) {
      const name = describeAttrAt(request, attrStart, request.length, def.attrs, extack.offset);
      if (name) extack.attribute = name;
    } else {
      extack.attribute = `${def.header.name} header`;
    }
  } else if (extack.missingType !== undefined && extack.missingNest === undefined) {
    extack.attribute = `missing ${attrName(def.attrs, extack.missingType)}`;
  }
}
