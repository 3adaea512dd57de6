import { NLM_F_ACK, NLM_F_REQUEST } from "../netlink/constants.js";
import { NetlinkError, type RequestInfo } from "../netlink/errors.js";
import { encodeMessage, nameExtackAttribute, type MessageDef } from "../netlink/message.js";
import type { NetlinkSocket } from "../netlink/socket.js";
import { NlWriter } from "../netlink/writer.js";
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

/** nfgenmsg for the batch delimiters: res_id names the subsystem (big-endian). */
const delimiter = () => ({ family: 0, version: NFNETLINK_V0, resId: NFNL_SUBSYS_NFTABLES });

/**
 * Writes BATCH_BEGIN, the messages, BATCH_END. Every member asks for an ack (nft 1.0.6 does
 * not): the kernel then answers each one by its seq, so a refusal names its message.
 */
export function encodeBatch(messages: readonly NftMessage[], seqOf: (i: number) => number, ack = true): EncodedBatch {
  const w = new NlWriter(4096);
  const n = messages.length;
  const beginSeq = seqOf(0);
  encodeMessage(w, batchMsg, NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, delimiter(), undefined, beginSeq);
  const seqs: number[] = [];
  const offsets: Array<[number, number]> = [];
  messages.forEach((m, i) => {
    const seq = seqOf(i + 1);
    const start = encodeMessage(w, m.def, m.type, m.flags | NLM_F_REQUEST | (ack ? NLM_F_ACK : 0),
      { family: m.family, version: NFNETLINK_V0, resId: 0 }, m.attrs, seq);
    seqs.push(seq);
    offsets.push([start, w.pos]);
  });
  encodeMessage(w, batchMsg, NFNL_MSG_BATCH_END, NLM_F_REQUEST, delimiter(), undefined, seqOf(n + 1));
  return { bytes: w.take(), seqs, beginSeq, offsets };
}

/**
 * Sends the messages as one nf_tables transaction. The kernel applies all of them or none; on
 * refusal the NetlinkError names the first failing message (request.index, request.typeName)
 * and carries the kernel's extack.
 */
export function commitBatch(sock: NetlinkSocket, messages: readonly NftMessage[]): void {
  if (messages.length === 0) return;
  const base = sock.reserveSeqs(messages.length + 2);
  const b = encodeBatch(messages, (i) => (base + i) >>> 0);
  // the batch begin is answered only when the commit itself fails
  const answers = sock.sendRaw(b.bytes, b.seqs, [b.beginSeq]);
  const begin = answers.get(b.beginSeq);
  for (let i = 0; i < messages.length; i++) {
    const a = answers.get(b.seqs[i]!);
    if (!a || a.errno === 0) continue;
    const m = messages[i]!;
    const bytes = b.bytes.subarray(b.offsets[i]![0], b.offsets[i]![1]);
    const info: RequestInfo = { type: m.type, seq: b.seqs[i]!, index: i, bytes: Buffer.from(bytes) };
    const name = NFT_MSG_NAMES.get(m.type);
    if (name) info.typeName = name;
    nameExtackAttribute(a.extack, info.bytes, m.def);
    throw new NetlinkError(a.errno, a.extack, info);
  }
  if (begin && begin.errno !== 0) {
    // the commit itself failed after every message was accepted
    throw new NetlinkError(begin.errno, begin.extack, { type: NFNL_MSG_BATCH_BEGIN, typeName: "NFNL_MSG_BATCH_BEGIN", seq: b.beginSeq });
  }
}
