import { NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST } from "./constants.js";
import type { Decoder } from "./decoder.js";
import { abortReason, DumpInterruptedError, NetlinkError, NlkitTimeoutError, type RequestInfo } from "./errors.js";
import { ACK, DUMP, dispatchDatagram, Exchange, REPLY, type NotificationSink, type ReplyMode } from "./exchange.js";
import { encodeBody, nameExtackAttribute, type ErrorPayload, type MessageDef } from "./message.js";
import type { StructValue } from "./struct.js";
import { netnsRefPath, type NetnsRef } from "./netns-ref.js";
import { KernelTransport, type KernelTransportOptions, type Transport } from "./transport.js";
import { NlWriter } from "./writer.js";
import * as sys from "../syscalls/index.js";
import { Batch, type BatchOptions } from "./batch.js";
export { retainingDecoder, type Decoder } from "./decoder.js";
export { Batch, type BatchOptions, type BatchOutcome } from "./batch.js";

/**
 * Writes a request's payload (the family header struct and attributes) after the nlmsghdr.
 *
 * @example
 * ```ts
 * // an ifinfomsg naming ifindex 7: family, pad, type, then ifi_index, ifi_flags, ifi_change
 * const ifinfomsg: Encoder = (w) => { w.zeros(4); w.s32(7); w.zeros(8); };
 * await rt.socket.request({ type: 17, encode: ifinfomsg });   // RTM_DELLINK: ip link del dev 7
 * ```
 */
export type Encoder = (w: NlWriter) => void;

/**
 * One netlink request for `NetlinkSocket.request`/`dump`/`Batch`: the message type, extra NLM_F_*
 * flags and a function that writes the payload. `tableRequest` builds one from an attribute table.
 *
 * @example
 * ```ts
 * const getLink: Request = { type: 18, encode: (w) => { w.zeros(4); w.s32(1); w.zeros(8); }, reply: true };   // RTM_GETLINK, ifindex 1
 * const [bytes] = await rt.socket.request(getLink, (buf, start, len) => Buffer.from(buf.subarray(start, start + len)));
 * ```
 */
export interface Request {
  /** The nlmsg_type, e.g. RTM_GETLINK (18). */
  type: number;
  /** NLM_F_* beyond REQUEST (added always) and ACK (added for non-dump requests). */
  flags?: number;
  /** Writes the payload after the nlmsghdr; absent sends a header-only message. */
  encode?: Encoder;
  /** The family's message table: names the failing attribute and the message type in errors. */
  def?: MessageDef;
  /**
   * A GET that the kernel answers with one message: no ack is asked for, which saves a receive
   * per request (errors still arrive as NLMSG_ERROR).
   */
  reply?: boolean;
}

/**
 * A request described by the family's message table: header values and attribute values by
 * their table keys (in the order they are to be written), encoded by the generic codec.
 *
 * @example
 * ```ts
 * // genl's CTRL_CMD_GETFAMILY by name: the id of the "ethtool" family
 * const attrs = attrSet("ctrl", "CTRL_ATTR_", { familyId: [1, "u16"], familyName: [2, "string"] });
 * const def = { name: "ctrl", header: struct("genlmsghdr", [["cmd", "u8"], ["version", "u8"], ["_", "pad", 2]]), attrs };
 * const sock = NetlinkSocket.open({ protocol: constants.NETLINK_GENERIC });
 * const req = tableRequest(def, GENL_ID_CTRL, 0, { cmd: 3, version: 1 }, { familyName: "ethtool" });   // cmd 3: CTRL_CMD_GETFAMILY
 * const [id] = await sock.request({ ...req, reply: true }, (buf, s, l) => decodeMessage(buf, s, l, def).attrs.familyId);   // e.g. 21
 * ```
 */
export function tableRequest(
  def: MessageDef, type: number, flags: number, header: StructValue | undefined, attrs?: Record<string, unknown>,
): Request {
  return { type, flags, def, encode: (w) => encodeBody(w, def, header, attrs) };
}

