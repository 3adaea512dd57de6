import * as fs from "node:fs";
import {
  NLM_F_ACK, NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_MULTI, NLM_F_REQUEST, NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN,
  NLMSG_NOOP, NLMSG_OVERRUN, NETLINK_ADD_MEMBERSHIP, NETLINK_CAP_ACK, NETLINK_DROP_MEMBERSHIP, NETLINK_EXT_ACK,
  NETLINK_GET_STRICT_CHK,
} from "./constants.js";
import { DumpInterruptedError, NetlinkError, NetlinkParseError, NlkitInputError, type RequestInfo } from "./errors.js";
import { forEachMessage, nameExtackAttribute, parseErrorPayload, type ErrorPayload, type MessageDef } from "./message.js";
import { NlWriter } from "./writer.js";
import type { Decoder } from "./decoder.js";
export { retainingDecoder, type Decoder } from "./decoder.js";
import * as sys from "../syscalls/index.js";

/** Writes a request's payload (the family header struct and attributes) after the nlmsghdr. */
export type Encoder = (w: NlWriter) => void;
/** The first `n` bytes of the receive buffer, copied for a retaining decoder. */
function datagramCopy(buf: Buffer, n: number): Buffer {
  const copy = Buffer.allocUnsafeSlow(n);
  buf.copy(copy, 0, 0, n);
  return copy;
}

export interface Request {
  type: number;
  /** NLM_F_* beyond REQUEST (added always) and ACK (added for non-dump requests). */
  flags?: number;
  encode?: Encoder;
  /** The family's message table: names the failing attribute and the message type in errors. */
  def?: MessageDef;
  /**
   * A GET that the kernel answers with one message: no ack is asked for, which saves a receive
   * per request (errors still arrive as NLMSG_ERROR).
   */
  reply?: boolean;
}

export interface SocketOptions {
  /** NETLINK_ROUTE, NETLINK_NETFILTER... */
  protocol: number;
  /** Create the socket inside this network namespace (file path, e.g. /run/netns/ns1) ... */
  netnsPath?: string;
  /** ... or this namespace fd. The process itself never leaves its namespace. */
  netnsFd?: number;
  /** Multicast groups to join (numbers, as in RTNLGRP_*). */
  groups?: number[];
  /** SO_RCVBUF(FORCE) in bytes: monitors and big batches want more than the default. */
  receiveBufferSize?: number;
  sendBufferSize?: number;
  /** Default true: the kernel explains its errors (NETLINK_EXT_ACK). */
  extendedAck?: boolean;
  /** Default true: the kernel honours dump filters and checks request headers (NETLINK_GET_STRICT_CHK). */
  strictCheck?: boolean;
  /** How long to wait for a reply the kernel has not queued yet, in ms (default 30000). */
  timeoutMs?: number;
}

export interface DumpOptions {
  /** On NLM_F_DUMP_INTR, run the dump again up to this many extra times before giving up. */
  retries?: number;
}

const INITIAL_RECV = 64 * 1024;
/** A plain ack's payload, shared: only its errno is read. */
const OK: ErrorPayload = { errno: 0, extack: {} };
const BATCH_CHUNK_BYTES = 60 * 1024;
// The kernel answers a whole datagram before sendto returns, and drops what overflows the receive
// queue (ENOBUFS). Each answer is charged its skb's truesize, not its length: ~832 bytes for an
// error even with NETLINK_CAP_ACK, ~2.3 KiB for the smallest RTM_GETLINK reply. A chunk holds
// only as many requests as the queue can answer when every one of them fails.
const BATCH_ERROR_BUDGET = 1024;
const BATCH_REPLY_BUDGET = 4096;

let nextSocketSeq = (Date.now() & 0x3fffffff) >>> 0;

/**
 * A netlink socket for any protocol. Requests are synchronous system calls underneath (the kernel
 * has queued its answer by the time sendto returns); a reply that is not there yet is waited for
 * in a synchronous poll, which blocks the event loop for up to `timeoutMs`.
 */
export class NetlinkSocket {
  readonly fd: number;
  readonly protocol: number;
  readonly portId: number;
  private seq: number;
  private recvBuf: Buffer;
  private readonly addrBuf = Buffer.alloc(12);
  private readonly writer = new NlWriter(16 * 1024);
  private readonly timeoutMs: number;
  private closed = false;
  private busy = false;
  /** NLM_F_DUMP_INTR seen by processDatagram since the caller last cleared it. */
  private interrupted = false;

