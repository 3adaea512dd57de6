import { attrSet, type AttrValues } from "../../../netlink/attrs.js";
import { NlkitInputError } from "../../../netlink/errors.js";
import { struct, type StructValue } from "../../../netlink/struct.js";
import { checkOptions, defineQdisc, intOpt, num, wordOf, type TcBuild, type TcView } from "../kind.js";
import { tcRatespec } from "../table.js";
import { shown } from "../shown.js";
import {
  LINKLAYER, parseRate, parseSize, parseSizeCell, parseTime, rate32, rateTable, tick2time, TIME_UNITS_PER_SEC, toU32,
  xmitsize, xmittime, xmittimeFits, type RateInput, type SizeInput, type TimeInput,
} from "../units.js";

const ratespec = (p: string) => tcRatespec.map(([n, k]) => [`${p}${n[0]!.toUpperCase()}${n.slice(1)}`, k] as const);

/** struct tc_tbf_qopt: two ratespecs (rate, peakrate), limit, buffer and mtu (both in ticks). */
export const tbfQopt = struct("tc_tbf_qopt", [...ratespec("rate"), ...ratespec("peak"), ["limit", "u32"], ["buffer", "u32"], ["mtu", "u32"]]);

export const tbfAttrs = attrSet("tbf", "TCA_TBF_", {
  parms: [1, "struct", { struct: tbfQopt }],
  rtab: [2, "binary"],
  ptab: [3, "binary"],
  rate64: [4, "u64"],
  prate64: [5, "u64"],
  burst: [6, "u32"],
  pburst: [7, "u32"],
  pad: [8, "binary"],
});

/**
 * Options of the token bucket filter qdisc (`tc qdisc add ... tbf rate R burst B latency L`).
 *
 * @example
 * ```ts
 * const tbf: TbfOptions = { rate: "1mbit", burst: "32kb", latency: "400ms" };
 * await rt.tc.qdisc.add({ dev: "eth0", parent: "root", handle: "1:", kind: "tbf", tbf });   // tc qdisc add dev eth0 root handle 1: tbf rate 1mbit burst 32kb latency 400ms
 * const [q] = await rt.tc.qdisc.list({ dev: "eth0", handle: "1:" });
 * console.log(q?.options);   // { rate: 125000, burst: 32768, limit: 82768, mpu: 0, latency: 400000, ... }: bytes/s, bytes, µs
 * ```
 */
export interface TbfOptions {
  /** The token rate. */
  rate: RateInput;
  /** bucket size: "32kb", or "32kb/8" with the rate table's cell size */
  burst: SizeInput;
  /** queue limit in bytes; or give `latency` */
  limit?: SizeInput;
  /** longest a packet may wait: tc derives the limit from it */
  latency?: TimeInput;
  /** The peak rate (with mtu). */
  peakrate?: RateInput;
  /** peak bucket (minburst): needed with peakrate */
  mtu?: SizeInput;
  /** Minimum packet size accounted. */
  mpu?: SizeInput;
  /** Bytes added to every packet's size for accounting. */
  overhead?: number;
  /** "ethernet" (default) or "atm"/"adsl": how tc sizes packets in the rate table. */
  linklayer?: "ethernet" | "atm" | "adsl";
}

const KEYS = ["rate", "burst", "limit", "latency", "peakrate", "mtu", "mpu", "overhead", "linklayer"];

export function linklayerOpt(v: unknown, field: string): number {
  if (v === undefined || v === "ethernet") return LINKLAYER.ethernet;
  if (v === "atm" || v === "adsl") return LINKLAYER.atm;
  throw new NlkitInputError(`invalid ${field} ${shown(v)} (ethernet, atm or adsl)`, field);
}

/** A ratespec's fields under the struct's prefix. */
function spec(prefix: string, r: { cellLog: number; linklayer: number; overhead: number; cellAlign: number; mpu: number; rate: number }): StructValue {
  return {
    [`${prefix}CellLog`]: r.cellLog, [`${prefix}Linklayer`]: r.linklayer, [`${prefix}Overhead`]: r.overhead,
    [`${prefix}CellAlign`]: r.cellAlign, [`${prefix}Mpu`]: r.mpu, [`${prefix}Rate`]: r.rate,
  };
}

