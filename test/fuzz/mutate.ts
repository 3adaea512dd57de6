// Mutations of real kernel messages, aimed at what decoders trust: length fields (nlmsg_len,
// nla_len), nesting, attribute sizes and types, message boundaries. Each case picks a message
// (or a few, for several messages per buffer) and applies one to three of these.
import type { Corpus } from "./corpus.js";
import { adjustLength, insertBytes, lengthFields, removeBytes, type LenField } from "./frames.js";
import type { Rng } from "./rng.js";

type Mutator = (rng: Rng, buf: Buffer, corpus: Corpus) => Buffer | undefined;

const INTERESTING_U8 = [0, 1, 2, 3, 4, 0x7f, 0x80, 0xfe, 0xff];

function attrs(buf: Buffer): LenField[] {
  return lengthFields(buf).filter((f) => f.kind === "nla");
}

/** Flips 1..8 bits anywhere. */
const bitflip: Mutator = (rng, buf) => {
  const out = Buffer.from(buf);
  for (let n = rng.range(1, 8); n > 0 && out.length; n--) out[rng.int(out.length)]! ^= 1 << rng.int(8);
  return out;
};

/** Sets a few bytes to edge values. */
const bytes: Mutator = (rng, buf) => {
  const out = Buffer.from(buf);
  for (let n = rng.range(1, 4); n > 0 && out.length; n--) out[rng.int(out.length)] = rng.pick(INTERESTING_U8);
  return out;
};

/** Cuts the buffer inside or right after a length field's region; nlmsg_len follows, or lies. */
const truncateAtLength: Mutator = (rng, buf) => {
  const fields = lengthFields(buf);
  if (!fields.length) return undefined;
  const f = rng.pick(fields);
  const cut = Math.min(buf.length, f.at + rng.int(f.end - f.at + 1));
  const out = Buffer.from(buf.subarray(0, cut));
  if (rng.chance(0.6)) {
    // the message claims what is left (when the nlmsghdr survived)
    for (const m of fields.filter((x) => x.kind === "nlmsg" && x.at + 4 <= cut && x.end > cut)) out.writeUInt32LE(cut - m.at, m.at);
  }
  return out;
};

/** An attribute's nla_len says something else than its bytes. */
const nlaLenLie: Mutator = (rng, buf) => {
  const list = attrs(buf);
  if (!list.length) return undefined;
  const f = rng.pick(list);
  const len = f.end - f.at;
  const room = f.parentEnd - f.at;
  const v = rng.pick([0, 1, 2, 3, 4, 5, 7, len - 1, len + 1, len + 3, len + 4, room, room + 1, room + 4, 0xffff, rng.int(0x10000)]);
  const out = Buffer.from(buf);
  out.writeUInt16LE(Math.max(0, Math.min(0xffff, v)), f.at);
  return out;
};

/** A nested attribute that runs past its parent, or a parent that ends inside its child. */
const nestInconsistent: Mutator = (rng, buf) => {
  const fields = lengthFields(buf);
  const children = fields.filter((f) => f.kind === "nla" && f.parent >= 0 && fields[f.parent]!.kind === "nla");
  if (!children.length) return undefined;
  const c = rng.pick(children);
  const p = fields[c.parent]!;
  const out = Buffer.from(buf);
  if (rng.chance(0.5)) {
    // the child claims bytes beyond its parent (still inside the message when there are any)
    out.writeUInt16LE(Math.min(0xffff, p.end - c.at + rng.range(1, 12)), c.at);
  } else {
    // the parent stops in the middle of the child
    const newEnd = rng.range(c.at + 1, Math.max(c.at + 1, c.end - 1));
    out.writeUInt16LE(Math.max(4, newEnd - p.at), p.at);
  }
  return out;
};

/** An attribute with no payload: its value removed, the framing kept consistent. */
const zeroLength: Mutator = (rng, buf) => {
  const list = attrs(buf);
  if (!list.length) return undefined;
  if (rng.chance(0.3)) {
    // a new empty attribute of a type seen nearby, at an attribute boundary
    const f = rng.pick(list);
    const hdr = Buffer.alloc(4);
    hdr.writeUInt16LE(4, 0);
    hdr.writeUInt16LE(rng.chance(0.5) ? f.type : rng.int(80), 2);
    return insertBytes(buf, rng.chance(0.5) ? f.at : f.end + ((4 - ((f.end - f.at) % 4)) % 4), hdr);
  }
  const f = rng.pick(list);
  const payload = f.end - f.payload;
  if (payload === 0) return undefined;
  const out = removeBytes(buf, f.payload, f.end);
  // removing an unpadded payload shifts what follows off alignment; keep the shift 4-aligned
  const pad = (4 - (payload % 4)) % 4;
  return pad && f.end + pad <= out.length + payload ? removeBytes(out, f.payload, Math.min(out.length, f.payload + pad)) : out;
};

/** An attribute whose value is shorter or longer than its kind, framing kept consistent. */
const resizePayload: Mutator = (rng, buf) => {
  const list = attrs(buf);
  if (!list.length) return undefined;
  const f = rng.pick(list);
  const payload = f.end - f.payload;
  if (rng.chance(0.5) && payload > 0) {
    const cut = rng.range(1, Math.min(payload, 16));
    return removeBytes(buf, f.end - cut, f.end);
  }
  const extra = Buffer.alloc(rng.range(1, 12));
  for (let i = 0; i < extra.length; i++) extra[i] = rng.int(256);
  return insertBytes(buf, f.end, extra);
};

