import { attrSet, type AttrValues } from "../../../netlink/attrs.js";
import { NlkitInputError } from "../../../netlink/errors.js";
import { struct } from "../../../netlink/struct.js";
import { readStruct, structBytes } from "../bytes.js";
import { boolOpt, checkOptions, defineQdisc, intOpt, num, type TcBuild, type TcView } from "../kind.js";
import { parsePercent, parseRate, parseSize, parseTime, tick2time, time2tick, timeTooBig, type RateInput, type SizeInput, type TimeInput } from "../units.js";
import { shown } from "../shown.js";

// netem's TCA_OPTIONS is struct tc_netem_qopt with TCA_NETEM_* attributes straight after it.

export const netemQopt = struct("tc_netem_qopt", [
  ["latency", "u32"], ["limit", "u32"], ["loss", "u32"], ["gap", "u32"], ["duplicate", "u32"], ["jitter", "u32"],
]);
export const netemCorr = struct("tc_netem_corr", [["delayCorr", "u32"], ["lossCorr", "u32"], ["dupCorr", "u32"]]);
export const netemReorder = struct("tc_netem_reorder", [["probability", "u32"], ["correlation", "u32"]]);
export const netemCorrupt = struct("tc_netem_corrupt", [["probability", "u32"], ["correlation", "u32"]]);
export const netemRate = struct("tc_netem_rate", [["rate", "u32"], ["packetOverhead", "s32"], ["cellSize", "u32"], ["cellOverhead", "s32"]]);
export const netemSlot = struct("tc_netem_slot", [
  ["minDelay", "s64"], ["maxDelay", "s64"], ["maxPackets", "s32"], ["maxBytes", "s32"], ["distDelay", "s64"], ["distJitter", "s64"],
]);

export const netemAttrs = attrSet("netem", "TCA_NETEM_", {
  corr: [1, "struct", { struct: netemCorr }],
  delayDist: [2, "binary"],
  reorder: [3, "struct", { struct: netemReorder }],
  corrupt: [4, "struct", { struct: netemCorrupt }],
  loss: [5, "binary"],
  rate: [6, "struct", { struct: netemRate }],
  ecn: [7, "u32"],
  rate64: [8, "u64"],
  pad: [9, "binary"],
  latency64: [10, "s64"],
  jitter64: [11, "s64"],
  slot: [12, "struct", { struct: netemSlot }],
  slotDist: [13, "binary"],
});

type Percent = string | number;

/**
 * Options of the netem qdisc (`tc qdisc add ... netem delay 10ms loss 1%`), for emulating a slow or
 * lossy link.
 *
 * @example
 * ```ts
 * const netem: NetemOptions = { delay: "100ms", jitter: "10ms", delayCorrelation: "25%", loss: "0.5%", rate: "10mbit" };
 * await rt.tc.qdisc.add({ dev: "veth0", parent: "root", kind: "netem", netem });
 * // tc qdisc add dev veth0 root netem delay 100ms 10ms 25% loss 0.5% rate 10mbit
 * ```
 */
export interface NetemOptions {
  /**
   * Packets, default 1000. Read with a size's units as tc reads it (q_netem's get_size): "2k" is
   * 2048 packets, not bytes.
   */
  limit?: SizeInput;
  /** Added delay ("100ms"). */
  delay?: TimeInput;
  /** Random variation of the delay. */
  jitter?: TimeInput;
  /** How much each delay depends on the previous one. */
  delayCorrelation?: Percent;
  /** random loss: "1%" (or 1, meaning percent) */
  loss?: Percent;
  /** How much each loss depends on the previous one. */
  lossCorrelation?: Percent;
  /** Share of packets duplicated. */
  duplicate?: Percent;
  /** Correlation of duplication. */
  duplicateCorrelation?: Percent;
  /** Share of packets sent at once (reordered ahead of delayed ones). */
  reorder?: Percent;
  /** Correlation of reordering. */
  reorderCorrelation?: Percent;
  /** Share of packets with a bit error. */
  corrupt?: Percent;
  /** Correlation of corruption. */
  corruptCorrelation?: Percent;
  /** Reorder every gap-th packet. */
  gap?: number;
  /** Emulated link rate. */
  rate?: RateInput;
  /** Bytes added to each packet for the rate. */
  packetOverhead?: number;
  /** Cell size for the rate (ATM-like links). */
  cellSize?: number;
  /** Bytes added per cell. */
  cellOverhead?: number;
  /** Mark ECN instead of dropping, for ECN-capable packets. */
  ecn?: boolean;
}

const KEYS = ["limit", "delay", "jitter", "delayCorrelation", "loss", "lossCorrelation", "duplicate", "duplicateCorrelation",
  "reorder", "reorderCorrelation", "corrupt", "corruptCorrelation", "gap", "rate", "packetOverhead", "cellSize", "cellOverhead", "ecn"];

function ticks(b: TcBuild, v: TimeInput, field: string): number {
  const t = parseTime(v, field);
  if (timeTooBig(b.psched, t)) throw new NlkitInputError(`${field} ${shown(v)} is too large for the kernel's ticks`, field);
  return time2tick(b.psched, t);
}