  static open(opts: SocketOptions): NetlinkSocket {
    return new NetlinkSocket(opts);
  }

  private constructor(opts: SocketOptions) {
    this.protocol = opts.protocol;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    const create = () => sys.socket(sys.AF_NETLINK, sys.SOCK_RAW | sys.SOCK_CLOEXEC, opts.protocol);
    let fd: number;
    if (opts.netnsFd !== undefined) fd = sys.withNetns(opts.netnsFd, create);
    else if (opts.netnsPath !== undefined) {
      const nsfd = openNamespace(opts.netnsPath);
      try { fd = sys.withNetns(nsfd, create); } finally { fs.closeSync(nsfd); }
    } else fd = create();
    this.fd = fd;
    try {
      sys.setsockoptInt(fd, sys.SOL_NETLINK, NETLINK_CAP_ACK, 1);
      if (opts.extendedAck !== false) sys.setsockoptInt(fd, sys.SOL_NETLINK, NETLINK_EXT_ACK, 1);
      if (opts.strictCheck !== false) trySetStrict(fd);
      if (opts.receiveBufferSize) setBufferSize(fd, sys.SO_RCVBUFFORCE, sys.SO_RCVBUF, opts.receiveBufferSize);
      if (opts.sendBufferSize) setBufferSize(fd, sys.SO_SNDBUFFORCE, sys.SO_SNDBUF, opts.sendBufferSize);
      sys.bind(fd, sys.sockaddrNl(0, 0));
      // Connected to the kernel (port 0), the socket refuses unicast from any other port
      // (ECONNREFUSED for the sender), so replies need no per-recv sender check.
      sys.connect(fd, sys.sockaddrNl(0, 0));
      const addr = Buffer.alloc(12);
      sys.getsockname(fd, addr);
      this.portId = addr.readUInt32LE(4);
      for (const g of opts.groups ?? []) this.joinGroup(g);
    } catch (e) {
      sys.close(fd);
      throw e;
    }
    this.seq = nextSocketSeq;
    nextSocketSeq = (nextSocketSeq + 0x10000) & 0x3fffffff;
    this.recvBuf = Buffer.alloc(INITIAL_RECV);
  }

  joinGroup(group: number): void {
    sys.setsockoptInt(this.fd, sys.SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group);
  }

