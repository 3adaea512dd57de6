import type { AttrValues } from "../../../netlink/attrs.js";
import { struct } from "../../../netlink/struct.js";
import { readStruct, structBytes } from "../bytes.js";
import { boolOpt, checkOptions, defineQdisc, intOpt, num } from "../kind.js";
import { NlkitInputError } from "../../../netlink/errors.js";
import { parseSize, type SizeInput } from "../units.js";

/** struct tc_sfq_qopt_v1: tc_sfq_qopt, depth and headdrop, then the RED part nlkit leaves at zero. */
export const sfqQoptV1 = struct("tc_sfq_qopt_v1", [
  ["quantum", "u32"], ["perturbPeriod", "s32"], ["limit", "u32"], ["divisor", "u32"], ["flows", "u32"],
  ["depth", "u32"], ["headdrop", "u32"],
  ["redLimit", "u32"], ["qthMin", "u32"], ["qthMax", "u32"], ["wlog", "u8"], ["plog", "u8"], ["scellLog", "u8"], ["flags", "u8"], ["maxP", "u32"],
  ["probDrop", "u32"], ["forcedDrop", "u32"], ["probMark", "u32"], ["forcedMark", "u32"], ["probMarkHead", "u32"], ["forcedMarkHead", "u32"],
]);

/**
 * Options of the sfq (stochastic fairness) qdisc.
 *
 * @example
 * ```ts
 * const sfq: SfqOptions = { perturb: 10, quantum: 1514, limit: 127 };
 * await rt.tc.qdisc.add({ dev: "eth0", parent: "1:10", handle: "10:", kind: "sfq", sfq });   // tc qdisc add dev eth0 parent 1:10 handle 10: sfq perturb 10 quantum 1514 limit 127
 * ```
 */
export interface SfqOptions {
  /** packets, at least 2 */
  limit?: number;
  /** seconds between hash perturbations */
  perturb?: number;
  /** Bytes a flow may dequeue per round (tc's quantum); default the device's MTU plus its link-layer header. */
  quantum?: SizeInput;
  /** Hash table buckets (tc's divisor), a power of two up to 65536; default 1024. */
  divisor?: number;
  /** Most flows tracked at once (tc's flows); default 128. */
  flows?: number;
  /** Most packets queued per flow (tc's depth); default 127. */
  depth?: number;
  /** Drop from the head of a full flow rather than the tail (tc's headdrop); default tail drop. */
  headdrop?: boolean;
}

const KEYS = ["limit", "perturb", "quantum", "divisor", "flows", "depth", "headdrop"];

/** q_sfq.c: the whole v1 struct when any option is given (SFQRED's options are not supported). */
function encode(o: SfqOptions | undefined) {
  const v = checkOptions(o, KEYS, "sfq");
  if (Object.keys(v).length === 0) return undefined;
  const s: Record<string, number> = {
    quantum: v.quantum === undefined ? 0 : parseSize(v.quantum, "sfq.quantum"),
    perturbPeriod: v.perturb === undefined ? 0 : intOpt(v.perturb, "sfq.perturb", 0x7fffffff),
    limit: v.limit === undefined ? 0 : intOpt(v.limit, "sfq.limit"),
    divisor: v.divisor === undefined ? 0 : intOpt(v.divisor, "sfq.divisor"),
    flows: v.flows === undefined ? 0 : intOpt(v.flows, "sfq.flows"),
    depth: v.depth === undefined ? 0 : intOpt(v.depth, "sfq.depth"),
    headdrop: v.headdrop !== undefined && boolOpt(v.headdrop, "sfq.headdrop") ? 1 : 0,
  };
  if (v.limit !== undefined && s.limit! < 2) throw new NlkitInputError("sfq: limit must be at least 2", "sfq.limit");
  return structBytes(sfqQoptV1, s);
}

function view(v: AttrValues | Buffer) {
  if (!Buffer.isBuffer(v)) return {};
  const s = readStruct(v, sfqQoptV1).struct;
  const out: Record<string, unknown> = { limit: num(s.limit), quantum: num(s.quantum), perturb: num(s.perturbPeriod), divisor: num(s.divisor) };
  if (s.flows !== undefined) out.flows = num(s.flows);
  if (s.depth !== undefined) Object.assign(out, { depth: num(s.depth), headdrop: s.headdrop === 1 });
  return out;
}

export const sfq = defineQdisc({ kind: "sfq", encode, view });
