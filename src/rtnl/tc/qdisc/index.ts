import type { AttrSet } from "../../../netlink/attrs.js";
import type { QdiscKindDef } from "../kind.js";
import { tcaAttrs, tcMessage } from "../table.js";
import { cake } from "./cake.js";
import { bfifo, pfifo, pfifoHeadDrop } from "./fifo.js";
import { fq } from "./fq.js";
import { fqCodel } from "./fq_codel.js";
import { htb } from "./htb.js";
import { netem } from "./netem.js";
import { clsact, ingress, mq } from "./plain.js";
import { pfifoFast, prio } from "./prio.js";
import { sfq } from "./sfq.js";
import { tbf } from "./tbf.js";

/** Every qdisc kind nlkit encodes and decodes, by TCA_KIND. */
export const qdiscKinds: ReadonlyMap<string, QdiscKindDef> = new Map(
  [pfifo, bfifo, pfifoHeadDrop, pfifoFast, tbf, htb, mq, ingress, clsact, netem, fqCodel, fq, sfq, prio, cake].map((k) => [k.kind, k]),
);

function choices(pick: (k: QdiscKindDef) => AttrSet | undefined): Record<string, AttrSet> {
  const out: Record<string, AttrSet> = {};
  for (const k of qdiscKinds.values()) {
    const s = pick(k);
    if (s) out[k.kind] = s;
  }
  return out;
}

export const qdiscAttrs = tcaAttrs("qdisc", choices((k) => k.options));
export const classAttrs = tcaAttrs("class", choices((k) => k.classOptions));
export const qdiscMessage = tcMessage("tcmsg qdisc", qdiscAttrs);
export const classMessage = tcMessage("tcmsg class", classAttrs);
