import type { AttrValues } from "../../netlink/attrs.js";
import { decodeParts, type DecodedParts } from "../../netlink/compiled.js";
import type { Decoder } from "../../netlink/decoder.js";
import type { MessageDef } from "../../netlink/message.js";
import { nameOf } from "../names.js";
import { actionIndexes, viewActions } from "./action/index.js";
import { filterKinds } from "./filter/index.js";
import { filterParentName, formatClassid, protocolName, qdiscParentName } from "./handle.js";
import { hexOf, type TcView } from "./kind.js";
import { qdiscKinds } from "./qdisc/index.js";
import { statsView } from "./stats.js";
import type { Filter, Qdisc, TcClass } from "./types.js";
import type { Psched } from "./units.js";

// Replies to the public objects: the tcmsg header in tc's words, TCA_OPTIONS through the kind's
// view (a kind nlkit does not know keeps its bytes as hex), counters as numbers.

export interface TcHeader { ifindex?: number; handle?: number; parent?: number; info?: number }
export type TcParts = DecodedParts<TcHeader>;

/** Messages of `types` decoded by the object's table; anything else (say, an event of another object) is skipped. */
export function tcDecoder(def: MessageDef, types: readonly number[]): Decoder<TcParts | undefined> {
  return (buf, start, len) => {
    const m = decodeParts<TcHeader>(buf, start, len, def);
    return types.includes(m.type) ? m : undefined;
  };
}

/** Every device index a reply names (its own, and mirred targets in a filter's actions). */
export function tcIndexes(parts: readonly TcParts[], filters = false): number[] {
  const out: number[] = [];
  for (const p of parts) {
    if (p.header.ifindex) out.push(p.header.ifindex);
    if (!filters) continue;
    const def = filterKinds.get(p.attrs.kind as string);
    const opts = p.attrs.options;
    if (def && opts && !Buffer.isBuffer(opts)) out.push(...actionIndexes((opts as AttrValues)[def.actionsKey]));
  }
  return out;
}

export function viewContext(psched: Psched, names: ReadonlyMap<number, string>): TcView {
  return { psched, devName: (i) => nameOf(names, i) };
}

function common(p: TcParts, ctx: TcView) {
  const index = p.header.ifindex ?? 0;
  return { dev: ctx.devName(index), index, kind: typeof p.attrs.kind === "string" ? p.attrs.kind : "" };
}

function withStats<T extends { stats?: unknown; xstats?: unknown }>(o: T, a: AttrValues, xstats: ((app: Buffer) => Record<string, unknown> | undefined) | undefined): T {
  const s = statsView(a.stats2 as AttrValues | undefined, a.stats as never);
  if (s) o.stats = s;
  const app = (a.stats2 as AttrValues | undefined)?.app ?? a.xstats;
  if (xstats && Buffer.isBuffer(app)) {
    const x = xstats(app);
    if (x) o.xstats = x;
  }
  return o;
}

export function qdiscView(p: TcParts, ctx: TcView): Qdisc {
  const a = p.attrs;
  const h = p.header;
  const q: Qdisc = {
    ...common(p, ctx),
    handle: `${((h.handle ?? 0) >>> 16).toString(16)}:`,
    parent: qdiscParentName(h.parent ?? 0),
    options: {},
  };
  if (h.info !== undefined) q.refcnt = h.info;
  const def = qdiscKinds.get(q.kind);
  if (a.options !== undefined) {
    if (def?.view) q.options = def.view(a.options as AttrValues | Buffer, ctx);
    else if (Buffer.isBuffer(a.options)) q.raw = hexOf(a.options);
  }
  if (a.hwOffload) q.offloaded = true;
  if (a.ingressBlock) q.ingressBlock = a.ingressBlock as number;
  if (a.egressBlock) q.egressBlock = a.egressBlock as number;
  return withStats(q, a, def?.xstats ? (app) => def.xstats!(app, false) : undefined);
}

export function classView(p: TcParts, ctx: TcView): TcClass {
  const a = p.attrs;
  const h = p.header;
  const c: TcClass = {
    ...common(p, ctx),
    classid: formatClassid(h.handle ?? 0),
    parent: formatClassid(h.parent ?? 0),
    options: {},
  };
  if (h.info) c.leaf = `${(h.info >>> 16).toString(16)}:`;
  const def = qdiscKinds.get(c.kind);
  if (a.options !== undefined) {
    if (def?.classView) c.options = def.classView(a.options as AttrValues | Buffer, ctx);
    else if (Buffer.isBuffer(a.options)) c.raw = hexOf(a.options);
  }
  return withStats(c, a, def?.xstats ? (app) => def.xstats!(app, true) : undefined);
}

export function filterView(p: TcParts, ctx: TcView): Filter {
  const a = p.attrs;
  const h = p.header;
  const info = h.info ?? 0;
  const proto = ((info & 0xff) << 8) | ((info >>> 8) & 0xff);
  const f: Filter = {
    ...common(p, ctx),
    parent: filterParentName(h.parent ?? 0),
    protocol: protocolName(proto),
    pref: info >>> 16,
  };
  if (a.chain !== undefined) f.chain = a.chain as number;
  const def = filterKinds.get(f.kind);
  if (h.handle) {
    f.handleValue = h.handle;
    f.handle = def?.formatHandle ? def.formatHandle(h.handle) : `0x${h.handle.toString(16)}`;
  }
  if (a.options !== undefined) {
    if (def && !Buffer.isBuffer(a.options)) {
      const o = a.options as AttrValues;
      f.options = def.view(o, ctx, h.handle ?? 0);
      if (o[def.actionsKey] !== undefined) f.actions = viewActions(o[def.actionsKey], ctx);
    } else if (Buffer.isBuffer(a.options)) {
      f.raw = hexOf(a.options);
    }
  }
  const s = statsView(a.stats2 as AttrValues | undefined, a.stats as never);
  if (s) f.stats = s;
  return f;
}
