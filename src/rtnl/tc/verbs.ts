import * as fs from "node:fs";
import { NLM_F_CREATE, NLM_F_ECHO, NLM_F_EXCL, NLM_F_REPLACE } from "../../netlink/constants.js";
import { NetlinkError, NlkitInputError } from "../../netlink/errors.js";
import type { Decoder } from "../../netlink/decoder.js";
import type { MessageDef } from "../../netlink/message.js";
import { tableRequest, type CallOptions, type Request } from "../../netlink/socket.js";
import { bpfObjGet, SyscallError } from "../../syscalls/index.js";
import type { BuildContext, Executor, RtnlContext } from "../context.js";
import { objectIn } from "../input.js";
import { ObjectVerbs, type AddOptions } from "../verb.js";
import { kernelPsched } from "./clock.js";
import { filterMessage } from "./filter/index.js";
import { classid, filterParent, protocolNumber, qdiscHandle, qdiscParent } from "./handle.js";
import { classMessage, qdiscMessage } from "./qdisc/index.js";
import { classParts, filterParts, qdiscParts, type FilterOp, type Parts, type TcEnv } from "./spec.js";
import {
  RTM_DELQDISC, RTM_DELTCLASS, RTM_DELTFILTER, RTM_GETQDISC, RTM_GETTCLASS, RTM_GETTFILTER, RTM_NEWQDISC, RTM_NEWTCLASS, RTM_NEWTFILTER,
} from "./table.js";
import type { ClassFilter, ClassSpec, Filter, FilterListFilter, FilterSpec, Qdisc, QdiscFilter, QdiscSpec, TcClass } from "./types.js";
import type { Psched } from "./units.js";
import { classView, filterView, qdiscView, tcDecoder, tcIndexes, viewContext, type TcParts } from "./view.js";

/**
 * add()'s options: `replace` makes it tc's replace (create or replace).
 *
 * @example
 * ```ts
 * const opts: TcAddOptions = { replace: true, timeoutMs: 2000 };
 * await rt.tc.qdisc.add({ dev: "eth0", parent: "root", kind: "fq_codel" }, opts);   // tc qdisc replace dev eth0 root fq_codel
 * ```
 */
export type TcAddOptions = Omit<AddOptions, "append">;

const NO_PINS: ReadonlyMap<string, number> = new Map();

/**
 * The shared rtnetlink object machinery. tc's verbs include a public `change`, the name
 * ObjectVerbs gives its own build-and-send step, so the tc objects hold one of these instead of
 * extending it.
 */
class TcCore extends ObjectVerbs {
  get batched(): boolean {
    return this.exec.batched;
  }

  run(builder: (b: BuildContext) => Request, opts?: CallOptions): Promise<void> {
    return this.change(builder, opts);
  }

  dump<T>(req: Request, decode: Decoder<T>, opts?: CallOptions): Promise<T[]> {
    return this.readDump(req, decode, opts);
  }

  one<T>(req: Request, decode: Decoder<T>, opts?: CallOptions): Promise<T[]> {
    return this.readOne(req, decode, opts);
  }

  flushEach<T>(list: () => Promise<readonly T[]>, del: (item: T) => Promise<void>): Promise<number> {
    return this.flushAll(list, del);
  }

  guard<T>(p: Promise<T>): Promise<T> {
    return this.handled(p);
  }

  fail(e: unknown): Promise<never> {
    return this.exec.fail(e);
  }
}

/** What the three objects share: the clock for rate tables, and the decode-then-name step of reads. */
abstract class TcVerbs {
  protected readonly core: TcCore;

  constructor(protected readonly ctx: RtnlContext, exec: Executor, protected readonly clock: () => Psched) {
    this.core = new TcCore(ctx, exec);
  }

  protected env(pinned: ReadonlyMap<string, number> = NO_PINS): TcEnv {
    return { psched: this.clock(), pinned };
  }

  protected send(def: MessageDef, type: number, flags: number, build: (b: BuildContext) => Parts, opts?: CallOptions): Promise<void> {
    return this.core.run((b) => {
      const p = build(b);
      return tableRequest(def, type, flags, p.header, p.attrs);
    }, opts);
  }