/** q_netem.c: the struct, then CORR, REORDER, ECN, CORRUPT, RATE64 and RATE when given. */
function encode(o: NetemOptions | undefined, b: TcBuild) {
  const v = checkOptions(o, KEYS, "netem");
  const pct = (k: string) => (v[k] === undefined ? 0 : parsePercent(v[k], `netem.${k}`));
  if ((v.jitter !== undefined || v.delayCorrelation !== undefined) && v.delay === undefined) {
    throw new NlkitInputError("netem: jitter and its correlation go with a delay", "netem.jitter");
  }
  if (v.delayCorrelation !== undefined && v.jitter === undefined) throw new NlkitInputError("netem: delayCorrelation goes with a jitter", "netem.delayCorrelation");
  const qopt = {
    latency: v.delay === undefined ? 0 : ticks(b, v.delay, "netem.delay"),
    limit: v.limit === undefined ? 1000 : parseSize(v.limit, "netem.limit"),
    loss: pct("loss"),
    gap: v.gap === undefined ? 0 : intOpt(v.gap, "netem.gap"),
    duplicate: pct("duplicate"),
    jitter: v.jitter === undefined ? 0 : ticks(b, v.jitter, "netem.jitter"),
  };
  for (const [c, base] of [["lossCorrelation", "loss"], ["duplicateCorrelation", "duplicate"], ["reorderCorrelation", "reorder"], ["corruptCorrelation", "corrupt"]]) {
    if (v[c!] !== undefined && v[base!] === undefined) throw new NlkitInputError(`netem: ${c} goes with ${base}`, `netem.${c}`);
  }
  const reorder = pct("reorder");
  if (reorder) {
    if (qopt.latency === 0) throw new NlkitInputError("netem: reordering is not possible without some delay", "netem.reorder");
    if (qopt.gap === 0) qopt.gap = 1;
  } else if (qopt.gap > 0) {
    throw new NlkitInputError("netem: gap given without a reorder probability", "netem.gap");
  }
  const ecn = v.ecn !== undefined && boolOpt(v.ecn, "netem.ecn");
  if (ecn && qopt.loss === 0) throw new NlkitInputError("netem: ecn needs a loss model", "netem.ecn");
  const attrs: Record<string, unknown> = {};
  // tc sends the correlations whenever delay, loss, reorder or corrupt has one (duplicate's rides along)
  if (["delayCorrelation", "lossCorrelation", "reorderCorrelation", "corruptCorrelation"].some((k) => v[k] !== undefined)) {
    attrs.corr = { delayCorr: pct("delayCorrelation"), lossCorr: pct("lossCorrelation"), dupCorr: pct("duplicateCorrelation") };
  }
  if (v.reorder !== undefined) attrs.reorder = { probability: reorder, correlation: pct("reorderCorrelation") };
  if (ecn) attrs.ecn = 1;
  if (v.corrupt !== undefined) attrs.corrupt = { probability: pct("corrupt"), correlation: pct("corruptCorrelation") };
  if (v.rate !== undefined) {
    const rate = parseRate(v.rate, "netem.rate");
    if (rate >= 2 ** 32) attrs.rate64 = BigInt(rate);
    attrs.rate = {
      rate: rate >= 2 ** 32 ? 0xffffffff : rate,
      packetOverhead: v.packetOverhead === undefined ? 0 : intOpt(v.packetOverhead, "netem.packetOverhead", 0x7fffffff, -0x80000000),
      cellSize: v.cellSize === undefined ? 0 : intOpt(v.cellSize, "netem.cellSize"),
      cellOverhead: v.cellOverhead === undefined ? 0 : intOpt(v.cellOverhead, "netem.cellOverhead", 0x7fffffff, -0x80000000),
    };
  } else if (v.packetOverhead !== undefined || v.cellSize !== undefined || v.cellOverhead !== undefined) {
    throw new NlkitInputError("netem: packetOverhead, cellSize and cellOverhead go with a rate", "netem.rate");
  }
  return structBytes(netemQopt, qopt, { set: netemAttrs, values: attrs });
}

/** A kernel probability (of 2^32-1) as a percentage. */
const percent = (n: unknown) => (100 * (num(n) ?? 0)) / 0xffffffff;

function view(buf: AttrValues | Buffer, ctx: TcView) {
  if (!Buffer.isBuffer(buf)) return {};
  const { struct: q, attrs: a } = readStruct(buf, netemQopt, netemAttrs);
  const out: Record<string, unknown> = { limit: q.limit };
  const corr = a.corr as Record<string, number> | undefined;
  if (q.latency) {
    out.delay = tick2time(ctx.psched, q.latency as number);
    out.jitter = tick2time(ctx.psched, (q.jitter as number) ?? 0);
    if (corr?.delayCorr) out.delayCorrelation = percent(corr.delayCorr);
  }
  if (q.loss) {
    out.loss = percent(q.loss);
    if (corr?.lossCorr) out.lossCorrelation = percent(corr.lossCorr);
  }
  if (q.duplicate) {
    out.duplicate = percent(q.duplicate);
    if (corr?.dupCorr) out.duplicateCorrelation = percent(corr.dupCorr);
  }
  const reorder = a.reorder as Record<string, number> | undefined;
  if (reorder?.probability) Object.assign(out, { reorder: percent(reorder.probability), reorderCorrelation: percent(reorder.correlation) });
  const corrupt = a.corrupt as Record<string, number> | undefined;
  if (corrupt?.probability) Object.assign(out, { corrupt: percent(corrupt.probability), corruptCorrelation: percent(corrupt.correlation) });
  const rate = a.rate as Record<string, number> | undefined;
  if (rate?.rate) Object.assign(out, { rate: num(a.rate64) ?? rate.rate, packetOverhead: rate.packetOverhead, cellSize: rate.cellSize, cellOverhead: rate.cellOverhead });
  out.ecn = a.ecn !== undefined && a.ecn !== 0;
  out.gap = q.gap;
  return out;
}

export const netem = defineQdisc({ kind: "netem", encode, view });
