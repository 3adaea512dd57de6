import { decodeParts } from "../netlink/compiled.js";
import { NETLINK_NETFILTER, NLM_F_CREATE } from "../netlink/constants.js";
import type { Decoder } from "../netlink/decoder.js";
import { NetlinkError, NlkitInputError } from "../netlink/errors.js";
import { readHeader } from "../netlink/message.js";
import { NFNETLINK_V0, NFNETLINK_V1 } from "../netlink/nfnetlink.js";
import { NetlinkSocket, openSocket, tableRequest, type CallOptions, type OpenOptions, type Request } from "../netlink/socket.js";
import {
  decodeFlow, exactFlow, flowMatcher, flowOf, kernelFilter, matchFlow,
  type ExactFlow, type Flow, type FlowFamily, type FlowFilter, type FlowMatcher, type FlowSpec,
} from "./flow.js";
import { AF_INET, AF_INET6, CT_DELETE, CT_GET, CT_GET_STATS, CT_NEW, ctMessage, NFNLGRP, statsMessage } from "./table.js";

/**
 * Where `Conntrack.open()` makes its socket (the namespace options every family takes).
 *
 * @example
 * ```ts
 * // conntrack -C, in ns1 (by name; netnsPath, netnsFd and netnsPid work too)
 * const opts: ConntrackOptions = { netns: "ns1", timeoutMs: 5000 };
 * const ct = await Conntrack.open(opts);
 * console.log(await ct.count());   // 42
 * ct.close();
 * ```
 */
export type ConntrackOptions = OpenOptions;

/**
 * The conntrack events one can follow: a flow began, changed, or ended.
 *
 * @example
 * ```ts
 * // conntrack -E -e DESTROY: only flows that end
 * const kinds: ConntrackEventKind[] = ["destroy"];
 * for await (const ev of ct.events({ kinds, signal: AbortSignal.timeout(60_000) })) {
 *   if (ev.kind === "destroy") console.log(`gone: ${ev.flow.proto} ${ev.flow.orig.src} -> ${ev.flow.orig.dst}`);
 * }
 * ```
 */
export type EventKind = "new" | "update" | "destroy";

/**
 * A flow event, or word that the kernel dropped some (ENOBUFS): list() again to resynchronise.
 * `portid` names the netlink socket whose request caused the event (a delete, say); it is absent
 * for the kernel's own (traffic, timeouts).
 *
 * @example
 * ```ts
 * // conntrack -E for ten seconds
 * const line = (ev: ConntrackEvent): string =>
 *   ev.kind === "overrun" ? "events were dropped: list() again" : `${ev.kind} ${ev.flow.proto} ${ev.flow.orig.src} -> ${ev.flow.orig.dst}`;
 * for await (const ev of ct.events({ signal: AbortSignal.timeout(10_000) })) console.log(line(ev));   // "new tcp 10.0.0.2 -> 10.0.0.1"
 * ```
 */
export type ConntrackEvent =
  | {
    /** "new" (the flow's first event), "update" (its state, status, mark or helper changed) or "destroy" (it ended: expired, closed or deleted). */
    kind: EventKind;
    /** The flow as the event carries it, thinner than a dump's: only a destroy carries counters (with accounting on), and it has no timeout. */
    flow: Flow;
    /** The netlink port id of the socket whose request caused the event; absent for the kernel's own. */
    portid?: number;
  }
  | {
    /** The kernel dropped events (ENOBUFS: the socket's receive buffer was full); list() again to resynchronise. */
    kind: "overrun";
  };

/**
 * What `ct.events()` reports (kinds, a flow filter), its socket's receive buffer, and the
 * `AbortSignal` that ends the iteration.
 *
 * @example
 * ```ts
 * // each new SSH connection's client, for a minute; the filter is applied here, the kernel sends every event
 * const opts: ConntrackEventsOptions = {
 *   kinds: ["new"], filter: { family: 4, proto: "tcp", orig: { dport: 22 } }, receiveBufferSize: 4 << 20, signal: AbortSignal.timeout(60_000),
 * };
 * for await (const ev of ct.events(opts)) if (ev.kind === "new") console.log(ev.flow.orig.src);   // "10.0.0.2"
 * ```
 */