  protected async read<T>(req: Request, def: MessageDef, types: number[], view: (p: TcParts, ctx: ReturnType<typeof viewContext>) => T,
    keep: (p: TcParts) => boolean, filters: boolean, opts?: CallOptions, one = false): Promise<T[]> {
    const decode = tcDecoder(def, types);
    const rows = one ? await this.core.one(req, decode, opts) : await this.core.dump(req, decode, opts);
    const parts = rows.filter((p): p is TcParts => p !== undefined && keep(p));
    const names = await this.ctx.names.resolve(tcIndexes(parts, filters), opts);
    const ctx = viewContext(this.clock(), names);
    return parts.map((p) => view(p, ctx));
  }

  protected failing(e: unknown): Promise<never> {
    return this.core.fail(e);
  }
}

function createFlags(opts: TcAddOptions | undefined): number {
  if ((opts as AddOptions | undefined)?.append) throw new NlkitInputError("tc objects cannot be appended", "append");
  return NLM_F_CREATE | (opts?.replace ? NLM_F_REPLACE : NLM_F_EXCL);
}

/**
 * tc qdisc add/replace/change/del/show, over RTM_NEWQDISC/DELQDISC/GETQDISC.
 *
 * @example
 * ```ts
 * await rt.tc.qdisc.add({ dev: "veth0", parent: "root", handle: "1:", kind: "netem", netem: { delay: "50ms", loss: "1%" } });
 * await rt.tc.qdisc.change({ dev: "veth0", parent: "root", handle: "1:", kind: "netem", netem: { delay: "100ms" } });
 * const [q] = await rt.tc.qdisc.list({ dev: "veth0", parent: "root" });   // tc qdisc show dev veth0 root
 * console.log(q?.kind, q?.handle, q?.options.delay);   // "netem" "1:" 100000 (µs)
 * await rt.tc.qdisc.del({ dev: "veth0", parent: "root" });
 * ```
 */
export class QdiscApi extends TcVerbs {
  /** `tc qdisc add` (EEXIST if there is one); { replace } for `tc qdisc replace`. */
  add(spec: QdiscSpec, opts?: TcAddOptions): Promise<void> {
    let flags: number;
    try {
      flags = createFlags(opts);
    } catch (e) {
      return this.failing(e);
    }
    const env = this.env();
    return this.send(qdiscMessage, RTM_NEWQDISC, flags, (b) => qdiscParts(spec, b, env, false), opts);
  }

  /** `tc qdisc replace`: adds the qdisc or swaps the one at that parent. */
  replace(spec: QdiscSpec, opts?: CallOptions): Promise<void> {
    return this.add(spec, { ...opts, replace: true });
  }

  /** `tc qdisc change`: new options for the qdisc that is there (ENOENT otherwise). */
  change(spec: QdiscSpec, opts?: CallOptions): Promise<void> {
    const env = this.env();
    return this.send(qdiscMessage, RTM_NEWQDISC, 0, (b) => qdiscParts(spec, b, env, false), opts);
  }

  /** `tc qdisc del dev DEV root|ingress|clsact|parent X [handle Y]`. */
  del(spec: QdiscSpec, opts?: CallOptions): Promise<void> {
    const env = this.env();
    return this.send(qdiscMessage, RTM_DELQDISC, 0, (b) => qdiscParts(spec, b, env, true), opts);
  }

  /** `tc qdisc show [dev DEV]`: every qdisc (the kernel's defaults too), with counters. */
  async list(filter: QdiscFilter = {}, opts?: CallOptions): Promise<Qdisc[]> {
    const f = objectIn(filter, "qdisc filter", "filter") as QdiscFilter;
    const ifindex = f.dev === undefined ? 0 : await this.ctx.ifindex(f.dev, "dev", opts);
    const parent = f.parent === undefined ? undefined : qdiscParent(f.parent, "parent");
    const handle = f.handle === undefined ? undefined : qdiscHandle(f.handle, "handle");
    const req = tableRequest(qdiscMessage, RTM_GETQDISC, 0, { ifindex }, f.invisible ? { dumpInvisible: true } : {});
    return this.read(req, qdiscMessage, [RTM_NEWQDISC], qdiscView, (p) =>
      (!ifindex || p.header.ifindex === ifindex) && (parent === undefined || p.header.parent === parent)
      && (handle === undefined || p.header.handle === handle), false, opts);
  }

