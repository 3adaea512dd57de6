import {
  NLM_F_DUMP_INTR, NLM_F_MULTI, NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN, NLMSG_NOOP, NLMSG_OVERRUN,
} from "./constants.js";
import type { Decoder } from "./decoder.js";
import { NetlinkParseError } from "./errors.js";
import { parseErrorPayload, type ErrorPayload } from "./message.js";

/** How a request is answered: an ack, one reply message (a GET without NLM_F_ACK), or a dump. */
export const ACK = 0;
export const REPLY = 1;
export const DUMP = 2;
export type ReplyMode = typeof ACK | typeof REPLY | typeof DUMP;

/**
 * One request's side of the conversation: what came back for its seq. The framing walk fills
 * it; the caller waits until `done`.
 */
export class Exchange<T = unknown> {
  readonly replies: T[] = [];
  done = false;
  /** NLM_F_DUMP_INTR was set on one of the replies. */
  interrupted = false;
  /** The kernel's refusal (NLMSG_ERROR or NLMSG_DONE with an errno). */
  failure: ErrorPayload | undefined;
  /** A reply was lost (too large for the receive buffer, or the receive queue overflowed). */
  lost: "truncated" | "overrun" | "closed" | undefined;
  /** A reply the decoder could not read; the exchange still runs to its end. */
  decodeError: unknown;
  /** Set while the caller waits for the socket: whoever completes the exchange calls it. */
  wake: (() => void) | undefined;
  /** An abandoned dump still running in the kernel: its messages are read and dropped. */
  sink = false;

  constructor(readonly seq: number, readonly mode: ReplyMode, readonly decode: Decoder<T> | undefined) {}

  finish(): void {
    this.done = true;
    const w = this.wake;
    if (w) {
      this.wake = undefined;
      w();
    }
  }
}

/** A plain ack's payload, shared: only its errno is read. */
const OK: ErrorPayload = { errno: 0, extack: {} };

/** The first `n` bytes of the receive buffer, copied for a retaining decoder. */
function datagramCopy(buf: Buffer, n: number): Buffer {
  const copy = Buffer.allocUnsafeSlow(n);
  buf.copy(copy, 0, 0, n);
  return copy;
}

/** Messages that belong to no exchange: notifications, for a monitor. */
export type NotificationSink = (buf: Buffer, off: number, len: number, type: number) => void;

/**
 * The one walk over a received datagram. Every message is checked for framing and matched to its
 * exchange by seq; messages of other seqs are answers to abandoned requests and are dropped,
 * unless `notify` takes them (multicast notifications carry the seq of whatever request caused
 * them, often another process's). Acks, errors with their extack, NLMSG_DONE, NLM_F_DUMP_INTR,
 * multipart and single replies are all decided here, for requests, dumps, batches and monitors.
 *
 * Byte reads rather than readUInt32LE/readUInt16LE: a big dump runs this for thousands of
 * messages, the first few dumps of a process in the interpreter, where each of those is a full
 * call with its own checks.
 */
export function dispatchDatagram(
  buf: Buffer, n: number, find: (seq: number) => Exchange<any> | undefined, notify?: NotificationSink,
): void {
  let kept: Buffer | undefined; // this datagram's copy, made for the first retaining decoder
  let off = 0;
  while (off + NLMSG_HDRLEN <= n) {
    const len = (buf[off]! | (buf[off + 1]! << 8) | (buf[off + 2]! << 16)) + buf[off + 3]! * 0x1000000;
    if (len < NLMSG_HDRLEN || off + len > n) throw new NetlinkParseError(`bad nlmsg_len ${len}`, off);
    const type = buf[off + 4]! | (buf[off + 5]! << 8);
    const flags = buf[off + 6]! | (buf[off + 7]! << 8);
    const seq = (buf[off + 8]! | (buf[off + 9]! << 8) | (buf[off + 10]! << 16)) + buf[off + 11]! * 0x1000000;
    const ex = find(seq);
    if (ex === undefined || ex.done) {
      if (notify !== undefined && (type >= 0x10 || type === NLMSG_OVERRUN)) notify(buf, off, len, type);
    } else {
      if (flags & NLM_F_DUMP_INTR) ex.interrupted = true;
      if (type === NLMSG_ERROR || type === NLMSG_DONE) {
        // a plain ack (error code 0) needs no parsing
        const p = len >= NLMSG_HDRLEN + 4 && buf.readInt32LE(off + NLMSG_HDRLEN) === 0 ? OK : safeErrorPayload(buf, off, len);
        if (p.errno !== 0 && ex.failure === undefined) ex.failure = p;
        ex.finish();
      } else if (type === NLMSG_OVERRUN) {
        ex.lost = "overrun";
        ex.finish();
      } else if (type !== NLMSG_NOOP) {
        if (ex.decode !== undefined && !ex.sink) {
          try {
            ex.replies.push(ex.decode.retainsBuffer === true ? ex.decode(kept ??= datagramCopy(buf, n), off, len) : ex.decode(buf, off, len));
          } catch (e) {
            ex.decodeError ??= e;
          }
        }
        if (ex.mode === REPLY && !(flags & NLM_F_MULTI)) ex.finish();
      }
    }
    off += (len + 3) & ~3;
  }
}

/** An error message too short to hold its errno is itself a malformed reply: EBADMSG for its request. */
function safeErrorPayload(buf: Buffer, off: number, len: number): ErrorPayload {
  try {
    return parseErrorPayload(buf, off, len);
  } catch (e) {
    if (!(e instanceof NetlinkParseError)) throw e;
    return { errno: 74, extack: { message: e.message } };
  }
}
