import { describe, expect, it } from "vitest";
import type { AttrSet } from "../../../src/netlink/attrs.js";
import * as attrs from "../../../src/nft/attrs.js";
import { dataAttrs, verdictAttrs } from "../../../src/nft/data.js";
import { EXPRESSIONS } from "../../../src/nft/expr/index.js";
import { exprAttrs } from "../../../src/nft/expr/index.js";
import { CT_KEY_UAPI, ctKey } from "../../../src/nft/expr/ct.js";
import { META_KEY_UAPI, metaKey } from "../../../src/nft/expr/meta.js";
import { NF_NAT_RANGE, NF_NAT_RANGE_UAPI } from "../../../src/nft/expr/nat.js";
import { cmpOp } from "../../../src/nft/expr/cmp.js";
import { payloadBase } from "../../../src/nft/expr/payload.js";
import { bitwiseOp } from "../../../src/nft/expr/bitwise.js";
import { logLevel } from "../../../src/nft/expr/log.js";
import * as T from "../../../src/nft/types.js";
import { hasCompiler, uapiValues } from "../../helpers/uapi-nft.js";

const HEADERS = ["linux/netlink.h", "linux/netfilter.h", "linux/netfilter_arp.h", "linux/netfilter/nfnetlink.h", "linux/netfilter/nf_tables.h", "linux/netfilter/nf_nat.h", "linux/netfilter/nf_conntrack_common.h"];

const sets: AttrSet[] = [
  attrs.tableAttrs, attrs.chainAttrs, attrs.hookAttrs, attrs.deviceAttrs, attrs.ruleAttrs, attrs.ruleCompatAttrs,
  attrs.setAttrs, attrs.setDescAttrs, attrs.setFieldAttrs, attrs.setElemAttrs, attrs.setElemListAttrs, attrs.genAttrs,
  attrs.batchAttrs, dataAttrs, verdictAttrs, exprAttrs, ...Object.values(EXPRESSIONS),
];

