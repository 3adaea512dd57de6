import type { Action, ActionSpec } from "./action/index.js";
import type { BpfOptions } from "./filter/bpf.js";
import type { FlowerOptions } from "./filter/flower.js";
import type { MatchallOptions } from "./filter/matchall.js";
import type { U32Options } from "./filter/u32.js";
import type { Handle, Protocol } from "./handle.js";
import type { CakeOptions } from "./qdisc/cake.js";
import type { FifoOptions } from "./qdisc/fifo.js";
import type { FqOptions } from "./qdisc/fq.js";
import type { FqCodelOptions } from "./qdisc/fq_codel.js";
import type { HtbClassOptions, HtbOptions } from "./qdisc/htb.js";
import type { NetemOptions } from "./qdisc/netem.js";
import type { PrioOptions } from "./qdisc/prio.js";
import type { SfqOptions } from "./qdisc/sfq.js";
import type { TbfOptions } from "./qdisc/tbf.js";
import type { TcStats } from "./stats.js";

// The public shapes of rt.tc: specs take `kind: K` and that kind's options under `K`, in tc's
// words (camelCase); results are plain data (counters as numbers, handles as tc prints them).

export type { Action, ActionSpec, Handle, Protocol, TcStats };

/** Options of each qdisc kind, under the kind's name. */
export interface QdiscOptionsByKind {
  /** kind pfifo: its options. */
  pfifo?: FifoOptions;
  /** kind bfifo: its options. */
  bfifo?: FifoOptions;
  /** kind pfifo_head_drop: its options. */
  pfifo_head_drop?: FifoOptions;
  /** kind tbf: its options. */
  tbf?: TbfOptions;
  /** kind htb: its options. */
  htb?: HtbOptions;
  /** kind netem: its options. */
  netem?: NetemOptions;
  /** kind fq_codel: its options. */
  fq_codel?: FqCodelOptions;
  /** kind fq: its options. */
  fq?: FqOptions;
  /** kind sfq: its options. */
  sfq?: SfqOptions;
  /** kind prio: its options. */
  prio?: PrioOptions;
  /** kind cake: its options. */
  cake?: CakeOptions;
}

/**
 * A qdisc for `rt.tc.qdisc.add/replace/change/del` in tc's words: device, parent ("root", a class,
 * "ingress"), handle, kind and that kind's options under a property of the same name.
 *
 * @example
 * ```ts
 * await rt.tc.qdisc.add({ dev: "veth1", parent: "root", handle: "1:", kind: "htb", htb: { default: 0x10 } });
 * ```
 */
export interface QdiscSpec extends QdiscOptionsByKind {
  /** The device, by name or index. */
  dev: string | number;
  /** "root" (the default), a class ("1:10"), or "ingress"/"clsact" (TC_H_INGRESS, implied by those kinds) */
  parent?: Handle;
  /** "1:" (ingress and clsact are always "ffff:") */
  handle?: Handle;
  /** pfifo, bfifo, pfifo_fast, tbf, htb, mq, ingress, clsact, netem, fq_codel, fq, sfq, prio, cake; optional for del */
  kind?: string;
  /** clsact/ingress: share filters through this block (tc's ingress_block). */
  ingressBlock?: number;
  /** clsact: share egress filters through this block (tc's egress_block). */
  egressBlock?: number;
}

/**
 * What `rt.tc.qdisc.list()` keeps (`tc qdisc show dev DEV`).
 *
 * @example
 * ```ts
 * const filter: QdiscFilter = { dev: "eth0", parent: "root" };
 * const [root] = await rt.tc.qdisc.list(filter);   // tc qdisc show dev eth0 root
 * console.log(root?.kind, root?.handle);   // "fq_codel" "0:" (the kernel's default), say
 * console.log((await rt.tc.qdisc.list({ dev: "eth0", invisible: true })).length);   // tc qdisc show dev eth0 invisible: with the default qdiscs of htb and prio classes
 * ```
 */
export interface QdiscFilter {
  /** Only this device's qdiscs, by name or index (tc's dev); absent, every device's. */
  dev?: string | number;
  /** only qdiscs with this parent ("root", "ingress", "1:10") */
  parent?: Handle;
  /** Only the qdisc with this handle ("1:"; the kernel's default qdiscs are "0:"). */
  handle?: Handle;
  /** include the qdiscs the kernel hides by default (TCA_DUMP_INVISIBLE) */
  invisible?: boolean;
}