  /**
   * Deletes what tc's `qdisc del ... root` and `... ingress` would: the device's root qdisc when
   * it is not the kernel's default, and its ingress or clsact qdisc. Resolves with how many.
   */
  flush(filter: { dev: string | number }, opts?: CallOptions): Promise<number> {
    const f = objectIn(filter, "qdisc flush filter", "filter") as unknown as { dev: string | number };
    return this.core.flushEach(
      async () => (await this.list({ dev: f.dev }, opts)).filter((q) => (q.parent === "root" && q.handle !== "0:") || q.parent === "ingress"),
      (q) => this.del({ dev: q.index, parent: q.parent, ...(q.parent === "ingress" ? { kind: q.kind } : { handle: q.handle }) }, opts),
    );
  }
}

/**
 * tc class add/replace/change/del/show, over RTM_NEWTCLASS/DELTCLASS/GETTCLASS.
 *
 * @example
 * ```ts
 * await rt.tc.class.add({ dev: "eth0", parent: "1:", classid: "1:10", kind: "htb", htb: { rate: "5mbit", ceil: "10mbit" } });
 * await rt.tc.class.change({ dev: "eth0", parent: "1:", classid: "1:10", kind: "htb", htb: { rate: "8mbit", ceil: "10mbit" } });
 * for (const c of await rt.tc.class.list({ dev: "eth0", qdisc: "1:" })) console.log(c.classid, c.options.rate);   // "1:10" 1000000 (bytes/s)
 * console.log(await rt.tc.class.flush({ dev: "eth0", qdisc: "1:" }));   // 1: how many went, children before their parents
 * ```
 */
export class ClassApi extends TcVerbs {
  /** `tc class add`; { replace } for `tc class replace` (which tc sends as create without exclusion). */
  add(spec: ClassSpec, opts?: TcAddOptions): Promise<void> {
    let flags: number;
    try {
      flags = createFlags(opts);
      // tc's class replace is NLM_F_CREATE alone
      if (opts?.replace) flags = NLM_F_CREATE;
    } catch (e) {
      return this.failing(e);
    }
    const env = this.env();
    return this.send(classMessage, RTM_NEWTCLASS, flags, (b) => classParts(spec, b, env, false), opts);
  }

  /** `tc class replace`: adds the class or overwrites its parameters. */
  replace(spec: ClassSpec, opts?: CallOptions): Promise<void> {
    return this.add(spec, { ...opts, replace: true });
  }

  /** `tc class change`: changes an existing class; ENOENT when there is none. */
  change(spec: ClassSpec, opts?: CallOptions): Promise<void> {
    const env = this.env();
    return this.send(classMessage, RTM_NEWTCLASS, 0, (b) => classParts(spec, b, env, false), opts);
  }

  /** `tc class del`. */
  del(spec: ClassSpec, opts?: CallOptions): Promise<void> {
    const env = this.env();
    return this.send(classMessage, RTM_DELTCLASS, 0, (b) => classParts(spec, b, env, true), opts);
  }

  /** `tc class show dev DEV [qdisc Q] [classid C]`, with counters and the kind's own (htb: lends, tokens...). */
  async list(filter: ClassFilter, opts?: CallOptions): Promise<TcClass[]> {
    const f = objectIn(filter, "class filter", "filter") as unknown as ClassFilter;
    if (f.dev === undefined) throw new NlkitInputError("dev is required: the kernel lists classes per device", "dev");
    const ifindex = await this.ctx.ifindex(f.dev, "dev", opts);
    const qdisc = f.qdisc === undefined ? undefined : qdiscHandle(f.qdisc, "qdisc");
    const id = f.classid === undefined ? undefined : classid(f.classid, "classid");
    const parent = f.parent === undefined ? undefined : classid(f.parent, "parent");
    const req = tableRequest(classMessage, RTM_GETTCLASS, 0, { ifindex, parent: parent ?? 0 });
    return this.read(req, classMessage, [RTM_NEWTCLASS], classView, (p) => {
      const h = p.header.handle ?? 0;
      return (qdisc === undefined || ((h ^ qdisc) & 0xffff0000) === 0) && (id === undefined || h === id);
    }, false, opts);
  }

