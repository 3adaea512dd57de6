// A pretend kernel for monitor tests without root: tables of links, addresses, routes,
// neighbours and rules that dumps are answered from, and notifications injected when the test
// changes them (or not, to play a lost notification) into the transport of the latest
// monitor(). `overrun()` makes its next read fail with ENOBUFS, as a full receive queue does.
import { NLM_F_DUMP, NLM_F_MULTI, NLMSG_NOOP } from "../../src/netlink/constants.js";
import { decodeMessage, encodeBody, type MessageDef } from "../../src/netlink/message.js";
import { reply, ScriptedTransport, type ScriptedRequest } from "../../src/netlink/scripted.js";
import type { StructValue } from "../../src/netlink/struct.js";
import { NlWriter } from "../../src/netlink/writer.js";
import { ifaddrDef } from "../../src/rtnl/addr/table.js";
import { linkMessage } from "../../src/rtnl/link/attrs.js";
import { ndmsgDef, NTF } from "../../src/rtnl/neigh/table.js";
import type { MonitorOptions, RtnlMonitor } from "../../src/rtnl/monitor/index.js";
import { Rtnl } from "../../src/rtnl/rtnl.js";
import { rtmsgDef } from "../../src/rtnl/route/table.js";
import { fibRuleDef } from "../../src/rtnl/rule/table.js";
import { SyscallError } from "../../src/syscalls/errors.js";

export type Kind = "link" | "addr" | "route" | "neigh" | "rule";

/** A message of a kind: its family header and attributes by table key. */
export interface Spec {
  header: StructValue;
  attrs: Record<string, unknown>;
}

const DEFS: Record<Kind, { def: MessageDef; add: number; del: number; get: number }> = {
  link: { def: linkMessage, add: 16, del: 17, get: 18 },
  addr: { def: ifaddrDef, add: 20, del: 21, get: 22 },
  route: { def: rtmsgDef, add: 24, del: 25, get: 26 },
  neigh: { def: ndmsgDef, add: 28, del: 29, get: 30 },
  rule: { def: fibRuleDef, add: 32, del: 33, get: 34 },
};
const ENODEV = 19, ENOBUFS = 105;

export function encode(kind: Kind, type: number, spec: Spec, flags = 0): Buffer {
  const w = new NlWriter(256);
  encodeBody(w, DEFS[kind].def, spec.header, spec.attrs);
  return reply.message(type, w.take(), flags);
}

// Message builders in the kernel's shapes (only what the tests look at).
export const link = (index: number, name: string, up = true): Spec =>
  ({ header: { family: 0, type: 1, index, flags: up ? 0x11043 : 0x1002 }, attrs: { ifname: name, mtu: 1500, operstate: up ? 6 : 2 } });
export const addr4 = (index: number, local: string, prefixlen = 24): Spec =>
  ({ header: { family: 2, prefixlen, flags: 0x80, scope: 0, index }, attrs: { address: local, local, cacheinfo: { preferred: 0xffffffff, valid: 0xffffffff, cstamp: 1, tstamp: 1 } } });
export const addr6 = (index: number, local: string, prefixlen = 64): Spec =>
  ({ header: { family: 10, prefixlen, flags: 0x80, scope: 0, index }, attrs: { address: local } });
export const route4 = (dst: string, len: number, attrs: Record<string, unknown>, table = 254): Spec =>
  ({ header: { family: 2, dstLen: len, table, protocol: 4, scope: attrs.gateway ? 0 : 253, type: 1 }, attrs: { table, dst, ...attrs } });
export const route6 = (dst: string, len: number, attrs: Record<string, unknown>, table = 254): Spec =>
  ({ header: { family: 10, dstLen: len, table, protocol: 4, scope: 0, type: 1 }, attrs: { table, dst, priority: 1024, ...attrs } });
export const neigh4 = (ifindex: number, dst: string, lladdr: string): Spec =>
  ({ header: { family: 2, ifindex, state: 0x80, flags: 0, type: 1 }, attrs: { dst, lladdr } });
export const rule4 = (priority: number, table: number, src?: string): Spec =>
  ({ header: { family: 2, srcLen: src ? 16 : 0, table, action: 1 }, attrs: { priority, table, ...(src ? { src } : {}) } });

