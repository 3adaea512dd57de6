import {
  NLM_F_ACK, NLM_F_ACK_TLVS, NLM_F_CAPPED, NLM_F_DUMP, NLM_F_MULTI, NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN,
  NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS,
} from "./constants.js";
import { abortReason, NlkitTimeoutError } from "./errors.js";
import type { Transport } from "./transport.js";
import { NlWriter } from "./writer.js";

/**
 * A request the scripted kernel received: one netlink message, as it was framed. Handlers and
 * scripts see it with the socket's own seq; recorded scripts compare it with seq and pid zeroed.
 *
 * @example
 * ```ts
 * const transport = new ScriptedTransport(() => undefined);   // acks every request
 * const rt = await Rtnl.open({ transport });
 * await rt.link.set(3, { mtu: 9000 });
 * const req: ScriptedRequest = transport.sent[0]!;
 * console.log(req.type, req.flags, req.payload.length);   // 16 5 24: RTM_NEWLINK, REQUEST|ACK, ifinfomsg + IFLA_MTU
 * ```
 */
export interface ScriptedRequest {
  /** The request's message type. */
  type: number;
  /** Its NLM_F_* flags. */
  flags: number;
  /** Its sequence number, which replies must carry. */
  seq: number;
  /** The whole message, nlmsghdr included. */
  bytes: Buffer;
  /** What follows the nlmsghdr. */
  payload: Buffer;
}

/**
 * One exchange of a script: the request expected next and the datagrams the kernel answers it
 * with. Bytes are hex strings (whitespace allowed) or Buffers; in replies, every message's seq
 * and pid are rewritten to the request's seq and the socket's port, so captures from any run fit.
 *
 * @example
 * ```ts
 * // record what a verb sends (every request acked), then replay it as a strict script
 * const recorder = new ScriptedTransport(() => undefined);
 * await (await Rtnl.open({ transport: recorder })).link.set(3, { mtu: 9000 });
 * const script: ScriptedExchange[] = recorder.sent.map((r) => ({ request: r.bytes, replies: [reply.ack(r)] }));
 * const replay = new ScriptedTransport(script);
 * await (await Rtnl.open({ transport: replay })).link.set(3, { mtu: 9000 });
 * replay.assertDone();   // every exchange was asked for, in order
 * ```
 */
export interface ScriptedExchange {
  /** The message expected next, nlmsghdr included; its seq and pid are not compared. */
  request: string | Buffer;
  /** Default: a plain ack when the request asks for one, NLMSG_DONE for a dump, else nothing. */
  replies?: ReadonlyArray<string | Buffer>;
}

/**
 * Answers a request with reply datagrams (see `reply`), or undefined for the default answer (an ack,
 * or NLMSG_DONE for a dump).
 *
 * @example
 * ```ts
 * const unprivileged: ScriptHandler = (req) => [reply.error(1, req)];   // EPERM for everything, as without CAP_NET_ADMIN
 * const rt = await Rtnl.open({ transport: new ScriptedTransport(unprivileged) });
 * await rt.link.add({ name: "br0", kind: "bridge" }).catch((e: Error) => e.message);
 * // "RTNETLINK answers: Operation not permitted (EPERM, RTM_NEWLINK)"
 * ```
 */
export type ScriptHandler = (req: ScriptedRequest) => ReadonlyArray<Buffer> | undefined;

/**
 * The scripted kernel saw a request it did not expect (or `assertDone()` found the script not used up):
 * `expected` holds the script's request (undefined when the script was used up or the datagram was
 * malformed), `actual` what was sent.
 *
 * @example
 * ```ts
 * const sock = new NetlinkSocket(new ScriptedTransport([]));   // a script that expects nothing
 * const err = await sock.request({ type: 18, reply: true }).catch((e: unknown) => e);
 * if (err instanceof ScriptMismatchError) console.log(err.expected, err.actual.readUInt16LE(4));   // undefined 18
 * ```
 */
export class ScriptMismatchError extends Error {
  /** Always "ScriptMismatchError". */
  override readonly name = "ScriptMismatchError";
  constructor(
    message: string,
    /** The message the script expected next; undefined when the script was used up or the sent datagram was malformed. */
    readonly expected: Buffer | undefined,
    /** The message that was sent (the whole datagram when it was malformed; empty from assertDone()). */
    readonly actual: Buffer,
  ) {
    super(message);
  }
}

/**
 * Settings of a `ScriptedTransport`: the port id it pretends the kernel assigned.
 *
 * @example
 * ```ts
 * const opts: ScriptedTransportOptions = { portId: 1234 };
 * const sock = new NetlinkSocket(new ScriptedTransport([], opts));
 * console.log(sock.portId);   // 1234: replies are stamped with it
 * ```
 */
export interface ScriptedTransportOptions {
  /** The nl_pid the transport reports and stamps into replies (default 0x4e4c4b, "NLK"). */
  portId?: number;
}

