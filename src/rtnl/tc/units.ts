import { NlkitInputError } from "../../netlink/errors.js";
import { shown } from "./shown.js";

// tc's words for rates, sizes, times and percentages, and the clock arithmetic behind its rate
// tables and token buffers (iproute2 tc_core.c, lib/utils_math.c). Pure: the kernel's clock
// parameters come in as a Psched (see clock.ts). Every conversion follows tc's order of double
// operations and its double-to-unsigned truncations, so that the bytes equal tc's.

export const TIME_UNITS_PER_SEC = 1_000_000;
const U32 = 0x1_0000_0000;

/** /proc/net/psched, as tc reads it: the tick multiplier and the kernel clock's resolution. */
export interface Psched {
  /** ticks per microsecond, tc's tick_in_usec */
  readonly tickInUsec: number;
  /** kernel clock units per microsecond, tc's clock_factor */
  readonly clockFactor: number;
  /** what tc's get_hz() gives (HTB's default burst divides the rate by it) */
  readonly hz: number;
}

/** tc's values when /proc/net/psched cannot be read (tc_core.c's initialisers, HZ 100). */
export const PSCHED_FALLBACK: Psched = { tickInUsec: 1, clockFactor: 1, hz: 100 };

/** The four hex words of /proc/net/psched: t2us, us2t, clock resolution, and hz's denominator. */
export function parsePsched(text: string): Psched {
  const words = text.trim().split(/\s+/).map((w) => parseInt(w, 16));
  if (words.length < 3 || words.slice(0, 3).some((n) => !Number.isFinite(n)) || words[1] === 0) {
    throw new NlkitInputError(`unreadable psched "${text.trim()}"`, "psched");
  }
  let [t2us, us2t, clockRes] = words as [number, number, number];
  // tc's compatibility rule: a nanosecond clock advertises a multiplier of 1000 that means 1
  if (clockRes === 1_000_000_000) t2us = us2t;
  const clockFactor = clockRes / TIME_UNITS_PER_SEC;
  const hz = words[2] === 1_000_000 && Number.isFinite(words[3]) && words[3]! > 0 ? words[3]! : 100;
  return { tickInUsec: (t2us / us2t) * clockFactor, clockFactor, hz };
}

/**
 * C's conversion of a double to `unsigned int` as gcc does it on x86-64 (truncate to 64 bits,
 * keep the low 32): what tc stores when a computed value does not fit.
 */
export function toU32(d: number): number {
  if (!Number.isFinite(d) || Math.abs(d) >= 2 ** 63) return 0;
  const t = Math.trunc(d) % U32;
  return t < 0 ? t + U32 : t;
}

export function time2tick(p: Psched, time: number): number {
  return toU32(toU32(time) * p.tickInUsec);
}

export function tick2time(p: Psched, tick: number): number {
  return toU32(toU32(tick) / p.tickInUsec);
}

/** tc_core_time2big: a time whose ticks do not fit in 32 bits. */
export function timeTooBig(p: Psched, time: number): boolean {
  return Math.trunc(toU32(time) * p.tickInUsec) >= U32;
}

/** Ticks to send `size` bytes at `rate` bytes/s (tc_calc_xmittime). */
export function xmittime(p: Psched, rate: number, size: number): number {
  return time2tick(p, TIME_UNITS_PER_SEC * (toU32(size) / rate));
}

/** False when xmittime would wrap: the time or its ticks do not fit in 32 bits (tc sends garbage then). */
export function xmittimeFits(p: Psched, rate: number, size: number): boolean {
  const t = TIME_UNITS_PER_SEC * (toU32(size) / rate);
  return t < U32 && Math.trunc(t) * p.tickInUsec < U32;
}

/** Bytes sent at `rate` in `ticks` (tc_calc_xmitsize), as a double (tc prints it through %u). */
export function xmitsize(p: Psched, rate: number, ticks: number): number {
  return (rate * tick2time(p, ticks)) / TIME_UNITS_PER_SEC;
}

/**
 * The link layer tc sizes packets for when computing rate tables (`linklayer atm`).
 *
 * @example
 * ```ts
 * const linklayer: LinkLayer = "atm";   // ADSL: 53-byte cells carrying 48
 * await rt.tc.qdisc.add({ dev: "ppp0", parent: "root", handle: "1:", kind: "tbf", tbf: { rate: "2mbit", burst: "10kb", latency: "50ms", linklayer, overhead: 10 } });
 * const [q] = await rt.tc.qdisc.list({ dev: "ppp0", handle: "1:" });
 * console.log(q?.options.linklayer);   // "atm"
 * ```
 */