export interface EventsOptions {
  /** Default all three; each is one multicast group joined. */
  kinds?: EventKind[];
  /** Events of the flows this filter matches (applied here: the kernel filters no events). */
  filter?: FlowFilter;
  /** Ends the iteration (the socket is closed at once). */
  signal?: AbortSignal;
  /** SO_RCVBUF(FORCE) of the event socket (default 1 MiB): a small one overruns under load. */
  receiveBufferSize?: number;
}

const GROUPS: Record<EventKind, number> = {
  new: NFNLGRP.NFNLGRP_CONNTRACK_NEW, update: NFNLGRP.NFNLGRP_CONNTRACK_UPDATE, destroy: NFNLGRP.NFNLGRP_CONNTRACK_DESTROY,
};

const header = (family: number, version = NFNETLINK_V0) => ({ family, version, resId: 0 });

/** A lookup or delete of one flow: its tuple, then the zone it lives in and (deletes) its id. */
function tupleRequest(type: number, e: ExactFlow, withId: boolean): Request {
  const attrs: Record<string, unknown> = { [e.dir]: e.tuple };
  if (e.zone !== undefined) attrs.zone = e.zone;
  if (withId && e.id !== undefined) attrs.id = e.id;
  return tableRequest(ctMessage, type, 0, header(e.family), attrs);
}

const decodeEvent: Decoder<ConntrackEvent | undefined> = (buf, start, len) => {
  const flow = flowOf(buf, start, len);
  if (!flow) return undefined;
  const h = readHeader(buf, start);
  // the kernel marks the first message of a flow NLM_F_CREATE|NLM_F_EXCL; later ones carry neither
  const kind: EventKind = h.type === CT_DELETE ? "destroy" : h.type === CT_NEW && h.flags & NLM_F_CREATE ? "new" : "update";
  // a change a socket asked for is sent with its port id; the kernel's own carry 0
  return h.pid ? { kind, flow, portid: h.pid } : { kind, flow };
};

const decodeEntries: Decoder<number | undefined> = (buf, start, len) => {
  const m = decodeParts(buf, start, len, statsMessage);
  return m.type === CT_GET_STATS ? (m.attrs.entries as number | undefined) : undefined;
};

/**
 * The connection tracking table of one network namespace over ctnetlink (what `conntrack
 * -L/-G/-D/-F/-E` do): list, get, delete and flush flows by filter, count them, and follow events as
 * an async iterator that ends on its `AbortSignal`. A flow in a zone is found and deleted with its
 * zone; 64-bit counters are numbers while exact.
 *
 * @example
 * ```ts
 * import { Conntrack } from "nlkit";
 * const ct = await Conntrack.open({ netns: "host" });
 * const flows = await ct.list({ family: 4, proto: "udp", orig: { src: "10.0.0.2" } });
 * await ct.delete({ orig: { src: "10.0.0.0/24" } });   // how many went
 * ct.close();
 * ```
 */
export class Conntrack {
  private readonly streams = new Set<FlowEvents>();

  /** Opens a handle in the namespace `opts` names (default the current one), or over `opts.transport`. */
  static async open(opts: ConntrackOptions = {}): Promise<Conntrack> {
    return Conntrack.openSync(opts);
  }

  /** `open()` without the promise. */
  static openSync(opts: ConntrackOptions = {}): Conntrack {
    return new Conntrack(openSocket(NETLINK_NETFILTER, opts), opts);
  }

  private constructor(
    /** The ctnetlink (NETLINK_NETFILTER) socket list, get, delete, flush and count send through, for requests nlkit has no verb for; events() opens its own. */
    readonly socket: NetlinkSocket,
    private readonly opts: ConntrackOptions,
  ) {}

