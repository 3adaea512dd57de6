import { abortReason } from "../netlink/errors.js";
import type { Decoder } from "../netlink/decoder.js";
import { MonitorOverrun } from "../netlink/monitor.js";
import type { CallOptions, NetlinkSocket } from "../netlink/socket.js";
import type { Transport } from "../netlink/transport.js";
import type { GenlMessage } from "./verbs.js";

/**
 * How a generic netlink monitor listens: its receive buffer and a `transport` for tests. `signal`
 * and `timeoutMs` bound only the family lookup that joining starts (they reject `ready`); they do
 * not end the monitor: pass a signal to `next()`, or `close()` it (`break` in a `for await` does).
 *
 * @example
 * ```ts
 * const opts: GenlMonitorOptions = { receiveBufferSize: 4 << 20, timeoutMs: 5000 };
 * const mon = genl.monitor("ethtool", "monitor", opts);   // ethtool --monitor
 * await mon.ready;
 * const m = await mon.next({ signal: AbortSignal.timeout(10_000) });   // rejects with TimeoutError when quiet
 * mon.close();
 * void m;
 * ```
 */
export interface GenlMonitorOptions extends CallOptions {
  /** SO_RCVBUF(FORCE) of the monitor's own socket, for bursts of notifications. */
  receiveBufferSize?: number;
  /** Read notifications from this transport (a ScriptedTransport in tests) instead of a new kernel socket. */
  transport?: Transport;
}

/** What opening a monitor yields: a socket that has joined the group, and how to read its messages. */
export interface JoinedGroup {
  socket: NetlinkSocket;
  /** False when the socket shares the handle's transport, which is then left open. */
  owned: boolean;
  group: number;
  decode: Decoder<GenlMessage | undefined>;
}

/**
 * Notifications of one generic netlink multicast group, as an async iterator. A MonitorOverrun
 * item says the kernel dropped notifications (ENOBUFS): what was missed must be read again.
 * The socket is read only while someone waits for the next item, through the transport's own
 * readiness wait, so a scripted transport works as well as the kernel.

 *
 * @example
 * ```ts
 * const mon = et.monitor();                        // ethtool --monitor
 * await mon.ready;                                 // joined: changes from now on are seen
 * await et.setFeatures("veth1", { gro: true });    // ethtool -K veth1 gro on
 * const m = await mon.next({ signal: AbortSignal.timeout(5000) });
 * if (m && !(m instanceof MonitorOverrun)) console.log(m.name);   // "ETHTOOL_MSG_FEATURES_NTF"
 * mon.close();
 * ```
 */
export class GenlMonitor implements AsyncIterable<GenlMessage | MonitorOverrun> {
  /** Resolves once the group is joined; rejects when the family or the group is unknown. */
  readonly ready: Promise<void>;
  private joined: JoinedGroup | undefined;
  private readonly queue: Array<GenlMessage | MonitorOverrun> = [];
  private readonly stop = new AbortController();
  private closed = false;

  constructor(join: () => Promise<JoinedGroup>) {
    this.ready = join().then((j) => {
      if (this.closed) this.release(j);
      else this.joined = j;
    });
    // a caller who only iterates hears of a failure from next()
    this.ready.catch(() => {});
  }

  /** The next notification, or undefined once closed. */
  async next(opts?: { signal?: AbortSignal }): Promise<GenlMessage | MonitorOverrun | undefined> {
    await this.ready;
    const signal = opts?.signal ? AbortSignal.any([opts.signal, this.stop.signal]) : this.stop.signal;
    for (;;) {
      const queued = this.queue.shift();
      if (queued !== undefined) return queued;
      if (this.closed || !this.joined) return undefined;
      const batch: Array<GenlMessage | undefined> = [];
      const overrun = this.joined.socket.readAvailable(this.joined.decode, batch);
      for (const m of batch) if (m !== undefined) this.queue.push(m);
      if (overrun) this.queue.push(new MonitorOverrun());
      if (this.queue.length) continue;
      try {
        await this.joined.socket.transport.readable({ signal });
      } catch (e) {
        if (this.closed) return undefined;
        if (opts?.signal?.aborted) throw abortReason(opts.signal);
        throw e;
      }
    }
  }

  /** Yields the family's decoded notifications until closed or aborted. */
  [Symbol.asyncIterator](): AsyncIterator<GenlMessage | MonitorOverrun> {
    return {
      next: async () => {
        const v = await this.next();
        return v === undefined ? { value: undefined, done: true } : { value: v, done: false };
      },
      return: async () => {
        this.close();
        return { value: undefined, done: true };
      },
    };
  }

  /** Leaves the group and closes the monitor's socket; a pending next() resolves with undefined. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stop.abort();
    if (this.joined) this.release(this.joined);
    this.joined = undefined;
  }

  private release(j: JoinedGroup): void {
    if (j.owned) {
      j.socket.close();
      return;
    }
    try {
      j.socket.leaveGroup(j.group);
    } catch {
      // the shared transport may be closed already
    }
  }
}
