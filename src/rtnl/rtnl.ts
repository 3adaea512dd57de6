import { NETLINK_ROUTE } from "../netlink/constants.js";
import { netnsRefPath, type NetnsRef } from "../netlink/netns-ref.js";
import { NetlinkSocket, type Batch, type BatchOutcome, type CallOptions } from "../netlink/socket.js";
import type { Transport } from "../netlink/transport.js";
import { AddrApi } from "./addr/verbs.js";
import { AddrlabelApi } from "./addrlabel/verbs.js";
import { batchExecutor, immediateExecutor, RtnlContext, type Executor } from "./context.js";
import { LinkApi } from "./link/index.js";
import { RtnlMonitor, type MonitorOptions, type NotificationOpener } from "./monitor/index.js";
import { LinkNames } from "./names.js";
import { NeighApi } from "./neigh/verbs.js";
import { NetconfApi } from "./netconf/verbs.js";
import { RouteApi } from "./route/verbs.js";
import { RuleApi } from "./rule/verbs.js";
import { TcApi } from "./tc/verbs.js";

const DEFAULT_RECEIVE_BUFFER = 1024 * 1024;

/**
 * Where `Rtnl.open()` creates its socket (`{ netns }`, `{ netnsPath }`, `{ netnsFd }`, `{ netnsPid }`,
 * or a `transport` for tests) how large its receive buffer is, and how long a call waits.
 *
 * @example
 * ```ts
 * const opts: RtnlOptions = { netns: "ns1", timeoutMs: 5000 };
 * const ns1 = await Rtnl.open(opts);
 * console.log((await ns1.link.list()).map((l) => l.name));   // [ "lo", "eth0" ]
 * ns1.close();
 * ```
 */
export interface RtnlOptions extends NetnsRef {
  /** SO_RCVBUF(FORCE) for the socket in bytes, default 1 MiB (it bounds how many requests a batch sends at once). */
  receiveBufferSize?: number;
  /** How long a call waits for a reply the kernel has not queued yet (default 30 s). */
  timeoutMs?: number;
  /**
   * Talk to this instead of a kernel socket: a ScriptedTransport answers from recorded exchanges,
   * so that code using nlkit can be tested without root. Namespace options are then ignored.
   */
  transport?: Transport;
}

/** The verbs of every rtnetlink object, bound to one way of executing them. */
class RtnlVerbs {
  /** `ip link`: create, change, list and delete network devices. */
  readonly link: LinkApi;
  /** `ip addr`: add, replace, list, delete and flush addresses. */
  readonly addr: AddrApi;
  /** `ip route`: add, replace, append, delete, list routes and ask the kernel's FIB (`get`). */
  readonly route: RouteApi;
  /** `ip neigh` and `bridge fdb`: neighbour and forwarding database entries. */
  readonly neigh: NeighApi;
  /** `ip rule`: policy routing rules. */
  readonly rule: RuleApi;
  /** `ip addrlabel`: IPv6 address labels for source address selection. */
  readonly addrlabel: AddrlabelApi;
  /** `ip netconf`: per-device forwarding, rp_filter and similar settings as the kernel reports them. */
  readonly netconf: NetconfApi;
  /** Traffic control: qdiscs, classes, filters and their actions. */
  readonly tc: TcApi;

  constructor(ctx: RtnlContext, exec: Executor) {
    this.link = new LinkApi(ctx, exec);
    this.addr = new AddrApi(ctx, exec);
    this.route = new RouteApi(ctx, exec);
    this.neigh = new NeighApi(ctx, exec);
    this.rule = new RuleApi(ctx, exec);
    this.addrlabel = new AddrlabelApi(ctx, exec);
    this.netconf = new NetconfApi(ctx, exec);
    this.tc = new TcApi(ctx, exec);
  }
}

/**
 * An rtnetlink handle bound to one network namespace: what `ip link`, `ip addr`, `ip route`,
 * `ip neigh`, `ip rule`, `ip addrlabel`, `ip netconf` and `tc` do, as typed verbs (`rt.link`,
 * `rt.addr`, ...), plus `batch()` and `monitor()`. It owns a socket created inside that namespace at `open`, so no call
 * ever switches namespaces; `close()` releases it. Devices are accepted by name or index. Kernel
 * refusals reject with `NetlinkError`, bad input with `NlkitInputError` before anything is sent; every
 * verb takes `{ signal, timeoutMs }`.
 *
 * @example
 * ```ts
 * import { Rtnl } from "nlkit";
 * const rt = await Rtnl.open();                    // or { netns: "ns1" } | { netnsPath } | { netnsFd } | { netnsPid }
 * await rt.link.add({ name: "veth1", kind: "veth", peer: { name: "veth2", netns: "ns2" } });
 * await rt.addr.add("veth1", "10.0.0.1/24");
 * await rt.link.set("veth1", { up: true });
 * await rt.route.add({ dst: "default", gateway: "10.0.0.2" });
 * rt.close();
 * ```
 */
