import { attrSet, type AttrValues } from "../../../netlink/attrs.js";
import { NlkitInputError } from "../../../netlink/errors.js";
import { struct, type StructValue } from "../../../netlink/struct.js";
import { checkOptions, intOpt, num, wordOf, type TcBuild, type TcView } from "../kind.js";
import { linklayerOpt } from "../qdisc/tbf.js";
import { tcRatespec } from "../table.js";
import {
  LINKLAYER, parseRate, parseSize, parseSizeCell, rate32, rateTable, toU32, xmitsize, xmittime, xmittimeFits,
  type RateInput, type SizeInput,
} from "../units.js";
import { commonOf, controlName, controlValue, defineAction, tcfT, type Control } from "./kind.js";

const ratespec = (p: string) => tcRatespec.map(([n, k]) => [`${p}${n[0]!.toUpperCase()}${n.slice(1)}`, k] as const);

/** struct tc_police: its own layout (no tc_gen), with the rate and peak ratespecs inside. */
export const tcPolice = struct("tc_police", [
  ["index", "u32"], ["action", "s32"], ["limit", "u32"], ["burst", "u32"], ["mtu", "u32"],
  ...ratespec("rate"), ...ratespec("peak"), ["refcnt", "s32"], ["bindcnt", "s32"], ["capab", "u32"],
]);

export const policeAttrs = attrSet("police", "TCA_POLICE_", {
  tbf: [1, "struct", { struct: tcPolice }],
  rate: [2, "binary"],
  peakrate: [3, "binary"],
  avrate: [4, "u32"],
  result: [5, "u32"],
  tm: [6, "struct", { struct: tcfT }],
  pad: [7, "binary"],
  rate64: [8, "u64"],
  peakrate64: [9, "u64"],
  pktrate64: [10, "u64"],
  pktburst64: [11, "u64"],
});

export interface PoliceOptions {
  rate?: RateInput;
  burst?: SizeInput;
  mtu?: SizeInput;
  peakrate?: RateInput;
  mpu?: SizeInput;
  overhead?: number;
  linklayer?: "ethernet" | "atm" | "adsl";
  /** an EWMA-estimated rate limit instead of a token bucket (32-bit) */
  avrate?: RateInput;
  /** over the limit, default reclassify (tc's conform-exceed EXCEED[/CONFORM]) */
  exceed?: Control;
  /** under the limit */
  conform?: Control;
  index?: number;
}

const KEYS = ["rate", "burst", "mtu", "peakrate", "mpu", "overhead", "linklayer", "avrate", "exceed", "conform", "index"];
const TC_POLICE_RECLASSIFY = 1;

function spec(prefix: string, r: { cellLog: number; linklayer: number; overhead: number; cellAlign: number; mpu: number; rate: number }): StructValue {
  return {
    [`${prefix}CellLog`]: r.cellLog, [`${prefix}Linklayer`]: r.linklayer, [`${prefix}Overhead`]: r.overhead,
    [`${prefix}CellAlign`]: r.cellAlign, [`${prefix}Mpu`]: r.mpu, [`${prefix}Rate`]: r.rate,
  };
}

