import { attrSet, type AttrValues } from "../../../netlink/attrs.js";
import { boolOpt, checkOptions, defineQdisc, intOpt } from "../kind.js";
import { parseRate, parseTime, type RateInput, type TimeInput } from "../units.js";

export const fqAttrs = attrSet("fq", "TCA_FQ_", {
  plimit: [1, "u32"],
  flowPlimit: [2, "u32"],
  quantum: [3, "u32"],
  initialQuantum: [4, "u32"],
  rateEnable: [5, "u32"],
  flowDefaultRate: [6, "u32"],
  flowMaxRate: [7, "u32"],
  bucketsLog: [8, "u32"],
  flowRefillDelay: [9, "u32"],
  orphanMask: [10, "u32"],
  lowRateThreshold: [11, "u32"],
  ceThreshold: [12, "u32"],
  timerSlack: [13, "u32"],
  horizon: [14, "u32"],
  horizonDrop: [15, "u8"],
});

/**
 * Options of the fq (fair queue) qdisc.
 *
 * @example
 * ```ts
 * const fq: FqOptions = { maxrate: "100mbit", flowLimit: 100, pacing: true };
 * await rt.tc.qdisc.replace({ dev: "eth0", parent: "root", kind: "fq", fq });   // tc qdisc replace dev eth0 root fq maxrate 100mbit flow_limit 100 pacing
 * ```
 */
export interface FqOptions {
  /** packets */
  limit?: number;
  /** Most packets queued per flow. */
  flowLimit?: number;
  /** Bytes a flow may send per round. */
  quantum?: number;
  /** Bytes a new flow may send in its first round. */
  initialQuantum?: number;
  /** per-flow rate cap (32-bit bytes/s) */
  maxrate?: RateInput;
  /** hash buckets, rounded up to a power of two */
  buckets?: number;
  /** Pace flows at their socket's rate. */
  pacing?: boolean;
  /** Delay before a throttled flow is refilled. */
  refillDelay?: TimeInput;
  /** Hash mask for packets without a socket. */
  orphanMask?: number;
  /** Flows below this rate are not throttled by quantum. */
  lowRateThreshold?: RateInput;
  /** Mark CE above this delay. */
  ceThreshold?: TimeInput;
  /** Drop packets timestamped further ahead than this. */
  horizon?: TimeInput;
  /** true: drop packets beyond the horizon (horizon_drop); false: cap them (horizon_cap) */
  horizonDrop?: boolean;
}

const KEYS = ["limit", "flowLimit", "quantum", "initialQuantum", "maxrate", "buckets", "pacing", "refillDelay", "orphanMask",
  "lowRateThreshold", "ceThreshold", "horizon", "horizonDrop"];

/** tc's ilog2: the exponent of the power of two at or above `n`. */
function ceilLog2(n: number): number {
  let v = (n - 1) >>> 0, r = 0;
  while (v) { r++; v >>>= 1; }
  return r;
}

/** q_fq.c's order: buckets, limits, quanta, pacing, rates, delays, masks, thresholds, horizon. */
function encode(o: FqOptions | undefined) {
  const v = checkOptions(o, KEYS, "fq");
  const a: Record<string, unknown> = {};
  if (v.buckets !== undefined) {
    const n = intOpt(v.buckets, "fq.buckets");
    if (n) a.bucketsLog = ceilLog2(n);
  }
  if (v.limit !== undefined) a.plimit = intOpt(v.limit, "fq.limit");
  if (v.flowLimit !== undefined) a.flowPlimit = intOpt(v.flowLimit, "fq.flowLimit");
  if (v.quantum !== undefined) a.quantum = intOpt(v.quantum, "fq.quantum");
  if (v.initialQuantum !== undefined) a.initialQuantum = intOpt(v.initialQuantum, "fq.initialQuantum");
  if (v.pacing !== undefined) a.rateEnable = boolOpt(v.pacing, "fq.pacing") ? 1 : 0;
  if (v.maxrate !== undefined) a.flowMaxRate = parseRate(v.maxrate, "fq.maxrate", true);
  if (v.lowRateThreshold !== undefined) a.lowRateThreshold = parseRate(v.lowRateThreshold, "fq.lowRateThreshold", true);
  if (v.refillDelay !== undefined) a.flowRefillDelay = parseTime(v.refillDelay, "fq.refillDelay");
  if (v.orphanMask !== undefined) a.orphanMask = intOpt(v.orphanMask, "fq.orphanMask");
  if (v.ceThreshold !== undefined) a.ceThreshold = parseTime(v.ceThreshold, "fq.ceThreshold");
  if (v.horizon !== undefined) a.horizon = parseTime(v.horizon, "fq.horizon");
  if (v.horizonDrop !== undefined) a.horizonDrop = boolOpt(v.horizonDrop, "fq.horizonDrop") ? 1 : 0;
  return a;
}

function view(a: AttrValues | Buffer) {
  if (Buffer.isBuffer(a)) return {};
  const out: Record<string, unknown> = {};
  const copy: Array<[string, string]> = [["plimit", "limit"], ["flowPlimit", "flowLimit"], ["quantum", "quantum"], ["initialQuantum", "initialQuantum"],
    ["flowMaxRate", "maxrate"], ["flowRefillDelay", "refillDelay"], ["orphanMask", "orphanMask"], ["lowRateThreshold", "lowRateThreshold"],
    ["ceThreshold", "ceThreshold"], ["timerSlack", "timerSlack"], ["horizon", "horizon"]];
  for (const [k, name] of copy) if (a[k] !== undefined) out[name] = a[k];
  if (a.bucketsLog !== undefined) out.buckets = 2 ** (a.bucketsLog as number);
  if (a.rateEnable !== undefined) out.pacing = a.rateEnable !== 0;
  if (a.horizonDrop !== undefined) out.horizonDrop = a.horizonDrop !== 0;
  return out;
}

export const fq = defineQdisc({ kind: "fq", options: fqAttrs, encode, view });