  leaveGroup(group: number): void {
    sys.setsockoptInt(this.fd, sys.SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, group);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    sys.close(this.fd);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private nextSeq(): number {
    this.seq = (this.seq + 1) >>> 0;
    if (this.seq === 0) this.seq = 1;
    return this.seq;
  }

  /**
   * Sends one request and resolves with its decoded replies: [] for a plain ack, one entry per
   * reply message otherwise. Rejects with NetlinkError when the kernel refuses it.
   */
  async request<T = never>(req: Request, decode?: Decoder<T>): Promise<T[]> {
    return this.requestSync(req, decode);
  }

  /** The synchronous core of request(); throws instead of rejecting. */
  requestSync<T = never>(req: Request, decode?: Decoder<T>): T[] {
    const out: T[] = [];
    const seq = this.send(req, (req.flags ?? 0) | (req.reply ? 0 : NLM_F_ACK));
    this.receiveUntilDone(seq, req.reply === true, req, decode, out);
    return out;
  }

  /** A dump (NLM_F_DUMP): every message, decoded. */
  async dump<T>(req: Request, decode: Decoder<T>, opts: DumpOptions = {}): Promise<T[]> {
    return this.dumpSync(req, decode, opts);
  }

  dumpSync<T>(req: Request, decode: Decoder<T>, opts: DumpOptions = {}): T[] {
    const retries = opts.retries ?? 0;
    for (let attempt = 1; ; attempt++) {
      const out: T[] = [];
      const seq = this.send(req, (req.flags ?? 0) | NLM_F_DUMP);
      const interrupted = this.receiveUntilDone(seq, false, req, decode, out);
      if (!interrupted) return out;
      if (attempt > retries) throw new DumpInterruptedError(out, attempt);
    }
  }

  /** A dump as an async iterator: messages are decoded and yielded one datagram at a time. */
  async *dumpIter<T>(req: Request, decode: Decoder<T>): AsyncGenerator<T, void, undefined> {
    this.enter();
    let finished = false;
    try {
      const seq = this.send(req, (req.flags ?? 0) | NLM_F_DUMP, true);
      const batch: T[] = [];
      let interrupted = false;
      while (!finished) {
        const n = this.recvDatagram();
        this.interrupted = false;
        finished = this.processDatagram(n, seq, false, req, decode, batch);
        if (this.interrupted) interrupted = true;
        for (const item of batch) yield item;
        batch.length = 0;
      }
      if (interrupted) throw new DumpInterruptedError([], 1);
    } finally {
      if (!finished) this.drainStale();
      this.busy = false;
    }
  }

  /**
   * Reads every datagram already queued (multicast notifications, for monitors) without waiting,
   * decoding each message. Returns true when the kernel reported an overrun (ENOBUFS): events
   * were lost and the caller must resynchronise, e.g. by dumping.
   */
  readAvailable<T>(decode: Decoder<T>, out: T[]): boolean {
    let overrun = false;
    for (;;) {
      let n: number;
      try {
        n = sys.recvfrom(this.fd, this.recvBuf, sys.MSG_DONTWAIT | sys.MSG_TRUNC, this.addrBuf);
      } catch (e) {
        if (!(e instanceof sys.SyscallError)) throw e;
        if (e.code === "EINTR") continue;
        if (e.code === "ENOBUFS") { overrun = true; continue; }
        if (e.code === "EAGAIN") return overrun;
        throw e;
      }
      if (n > this.recvBuf.length) {
        this.recvBuf = Buffer.alloc(Math.max(n, this.recvBuf.length * 2));
        overrun = true;
        continue;
      }
      // multicast may come from privileged user space too: only the kernel's is taken
      if (this.addrBuf.readUInt32LE(4) !== 0) continue;
      const buf = decode.retainsBuffer === true ? datagramCopy(this.recvBuf, n) : this.recvBuf;
      let off = 0;
      while (off + NLMSG_HDRLEN <= n) {
        const len = buf.readUInt32LE(off);
        if (len < NLMSG_HDRLEN || off + len > n) break;
        const type = buf.readUInt16LE(off + 4);
        if (type === NLMSG_OVERRUN) overrun = true;
        else if (type >= 0x10) out.push(decode(buf, off, len));
        off += (len + 3) & ~3;
      }
    }
  }

  /** Starts a batch: many requests, few system calls. */
  batch(): Batch {
    return new Batch(this);
  }

  // --- internals shared with Batch ---------------------------------------------------------------

  /** @internal */
  enter(): void {
    if (this.closed) throw new Error("netlink socket is closed");
    if (this.busy) throw new Error("netlink socket is busy: another dump iterator is still open on it");
    this.busy = true;
  }

  private send(req: Request, flags: number, entered = false): number {
    if (!entered) {
      if (this.closed) throw new Error("netlink socket is closed");
      if (this.busy) throw new Error("netlink socket is busy: another dump iterator is still open on it");
    }
    const w = this.writer.reset();
    const seq = this.nextSeq();
    const start = w.beginMessage(req.type, flags | NLM_F_REQUEST, seq, 0);
    req.encode?.(w);
    w.endMessage(start);
    this.sendBytes(w.view());
    return seq;
  }

  /** Reserves n consecutive sequence numbers for messages the caller frames itself; returns the first. */
  reserveSeqs(n: number): number {
    const first = this.nextSeq();
    this.seq = (this.seq + n - 1) >>> 0;
    // skip a wrap through 0, which nextSeq never hands out
    if (first + n - 1 > 0xffffffff) return this.reserveSeqs(n);
    return first;
  }

  /** @internal */
  encodeInto(w: NlWriter, req: Request, flags: number): number {
    const seq = this.nextSeq();
    const start = w.beginMessage(req.type, flags | NLM_F_REQUEST, seq, 0);
    req.encode?.(w);
    w.endMessage(start);
    return seq;
  }

  /** @internal */
  sendBytes(bytes: Buffer): void {
    for (;;) {
      try {
        sys.sendto(this.fd, bytes, 0);
        return;
      } catch (e) {
        if (e instanceof sys.SyscallError && e.code === "EINTR") continue;
        throw e;
      }
    }
  }

  /**
   * Sends messages the caller framed itself (with reserveSeqs) as one datagram and collects the
   * answer of every seq in `acks`: errno 0 for an ack, else the kernel's error. Answers to
   * `optional` seqs (which the kernel sends only on some outcomes) are kept when already queued.
   * Once an error has arrived it stops at the first empty read rather than waiting for the rest,
   * because a family that refuses a datagram as a unit (nfnetlink batches) may leave some seqs
   * unanswered; everything it does answer is queued before sendto returns.
   */
  sendRaw(bytes: Buffer, acks: readonly number[], optional: readonly number[] = []): Map<number, ErrorPayload> {
    if (this.closed) throw new Error("netlink socket is closed");
    if (this.busy) throw new Error("netlink socket is busy: another dump iterator is still open on it");
    const wanted = new Set(acks);
    const extra = new Set(optional);
    const out = new Map<number, ErrorPayload>();
    this.sendBytes(bytes);
    let failed = false;
    let answered = 0;
    for (;;) {
      const done = answered >= wanted.size;
      const n = this.recvDatagram(!failed && !done);
      if (n < 0) break;
      forEachMessage(this.recvBuf, n, (off, len) => {
        const type = this.recvBuf.readUInt16LE(off + 4);
        const seq = this.recvBuf.readUInt32LE(off + 8);
        if ((!wanted.has(seq) && !extra.has(seq)) || (type !== NLMSG_ERROR && type !== NLMSG_DONE)) return;
        const p = parseErrorPayload(this.recvBuf, off, len);
        if (p.errno !== 0) failed = true;
        if (!out.has(seq) && wanted.has(seq)) answered++;
        if (!out.has(seq) || p.errno !== 0) out.set(seq, p);
      });
    }
    return out;
  }

  private lastRequest(req: Request, seq: number): RequestInfo {
    const info: RequestInfo = { type: req.type, seq };
    const name = req.def?.typeNames?.get(req.type);
    if (name) info.typeName = name;
    return info;
  }

  /**
   * Receives one datagram into the shared buffer and returns its length. Waits (blocking the
   * thread only in poll, never in recv) when the kernel has not queued anything yet.
   */
  /** @internal With wait false, returns -1 instead of waiting when nothing is queued. */
  recvDatagram(wait = true): number {
    // the reply is almost always queued already: the clock is read only when it is not
    let deadline = 0;
    for (;;) {
      let n: number;
      try {
        n = sys.recv(this.fd, this.recvBuf, sys.MSG_DONTWAIT | sys.MSG_TRUNC);
      } catch (e) {
        if (!(e instanceof sys.SyscallError)) throw e;
        if (e.code === "EINTR") continue;
        if (e.code === "EAGAIN") {
          if (!wait) return -1;
          if (deadline === 0) deadline = Date.now() + this.timeoutMs;
          this.waitReadable(deadline);
          continue;
        }
        throw e;
      }
      if (n > this.recvBuf.length) {
        // The datagram did not fit and is lost: grow so the retry of this request fits.
        this.recvBuf = Buffer.alloc(Math.max(n, this.recvBuf.length * 2));
        throw new NetlinkError(105, { message: `reply of ${n} bytes was larger than the receive buffer; buffer grown, retry the request` });
      }
      return n;
    }
  }

  private waitReadable(deadline: number): void {
    const pfd = Buffer.alloc(8);
    pfd.writeInt32LE(this.fd, 0);
    pfd.writeInt16LE(sys.POLLIN, 4);
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw new NetlinkError(110, { message: `no reply from the kernel within ${this.timeoutMs} ms` });
      try {
        if (sys.poll(pfd, 1, Math.min(left, 1000)) > 0) return;
      } catch (e) {
        if (!(e instanceof sys.SyscallError) || e.code !== "EINTR") throw e;
      }
    }
  }

