import { NLM_F_ACK, NLM_F_REQUEST } from "./constants.js";
import type { Decoder } from "./decoder.js";
import { abortReason, type NetlinkError, type RequestInfo } from "./errors.js";
import { ACK, Exchange } from "./exchange.js";
import type { CallOptions, NetlinkSocket, Request } from "./socket.js";
import { NlWriter } from "./writer.js";

/**
 * How a `Batch` packs its requests into `sendto` calls; the defaults suit rtnetlink.
 *
 * @example
 * ```ts
 * const opts: BatchOptions = { chunkBytes: 16 * 1024 };   // smaller sendto calls than the 60 KiB default
 * const b = rt.socket.batch(opts);
 * ```
 */
export interface BatchOptions {
  /** Most bytes one sendto carries (default 60 KiB). */
  chunkBytes?: number;
  /**
   * The receive-queue bytes an answer is charged, per request without and with replies. The
   * kernel answers a whole datagram before sendto returns and drops what overflows the queue, and
   * it charges each answer its skb's truesize, not its length: ~832 bytes for an error even with
   * NETLINK_CAP_ACK, ~2.3 KiB for the smallest RTM_GETLINK reply. A chunk holds only as many
   * requests as the queue can answer when every one of them fails. Defaults fit rtnetlink. This
   * one is charged for a request without a decoder, which only an ack or error answers (default
   * 1024 bytes).
   */
  errorBudget?: number;
  /** The receive-queue bytes charged for a request with a decoder, which replies answer (default 4096 bytes); see errorBudget. */
  replyBudget?: number;
}

/**
 * What `Batch.send()` resolves with: how many requests the kernel accepted, the `NetlinkError`s of the
 * ones it refused, and the ones refused before sending (bad input), each carrying its request index.
 *
 * @example
 * ```ts
 * const b = rt.socket.batch();
 * for (const index of [7, 8, 9]) b.add({ type: 17, encode: (w) => { w.zeros(4); w.s32(index); w.zeros(8); } });   // RTM_DELLINK
 * const out: BatchOutcome = await b.send();
 * for (const e of out.errors) console.log(e.request?.index, e.code);   // 2 "ENODEV" when ifindex 9 does not exist
 * console.log(`${out.ok} deleted in ${out.sends} sendto`);
 * ```
 */
export interface BatchOutcome {
  /** How many requests the kernel accepted. */
  ok: number;
  /** The ones the kernel refused, each naming its request (request.index is its position). */
  errors: NetlinkError[];
  /** Requests refused before anything was sent (bad input, an unknown device name...). */
  refused: Array<{
    /** The request's position in the batch (0-based, as added). */
    index: number;
    /** Why it was refused: an NlkitInputError, a failed device lookup... */
    error: unknown;
  }>;
  /** sendto calls made. */
  sends: number;
}

