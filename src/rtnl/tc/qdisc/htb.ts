import { attrSet, type AttrValues } from "../../../netlink/attrs.js";
import { NlkitInputError } from "../../../netlink/errors.js";
import { decodeStruct, struct, type StructValue } from "../../../netlink/struct.js";
import { boolOpt, checkOptions, defineQdisc, intOpt, num, wordOf, type TcBuild, type TcView } from "../kind.js";
import { tcRatespec } from "../table.js";
import {
  LINKLAYER, parseRate, parseSizeCell, rate32, rateTable, toU32, xmitsize, xmittime, xmittimeFits,
  type RateInput, type SizeInput,
} from "../units.js";
import { linklayerOpt } from "./tbf.js";

const ratespec = (p: string) => tcRatespec.map(([n, k]) => [`${p}${n[0]!.toUpperCase()}${n.slice(1)}`, k] as const);

/** struct tc_htb_opt: a class's rate and ceil ratespecs, buckets in ticks, quantum, level, prio. */
export const htbOpt = struct("tc_htb_opt", [
  ...ratespec("rate"), ...ratespec("ceil"), ["buffer", "u32"], ["cbuffer", "u32"], ["quantum", "u32"], ["level", "u32"], ["prio", "u32"],
]);
/** struct tc_htb_glob: the qdisc's settings. */
export const htbGlob = struct("tc_htb_glob", [["version", "u32"], ["rate2quantum", "u32"], ["defcls", "u32"], ["debug", "u32"], ["directPkts", "u32"]]);
export const htbXstats = struct("tc_htb_xstats", [["lends", "u32"], ["borrows", "u32"], ["giants", "u32"], ["tokens", "s32"], ["ctokens", "s32"]]);

export const htbAttrs = attrSet("htb", "TCA_HTB_", {
  parms: [1, "struct", { struct: htbOpt }],
  init: [2, "struct", { struct: htbGlob }],
  ctab: [3, "binary"],
  rtab: [4, "binary"],
  directQlen: [5, "u32"],
  rate64: [6, "u64"],
  ceil64: [7, "u64"],
  pad: [8, "binary"],
  offload: [9, "flag"],
});

/**
 * Options of the htb qdisc itself (`tc qdisc add ... htb default 10`).
 *
 * @example
 * ```ts
 * const htb: HtbOptions = { default: 0x30, r2q: 10 };
 * await rt.tc.qdisc.add({ dev: "eth0", parent: "root", handle: "1:", kind: "htb", htb });   // tc qdisc add dev eth0 root handle 1: htb default 30
 * ```
 */
export interface HtbOptions {
  /** minor of the class unclassified traffic goes to (tc reads it in hex: `default 10` is 0x10) */
  default?: number;
  /** DRR quantum = rate / r2q, default 10 */
  r2q?: number;
  /** Packets the direct queue holds (tc's direct_qlen): traffic that reaches no class waits there unshaped; default the device's txqueuelen. */
  directQlen?: number;
  /** Run the htb in the NIC (TCA_HTB_OFFLOAD, tc's offload), where the driver supports it; default off. */
  offload?: boolean;
}

/**
 * Options of an htb class (`tc class add ... htb rate R ceil C`).
 *
 * @example
 * ```ts
 * const htb: HtbClassOptions = { rate: "2mbit", ceil: "10mbit", burst: "15k", prio: 1 };
 * await rt.tc.class.add({ dev: "eth0", parent: "1:", classid: "1:30", kind: "htb", htb });
 * // tc class add dev eth0 parent 1: classid 1:30 htb rate 2mbit ceil 10mbit burst 15k prio 1
 * ```
 */
export interface HtbClassOptions {
  /** The guaranteed rate. */
  rate: RateInput;
  /** default: rate */
  ceil?: RateInput;
  /** default: rate / HZ + mtu, as tc computes it */
  burst?: SizeInput;
  /** Bytes that may be sent at ceil speed at once. */
  cburst?: SizeInput;
  /** Priority in borrowing spare bandwidth (lower first). */
  prio?: number;
  /** Bytes served per round when borrowing; default rate / r2q. */
  quantum?: number;
  /** the size the rate tables are made for, default 1600 */
  mtu?: number;
  /** Minimum packet size accounted. */
  mpu?: number;
  /** Bytes added to every packet's size for accounting. */
  overhead?: number;
  /** "ethernet" (default) or "atm"/"adsl": how tc sizes packets in the rate table. */
  linklayer?: "ethernet" | "atm" | "adsl";
}

const HTB_PROTOVER = 3;

function encode(o: HtbOptions | undefined) {
  const v = checkOptions(o, ["default", "r2q", "directQlen", "offload"], "htb");
  const init = {
    version: HTB_PROTOVER,
    rate2quantum: v.r2q === undefined ? 10 : intOpt(v.r2q, "htb.r2q"),
    defcls: v.default === undefined ? 0 : intOpt(v.default, "htb.default"),
    debug: 0,
    directPkts: 0,
  };
  const attrs: Record<string, unknown> = { init };
  // tc leaves direct_qlen out unless given (~0 is its "unset")
  if (v.directQlen !== undefined) attrs.directQlen = intOpt(v.directQlen, "htb.directQlen", 0xfffffffe);
  if (v.offload !== undefined && boolOpt(v.offload, "htb.offload")) attrs.offload = true;
  return attrs;
}