/**
 * A Transport that answers from a script (recorded exchanges, in order) or from a handler function,
 * with no kernel: the seam for testing code that uses nlkit without root, as `Rtnl.open({ transport
 * })` and the families opened with `OpenOptions` (Conntrack, SockDiag, Genl, Ethtool) accept it. Every
 * request sent is in `sent`; `assertDone()` checks the script was used up; a request that does not
 * match the script throws `ScriptMismatchError`.
 *
 * @example
 * ```ts
 * import { Rtnl, ScriptedTransport, reply } from "nlkit";
 * const transport = new ScriptedTransport((req) => (req.type === 24 ? [reply.error(17, req)] : undefined));   // 24: RTM_NEWROUTE
 * const rt = await Rtnl.open({ transport });
 * await rt.route.add({ dst: "10.1.0.0/16", dev: 3 }).catch((e) => e.code);   // "EEXIST"
 * ```
 */
export class ScriptedTransport implements Transport {
  readonly portId: number;
  readonly fd = undefined;
  /** Every request datagram sent, decoded, in order: what a test asserts on. */
  readonly sent: ScriptedRequest[] = [];
  private readonly script: ScriptedExchange[] | undefined;
  private readonly handler: ScriptHandler | undefined;
  private next = 0;
  private readonly queue: Buffer[] = [];
  private isClosed = false;
  /** Waits for a datagram (readable()) to wake when one is queued by send() or inject(). */
  private readonly waiters = new Set<() => void>();
  /** Datagrams sent (each send() call is one). */
  datagrams = 0;

