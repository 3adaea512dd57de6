import { describe, expect, it } from "vitest";
import type { AttrSet } from "../../../src/netlink/attrs.js";
import { ifaAttrs } from "../../../src/rtnl/addr/table.js";
import { frAction, nudState, rtProtocol, rtScope, rtTable, rtType } from "../../../src/rtnl/enums.js";
import { ndaAttrs, NTF_FLAGS } from "../../../src/rtnl/neigh/table.js";
import { IFA_FLAGS } from "../../../src/rtnl/addr/table.js";
import { rtaAttrs, rtaxAttrs, RT_FLAGS } from "../../../src/rtnl/route/table.js";
import { fraAttrs } from "../../../src/rtnl/rule/table.js";
import { ifalAttrs } from "../../../src/rtnl/addrlabel/table.js";
import { NETCONF_IFINDEX_ALL, NETCONF_IFINDEX_DEFAULT, netconfAttrs } from "../../../src/rtnl/netconf/table.js";
import { RTCF_FLAGS } from "../../../src/rtnl/route/table.js";
import { cCompiler, uapiValues } from "../../helpers/uapi.js";

const HEADERS = ["linux/rtnetlink.h", "linux/if_addr.h", "linux/neighbour.h", "linux/fib_rules.h", "linux/if_addrlabel.h", "linux/netconf.h", "linux/in_route.h"];
// RTCF_* bits ip prints after "cache", by their UAPI names
const RTCF_UAPI: Record<string, string> = {
  local: "RTCF_LOCAL", reject: "RTCF_REJECT", mc: "RTCF_MULTICAST", brd: "RTCF_BROADCAST", "dst-nat": "RTCF_DNAT", "src-nat": "RTCF_SNAT",
  masq: "RTCF_MASQ", "dst-direct": "RTCF_DIRECTDST", "src-direct": "RTCF_DIRECTSRC", redirected: "RTCF_REDIRECTED",
  redirect: "RTCF_DOREDIRECT", fastroute: "RTCF_FAST", notify: "RTCF_NOTIFY", proxy: "RTCF_TPROXY",
};
// RTNH_F_* / RTM_F_* bits ip prints, by their UAPI names
const RT_FLAG_UAPI: Record<string, string> = {
  dead: "RTNH_F_DEAD", onlink: "RTNH_F_ONLINK", pervasive: "RTNH_F_PERVASIVE", offload: "RTNH_F_OFFLOAD", trap: "RTNH_F_TRAP",
  notify: "RTM_F_NOTIFY", linkdown: "RTNH_F_LINKDOWN", unresolved: "RTNH_F_UNRESOLVED", rt_offload: "RTM_F_OFFLOAD",
  rt_trap: "RTM_F_TRAP", rt_offload_failed: "RTM_F_OFFLOAD_FAILED",
};

const sets: AttrSet[] = [ifaAttrs, rtaAttrs, rtaxAttrs, ndaAttrs, fraAttrs, ifalAttrs, netconfAttrs];

describe.skipIf(!cCompiler())("every table entry equals its UAPI header value", () => {
  const expected: Array<[string, number]> = [];
  for (const s of sets) for (const d of s.defs()) expected.push([d.uapi, d.type]);
  for (const [name, bit] of IFA_FLAGS) expected.push([`IFA_F_${name === "home" ? "HOMEADDRESS" : name === "mngtmpaddr" ? "MANAGETEMPADDR" : name === "autojoin" ? "MCAUTOJOIN" : name.toUpperCase().replace("-", "_")}`, bit]);
  for (const [name, bit] of NTF_FLAGS) expected.push([`NTF_${name === "extern_learn" ? "EXT_LEARNED" : name === "offload" ? "OFFLOADED" : name.toUpperCase()}`, bit]);
  for (const [name, bit] of RT_FLAGS) expected.push([RT_FLAG_UAPI[name]!, bit]);
  for (const [name, bit] of RTCF_FLAGS) expected.push([RTCF_UAPI[name]!, bit]);
  expected.push(["NETCONFA_IFINDEX_ALL", NETCONF_IFINDEX_ALL], ["NETCONFA_IFINDEX_DEFAULT", NETCONF_IFINDEX_DEFAULT]);
  for (const [name, v] of nudState.values) expected.push([`NUD_${name.toUpperCase()}`, v]);
  for (const [name, v] of rtType.values) expected.push([`RTN_${name.toUpperCase()}`, v]);
  for (const [name, v] of rtProtocol.values) expected.push([`RTPROT_${name.toUpperCase()}`, v]);
  for (const [name, v] of rtTable.values) expected.push([`RT_TABLE_${name.toUpperCase()}`, v]);
  for (const [name, v] of frAction.values) expected.push([`FR_ACT_${name.toUpperCase()}`, v]);
  for (const [name, v] of rtScope.values) if (name !== "global") expected.push([`RT_SCOPE_${name.toUpperCase()}`, v]);

  it(`${expected.length} constants`, () => {
    const got = uapiValues(HEADERS, expected.map(([n]) => n));
    const wrong = expected.filter(([n, v]) => got.get(n) !== v).map(([n, v]) => `${n}: table ${v}, header ${got.get(n)}`);
    expect(wrong).toEqual([]);
    expect(expected.length).toBeGreaterThan(150);
  });
});
