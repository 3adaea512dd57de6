// `tc [-s] [-d] [-p] qdisc|class|filter show` text from the library's objects, with tc's spacing.
import type { Action } from "../../rtnl/tc/action/index.js";
import type { TcStats } from "../../rtnl/tc/stats.js";
import type { Filter, Qdisc, TcClass } from "../../rtnl/tc/types.js";
import { formatRate, formatSize, formatTime } from "../../rtnl/tc/units.js";

export interface TcTextOptions {
  stats?: boolean;
  details?: boolean;
  pretty?: boolean;
  /** the listing was for one device: tc leaves "dev" out */
  devFiltered?: boolean;
  /** filters: the parent asked for, which tc leaves out */
  parent?: string;
  /** filters: the pref and protocol asked for, which tc leaves out too */
  pref?: number;
  protocol?: string;
}

type O = Record<string, any>;

/** print_tcstats2_attr: the Sent line, the estimator's rate, the backlog line. */
function statsText(s: TcStats, prefix: string): string {
  let t = `${prefix}Sent ${s.bytes} bytes ${s.packets} pkt (dropped ${s.drops}, overlimits ${s.overlimits} requeues ${s.requeues}) `;
  if (s.bps !== undefined) t += `\n${prefix}rate ${formatRate(s.bps)} ${s.pps}pps `;
  else t += "\n";
  return `${t}${prefix}backlog ${formatSize(s.backlog)} ${s.qlen}p requeues ${s.requeues}`;
}

const QDISC_TEXT: Record<string, (o: O, d: TcTextOptions) => string> = {
  pfifo: (o) => `limit ${o.limit}p`,
  pfifo_head_drop: (o) => `limit ${o.limit}p`,
  bfifo: (o) => `limit ${formatSize(o.limit)}`,
  pfifo_fast: (o) => prioText(o),
  prio: (o) => prioText(o),
  ingress: () => "---------------- ",
  tbf(o, d) {
    let t = `rate ${formatRate(o.rate)} `;
    t += d.details ? `burst ${formatSize(o.burst)}/${2 ** (o.cellLog ?? 0)} mpu ${formatSize(o.mpu ?? 0)} ` : `burst ${formatSize(o.burst)} `;
    if (o.peakrate) {
      t += `peakrate ${formatRate(o.peakrate)} `;
      if (o.minburst !== undefined) t += `minburst ${formatSize(o.minburst)} `;
    }
    if (o.latency !== undefined) t += `lat ${formatTime(o.latency)} `;
    else t += `limit ${formatSize(o.limit)} `;
    if (o.overhead) t += `overhead ${o.overhead} `;
    if (d.details || (o.linklayer !== "ethernet" && o.linklayer !== undefined)) t += `linklayer ${o.linklayer} `;
    return t;
  },
  htb(o, d) {
    let t = `r2q ${o.r2q} default 0x${Number(o.default ?? 0).toString(16)} direct_packets_stat ${o.directPacketsStat}`;
    if (d.details) t += ` ver ${o.version}`;
    if (o.directQlen !== undefined) t += ` direct_qlen ${o.directQlen}`;
    if (o.offload) t += " offload";
    return t;
  },
};

function prioText(o: O): string {
  let t = `bands ${o.bands} priomap`;
  for (const b of o.priomap ?? []) t += ` ${b}`;
  return t;
}

/** The rest: their options as key value pairs. */
function genericText(o: O): string {
  return Object.entries(o).map(([k, v]) => `${k} ${typeof v === "object" ? JSON.stringify(v) : v} `).join("");
}

export function qdiscText(q: Qdisc, opts: TcTextOptions): string {
  let t = `qdisc ${q.kind} ${q.handle} `;
  if (!opts.devFiltered) t += `dev ${q.dev} `;
  if (q.parent === "root") t += "root ";
  else if (q.parent !== "none") t += `parent ${q.parent === "ingress" ? "ffff:fff1" : q.parent} `;
  if (q.refcnt !== undefined && q.refcnt !== 1) t += `refcnt ${q.refcnt} `;
  if (q.offloaded) t += "offloaded ";
  if (q.ingressBlock) t += `ingress_block ${q.ingressBlock} `;
  if (q.egressBlock) t += `egress_block ${q.egressBlock} `;
  if (q.raw !== undefined) t += `[Unknown qdisc, optlen=${q.raw.length / 2}] `;
  else {
    const f = QDISC_TEXT[q.kind];
    t += f ? f(q.options, opts) : genericText(q.options);
  }
  t += "\n";
  if (opts.stats && q.stats) t += `${statsText(q.stats, " ")}\n`;
  return t;
}

