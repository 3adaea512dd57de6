import type { Action } from "./action/index.js";
import type { Control } from "./action/kind.js";
import type { TcStats } from "./stats.js";
import type { Filter, Qdisc, TcClass } from "./types.js";
import { formatSize, LINKLAYER } from "./units.js";

// `tc -j` output from the API's objects: tc's keys, its hex strings and its quirks (a u32
// filter's keys all print under one "match" key, so a JSON parser keeps the last; peakrate and
// the htb class print only as text).

export interface TcJsonOptions {
  /** tc leaves "dev" out when the listing was for one device */
  devFiltered?: boolean;
  /** filters: the parent the listing asked for, which tc then leaves out */
  parent?: string;
  /** filters: the pref and protocol the listing asked for, which tc leaves out too */
  pref?: number;
  protocol?: string;
  /** -s */
  stats?: boolean;
  /** -d */
  details?: boolean;
}

type Json = Record<string, unknown>;

const hex = (n: unknown) => (typeof n === "number" ? (n >>> 0).toString(16) : undefined);
const hex0x = (n: unknown) => (typeof n === "number" && n ? `0x${(n >>> 0).toString(16)}` : "0");

function statsJson(s: TcStats | undefined): Json {
  if (!s) return {};
  const o: Json = { bytes: s.bytes, packets: s.packets, drops: s.drops, overlimits: s.overlimits, requeues: s.requeues };
  if (s.bps !== undefined) Object.assign(o, { rate: s.bps, pps: s.pps });
  return Object.assign(o, { backlog: s.backlog, qlen: s.qlen });
}

function linklayerName(v: unknown): string {
  return typeof v === "string" ? v : v === LINKLAYER.unspec ? "unspec" : "unknown";
}

type OptionsJson = (o: Json, d: TcJsonOptions) => Json;

const QDISC_OPTIONS: Record<string, OptionsJson> = {
  pfifo: (o) => ({ limit: o.limit }),
  bfifo: (o) => ({ limit: o.limit }),
  pfifo_head_drop: (o) => ({ limit: o.limit }),
  pfifo_fast: (o) => ({ bands: o.bands, priomap: o.priomap, multiqueue: o.multiqueue }),
  prio: (o) => ({ bands: o.bands, priomap: o.priomap, multiqueue: o.multiqueue }),
  tbf(o, d) {
    const j: Json = { rate: o.rate };
    if (d.details) Object.assign(j, { burst: `${formatSize(o.burst as number)}/${2 ** ((o.cellLog as number) ?? 0)}`, mpu: o.mpu });
    else j.burst = o.burst;
    if (o.minburst !== undefined) j.minburst = o.minburst;
    if (o.latency !== undefined) j.lat = o.latency;
    else j.limit = o.limit;
    if (o.overhead) j.overhead = o.overhead;
    if (d.details || (o.linklayer !== "ethernet" && o.linklayer !== undefined)) j.linklayer = linklayerName(o.linklayer);
    return j;
  },
  htb(o, d) {
    const j: Json = { r2q: o.r2q, default: hex0x(o.default), direct_packets_stat: o.directPacketsStat };
    if (d.details) j.ver = o.version;
    if (o.directQlen !== undefined) j.direct_qlen = o.directQlen;
    if (o.offload) j.offload = null;
    return j;
  },
  fq_codel(o) {
    const j: Json = {};
    for (const [k, t] of [["limit", "limit"], ["flows", "flows"], ["quantum", "quantum"], ["target", "target"], ["ceThreshold", "ce_threshold"], ["interval", "interval"], ["memoryLimit", "memory_limit"]]) {
      if (o[k!] !== undefined) j[t!] = o[k!];
    }
    if (o.ecn) j.ecn = true;
    if (o.dropBatch !== undefined) j.drop_batch = o.dropBatch;
    return j;
  },
  netem(o) {
    const frac = (p: unknown) => (typeof p === "number" ? p / 100 : 0);
    const j: Json = { limit: o.limit };
    if (o.delay !== undefined) j.delay = { delay: (o.delay as number) / 1e6, jitter: ((o.jitter as number) ?? 0) / 1e6, correlation: frac(o.delayCorrelation) };
    if (o.loss !== undefined) j["loss-random"] = { loss: frac(o.loss), correlation: frac(o.lossCorrelation) };
    if (o.duplicate !== undefined) j.duplicate = { duplicate: frac(o.duplicate), correlation: frac(o.duplicateCorrelation) };
    if (o.reorder !== undefined) j.reorder = { reorder: frac(o.reorder), correlation: frac(o.reorderCorrelation) };
    if (o.corrupt !== undefined) j.corrupt = { corrupt: frac(o.corrupt), correlation: frac(o.corruptCorrelation) };
    if (o.rate !== undefined) j.rate = { rate: o.rate, packetoverhead: o.packetOverhead, cellsize: o.cellSize, celloverhead: o.cellOverhead };
    return Object.assign(j, { ecn: o.ecn, gap: o.gap });
  },
};