function spec(prefix: string, r: { cellLog: number; linklayer: number; overhead: number; cellAlign: number; mpu: number; rate: number }): StructValue {
  return {
    [`${prefix}CellLog`]: r.cellLog, [`${prefix}Linklayer`]: r.linklayer, [`${prefix}Overhead`]: r.overhead,
    [`${prefix}CellAlign`]: r.cellAlign, [`${prefix}Mpu`]: r.mpu, [`${prefix}Rate`]: r.rate,
  };
}

/** q_htb.c's class options: default buckets from HZ, tables from the 32-bit rates, buckets from the full ones. */
function encodeClass(o: HtbClassOptions, b: TcBuild) {
  const v = checkOptions(o, ["rate", "ceil", "burst", "cburst", "prio", "quantum", "mtu", "mpu", "overhead", "linklayer"], "htb");
  if (v.rate === undefined) throw new NlkitInputError('htb: "rate" is required', "htb.rate");
  const rate = parseRate(v.rate, "htb.rate");
  if (rate === 0) throw new NlkitInputError('htb: "rate" is required', "htb.rate");
  const ceil = v.ceil === undefined ? rate : parseRate(v.ceil, "htb.ceil") || rate;
  const mtu = v.mtu === undefined ? 1600 : intOpt(v.mtu, "htb.mtu");
  const mpu = v.mpu === undefined ? 0 : intOpt(v.mpu, "htb.mpu", 0xffff);
  const overhead = v.overhead === undefined ? 0 : intOpt(v.overhead, "htb.overhead", 0xffff);
  const linklayer = linklayerOpt(v.linklayer, "htb.linklayer");
  const bcell = v.burst === undefined ? undefined : parseSizeCell(v.burst, "htb.burst");
  const ccell = v.cburst === undefined ? undefined : parseSizeCell(v.cburst, "htb.cburst");
  const p = b.psched;
  // tc's default: the bytes one kernel tick carries, plus a packet
  const buffer = bcell?.size || toU32(Math.floor(rate / p.hz) + mtu);
  const cbuffer = ccell?.size || toU32(Math.floor(ceil / p.hz) + mtu);
  const r32 = rate32(rate), c32 = rate32(ceil);
  const r = rateTable(p, { rate: r32, mpu, overhead }, r32, bcell?.cellLog ?? -1, mtu, linklayer);
  const c = rateTable(p, { rate: c32, mpu, overhead }, c32, ccell?.cellLog ?? -1, mtu, linklayer);
  if (!xmittimeFits(p, rate, buffer)) throw new NlkitInputError(`htb: burst ${buffer} bytes takes too long at this rate for the kernel's 32-bit tick count`, "htb.burst");
  if (!xmittimeFits(p, ceil, cbuffer)) throw new NlkitInputError(`htb: cburst ${cbuffer} bytes takes too long at this ceil for the kernel's 32-bit tick count`, "htb.cburst");
  const parms: StructValue = {
    ...spec("rate", r.ratespec), ...spec("ceil", c.ratespec),
    buffer: xmittime(p, rate, buffer), cbuffer: xmittime(p, ceil, cbuffer),
    quantum: v.quantum === undefined ? 0 : intOpt(v.quantum, "htb.quantum"),
    level: 0,
    prio: v.prio === undefined ? 0 : intOpt(v.prio, "htb.prio"),
  };
  const attrs: Record<string, unknown> = {};
  if (rate >= 2 ** 32) attrs.rate64 = BigInt(rate);
  if (ceil >= 2 ** 32) attrs.ceil64 = BigInt(ceil);
  attrs.parms = parms;
  attrs.rtab = r.table;
  attrs.ctab = c.table;
  return attrs;
}

function view(a: AttrValues | Buffer) {
  if (Buffer.isBuffer(a)) return {};
  const g = a.init as Record<string, number> | undefined;
  const out: Record<string, unknown> = {};
  if (g) Object.assign(out, { r2q: g.rate2quantum, default: g.defcls, directPacketsStat: g.directPkts, version: `${g.version! >>> 16}.${g.version! & 0xffff}` });
  if (a.directQlen !== undefined) out.directQlen = a.directQlen;
  if (a.offload) out.offload = true;
  return out;
}

function classView(a: AttrValues | Buffer, ctx: TcView) {
  if (Buffer.isBuffer(a) || !a.parms) return {};
  const h = a.parms as Record<string, number>;
  const rate = num(a.rate64) ?? h.rateRate ?? 0;
  const ceil = num(a.ceil64) ?? h.ceilRate ?? 0;
  return {
    rate, ceil,
    burst: toU32(xmitsize(ctx.psched, rate, h.buffer ?? 0)),
    cburst: toU32(xmitsize(ctx.psched, ceil, h.cbuffer ?? 0)),
    prio: h.prio, quantum: h.quantum, level: h.level,
    mpu: h.rateMpu, cmpu: h.ceilMpu, overhead: h.rateOverhead,
    linklayer: wordOf(LINKLAYER, (h.rateLinklayer ?? 0) & 0x0f),
    cellLog: h.rateCellLog, ccellLog: h.ceilCellLog,
  };
}

function xstats(app: Buffer, isClass: boolean) {
  if (!isClass || app.length < htbXstats.size) return undefined;
  return decodeStruct(app, 0, app.length, htbXstats) as Record<string, number>;
}

export const htb = defineQdisc({ kind: "htb", options: htbAttrs, classOptions: htbAttrs, encode, encodeClass, view, classView, xstats });