  private receiveUntilDone<T>(seq: number, singleReply: boolean, req: Request, decode: Decoder<T> | undefined, out: T[]): boolean {
    this.interrupted = false;
    try {
      for (;;) {
        const n = this.recvDatagram();
        if (this.processDatagram(n, seq, singleReply, req, decode, out)) return this.interrupted;
      }
    } catch (e) {
      // A dump left half-read keeps running in the kernel, which refuses every later dump on this
      // socket with EBUSY until it is read to the end.
      this.drainStale();
      throw e;
    }
  }

  /**
   * Walks the messages of one datagram. Returns true when the exchange for `seq` is complete
   * (ack, error or NLMSG_DONE; or a single non-multipart reply followed by its ack). Sets
   * `interrupted` on NLM_F_DUMP_INTR (a field, not a callback: this runs once per request).
   */
  private processDatagram<T>(
    n: number, seq: number, singleReply: boolean, req: Request, decode: Decoder<T> | undefined, out: T[],
  ): boolean {
    const buf = decode?.retainsBuffer === true ? datagramCopy(this.recvBuf, n) : this.recvBuf;
    let off = 0;
    let done = false;
    // Byte reads rather than readUInt32LE/readUInt16LE: a big dump runs this for thousands of
    // messages, the first few dumps of a process in the interpreter, where each of those is a
    // full call with its own checks.
    while (off + NLMSG_HDRLEN <= n) {
      const len = (buf[off]! | (buf[off + 1]! << 8) | (buf[off + 2]! << 16)) + buf[off + 3]! * 0x1000000;
      if (len < NLMSG_HDRLEN || off + len > n) throw new NetlinkParseError(`bad nlmsg_len ${len}`, off);
      const type = buf[off + 4]! | (buf[off + 5]! << 8);
      const flags = buf[off + 6]! | (buf[off + 7]! << 8);
      const mseq = (buf[off + 8]! | (buf[off + 9]! << 8) | (buf[off + 10]! << 16)) + buf[off + 11]! * 0x1000000;
      if (mseq === seq) {
        if (flags & NLM_F_DUMP_INTR) this.interrupted = true;
        if (type === NLMSG_ERROR || type === NLMSG_DONE) {
          // a plain ack (error code 0) needs no parsing
          if (len < NLMSG_HDRLEN + 4 || buf.readInt32LE(off + NLMSG_HDRLEN) !== 0) {
            const p = parseErrorPayload(buf, off, len);
            if (p.errno !== 0) throw this.error(p.errno, p.extack, this.lastRequest(req, seq), req.def);
          }
          done = true;
        } else if (type === NLMSG_OVERRUN) {
          throw new NetlinkError(105, { message: "netlink overrun" }, this.lastRequest(req, seq));
        } else if (type !== NLMSG_NOOP) {
          if (decode) out.push(decode(buf, off, len));
          if (singleReply && !(flags & NLM_F_MULTI)) done = true;
        }
      }
      // messages with another seq are stale answers to abandoned requests: dropped
      off += (len + 3) & ~3;
    }
    return done;
  }