/** Anything else: the view's keys in tc's snake_case. */
function snake(o: Json): Json {
  const j: Json = {};
  for (const [k, v] of Object.entries(o)) j[k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = v;
  return j;
}

/**
 * One entry of `tc -j [-s] qdisc show`.
 *
 * @example
 * ```ts
 * const qdiscs = await rt.tc.qdisc.list({ dev: "eth0" });
 * console.log(JSON.stringify(qdiscs.map((q) => qdiscToTcJson(q, { devFiltered: true, stats: true }))));   // as tc -s -j qdisc show dev eth0
 * // [{"kind":"tbf","handle":"1:","root":true,"refcnt":2,"options":{"rate":125000,"burst":32768,"lat":400000},"bytes":0,...}]
 * ```
 */
export function qdiscToTcJson(q: Qdisc, opts: TcJsonOptions = {}): Json {
  const j: Json = { kind: q.kind, handle: q.handle };
  if (!opts.devFiltered) j.dev = q.dev;
  if (q.parent === "root") j.root = true;
  else if (q.parent !== "none") j.parent = q.parent === "ingress" ? "ffff:fff1" : q.parent;
  if (q.refcnt !== undefined && q.refcnt !== 1) j.refcnt = q.refcnt;
  if (q.offloaded) j.offloaded = true;
  if (q.ingressBlock) j.ingress_block = q.ingressBlock;
  if (q.egressBlock) j.egress_block = q.egressBlock;
  const f = QDISC_OPTIONS[q.kind];
  j.options = q.raw !== undefined ? {} : f ? f(q.options, opts) : snake(q.options);
  if (opts.stats) Object.assign(j, statsJson(q.stats));
  return j;
}

/**
 * One class as JSON with tc's words (tc 6.1 itself prints htb classes only as text).
 *
 * @example
 * ```ts
 * const classes = await rt.tc.class.list({ dev: "eth0" });
 * console.log(classes.map((c) => classToTcJson(c, { devFiltered: true })));
 * // [ { class: "htb", handle: "1:10", parent: "1:", prio: 0, rate: 1250000, ceil: 1250000, burst: 1600, cburst: 1600 } ]
 * ```
 */
export function classToTcJson(c: TcClass, opts: TcJsonOptions = {}): Json {
  const j: Json = { class: c.kind, handle: c.classid };
  if (!opts.devFiltered) j.dev = c.dev;
  if (c.parent === "root") j.root = true;
  else j.parent = c.parent;
  if (c.leaf) j.leaf = c.leaf;
  if (c.kind === "htb" && c.options.rate !== undefined) {
    const o = c.options;
    if (!o.level) j.prio = o.prio;
    Object.assign(j, { rate: o.rate, ceil: o.ceil, burst: o.burst, cburst: o.cburst });
    if (o.overhead) j.overhead = o.overhead;
    if (opts.details) Object.assign(j, { quantum: o.quantum, level: o.level, linklayer: o.linklayer });
  } else {
    Object.assign(j, snake(c.options));
  }
  if (opts.stats) {
    Object.assign(j, statsJson(c.stats));
    if (c.xstats) Object.assign(j, snake(c.xstats));
  }
  return j;
}

function controlJson(c: unknown): Json {
  if (c && typeof c === "object") {
    const x = c as { goto?: number; jump?: number };
    return x.goto !== undefined ? { type: "goto", chain: x.goto } : { type: "jump", jump: x.jump };
  }
  return { type: c as string };
}

function timesJson(a: Action): Json {
  const j: Json = {};
  if (a.installed !== undefined) j.installed = a.installed;
  if (a.lastUsed !== undefined) j.last_used = a.lastUsed;
  if (a.firstUsed !== undefined) j.first_used = a.firstUsed;
  if (a.expires !== undefined) j.expires = a.expires;
  return j;
}

/**
 * One action of a filter's "actions" array.
 *
 * @example
 * ```ts
 * const [f] = await rt.tc.filter.list({ dev: "eth0", parent: "ingress", pref: 1, handle: 1 });
 * for (const a of f?.actions ?? []) console.log(actionToTcJson(a, { stats: true }));
 * // { order: 1, kind: "gact", control_action: { type: "drop" }, prob: { random_type: "none", ... }, index: 1, ref: 1, bind: 1, installed: 12, ... }
 * ```
 */
export function actionToTcJson(a: Action, opts: TcJsonOptions = {}): Json {
  const j: Json = { order: a.order, kind: a.kind };
  const o = a.options;
  switch (a.kind) {
    case "mirred":
      Object.assign(j, { mirred_action: o.action, direction: o.direction, to_dev: o.dev, control_action: controlJson(o.control) });
      break;
    case "gact": {
      j.control_action = controlJson(o.action);
      const r = (o.random ?? { type: "none", action: "pass", value: 0 }) as { type: string; action: Control; value: number };
      j.prob = { random_type: r.type, control_action: controlJson(r.action), val: r.value };
      break;
    }
    case "police":
      Object.assign(j, { index: a.index, control_action: controlJson(o.exceed) });
      if (o.conform !== undefined) j.control_action2 = controlJson(o.conform);
      j.overhead = o.overhead;
      if (o.linklayer !== "ethernet" || opts.details) j.linklayer = o.linklayer;
      break;
    default:
      break;
  }
  if (a.kind !== "police") Object.assign(j, { index: a.index });
  Object.assign(j, { ref: a.ref, bind: a.bind });
  if (opts.stats) {
    Object.assign(j, timesJson(a));
    if (a.stats) j.stats = statsJson(a.stats);
  }
  if (a.cookie) j.cookie = a.cookie;
  return j;
}

function flagsJson(o: Json, j: Json): void {
  for (const [k, t] of [["skipHw", "skip_hw"], ["skipSw", "skip_sw"], ["inHw", "in_hw"], ["notInHw", "not_in_hw"]] as const) if (o[k]) j[t] = true;
}

const FILTER_OPTIONS: Record<string, (f: Filter, o: Json, d: TcJsonOptions) => Json> = {
  u32(f, o, d) {
    const j: Json = {};
    if (f.handle !== undefined) j.fh = f.handle;
    if (o.order) j.order = o.order;
    if (o.divisor !== undefined) j.ht_divisor = o.divisor;
    else if (o.ht !== undefined) Object.assign(j, { key_ht: String(o.ht).replace(/:$/, ""), bkt: hex(o.bucket) });
    if (o.classid !== undefined) j.flowid = o.classid;
    if (o.link !== undefined) j.link = o.link;
    flagsJson(o, j);
    const hits = o.hits as { rule: number; success: number } | undefined;
    if (d.stats && hits) Object.assign(j, { rule_hit: hits.rule, success: hits.success });
    const mark = o.mark as { value: number; mask: number; success: number } | undefined;
    if (mark) Object.assign(j, { fwmark_value: hex0x(mark.value), fwmark_mask: hex0x(mark.mask), fwmark_success: mark.success });
    const keys = (o.keys ?? []) as Array<{ value: number; mask: number; off: number; offmask: number }>;
    // every key prints under "match": a parser keeps the last one
    const last = keys[keys.length - 1];
    if (last) j.match = { value: hex(last.value), mask: hex(last.mask), offmask: last.offmask ? "nexthdr+" : "", off: last.off };
    const off = o.offset as Json | undefined;
    if (off) {
      if (off.mask || off.shift || off.at) Object.assign(j, { offset_mask: hex(off.mask), offset_shift: off.shift, offset_off: off.at });
      if (off.plus) j.plus = off.plus;
    }
    const hk = o.hashkey as Json | undefined;
    if (hk) Object.assign(j, { hash_mask: hex(hk.mask), hash_off: hk.at });
    if (o.indev !== undefined) j.input_dev = o.indev;
    return j;
  },
  bpf(f, o) {
    const j: Json = {};
    if (f.handle !== undefined) j.handle = f.handle;
    if (o.classid !== undefined) j.flowid = o.classid;
    if (o.name !== undefined) j.bpf_name = o.name;
    if (o.directAction) j["direct-action"] = true;
    flagsJson(o, j);
    // tc reads the program's name and jited state through bpf(); the dump carries id and tag
    if (o.id !== undefined) j.prog = { id: o.id, ...(o.tag !== undefined ? { tag: o.tag } : {}) };
    else if (o.tag !== undefined) j.tag = o.tag;
    return j;
  },
  matchall(f, o, d) {
    const j: Json = {};
    if (f.handleValue) j.handle = f.handleValue;
    if (o.classid !== undefined) j.flowid = o.classid;
    flagsJson(o, j);
    if (d.stats && o.hits !== undefined) j.rule_hit = o.hits;
    return j;
  },
};

/**
 * One entry of `tc -j [-s] filter show dev DEV [parent P]`.
 *
 * @example
 * ```ts
 * const filters = await rt.tc.filter.list({ dev: "eth0", parent: "ingress" });
 * console.log(JSON.stringify(filters.map((f) => filterToTcJson(f, { devFiltered: true, parent: "ingress" }))));   // as tc -j filter show dev eth0 ingress
 * // [{"protocol":"ip","pref":1,"kind":"flower","chain":0},{"protocol":"ip","pref":1,"kind":"flower","chain":0,"options":{...}}]
 * ```
 */
export function filterToTcJson(f: Filter, opts: TcJsonOptions = {}): Json {
  const j: Json = {};
  if (!opts.devFiltered) j.dev = f.dev;
  if (opts.parent === undefined || opts.parent !== f.parent) {
    if (f.parent === "root" || f.parent === "ingress" || f.parent === "egress") j[f.parent] = true;
    else j.parent = f.parent;
  }
  if (f.protocol !== "[0]" && f.protocol !== opts.protocol) j.protocol = f.protocol;
  if (f.pref && f.pref !== opts.pref) j.pref = f.pref;
  j.kind = f.kind;
  if (f.chain !== undefined) j.chain = f.chain;
  if (f.options !== undefined) {
    const conv = FILTER_OPTIONS[f.kind];
    const o = conv ? conv(f, f.options, opts) : snake(f.options);
    if (f.actions?.length) o.actions = f.actions.map((a) => actionToTcJson(a, opts));
    j.options = o;
  } else if (f.raw !== undefined) {
    j.options = {};
  }
  if (opts.stats && f.stats) Object.assign(j, statsJson(f.stats));
  return j;
}