/** An attribute of another type: a value read with the wrong kind. */
const retype: Mutator = (rng, buf) => {
  const list = attrs(buf);
  if (!list.length) return undefined;
  const f = rng.pick(list);
  const out = Buffer.from(buf);
  const flags = f.type & 0xc000;
  const t = rng.chance(0.7) ? rng.int(72) : rng.int(0x4000);
  out.writeUInt16LE((rng.chance(0.2) ? flags ^ 0x8000 : flags) | t, f.at + 2);
  return out;
};

/** Bytes of another real message written over (or into) this one. */
const splice: Mutator = (rng, buf, corpus) => {
  const other = rng.pick(corpus.messages).bytes;
  if (other.length <= 16 || buf.length <= 16) return undefined;
  const from = rng.range(16, other.length - 1);
  const piece = other.subarray(from, Math.min(other.length, from + rng.range(4, 64)));
  const at = rng.range(16, buf.length - 1);
  if (rng.chance(0.5)) {
    const out = Buffer.from(buf);
    piece.copy(out, at, 0, Math.min(piece.length, out.length - at));
    return out;
  }
  // inserted whole at an attribute boundary, the enclosing lengths grown (or left to lie)
  const list = attrs(buf);
  const boundary = list.length ? rng.pick(list).at : at;
  const aligned = piece.subarray(0, piece.length & ~3);
  if (!aligned.length) return undefined;
  return rng.chance(0.7) ? insertBytes(buf, boundary, aligned) : Buffer.concat([buf.subarray(0, boundary), aligned, buf.subarray(boundary)]);
};

/** nlmsg_len lies: too small, inside the family header, past the end. */
const nlmsgLen: Mutator = (rng, buf) => {
  const out = Buffer.from(buf);
  if (out.length < 4) return undefined;
  const real = buf.length;
  out.writeUInt32LE(rng.pick([0, 1, 15, 16, 17, 18, 19, 20, 24, 28, 32, real - 1, real + 1, real + 4, 0xffff, 0xffffffff, rng.int(real + 64)]) >>> 0, 0);
  return out;
};

/** The message ends inside its family header, nlmsg_len saying so (RTM_NEWADDR of 20 bytes). */
const shortHeader: Mutator = (rng, buf) => {
  const cut = rng.range(16, Math.min(buf.length, 16 + 16));
  const out = Buffer.from(buf.subarray(0, cut));
  if (out.length >= 4) out.writeUInt32LE(cut, 0);
  return out;
};

/** Another message type in an otherwise intact message: one family's decoder on another's bytes. */
const retypeMessage: Mutator = (rng, buf, corpus) => {
  const out = Buffer.from(buf);
  if (out.length < 6) return undefined;
  out.writeUInt16LE(rng.pick([...corpus.byType.keys()]), 4);
  return out;
};

const MUTATORS: ReadonlyArray<readonly [number, readonly [string, Mutator]]> = [
  [10, ["bitflip", bitflip]],
  [5, ["bytes", bytes]],
  [10, ["truncate-at-length", truncateAtLength]],
  [12, ["nla-len-lie", nlaLenLie]],
  [8, ["nest-inconsistent", nestInconsistent]],
  [10, ["zero-length", zeroLength]],
  [10, ["resize-payload", resizePayload]],
  [8, ["retype-attr", retype]],
  [6, ["splice", splice]],
  [5, ["nlmsg-len", nlmsgLen]],
  [4, ["short-header", shortHeader]],
  [3, ["retype-message", retypeMessage]],
];

export interface FuzzInput {
  bytes: Buffer;
  /** What was done, in order: "link-stats#12", "nla-len-lie", ... */
  steps: string[];
}

/** One case: a real message (or several, concatenated) with one to three mutations. */
export function mutateCase(rng: Rng, corpus: Corpus): FuzzInput {
  const pickOne = (): { buf: Buffer; name: string } => {
    const i = rng.int(corpus.messages.length);
    const m = corpus.messages[i]!;
    return { buf: m.bytes, name: `${m.fixture}#${i}` };
  };
  const first = pickOne();
  let buf = first.buf;
  const steps = [first.name];
  for (let n = rng.weighted([[6, 1], [3, 2], [1, 3]] as const); n > 0; n--) {
    const [name, mutate] = rng.weighted(MUTATORS);
    const next = mutate(rng, buf, corpus);
    if (next) {
      buf = next;
      steps.push(name);
    }
  }
  if (rng.chance(0.15)) {
    // several messages per buffer: the mutated one among intact ones, padded or not
    const parts = [buf];
    for (let k = rng.range(1, 3); k > 0; k--) {
      const o = pickOne();
      steps.push(`+${o.name}`);
      if (rng.chance(0.5)) parts.push(o.buf);
      else parts.unshift(o.buf);
    }
    const pad = rng.chance(0.8);
    buf = Buffer.concat(parts.flatMap((p) => (pad && p.length % 4 ? [p, Buffer.alloc(4 - (p.length % 4))] : [p])));
  }
  return { bytes: Buffer.from(buf), steps };
}
