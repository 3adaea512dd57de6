import { describe, expect, it } from "vitest";
import * as T from "../../../src/ethtool/table.js";
import type { AttrSet, EnumDef } from "../../../src/netlink/attrs.js";
import { cCompiler, uapiValues } from "../../helpers/uapi.js";

const sets: AttrSet[] = [
  T.headerAttrs, T.bitsetBitAttrs, T.bitsetBitsAttrs, T.bitsetAttrs, T.stringAttrs, T.stringsAttrs, T.stringsetAttrs,
  T.stringsetsAttrs, T.strsetAttrs, T.linkinfoAttrs, T.linkmodesAttrs, T.linkstateAttrs, T.debugAttrs, T.wolAttrs,
  T.featuresAttrs, T.channelsAttrs, T.tsinfoAttrs,
];

/** Each enum value of a table by the UAPI name it must equal. */
const ENUMS: Array<[EnumDef, Record<string, string>]> = [
  [T.portEnum, { tp: "PORT_TP", aui: "PORT_AUI", mii: "PORT_MII", fibre: "PORT_FIBRE", bnc: "PORT_BNC", da: "PORT_DA", none: "PORT_NONE", other: "PORT_OTHER" }],
  [T.transceiverEnum, { internal: "XCVR_INTERNAL", external: "XCVR_EXTERNAL" }],
  [T.mdixEnum, { unknown: "ETH_TP_MDI_INVALID", off: "ETH_TP_MDI", on: "ETH_TP_MDI_X", auto: "ETH_TP_MDI_AUTO" }],
  [T.duplexEnum, { half: "DUPLEX_HALF", full: "DUPLEX_FULL", unknown: "DUPLEX_UNKNOWN" }],
  [T.masterSlaveCfgEnum, {
    unsupported: "MASTER_SLAVE_CFG_UNSUPPORTED", unknown: "MASTER_SLAVE_CFG_UNKNOWN", "preferred-master": "MASTER_SLAVE_CFG_MASTER_PREFERRED",
    "preferred-slave": "MASTER_SLAVE_CFG_SLAVE_PREFERRED", "forced-master": "MASTER_SLAVE_CFG_MASTER_FORCE", "forced-slave": "MASTER_SLAVE_CFG_SLAVE_FORCE",
  }],
  [T.masterSlaveStateEnum, {
    unsupported: "MASTER_SLAVE_STATE_UNSUPPORTED", unknown: "MASTER_SLAVE_STATE_UNKNOWN", master: "MASTER_SLAVE_STATE_MASTER",
    slave: "MASTER_SLAVE_STATE_SLAVE", err: "MASTER_SLAVE_STATE_ERR",
  }],
  [T.rateMatchingEnum, { none: "RATE_MATCH_NONE", pause: "RATE_MATCH_PAUSE", crs: "RATE_MATCH_CRS", "open-loop": "RATE_MATCH_OPEN_LOOP" }],
];

const expected: Array<[string, number]> = [];
for (const s of sets) for (const d of s.defs()) expected.push([d.uapi, d.type]);
for (const [k, v] of Object.entries(T.ETHTOOL_MSG)) expected.push([`ETHTOOL_MSG_${k}`, v]);
for (const [k, v] of Object.entries(T.ETHTOOL_MSG_KERNEL)) expected.push([`ETHTOOL_MSG_${k}`, v]);
for (const [k, v] of Object.entries(T.ETHTOOL_FLAG)) expected.push([`ETHTOOL_FLAG_${k}`, v]);
for (const [k, v] of Object.entries(T.ETH_SS)) expected.push([`ETH_SS_${k}`, v]);
for (const [e, names] of ENUMS) for (const [k, uapi] of Object.entries(names)) expected.push([uapi, e.values.get(k)!]);
expected.push(["ETHTOOL_GENL_VERSION", T.ETHTOOL_GENL_VERSION]);

describe.skipIf(!cCompiler())("ethtool netlink numbers equal linux/ethtool_netlink.h and linux/ethtool.h", () => {
  const values = uapiValues(["linux/ethtool_netlink.h"], expected.map(([n]) => n));
  it(`checks ${expected.length} constants`, () => {
    const wrong = expected.filter(([n, v]) => values.get(n) !== v).map(([n, v]) => `${n}: table ${v}, header ${values.get(n)}`);
    expect(wrong).toEqual([]);
  });
  it("every enum value has its UAPI name here", () => {
    for (const [e, names] of ENUMS) expect(Object.keys(names).sort()).toEqual([...e.values.keys()].sort());
  });
  it("every command's and kernel message's name is its table key", () => {
    for (const c of Object.values(T.COMMANDS)) expect(values.get(c.name)).toBe(c.cmd);
    for (const [cmd, m] of T.ETHTOOL_FAMILY.messages) expect(values.get(m.name)).toBe(cmd);
  });
});
