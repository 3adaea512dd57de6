import { attrSet, type AttrSet } from "../../netlink/attrs.js";
import { bitwiseAttrs } from "./bitwise.js";
import { cmpAttrs, rangeAttrs } from "./cmp.js";
import { counterAttrs } from "./counter.js";
import { ctAttrs } from "./ct.js";
import { immediateAttrs } from "./immediate.js";
import { limitAttrs } from "./limit.js";
import { logAttrs } from "./log.js";
import { lookupAttrs } from "./lookup.js";
import { masqAttrs } from "./masq.js";
import { metaAttrs } from "./meta.js";
import { natAttrs } from "./nat.js";
import { payloadAttrs } from "./payload.js";
import { redirAttrs } from "./redir.js";
import { rejectAttrs } from "./reject.js";
import { dynsetAttrs } from "./dynset.js";
import { fibAttrs } from "./fib.js";
import {
  byteorderAttrs, connlimitAttrs, dupAttrs, exthdrAttrs, fwdAttrs, hashAttrs, notrackAttrs, queueAttrs, rtAttrs,
} from "./misc.js";
import { numgenAttrs } from "./numgen.js";
import { objrefAttrs } from "./objref.js";
import { quotaAttrs } from "./quota.js";

/**
 * Expression name -> its attribute set. An expression not listed here decodes to a raw Buffer
 * under `data` and is written back unchanged.
 */
export const EXPRESSIONS: Record<string, AttrSet> = {
  payload: payloadAttrs,
  meta: metaAttrs,
  cmp: cmpAttrs,
  range: rangeAttrs,
  bitwise: bitwiseAttrs,
  immediate: immediateAttrs,
  counter: counterAttrs,
  ct: ctAttrs,
  lookup: lookupAttrs,
  nat: natAttrs,
  masq: masqAttrs,
  redir: redirAttrs,
  log: logAttrs,
  limit: limitAttrs,
  reject: rejectAttrs,
  dynset: dynsetAttrs,
  numgen: numgenAttrs,
  fib: fibAttrs,
  objref: objrefAttrs,
  quota: quotaAttrs,
  notrack: notrackAttrs,
  connlimit: connlimitAttrs,
  hash: hashAttrs,
  queue: queueAttrs,
  rt: rtAttrs,
  byteorder: byteorderAttrs,
  exthdr: exthdrAttrs,
  dup: dupAttrs,
  fwd: fwdAttrs,
};

export const exprAttrs = attrSet("expr", "NFTA_EXPR_", {
  name: [1, "string"],
  data: [2, "submsg", { selector: "name", choices: EXPRESSIONS }],
}, { nestFlag: true });

/**
 * One rule expression as the kernel carries it: NFTA_EXPR_NAME plus its own attributes.
 *
 * @example
 * ```ts
 * const exprs: Expr[] = nftExpr.flattenExprs([nftExpr.tcpDport(22), nftExpr.accept()]);
 * console.log(exprs.map((e) => e.name));   // [ 'meta', 'cmp', 'payload', 'cmp', 'immediate' ]
 * await nft.transaction((tx) => { tx.addRule({ family: "inet", table: "fw", chain: "input", expressions: exprs }); });
 * ```
 */
export interface Expr {
  /** The expression type as the kernel names it (NFTA_EXPR_NAME): "payload", "cmp", "meta", "immediate"... */
  name: string;
  /**
   * Its attributes (NFTA_EXPR_DATA), decoded by the type's attribute set; a raw Buffer for a type
   * nlkit does not know, sent back unchanged; absent for one without attributes.
   */
  data?: Record<string, any> | Buffer;
}
