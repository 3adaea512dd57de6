import { NLM_F_ACK, NLM_F_REQUEST } from "../netlink/constants.js";
import { NetlinkError, NlkitInputError, type RequestInfo } from "../netlink/errors.js";
import { encodeMessage, nameExtackAttribute, type ErrorPayload, type MessageDef } from "../netlink/message.js";
import type { NetlinkSocket } from "../netlink/socket.js";
import { NlWriter } from "../netlink/writer.js";
import * as sys from "../syscalls/index.js";
import { batchMsg } from "./attrs.js";
import { NFNETLINK_V0, NFNL_MSG_BATCH_BEGIN, NFNL_MSG_BATCH_END, NFNL_SUBSYS_NFTABLES, NFT_MSG_NAMES } from "./types.js";

/** One message of an nf_tables transaction, before framing. */
export interface NftMessage {
  type: number;
  /** NLM_F_* besides REQUEST and ACK (CREATE, APPEND, EXCL...). */
  flags: number;
  family: number;
  def: MessageDef;
  attrs: Record<string, unknown>;
}

export interface EncodedBatch {
  bytes: Buffer;
  /** seqs[i] is the sequence number of messages[i]; beginSeq/endSeq frame them. */
  seqs: number[];
  beginSeq: number;
  /** Start offset of each message's bytes, for naming extack attributes. */
  offsets: Array<[number, number]>;
}

/**
 * Which members ask for an ack. nft 1.0.6 asks for none and reads what is queued; nlkit asks
 * for one on the last member: the kernel processes a batch inside sendto, so once that ack is
 * read every error of the batch has been read too, and the receive queue never holds more than
 * the errors plus one ack, however large the transaction. `true` acks every member.
 */
export type AckPolicy = boolean | "last";

/** nfgenmsg for the batch delimiters: res_id names the subsystem (big-endian). */
const delimiter = () => ({ family: 0, version: NFNETLINK_V0, resId: NFNL_SUBSYS_NFTABLES });

/** Writes BATCH_BEGIN, the messages, BATCH_END. */
export function encodeBatch(messages: readonly NftMessage[], seqOf: (i: number) => number, ack: AckPolicy = "last"): EncodedBatch {
  const w = new NlWriter(4096);
  const n = messages.length;
  const beginSeq = seqOf(0);
  encodeMessage(w, batchMsg, NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, delimiter(), undefined, beginSeq);
  const seqs: number[] = [];
  const offsets: Array<[number, number]> = [];
  messages.forEach((m, i) => {
    const seq = seqOf(i + 1);
    const wantAck = ack === true || (ack === "last" && i === n - 1);
    const start = encodeMessage(w, m.def, m.type, m.flags | NLM_F_REQUEST | (wantAck ? NLM_F_ACK : 0),
      { family: m.family, version: NFNETLINK_V0, resId: 0 }, m.attrs, seq);
    seqs.push(seq);
    offsets.push([start, w.pos]);
  });
  encodeMessage(w, batchMsg, NFNL_MSG_BATCH_END, NLM_F_REQUEST, delimiter(), undefined, seqOf(n + 1));
  return { bytes: w.take(), seqs, beginSeq, offsets };
}

/**
 * Largest transaction nlkit sends. nfnetlink applies a batch only when BATCH_BEGIN and
 * BATCH_END arrive in the same datagram (a batch split over two sendto calls is aborted by the
 * kernel at the end of the first one, measured on 6.18), so a transaction cannot be chunked
 * over several sends and stay atomic: it goes as one datagram, the send buffer is raised to fit
 * it (as nft does), and anything larger is refused before a byte is sent.
 */
export const MAX_TRANSACTION_BYTES = 256 * 1024 * 1024;

export interface CommitOptions {
  /**
   * The largest batch to send, in bytes with its framing: a bigger one is refused (NlkitInputError,
   * EMSGSIZE) before anything is sent; default 256 MiB.
   */
  maxBytes?: number;
}

/** A refused member: which one, and the kernel's answer. */
export interface BatchRefusal {
  index: number;
  error: NetlinkError;
}