  /**
   * `conntrack -L`: the flows the filter matches. The kernel filters by family, zone, mark,
   * status and, for a family, by protocol, IPv4 addresses and TCP/UDP ports (CTA_FILTER); every
   * flow it sends is tested here against the whole filter too, so the result is the same on
   * kernels that know fewer of these filters.
   */
  async list(filter?: FlowFilter, opts?: CallOptions): Promise<Flow[]> {
    const m = flowMatcher(filter);
    const k = kernelFilter(m);
    const rows = await this.socket.dump(tableRequest(ctMessage, CT_GET, 0, header(k.family), k.attrs), decodeFlow, opts);
    return rows.filter((f): f is Flow => f !== undefined && matchFlow(f, m));
  }

  /**
   * `conntrack -G`: the flow with this tuple (orig, or reply to look it up by its reply tuple)
   * in `zone` (default 0), or NetlinkError ENOENT.
   */
  async get(spec: FlowSpec, opts?: CallOptions): Promise<Flow> {
    const e = exactFlow(spec, true)!;
    const rows = await this.socket.request(tupleRequest(CT_GET, e, false), decodeFlow, opts);
    const flow = rows.find((f): f is Flow => f !== undefined);
    if (!flow) throw new NetlinkError(2, { message: "the kernel answered the lookup with no flow" });
    return flow;
  }

  /**
   * `conntrack -D`. A whole tuple (a Flow from list(), or what get() takes) deletes that one flow
   * in its zone, and, with an id, only while it is still that flow: 1, or NetlinkError ENOENT
   * when it is gone. Anything less is a filter: the flows it matches are listed and deleted
   * (each by tuple, zone and id, in one batch); resolves with how many went.
   */
  async delete(flowOrFilter: Flow | FlowSpec | FlowFilter, opts?: CallOptions): Promise<number> {
    const e = exactFlow(flowOrFilter, false);
    if (e) {
      await this.socket.request(tupleRequest(CT_DELETE, e, true), undefined, opts);
      return 1;
    }
    const flows = await this.list(flowOrFilter as FlowFilter, opts);
    if (flows.length === 0) return 0;
    const batch = this.socket.batch();
    for (const f of flows) batch.add(tupleRequest(CT_DELETE, exactFlow(f, true)!, true));
    const out = await batch.send(opts);
    // a flow that ended between the dump and its delete is gone as asked
    const failed = out.errors.find((err) => err.code !== "ENOENT") ?? out.refused[0]?.error;
    if (failed) throw failed;
    return out.ok;
  }

  /**
   * `conntrack -F`: empties the table, or with `family` only that family's flows. The family is
   * sent in a version-1 nfgenmsg: the kernel ignores it in a version-0 one (conntrack's `-F -f
   * ipv4` empties every family). To remove flows by anything else, delete(filter).
   */
  async flush(filter: { family?: FlowFamily } = {}, opts?: CallOptions): Promise<void> {
    if (filter === null || typeof filter !== "object") throw new NlkitInputError("flush takes { family }", "filter");
    for (const k of Object.keys(filter)) {
      if (k !== "family") throw new NlkitInputError(`flush takes only a family; delete(filter) removes the flows a filter matches ("${k}")`, k);
    }
    const f = filter.family;
    if (f !== undefined && f !== 4 && f !== 6) throw new NlkitInputError(`family must be 4 or 6, not ${JSON.stringify(f)}`, "family");
    const family = f === 4 ? AF_INET : f === 6 ? AF_INET6 : 0;
    await this.socket.request(tableRequest(ctMessage, CT_DELETE, 0, header(family, NFNETLINK_V1)), undefined, opts);
  }