/**
 * What every call that may wait takes: an AbortSignal and a timeout, both leaving the socket usable.
 *
 * @example
 * ```ts
 * const opts: CallOptions = { signal: AbortSignal.timeout(2000), timeoutMs: 500 };
 * const links = await rt.link.list({}, opts);
 * ```
 */
export interface CallOptions {
  /** Aborts the wait: the call rejects with the signal's reason; the socket stays usable. */
  signal?: AbortSignal | undefined;
  /** How long to wait for a reply the kernel has not queued yet (default: the socket's, 30 s). */
  timeoutMs?: number | undefined;
}

/**
 * How `NetlinkSocket.open` creates its socket (protocol, namespace, buffer sizes) and how long a call
 * waits for an answer before it rejects with `NlkitTimeoutError`.
 *
 * @example
 * ```ts
 * const opts: SocketOptions = { protocol: constants.NETLINK_ROUTE, netnsPath: "/run/netns/ns1", timeoutMs: 5000 };
 * const sock = NetlinkSocket.open(opts);
 * ```
 */
export interface SocketOptions extends KernelTransportOptions {
  /** How long to wait for a reply the kernel has not queued yet, in ms (default 30000). */
  timeoutMs?: number;
}

/**
 * How a dump waits (`signal`, `timeoutMs`) and how often it is run again when the kernel reports the
 * data changed under it (NLM_F_DUMP_INTR); without retries such a dump rejects with
 * `DumpInterruptedError`.
 *
 * @example
 * ```ts
 * const opts: DumpOptions = { retries: 2, timeoutMs: 5000 };
 * const indexes = await rt.socket.dump({ type: 18, encode: (w) => w.zeros(16) }, (buf, start) => buf.readInt32LE(start + 20), opts);
 * ```
 */
export interface DumpOptions extends CallOptions {
  /** On NLM_F_DUMP_INTR, run the dump again up to this many extra times before giving up. */
  retries?: number;
}

const INITIAL_RECV = 64 * 1024;
/** Replies that outgrow the receive buffer are retried (dumps and GETs only) up to this size. */
const MAX_RECV = 16 * 1024 * 1024;
const LOST_RETRIES = 3;

/**
 * How a family handle (Conntrack, SockDiag, Genl, Ethtool) is opened: in a namespace as users name
 * one, or over a given transport.
 *
 * @example
 * ```ts
 * const opts: OpenOptions = { netns: "ns1", timeoutMs: 5000 };
 * const sd = await SockDiag.open(opts);
 * const listeners = await sd.tcp({ states: ["listening"] });   // ip netns exec ns1 ss -tln
 * ```
 */
export interface OpenOptions extends NetnsRef {
  /** Talk to this instead of a kernel socket (a ScriptedTransport in tests); namespace options are then ignored. */
  transport?: Transport;
  /** SO_RCVBUF(FORCE) of the kernel socket, in bytes; absent keeps the kernel's default (net.core.rmem_default). */
  receiveBufferSize?: number;
  /** How long to wait for a reply the kernel has not queued yet, in ms (default 30000). */
  timeoutMs?: number;
}

/**
 * The socket of a family handle: over `opts.transport` when given, else a kernel socket created
 * inside the namespace `opts` names (the process itself never leaves its own).
 *
 * @example
 * ```ts
 * const sock = openSocket(constants.NETLINK_ROUTE, { netns: "ns1" });
 * const indexes = await sock.dump({ type: 18, encode: (w) => w.zeros(16) }, (buf, start) => buf.readInt32LE(start + 20));   // ns1's ifindexes
 * sock.close();
 * ```
 */
export function openSocket(protocol: number, opts: OpenOptions = {}, extra: Omit<KernelTransportOptions, "protocol" | "netnsPath" | "netnsFd"> = {}): NetlinkSocket {
  if (opts.transport) return new NetlinkSocket(opts.transport, { protocol, timeoutMs: opts.timeoutMs });
  const path = netnsRefPath(opts);
  return NetlinkSocket.open({
    protocol,
    ...(opts.netnsFd !== undefined ? { netnsFd: opts.netnsFd } : path ? { netnsPath: path } : {}),
    ...(opts.receiveBufferSize ? { receiveBufferSize: opts.receiveBufferSize } : {}),
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    ...extra,
  });
}

