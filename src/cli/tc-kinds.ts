// tc's words for each qdisc, class, classifier and action kind, turned into the library's
// options (`kind: K, K: {...}`). Values stay in tc's words where the library reads them too
// ("1mbit", "32kb", "400ms"); tc's hex-only fields (masks, htb default) are read here.
import type { ActionSpec } from "../rtnl/tc/action/index.js";
import { Args, INCOMPLETE, matches, UsageError } from "./grammar.js";

type Opts = Record<string, unknown>;

export function tcError(msg: string): never {
  throw new UsageError(msg);
}

/** tc's get_u32 with base 0 (decimal, 0x hex, 0 octal). */
export function num(text: string, what: string, max = 0xffffffff): number {
  let n: number;
  if (/^0x[0-9a-f]+$/i.test(text)) n = parseInt(text.slice(2), 16);
  else if (/^0[0-7]+$/.test(text)) n = parseInt(text, 8);
  else if (/^\d+$/.test(text)) n = Number(text);
  else n = NaN;
  if (!(n >= 0 && n <= max)) tcError(`Illegal "${what}"`);
  return n;
}

/** A signed decimal (tc's get_integer / get_s32). */
export function int(text: string, what: string): number {
  if (!/^-?(0x[0-9a-f]+|\d+)$/i.test(text)) tcError(`Illegal "${what}"`);
  const neg = text.startsWith("-");
  const t = neg ? text.slice(1) : text;
  const n = t.startsWith("0x") ? parseInt(t.slice(2), 16) : Number(t);
  return neg ? -n : n;
}

/** tc's get_u32 with base 16: a hex number with or without 0x. */
export function hexNum(text: string, what: string, max = 0xffffffff): number {
  const t = text.replace(/^0x/i, "");
  if (!/^[0-9a-f]+$/i.test(t)) tcError(`Illegal "${what}"`);
  const n = parseInt(t, 16);
  if (n > max) tcError(`Illegal "${what}"`);
  return n;
}

const isNumber = (w: string | undefined) => w !== undefined && /^[0-9]/.test(w);

type KindParser = (args: Args, kind: string) => Opts | undefined;

function noOptions(args: Args, kind: string): undefined {
  if (!args.done) tcError(`qdisc '${kind}' does not support option parsing`);
  return undefined;
}

function unknown(kind: string, w: string): never {
  tcError(`${kind}: unknown parameter "${w}"`);
}

function fifo(args: Args, kind: string): Opts {
  const o: Opts = {};
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (w === "limit") o.limit = args.value();
    else unknown(kind, w);
  }
  return o;
}

function tbf(args: Args): Opts {
  const o: Opts = {};
  const once = (k: string, v: unknown, what: string) => {
    if (o[k] !== undefined) tcError(`tbf: duplicate "${what}" specification`);
    o[k] = v;
  };
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (matches(w, "limit")) once("limit", args.value(), "limit");
    else if (matches(w, "latency")) once("latency", args.value(), "latency");
    else if (matches(w, "burst") || w === "buffer" || w === "maxburst") once("burst", args.value(), "buffer/burst/maxburst");
    else if (w === "mtu" || w === "minburst") once("mtu", args.value(), "mtu/minburst");
    else if (w === "mpu") once("mpu", args.value(), "mpu");
    else if (w === "rate") once("rate", args.value(), "rate");
    else if (matches(w, "peakrate")) once("peakrate", args.value(), "peakrate");
    else if (matches(w, "overhead")) once("overhead", num(args.value(), "overhead", 0xffff), "overhead");
    else if (matches(w, "linklayer")) o.linklayer = args.value();
    else unknown("tbf", w);
  }
  return o;
}

function htb(args: Args): Opts {
  const o: Opts = {};
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (matches(w, "r2q")) o.r2q = num(args.value(), "r2q");
    else if (matches(w, "default")) o.default = hexNum(args.value(), "default");
    else if (matches(w, "direct_qlen")) o.directQlen = num(args.value(), "direct_qlen");
    else if (matches(w, "offload")) o.offload = true;
    else if (matches(w, "debug")) args.value();
    else tcError(`What is "${w}"?`);
  }
  return o;
}

