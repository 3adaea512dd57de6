import { attrSet, type AttrValues } from "../../../netlink/attrs.js";
import { boolOpt, checkOptions, defineQdisc, intOpt } from "../kind.js";
import { parseSize, parseTime, type SizeInput, type TimeInput } from "../units.js";

export const fqCodelAttrs = attrSet("fq_codel", "TCA_FQ_CODEL_", {
  target: [1, "u32"],
  limit: [2, "u32"],
  interval: [3, "u32"],
  ecn: [4, "u32"],
  flows: [5, "u32"],
  quantum: [6, "u32"],
  ceThreshold: [7, "u32"],
  dropBatchSize: [8, "u32"],
  memoryLimit: [9, "u32"],
  ceThresholdSelector: [10, "u8"],
  ceThresholdMask: [11, "u8"],
});

/**
 * Options of the fq_codel qdisc.
 *
 * @example
 * ```ts
 * const fq_codel: FqCodelOptions = { limit: 10240, target: "5ms", interval: "100ms", ecn: true };
 * await rt.tc.qdisc.replace({ dev: "eth0", parent: "root", kind: "fq_codel", fq_codel });
 * // tc qdisc replace dev eth0 root fq_codel limit 10240 target 5ms interval 100ms ecn
 * ```
 */
export interface FqCodelOptions {
  /** packets */
  limit?: number;
  /** Number of flow buckets. */
  flows?: number;
  /** Bytes dequeued per flow per round. */
  quantum?: number;
  /** Acceptable queueing delay ("5ms"). */
  target?: TimeInput;
  /** How long delay may stay above target before dropping starts ("100ms"). */
  interval?: TimeInput;
  /** Mark ECN instead of dropping. */
  ecn?: boolean;
  /** Mark CE above this delay (for DCTCP-like senders). */
  ceThreshold?: TimeInput;
  /** Most memory the queue may use. */
  memoryLimit?: SizeInput;
  /** Most packets dropped at once when the limit is hit. */
  dropBatch?: number;
}

const KEYS = ["limit", "flows", "quantum", "target", "interval", "ecn", "ceThreshold", "memoryLimit", "dropBatch"];

/** q_fq_codel.c writes limit, flows, quantum, interval, target, ecn, ce_threshold, memory_limit, drop_batch. */
function encode(o: FqCodelOptions | undefined) {
  const v = checkOptions(o, KEYS, "fq_codel");
  const a: Record<string, unknown> = {};
  // tc leaves out a zero (its "not given") for these
  const nonzero = (k: string, n: number) => { if (n) a[k] = n; };
  if (v.limit !== undefined) nonzero("limit", intOpt(v.limit, "fq_codel.limit"));
  if (v.flows !== undefined) nonzero("flows", intOpt(v.flows, "fq_codel.flows"));
  if (v.quantum !== undefined) nonzero("quantum", intOpt(v.quantum, "fq_codel.quantum"));
  if (v.interval !== undefined) nonzero("interval", parseTime(v.interval, "fq_codel.interval"));
  if (v.target !== undefined) nonzero("target", parseTime(v.target, "fq_codel.target"));
  if (v.ecn !== undefined) a.ecn = boolOpt(v.ecn, "fq_codel.ecn") ? 1 : 0;
  if (v.ceThreshold !== undefined) a.ceThreshold = parseTime(v.ceThreshold, "fq_codel.ceThreshold");
  if (v.memoryLimit !== undefined) a.memoryLimit = parseSize(v.memoryLimit, "fq_codel.memoryLimit");
  if (v.dropBatch !== undefined) nonzero("dropBatchSize", intOpt(v.dropBatch, "fq_codel.dropBatch"));
  return a;
}

function view(a: AttrValues | Buffer) {
  if (Buffer.isBuffer(a)) return {};
  const out: Record<string, unknown> = {};
  for (const [k, name] of [["limit", "limit"], ["flows", "flows"], ["quantum", "quantum"], ["target", "target"], ["interval", "interval"],
    ["ceThreshold", "ceThreshold"], ["memoryLimit", "memoryLimit"], ["dropBatchSize", "dropBatch"]] as const) {
    if (a[k] !== undefined) out[name] = a[k];
  }
  if (a.ecn !== undefined) out.ecn = a.ecn !== 0;
  return out;
}

export const fqCodel = defineQdisc({ kind: "fq_codel", options: fqCodelAttrs, encode, view });