  /** @internal */
  error(errno: number, extack: NetlinkError["extack"], request: RequestInfo, def: MessageDef | undefined): NetlinkError {
    if (request.bytes === undefined) {
      // the failed request is still in the writer when we get here
      request.bytes = this.writer.take();
    }
    nameExtackAttribute(extack, request.bytes, def);
    return new NetlinkError(errno, extack, request);
  }

  private drainStale(): void {
    // an abandoned dump leaves datagrams queued; they carry the old seq and are dropped on read
    for (let i = 0; i < 10_000; i++) {
      try {
        const n = sys.recv(this.fd, this.recvBuf, sys.MSG_DONTWAIT);
        if (n <= 0) return;
      } catch {
        return;
      }
    }
  }

  /** @internal used by Batch */
  get receiveBuffer(): Buffer {
    return this.recvBuf;
  }
}

function openNamespace(path: string): number {
  try {
    return fs.openSync(path, "r");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    // worded as ip words it; typed so that callers can tell a missing namespace from the rest
    if (err.code === "ENOENT" || err.code === "EACCES") {
      const why = err.code === "ENOENT" ? "No such file or directory" : "Permission denied";
      throw new NlkitInputError(`Cannot open network namespace "${path}": ${why}`, "netns", err.code);
    }
    throw e;
  }
}