interface TcObject {
  /** The device's name (`if<N>` when its ifindex has no name nlkit can find). */
  dev: string;
  /** ifindex */
  index: number;
  /** The kind (TCA_KIND): the qdisc ("htb", "fq_codel"...), or for a class the kind of its qdisc; "" when the kernel sends none. */
  kind: string;
  /** the kind's options as tc reads them back (rates in bytes/s, sizes in bytes, times in µs) */
  options: Record<string, unknown>;
  /** Its counters as `tc -s` shows them (TCA_STATS2, or the old TCA_STATS); absent when the kernel keeps none for it. */
  stats?: TcStats;
  /** the kind's own counters (TCA_STATS_APP), where nlkit knows their layout */
  xstats?: Record<string, unknown>;
  /** TCA_OPTIONS of a kind nlkit cannot read, as hex */
  raw?: string;
}

/**
 * A qdisc as `rt.tc.qdisc.list()` returns it (`tc -j qdisc` data): kind, handle, parent, decoded
 * options and statistics.
 *
 * @example
 * ```ts
 * await rt.tc.qdisc.add({ dev: "eth0", parent: "root", handle: "1:", kind: "tbf", tbf: { rate: "1mbit", burst: "32kb", latency: "400ms" } });
 * const [q]: Qdisc[] = await rt.tc.qdisc.list({ dev: "eth0", handle: "1:" });
 * console.log(q.kind, q.parent, q.options.rate, q.options.burst, q.options.limit);   // "tbf" "root" 125000 32768 82768
 * console.log(q.stats?.bytes, q.stats?.drops, q.stats?.backlog);   // tc -s qdisc's "Sent ... (dropped ...) backlog ..."
 * ```
 */
export interface Qdisc extends TcObject {
  /** "1:" */
  handle: string;
  /** "root", "ingress" (clsact's and ingress's parent), or the class it hangs from ("1:10") */
  parent: string;
  /** The kernel's reference count. */
  refcnt?: number;
  /** Whether the qdisc runs in hardware. */
  offloaded?: boolean;
  /** The shared ingress block, when set. */
  ingressBlock?: number;
  /** The shared egress block, when set. */
  egressBlock?: number;
}

/** Options of each classful qdisc kind's classes. */
export interface ClassOptionsByKind {
  /** kind htb: the class's options (rate, ceil, burst...). */
  htb?: HtbClassOptions;
}

/**
 * A class for `rt.tc.class.add/replace/change/del` (`tc class add dev DEV parent 1: classid 1:10 htb
 * ...`).
 *
 * @example
 * ```ts
 * await rt.tc.class.add({ dev: "veth1", parent: "1:", classid: "1:10", kind: "htb", htb: { rate: "5mbit", ceil: "10mbit" } });
 * ```
 */
export interface ClassSpec extends ClassOptionsByKind {
  /** The device, by name or index. */
  dev: string | number;
  /** the qdisc ("1:") or class ("1:10") above it */
  parent?: Handle;
  /** "1:10" */
  classid?: Handle;
  /** htb; optional for del */
  kind?: string;
}

/**
 * What `rt.tc.class.list()` keeps (`tc class show dev DEV`).
 *
 * @example
 * ```ts
 * const filter: ClassFilter = { dev: "eth0", classid: "1:10" };
 * const [c] = await rt.tc.class.list(filter);   // tc class show dev eth0 classid 1:10
 * console.log(c?.kind, c?.parent, c?.options.ceil);   // "htb" "1:1" 1250000 for a 10mbit ceil under class 1:1
 * const ofQdisc1 = await rt.tc.class.list({ dev: "eth0", qdisc: "1:" });   // every class of qdisc 1:
 * console.log(ofQdisc1.map((x) => x.classid));   // [ "1:1", "1:10", "1:20" ]
 * ```
 */
export interface ClassFilter {
  /** The device, by name or index: the kernel lists classes per device. */
  dev: string | number;
  /** only this qdisc's classes ("1:") */
  qdisc?: Handle;
  /** only this class */
  classid?: Handle;
  /** sent to the kernel, which then lists the classes of that parent's qdisc ("1:" or "1:10" both mean qdisc 1:) */
  parent?: Handle;
}

/**
 * A class as `rt.tc.class.list()` returns it (`tc -j class` data).
 *
 * @example
 * ```ts
 * const classes: TcClass[] = await rt.tc.class.list({ dev: "eth0" });
 * for (const c of classes) {
 *   console.log(c.classid, c.parent, c.leaf, c.stats?.packets);   // "1:10" "1:1" (or "root" at the top) "10:" (once a qdisc hangs below it) 1234
 *   console.log(c.xstats?.lends, c.xstats?.borrows, c.xstats?.tokens);   // htb's own counters
 * }
 * ```
 */
export interface TcClass extends TcObject {
  /** The class's id as tc prints it ("1:10"). */
  classid: string;
  /** The class above it ("1:1"), "root" for a top-level htb class, or the qdisc's handle ("10:") for kinds that report that (tbf). */
  parent: string;
  /** the qdisc attached to a leaf class ("10:") */
  leaf?: string;
}