/** m_police.c: the token buckets, computed from the full 64-bit rates, then the tables and results. */
export const police = defineAction({
  kind: "police",
  options: policeAttrs,
  encode(o: PoliceOptions, b: TcBuild) {
    const v = checkOptions(o, KEYS, "police");
    const rate = v.rate === undefined ? 0 : parseRate(v.rate, "police.rate");
    const avrate = v.avrate === undefined ? 0 : parseRate(v.avrate, "police.avrate", true);
    const prate = v.peakrate === undefined ? 0 : parseRate(v.peakrate, "police.peakrate");
    const burst = v.burst === undefined ? { size: 0 } : parseSizeCell(v.burst, "police.burst");
    const mtu = v.mtu === undefined ? { size: 0 } : parseSizeCell(v.mtu, "police.mtu");
    const index = v.index === undefined ? 0 : intOpt(v.index, "police.index");
    if (rate && avrate) throw new NlkitInputError("police: rate and avrate exclude each other", "police.avrate");
    if (!rate && !avrate && !index && !mtu.size) throw new NlkitInputError("police: give a rate, an avrate, an mtu or the index of an existing policer", "police.rate");
    if (rate && !burst.size && !avrate) throw new NlkitInputError('police: "burst" is required with a rate', "police.burst");
    if (prate && !rate) throw new NlkitInputError('police: "peakrate" needs a "rate"', "police.peakrate");
    if (prate && !mtu.size) throw new NlkitInputError('police: "mtu" is required with a peakrate', "police.mtu");
    const mpu = v.mpu === undefined ? 0 : parseSize(v.mpu, "police.mpu");
    if (mpu > 0xffff) throw new NlkitInputError(`police.mpu ${mpu} does not fit the ratespec`, "police.mpu");
    const overhead = v.overhead === undefined ? 0 : intOpt(v.overhead, "police.overhead", 0xffff);
    const linklayer = linklayerOpt(v.linklayer, "police.linklayer");
    const p = b.psched;
    const tbf: StructValue = {
      index, action: v.exceed === undefined ? TC_POLICE_RECLASSIFY : controlValue(v.exceed, "police.exceed"),
      limit: 0, burst: 0, mtu: mtu.size,
    };
    const a: Record<string, unknown> = { tbf };
    let rtab: Buffer | undefined, ptab: Buffer | undefined;
    if (rate) {
      const r = rateTable(p, { rate: rate32(rate), mpu, overhead }, rate, burst.cellLog ?? -1, mtu.size, linklayer);
      Object.assign(tbf, spec("rate", r.ratespec));
      if (!xmittimeFits(p, rate, burst.size)) throw new NlkitInputError("police: burst takes too long at this rate for the kernel's 32-bit tick count", "police.burst");
      tbf.burst = xmittime(p, rate, burst.size);
      rtab = r.table;
    }
    if (prate) {
      const r = rateTable(p, { rate: rate32(prate), mpu, overhead }, prate, mtu.cellLog ?? -1, mtu.size, linklayer);
      Object.assign(tbf, spec("peak", r.ratespec));
      ptab = r.table;
    }
    if (rtab) {
      a.rate = rtab;
      if (rate >= 2 ** 32) a.rate64 = BigInt(rate);
    }
    if (ptab) {
      a.peakrate = ptab;
      if (prate >= 2 ** 32) a.peakrate64 = BigInt(prate);
    }
    if (avrate) a.avrate = avrate;
    if (v.conform !== undefined) {
      const c = controlValue(v.conform, "police.conform");
      // tc leaves a conform result of 0 (pass) out: the kernel's default
      if (c) a.result = c >>> 0;
    }
    return a;
  },
  view(a: AttrValues, ctx: TcView) {
    const t = a.tbf as Record<string, number> | undefined;
    if (!t) return { options: {}, common: {} };
    const rate = num(a.rate64) ?? t.rateRate ?? 0;
    const prate = num(a.peakrate64) ?? t.peakRate ?? 0;
    const options: Record<string, unknown> = { rate, burst: toU32(xmitsize(ctx.psched, rate, t.burst ?? 0)), mtu: t.mtu };
    if (prate) options.peakrate = prate;
    if (a.avrate !== undefined) options.avrate = a.avrate;
    options.exceed = controlName(t.action ?? 0);
    if (a.result !== undefined) options.conform = controlName((a.result as number) | 0);
    options.overhead = t.rateOverhead;
    options.linklayer = wordOf(LINKLAYER, (t.rateLinklayer ?? 0) & 0x0f);
    return { options, common: { ...commonOf(undefined, a.tm as never), index: t.index, ref: t.refcnt, bind: t.bindcnt } };
  },
});