function htbClass(args: Args): Opts {
  const o: Opts = {};
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (matches(w, "prio")) o.prio = num(args.value(), "prio");
    else if (matches(w, "mtu")) o.mtu = num(args.value(), "mtu");
    else if (matches(w, "mpu")) o.mpu = num(args.value(), "mpu", 0xffff);
    else if (matches(w, "overhead")) o.overhead = num(args.value(), "overhead", 0xffff);
    else if (matches(w, "linklayer")) o.linklayer = args.value();
    else if (matches(w, "quantum")) o.quantum = num(args.value(), "quantum");
    else if (matches(w, "burst") || w === "buffer" || w === "maxburst") o.burst = args.value();
    else if (matches(w, "cburst") || w === "cbuffer" || w === "cmaxburst") o.cburst = args.value();
    else if (w === "ceil") {
      if (o.ceil !== undefined) tcError('Double "ceil" spec');
      o.ceil = args.value();
    } else if (w === "rate") {
      if (o.rate !== undefined) tcError('Double "rate" spec');
      o.rate = args.value();
    } else tcError(`What is "${w}"?`);
  }
  if (o.rate === undefined) tcError('"rate" is required.');
  return o;
}

function netem(args: Args): Opts {
  const o: Opts = {};
  const nextNum = () => isNumber(args.peek());
  const pct = (w: string) => w;
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (matches(w, "limit")) o.limit = args.value();
    else if (matches(w, "latency") || matches(w, "delay")) {
      o.delay = args.value();
      if (nextNum()) {
        o.jitter = args.value();
        if (nextNum()) o.delayCorrelation = pct(args.value());
      }
    } else if (matches(w, "loss") || matches(w, "drop")) {
      let v = args.value();
      if (v === "random") v = args.value();
      else if (!isNumber(v)) tcError(`Unknown loss parameter: ${v}`);
      o.loss = pct(v);
      if (nextNum()) o.lossCorrelation = pct(args.value());
    } else if (matches(w, "ecn")) o.ecn = true;
    else if (matches(w, "reorder")) {
      o.reorder = pct(args.value());
      if (nextNum()) o.reorderCorrelation = pct(args.value());
    } else if (matches(w, "corrupt")) {
      o.corrupt = pct(args.value());
      if (nextNum()) o.corruptCorrelation = pct(args.value());
    } else if (matches(w, "gap")) o.gap = num(args.value(), "gap");
    else if (matches(w, "duplicate")) {
      o.duplicate = pct(args.value());
      if (nextNum()) o.duplicateCorrelation = pct(args.value());
    } else if (matches(w, "rate")) {
      o.rate = args.value();
      const signed = () => /^-?[0-9]/.test(args.peek() ?? "");
      if (signed()) o.packetOverhead = int(args.value(), "rate");
      if (nextNum()) o.cellSize = num(args.value(), "rate");
      if (signed()) o.cellOverhead = int(args.value(), "rate");
    } else tcError(`What is "${w}"?`);
  }
  return o;
}

function fqCodel(args: Args): Opts {
  const o: Opts = {};
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (w === "limit") o.limit = num(args.value(), "limit");
    else if (w === "flows") o.flows = num(args.value(), "flows");
    else if (w === "quantum") o.quantum = num(args.value(), "quantum");
    else if (w === "drop_batch") o.dropBatch = num(args.value(), "drop_batch");
    else if (w === "target") o.target = args.value();
    else if (w === "ce_threshold") o.ceThreshold = args.value();
    else if (w === "memory_limit") o.memoryLimit = args.value();
    else if (w === "interval") o.interval = args.value();
    else if (w === "ecn") o.ecn = true;
    else if (w === "noecn") o.ecn = false;
    else tcError(`What is "${w}"?`);
  }
  return o;
}