/** Options of each classifier, under its name. */
export interface FilterOptionsByKind {
  /** kind u32: its options. */
  u32?: U32Options;
  /** kind bpf: its options. */
  bpf?: BpfOptions;
  /** kind matchall: its options. */
  matchall?: MatchallOptions;
  /** kind flower: its options. */
  flower?: FlowerOptions;
}

/**
 * A classifier for `rt.tc.filter.add/replace/del` (`tc filter add dev DEV parent 1: protocol ip pref
 * 10 u32 ...`), with its kind's options and the actions it runs.
 *
 * @example
 * ```ts
 * await rt.tc.filter.add({ dev: "veth1", parent: "1:", protocol: "ip", pref: 10, kind: "u32",
 *   u32: { match: [{ ip: { dst: "10.0.0.2/32" } }], classid: "1:10" } });
 * ```
 */
export interface FilterSpec extends FilterOptionsByKind {
  /** The device, by name or index. */
  dev: string | number;
  /** a qdisc/class ("1:"), or "ingress"/"egress" for clsact's hooks */
  parent: Handle;
  /** "ip", "ipv6", "all", "802.1q"... (add and replace default to "all", as tc) */
  protocol?: Protocol;
  /** priority 1..65535 (tc's pref); left out, the kernel picks one */
  pref?: number;
  /** the kind's handle ("800::10" for u32, a number for the rest) */
  handle?: Handle;
  /** The filter chain (tc's chain N); default 0. */
  chain?: number;
  /** u32, bpf, matchall, flower; required with handle */
  kind?: string;
  /** Actions to run on a match (mirred, gact, police), in order. */
  actions?: ActionSpec[];
}

/**
 * What `rt.tc.filter.list()` dumps (`tc filter show dev DEV parent P`): the device is required, as tc
 * requires it.
 *
 * @example
 * ```ts
 * const filter: FilterListFilter = { dev: "eth0", parent: "1:", protocol: "ip", pref: 10 };
 * for (const f of await rt.tc.filter.list(filter)) {   // tc filter show dev eth0 parent 1: protocol ip pref 10
 *   console.log(f.kind, f.handle, f.options?.classid);   // "u32" "800::800" "1:20" (and the heads without a handle)
 * }
 * ```
 */
export interface FilterListFilter {
  /** The device, by name or index (tc's dev). */
  dev: string | number;
  /** The qdisc or class whose filters are dumped ("1:", "1:10", or "ingress"/"egress" for clsact's hooks); absent, the root qdisc's. */
  parent?: Handle;
  /** Only filters of this protocol ("ip", "ipv6", "all"...); absent, any. */
  protocol?: Protocol;
  /** Only filters of this priority (tc's pref); absent, any. */
  pref?: number;
  /** Only the filter with this handle, as a number or as tc prints it ("800::800", "0x1"); the heads of each priority have none. */
  handle?: Handle;
  /** Only filters of this classifier ("u32", "flower"...). */
  kind?: string;
  /** Only this filter chain (TCA_CHAIN, tc's chain N); absent, every chain. */
  chain?: number;
}

/**
 * A classifier as `rt.tc.filter.list()` returns it (`tc -j filter` data).
 *
 * @example
 * ```ts
 * const [f]: Filter[] = await rt.tc.filter.list({ dev: "eth0", parent: "ingress", kind: "flower", handle: 1 });
 * console.log(f.parent, f.protocol, f.pref, f.handle);   // "ingress" "ip" 1 "0x1"
 * console.log(f.options?.dstPort, f.actions?.map((a) => a.kind));   // 23 [ "gact" ]
 * ```
 */
export interface Filter {
  /** The device's name. */
  dev: string;
  /** The device's ifindex. */
  index: number;
  /** The qdisc or class it hangs from ("1:"), or "ingress"/"egress" for clsact's hooks. */
  parent: string;
  /** "ip", "all"... */
  protocol: string;
  /** Its priority (tc's pref). */
  pref: number;
  /** The classifier ("u32", "flower"...). */
  kind: string;
  /** Its filter chain. */
  chain?: number;
  /** absent on the head of each priority (what tc shows as a line without "fh"/"handle") */
  handle?: string;
  /** tcm_handle as a number */
  handleValue?: number;
  /** The classifier's options, decoded where nlkit knows the kind. */
  options?: Record<string, unknown>;
  /** The actions it runs. */
  actions?: Action[];
  /** Its statistics, where the classifier keeps any. */
  stats?: TcStats;
  /** The options as hex, for a kind nlkit cannot decode. */
  raw?: string;
}
