import { NlkitInputError } from "../../netlink/errors.js";
import { NETLINK_ROUTE } from "../../netlink/constants.js";
import { NetlinkSocket } from "../../netlink/socket.js";
import type { Transport } from "../../netlink/transport.js";
import type { AddrApi } from "../addr/verbs.js";
import type { RtnlContext } from "../context.js";
import type { LinkApi } from "../link/index.js";
import type { NeighApi } from "../neigh/verbs.js";
import type { RouteApi } from "../route/verbs.js";
import type { RuleApi } from "../rule/verbs.js";
import { RTNLGRP } from "../types.js";
import {
  decodeNotification, familyOf, MONITOR_OBJECTS, type Malformed, type MonitorAction, type MonitorEvent, type MonitorObject,
  type Notification, type ObjectData,
} from "./events.js";
import { EventNames } from "./naming.js";
import { routeEffects } from "./routes.js";
import { ReportedState, type Snapshot } from "./state.js";

/**
 * What `rt.monitor()` reports (objects, one family), whether it first lists what exists, and the
 * `AbortSignal` that ends the iteration.
 *
 * @example
 * ```ts
 * const opts: MonitorOptions = { objects: ["addr"], family: 6, listExisting: true, signal: AbortSignal.timeout(60_000) };
 * try {
 *   for await (const ev of rt.monitor(opts)) {
 *     if (ev.object === "addr") console.log(ev.action, ev.data.dev, ev.data.local, ev.data.flags);
 *   }
 * } catch (e) {
 *   if (!(e instanceof Error && e.name === "TimeoutError")) throw e;   // the signal's reason ended it
 * }
 * ```
 */
export interface MonitorOptions {
  /** What to report (default: all five). */
  objects?: readonly MonitorObject[];
  /** Only addresses, routes, neighbours and rules of this family. */
  family?: 4 | 6;
  /** Report what exists first, as "new" events, then the changes (with no gap between the two). */
  listExisting?: boolean;
  /** Ends the monitor: the pending next() rejects with the signal's reason, the socket is closed. */
  signal?: AbortSignal;
  /** SO_RCVBUF of the notification socket in bytes (default 1 MiB): what the kernel queues before an overrun. */
  receiveBufferSize?: number;
  /**
   * Read notifications from this transport (a ScriptedTransport in tests) instead of a socket of
   * the monitor's own; the monitor closes it. A handle over a transport otherwise shares its own,
   * and notifications that arrive while the handle waits for an answer are then taken by it.
   */
  transport?: Transport;
}

/** What a monitor needs of its handle: the verbs (dumps for resyncs), names, and a socket in its namespace. */
export interface MonitorSource {
  readonly ctx: RtnlContext;
  readonly link: LinkApi;
  readonly addr: AddrApi;
  readonly route: RouteApi;
  readonly neigh: NeighApi;
  readonly rule: RuleApi;
}

/**
 * Opens a notification socket joined to `groups` in the handle's namespace; undefined for a
 * handle over a given transport, whose notifications then arrive on that transport.
 */
export type NotificationOpener = ((groups: number[], receiveBufferSize: number) => NetlinkSocket) | undefined;

const DEFAULT_RECEIVE_BUFFER = 1 << 20;

const GROUPS: Record<MonitorObject, { 4: number[]; 6: number[] }> = {
  link: { 4: [RTNLGRP.link], 6: [RTNLGRP.link] },
  addr: { 4: [RTNLGRP.ipv4Ifaddr], 6: [RTNLGRP.ipv6Ifaddr] },
  route: { 4: [RTNLGRP.ipv4Route], 6: [RTNLGRP.ipv6Route] },
  neigh: { 4: [RTNLGRP.neigh], 6: [RTNLGRP.neigh] },
  rule: { 4: [RTNLGRP.ipv4Rule], 6: [RTNLGRP.ipv6Rule] },
};

/** What a batch leaves to dump again. */
const NONE = 0, ROUTES = 1, ALL = 2;
type Resync = typeof NONE | typeof ROUTES | typeof ALL;

/** Why the internal waits end when the monitor is closed (never seen by callers). */
const CLOSED = Symbol("closed");

function checkOptions(opts: unknown): MonitorOptions {
  if (opts === null || typeof opts !== "object") throw new NlkitInputError("monitor options must be an object", "options");
  const o = opts as MonitorOptions;
  if (o.objects !== undefined) {
    if (!Array.isArray(o.objects) || o.objects.length === 0) throw new NlkitInputError("objects must be a non-empty array", "objects");
    for (const x of o.objects) {
      if (!MONITOR_OBJECTS.includes(x)) throw new NlkitInputError(`unknown object "${String(x)}" (link, addr, route, neigh, rule)`, "objects");
    }
  }
  if (o.family !== undefined && o.family !== 4 && o.family !== 6) throw new NlkitInputError(`invalid family ${String(o.family)} (4 or 6)`, "family");
  if (o.listExisting !== undefined && typeof o.listExisting !== "boolean") throw new NlkitInputError("listExisting must be a boolean", "listExisting");
  const rb = o.receiveBufferSize;
  if (rb !== undefined && (!Number.isInteger(rb) || rb <= 0)) throw new NlkitInputError("receiveBufferSize must be a positive integer", "receiveBufferSize");
  return o;
}