function fq(args: Args): Opts {
  const o: Opts = {};
  const words: Record<string, [string, (v: string) => unknown]> = {
    limit: ["limit", (v) => num(v, "limit")], flow_limit: ["flowLimit", (v) => num(v, "flow_limit")],
    buckets: ["buckets", (v) => num(v, "buckets")], maxrate: ["maxrate", (v) => v], low_rate_threshold: ["lowRateThreshold", (v) => v],
    ce_threshold: ["ceThreshold", (v) => v], horizon: ["horizon", (v) => v], quantum: ["quantum", (v) => num(v, "quantum")],
    initial_quantum: ["initialQuantum", (v) => num(v, "initial_quantum")], orphan_mask: ["orphanMask", (v) => num(v, "orphan_mask")],
    refill_delay: ["refillDelay", (v) => v],
  };
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    const hit = words[w];
    if (hit) o[hit[0]] = hit[1](args.value());
    else if (w === "pacing") o.pacing = true;
    else if (w === "nopacing") o.pacing = false;
    else if (w === "horizon_drop") o.horizonDrop = true;
    else if (w === "horizon_cap") o.horizonDrop = false;
    else tcError(`What is "${w}"?`);
  }
  return o;
}

function sfq(args: Args): Opts {
  const o: Opts = {};
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (w === "quantum") o.quantum = args.value();
    else if (w === "perturb") o.perturb = num(args.value(), "perturb");
    else if (w === "limit") o.limit = num(args.value(), "limit");
    else if (w === "divisor") o.divisor = num(args.value(), "divisor");
    else if (w === "flows") o.flows = num(args.value(), "flows");
    else if (w === "depth") o.depth = num(args.value(), "depth");
    else if (w === "headdrop") o.headdrop = true;
    else tcError(`What is "${w}"? (nlkit does not encode SFQRED's options)`);
  }
  return o;
}

function prio(args: Args): Opts {
  const o: Opts = {};
  let map: number[] | undefined;
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (w === "bands") o.bands = num(args.value(), "bands");
    else if (w === "priomap") {
      if (map) tcError("Error: duplicate priomap");
      map = [];
    } else if (w === "multiqueue") o.multiqueue = true;
    else if (map && isNumber(w)) map.push(num(w, "priomap"));
    else tcError(`What is "${w}"?`);
  }
  if (map) o.priomap = map;
  return o;
}

const CAKE_FLAGS: Record<string, [string, unknown]> = {
  unlimited: ["unlimited", true], "autorate-ingress": ["autorateIngress", true],
  besteffort: ["diffserv", "besteffort"], precedence: ["diffserv", "precedence"], diffserv8: ["diffserv", "diffserv8"],
  diffserv4: ["diffserv", "diffserv4"], diffserv: ["diffserv", "diffserv4"], diffserv3: ["diffserv", "diffserv3"],
  nowash: ["wash", false], wash: ["wash", true], "split-gso": ["splitGso", true], "no-split-gso": ["splitGso", false],
  flowblind: ["flowmode", "flowblind"], srchost: ["flowmode", "srchost"], dsthost: ["flowmode", "dsthost"], hosts: ["flowmode", "hosts"],
  flows: ["flowmode", "flows"], "dual-srchost": ["flowmode", "dual-srchost"], "dual-dsthost": ["flowmode", "dual-dsthost"],
  "triple-isolate": ["flowmode", "triple-isolate"], nat: ["nat", true], nonat: ["nat", false],
  ptm: ["atm", "ptm"], atm: ["atm", "atm"], noatm: ["atm", "noatm"], raw: ["raw", true],
  ingress: ["ingress", true], egress: ["ingress", false],
  "no-ack-filter": ["ackFilter", "none"], "ack-filter": ["ackFilter", "filter"], "ack-filter-aggressive": ["ackFilter", "aggressive"],
};