/** Next hops of RTA_MULTIPATH. */
export const hops = (...list: Array<[gateway: number[], ifindex: number]>) =>
  list.map(([gw, ifindex]) => ({ ifindex, flags: 0, hops: 0, attrs: { gateway: Buffer.from(gw) } }));

class OverrunTransport extends ScriptedTransport {
  private enobufs = false;

  overrun(): void {
    this.enobufs = true;
    // wakes a reader waiting for the socket; NLMSG_NOOP itself is nobody's notification
    this.inject(reply.message(NLMSG_NOOP, Buffer.alloc(0)));
  }

  override receive(buf: Buffer, limit: number): number {
    if (this.enobufs) {
      this.enobufs = false;
      throw new SyscallError("recv", ENOBUFS);
    }
    return super.receive(buf, limit);
  }
}

export class FakeKernel {
  /** The handle's transport: requests and their answers. */
  readonly transport: ScriptedTransport;
  /** Where notifications go: the transport of the latest monitor(). */
  notes = new OverrunTransport(() => undefined);
  readonly rt: Rtnl;
  /** Dump requests answered, by kind. */
  readonly dumps: Record<Kind, number> = { link: 0, addr: 0, route: 0, neigh: 0, rule: 0 };
  private readonly tables: Record<Kind | "proxy", Map<string, Spec>> = {
    link: new Map(), addr: new Map(), route: new Map(), neigh: new Map(), proxy: new Map(), rule: new Map(),
  };
  /** The next dump of this kind is refused with this errno. */
  refuse: { kind: Kind; errno: number } | undefined;

  constructor() {
    this.transport = new ScriptedTransport((req) => this.answer(req));
    this.rt = Rtnl.openSync({ transport: this.transport });
  }

  /** rt.monitor() reading notifications from a transport of its own. */
  monitor(opts: MonitorOptions = {}): RtnlMonitor {
    this.notes = new OverrunTransport(() => undefined);
    return this.rt.monitor({ transport: this.notes, ...opts });
  }

  /** Adds or changes an object; `notify: false` plays a notification the kernel dropped. */
  set(kind: Kind, id: string, spec: Spec, opts: { notify?: boolean; flags?: number } = {}): void {
    this.tables[kind].set(id, spec);
    if (opts.notify !== false) this.notes.inject(encode(kind, DEFS[kind].add, spec, opts.flags ?? 0));
  }

  del(kind: Kind, id: string, opts: { notify?: boolean } = {}): void {
    const spec = this.tables[kind].get(id);
    if (!spec) throw new Error(`no ${kind} ${id}`);
    this.tables[kind].delete(id);
    if (opts.notify !== false) this.notes.inject(encode(kind, DEFS[kind].del, spec));
  }

  /** A notification only (nothing in the tables changes). */
  notify(kind: Kind, action: "new" | "del", spec: Spec, flags = 0): void {
    this.notes.inject(encode(kind, action === "new" ? DEFS[kind].add : DEFS[kind].del, spec, flags));
  }

  setProxy(id: string, spec: Spec): void {
    this.tables.proxy.set(id, spec);
  }

  overrun(): void {
    this.notes.overrun();
  }

  private answer(req: ScriptedRequest): Buffer[] | undefined {
    const kind = (Object.keys(DEFS) as Kind[]).find((k) => DEFS[k].get === req.type);
    if (!kind) return undefined;
    const m = decodeMessage(req.bytes, 0, req.bytes.length, DEFS[kind].def);
    const h = m.header as Record<string, number>;
    if ((req.flags & NLM_F_DUMP) !== NLM_F_DUMP) {
      // a name lookup by index
      const found = [...this.tables.link.values()].find((s) => s.header.index === h.index);
      return found ? [encode("link", 16, found)] : [reply.error(ENODEV, req)];
    }
    this.dumps[kind]++;
    if (this.refuse?.kind === kind) {
      const { errno } = this.refuse;
      this.refuse = undefined;
      return [reply.done(errno)];
    }
    const table = kind === "neigh" && (h.flags ?? 0) & NTF.PROXY ? this.tables.proxy : this.tables[kind];
    const family = h.family ?? 0;
    const rows = [...table.values()].filter((s) => family === 0 || s.header.family === family);
    const msgs = rows.map((s) => encode(kind, DEFS[kind].add, s, NLM_F_MULTI));
    return msgs.length ? [reply.datagram(...msgs), reply.done()] : [reply.done()];
  }
}