export function classText(c: TcClass, opts: TcTextOptions): string {
  let t = `class ${c.kind} ${c.classid} `;
  if (!opts.devFiltered) t += `dev ${c.dev} `;
  t += c.parent === "root" ? "root " : `parent ${c.parent} `;
  if (c.leaf) t += `leaf ${c.leaf} `;
  const o = c.options as O;
  if (c.kind === "htb" && o.rate !== undefined) {
    if (!o.level) {
      t += `prio ${o.prio} `;
      if (opts.details) t += `quantum ${o.quantum} `;
    }
    t += `rate ${formatRate(o.rate)} `;
    if (o.overhead) t += `overhead ${o.overhead} `;
    t += `ceil ${formatRate(o.ceil)} `;
    if (opts.details || o.linklayer !== "ethernet") t += `linklayer ${o.linklayer} `;
    if (opts.details) {
      t += `burst ${formatSize(o.burst)}/${2 ** (o.cellLog ?? 0)} mpu ${formatSize(o.mpu ?? 0)} cburst ${formatSize(o.cburst)}/${2 ** (o.ccellLog ?? 0)} mpu ${formatSize(o.cmpu ?? 0)} level ${o.level} `;
    } else {
      t += `burst ${formatSize(o.burst)} cburst ${formatSize(o.cburst)} `;
    }
  } else if (c.raw === undefined) {
    t += genericText(o);
  }
  t += "\n";
  if (opts.stats) {
    if (c.stats) t += `${statsText(c.stats, " ")}\n`;
    const x = c.xstats as O | undefined;
    if (c.kind === "htb" && x) t += ` lended: ${x.lends} borrowed: ${x.borrows} giants: ${x.giants}\n tokens: ${x.tokens} ctokens: ${x.ctokens}\n`;
    // tc ends each class's counters with an empty line
    t += "\n";
  }
  return t;
}

function controlText(c: unknown): string {
  if (c && typeof c === "object") {
    const x = c as { goto?: number; jump?: number };
    return x.goto !== undefined ? `goto chain ${x.goto}` : `jump ${x.jump}`;
  }
  return String(c);
}

function timesText(a: Action): string {
  let t = "";
  if (a.installed !== undefined) t += ` installed ${a.installed} sec`;
  if (a.lastUsed !== undefined) t += ` used ${a.lastUsed} sec`;
  if (a.firstUsed !== undefined) t += ` firstused ${a.firstUsed} sec`;
  if (a.expires !== undefined) t += ` expires ${a.expires} sec`;
  return t;
}

function actionText(a: Action, opts: TcTextOptions): string {
  const o = a.options as O;
  let t = `\n\taction order ${a.order}: `;
  const gen = (tail = "") => `\tindex ${a.index} ref ${a.ref} bind ${a.bind}${opts.stats ? timesText(a) : ""}${tail}\n`;
  switch (a.kind) {
    case "mirred": {
      const what = `${o.direction === "egress" ? "Egress" : "Ingress"} ${o.action === "mirror" ? "Mirror" : "Redirect"}`;
      t += `mirred (${what} to device ${o.dev}) ${controlText(o.control)}\n${gen()}`;
      break;
    }
    case "gact": {
      t += `gact action ${controlText(o.action)}\n`;
      const r = o.random ?? { type: "none", action: "pass", value: 0 };
      t += `\t random type ${r.type} ${controlText(r.action)} val ${r.value}\n${gen()}`;
      break;
    }
    case "police":
      t += ` police 0x${(a.index ?? 0).toString(16)} rate ${formatRate(o.rate)} burst ${formatSize(o.burst)} mtu ${formatSize(o.mtu)} `;
      if (o.peakrate) t += `peakrate ${formatRate(o.peakrate)} `;
      if (o.avrate !== undefined) t += `avrate ${formatRate(o.avrate)} `;
      t += `action ${controlText(o.exceed)}${o.conform !== undefined ? `/${controlText(o.conform)} ` : " "}overhead ${formatSize(o.overhead ?? 0)} `;
      if (o.linklayer !== "ethernet" || opts.details) t += `linklayer ${o.linklayer} `;
      t += `\n\tref ${a.ref} bind ${a.bind} ${opts.stats ? timesText(a) : ""}\n`;
      break;
    default:
      t += `${a.kind} [unknown action]\n`;
  }
  if (opts.stats && a.stats) t += `\tAction statistics:\n${statsText(a.stats, "\t")}\n`;
  if (a.cookie) t += `\tcookie ${a.cookie}\n`;
  return t;
}

const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, "0");