  /**
   * Deletes the htb classes list(filter) finds, children before their parents (other kinds' classes,
   * prio's or mq's, come and go with their qdisc and are left alone). Resolves with how many.
   */
  flush(filter: ClassFilter, opts?: CallOptions): Promise<number> {
    return this.core.flushEach(async () => {
      const all = await this.list(filter, opts);
      const byId = new Map(all.map((c) => [c.classid, c]));
      const depth = (c: TcClass): number => {
        let d = 0;
        for (let p = byId.get(c.parent); p && d < 16; p = byId.get(p.parent)) d++;
        return d;
      };
      // the kernel refuses to delete a class that still has children
      return all.filter((c) => c.kind === "htb").sort((x, y) => depth(y) - depth(x));
    }, (c) => this.sequentialDel({ dev: c.index, classid: c.classid }, opts));
  }

  private chain: Promise<unknown> = Promise.resolve();

  private sequentialDel(spec: ClassSpec, opts?: CallOptions): Promise<void> {
    if (this.core.batched) return this.del(spec, opts);
    const run = this.chain.then(() => this.del(spec, opts));
    this.chain = run.catch(() => undefined);
    return run;
  }
}

/**
 * tc filter add/replace/change/del/get/show, over RTM_NEWTFILTER/DELTFILTER/GETTFILTER.
 *
 * @example
 * ```ts
 * await rt.tc.qdisc.add({ dev: "eth0", kind: "clsact" });
 * await rt.tc.filter.add({ dev: "eth0", parent: "ingress", protocol: "ip", pref: 1, handle: 1, kind: "flower",
 *   flower: { ipProto: "tcp", dstPort: 23 }, actions: [{ kind: "gact", gact: { action: "drop" } }] });
 * const f = await rt.tc.filter.get({ dev: "eth0", parent: "ingress", protocol: "ip", pref: 1, kind: "flower", handle: 1 });
 * console.log(f.handle, f.options?.dstPort, f.actions?.[0]?.kind);   // "0x1" 23 "gact"
 * await rt.tc.filter.flush({ dev: "eth0", parent: "ingress" });   // tc filter del dev eth0 ingress
 * ```
 */
export class FilterApi extends TcVerbs {
  /** `tc filter add` (protocol "all" unless given, as tc); { replace } for `tc filter replace`. */
  add(spec: FilterSpec, opts?: TcAddOptions): Promise<void> {
    let flags: number;
    try {
      createFlags(opts);
      flags = opts?.replace ? NLM_F_CREATE : NLM_F_CREATE | NLM_F_EXCL;
    } catch (e) {
      return this.failing(e);
    }
    return this.modify(spec, RTM_NEWTFILTER, flags, opts?.replace ? "replace" : "add", opts);
  }

  /** `tc filter replace`: adds the filter or overwrites the one with that pref and handle. */
  replace(spec: FilterSpec, opts?: CallOptions): Promise<void> {
    return this.add(spec, { ...opts, replace: true });
  }

  /** `tc filter change`: new options for the filter at that pref/handle. */
  change(spec: FilterSpec, opts?: CallOptions): Promise<void> {
    return this.modify(spec, RTM_NEWTFILTER, 0, "change", opts);
  }

  /** `tc filter del`: one filter (pref, and handle with kind), a whole pref, or every filter of the parent. */
  del(spec: FilterSpec, opts?: CallOptions): Promise<void> {
    return this.modify(spec, RTM_DELTFILTER, 0, "del", opts);
  }

  /** `tc filter get`: one filter by parent, pref, protocol, kind and handle. */
  async get(spec: FilterSpec, opts?: CallOptions): Promise<Filter> {
    const env = this.env();
    const built = this.ctx.build((b) => filterParts(spec, b, env, "get"), opts);
    const { value } = built instanceof Promise ? await built : built;
    const req = tableRequest(filterMessage, RTM_GETTFILTER, NLM_F_ECHO, value.header, value.attrs);
    const found = await this.read(req, filterMessage, [RTM_NEWTFILTER], filterView, () => true, true, opts, true);
    if (!found.length) throw new NetlinkError(2, { message: "filter lookup returned nothing" });
    return found[0]!;
  }