// every number in the tables, by the UAPI name it must equal
const expected: Array<[string, number]> = [];
for (const s of sets) for (const d of s.defs()) expected.push([d.uapi, d.type]);
for (const [k, v] of Object.entries(T.NFT_MSG)) expected.push([k, v]);
expected.push(
  ["NFNL_SUBSYS_NFTABLES", T.NFNL_SUBSYS_NFTABLES], ["NFNETLINK_V0", T.NFNETLINK_V0],
  ["NFNL_MSG_BATCH_BEGIN", T.NFNL_MSG_BATCH_BEGIN], ["NFNL_MSG_BATCH_END", T.NFNL_MSG_BATCH_END],
  ["NFT_SET_ELEM_INTERVAL_END", T.NFT_SET_ELEM_INTERVAL_END], ["NFT_SET_ELEM_CATCHALL", T.NFT_SET_ELEM_CATCHALL],
  ["NFT_REG_VERDICT", T.NFT_REG_VERDICT], ["NFT_REG_1", T.NFT_REG_1], ["NFT_REG_2", T.NFT_REG_2],
  ["NF_DROP", 0], ["NF_ACCEPT", 1],
  ["NFT_CONTINUE", T.verdictCode.values.get("continue")!], ["NFT_BREAK", T.verdictCode.values.get("break")!],
  ["NFT_JUMP", T.verdictCode.values.get("jump")!], ["NFT_GOTO", T.verdictCode.values.get("goto")!],
  ["NFT_RETURN", T.verdictCode.values.get("return")!],
  ["NF_DROP", T.verdictCode.values.get("drop")!], ["NF_ACCEPT", T.verdictCode.values.get("accept")!],
  ["NF_QUEUE", T.verdictCode.values.get("queue")!],
  ["NFT_TABLE_F_DORMANT", T.NFT_TABLE_F.dormant], ["NFT_TABLE_F_OWNER", T.NFT_TABLE_F.owner],
  ["NFT_CHAIN_BASE", T.NFT_CHAIN_F.base], ["NFT_CHAIN_HW_OFFLOAD", T.NFT_CHAIN_F.hwOffload], ["NFT_CHAIN_BINDING", T.NFT_CHAIN_F.binding],
  ["NFT_SET_ANONYMOUS", T.NFT_SET_F.anonymous], ["NFT_SET_CONSTANT", T.NFT_SET_F.constant], ["NFT_SET_INTERVAL", T.NFT_SET_F.interval],
  ["NFT_SET_MAP", T.NFT_SET_F.map], ["NFT_SET_TIMEOUT", T.NFT_SET_F.timeout], ["NFT_SET_EVAL", T.NFT_SET_F.eval],
  ["NFT_SET_OBJECT", T.NFT_SET_F.object], ["NFT_SET_CONCAT", T.NFT_SET_F.concat], ["NFT_SET_EXPR", T.NFT_SET_F.expr],
  ["NFT_CMP_EQ", cmpOp.values.get("eq")!], ["NFT_CMP_NEQ", cmpOp.values.get("neq")!], ["NFT_CMP_LT", cmpOp.values.get("lt")!],
  ["NFT_CMP_LTE", cmpOp.values.get("lte")!], ["NFT_CMP_GT", cmpOp.values.get("gt")!], ["NFT_CMP_GTE", cmpOp.values.get("gte")!],
  ["NFT_PAYLOAD_LL_HEADER", payloadBase.values.get("ll")!], ["NFT_PAYLOAD_NETWORK_HEADER", payloadBase.values.get("network")!],
  ["NFT_PAYLOAD_TRANSPORT_HEADER", payloadBase.values.get("transport")!], ["NFT_PAYLOAD_INNER_HEADER", payloadBase.values.get("inner")!],
  ["NFT_BITWISE_MASK_XOR", bitwiseOp.values.get("bool")!], ["NFT_BITWISE_LSHIFT", bitwiseOp.values.get("lshift")!],
  ["NFT_BITWISE_RSHIFT", bitwiseOp.values.get("rshift")!],
  ["NFT_LOGLEVEL_EMERG", logLevel.values.get("emerg")!], ["NFT_LOGLEVEL_WARNING", logLevel.values.get("warn")!],
  ["NFT_LOGLEVEL_AUDIT", logLevel.values.get("audit")!],
  ["NFT_NAT_SNAT", 0], ["NFT_NAT_DNAT", 1], ["NFPROTO_IPV4", 2], ["NFPROTO_IPV6", 10],
  ["IP_CT_ESTABLISHED", 0],
  ["NF_CT_STATE_BIT(IP_CT_ESTABLISHED)", 2], ["NF_CT_STATE_BIT(IP_CT_RELATED)", 4], ["NF_CT_STATE_BIT(IP_CT_NEW)", 8],
  ["NF_CT_STATE_INVALID_BIT", 1], ["NF_CT_STATE_UNTRACKED_BIT", 64],
);
for (const [k, uapi] of Object.entries(T.NFPROTO_UAPI)) expected.push([uapi, T.NFPROTO[k as keyof typeof T.NFPROTO]]);
for (const [uapi, v] of Object.entries(T.HOOK_UAPI)) expected.push([uapi, v]);
for (const [k, uapi] of Object.entries(META_KEY_UAPI)) expected.push([uapi, metaKey.values.get(k)!]);
for (const [k, uapi] of Object.entries(CT_KEY_UAPI)) expected.push([uapi, ctKey.values.get(k)!]);
for (const [k, uapi] of Object.entries(NF_NAT_RANGE_UAPI)) expected.push([uapi, NF_NAT_RANGE[k as keyof typeof NF_NAT_RANGE]]);

describe.skipIf(!hasCompiler())("nf_tables numbers equal the UAPI headers", () => {
  const values = uapiValues(HEADERS, [...new Set(expected.map(([n]) => n))]);
  it(`checks ${expected.length} constants`, () => {
    const wrong = expected.filter(([n, v]) => values.get(n) !== v).map(([n, v]) => `${n}: table ${v}, header ${values.get(n)}`);
    expect(wrong).toEqual([]);
  });
  it("wire message types are (NFNL_SUBSYS_NFTABLES << 8) | msg", () => {
    expect(T.NFT_MSG_NEWRULE).toBe((values.get("NFNL_SUBSYS_NFTABLES")! << 8) | values.get("NFT_MSG_NEWRULE")!);
    expect(T.NFT_MSG_NAMES.get(0x0a06)).toBe("NFT_MSG_NEWRULE");
  });
  it("every meta and ct key has a UAPI name", () => {
    expect(Object.keys(META_KEY_UAPI).sort()).toEqual([...metaKey.values.keys()].sort());
    expect(Object.keys(CT_KEY_UAPI).sort()).toEqual([...ctKey.values.keys()].sort());
  });
});