  /** `conntrack -C`: how many flows the table holds (IPCTNL_MSG_CT_GET_STATS). */
  async count(opts?: CallOptions): Promise<number> {
    const rows = await this.socket.request(tableRequest(statsMessage, CT_GET_STATS, 0, header(0)), decodeEntries, opts);
    const n = rows.find((r) => r !== undefined);
    if (n === undefined) throw new NetlinkError(61, { message: "the kernel's statistics carry no CTA_STATS_GLOBAL_ENTRIES" });
    return n;
  }

  /**
   * `conntrack -E`: flow events as they happen, on a socket of its own joined to the ctnetlink
   * groups of `kinds`. It is open (and collecting) once this returns; the iteration ends on
   * close(), on the signal, or on break, and the socket is closed then.
   */
  events(opts: EventsOptions = {}): AsyncIterableIterator<ConntrackEvent> {
    const kinds = new Set<EventKind>(opts.kinds ?? ["new", "update", "destroy"]);
    for (const k of kinds) if (!(k in GROUPS)) throw new NlkitInputError(`unknown event kind "${String(k)}" (new, update, destroy)`, "kinds");
    const matcher = flowMatcher(opts.filter);
    const shared = this.opts.transport !== undefined;
    const sock = shared
      ? new NetlinkSocket(this.opts.transport!, { protocol: NETLINK_NETFILTER })
      : openSocket(NETLINK_NETFILTER, { ...this.opts, receiveBufferSize: opts.receiveBufferSize ?? 1 << 20 }, {
        groups: [...kinds].map((k) => GROUPS[k]),
      });
    const stream = new FlowEvents(sock, !shared, kinds, matcher, (s) => this.streams.delete(s), opts.signal);
    if (!stream.ended) this.streams.add(stream);
    return stream;
  }

  /** Closes the handle and ends every event iteration it started. */
  close(): void {
    for (const s of [...this.streams]) s.end();
    this.socket.close();
  }
}

/** One events() iteration: what the socket holds is read when the poller says it is readable. */
class FlowEvents implements AsyncIterableIterator<ConntrackEvent> {
  private readonly queue: ConntrackEvent[] = [];
  private readonly stop = new AbortController();
  private readonly onAbort = (): void => this.end();
  ended = false;

  constructor(
    private readonly sock: NetlinkSocket,
    private readonly owned: boolean,
    private readonly kinds: ReadonlySet<EventKind>,
    private readonly matcher: FlowMatcher,
    private readonly onEnd: (s: FlowEvents) => void,
    private readonly signal: AbortSignal | undefined,
  ) {
    if (signal?.aborted) this.end();
    else signal?.addEventListener("abort", this.onAbort, { once: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ConntrackEvent> {
    return this;
  }

  async next(): Promise<IteratorResult<ConntrackEvent, undefined>> {
    for (;;) {
      if (this.ended) return { value: undefined, done: true };
      const ev = this.queue.shift();
      if (ev) return { value: ev, done: false };
      this.read();
      if (this.queue.length || this.ended) continue;
      try {
        await this.sock.transport.readable({ signal: this.stop.signal });
      } catch (e) {
        if (this.ended) continue;
        this.end();
        throw e;
      }
    }
  }

  async return(): Promise<IteratorResult<ConntrackEvent, undefined>> {
    this.end();
    return { value: undefined, done: true };
  }

  private read(): void {
    const batch: Array<ConntrackEvent | undefined> = [];
    let overrun: boolean;
    try {
      overrun = this.sock.readAvailable(decodeEvent, batch);
    } catch (e) {
      this.end();
      throw e;
    }
    for (const ev of batch) {
      if (ev && ev.kind !== "overrun" && this.kinds.has(ev.kind) && matchFlow(ev.flow, this.matcher)) this.queue.push(ev);
    }
    if (overrun) this.queue.push({ kind: "overrun" });
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue.length = 0;
    this.signal?.removeEventListener("abort", this.onAbort);
    // wakes a next() waiting for the socket before its fd goes
    this.stop.abort();
    if (this.owned) this.sock.close();
    this.onEnd(this);
  }
}