function cake(args: Args): Opts {
  const o: Opts = {};
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    const flag = CAKE_FLAGS[w];
    if (flag) o[flag[0]] = flag[1];
    else if (w === "bandwidth") o.bandwidth = args.value();
    else if (w === "rtt") o.rtt = args.value();
    else if (w === "overhead") o.overhead = int(args.value(), "overhead");
    else if (w === "mpu") o.mpu = num(args.value(), "mpu");
    else if (w === "memlimit") o.memlimit = args.value();
    else if (w === "fwmark") o.fwmark = num(args.value(), "fwmark");
    else tcError(`What is "${w}"? (nlkit does not encode cake's framing presets or rtt names)`);
  }
  return o;
}

export const QDISC_PARSERS: Record<string, KindParser> = {
  pfifo: fifo, bfifo: fifo, pfifo_head_drop: fifo, pfifo_fast: noOptions, tbf, htb, mq: noOptions, ingress: noOptions, clsact: noOptions,
  netem, fq_codel: fqCodel, fq, sfq, prio, cake,
};

export const CLASS_PARSERS: Record<string, KindParser> = { htb: htbClass };

// --- actions -------------------------------------------------------------------------------------

const CONTROLS = ["continue", "drop", "shot", "pass", "ok", "reclassify", "pipe", "goto", "jump", "trap"];

/** tc's action_a2n by prefix, with goto chain N and jump N. */
function control(args: Args, w: string): unknown {
  const word = CONTROLS.find((c) => matches(w, c));
  if (!word) return undefined;
  if (word === "goto") {
    if (!matches(args.shift(), "chain")) tcError('"chain index" expected');
    return { goto: num(args.value(), "chain index", 0x0fffffff) };
  }
  if (word === "jump") return { jump: num(args.value(), "jump count", 0x0fffffff) };
  return word;
}

function isControl(w: string | undefined): boolean {
  return w !== undefined && CONTROLS.some((c) => matches(w, c));
}

function mirred(args: Args): Opts {
  const o: Opts = {};
  const dir = args.shift();
  if (dir === undefined) tcError(INCOMPLETE);
  if (matches(dir, "index")) {
    o.index = num(args.value(), "index");
    return o;
  }
  if (!matches(dir, "egress") && !matches(dir, "ingress")) tcError(`mirred option not supported ${dir}`);
  o.direction = matches(dir, "egress") ? "egress" : "ingress";
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (matches(w, "index")) o.index = num(args.value(), "index");
    else if (matches(w, "mirror")) o.action = "mirror";
    else if (matches(w, "redirect")) o.action = "redirect";
    else if (o.action !== undefined && matches(w, "dev")) {
      o.dev = args.value();
      break;
    } else tcError(`was expecting egress or ingress (${w})`);
  }
  if (o.action === "mirror" && isControl(args.peek())) o.control = control(args, args.shift()!);
  if (matches(args.peek(), "index")) {
    args.shift();
    if (o.index !== undefined) tcError("mirred: Illegal double index");
    o.index = num(args.value(), "index");
  }
  return o;
}

function gact(args: Args, first: string): Opts {
  const o: Opts = {};
  let w = first;
  if (matches(w, "gact")) w = args.value();
  if (matches(w, "index")) {
    o.index = num(args.value(), "index");
    return o;
  }
  o.action = control(args, w) ?? tcError(`Bad action type ${w}`);
  if (matches(args.peek(), "random")) {
    args.shift();
    const t = args.value();
    const type = matches(t, "netrand") ? "netrand" : matches(t, "determ") ? "determ" : tcError(`Illegal "random type" (${t})`);
    const a = control(args, args.value()) ?? tcError("Illegal random action");
    o.random = { type, action: a, value: num(args.value(), "probability val", 10000) };
  }
  if (matches(args.peek(), "index")) {
    args.shift();
    o.index = num(args.value(), "index");
  }
  return o;
}

