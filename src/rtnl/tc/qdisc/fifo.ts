import type { AttrValues } from "../../../netlink/attrs.js";
import { struct } from "../../../netlink/struct.js";
import { readStruct, structBytes } from "../bytes.js";
import { checkOptions, defineQdisc, num } from "../kind.js";
import { parseSize, type SizeInput } from "../units.js";

/** struct tc_fifo_qopt: the whole of pfifo's and bfifo's options. */
export const fifoQopt = struct("tc_fifo_qopt", [["limit", "u32"]]);

/**
 * Options of the pfifo, bfifo and pfifo_head_drop qdiscs.
 *
 * @example
 * ```ts
 * const pfifo: FifoOptions = { limit: 100 };   // packets
 * await rt.tc.qdisc.add({ dev: "eth0", parent: "1:10", handle: "10:", kind: "pfifo", pfifo });   // tc qdisc add dev eth0 parent 1:10 handle 10: pfifo limit 100
 * await rt.tc.qdisc.add({ dev: "eth0", parent: "1:20", handle: "20:", kind: "bfifo", bfifo: { limit: "64kb" } });   // bytes
 * ```
 */
export interface FifoOptions {
  /** packets (pfifo) or bytes (bfifo, tc's size words) */
  limit?: SizeInput;
}

function fifo(kind: string) {
  return defineQdisc({
    kind,
    encode(o: FifoOptions | undefined) {
      const v = checkOptions(o, ["limit"], kind);
      // tc sends no options at all without a limit: the kernel then takes the device's txqueuelen
      if (v.limit === undefined) return undefined;
      return structBytes(fifoQopt, { limit: parseSize(v.limit, `${kind}.limit`) });
    },
    view(v: AttrValues | Buffer) {
      if (!Buffer.isBuffer(v)) return {};
      return { limit: num(readStruct(v, fifoQopt).struct.limit) };
    },
  });
}

export const pfifo = fifo("pfifo");
export const bfifo = fifo("bfifo");
export const pfifoHeadDrop = fifo("pfifo_head_drop");
