import { describe, expect, it } from "vitest";
import type { AttrSet, EnumDef } from "../../../src/netlink/attrs.js";
import { afSpecAttrs, bridgeAfAttrs, inet6AfAttrs, inetAfAttrs } from "../../../src/rtnl/link/afspec.js";
import { linkAttrs, linkInfoAttrs, linkmodes, operstates, propListAttrs, protoDownReasonAttrs, xdpAttrs } from "../../../src/rtnl/link/attrs.js";
import { bondAdInfoAttrs, bondModes } from "../../../src/rtnl/link/kinds/bond.js";
import { linkKinds } from "../../../src/rtnl/link/kinds/index.js";
import { ipvlanModes } from "../../../src/rtnl/link/kinds/ipvlan.js";
import { macvlanModes } from "../../../src/rtnl/link/kinds/macvlan.js";
import { vlanQosAttrs } from "../../../src/rtnl/link/kinds/vlan.js";
import { vxlanDf } from "../../../src/rtnl/link/kinds/vxlan.js";
import { cCompiler, uapiValues } from "../../helpers/uapi.js";

const HEADERS = ["sys/socket.h", "linux/if.h", "linux/if_link.h", "linux/if_tunnel.h", "linux/veth.h", "linux/if_bridge.h", "linux/rtnetlink.h", "linux/if_bonding.h"];

const sets = new Set<AttrSet>([
  linkAttrs, linkInfoAttrs, xdpAttrs, propListAttrs, protoDownReasonAttrs,
  afSpecAttrs, inetAfAttrs, inet6AfAttrs, bridgeAfAttrs, vlanQosAttrs, bondAdInfoAttrs,
]);
for (const k of linkKinds.values()) {
  if (k.data) sets.add(k.data);
  if (k.slaveData) sets.add(k.slaveData);
}

/**
 * Attributes of the running kernel (6.18) that the installed headers (Debian 12, Linux 6.1) do
 * not have yet; their numbers come from the kernel's YAML spec (rt-link.yaml) and follow the
 * last entry the headers know, in order.
 */
const NEWER_THAN_HEADERS = new Set([
  "IFLA_DEVLINK_PORT", "IFLA_GSO_IPV4_MAX_SIZE", "IFLA_GRO_IPV4_MAX_SIZE", "IFLA_DPLL_PIN",
  "IFLA_MAX_PACING_OFFLOAD_HORIZON", "IFLA_NETNS_IMMUTABLE", "IFLA_HEADROOM", "IFLA_TAILROOM",
  "IFLA_BR_FDB_N_LEARNED", "IFLA_BR_FDB_MAX_LEARNED",
  "IFLA_BRPORT_MAB", "IFLA_BRPORT_MCAST_N_GROUPS", "IFLA_BRPORT_MCAST_MAX_GROUPS",
  "IFLA_BRPORT_NEIGH_VLAN_SUPPRESS", "IFLA_BRPORT_BACKUP_NHID",
  "IFLA_VXLAN_LOCALBYPASS", "IFLA_VXLAN_LABEL_POLICY", "IFLA_VXLAN_RESERVED_BITS", "IFLA_VXLAN_MC_ROUTE",
  "IFLA_GENEVE_PORT_RANGE", "IFLA_MACVLAN_BC_CUTOFF", "IFLA_BOND_BROADCAST_NEIGH",
  "IFLA_BOND_SLAVE_ACTOR_PORT_PRIO",
]);

const ENUMS: Array<[EnumDef, Record<string, string>]> = [
  [operstates, { UNKNOWN: "IF_OPER_UNKNOWN", NOTPRESENT: "IF_OPER_NOTPRESENT", DOWN: "IF_OPER_DOWN", LOWERLAYERDOWN: "IF_OPER_LOWERLAYERDOWN", TESTING: "IF_OPER_TESTING", DORMANT: "IF_OPER_DORMANT", UP: "IF_OPER_UP" }],
  [linkmodes, { DEFAULT: "IF_LINK_MODE_DEFAULT", DORMANT: "IF_LINK_MODE_DORMANT", TESTING: "IF_LINK_MODE_TESTING" }],
  [macvlanModes, { private: "MACVLAN_MODE_PRIVATE", vepa: "MACVLAN_MODE_VEPA", bridge: "MACVLAN_MODE_BRIDGE", passthru: "MACVLAN_MODE_PASSTHRU", source: "MACVLAN_MODE_SOURCE" }],
  [ipvlanModes, { l2: "IPVLAN_MODE_L2", l3: "IPVLAN_MODE_L3", l3s: "IPVLAN_MODE_L3S" }],
  [vxlanDf, { unset: "VXLAN_DF_UNSET", set: "VXLAN_DF_SET", inherit: "VXLAN_DF_INHERIT" }],
];

const cc = cCompiler();
const describeCc = cc ? describe : describe.skip;

describeCc(`link attribute numbers match the UAPI headers${cc ? "" : " (skipped: no C compiler)"}`, () => {
  const defs = [...sets].flatMap((s) => s.defs().map((d) => ({ set: s.name, uapi: d.uapi, type: d.type })));
  const enumNames = ENUMS.flatMap(([, m]) => Object.values(m));
  const values = uapiValues(HEADERS, [...defs.map((d) => d.uapi), ...enumNames, "BOND_MODE_8023AD"]);

  it("checks a few hundred names", () => {
    expect(defs.length).toBeGreaterThan(300);
  });

  it("every table entry has its header's number", () => {
    const wrong = defs.filter((d) => values.has(d.uapi) && values.get(d.uapi) !== d.type)
      .map((d) => `${d.set}: ${d.uapi} is ${values.get(d.uapi)}, table says ${d.type}`);
    expect(wrong).toEqual([]);
  });

  it("only names newer than the headers are missing from them", () => {
    const missing = defs.filter((d) => !values.has(d.uapi)).map((d) => d.uapi);
    expect(missing.filter((n) => !NEWER_THAN_HEADERS.has(n))).toEqual([]);
  });

  it("newer entries continue their set's numbering", () => {
    for (const s of sets) {
      const known = s.defs().filter((d) => values.has(d.uapi));
      const newer = s.defs().filter((d) => !values.has(d.uapi));
      if (!newer.length) continue;
      const maxKnown = Math.max(...known.map((d) => d.type));
      expect(Math.min(...newer.map((d) => d.type)), s.name).toBeGreaterThan(maxKnown);
    }
  });

  it("enum values match", () => {
    for (const [e, names] of ENUMS) {
      for (const [k, uapi] of Object.entries(names)) expect(e.values.get(k), uapi).toBe(values.get(uapi));
    }
    expect(bondModes.values.get("802.3ad")).toBe(values.get("BOND_MODE_8023AD"));
  });
});