function police(args: Args): Opts {
  const o: Opts = {};
  for (let w = args.peek(); w !== undefined; w = args.peek()) {
    if (matches(w, "index")) { args.shift(); o.index = num(args.value(), "index"); }
    else if (matches(w, "burst") || w === "buffer" || w === "maxburst") { args.shift(); o.burst = args.value(); }
    else if (w === "mtu" || w === "minburst") { args.shift(); o.mtu = args.value(); }
    else if (w === "mpu") { args.shift(); o.mpu = args.value(); }
    else if (w === "rate") { args.shift(); o.rate = args.value(); }
    else if (w === "avrate") { args.shift(); o.avrate = args.value(); }
    else if (matches(w, "peakrate")) { args.shift(); o.peakrate = args.value(); }
    else if (matches(w, "overhead")) { args.shift(); o.overhead = num(args.value(), "overhead", 0xffff); }
    else if (matches(w, "linklayer")) { args.shift(); o.linklayer = args.value(); }
    else if (w === "conform-exceed") {
      args.shift();
      const v = args.value();
      const [ex, co] = v.split("/");
      o.exceed = control(new Args([]), ex!) ?? tcError(`Bad action type ${ex}`);
      if (co !== undefined) o.conform = control(new Args([]), co) ?? tcError(`Bad action type ${co}`);
      else if (isControl(args.peek()) || args.peek() === "/") {
        if (args.peek() === "/") args.shift();
        o.conform = control(args, args.shift()!);
      }
    } else if (["reclassify", "drop", "shot", "continue", "pass", "ok", "pipe", "goto"].some((c) => matches(w, c))) {
      args.shift();
      o.exceed = control(args, w);
    } else break;
  }
  return o;
}

/** Words that end an action list: the classifier's own (tc: flowid/classid) or a new command. */
const ACTION_STOP = ["classid", "flowid"];

/**
 * `action KIND ... [action KIND ...]`: mirred, gact (or a bare control word), police; each may
 * end with cookie HEX, no_percpu, skip_sw, skip_hw. Stops at classid/flowid, as tc.
 */
export function parseActions(args: Args): ActionSpec[] {
  const list: ActionSpec[] = [];
  let expect = true;
  for (let w = args.peek(); w !== undefined; w = args.peek()) {
    if (w === "action") {
      args.shift();
      expect = true;
      continue;
    }
    if (ACTION_STOP.includes(w)) break;
    args.shift();
    let a: ActionSpec;
    if (matches(w, "mirred")) a = { kind: "mirred", mirred: mirred(args) as never };
    else if (matches(w, "police")) a = { kind: "police", police: police(args) as never };
    else if (matches(w, "gact") || isControl(w)) a = { kind: "gact", gact: gact(args, w) as never };
    else tcError(`bad action type ${w}`);
    expect = false;
    if (args.peek() === "cookie") {
      args.shift();
      a.cookie = args.value();
    }
    if (args.peek() === "no_percpu") {
      args.shift();
      a.noPercpu = true;
    }
    for (let i = 0; i < 2; i++) {
      if (args.peek() === "skip_sw") { args.shift(); a.skipSw = true; }
      else if (args.peek() === "skip_hw") { args.shift(); a.skipHw = true; }
    }
    list.push(a);
  }
  if (expect) tcError("bad action empty");
  return list;
}

// --- classifiers -----------------------------------------------------------------------------------

export interface FilterParse {
  options: Opts;
  actions?: ActionSpec[];
}

function u32Value(args: Args, what: string): { value: number; mask: number } {
  return { value: num(args.value(), what), mask: hexNum(args.value(), what) };
}

/** A u32 key's optional "at [nexthdr+]OFFSET". */
function at(args: Args, o: Opts): void {
  if (args.peek() !== "at") return;
  args.shift();
  let w = args.value();
  if (w.startsWith("nexthdr+") && w.length > 8) {
    o.nexthdr = true;
    w = w.slice(8);
  } else if (matches(w, "nexthdr+")) {
    o.nexthdr = true;
    w = args.value();
  }
  o.at = int(w, "at");
}