function trySetStrict(fd: number): void {
  try {
    sys.setsockoptInt(fd, sys.SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1);
  } catch (e) {
    // only rtnetlink knows the option on some kernels; elsewhere it is meaningless
    if (!(e instanceof sys.SyscallError) || e.code !== "ENOPROTOOPT") throw e;
  }
}

function setBufferSize(fd: number, force: number, plain: number, size: number): void {
  try {
    sys.setsockoptInt(fd, sys.SOL_SOCKET, force, size);
  } catch (e) {
    if (!(e instanceof sys.SyscallError) || e.code !== "EPERM") throw e;
    sys.setsockoptInt(fd, sys.SOL_SOCKET, plain, size);
  }
}

// --- batching -------------------------------------------------------------------------------------

interface Pending<T> {
  req: Request;
  decode: Decoder<T> | undefined;
  start: number;
  end: number;
  seq: number;
  /** Position in the batch, counting requests refused before sending. */
  index: number;
  replies: T[];
  error: NetlinkError | undefined;
  promise: Promise<T[]>;
  resolve: (v: T[]) => void;
  reject: (e: unknown) => void;
}

/**
 * Rejects a batched request's promise, marked handled first: callers who only read send()'s
 * outcome must not see unhandled rejections, and a handler attached only to the few that fail
 * spares every request that succeeds a second promise.
 */
function rejectHandled(it: Pending<any>, e: unknown): void {
  it.promise.catch(ignore);
  it.reject(e);
}

// A promise's settle functions taken without a closure per request (batches add thousands):
// the executor runs synchronously inside `new Promise`, so these hold its functions right after.
let capturedResolve: (v: any) => void = ignore;
let capturedReject: (e: unknown) => void = ignore;
function capture(res: (v: any) => void, rej: (e: unknown) => void): void {
  capturedResolve = res;
  capturedReject = rej;
}
function ignore(): void {}

export interface BatchOutcome {
  /** How many requests the kernel accepted. */
  ok: number;
  /** The ones the kernel refused, each naming its request (request.index is its position). */
  errors: NetlinkError[];
  /** Requests refused before anything was sent (bad input, an unknown device name...). */
  refused: Array<{ index: number; error: unknown }>;
  /** sendto calls made. */
  sends: number;
}

/**
 * Many requests sent with as few sendto calls as fit. Only the last request of each chunk asks
 * for an ack: the kernel answers every failing request with an error regardless, so silence plus
 * the final ack means success, and each error names exactly the request that failed.
 */
export class Batch {
  private readonly items: Pending<any>[] = [];
  private readonly refused: Array<{ index: number; error: unknown }> = [];
  private readonly w = new NlWriter(64 * 1024);
  private sent = false;
  private position = 0;

  constructor(private readonly sock: NetlinkSocket) {}

  /** Requests queued (not counting those refused before sending). */
  get size(): number {
    return this.items.length;
  }

  /**
   * Records a request that failed before it could be queued (its input was refused), so that the
   * outcome reports it at its position; the returned promise rejects with the error and counts
   * as handled, like every other batched request's.
   */
  fail(error: unknown): Promise<never> {
    if (this.sent) throw new Error("batch already sent");
    this.refused.push({ index: this.position++, error });
    const p = Promise.reject(error);
    p.catch(() => {});
    return p;
  }

  /** Queues a request; the promise settles when the batch is sent. */
  add<T = never>(req: Request, decode?: Decoder<T>): Promise<T[]> {
    if (this.sent) throw new Error("batch already sent");
    const start = this.w.pos;
    const seq = this.sock.encodeInto(this.w, req, req.flags ?? 0);
    const promise = new Promise<T[]>(capture);
    const resolve = capturedResolve, reject = capturedReject;
    this.items.push({ req, decode, start, end: this.w.pos, seq, index: this.position++, replies: [], error: undefined, promise, resolve, reject });
    return promise;
  }

  /** Sends everything. Resolves with the outcome; never rejects for the kernel's per-request errors. */
  async send(): Promise<BatchOutcome> {
    return this.sendSync();
  }

