import { attrSet } from "../netlink/attrs.js";
import type { MessageDef } from "../netlink/message.js";
import { counterAttrs } from "./expr/counter.js";
import { ctHelperAttrs } from "./expr/ct-helper.js";
import { limitAttrs } from "./expr/limit.js";
import { objectType } from "./expr/objref.js";
import { quotaAttrs } from "./expr/quota.js";
import { exprAttrs } from "./expr/index.js";
import { dataAttrs } from "./data.js";
import { chainPolicy, NFT_MSG_NAMES, nfgenmsg } from "./types.js";

// Byte order: nf_tables integers are __be32/__be64 on the wire except NFTA_CT_DIRECTION,
// NFTA_REJECT_ICMP_CODE (u8) and the u16 log attributes (__be16). Handles are __be64.
const nested = { nestFlag: true };
const be32 = { be: true } as const;
const be64 = { be: true } as const;
const NFTA_LIST_ELEM = 1;

export const deviceAttrs = attrSet("device", "NFTA_DEVICE_", {
  name: [1, "string", { multi: true }],
}, nested);

export const hookAttrs = attrSet("hook", "NFTA_HOOK_", {
  hooknum: [1, "u32", be32],
  priority: [2, "s32", be32],
  dev: [3, "string"],
  devs: [4, "nest", { set: deviceAttrs }],
}, nested);

export const tableAttrs = attrSet("table", "NFTA_TABLE_", {
  name: [1, "string"],
  flags: [2, "u32", be32],
  use: [3, "u32", be32],
  handle: [4, "u64", be64],
  pad: [5, "binary"],
  userdata: [6, "binary"],
  owner: [7, "u32", be32],
}, nested);

export const chainAttrs = attrSet("chain", "NFTA_CHAIN_", {
  table: [1, "string"],
  handle: [2, "u64", be64],
  name: [3, "string"],
  hook: [4, "nest", { set: hookAttrs }],
  policy: [5, "u32", { be: true, enum: chainPolicy }],
  use: [6, "u32", be32],
  type: [7, "string"],
  counters: [8, "nest", { set: counterAttrs }],
  pad: [9, "binary"],
  flags: [10, "u32", be32],
  id: [11, "u32", be32],
  userdata: [12, "binary"],
}, nested);

export const ruleCompatAttrs = attrSet("rule compat", "NFTA_RULE_COMPAT_", {
  proto: [1, "u32", be32],
  flags: [2, "u32", be32],
}, nested);

export const ruleAttrs = attrSet("rule", "NFTA_RULE_", {
  table: [1, "string"],
  chain: [2, "string"],
  handle: [3, "u64", be64],
  expressions: [4, "array", { set: exprAttrs, elemType: NFTA_LIST_ELEM }],
  compat: [5, "nest", { set: ruleCompatAttrs }],
  position: [6, "u64", be64],
  userdata: [7, "binary"],
  pad: [8, "binary"],
  id: [9, "u32", be32],
  positionId: [10, "u32", be32],
  chainId: [11, "u32", be32],
}, nested);

export const setFieldAttrs = attrSet("set field", "NFTA_SET_FIELD_", {
  len: [1, "u32", be32],
}, nested);

export const setDescAttrs = attrSet("set desc", "NFTA_SET_DESC_", {
  size: [1, "u32", be32],
  concat: [2, "array", { set: setFieldAttrs, elemType: NFTA_LIST_ELEM }],
}, nested);

export const setAttrs = attrSet("set", "NFTA_SET_", {
  table: [1, "string"],
  name: [2, "string"],
  flags: [3, "u32", be32],
  keyType: [4, "u32", be32],
  keyLen: [5, "u32", be32],
  dataType: [6, "u32", be32],
  dataLen: [7, "u32", be32],
  policy: [8, "u32", be32],
  desc: [9, "nest", { set: setDescAttrs }],
  id: [10, "u32", be32],
  timeout: [11, "u64", be64],
  gcInterval: [12, "u32", be32],
  userdata: [13, "binary"],
  pad: [14, "binary"],
  objType: [15, "u32", be32],
  handle: [16, "u64", be64],
  expr: [17, "nest", { set: exprAttrs }],
  expressions: [18, "array", { set: exprAttrs, elemType: NFTA_LIST_ELEM }],
}, nested);

export const setElemAttrs = attrSet("set elem", "NFTA_SET_ELEM_", {
  key: [1, "nest", { set: dataAttrs }],
  data: [2, "nest", { set: dataAttrs }],
  flags: [3, "u32", be32],
  timeout: [4, "u64", be64],
  expiration: [5, "u64", be64],
  userdata: [6, "binary"],
  expr: [7, "nest", { set: exprAttrs }],
  pad: [8, "binary"],
  objref: [9, "string"],
  keyEnd: [10, "nest", { set: dataAttrs }],
  expressions: [11, "array", { set: exprAttrs, elemType: NFTA_LIST_ELEM }],
}, nested);

export const setElemListAttrs = attrSet("set elem list", "NFTA_SET_ELEM_LIST_", {
  table: [1, "string"],
  set: [2, "string"],
  // nft numbers the elements 1, 2, 3... (the kernel ignores the type)
  elements: [3, "array", { set: setElemAttrs }],
  setId: [4, "u32", be32],
}, nested);

/** Stateful objects: the data nest's table is picked by the object type. */
export const OBJECT_DATA = { counter: counterAttrs, quota: quotaAttrs, limit: limitAttrs, "ct helper": ctHelperAttrs };

export const objAttrs = attrSet("obj", "NFTA_OBJ_", {
  table: [1, "string"],
  name: [2, "string"],
  type: [3, "u32", { be: true, enum: objectType }],
  data: [4, "submsg", { selector: "type", choices: OBJECT_DATA }],
  use: [5, "u32", be32],
  handle: [6, "u64", be64],
  pad: [7, "binary"],
  userdata: [8, "binary"],
}, nested);

export const genAttrs = attrSet("gen", "NFTA_GEN_", {
  id: [1, "u32", be32],
  procPid: [2, "u32", be32],
  procName: [3, "string"],
}, nested);

export const batchAttrs = attrSet("batch", "NFNL_BATCH_", {
  genid: [1, "u32", be32],
}, nested);

const def = (name: string, attrs: typeof tableAttrs): MessageDef => ({ name, header: nfgenmsg, attrs, typeNames: NFT_MSG_NAMES });
export const tableMsg = def("table", tableAttrs);
export const chainMsg = def("chain", chainAttrs);
export const ruleMsg = def("rule", ruleAttrs);
export const setMsg = def("set", setAttrs);
export const setElemMsg = def("set elements", setElemListAttrs);
export const genMsg = def("gen", genAttrs);
export const objMsg = def("obj", objAttrs);
export const batchMsg = def("batch", batchAttrs);