/**
 * Typed rtnetlink events as an async iterator, made by `rt.monitor()`.
 *
 * It joins the multicast groups first and then dumps what it watches, so that nothing changes
 * unseen in between. It keeps what it last reported of every object, by key: when the kernel
 * drops notifications (ENOBUFS: the consumer fell behind), or sends one that cannot be read, or
 * one that alone cannot tell the new state (see routes.ts), it dumps again and reports the
 * differences as events with `resynced: true`, then goes on. Nothing is lost without an event
 * saying so.
 *
 * The socket is read only when the consumer asks for the next event: a consumer that falls
 * behind makes the kernel's queue overflow (and the monitor resync), never this process's
 * memory grow. Links are always followed, reported or not: they name the devices of the rest.
 *
 * @example
 * ```ts
 * const mon = rt.monitor({ objects: ["route"], family: 4 });
 * for await (const ev of mon) {   // ip -4 monitor route
 *   if (ev.object !== "route") continue;
 *   console.log(ev.action, ev.data.dst, ev.data.dev ?? "", ev.resynced ? "(found by a resync)" : "");
 *   if (mon.overruns > 10) break;   // break closes the monitor and its socket
 * }
 * ```
 */
export class RtnlMonitor implements AsyncIterableIterator<MonitorEvent> {
  private readonly socket: NetlinkSocket;
  private readonly ownsSocket: boolean;
  private readonly objects: ReadonlySet<MonitorObject>;
  private readonly family: 4 | 6 | undefined;
  private readonly state = new ReportedState();
  private readonly names: EventNames;
  private readonly queue: MonitorEvent[] = [];
  private readonly stop = new AbortController();
  private readonly groups: number[];
  private readonly ready: Promise<void>;
  private readonly userSignal: AbortSignal | undefined;
  private readonly onAbort = (): void => this.fail(this.userSignal!.reason);
  /** The next drain follows a dump: notifications the dump already reflects are dropped. */
  private quiet = false;
  private failure: { error: unknown } | undefined;
  private isClosed = false;
  /** next() calls, one after the other. */
  private turn: Promise<unknown> = Promise.resolve();
  private overrunCount = 0;

  constructor(private readonly src: MonitorSource, open: NotificationOpener, options: MonitorOptions = {}, private readonly onClose?: () => void) {
    const opts = checkOptions(options);
    this.objects = new Set(opts.objects ?? MONITOR_OBJECTS);
    this.family = opts.family;
    this.names = new EventNames(src.ctx.names);
    const groups = new Set<number>();
    for (const o of ["link", ...this.objects] as MonitorObject[]) {
      for (const f of this.family ? [this.family] : ([4, 6] as const)) for (const g of GROUPS[o][f]) groups.add(g);
    }
    this.groups = [...groups];
    this.userSignal = opts.signal;
    if (opts.transport) {
      this.socket = new NetlinkSocket(opts.transport, { protocol: NETLINK_ROUTE });
      this.ownsSocket = true;
      for (const g of this.groups) this.socket.joinGroup(g);
    } else if (open) {
      this.socket = open(this.groups, opts.receiveBufferSize ?? DEFAULT_RECEIVE_BUFFER);
      this.ownsSocket = true;
    } else {
      this.socket = src.ctx.socket;
      this.ownsSocket = false;
      for (const g of this.groups) this.socket.joinGroup(g);
    }
    this.ready = this.start(opts.listExisting === true).catch((e: unknown) => this.fail(e));
    if (opts.signal?.aborted) this.fail(opts.signal.reason);
    else opts.signal?.addEventListener("abort", this.onAbort, { once: true });
  }

  /** How many times the kernel dropped notifications (each followed by a resync). */
  get overruns(): number {
    return this.overrunCount;
  }

  /** Whether the monitor ended (closed, aborted or failed). */
  get closed(): boolean {
    return this.isClosed;
  }

  /** The next event; done once the monitor is closed. Rejects once with what ended it otherwise. */
  next(): Promise<IteratorResult<MonitorEvent, undefined>> {
    const p = this.turn.then(() => this.pull());
    this.turn = p.catch(() => undefined);
    return p;
  }

  /** Ends the monitor and closes its sockets; what `break` out of `for await` calls. */
  async return(): Promise<IteratorResult<MonitorEvent, undefined>> {
    await this.close();
    return { value: undefined, done: true };
  }

  /** The monitor is its own iterator: `for await (const ev of rt.monitor())`. */
  [Symbol.asyncIterator](): this {
    return this;
  }

  /**
   * Ends the monitor: a pending next() resolves done, the socket is closed (once). Resolves when
   * nothing of the monitor runs any more.
   */
  close(): Promise<void> {
    if (!this.isClosed) {
      this.isClosed = true;
      this.queue.length = 0;
      this.userSignal?.removeEventListener("abort", this.onAbort);
      this.stop.abort(CLOSED);
      if (this.ownsSocket) this.socket.close();
      else if (!this.socket.isClosed) for (const g of this.groups) this.socket.leaveGroup(g);
      this.onClose?.();
    }
    return this.turn.then(() => undefined);
  }