interface Item<T> {
  req: Request | undefined;
  /** A request still being built (a verb that looks a device up first). */
  building: Promise<Request> | undefined;
  decode: Decoder<T> | undefined;
  /** Position in the batch, counting requests refused before sending. */
  index: number;
  start: number;
  end: number;
  ex: Exchange<T> | undefined;
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
function rejectHandled(it: Item<any>, e: unknown): void {
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

/**
 * Many requests sent with as few sendto calls as fit. Only the last request of each chunk asks
 * for an ack: the kernel answers every failing request with an error regardless, so silence plus
 * the final ack means success, and each error names exactly the request that failed. Requests are
 * framed when the batch is sent, in the order they were added, with consecutive seqs.
 *
 * @example
 * ```ts
 * const sock = NetlinkSocket.open({ protocol: constants.NETLINK_ROUTE, netnsPath: "/run/netns/ns1" });
 * const b = sock.batch();   // or new Batch(sock)
 * const del = b.add({ type: 17, encode: (w) => { w.zeros(4); w.s32(7); w.zeros(8); } });   // RTM_DELLINK ifindex 7
 * const out = await b.send();   // { ok, errors, refused, sends: 1 }
 * await del.catch((e: unknown) => e instanceof NetlinkError && e.code);   // "ENODEV" if there was no ifindex 7
 * ```
 */
export class Batch {
  private readonly items: Item<any>[] = [];
  private readonly refused: Array<{ index: number; error: unknown }> = [];
  private readonly deferred: Promise<unknown>[] = [];
  private readonly w = new NlWriter(64 * 1024);
  private sent = false;
  private position = 0;
  private readonly chunkBytes: number;
  private readonly errorBudget: number;
  private readonly replyBudget: number;

  constructor(private readonly sock: NetlinkSocket, opts: BatchOptions = {}) {
    this.chunkBytes = opts.chunkBytes ?? 60 * 1024;
    this.errorBudget = opts.errorBudget ?? 1024;
    this.replyBudget = opts.replyBudget ?? 4096;
  }

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
    p.catch(ignore);
    return p;
  }

  /** Queues a request; the promise settles when the batch is sent. */
  add<T = never>(req: Request | Promise<Request>, decode?: Decoder<T>): Promise<T[]> {
    if (this.sent) throw new Error("batch already sent");
    const promise = new Promise<T[]>(capture);
    const resolve = capturedResolve, reject = capturedReject;
    const building = req instanceof Promise ? req : undefined;
    // its failure is reported at send(), as this request's refusal: not an unhandled rejection now
    building?.catch(ignore);
    this.items.push({
      req: building ? undefined : req as Request, building, decode, index: this.position++,
      start: 0, end: 0, ex: undefined, error: undefined, promise, resolve, reject,
    });
    return promise;
  }

  /**
   * Work that will add requests once it has read something (a flush lists before it deletes):
   * send() waits for it first. Its failure is its own caller's to see, not the batch's.
   */
  defer(work: Promise<unknown>): void {
    if (this.sent) throw new Error("batch already sent");
    work.catch(ignore);
    this.deferred.push(work);
  }

  /** Sends everything. Resolves with the outcome; never rejects for the kernel's per-request errors. */
  async send(opts?: CallOptions): Promise<BatchOutcome> {
    if (opts?.signal?.aborted) throw abortReason(opts.signal);
    while (this.deferred.length) await Promise.allSettled(this.deferred.splice(0));
    await this.settleBuilds();
    return this.run(opts, false) as Promise<BatchOutcome>;
  }

  /** send() for synchronous callers; requests still being built are refused. */
  sendSync(): BatchOutcome {
    if (this.deferred.length || this.items.some((it) => it.building)) throw new Error("batch holds requests still being built: use send()");
    return this.run(undefined, true) as BatchOutcome;
  }

  /** Requests whose building failed (bad input, an unknown device) are refused at their position. */
  private async settleBuilds(): Promise<void> {
    if (!this.items.some((it) => it.building)) return;
    const kept: Item<any>[] = [];
    for (const it of this.items) {
      if (it.building) {
        try {
          it.req = await it.building;
        } catch (e) {
          this.refused.push({ index: it.index, error: e });
          rejectHandled(it, e);
          continue;
        } finally {
          it.building = undefined;
        }
      }
      kept.push(it);
    }
    this.items.splice(0, this.items.length, ...kept);
    this.refused.sort((a, b) => a.index - b.index);
  }

  private run(opts: CallOptions | undefined, sync: boolean): BatchOutcome | Promise<BatchOutcome> {
    if (this.sent) throw new Error("batch already sent");
    this.sent = true;
    const outcome: BatchOutcome = { ok: 0, errors: [], refused: this.refused, sends: 0 };
    const items = this.items;
    this.frame(items);
    if (items.length === 0) return sync ? outcome : Promise.resolve(outcome);
    let queue = 0;
    let i = 0;
    const fail = (e: unknown): never => {
      // the chunks already answered settle as answered; the rest, whose fate is unknown, must not
      // leave their promises pending forever
      this.settle(0, i, outcome);
      for (let k = i; k < items.length; k++) rejectHandled(items[k]!, e);
      throw e;
    };
    const nextChunk = (): [number, number] => {
      let j = i;
      const chunkStart = items[i]!.start;
      let answers = 0;
      while (j < items.length) {
        answers += items[j]!.decode ? this.replyBudget : this.errorBudget;
        if (j > i && (items[j]!.end - chunkStart > this.chunkBytes || answers > queue)) break;
        j++;
      }
      return [i, j];
    };
    const sendChunk = (from: number, to: number): [Exchange<any>, (seq: number) => Exchange<any> | undefined] => {
      const last = items[to - 1]!;
      // ask for the ack on the chunk's last request only
      const flagsAt = last.start + 6;
      this.w.buf.writeUInt16LE(this.w.buf.readUInt16LE(flagsAt) | NLM_F_ACK, flagsAt);
      const firstSeq = items[from]!.ex!.seq;
      const find = (seq: number): Exchange<any> | undefined => {
        const d = seq - firstSeq;
        return d >= 0 && d < to - from ? items[from + d]!.ex : undefined;
      };
      this.sock.sendFramed(this.w.buf.subarray(items[from]!.start, last.end), find);
      outcome.sends++;
      return [last.ex!, find];
    };
    if (sync) {
      try {
        queue = this.sock.receiveQueueBytes();
        while (i < items.length) {
          const [from, to] = nextChunk();
          const [last, find] = sendChunk(from, to);
          this.sock.awaitFramedSync(last, find);
          this.collect(from, to);
          i = to;
        }
      } catch (e) {
        fail(e);
      }
      this.settle(0, items.length, outcome);
      return outcome;
    }
    return (async () => {
      try {
        queue = this.sock.receiveQueueBytes();
        while (i < items.length) {
          const [from, to] = nextChunk();
          const [last, find] = sendChunk(from, to);
          await this.sock.awaitFramed(last, find, opts);
          this.collect(from, to);
          i = to;
        }
      } catch (e) {
        fail(e);
      }
      this.settle(0, items.length, outcome);
      return outcome;
    })();
  }

  /**
   * Every request framed back to back with consecutive seqs, each with its exchange. A request
   * whose encoder refuses its values is refused at its position; the others still go.
   */
  private frame(items: Item<any>[]): void {
    const first = this.sock.reserveSeqs(items.length);
    const w = this.w;
    const kept: Item<any>[] = [];
    for (const it of items) {
      const req = it.req!;
      const seq = (first + kept.length) >>> 0;
      it.start = w.pos;
      try {
        const s = w.beginMessage(req.type, (req.flags ?? 0) | NLM_F_REQUEST, seq, 0);
        req.encode?.(w);
        w.endMessage(s);
      } catch (e) {
        w.pos = it.start;
        this.refused.push({ index: it.index, error: e });
        rejectHandled(it, e);
        continue;
      }
      it.end = w.pos;
      it.ex = new Exchange(seq, ACK, it.decode);
      kept.push(it);
    }
    if (kept.length !== items.length) {
      items.splice(0, items.length, ...kept);
      this.refused.sort((a, b) => a.index - b.index);
    }
  }

  /** A chunk's answers, kept on its items: errors named after their request. */
  private collect(from: number, to: number): void {
    for (let k = from; k < to; k++) {
      const it = this.items[k]!;
      const ex = it.ex!;
      if (ex.failure !== undefined) {
        const bytes = Buffer.from(this.w.buf.subarray(it.start, it.end));
        const req = it.req!;
        const info: RequestInfo = { type: req.type, seq: ex.seq, index: it.index, bytes };
        const name = req.def?.typeNames?.get(req.type);
        if (name) info.typeName = name;
        it.error = this.sock.batchError(ex.failure, req, info);
      } else if (ex.lost !== undefined && k === to - 1) {
        throw new Error(`batch answers were lost (${ex.lost}): the receive queue is too small for this batch`);
      }
    }
  }

  private settle(from: number, to: number, outcome: BatchOutcome): void {
    for (let k = from; k < to; k++) {
      const it = this.items[k]!;
      if (it.error) {
        outcome.errors.push(it.error);
        rejectHandled(it, it.error);
      } else {
        outcome.ok++;
        it.resolve(it.ex ? it.ex.replies : []);
      }
    }
  }
}
