import { NetlinkSocket, type Decoder, type SocketOptions } from "./socket.js";
import { poller } from "./poller.js";

/**
 * The kernel dropped notifications (ENOBUFS), or one was larger than the receive buffer and was lost:
 * resynchronise, e.g. by dumping again.
 *
 * @example
 * ```ts
 * const mon = NetlinkMonitor.open({ protocol: constants.NETLINK_ROUTE, groups: [RTNLGRP.link] }, (buf, start) => buf.readUInt16LE(start + 4));
 * let links = await rt.link.list();
 * for await (const ev of mon) {
 *   if (ev instanceof MonitorOverrun) links = await rt.link.list();   // events were lost: list again
 *   else console.log(ev === 16 ? "RTM_NEWLINK" : "RTM_DELLINK", links.length);
 * }
 * ```
 */
export class MonitorOverrun {
  /** Always true: tells an overrun from a decoded event without instanceof. */
  readonly overrun = true;
}

/**
 * Multicast notifications as an async iterator: `for await (const ev of monitor) ...`.
 * Events are decoded on the main thread as soon as the shared poll loop says the socket is readable.
 *
 * @example
 * ```ts
 * // the ifindex of each link notification (ifinfomsg.ifi_index), as ip monitor link sees them
 * const mon = NetlinkMonitor.open({ protocol: constants.NETLINK_ROUTE, groups: [RTNLGRP.link] }, (buf, start) => buf.readInt32LE(start + 20));
 * const ev = await mon.next();   // a number, a MonitorOverrun, or undefined once closed
 * await mon.close();
 * ```
 */
export class NetlinkMonitor<T> implements AsyncIterable<T | MonitorOverrun> {
  private readonly queue: Array<T | MonitorOverrun> = [];
  private waiting: { resolve: (v: IteratorResult<T | MonitorOverrun>) => void; reject: (e: unknown) => void } | undefined;
  private failed: unknown;
  private closed = false;

  /**
   * Opens a socket joined to `groups` and decodes each notification with `decode`; iterate it with
   * `for await`.
   */
  static open<T>(opts: SocketOptions & { groups: number[] }, decode: Decoder<T>): NetlinkMonitor<T> {
    return new NetlinkMonitor(NetlinkSocket.open(opts), decode);
  }

  constructor(
    /** The multicast socket read from (closed by close()); groups can be joined or left on it. */
    readonly socket: NetlinkSocket,
    private readonly decode: Decoder<T>,
  ) {
    poller.watch(socket.fd, () => this.onReadable(), (e) => this.fail(e));
  }

  private onReadable(): void {
    const batch: T[] = [];
    try {
      const overrun = this.socket.readAvailable(this.decode, batch);
      for (const ev of batch) this.push(ev);
      if (overrun) this.push(new MonitorOverrun());
    } catch (e) {
      this.fail(e);
    }
  }

  private fail(e: unknown): void {
    this.failed = e;
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(e);
  }

  private push(ev: T | MonitorOverrun): void {
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w.resolve({ value: ev, done: false });
    } else {
      this.queue.push(ev);
    }
  }

  private wakeWaiter(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.resolve({ value: undefined, done: true });
  }

  /** The next event, or undefined once closed. */
  async next(): Promise<T | MonitorOverrun | undefined> {
    const r = await this.nextResult();
    return r.done ? undefined : r.value;
  }

  private nextResult(): Promise<IteratorResult<T | MonitorOverrun>> {
    if (this.queue.length) return Promise.resolve({ value: this.queue.shift()!, done: false });
    if (this.failed) return Promise.reject(this.failed);
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => { this.waiting = { resolve, reject }; });
  }

  /**
   * Yields each decoded notification, or a `MonitorOverrun` when the kernel dropped some (dump again
   * to resynchronise).
   */
  [Symbol.asyncIterator](): AsyncIterator<T | MonitorOverrun> {
    return {
      next: () => this.nextResult(),
      return: async () => {
        await this.close();
        return { value: undefined, done: true };
      },
    };
  }

  /** Closes the socket and ends the iteration. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await poller.unwatch(this.socket.fd);
    this.socket.close();
    this.wakeWaiter();
  }
}