  /** `close()`, for `await using mon = rt.monitor()`: resolves when the monitor has stopped. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private fail(error: unknown): void {
    if (this.isClosed) return;
    this.failure = { error };
    void this.close();
  }

  private async pull(): Promise<IteratorResult<MonitorEvent, undefined>> {
    await this.ready;
    for (;;) {
      if (this.queue.length) return { value: this.queue.shift()!, done: false };
      if (this.failure) {
        const { error } = this.failure;
        this.failure = undefined;
        throw error;
      }
      if (this.isClosed) return { value: undefined, done: true };
      try {
        await this.fill();
      } catch (e) {
        if (!this.isClosed) this.fail(e);
      }
    }
  }

  /** Reads what the kernel queued and turns it into events; waits for the socket when nothing was. */
  private async fill(): Promise<void> {
    if (this.socket.isClosed) throw new Error("netlink socket is closed");
    const batch: Array<Notification | Malformed | undefined> = [];
    const overrun = this.socket.readAvailable(decodeNotification, batch);
    const quiet = this.quiet;
    this.quiet = false;
    const resync = await this.process(batch, quiet);
    if (overrun) this.overrunCount++;
    if (overrun || resync === ALL) return this.resync(MONITOR_OBJECTS);
    if (resync === ROUTES) return this.resync(["route"]);
    if (batch.length === 0) await this.socket.transport.readable({ signal: this.stop.signal });
  }

  /** The first dump: the state later dumps are compared with, and with listExisting the first events. */
  private async start(listExisting: boolean): Promise<void> {
    const snap = await this.snapshot(MONITOR_OBJECTS);
    this.names.reset(snap.link!);
    const changes = this.state.replace(snap);
    if (!listExisting) return;
    for (const c of changes) if (this.objects.has(c.object)) this.queue.push({ ...c, resynced: false } as MonitorEvent);
    this.quiet = true;
  }

  private async resync(kinds: readonly MonitorObject[]): Promise<void> {
    const snap = await this.snapshot(kinds);
    if (snap.link) this.names.reset(snap.link);
    for (const c of this.state.replace(snap)) {
      if (this.objects.has(c.object)) this.queue.push({ ...c, resynced: true } as MonitorEvent);
    }
    this.quiet = true;
  }

  /**
   * What the kernel has now of the watched objects among `kinds` (links whenever asked: they
   * name the rest), through the handle's own verbs.
   */
  private async snapshot(kinds: readonly MonitorObject[]): Promise<Snapshot> {
    const opts = { signal: this.stop.signal };
    const fam = this.family !== undefined ? { family: this.family } : {};
    const { link, addr, route, neigh, rule } = this.src;
    const want = (o: MonitorObject) => kinds.includes(o) && this.objects.has(o);
    const snap: Snapshot = {};
    if (kinds.includes("link")) snap.link = await link.list({}, opts);
    if (want("addr")) snap.addr = await addr.list(fam, opts);
    if (want("route")) snap.route = (await route.list({ ...fam, table: "all" }, opts)).filter((r) => !r.cached);
    // proxy entries are a dump of their own, but their notifications come on the same group
    if (want("neigh")) snap.neigh = [...await neigh.list(fam, opts), ...await neigh.list({ ...fam, proxy: true }, opts)];
    if (want("rule")) snap.rule = await rule.list(fam, opts);
    return snap;
  }

  /** Names, filters and applies a batch; says what to dump again when the notifications alone cannot tell the state. */
  private async process(batch: ReadonlyArray<Notification | Malformed | undefined>, quiet: boolean): Promise<Resync> {
    let resync: Resync = NONE;
    const list: Notification[] = [];
    for (const n of batch) {
      if (n === undefined) continue;
      if ("malformed" in n) resync = ALL;
      else if (n.object === "link" || (this.objects.has(n.object) && this.wants(familyOf(n)))) list.push(n);
    }
    if (list.length === 0) return resync;
    await this.names.name(list, { signal: this.stop.signal });
    const routes = this.objects.has("route");
    for (const n of list) {
      if (routes) {
        const { gone, resync: again } = routeEffects(this.state, n, this.family);
        for (const r of gone) this.emit("route", "del", r, true);
        if (again && resync === NONE) resync = ROUTES;
      }
      if (quiet && this.state.isNoop(n.object, n.action, n.data)) continue;
      this.emit(n.object, n.action, n.data, false);
    }
    return resync;
  }

  /** IP families only: bridge fdb entries come on the neighbour group too, but are no neighbours. */
  private wants(family: unknown): boolean {
    return this.family === undefined ? family === 4 || family === 6 : family === this.family;
  }

  private emit<O extends MonitorObject>(object: O, action: MonitorAction, data: ObjectData[O], resynced: boolean): void {
    this.state.apply(object, action, data);
    if (this.objects.has(object)) this.queue.push({ object, action, data, resynced } as MonitorEvent);
  }
}