function u32Key(k: { value: number; mask: number; off: number; offmask: number }, protocol: string, pretty: boolean): string {
  if (pretty && protocol === "ip") {
    const bits = maskBits(k.mask);
    if ((k.off === 12 || k.off === 16) && bits >= 0) {
      const a = [24, 16, 8, 0].map((s) => (k.value >>> s) & 0xff).join(".");
      return `\n  match IP ${k.off === 12 ? "src" : "dst"} ${a}/${bits}`;
    }
    if (k.off === 8 && k.mask === 0x00ff0000) return `\n  match IP protocol ${(k.value >>> 16) & 0xff}`;
    if (k.off === 20 && k.mask === 0x0000ffff) return `match dport ${k.value & 0xffff}`;
    if (k.off === 20 && k.mask === 0xffffffff) return `\n  match dport ${k.value & 0xffff}, match sport ${k.value >>> 16}`;
    if (k.off === 20 && k.mask === 0xffff0000) return `\n  match sport ${k.value >>> 16}`;
  }
  return `\n  match ${hex8(k.value)}/${hex8(k.mask)} at ${k.offmask ? "nexthdr+" : ""}${k.off}`;
}

function maskBits(m: number): number {
  const v = m >>> 0;
  let bits = 0;
  while (bits < 32 && v & (0x80000000 >>> bits)) bits++;
  return ((v << bits) >>> 0) === 0 ? bits : -1;
}

function flagsText(o: O): string {
  let t = "";
  if (o.skipHw) t += "skip_hw ";
  if (o.skipSw) t += "skip_sw ";
  if (o.inHw) t += "in_hw ";
  else if (o.notInHw) t += "not_in_hw ";
  return t;
}

function filterOptionsText(f: Filter, opts: TcTextOptions): string {
  const o = f.options as O;
  let t = "";
  switch (f.kind) {
    case "u32": {
      if (f.handle !== undefined) t += `fh ${f.handle} `;
      if (o.order) t += `order ${o.order} `;
      if (o.divisor !== undefined) t += `ht divisor ${o.divisor} `;
      else if (o.ht !== undefined) t += `key ht ${String(o.ht).replace(/:$/, "")} bkt ${Number(o.bucket).toString(16)} `;
      if (o.classid !== undefined) t += `${o.terminal ? "*" : ""}flowid ${o.classid} `;
      else if (o.terminal) t += "terminal flowid ";
      if (o.link !== undefined) t += `link ${o.link} `;
      t += flagsText(o);
      if (opts.stats && o.hits) t += `(rule hit ${o.hits.rule} success ${o.hits.success})`;
      if (o.mark) t += `\n  mark 0x${o.mark.value.toString(16).padStart(4, "0")} 0x${o.mark.mask.toString(16).padStart(4, "0")} (success ${o.mark.success})`;
      for (const k of o.keys ?? []) t += u32Key(k, f.protocol, !!opts.pretty);
      if (o.offset) {
        t += "\n    offset ";
        if (o.offset.mask || o.offset.shift || o.offset.at) t += `${o.offset.mask.toString(16).padStart(4, "0")}>>${o.offset.shift} at ${o.offset.at} `;
        if (o.offset.plus) t += `plus ${o.offset.plus} `;
      }
      if (o.offset?.eat) t += " eat ";
      if (o.hashkey) t += `\n    hash mask ${hex8(o.hashkey.mask)} at ${o.hashkey.at} `;
      if (o.indev !== undefined) t += `\n  input dev ${o.indev}\n`;
      break;
    }
    case "bpf":
      if (f.handle !== undefined) t += `handle ${f.handle} `;
      if (o.classid !== undefined) t += `flowid ${o.classid} `;
      if (o.name !== undefined) t += `${o.name} `;
      if (o.directAction) t += "direct-action ";
      t += flagsText(o);
      if (o.id !== undefined) t += `id ${o.id} `;
      if (o.tag !== undefined) t += `tag ${o.tag} `;
      break;
    case "matchall":
      if (f.handleValue) t += `handle 0x${f.handleValue.toString(16)} `;
      if (o.classid !== undefined) t += `flowid ${o.classid} `;
      for (const [k, w] of [["skipHw", "skip_hw"], ["skipSw", "skip_sw"], ["inHw", "in_hw"], ["notInHw", "not_in_hw"]]) if (o[k!]) t += `\n  ${w}`;
      break;
    default:
      if (f.handle !== undefined) t += `handle ${f.handle} `;
      t += genericText(o);
  }
  for (const a of f.actions ?? []) t += actionText(a, opts);
  return t;
}

export function filterText(f: Filter, opts: TcTextOptions): string {
  let t = "filter ";
  if (!opts.devFiltered) t += `dev ${f.dev} `;
  if (opts.parent === undefined || opts.parent !== f.parent) {
    t += f.parent === "root" || f.parent === "ingress" || f.parent === "egress" ? `${f.parent} ` : `parent ${f.parent} `;
  }
  if (f.protocol !== "[0]" && f.protocol !== opts.protocol) t += `protocol ${f.protocol} `;
  if (f.pref && f.pref !== opts.pref) t += `pref ${f.pref} `;
  t += `${f.kind} `;
  if (f.chain !== undefined) t += `chain ${f.chain} `;
  if (f.options !== undefined) t += filterOptionsText(f, opts);
  t += "\n";
  if (opts.stats && f.stats) t += `${statsText(f.stats, " ")}\n`;
  return t;
}
