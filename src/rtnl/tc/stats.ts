import type { AttrValues } from "../../netlink/attrs.js";
import { num } from "./kind.js";

/**
 * Counters of a qdisc, class or action (TCA_STATS2, or the old TCA_STATS), as numbers.
 *
 * @example
 * ```ts
 * const [q] = await rt.tc.qdisc.list({ dev: "eth0", parent: "root" });
 * const s: TcStats | undefined = q?.stats;
 * if (s) console.log(`Sent ${s.bytes} bytes ${s.packets} pkt (dropped ${s.drops}, overlimits ${s.overlimits} requeues ${s.requeues})`);
 * if (s) console.log(`backlog ${s.backlog}b ${s.qlen}p`);   // tc -s qdisc show's two lines
 * ```
 */
export interface TcStats {
  /** Bytes sent. */
  bytes: number;
  /** Packets sent. */
  packets: number;
  /** Packets dropped. */
  drops: number;
  /** Times a packet was held back because a limit was reached. */
  overlimits: number;
  /** Packets put back into the queue. */
  requeues: number;
  /** bytes queued */
  backlog: number;
  /** packets queued */
  qlen: number;
  /** the rate estimator's bytes/s and packets/s, when one runs */
  bps?: number;
  /** Estimated packets per second, when a rate estimator runs. */
  pps?: number;
  /** what the hardware counted, for offloaded objects */
  hwBytes?: number;
  /** Packets handled in hardware (offloaded filters). */
  hwPackets?: number;
}

type Counters = Record<string, number | bigint | undefined>;

/** TCA_STATS2's nest (gen_stats.h), with 64-bit packet counts preferred as tc does. */
export function statsView(s2: AttrValues | undefined, old?: Counters): TcStats | undefined {
  if (!s2) {
    if (!old) return undefined;
    const o: TcStats = {
      bytes: num(old.bytes) ?? 0, packets: num(old.packets) ?? 0, drops: num(old.drops) ?? 0, overlimits: num(old.overlimits) ?? 0,
      requeues: 0, backlog: num(old.backlog) ?? 0, qlen: num(old.qlen) ?? 0,
    };
    if (old.bps || old.pps) Object.assign(o, { bps: num(old.bps), pps: num(old.pps) });
    return o;
  }
  // an empty nest: the object keeps no counters of its own (a tbf's inner class), as tc reads it
  if (s2.basic === undefined && s2.queue === undefined && s2.pkt64 === undefined) return undefined;
  const basic = (s2.basic ?? {}) as Counters;
  const queue = (s2.queue ?? {}) as Counters;
  const pkt64 = num(s2.pkt64);
  const out: TcStats = {
    bytes: num(basic.bytes) ?? 0,
    packets: pkt64 || (num(basic.packets) ?? 0),
    drops: num(queue.drops) ?? 0,
    overlimits: num(queue.overlimits) ?? 0,
    requeues: num(queue.requeues) ?? 0,
    backlog: num(queue.backlog) ?? 0,
    qlen: num(queue.qlen) ?? 0,
  };
  const est = (s2.rateEst64 ?? s2.rateEst) as Counters | undefined;
  if (est) Object.assign(out, { bps: num(est.bps), pps: num(est.pps) });
  const hw = s2.basicHw as Counters | undefined;
  if (hw && (num(hw.bytes) || num(hw.packets))) Object.assign(out, { hwBytes: num(hw.bytes), hwPackets: num(hw.packets) });
  return out;
}