  sendSync(): BatchOutcome {
    if (this.sent) throw new Error("batch already sent");
    this.sent = true;
    const outcome: BatchOutcome = { ok: 0, errors: [], refused: this.refused, sends: 0 };
    const items = this.items;
    let i = 0;
    try {
      const queue = items.length ? sys.getsockoptInt(this.sock.fd, sys.SOL_SOCKET, sys.SO_RCVBUF) : 0;
      while (i < items.length) {
        let j = i;
        const chunkStart = items[i]!.start;
        let answers = 0;
        while (j < items.length) {
          answers += items[j]!.decode ? BATCH_REPLY_BUDGET : BATCH_ERROR_BUDGET;
          if (j > i && (items[j]!.end - chunkStart > BATCH_CHUNK_BYTES || answers > queue)) break;
          j++;
        }
        const last = items[j - 1]!;
        // ask for the ack on the chunk's last request only
        const flagsAt = last.start + 6;
        this.w.buf.writeUInt16LE(this.w.buf.readUInt16LE(flagsAt) | NLM_F_ACK, flagsAt);
        this.sock.sendBytes(this.w.buf.subarray(chunkStart, last.end));
        outcome.sends++;
        this.drainChunk(items, i, j);
        i = j;
      }
    } catch (e) {
      // the chunks already answered settle as answered; the rest, whose fate is unknown, must not
      // leave their promises pending forever
      this.settle(0, i, outcome);
      for (let k = i; k < items.length; k++) rejectHandled(items[k]!, e);
      throw e;
    }
    this.settle(0, items.length, outcome);
    return outcome;
  }

  private settle(from: number, to: number, outcome: BatchOutcome): void {
    for (let k = from; k < to; k++) {
      const it = this.items[k]!;
      if (it.error) {
        outcome.errors.push(it.error);
        rejectHandled(it, it.error);
      } else {
        outcome.ok++;
        it.resolve(it.replies);
      }
    }
  }

  private drainChunk(items: Pending<any>[], from: number, to: number): void {
    const lastSeq = items[to - 1]!.seq;
    const firstSeq = items[from]!.seq;
    // seqs of a batch need not be contiguous: device lookups made while the batch was being
    // built (verbs given a name) take seqs from the same socket in between. They usually are,
    // and a chunk that succeeds is answered by one ack: the map is built only when needed.
    let index: Map<number, number> | undefined;
    const bySeq = (seq: number): Pending<any> | undefined => {
      const d = seq - firstSeq;
      if (d >= 0 && d < to - from && items[from + d]!.seq === seq) return items[from + d];
      if (!index) {
        index = new Map();
        for (let k = from; k < to; k++) index.set(items[k]!.seq, k);
      }
      const idx = index.get(seq);
      return idx === undefined ? undefined : items[idx];
    };
    let finished = false;
    while (!finished) {
      const n = this.sock.recvDatagram();
      const buf = this.sock.receiveBuffer;
      let kept: Buffer | undefined; // this datagram's copy, made for the first retaining decoder
      let off = 0;
      while (off + NLMSG_HDRLEN <= n) {
        const len = buf.readUInt32LE(off);
        if (len < NLMSG_HDRLEN || off + len > n) throw new NetlinkParseError(`bad nlmsg_len ${len}`, off);
        const type = buf.readUInt16LE(off + 4);
        const seq = buf.readUInt32LE(off + 8);
        const it = bySeq(seq);
        if (it) {
          if (type === NLMSG_ERROR || type === NLMSG_DONE) {
            // a plain ack needs no parsing
            const p = len >= NLMSG_HDRLEN + 4 && buf.readInt32LE(off + NLMSG_HDRLEN) === 0 ? OK : parseErrorPayload(buf, off, len);
            if (p.errno !== 0) {
              const bytes = Buffer.from(this.w.buf.subarray(it.start, it.end));
              const info: RequestInfo = { type: it.req.type, seq, index: it.index, bytes };
              const name = it.req.def?.typeNames?.get(it.req.type);
              if (name) info.typeName = name;
              it.error = this.sock.error(p.errno, p.extack, info, it.req.def);
            }
            if (seq === lastSeq) finished = true;
          } else if (type !== NLMSG_NOOP && it.decode) {
            if (it.decode.retainsBuffer === true) it.replies.push(it.decode(kept ??= datagramCopy(buf, n), off, len));
            else it.replies.push(it.decode(buf, off, len));
          }
        }
        off += (len + 3) & ~3;
      }
    }
  }
}