function selector(args: Args): Record<string, Opts> {
  const sel = args.value();
  const field = (o: Opts, k: string, bits: 8 | 16 | 32) => {
    const v = u32Value(args, k);
    o[k] = bits === 32 && v.mask === 0xffffffff ? v.value : v;
  };
  if (matches(sel, "u32") || matches(sel, "u16") || matches(sel, "u8")) {
    const o: Opts = u32Value(args, sel);
    at(args, o);
    return { [matches(sel, "u32") ? "u32" : matches(sel, "u16") ? "u16" : "u8"]: o };
  }
  if (matches(sel, "ip") || matches(sel, "ip6")) {
    const v6 = matches(sel, "ip6") && sel.length > 2;
    const w = args.value();
    const o: Opts = {};
    const names: Record<string, string> = v6
      ? { priority: "priority", protocol: "protocol", flowlabel: "flowlabel", dport: "dport", sport: "sport", icmp_type: "icmpType", icmp_code: "icmpCode" }
      : { tos: "tos", ihl: "ihl", protocol: "protocol", dport: "dport", sport: "sport", icmp_type: "icmpType", icmp_code: "icmpCode" };
    if (w === "src" || w === "dst") o[w] = args.value();
    else if (!v6 && (matches(w, "dsfield") || matches(w, "precedence"))) field(o, "tos", 8);
    else if (!v6 && ["nofrag", "firstfrag", "df", "mf"].includes(w)) o[w] = true;
    else if (names[w]) field(o, names[w]!, 8);
    else tcError('Illegal "match"');
    return { [v6 ? "ip6" : "ip"]: o };
  }
  if (matches(sel, "tcp") || matches(sel, "udp")) {
    const w = args.value();
    if (w !== "src" && w !== "dst") tcError('Illegal "match"');
    return { [matches(sel, "tcp") ? "tcp" : "udp"]: { [w]: u32Value(args, w) } };
  }
  if (matches(sel, "icmp")) {
    const w = args.value();
    if (w !== "type" && w !== "code") tcError('Illegal "match"');
    return { icmp: { [w]: u32Value(args, w) } };
  }
  if (matches(sel, "mark")) return { mark: { value: num(args.value(), "mark"), mask: num(args.value(), "mark") } };
  if (matches(sel, "ether")) {
    const w = args.value();
    if (w !== "src" && w !== "dst") tcError(`Unknown match: ether ${w}`);
    return { ether: { [w]: args.value() } };
  }
  tcError('Illegal "match"');
}

function u32(args: Args): FilterParse {
  const o: Opts = {};
  const match: Record<string, Opts>[] = [];
  let actions: ActionSpec[] | undefined;
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (matches(w, "match")) match.push(selector(args));
    else if (matches(w, "offset")) {
      const off: Opts = {};
      for (let x = args.peek(); x !== undefined; x = args.peek()) {
        if (matches(x, "plus")) { args.shift(); off.plus = int(args.value(), "offset"); }
        else if (matches(x, "at")) { args.shift(); off.at = int(args.value(), "offset"); }
        else if (matches(x, "mask")) { args.shift(); off.mask = hexNum(args.value(), "offset", 0xffff); }
        else if (matches(x, "shift")) { args.shift(); off.shift = int(args.value(), "offset"); }
        else if (matches(x, "eat")) { args.shift(); off.eat = true; }
        else break;
      }
      o.offset = off;
    } else if (matches(w, "hashkey")) {
      const h: Opts = {};
      for (let x = args.peek(); x !== undefined; x = args.peek()) {
        if (matches(x, "mask")) { args.shift(); h.mask = hexNum(args.value(), "hashkey"); }
        else if (matches(x, "at")) { args.shift(); h.at = int(args.value(), "hashkey"); }
        else break;
      }
      o.hashkey = h;
    } else if (matches(w, "classid") || w === "flowid") o.classid = args.value();
    else if (matches(w, "divisor")) o.divisor = num(args.value(), "divisor");
    else if (matches(w, "order")) o.order = num(args.value(), "order");
    else if (w === "link") o.link = args.value();
    else if (w === "ht") o.ht = args.value();
    else if (w === "indev") o.indev = args.value();
    else if (w === "skip_hw") o.skipHw = true;
    else if (w === "skip_sw") o.skipSw = true;
    else if (matches(w, "action")) actions = [...(actions ?? []), ...parseActions(args)];
    else tcError(`What is "${w}"?`);
  }
  if (match.length) o.match = match;
  return { options: o, actions };
}