  /**
   * `tc filter show dev DEV [parent P]`: each priority's head, then its filters (u32 hash tables
   * too), as the kernel dumps them; narrowed here by pref, protocol, kind and handle.
   */
  async list(filter: FilterListFilter, opts?: CallOptions): Promise<Filter[]> {
    const f = objectIn(filter, "filter list filter", "filter") as unknown as FilterListFilter;
    if (f.dev === undefined) throw new NlkitInputError("dev is required: the kernel lists filters per device", "dev");
    const ifindex = await this.ctx.ifindex(f.dev, "dev", opts);
    const parent = f.parent === undefined ? 0 : filterParent(f.parent, "parent");
    const pref = f.pref;
    const protocol = f.protocol === undefined ? undefined : protocolNumber(f.protocol, "protocol");
    const attrs = f.chain === undefined ? {} : { chain: f.chain };
    const req = tableRequest(filterMessage, RTM_GETTFILTER, 0, { ifindex, parent }, attrs);
    const rows = await this.read(req, filterMessage, [RTM_NEWTFILTER], filterView, (p) => !p.header.ifindex || p.header.ifindex === ifindex, true, opts);
    return rows.filter((r) => (pref === undefined || r.pref === pref) && (f.kind === undefined || r.kind === f.kind)
      && (protocol === undefined || protocolNumber(r.protocol, "protocol") === protocol)
      && (f.handle === undefined || r.handle === String(f.handle) || r.handleValue === f.handle));
  }

  /** `tc filter del dev DEV parent P`: every filter of one parent, in one request. Resolves when done. */
  flush(filter: { dev: string | number; parent: FilterSpec["parent"] }, opts?: CallOptions): Promise<void> {
    const f = objectIn(filter, "filter flush filter", "filter") as unknown as { dev: string | number; parent: FilterSpec["parent"] };
    return this.del({ dev: f.dev, parent: f.parent }, opts);
  }

  /** Opens the pinned BPF programs the spec names first (an input error when it cannot), and closes them once answered. */
  private modify(spec: FilterSpec, type: number, flags: number, op: FilterOp, opts?: CallOptions): Promise<void> {
    let pinned: Map<string, number>;
    try {
      pinned = openPinned(spec);
    } catch (e) {
      return this.failing(e);
    }
    const env = this.env(pinned);
    const p = this.send(filterMessage, type, flags, (b) => filterParts(spec, b, env, op), opts);
    if (pinned.size === 0) return p;
    return this.core.guard(p.finally(() => {
      for (const fd of pinned.values()) {
        try { fs.closeSync(fd); } catch { /* already closed */ }
      }
    }));
  }
}

function openPinned(spec: FilterSpec): Map<string, number> {
  const out = new Map<string, number>();
  const path = spec && typeof spec === "object" ? (spec as FilterSpec).bpf?.pinned : undefined;
  if (typeof path !== "string" || path === "") return out;
  try {
    out.set(path, bpfObjGet(path));
  } catch (e) {
    if (e instanceof SyscallError) throw new NlkitInputError(`cannot open the pinned program "${path}": ${e.message}`, "bpf.pinned", e.code);
    throw e;
  }
  return out;
}

/**
 * rt.tc: qdiscs, classes and filters (with their actions) on one rtnetlink handle.
 *
 * @example
 * ```ts
 * await rt.tc.qdisc.replace({ dev: "eth0", parent: "root", handle: "1:", kind: "htb", htb: { default: 0x10 } });
 * await rt.tc.class.add({ dev: "eth0", parent: "1:", classid: "1:10", kind: "htb", htb: { rate: "100mbit" } });
 * await rt.tc.class.add({ dev: "eth0", parent: "1:", classid: "1:20", kind: "htb", htb: { rate: "5mbit" } });
 * await rt.tc.filter.add({ dev: "eth0", parent: "1:", protocol: "ip", pref: 10, kind: "u32",
 *   u32: { match: [{ ip: { dst: "192.0.2.0/24" } }], classid: "1:20" } });   // the rest goes to 1:10
 * ```
 */
export class TcApi {
  /** `tc qdisc`: add, replace, change, delete and list queueing disciplines. */
  readonly qdisc: QdiscApi;
  /** `tc class`: classes of classful qdiscs (htb, prio...). */
  readonly class: ClassApi;
  /** `tc filter`: classifiers and their actions. */
  readonly filter: FilterApi;

  constructor(ctx: RtnlContext, exec: Executor, clock: () => Psched = kernelPsched) {
    this.qdisc = new QdiscApi(ctx, exec, clock);
    this.class = new ClassApi(ctx, exec, clock);
    this.filter = new FilterApi(ctx, exec, clock);
  }
}