let nextSocketSeq = (Date.now() & 0x3fffffff) >>> 0;

/**
 * A netlink socket for any protocol, for families nlkit does not cover: `request()` for one answer,
 * `dump()` for many, `batch()` for many requests in few system calls. Replies are matched to requests
 * by seq, so several calls may be in flight at once; a reply not queued yet is awaited through the
 * shared poller, never by blocking the thread (only the *Sync calls block, in a bounded poll). Kernel
 * refusals reject with `NetlinkError`, waits past `timeoutMs` with `NlkitTimeoutError`.
 *
 * @example
 * ```ts
 * import { NetlinkSocket, attrSet, struct, decodeMessage, constants } from "nlkit";
 * const ctrl = attrSet("ctrl", "CTRL_ATTR_", { familyId: [1, "u16"], familyName: [2, "string"] }, { nestFlag: true });
 * const genl = struct("genlmsghdr", [["cmd", "u8"], ["version", "u8"], ["_", "pad", 2]]);
 * const def = { name: "ctrl", header: genl, attrs: ctrl };
 * const sock = NetlinkSocket.open({ protocol: constants.NETLINK_GENERIC });
 * const families = await sock.dump({ type: 0x10, def, encode: (w) => w.u32(0x0103) },   // CTRL_CMD_GETFAMILY, version 1
 *   (buf, s, l) => decodeMessage(buf, s, l, def).attrs.familyName);
 * sock.close();
 * ```
 */
export class NetlinkSocket {
  /** What the socket sends through: the kernel, or a scripted stand-in. */
  readonly transport: Transport;
  /** The netlink protocol (NETLINK_ROUTE, NETLINK_GENERIC, ...). */
  readonly protocol: number;
  private seq: number;
  private recvBuf = Buffer.alloc(INITIAL_RECV);
  /** Read at most this much: one byte short of a 4-byte boundary, so a full read means truncation. */
  private recvLimit = INITIAL_RECV - 3;
  private readonly writer = new NlWriter(16 * 1024);
  private readonly timeoutMs: number;
  private readonly pending = new Map<number, Exchange<any>>();
  /** Batches in flight: each finds its items' exchanges by seq itself. */
  private readonly ranges = new Set<(seq: number) => Exchange<any> | undefined>();
  /** The kernel runs one dump per socket at a time: later dumps wait for this one. */
  private dumping: Promise<void> | undefined;
  private iterating = false;
  private readonly find = (seq: number): Exchange<any> | undefined => {
    const ex = this.pending.get(seq);
    if (ex !== undefined || this.ranges.size === 0) return ex;
    for (const f of this.ranges) {
      const hit = f(seq);
      if (hit) return hit;
    }
    return undefined;
  };

  /**
   * Creates a kernel socket (inside `opts.netnsPath`/`netnsFd` when given, switching back at once) and
   * binds it; a failing system call throws `SyscallError`.
   */
  static open(opts: SocketOptions): NetlinkSocket {
    return new NetlinkSocket(new KernelTransport(opts), opts);
  }

  constructor(transport: Transport, opts: { protocol?: number; timeoutMs?: number | undefined } = {}) {
    this.transport = transport;
    this.protocol = opts.protocol ?? -1;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.seq = nextSocketSeq;
    nextSocketSeq = (nextSocketSeq + 0x10000) & 0x3fffffff;
  }

  /** The socket's fd, or -1 for a transport without one. */
  get fd(): number {
    return this.transport.fd ?? -1;
  }

  /** The port id the kernel assigned at bind (nl_pid), which replies and notifications carry. */
  get portId(): number {
    return this.transport.portId;
  }

  /** Whether `close()` was called; calls on a closed socket reject. */
  get isClosed(): boolean {
    return this.transport.closed;
  }

  /** Subscribes to a multicast group (NETLINK_ADD_MEMBERSHIP), e.g. an RTNLGRP_* number. */
  joinGroup(group: number): void {
    this.transport.joinGroup(group);
  }

  /** Unsubscribes from a multicast group. */
  leaveGroup(group: number): void {
    this.transport.leaveGroup(group);
  }