export type LinkLayer = "ethernet" | "atm";
/** enum tc_link_layer */
export const LINKLAYER = { unspec: 0, ethernet: 1, atm: 2 } as const;

const ATM_CELL_PAYLOAD = 48;
const ATM_CELL_SIZE = 53;

function adjustSize(size: number, mpu: number, linklayer: number): number {
  const sz = size < mpu ? mpu : size;
  if (linklayer !== LINKLAYER.atm) return sz;
  return Math.ceil(sz / ATM_CELL_PAYLOAD) * ATM_CELL_SIZE;
}

/** struct tc_ratespec as tc fills it next to a rate table. */
export interface Ratespec {
  cellLog: number;
  linklayer: number;
  overhead: number;
  cellAlign: number;
  mpu: number;
  rate: number;
}

/**
 * tc_calc_rtable: the 256-entry rate table (transmit ticks per size cell) and the ratespec that
 * goes with it. `cellLog` < 0 derives it from `mtu` (0 means 2047), as tc does. `rate` is what
 * the table is computed from: tbf and htb pass the ratespec's 32-bit rate, police the full one.
 */
export function rateTable(p: Psched, spec: { rate: number; mpu: number; overhead: number }, tableRate: number,
  cellLog: number, mtu: number, linklayer: number): { table: Buffer; ratespec: Ratespec } {
  const m = mtu === 0 ? 2047 : mtu;
  let cl = cellLog;
  if (cl < 0) {
    cl = 0;
    while (m >>> cl > 255) cl++;
  }
  const table = Buffer.alloc(1024);
  for (let i = 0; i < 256; i++) {
    table.writeUInt32LE(xmittime(p, tableRate, toU32(adjustSize(toU32((i + 1) * 2 ** cl), spec.mpu, linklayer))), i * 4);
  }
  return { table, ratespec: { cellLog: cl, linklayer: linklayer & 0x0f, overhead: spec.overhead, cellAlign: -1, mpu: spec.mpu, rate: spec.rate } };
}

/** A 64-bit rate as a ratespec holds it: rates from 2^32 bytes/s on travel in a separate u64. */
export function rate32(rate: number): number {
  return rate >= U32 ? 0xffffffff : rate;
}

// --- tc's words -----------------------------------------------------------------------------------

/** strtod's reach for the words tc reads: a decimal (or 0x hex integer) number, then the rest. */
function leadingNumber(text: string): { value: number; rest: string } | undefined {
  const hex = /^\s*([+-]?)0x([0-9a-f]+)/i.exec(text);
  if (hex) return { value: (hex[1] === "-" ? -1 : 1) * parseInt(hex[2]!, 16), rest: text.slice(hex[0].length) };
  const m = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?/i.exec(text);
  if (!m) return undefined;
  return { value: Number(m[0]), rest: text.slice(m[0].length) };
}

// bits per second per unit (lib/utils_math.c)
const RATE_UNITS: ReadonlyArray<readonly [string, number]> = [
  ["bit", 1], ["kibit", 1024], ["kbit", 1000], ["mibit", 1024 * 1024], ["mbit", 1e6],
  ["gibit", 1024 ** 3], ["gbit", 1e9], ["tibit", 1024 ** 4], ["tbit", 1e12],
  ["bps", 8], ["kibps", 8 * 1024], ["kbps", 8000], ["mibps", 8 * 1024 * 1024], ["mbps", 8e6],
  ["gibps", 8 * 1024 ** 3], ["gbps", 8e9], ["tibps", 8 * 1024 ** 4], ["tbps", 8e12],
];

/**
 * A rate as tc takes it ("1mbit", "10Mbps"), or a number of bytes per second.
 *
 * @example
 * ```ts
 * const rate: RateInput = "10mbit";   // 1250000 bytes/s: the same as 1_250_000 or "1.25mbps" (tc's bps is bytes/s)
 * await rt.tc.class.add({ dev: "eth0", parent: "1:", classid: "1:10", kind: "htb", htb: { rate, ceil: "100mbit" } });
 * const [c] = await rt.tc.class.list({ dev: "eth0", classid: "1:10" });
 * console.log(c?.options.rate);   // 1250000
 * ```
 */
