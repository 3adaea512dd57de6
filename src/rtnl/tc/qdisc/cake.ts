import { attrSet, type AttrValues } from "../../../netlink/attrs.js";
import { NlkitInputError } from "../../../netlink/errors.js";
import { boolOpt, checkOptions, defineQdisc, intOpt, num, wordOf, wordOpt } from "../kind.js";
import { parseRate, parseSize, parseTime, type RateInput, type SizeInput, type TimeInput } from "../units.js";

export const cakeAttrs = attrSet("cake", "TCA_CAKE_", {
  pad: [1, "binary"],
  baseRate64: [2, "u64"],
  diffservMode: [3, "u32"],
  atm: [4, "u32"],
  flowMode: [5, "u32"],
  overhead: [6, "s32"],
  rtt: [7, "u32"],
  target: [8, "u32"],
  autorate: [9, "u32"],
  memory: [10, "u32"],
  nat: [11, "u32"],
  raw: [12, "u32"],
  wash: [13, "u32"],
  mpu: [14, "u32"],
  ingress: [15, "u32"],
  ackFilter: [16, "u32"],
  splitGso: [17, "u32"],
  fwmark: [18, "u32"],
});

/** CAKE_DIFFSERV_* / CAKE_FLOW_* / CAKE_ATM_* / CAKE_ACK_* by tc's words. */
export const CAKE_DIFFSERV = { diffserv3: 0, diffserv4: 1, diffserv8: 2, besteffort: 3, precedence: 4 } as const;
export const CAKE_FLOW = {
  flowblind: 0, srchost: 1, dsthost: 2, hosts: 3, flows: 4, "dual-srchost": 5, "dual-dsthost": 6, "triple-isolate": 7,
} as const;
export const CAKE_ATM = { noatm: 0, atm: 1, ptm: 2 } as const;
export const CAKE_ACK = { none: 0, filter: 1, aggressive: 2 } as const;

/**
 * Options of the cake qdisc (`tc qdisc add ... cake bandwidth 10mbit ...`).
 *
 * @example
 * ```ts
 * const cake: CakeOptions = { bandwidth: "20mbit", diffserv: "diffserv4", flowmode: "dual-srchost", nat: true, overhead: 18, mpu: 64 };
 * await rt.tc.qdisc.replace({ dev: "eth0", parent: "root", kind: "cake", cake });
 * // tc qdisc replace dev eth0 root cake bandwidth 20mbit diffserv4 dual-srchost nat overhead 18 mpu 64
 * ```
 */
export interface CakeOptions {
  /** The shaper's rate. */
  bandwidth?: RateInput;
  /** No shaping (only queue management). */
  unlimited?: boolean;
  /** Estimate the rate from the arrival rate (on ingress). */
  autorateIngress?: boolean;
  /** sets the target to rtt/20, as tc does */
  rtt?: TimeInput;
  /** Priority tins: "diffserv3", "diffserv4", "diffserv8", "besteffort", "precedence". */
  diffserv?: keyof typeof CAKE_DIFFSERV;
  /** How flows are told apart: "triple-isolate" (default), "flows", "hosts"... */
  flowmode?: keyof typeof CAKE_FLOW;
  /** Look through NAT (conntrack) to find hosts. */
  nat?: boolean;
  /** Clear DSCP marks after using them. */
  wash?: boolean;
  /** Split GSO super-packets to lower latency. */
  splitGso?: boolean;
  /** ATM cell framing: "noatm", "atm", "ptm". */
  atm?: keyof typeof CAKE_ATM;
  /** -64..256 bytes per packet */
  overhead?: number;
  /** tc's `raw`: no overhead compensation at all */
  raw?: boolean;
  /** Minimum packet size accounted. */
  mpu?: number;
  /** Shape incoming traffic (count drops as sent). */
  ingress?: boolean;
  /** Drop redundant TCP ACKs: "none", "filter" (tc's ack-filter) or "aggressive". */
  ackFilter?: keyof typeof CAKE_ACK;
  /** Most memory the queue may use. */
  memlimit?: SizeInput;
  /** Mask of the fwmark that selects a tin. */
  fwmark?: number;
}

const KEYS = ["bandwidth", "unlimited", "autorateIngress", "rtt", "diffserv", "flowmode", "nat", "wash", "splitGso", "atm", "overhead", "raw", "mpu", "ingress", "ackFilter", "memlimit", "fwmark"];

