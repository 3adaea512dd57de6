// Where the length fields of netlink bytes are: nlmsg_len of each message and nla_len of each
// attribute, nests included (found by their NLA_F_NESTED bit, or because their payload parses
// exactly as attributes). The mutators aim at these, and the minimizer keeps them consistent.
// Written here from the wire format, not with nlkit's codec: the harness must not share the
// assumptions of the code it tests.

const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLM_F_CAPPED = 0x100;
const NLA_F_NESTED = 0x8000;

export interface LenField {
  kind: "nlmsg" | "nla";
  /** Offset of the length field (the start of the header). */
  at: number;
  /** The framed region [at, end): header and payload. */
  end: number;
  /** Where the payload starts (attributes of a message start after its family header). */
  payload: number;
  /** End of the enclosing region (message or nest), or the buffer's end for a message. */
  parentEnd: number;
  /** Index of the enclosing LenField in the list, -1 for a message. */
  parent: number;
  depth: number;
  /** nlmsg_type, or the attribute's type with its flag bits. */
  type: number;
}

/** Bytes between nlmsghdr and the first attribute, by message type (0 when unknown: no attributes). */
export function familyHeaderSize(type: number): number {
  if (type === NLMSG_DONE) return 4;
  if (type >= 16 && type <= 19) return 16; // ifinfomsg
  if (type >= 20 && type <= 23) return 8; // ifaddrmsg
  if (type >= 24 && type <= 35) return 12; // rtmsg, ndmsg, fib_rule_hdr
  if (type >= 88 && type <= 90) return 4; // rtgenmsg, aligned
  if (type >> 8 === 10) return 4; // nfgenmsg
  return 0;
}

function looksLikeAttrs(buf: Buffer, start: number, end: number): boolean {
  if (end - start < 4) return false;
  let off = start;
  while (off + 4 <= end) {
    const len = buf.readUInt16LE(off);
    if (len < 4 || off + len > end) return false;
    off += (len + 3) & ~3;
  }
  return off >= end;
}

function walkAttrs(buf: Buffer, start: number, end: number, parent: number, depth: number, out: LenField[]): void {
  let off = start;
  while (off + 4 <= end) {
    const len = buf.readUInt16LE(off);
    const type = buf.readUInt16LE(off + 2);
    if (len < 4 || off + len > end) return;
    const me = out.length;
    out.push({ kind: "nla", at: off, end: off + len, payload: off + 4, parentEnd: end, parent, depth, type });
    if (depth < 6 && ((type & NLA_F_NESTED) !== 0 || looksLikeAttrs(buf, off + 4, off + len))) {
      walkAttrs(buf, off + 4, off + len, me, depth + 1, out);
    }
    off += (len + 3) & ~3;
  }
}

/** Every length field of the messages in buf, in byte order (a message before its attributes). */
export function lengthFields(buf: Buffer): LenField[] {
  const out: LenField[] = [];
  let off = 0;
  while (off + 16 <= buf.length) {
    const len = buf.readUInt32LE(off);
    if (len < 16 || off + len > buf.length) break;
    const type = buf.readUInt16LE(off + 4);
    const me = out.length;
    let attrs = off + 16 + ((familyHeaderSize(type) + 3) & ~3);
    if (type === NLMSG_ERROR && len >= 36) {
      // errno, the echoed request (its header only when capped), then extended-ack attributes
      const flags = buf.readUInt16LE(off + 6);
      const echoed = flags & NLM_F_CAPPED ? 16 : Math.min(buf.readUInt32LE(off + 20), len - 20);
      attrs = off + 20 + ((Math.max(16, echoed) + 3) & ~3);
    }
    out.push({ kind: "nlmsg", at: off, end: off + len, payload: Math.min(attrs, off + len), parentEnd: buf.length, parent: -1, depth: 0, type });
    if (attrs < off + len) walkAttrs(buf, attrs, off + len, me, 1, out);
    off += (len + 3) & ~3;
  }
  return out;
}

/** The length fields whose region contains [from, to): the ones to shrink when those bytes go. */
export function enclosing(fields: readonly LenField[], from: number, to: number): LenField[] {
  return fields.filter((f) => f.at + (f.kind === "nlmsg" ? 16 : 4) <= from && to <= f.end);
}

/** Adds delta to a length field (nlmsg_len u32 or nla_len u16), clamped to the field's range. */
export function adjustLength(buf: Buffer, f: LenField, delta: number): void {
  if (f.kind === "nlmsg") buf.writeUInt32LE(Math.max(0, Math.min(0xffffffff, buf.readUInt32LE(f.at) + delta)), f.at);
  else buf.writeUInt16LE(Math.max(0, Math.min(0xffff, buf.readUInt16LE(f.at) + delta)), f.at);
}

/** buf with [from, to) removed, every enclosing length shrunk to match. */
export function removeBytes(buf: Buffer, from: number, to: number, fields = lengthFields(buf)): Buffer {
  const out = Buffer.concat([buf.subarray(0, from), buf.subarray(to)]);
  for (const f of enclosing(fields, from, to)) adjustLength(out, f, -(to - from));
  return out;
}

/** buf with bytes inserted at `at`, every enclosing length grown to match. */
export function insertBytes(buf: Buffer, at: number, bytes: Buffer, fields = lengthFields(buf)): Buffer {
  const out = Buffer.concat([buf.subarray(0, at), bytes, buf.subarray(at)]);
  for (const f of enclosing(fields, at, at)) adjustLength(out, f, bytes.length);
  return out;
}