function bytecode(text: string): number[][] {
  const parts = text.split(",").map((s) => s.trim());
  const n = Number(parts.shift());
  const ops = parts.map((p) => p.split(/\s+/).map((x) => Number(x)));
  if (!Number.isInteger(n) || n !== ops.length || ops.some((op) => op.length !== 4 || op.some((x) => !Number.isInteger(x)))) {
    tcError("bytecode: expected 'N,code jt jf k,...'");
  }
  return ops;
}

function bpf(args: Args): FilterParse {
  const o: Opts = {};
  let actions: ActionSpec[] | undefined;
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (matches(w, "object-pinned") || matches(w, "pinned")) o.pinned = args.value();
    else if (matches(w, "fd")) o.fd = num(args.value(), "fd");
    else if (matches(w, "bytecode") || w === "bc") o.bytecode = bytecode(args.value());
    else if (matches(w, "object-file") || w === "obj") tcError("nlkit does not load BPF objects: pin the program (bpftool prog load ... /sys/fs/bpf/NAME) and use object-pinned");
    else if (matches(w, "classid") || matches(w, "flowid")) o.classid = args.value();
    else if (matches(w, "direct-action") || matches(w, "da")) o.directAction = true;
    else if (matches(w, "skip_hw")) o.skipHw = true;
    else if (matches(w, "skip_sw")) o.skipSw = true;
    else if (matches(w, "action")) actions = [...(actions ?? []), ...parseActions(args)];
    else if (w === "run") continue;
    else tcError(`What is "${w}"?`);
  }
  return { options: o, actions };
}

function matchall(args: Args): FilterParse {
  const o: Opts = {};
  let actions: ActionSpec[] | undefined;
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (matches(w, "classid") || w === "flowid") o.classid = args.value();
    else if (matches(w, "action")) actions = [...(actions ?? []), ...parseActions(args)];
    else if (w === "skip_hw") o.skipHw = true;
    else if (w === "skip_sw") o.skipSw = true;
    else tcError(`What is "${w}"?`);
  }
  return { options: o, actions };
}

const FLOWER_WORDS: Record<string, string> = {
  indev: "indev", vlan_id: "vlanId", vlan_prio: "vlanPrio", vlan_ethtype: "vlanEthType", dst_mac: "dstMac", src_mac: "srcMac",
  ip_proto: "ipProto", ip_tos: "ipTos", ip_ttl: "ipTtl", dst_ip: "dstIp", src_ip: "srcIp", dst_port: "dstPort", src_port: "srcPort",
};
const FLOWER_NUMBERS = new Set(["vlanId", "vlanPrio"]);

function flower(args: Args): FilterParse {
  const o: Opts = {};
  let actions: ActionSpec[] | undefined;
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    const key = Object.keys(FLOWER_WORDS).find((k) => matches(w, k));
    if (matches(w, "classid") || matches(w, "flowid")) o.classid = args.value();
    else if (matches(w, "skip_hw")) o.skipHw = true;
    else if (matches(w, "skip_sw")) o.skipSw = true;
    else if (matches(w, "action")) actions = [...(actions ?? []), ...parseActions(args)];
    else if (key) {
      const name = FLOWER_WORDS[key]!;
      const v = args.value();
      o[name] = FLOWER_NUMBERS.has(name) || (name === "dstPort" || name === "srcPort") && /^\d+$/.test(v) ? num(v, key) : v;
      if (name === "ipProto" && /^\d+$/.test(v)) o[name] = hexNum(v, key, 0xff);
      if (name === "ipTtl" && /^\d+$/.test(v)) o[name] = num(v, key, 0xff);
    } else tcError(`What is "${w}"? (nlkit encodes flower's ${Object.keys(FLOWER_WORDS).join(", ")}, classid, skip_hw, skip_sw, action)`);
  }
  return { options: o, actions };
}

export const FILTER_PARSERS: Record<string, (args: Args) => FilterParse> = { u32, bpf, matchall, flower };