/** q_cake.c's order of attributes, each only when given. */
function encode(o: CakeOptions | undefined) {
  const v = checkOptions(o, KEYS, "cake");
  if (v.bandwidth !== undefined && v.unlimited) throw new NlkitInputError("cake: bandwidth and unlimited exclude each other", "cake.unlimited");
  if (v.raw && (v.overhead !== undefined || v.atm !== undefined)) throw new NlkitInputError("cake: raw excludes overhead and atm", "cake.raw");
  const bool = (k: string) => (boolOpt(v[k], `cake.${k}`) ? 1 : 0);
  const a: Record<string, unknown> = {};
  const bandwidth = v.bandwidth === undefined ? 0 : parseRate(v.bandwidth, "cake.bandwidth");
  if (bandwidth || (v.unlimited !== undefined && bool("unlimited"))) a.baseRate64 = BigInt(bandwidth);
  if (v.diffserv !== undefined) a.diffservMode = wordOpt(v.diffserv, CAKE_DIFFSERV, "cake.diffserv");
  const raw = v.raw !== undefined && bool("raw") === 1;
  if (raw) a.atm = CAKE_ATM.noatm;
  else if (v.atm !== undefined) a.atm = wordOpt(v.atm, CAKE_ATM, "cake.atm");
  if (v.flowmode !== undefined) a.flowMode = wordOpt(v.flowmode, CAKE_FLOW, "cake.flowmode");
  if (raw) {
    a.overhead = 0;
    a.raw = 0;
  } else if (v.overhead !== undefined) a.overhead = intOpt(v.overhead, "cake.overhead", 256, -64);
  if (v.mpu !== undefined) {
    const mpu = intOpt(v.mpu, "cake.mpu", 256);
    if (mpu > 0) a.mpu = mpu;
  }
  if (v.rtt !== undefined) {
    const rtt = parseTime(v.rtt, "cake.rtt");
    if (rtt) {
      a.rtt = rtt;
      a.target = Math.floor(rtt / 20) || 1;
    }
  }
  // bandwidth and unlimited switch autorate off, as in tc
  if (v.autorateIngress !== undefined) a.autorate = bool("autorateIngress");
  else if (v.bandwidth !== undefined || v.unlimited !== undefined) a.autorate = 0;
  if (v.memlimit !== undefined) {
    const m = parseSize(v.memlimit, "cake.memlimit");
    if (m) a.memory = m;
  }
  if (v.fwmark !== undefined) {
    const m = intOpt(v.fwmark, "cake.fwmark");
    if (m) a.fwmark = m;
  }
  if (v.nat !== undefined) a.nat = bool("nat");
  if (v.wash !== undefined) a.wash = bool("wash");
  if (v.splitGso !== undefined) a.splitGso = bool("splitGso");
  if (v.ingress !== undefined) a.ingress = bool("ingress");
  if (v.ackFilter !== undefined) a.ackFilter = wordOpt(v.ackFilter, CAKE_ACK, "cake.ackFilter");
  return a;
}

function view(a: AttrValues | Buffer) {
  if (Buffer.isBuffer(a)) return {};
  const out: Record<string, unknown> = {};
  if (a.baseRate64 !== undefined) out.bandwidth = num(a.baseRate64);
  if (a.diffservMode !== undefined) out.diffserv = wordOf(CAKE_DIFFSERV, a.diffservMode as number);
  if (a.flowMode !== undefined) out.flowmode = wordOf(CAKE_FLOW, (a.flowMode as number) & 7);
  if (a.atm !== undefined) out.atm = wordOf(CAKE_ATM, a.atm as number);
  for (const k of ["overhead", "rtt", "target", "mpu", "fwmark"] as const) if (a[k] !== undefined) out[k] = a[k];
  if (a.memory !== undefined) out.memlimit = a.memory;
  if (a.raw !== undefined) out.raw = true;
  for (const [k, name] of [["nat", "nat"], ["wash", "wash"], ["splitGso", "splitGso"], ["ingress", "ingress"], ["autorate", "autorateIngress"]] as const) {
    if (a[k] !== undefined) out[name] = a[k] !== 0;
  }
  if (a.ackFilter !== undefined) out.ackFilter = wordOf(CAKE_ACK, a.ackFilter as number);
  return out;
}

export const cake = defineQdisc({ kind: "cake", options: cakeAttrs, encode, view });