export type RateInput = string | number;
/**
 * A size as tc takes it ("32kb", "1500b"), or a number of bytes.
 *
 * @example
 * ```ts
 * const burst: SizeInput = "32kb";   // 32768 bytes (tc's kb is KiB): the same as 32768 or "256kbit"
 * await rt.tc.qdisc.add({ dev: "eth0", parent: "root", kind: "tbf", tbf: { rate: "1mbit", burst, limit: "64kb" } });
 * ```
 */
export type SizeInput = string | number;
/**
 * A time as tc takes it ("50ms", "1s", "100us"), or a number of microseconds.
 *
 * @example
 * ```ts
 * const delay: TimeInput = "20ms";   // 20000 µs; a number is µs as well
 * await rt.tc.qdisc.add({ dev: "veth0", parent: "root", kind: "netem", netem: { delay, jitter: 5000 } });   // tc qdisc add dev veth0 root netem delay 20ms 5ms
 * ```
 */
export type TimeInput = string | number;

/**
 * A rate in bytes/s: tc's words ("1mbit", "10Mbps", "800kbit"; a bare number string is bit/s,
 * as in tc) or a plain number of bytes/s. `bits32` refuses what does not fit tc's 32-bit rates.
 */
export function parseRate(v: RateInput, field: string, bits32 = false): number {
  const max = bits32 ? 0xffffffff : Number.MAX_SAFE_INTEGER;
  if (typeof v === "number") {
    if (!Number.isInteger(v) || v < 0 || v > max) throw new NlkitInputError(`invalid ${field} ${v} (bytes per second)`, field);
    return v;
  }
  if (typeof v === "string" && v.includes("%")) {
    throw new NlkitInputError(`${field} "${v}": a percentage of the link speed is not supported, give a rate`, field);
  }
  const n = typeof v === "string" ? leadingNumber(v) : undefined;
  const unit = n ? RATE_UNITS.find(([u]) => u === n.rest.toLowerCase()) : undefined;
  if (!n || (n.rest !== "" && !unit)) throw new NlkitInputError(`invalid ${field} ${shown(v)} (a rate such as "1mbit", "10Mbps" or bytes/s as a number)`, field);
  const bytes = (n.value * (unit ? unit[1] : 1)) / 8;
  if (!(bytes >= 0) || bytes > max) throw new NlkitInputError(`${field} "${v}" is out of range`, field);
  return Math.trunc(bytes);
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  kb: 1024, k: 1024, gb: 1024 ** 3, g: 1024 ** 3, gbit: (1024 ** 3) / 8,
  mb: 1024 * 1024, m: 1024 * 1024, mbit: (1024 * 1024) / 8, kbit: 1024 / 8, b: 1,
};

/** A size in bytes: tc's words ("32kb", "1500", "2mb", "64kbit") or a plain number. */
export function parseSize(v: SizeInput, field: string): number {
  if (typeof v === "number") {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new NlkitInputError(`invalid ${field} ${v} (bytes)`, field);
    return v;
  }
  const n = typeof v === "string" ? leadingNumber(v) : undefined;
  const unit = n && n.rest !== "" ? SIZE_UNITS[n.rest.toLowerCase()] : 1;
  if (!n || unit === undefined) throw new NlkitInputError(`invalid ${field} ${shown(v)} (a size such as "32kb", "1mb" or bytes as a number)`, field);
  const sz = n.value * unit;
  // tc refuses what its unsigned int cannot hold (get_size's floor check)
  if (!(sz >= 0) || sz >= U32) throw new NlkitInputError(`${field} "${v}" is out of range`, field);
  return Math.trunc(sz);
}

/** "32kb/8": a size and the cell size after the slash as a log2 (tc's get_size_and_cell). */
export function parseSizeCell(v: SizeInput, field: string): { size: number; cellLog?: number } {
  if (typeof v !== "string" || !v.includes("/")) return { size: parseSize(v, field) };
  const [s, c] = v.split("/", 2) as [string, string];
  const size = parseSize(s, field);
  const cell = /^\d+$/.test(c) ? Number(c) : NaN;
  for (let i = 0; i < 32; i++) if (2 ** i === cell) return { size, cellLog: i };
  throw new NlkitInputError(`invalid ${field} "${v}": the cell size after "/" must be a power of two`, field);
}