  /** Closes the socket; calls still waiting reject. */
  close(): void {
    this.transport.close();
    for (const ex of this.pending.values()) {
      if (ex.done) continue;
      ex.lost = "closed";
      ex.finish();
    }
  }

  private nextSeq(): number {
    this.seq = (this.seq + 1) >>> 0;
    if (this.seq === 0) this.seq = 1;
    return this.seq;
  }

  /** Reserves n consecutive sequence numbers for messages the caller frames itself; returns the first. */
  reserveSeqs(n: number): number {
    const first = this.nextSeq();
    // skip a wrap through 0, which nextSeq never hands out
    if (first + n - 1 > 0xffffffff) {
      this.seq = 0;
      return this.reserveSeqs(n);
    }
    this.seq = (first + n - 1) >>> 0;
    return first;
  }

  /**
   * Sends one request and resolves with its decoded replies: [] for a plain ack, one entry per
   * reply message otherwise. Rejects with NetlinkError when the kernel refuses it.
   */
  request<T = never>(req: Request, decode?: Decoder<T>, opts?: CallOptions): Promise<T[]> {
    // The answer is nearly always queued by the time the request is written: it is read at once,
    // and only a call that has to wait goes through the async path (no promise chain otherwise).
    let ex: Exchange<T>;
    const mode = req.reply === true ? REPLY : ACK;
    try {
      if (opts?.signal?.aborted) throw abortReason(opts.signal);
      ex = this.start(req, mode, decode);
      while (!ex.done && this.pump());
      if (ex.done && !this.retryLost(ex, mode, 0)) return Promise.resolve(this.result(ex, req));
    } catch (e) {
      return Promise.reject(e);
    }
    return this.requestAsync(req, decode, opts, ex, mode);
  }