/**
 * Sends the messages as one nf_tables transaction. The kernel applies all of them or none; on
 * refusal the NetlinkError names the first failing message (request.index, request.typeName)
 * and carries the kernel's extack.
 */
export function commitBatch(sock: NetlinkSocket, messages: readonly NftMessage[], opts: CommitOptions = {}): void {
  const refusal = tryCommit(sock, messages, opts);
  if (refusal) throw refusal.error;
}

/** commitBatch that returns the refusal instead of throwing it (apply() maps it to a line). */
export function tryCommit(sock: NetlinkSocket, messages: readonly NftMessage[], opts: CommitOptions = {}): BatchRefusal | undefined {
  if (messages.length === 0) return undefined;
  const max = opts.maxBytes ?? MAX_TRANSACTION_BYTES;
  const { batch, answers } = exchange(sock, messages.length, (base) => {
    const b = encodeBatch(messages, (i) => (base + i) >>> 0);
    if (b.bytes.length > max) {
      throw new NlkitInputError(`the transaction is ${b.bytes.length} bytes (${messages.length} messages), more than the ${max} bytes nlkit sends as one atomic batch; split it into several transactions`, "messages", "EMSGSIZE");
    }
    return b;
  });
  for (let i = 0; i < messages.length; i++) {
    const a = answers.get(batch.seqs[i]!);
    if (!a || a.errno === 0) continue;
    const m = messages[i]!;
    const bytes = batch.bytes.subarray(batch.offsets[i]![0], batch.offsets[i]![1]);
    const info: RequestInfo = { type: m.type, seq: batch.seqs[i]!, index: i, bytes: Buffer.from(bytes) };
    const name = NFT_MSG_NAMES.get(m.type);
    if (name) info.typeName = name;
    nameExtackAttribute(a.extack, info.bytes, m.def);
    return { index: i, error: new NetlinkError(a.errno, a.extack, info) };
  }
  const begin = answers.get(batch.beginSeq);
  if (begin && begin.errno !== 0) {
    // the commit itself failed after every message was accepted
    return { index: -1, error: new NetlinkError(begin.errno, begin.extack, { type: NFNL_MSG_BATCH_BEGIN, typeName: "NFNL_MSG_BATCH_BEGIN", seq: batch.beginSeq }) };
  }
  return undefined;
}

/**
 * The one place a transaction touches the socket: sequence numbers, a send buffer that fits the
 * datagram, the send, and the answers (the last member's ack, every error, and the batch
 * begin's error when the commit itself fails).
 */
function exchange(sock: NetlinkSocket, count: number, build: (baseSeq: number) => EncodedBatch): { batch: EncodedBatch; answers: Map<number, ErrorPayload> } {
  const base = sock.reserveSeqs(count + 2);
  const batch = build(base);
  const need = batch.bytes.length + 64;
  // a transport without a socket (a scripted kernel) has no send buffer to fit
  if (sock.fd >= 0 && sys.getsockoptInt(sock.fd, sys.SOL_SOCKET, sys.SO_SNDBUF) < need) {
    try {
      sys.setsockoptInt(sock.fd, sys.SOL_SOCKET, sys.SO_SNDBUFFORCE, need);
    } catch {
      try { sys.setsockoptInt(sock.fd, sys.SOL_SOCKET, sys.SO_SNDBUF, need); } catch { /* checked below */ }
    }
    const have = sys.getsockoptInt(sock.fd, sys.SOL_SOCKET, sys.SO_SNDBUF);
    if (have < need) {
      throw new NlkitInputError(`the transaction is ${batch.bytes.length} bytes and the socket's send buffer only ${have}: raise net.core.wmem_max or run with CAP_NET_ADMIN`, "messages", "EMSGSIZE");
    }
  }
  const last = batch.seqs[batch.seqs.length - 1]!;
  const answers = sock.sendRaw(batch.bytes, [last], [batch.beginSeq, ...batch.seqs.slice(0, -1)]);
  return { batch, answers };
}