const TIME_UNITS: Readonly<Record<string, number>> = {
  s: 1e6, sec: 1e6, secs: 1e6, ms: 1e3, msec: 1e3, msecs: 1e3, us: 1, usec: 1, usecs: 1,
};

/** A time in microseconds: tc's words ("400ms", "1.5s", "100us"; a bare number string is µs) or a plain number of µs. */
export function parseTime(v: TimeInput, field: string): number {
  if (typeof v === "number") {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new NlkitInputError(`invalid ${field} ${v} (microseconds)`, field);
    return v;
  }
  const n = typeof v === "string" ? leadingNumber(v) : undefined;
  const unit = n && n.rest !== "" ? TIME_UNITS[n.rest.toLowerCase()] : 1;
  if (!n || unit === undefined) throw new NlkitInputError(`invalid ${field} ${shown(v)} (a time such as "400ms", "1s" or microseconds as a number)`, field);
  const t = n.value * unit;
  // tc would wrap these silently into another time
  if (!(t >= 0) || t >= U32) throw new NlkitInputError(`${field} "${v}" is out of range`, field);
  return Math.trunc(t);
}

/**
 * A probability as tc's get_percent reads it ("1%", "0.5%", or a number meaning percent), scaled
 * to the kernel's 0..2^32-1.
 */
export function parsePercent(v: string | number, field: string): number {
  let per: number;
  if (typeof v === "number") per = v / 100;
  else {
    const n = typeof v === "string" ? leadingNumber(v) : undefined;
    if (!n || (n.rest !== "" && n.rest !== "%")) throw new NlkitInputError(`invalid ${field} ${shown(v)} (a percentage such as "1%")`, field);
    per = n.value / 100;
  }
  if (!(per >= 0 && per <= 1)) throw new NlkitInputError(`${field} ${shown(v)} is outside 0..100%`, field);
  return percentScaled(per);
}

/** tc's set_percent: a fraction of 1 as a fraction of UINT32_MAX, rounded to nearest even. */
export function percentScaled(fraction: number): number {
  return roundEven(fraction * 0xffffffff);
}

/** C's rint in the default rounding mode: halves go to the even neighbour. */
export function roundEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

// --- printing as tc prints ------------------------------------------------------------------------

/** tc's rate text: "1Mbit", "800Kbit", "1500bit" (bytes/s in). */
export function formatRate(bytesPerSec: number): string {
  let rate = bytesPerSec * 8;
  const units = ["", "K", "M", "G", "T"];
  let i = 0;
  for (; i < units.length - 1; i++) {
    if (rate < 1000) break;
    if (rate % 1000 !== 0 && rate < 1000 * 1000) break;
    rate = Math.floor(rate / 1000);
  }
  return `${rate}${units[i]}bit`;
}

/** tc's size text: "32Kb", "1Mb", "1500b". */
export function formatSize(bytes: number): string {
  const sz = toU32(bytes);
  const kilo = 1024, mega = 1024 * 1024;
  if (sz >= mega && Math.abs(mega * roundEven(sz / mega) - sz) < 1024) return `${formatG(roundEven(sz / mega))}Mb`;
  if (sz >= kilo && Math.abs(kilo * roundEven(sz / kilo) - sz) < 16) return `${formatG(roundEven(sz / kilo))}Kb`;
  return `${sz}b`;
}

/** tc's time text: "400ms", "1.5s", "100us" (µs in). */
export function formatTime(us: number): string {
  const t = toU32(us);
  if (t >= TIME_UNITS_PER_SEC) return `${formatG(t / TIME_UNITS_PER_SEC, 3)}s`;
  if (t >= 1000) return `${formatG(t / 1000, 3)}ms`;
  return `${t}us`;
}

/** printf's %g (6 significant digits by default, or `precision`). */
export function formatG(x: number, precision = 6): string {
  if (x === 0) return "0";
  const p = precision === 0 ? 1 : precision;
  const [mant, e] = x.toExponential(p - 1).split("e") as [string, string];
  const exp = Number(e);
  const strip = (t: string) => (t.includes(".") ? t.replace(/0+$/, "").replace(/\.$/, "") : t);
  if (exp < -4 || exp >= p) return `${strip(mant)}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return strip(x.toFixed(p - 1 - exp));
}