export class Rtnl extends RtnlVerbs {
  /** The rtnetlink socket all verbs use, for requests nlkit has no verb for. */
  readonly socket: NetlinkSocket;
  /** @internal */
  readonly ctx: RtnlContext;

  /**
   * Opens a handle in the namespace `opts` names (default the current one), or over `opts.transport`;
   * a namespace that cannot be entered throws `SyscallError` (or `NlkitInputError` for a bad name).
   */
  static async open(opts: RtnlOptions = {}): Promise<Rtnl> {
    return Rtnl.openSync(opts);
  }

  /** `open()` without the promise: the socket is made synchronously either way. */
  static openSync(opts: RtnlOptions = {}): Rtnl {
    if (opts.transport) {
      const sock = new NetlinkSocket(opts.transport, { protocol: NETLINK_ROUTE, timeoutMs: opts.timeoutMs });
      return new Rtnl(sock, new LinkNames(sock), undefined);
    }
    const path = netnsRefPath(opts);
    const where = opts.netnsFd !== undefined ? { netnsFd: opts.netnsFd } : path ? { netnsPath: path } : {};
    const sock = NetlinkSocket.open({
      protocol: NETLINK_ROUTE,
      ...where,
      // Room for a batch chunk's worth of answers: a batch cuts its chunks so that every request
      // could fail without overflowing the receive queue, so a larger queue means fewer sendto calls.
      receiveBufferSize: opts.receiveBufferSize ?? DEFAULT_RECEIVE_BUFFER,
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    });
    // notification sockets (the link-name cache's, monitors') are made in the same namespace
    const openGroups = (groups: number[], receiveBufferSize?: number) =>
      NetlinkSocket.open({ protocol: NETLINK_ROUTE, ...where, groups, ...(receiveBufferSize ? { receiveBufferSize } : {}) });
    return new Rtnl(sock, new LinkNames(sock, openGroups), openGroups);
  }

  private readonly monitors = new Set<RtnlMonitor>();

  private constructor(socket: NetlinkSocket, names: LinkNames, private readonly openGroups: NotificationOpener) {
    const ctx = new RtnlContext(socket, names);
    super(ctx, immediateExecutor(socket));
    this.socket = socket;
    this.ctx = ctx;
  }

  /**
   * Typed events of this namespace's links, addresses, routes, neighbours and rules:
   * `for await (const ev of rt.monitor({ objects: ["route"] })) ...`; see RtnlMonitor. Over a
   * transport, notifications are what the transport delivers unasked (ScriptedTransport.inject).
   */
  monitor(opts?: MonitorOptions): RtnlMonitor {
    let mon: RtnlMonitor | undefined;
    mon = new RtnlMonitor(this, this.openGroups, opts, () => mon && this.monitors.delete(mon));
    if (!mon.closed) this.monitors.add(mon);
    return mon;
  }

  /**
   * Queues requests instead of sending them: `const b = rt.batch(); b.route.add(...); ...;
   * await b.send()`. Each verb's promise settles with its own outcome once the batch is sent.
   * Devices named by string are looked up before the batch is framed, so a device created in the
   * same batch must be referred to by the index given to link.add.
   */
  batch(): RtnlBatch {
    return new RtnlBatch(this.ctx, this.socket.batch());
  }

  /** Closes the socket and every monitor opened from this handle. */
  close(): void {
    for (const mon of this.monitors) void mon.close();
    this.ctx.names.close();
    this.socket.close();
  }

  /** `close()`, for `using rt = Rtnl.openSync()`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * The verbs of an `Rtnl` queued instead of sent (from `rt.batch()`): each verb's promise settles with
 * its own outcome once `send()` has delivered the batch in as few `sendto` calls as fit. Not atomic:
 * rtnetlink applies each request on its own.
 *
 * @example
 * ```ts
 * const b = rt.batch();
 * for (let i = 0; i < 1000; i++) b.route.add({ dst: `10.200.${i >> 8}.${i & 255}/32`, gateway: "10.0.0.2" });
 * const { ok, errors, refused } = await b.send();
 * ```
 */
export class RtnlBatch extends RtnlVerbs {
  constructor(ctx: RtnlContext, private readonly inner: Batch) {
    super(ctx, batchExecutor(inner));
  }

  /** How many requests are queued. */
  get size(): number {
    return this.inner.size;
  }

  /**
   * Sends the queued requests and resolves with what the kernel accepted and refused; each verb's own
   * promise settles as well.
   */
  send(opts?: CallOptions): Promise<BatchOutcome> {
    return this.inner.send(opts);
  }
}