  private async requestAsync<T>(req: Request, decode: Decoder<T> | undefined, opts: CallOptions | undefined, first: Exchange<T>, mode: ReplyMode): Promise<T[]> {
    let ex = first;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) ex = this.start(req, mode, decode);
      await this.wait(ex, opts);
      if (!this.retryLost(ex, mode, attempt)) return this.result(ex, req);
    }
  }

  /** request() for synchronous callers: waits, if it must, in a blocking poll. */
  requestSync<T = never>(req: Request, decode?: Decoder<T>): T[] {
    const mode = req.reply === true ? REPLY : ACK;
    for (let attempt = 0; ; attempt++) {
      const ex = this.start(req, mode, decode);
      this.waitSync(ex);
      if (!this.retryLost(ex, mode, attempt)) return this.result(ex, req);
    }
  }

  /** A dump (NLM_F_DUMP): every message, decoded. */
  async dump<T>(req: Request, decode: Decoder<T>, opts: DumpOptions = {}): Promise<T[]> {
    if (opts.signal?.aborted) throw abortReason(opts.signal);
    this.refuseWhileIterating();
    while (this.dumping) await this.dumping;
    let release!: () => void;
    this.dumping = new Promise((r) => { release = r; });
    try {
      const retries = opts.retries ?? 0;
      let lost = 0;
      for (let attempt = 1; ; attempt++) {
        const ex = this.start(req, DUMP, decode);
        try {
          await this.wait(ex, opts);
        } catch (e) {
          this.abandon(ex);
          throw e;
        }
        if (this.retryLost(ex, DUMP, lost)) { lost++; attempt--; continue; }
        const rows = this.result(ex, req);
        if (!ex.interrupted) return rows;
        if (attempt > retries) throw new DumpInterruptedError(rows, attempt);
      }
    } finally {
      this.dumping = undefined;
      release();
    }
  }

  /**
   * `dump()` that blocks the thread until the dump is done (bounded poll): for start-up and CLI paths
   * only.
   */
  dumpSync<T>(req: Request, decode: Decoder<T>, opts: DumpOptions = {}): T[] {
    this.refuseWhileIterating();
    const retries = opts.retries ?? 0;
    let lost = 0;
    for (let attempt = 1; ; attempt++) {
      const ex = this.start(req, DUMP, decode);
      try {
        this.waitSync(ex);
      } catch (e) {
        this.abandon(ex);
        throw e;
      }
      if (this.retryLost(ex, DUMP, lost)) { lost++; attempt--; continue; }
      const rows = this.result(ex, req);
      if (!ex.interrupted) return rows;
      if (attempt > retries) throw new DumpInterruptedError(rows, attempt);
    }
  }

  /** A dump as an async iterator: messages are decoded and yielded one datagram at a time. */
  async *dumpIter<T>(req: Request, decode: Decoder<T>, opts: CallOptions = {}): AsyncGenerator<T, void, undefined> {
    this.refuseWhileIterating();
    while (this.dumping) await this.dumping;
    let release!: () => void;
    this.dumping = new Promise((r) => { release = r; });
    this.iterating = true;
    const ex = this.start(req, DUMP, decode);
    try {
      for (;;) {
        await this.waitForData(ex, opts);
        const batch = ex.replies.splice(0);
        if (ex.decodeError !== undefined || ex.failure !== undefined || ex.lost !== undefined) this.result(ex, req);
        for (const item of batch) yield item;
        if (ex.done) break;
      }
      this.result(ex, req);
      if (ex.interrupted) throw new DumpInterruptedError([], 1);
    } finally {
      if (!ex.done) this.abandon(ex);
      else this.pending.delete(ex.seq);
      this.iterating = false;
      this.dumping = undefined;
      release();
    }
  }

  private refuseWhileIterating(): void {
    if (this.transport.closed) throw new Error("netlink socket is closed");
    if (this.iterating) throw new Error("netlink socket is busy: a dump iterator is still open on it");
  }

  /** Starts a batch: many requests, few system calls. */
  batch(opts?: BatchOptions): Batch {
    return new Batch(this, opts);
  }

  /**
   * Sends messages the caller framed itself (with reserveSeqs) as one datagram and collects the
   * answer of every seq in `acks`: errno 0 for an ack, else the kernel's error. Answers to
   * `optional` seqs (which the kernel sends only on some outcomes) are kept when already queued.
   * Once an error has arrived it stops at the first empty read rather than waiting for the rest,
   * because a family that refuses a datagram as a unit (nfnetlink batches) may leave some seqs
   * unanswered; everything it does answer is queued before the send returns.
   */
  async transact(datagram: Buffer, acks: readonly number[], optional: readonly number[] = [], opts?: CallOptions): Promise<Map<number, ErrorPayload>> {
    const exchanges = this.startRaw(datagram, acks, optional);
    try {
      for (;;) {
        if (this.rawComplete(exchanges, acks)) break;
        if (this.pump()) continue;
        if (this.rawFailed(exchanges)) break;
        await this.waitReadable(opts, exchanges.get(acks[acks.length - 1]!));
      }
    } finally {
      for (const seq of exchanges.keys()) this.pending.delete(seq);
    }
    return this.rawAnswers(exchanges, acks);
  }

  /** transact() for synchronous callers. */
  sendRaw(datagram: Buffer, acks: readonly number[], optional: readonly number[] = []): Map<number, ErrorPayload> {
    const exchanges = this.startRaw(datagram, acks, optional);
    try {
      let deadlineLeft = this.timeoutMs;
      for (;;) {
        if (this.rawComplete(exchanges, acks)) break;
        if (this.pump()) continue;
        if (this.rawFailed(exchanges)) break;
        const t0 = Date.now();
        if (!this.transport.waitSync(deadlineLeft)) throw new NlkitTimeoutError(this.timeoutMs);
        deadlineLeft -= Date.now() - t0;
      }
    } finally {
      for (const seq of exchanges.keys()) this.pending.delete(seq);
    }
    return this.rawAnswers(exchanges, acks);
  }

  private startRaw(datagram: Buffer, acks: readonly number[], optional: readonly number[]): Map<number, Exchange<never>> {
    if (this.transport.closed) throw new Error("netlink socket is closed");
    const exchanges = new Map<number, Exchange<never>>();
    for (const seq of [...acks, ...optional]) {
      const ex = new Exchange<never>(seq, ACK, undefined);
      exchanges.set(seq, ex);
      this.pending.set(seq, ex);
    }
    try {
      this.transport.send(datagram);
    } catch (e) {
      for (const seq of exchanges.keys()) this.pending.delete(seq);
      throw e;
    }
    return exchanges;
  }

  private rawComplete(exchanges: Map<number, Exchange<never>>, acks: readonly number[]): boolean {
    for (const seq of acks) if (!exchanges.get(seq)!.done) return false;
    return true;
  }

  private rawFailed(exchanges: Map<number, Exchange<never>>): boolean {
    for (const ex of exchanges.values()) if (ex.failure !== undefined || ex.lost !== undefined) return true;
    return false;
  }

  private rawAnswers(exchanges: Map<number, Exchange<never>>, acks: readonly number[]): Map<number, ErrorPayload> {
    const out = new Map<number, ErrorPayload>();
    for (const [seq, ex] of exchanges) {
      if (ex.failure) out.set(seq, ex.failure);
      else if (ex.lost) out.set(seq, { errno: 105, extack: { message: "the answer was lost: the receive queue overflowed" } });
      else if (ex.done && acks.includes(seq)) out.set(seq, { errno: 0, extack: {} });
    }
    return out;
  }

  /**
   * Reads every datagram already queued (multicast notifications, for monitors) without waiting,
   * decoding each message that answers no request of this socket. Returns true when the kernel
   * reported an overrun (ENOBUFS): events were lost and the caller must resynchronise.
   */
  readAvailable<T>(decode: Decoder<T>, out: T[]): boolean {
    let overrun = false;
    const notify: NotificationSink = (buf, off, len, type) => {
      if (type === 2 /* NLMSG_OVERRUN */) overrun = true;
      else out.push(decode(buf, off, len));
    };
    for (;;) {
      let n: number;
      try {
        n = this.transport.receive(this.recvBuf, this.recvLimit);
      } catch (e) {
        if (e instanceof sys.SyscallError && e.code === "ENOBUFS") { overrun = true; continue; }
        throw e;
      }
      if (n < 0) return overrun;
      if (n >= this.recvLimit) {
        this.grow(n);
        overrun = true;
        continue;
      }
      if (decode.retainsBuffer === true) {
        const copy = Buffer.from(this.recvBuf.subarray(0, n));
        dispatchDatagram(copy, n, this.find, notify);
      } else {
        dispatchDatagram(this.recvBuf, n, this.find, notify);
      }
    }
  }

  // --- the exchange engine ----------------------------------------------------------------------

  /** Frames and sends one request; its answer is collected by the exchange returned. */
  private start<T>(req: Request, mode: ReplyMode, decode: Decoder<T> | undefined): Exchange<T> {
    if (this.transport.closed) throw new Error("netlink socket is closed");
    if (mode === DUMP) this.drainAbandoned();
    const seq = this.nextSeq();
    const flags = (req.flags ?? 0) | (mode === DUMP ? NLM_F_DUMP : mode === ACK ? NLM_F_ACK : 0);
    const w = this.writer.reset();
    const start = w.beginMessage(req.type, flags | NLM_F_REQUEST, seq, 0);
    req.encode?.(w);
    w.endMessage(start);
    const ex = new Exchange<T>(seq, mode, decode);
    this.pending.set(seq, ex);
    try {
      this.transport.send(w.view());
    } catch (e) {
      this.pending.delete(seq);
      throw e;
    }
    return ex;
  }

  /** Reads and dispatches one datagram; false when nothing is queued. */
  private pump(): boolean {
    let n: number;
    try {
      n = this.transport.receive(this.recvBuf, this.recvLimit);
    } catch (e) {
      if (e instanceof sys.SyscallError && e.code === "ENOBUFS") {
        // the kernel dropped answers: nobody can tell whose, so every open exchange has lost one
        this.loseAll("overrun");
        return true;
      }
      throw e;
    }
    if (n < 0) return false;
    if (n >= this.recvLimit) {
      this.grow(n);
      this.loseAll("truncated");
      return true;
    }
    dispatchDatagram(this.recvBuf, n, this.find);
    return true;
  }

  private grow(seen: number): void {
    const size = Math.min(MAX_RECV, Math.max(((seen + 3) & ~3) + 4, this.recvBuf.length * 2));
    if (size <= this.recvBuf.length) return;
    this.recvBuf = Buffer.alloc(size);
    this.recvLimit = size - 3;
  }

  /**
   * A dump that lost a part keeps running in the kernel: it turns into a sink, read to its end
   * (see wait) before it is retried. Any other exchange has lost its one answer and is over.
   */
  private loseAll(why: "truncated" | "overrun"): void {
    for (const ex of this.pending.values()) {
      if (ex.done) continue;
      ex.lost ??= why;
      if (ex.mode === DUMP) {
        ex.sink = true;
        ex.replies.length = 0;
      } else {
        ex.finish();
      }
    }
  }

  /** True when the exchange lost its answer and may simply be asked again (a read). */
  private retryLost(ex: Exchange<any>, mode: ReplyMode, attempt: number): boolean {
    this.pending.delete(ex.seq);
    return (ex.lost === "truncated" || ex.lost === "overrun") && mode !== ACK && attempt < LOST_RETRIES && ex.failure === undefined;
  }

  private async wait(ex: Exchange<any>, opts: CallOptions | undefined): Promise<void> {
    try {
      while (!ex.done) {
        if (this.pump()) continue;
        // a dump's parts are produced as they are read: once it has lost one, an empty queue
        // means the kernel has nothing more to send for it (its NLMSG_DONE may be what was lost)
        if (ex.sink) { ex.finish(); break; }
        await this.waitReadable(opts, ex);
      }
    } catch (e) {
      this.pending.delete(ex.seq);
      throw e;
    }
  }

  /** Until the exchange has replies to hand out, or is done (for iterators). */
  private async waitForData(ex: Exchange<any>, opts: CallOptions): Promise<void> {
    while (!ex.done && ex.replies.length === 0) {
      if (this.pump()) continue;
      await this.waitReadable(opts, ex);
    }
  }

  private waitSync(ex: Exchange<any>): void {
    try {
      const deadline = Date.now() + this.timeoutMs;
      while (!ex.done) {
        if (this.pump()) continue;
        if (ex.sink) { ex.finish(); break; }
        const left = deadline - Date.now();
        if (left <= 0 || !this.transport.waitSync(left)) throw new NlkitTimeoutError(this.timeoutMs);
      }
    } catch (e) {
      this.pending.delete(ex.seq);
      throw e;
    }
  }

  /**
   * Waits until the socket may be readable, the exchange is completed by another reader (a
   * concurrent call read its answer), the signal aborts or the time is up.
   */
  private async waitReadable(opts: CallOptions | undefined, ex: Exchange<any> | undefined): Promise<void> {
    const signal = opts?.signal;
    if (signal?.aborted) throw abortReason(signal);
    const timeoutMs = opts?.timeoutMs ?? this.timeoutMs;
    const woken = new AbortController();
    const combined = signal ? AbortSignal.any([signal, woken.signal]) : woken.signal;
    if (ex) ex.wake = () => woken.abort();
    try {
      await this.transport.readable({ signal: combined, timeoutMs });
    } catch (e) {
      if (woken.signal.aborted && !signal?.aborted) return;
      throw e;
    } finally {
      if (ex) ex.wake = undefined;
    }
  }

  /**
   * An exchange given up while the kernel still answers it (an aborted or failed dump): a dump
   * left half-read keeps running in the kernel, which refuses every later dump on this socket
   * with EBUSY until it is read to the end. Its remaining messages are read and dropped.
   */
  private abandon(ex: Exchange<any>): void {
    if (ex.done || this.transport.closed) {
      this.pending.delete(ex.seq);
      return;
    }
    ex.sink = true;
    ex.replies.length = 0;
    this.pending.set(ex.seq, ex);
  }

  /** Reads what abandoned dumps still send, before a new dump is started. */
  private drainAbandoned(): void {
    for (const ex of [...this.pending.values()]) {
      if (!ex.sink) continue;
      // every read lets the kernel produce the dump's next part: it is always there
      for (let i = 0; i < 100_000 && !ex.done; i++) if (!this.pump()) break;
      this.pending.delete(ex.seq);
    }
  }

  /** The exchange's outcome: its replies, or the error that ended it. */
  private result<T>(ex: Exchange<T>, req: Request): T[] {
    this.pending.delete(ex.seq);
    if (ex.failure !== undefined) {
      throw this.kernelError(ex.failure, req, ex.seq);
    }
    if (ex.lost === "closed") throw new Error("netlink socket is closed");
    if (ex.lost !== undefined) {
      const what = ex.lost === "overrun" ? "the receive queue overflowed and the kernel dropped the answer"
        : `a reply was larger than the receive buffer (now ${this.recvBuf.length} bytes)`;
      throw new NetlinkError(105, { message: `${what}; retry the request` }, this.requestInfo(req, ex.seq));
    }
    if (ex.decodeError !== undefined) throw ex.decodeError;
    return ex.replies;
  }

  private requestInfo(req: Request, seq: number): RequestInfo {
    const info: RequestInfo = { type: req.type, seq };
    const name = req.def?.typeNames?.get(req.type);
    if (name) info.typeName = name;
    if (this.protocol >= 0) info.protocol = this.protocol;
    return info;
  }

  /**
   * The kernel's refusal as a NetlinkError naming the request. Its bytes are encoded again for
   * that (encoders are pure): the writer has long been reused when a concurrent call fails.
   */
  private kernelError(p: ErrorPayload, req: Request, seq: number): NetlinkError {
    const info = this.requestInfo(req, seq);
    const w = new NlWriter(256);
    const s = w.beginMessage(req.type, (req.flags ?? 0) | NLM_F_REQUEST, seq, 0);
    try {
      req.encode?.(w);
      w.endMessage(s);
      info.bytes = w.take();
    } catch {
      // naming the attribute is a courtesy; the errno and the kernel's words still stand
    }
    nameExtackAttribute(p.extack, info.bytes, req.def);
    return new NetlinkError(p.errno, p.extack, info);
  }

  // --- for Batch -------------------------------------------------------------------------------

  /** @internal Sends a datagram of framed messages whose seqs `find` resolves; see Batch. */
  sendFramed(datagram: Buffer, find: (seq: number) => Exchange<any> | undefined): void {
    if (this.transport.closed) throw new Error("netlink socket is closed");
    this.ranges.add(find);
    try {
      this.transport.send(datagram);
    } catch (e) {
      this.ranges.delete(find);
      throw e;
    }
  }

  /** @internal Waits for `last` (the chunk's acked request), then stops routing the range. */
  async awaitFramed(last: Exchange<any>, find: (seq: number) => Exchange<any> | undefined, opts?: CallOptions): Promise<void> {
    this.pending.set(last.seq, last);
    try {
      while (!last.done) {
        if (this.pump()) continue;
        await this.waitReadable(opts, last);
      }
    } finally {
      this.pending.delete(last.seq);
      this.ranges.delete(find);
    }
  }

  /** @internal awaitFramed() for synchronous callers. */
  awaitFramedSync(last: Exchange<any>, find: (seq: number) => Exchange<any> | undefined): void {
    this.pending.set(last.seq, last);
    try {
      this.waitSync(last);
    } finally {
      this.pending.delete(last.seq);
      this.ranges.delete(find);
    }
  }

  /** @internal The NetlinkError for a batched request's refusal. */
  batchError(p: ErrorPayload, req: Request, info: RequestInfo): NetlinkError {
    nameExtackAttribute(p.extack, info.bytes, req.def);
    return new NetlinkError(p.errno, p.extack, info);
  }

  /** @internal The receive buffer, for tests that check which buffer decoders are handed. */
  get receiveBuffer(): Buffer {
    return this.recvBuf;
  }

  /** @internal SO_RCVBUF as the kernel reports it; 1 MiB for transports without a socket. */
  receiveQueueBytes(): number {
    const fd = this.transport.fd;
    return fd === undefined ? 1 << 20 : sys.getsockoptInt(fd, sys.SOL_SOCKET, sys.SO_RCVBUF);
  }
}