/** In tc's order (q_tbf.c): the checks, the limit from latency, then each table and bucket. */
function encode(o: TbfOptions, b: TcBuild) {
  const v = checkOptions(o, KEYS, "tbf");
  if (v.rate === undefined) throw new NlkitInputError('tbf: the "rate" parameter is mandatory', "tbf.rate");
  if (v.burst === undefined) throw new NlkitInputError('tbf: the "burst" parameter is mandatory', "tbf.burst");
  if (v.limit !== undefined && v.latency !== undefined) throw new NlkitInputError('tbf: specifying both "limit" and "latency" is not allowed', "tbf.latency");
  if (v.limit === undefined && v.latency === undefined) throw new NlkitInputError('tbf: either "limit" or "latency" is required', "tbf.limit");
  const rate = parseRate(v.rate, "tbf.rate");
  const { size: buffer, cellLog = -1 } = parseSizeCell(v.burst, "tbf.burst");
  const prate = v.peakrate === undefined ? 0 : parseRate(v.peakrate, "tbf.peakrate");
  const mtuCell = v.mtu === undefined ? { size: 0 } : parseSizeCell(v.mtu, "tbf.mtu");
  const mtu = mtuCell.size;
  if (rate === 0) throw new NlkitInputError('tbf: the "rate" parameter is mandatory', "tbf.rate");
  if (buffer === 0) throw new NlkitInputError('tbf: the "burst" parameter is mandatory', "tbf.burst");
  if (prate && !mtu) throw new NlkitInputError('tbf: when "peakrate" is specified, "mtu" must also be specified', "tbf.mtu");
  const mpu = v.mpu === undefined ? 0 : parseSize(v.mpu, "tbf.mpu");
  if (mpu > 0xffff) throw new NlkitInputError(`tbf.mpu ${mpu} does not fit the ratespec (at most 65535)`, "tbf.mpu");
  const overhead = v.overhead === undefined ? 0 : intOpt(v.overhead, "tbf.overhead", 0xffff);
  const linklayer = linklayerOpt(v.linklayer, "tbf.linklayer");
  let limit: number;
  if (v.limit !== undefined) limit = parseSize(v.limit, "tbf.limit");
  else {
    const latency = parseTime(v.latency, "tbf.latency");
    let lim = (rate * latency) / TIME_UNITS_PER_SEC + buffer;
    if (prate) lim = Math.min(lim, (prate * latency) / TIME_UNITS_PER_SEC + mtu);
    limit = toU32(lim);
  }
  if (limit === 0) throw new NlkitInputError('tbf: either "limit" or "latency" is required', "tbf.limit");
  // the tables and buckets are computed from the ratespec's 32-bit rate, as tc does
  const r32 = rate32(rate), p32 = rate32(prate);
  const p = b.psched;
  const r = rateTable(p, { rate: r32, mpu, overhead }, r32, cellLog, mtu, linklayer);
  if (!xmittimeFits(p, r32, buffer)) throw new NlkitInputError(`tbf: burst ${buffer} bytes takes too long at this rate for the kernel's 32-bit tick count`, "tbf.burst");
  const bufferTicks = xmittime(p, r32, buffer);
  const parms: StructValue = { ...spec("rate", r.ratespec), limit, buffer: bufferTicks, mtu: 0 };
  const attrs: Record<string, unknown> = { parms, burst: buffer };
  if (rate >= 2 ** 32) attrs.rate64 = BigInt(rate);
  attrs.rtab = r.table;
  if (p32) {
    const pr = rateTable(p, { rate: p32, mpu, overhead }, p32, mtuCell.cellLog ?? -1, mtu, linklayer);
    Object.assign(parms, spec("peak", pr.ratespec));
    if (!xmittimeFits(p, p32, mtu)) throw new NlkitInputError(`tbf: mtu ${mtu} bytes takes too long at the peak rate for the kernel's 32-bit tick count`, "tbf.mtu");
    parms.mtu = xmittime(p, p32, mtu);
    if (prate >= 2 ** 32) attrs.prate64 = BigInt(prate);
    attrs.pburst = mtu;
    attrs.ptab = pr.table;
  }
  return attrs;
}

/** What tc prints, as numbers: rate (bytes/s), burst and limit (bytes), latency (µs). */
function view(a: AttrValues | Buffer, ctx: TcView) {
  if (Buffer.isBuffer(a) || !a.parms) return {};
  const q = a.parms as Record<string, number>;
  const rate = num(a.rate64) ?? q.rateRate ?? 0;
  const prate = num(a.prate64) ?? q.peakRate ?? 0;
  const p = ctx.psched;
  const out: Record<string, unknown> = { rate, burst: toU32(xmitsize(p, rate, q.buffer ?? 0)), limit: q.limit, mpu: q.rateMpu };
  if (prate) {
    out.peakrate = prate;
    if (q.mtu || q.peakMpu) out.minburst = toU32(xmitsize(p, prate, q.mtu ?? 0));
  }
  let latency = TIME_UNITS_PER_SEC * ((q.limit ?? 0) / rate) - tick2time(p, q.buffer ?? 0);
  if (prate) latency = Math.max(latency, TIME_UNITS_PER_SEC * ((q.limit ?? 0) / prate) - tick2time(p, q.mtu ?? 0));
  if (latency >= 0) out.latency = Math.trunc(latency);
  out.overhead = q.rateOverhead;
  out.linklayer = wordOf(LINKLAYER, (q.rateLinklayer ?? 0) & 0x0f);
  out.cellLog = q.rateCellLog;
  return out;
}

export const tbf = defineQdisc({ kind: "tbf", options: tbfAttrs, encode, view });
