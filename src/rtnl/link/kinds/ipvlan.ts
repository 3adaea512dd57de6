import { attrSet, enumDef, type AttrValues } from "../../../netlink/attrs.js";
import { defineKind } from "./kind.js";

export const ipvlanModes = enumDef("ipvlan mode", { l2: 0, l3: 1, l3s: 2 });

/** IPVLAN_F_*: bridge is the absence of both. */
const IPVLAN_F_PRIVATE = 1;
const IPVLAN_F_VEPA = 2;

/** IFLA_IPVLAN_* */
export const ipvlanAttrs = attrSet("ipvlan", "IFLA_IPVLAN_", {
  mode: [1, "u16", { enum: ipvlanModes }],
  flags: [2, "u16"],
});

/**
 * Options of an ipvlan link (`ip link add link DEV type ipvlan mode l2|l3|l3s`).
 *
 * @example
 * ```ts
 * const ipvlan: IpvlanOptions = { mode: "l3", flag: "private" };
 * await rt.link.add({ name: "ipvl0", kind: "ipvlan", link: "eth0", ipvlan, netns: "ns1" });
 * ```
 */
export interface IpvlanOptions {
  /** Where packets are switched (ip's mode): l2, l3, or l3s (l3 through netfilter's input hooks); default l3, as ip. */
  mode?: "l2" | "l3" | "l3s";
  /** How links of one lower device reach each other: bridge (directly, the default), private (not at all) or vepa (through the external switch). */
  flag?: "bridge" | "private" | "vepa";
}

export const ipvlan = defineKind({
  kind: "ipvlan",
  data: ipvlanAttrs,
  optionsKey: "ipvlan",
  // ip sends both attributes whatever was given: mode defaults to l3, flags to bridge (0)
  encode(o: IpvlanOptions = {}) {
    const flags = o.flag === "private" ? IPVLAN_F_PRIVATE : o.flag === "vepa" ? IPVLAN_F_VEPA : 0;
    return { mode: o.mode ?? "l3", flags };
  },
  ipJson(d: AttrValues) {
    const out: Record<string, unknown> = {};
    if (d.mode !== undefined) out.mode = d.mode;
    if (typeof d.flags === "number") {
      out.flags = d.flags & IPVLAN_F_PRIVATE ? "private" : d.flags & IPVLAN_F_VEPA ? "vepa" : "bridge";
    }
    return out;
  },
});
