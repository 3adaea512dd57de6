// Every number in the ctnetlink tables equals the UAPI headers' (they win over the YAML spec).
import { describe, expect, it } from "vitest";
import * as T from "../../../src/conntrack/table.js";
import type { AttrSet } from "../../../src/netlink/attrs.js";
import { NFNETLINK_V0, NFNL_SUBSYS } from "../../../src/netlink/nfnetlink.js";
import { cCompiler, uapiValues } from "../../helpers/uapi.js";

const HEADERS = [
  "netinet/in.h", "sys/socket.h", "linux/netfilter/nfnetlink.h", "linux/netfilter/nfnetlink_conntrack.h", "linux/netfilter/nf_conntrack_common.h",
  "linux/netfilter/nf_conntrack_tcp.h", "linux/netfilter/nf_conntrack_sctp.h", "linux/netfilter.h",
];

const sets: AttrSet[] = [
  T.ctAttrs, T.tupleAttrs, T.ipAttrs, T.protoAttrs, T.counterAttrs, T.timestampAttrs, T.protoinfoAttrs, T.protoinfoTcpAttrs,
  T.protoinfoDccpAttrs, T.protoinfoSctpAttrs, T.helpAttrs, T.natAttrs, T.protonatAttrs, T.seqadjAttrs, T.secctxAttrs,
  T.synproxyAttrs, T.filterAttrs, T.statsGlobalAttrs,
];

const expected: Array<[string, number]> = [];
for (const s of sets) for (const d of s.defs()) expected.push([d.uapi, d.type]);
for (const [k, v] of Object.entries(T.IPCTNL_MSG)) expected.push([k, v]);
for (const [k, v] of Object.entries(T.NFNLGRP)) expected.push([k, v]);
for (const [name, bit] of T.IPS_BITS) expected.push([`IPS_${name}_BIT`, bit]);
for (const [name, v] of T.tcpState.values) expected.push([`TCP_CONNTRACK_${name}`, v]);
for (const [name, v] of T.sctpState.values) expected.push([`SCTP_CONNTRACK_${name}`, v]);
for (const [name, v] of T.l4proto.values) expected.push([`IPPROTO_${name.toUpperCase()}`, v]);
expected.push(
  ["NFNL_SUBSYS_CTNETLINK", NFNL_SUBSYS.ctnetlink], ["NFNETLINK_V0", NFNETLINK_V0],
  ["AF_INET", T.AF_INET], ["AF_INET6", T.AF_INET6], ["NFPROTO_IPV4", T.AF_INET], ["NFPROTO_IPV6", T.AF_INET6],
  ["IPPROTO_ICMP", T.IPPROTO_ICMP], ["IPPROTO_ICMPV6", T.IPPROTO_ICMPV6],
  ["CTA_MAX", T.ctAttrs.defs().length], ["CTA_FILTER_MAX", T.filterAttrs.defs().length], ["__IPS_MAX_BIT", T.IPS_BITS.length],
);

describe.skipIf(!cCompiler())("ctnetlink numbers equal the UAPI headers", () => {
  const values = uapiValues(HEADERS, [...new Set(expected.map(([n]) => n))]);
  it(`checks ${expected.length} constants`, () => {
    const wrong = expected.filter(([n, v]) => values.get(n) !== v).map(([n, v]) => `${n}: table ${v}, header ${values.get(n)}`);
    expect(wrong).toEqual([]);
  });

  it("wire types are (NFNL_SUBSYS_CTNETLINK << 8) | msg, named in errors", () => {
    expect(T.CT_GET).toBe((values.get("NFNL_SUBSYS_CTNETLINK")! << 8) | values.get("IPCTNL_MSG_CT_GET")!);
    expect(T.CT_MSG_NAMES.get(T.CT_DELETE)).toBe("IPCTNL_MSG_CT_DELETE");
  });

  it("IPS_* masks are their bits; the tables hold every status bit the header has", () => {
    for (const [name, bit] of T.IPS_BITS) expect(T.IPS[name]).toBe(1 << bit);
    expect(T.IPS_BITS.length).toBe(values.get("__IPS_MAX_BIT"));
  });
});