  constructor(script: ReadonlyArray<ScriptedExchange> | ScriptHandler, opts: ScriptedTransportOptions = {}) {
    this.portId = opts.portId ?? 0x4e4c4b; // "NLK"
    if (typeof script === "function") this.handler = script;
    else this.script = [...script];
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** How many exchanges of the script are still unused. */
  get remaining(): number {
    return this.script ? this.script.length - this.next : 0;
  }

  /** Throws `ScriptMismatchError` when exchanges of the script were never asked for. */
  assertDone(): void {
    if (this.remaining > 0) {
      throw new ScriptMismatchError(`${this.remaining} scripted exchange(s) never happened; next expected ${hexOf(this.script![this.next]!.request)}`, bytesOf(this.script![this.next]!.request), Buffer.alloc(0));
    }
  }

  send(datagram: Buffer): void {
    if (this.isClosed) throw new Error("scripted transport is closed");
    this.datagrams++;
    let off = 0;
    while (off + NLMSG_HDRLEN <= datagram.length) {
      const len = datagram.readUInt32LE(off);
      if (len < NLMSG_HDRLEN || off + len > datagram.length) throw new ScriptMismatchError(`malformed request at byte ${off}`, undefined, datagram);
      const bytes = Buffer.from(datagram.subarray(off, off + len));
      const req: ScriptedRequest = {
        type: bytes.readUInt16LE(4), flags: bytes.readUInt16LE(6), seq: bytes.readUInt32LE(8), bytes, payload: bytes.subarray(NLMSG_HDRLEN),
      };
      this.sent.push(req);
      for (const d of this.answer(req)) this.queue.push(this.stamp(d, req.seq));
      off += (len + 3) & ~3;
    }
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    if (this.queue.length === 0) return;
    const all = [...this.waiters];
    this.waiters.clear();
    for (const w of all) w();
  }

  private answer(req: ScriptedRequest): ReadonlyArray<Buffer> {
    if (this.handler) return this.handler(req) ?? defaultAnswer(req);
    const ex = this.script![this.next];
    if (!ex) throw new ScriptMismatchError(`unexpected request (the script is used up): ${req.bytes.toString("hex")}`, undefined, req.bytes);
    const expected = bytesOf(ex.request);
    if (!sameRequest(expected, req.bytes)) {
      throw new ScriptMismatchError(
        `request ${this.next} differs from the script (seq and pid ignored)\n  expected ${expected.toString("hex")}\n  actual   ${req.bytes.toString("hex")}`,
        expected, req.bytes,
      );
    }
    this.next++;
    return ex.replies ? ex.replies.map(bytesOf) : defaultAnswer(req);
  }

  /** A reply datagram with every message's seq set to the request's and pid to this port. */
  private stamp(datagram: Buffer, seq: number): Buffer {
    const d = Buffer.from(datagram);
    let off = 0;
    while (off + NLMSG_HDRLEN <= d.length) {
      const len = d.readUInt32LE(off);
      if (len < NLMSG_HDRLEN) break;
      d.writeUInt32LE(seq, off + 8);
      d.writeUInt32LE(this.portId, off + 12);
      off += (len + 3) & ~3;
    }
    return d;
  }

  receive(buf: Buffer, limit: number): number {
    const d = this.queue.shift();
    if (!d) return -1;
    // like the kernel: a datagram that does not fit is lost, and its length is reported
    if (d.length >= limit) return Math.max(d.length, limit);
    d.copy(buf, 0);
    return d.length;
  }

  readable(opts: { signal?: AbortSignal | undefined; timeoutMs?: number | undefined }): Promise<void> {
    if (this.queue.length || this.isClosed) return Promise.resolve();
    // nothing arrives unprompted but what inject() queues: it, an abort or the timeout ends the wait
    return new Promise((resolve, reject) => {
      const signal = opts.signal;
      if (signal?.aborted) { reject(abortReason(signal)); return; }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = (): void => {
        this.waiters.delete(wake);
        if (timer) clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const wake = (): void => { done(); resolve(); };
      const onAbort = (): void => { done(); reject(abortReason(signal!)); };
      this.waiters.add(wake);
      signal?.addEventListener("abort", onAbort, { once: true });
      if (opts.timeoutMs !== undefined) timer = setTimeout(() => { done(); reject(new NlkitTimeoutError(opts.timeoutMs!)); }, opts.timeoutMs);
    });
  }

  waitSync(): boolean {
    return this.queue.length > 0;
  }

  /** Records nothing: group membership only matters for notifications, which a test injects. */
  joinGroup(): void {}
  /** As joinGroup: nothing to do without a kernel. */
  leaveGroup(): void {}

  /** Queues a datagram as if the kernel had sent it unprompted (a multicast notification). */
  inject(datagram: string | Buffer): void {
    this.queue.push(bytesOf(datagram));
    this.wakeWaiters();
  }

  /** Marks the transport closed. */
  close(): void {
    this.isClosed = true;
  }
}

function defaultAnswer(req: ScriptedRequest): Buffer[] {
  if ((req.flags & NLM_F_DUMP) === NLM_F_DUMP) return [reply.done()];
  if (req.flags & NLM_F_ACK) return [reply.ack(req)];
  return [];
}

function sameRequest(expected: Buffer, actual: Buffer): boolean {
  if (expected.length !== actual.length) return false;
  for (let i = 0; i < expected.length; i++) {
    if (i >= 8 && i < 16) continue;
    if (expected[i] !== actual[i]) return false;
  }
  return true;
}

function bytesOf(v: string | Buffer): Buffer {
  return typeof v === "string" ? Buffer.from(v.replace(/\s+/g, ""), "hex") : v;
}

function hexOf(v: string | Buffer): string {
  return bytesOf(v).toString("hex");
}

/**
 * Reply datagrams for scripts and handlers. seq and pid are filled in by the transport.
 *
 * @example
 * ```ts
 * const transport = new ScriptedTransport((req) =>
 *   req.type === 16 ? [reply.error(95, req, { message: "Unknown device type" })] : undefined);   // RTM_NEWLINK
 * const rt = await Rtnl.open({ transport });
 * await rt.link.add({ name: "wg0", kind: "wireguard" }).catch((e: Error) => e.message);
 * // "Error: Unknown device type (EOPNOTSUPP, RTM_NEWLINK)"
 * ```
 */
export const reply = {
  /** A plain ack of `req` (its header echoed, as with NETLINK_CAP_ACK). */
  ack(req?: ScriptedRequest): Buffer {
    return errorMessage(0, req, undefined);
  },
  /** The kernel's refusal: errno and, optionally, its extack message and the offending attribute's offset. */
  error(errno: number, req?: ScriptedRequest, extack?: { message?: string; offset?: number }): Buffer {
    return errorMessage(-Math.abs(errno), req, extack);
  },
  /** NLMSG_DONE, ending a dump. */
  done(errno = 0): Buffer {
    const w = new NlWriter(32);
    const s = w.beginMessage(NLMSG_DONE, NLM_F_MULTI, 0, 0);
    w.s32(-Math.abs(errno));
    w.endMessage(s);
    return w.take();
  },
  /** Any message: `type` with `payload` (a family header and attributes), in one datagram. */
  message(type: number, payload: Buffer, flags = 0): Buffer {
    const w = new NlWriter(payload.length + 32);
    const s = w.beginMessage(type, flags, 0, 0);
    w.bytes(payload);
    w.endMessage(s);
    return w.take();
  },
  /** Several messages in one datagram (a dump part). */
  datagram(...messages: Buffer[]): Buffer {
    return Buffer.concat(messages.map((m) => (m.length % 4 ? Buffer.concat([m, Buffer.alloc(4 - (m.length % 4))]) : m)));
  },
};

function errorMessage(code: number, req: ScriptedRequest | undefined, extack: { message?: string; offset?: number } | undefined): Buffer {
  const w = new NlWriter(128);
  const tlvs = extack && (extack.message !== undefined || extack.offset !== undefined);
  const s = w.beginMessage(NLMSG_ERROR, NLM_F_CAPPED | (tlvs ? NLM_F_ACK_TLVS : 0), 0, 0);
  w.s32(code);
  // the echoed request header (capped: no payload)
  const h = req?.bytes ?? Buffer.alloc(NLMSG_HDRLEN);
  w.bytes(h.subarray(0, NLMSG_HDRLEN));
  if (extack?.message !== undefined) w.attrString(NLMSGERR_ATTR_MSG, extack.message);
  if (extack?.offset !== undefined) w.attrU32(NLMSGERR_ATTR_OFFS, extack.offset);
  w.endMessage(s);
  return w.take();
}
