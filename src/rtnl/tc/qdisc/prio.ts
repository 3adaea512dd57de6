import { attrSet, type AttrValues } from "../../../netlink/attrs.js";
import { NlkitInputError } from "../../../netlink/errors.js";
import { struct } from "../../../netlink/struct.js";
import { readStruct, structBytes } from "../bytes.js";
import { checkOptions, defineQdisc, intOpt, num } from "../kind.js";

/** struct tc_prio_qopt: bands and the 16-entry priority map (pfifo_fast dumps the same). */
export const prioQopt = struct("tc_prio_qopt", [["bands", "s32"], ["priomap", "bytes", 16]]);

export const prioAttrs = attrSet("prio", "TCA_PRIO_", { mq: [1, "flag"] });
/** The nest tc puts after the struct (addattr_nest_compat): TCA_OPTIONS again, holding TCA_PRIO_*. */
export const prioCompat = attrSet("prio compat", "TCA_", { options: [2, "nest", { set: prioAttrs }] });

/** tc's default priomap (TC_PRIO_* to bands), also pfifo_fast's. */
export const DEFAULT_PRIOMAP = [1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1];

/**
 * Options of the prio qdisc: its bands and the priomap.
 *
 * @example
 * ```ts
 * const prio: PrioOptions = { bands: 4 };   // the priomap keeps tc's default, 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1
 * await rt.tc.qdisc.add({ dev: "eth0", parent: "root", handle: "1:", kind: "prio", prio });   // tc qdisc add dev eth0 root handle 1: prio bands 4
 * await rt.tc.qdisc.add({ dev: "eth0", parent: "1:4", handle: "40:", kind: "netem", netem: { delay: "200ms" } });   // band 4, for what filters send to 1:4
 * ```
 */
export interface PrioOptions {
  /** 2..16, default 3 */
  bands?: number;
  /** band of each TC_PRIO_* (up to 16 entries; the rest keep tc's defaults) */
  priomap?: number[];
  /** tc's multiqueue (TCA_PRIO_MQ): one band per hardware TX queue; current kernels ignore it (the multiq qdisc does this), so it never reads back true. */
  multiqueue?: boolean;
}

function view(v: AttrValues | Buffer) {
  if (!Buffer.isBuffer(v)) return {};
  const { struct: s, attrs } = readStruct(v, prioQopt, prioCompat);
  const map = s.priomap instanceof Buffer ? [...s.priomap] : [];
  return { bands: num(s.bands), priomap: map, multiqueue: (attrs.options as AttrValues | undefined)?.mq === true };
}

export const prio = defineQdisc({
  kind: "prio",
  encode(o: PrioOptions | undefined) {
    const v = checkOptions(o, ["bands", "priomap", "multiqueue"], "prio");
    const bands = v.bands === undefined ? 3 : intOpt(v.bands, "prio.bands", 0x7fffffff);
    const map = [...DEFAULT_PRIOMAP];
    if (v.priomap !== undefined) {
      if (!Array.isArray(v.priomap) || v.priomap.length > 16) throw new NlkitInputError("prio.priomap must be an array of at most 16 bands", "prio.priomap");
      v.priomap.forEach((b: unknown, i: number) => {
        map[i] = intOpt(b, `prio.priomap[${i}]`, 0xff);
        if (map[i]! >= bands) throw new NlkitInputError(`prio.priomap[${i}] ${map[i]} is out of bands (${bands})`, "prio.priomap");
      });
    }
    return structBytes(prioQopt, { bands, priomap: Buffer.from(map) }, { set: prioCompat, values: { options: v.multiqueue ? { mq: true } : {} } });
  },
  view,
});

/** pfifo_fast takes no options (tc refuses any); it dumps a tc_prio_qopt. */
export const pfifoFast = defineQdisc({
  kind: "pfifo_fast",
  encode(o: unknown) {
    checkOptions(o, [], "pfifo_fast");
    return undefined;
  },
  view,
});
