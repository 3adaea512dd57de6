import { attrSet, type AttrValues } from "../../../netlink/attrs.js";
import { NlkitInputError } from "../../../netlink/errors.js";
import { defineKind } from "./kind.js";

export const vrfAttrs = attrSet("vrf", "IFLA_VRF_", { table: [1, "u32"] });
export const vrfPortAttrs = attrSet("vrf-port", "IFLA_VRF_PORT_", { table: [1, "u32"] });

/**
 * Options of a VRF link: the routing table it binds (`ip link add type vrf table N`).
 *
 * @example
 * ```ts
 * const vrf: VrfOptions = { table: 10 };
 * await rt.link.add({ name: "vrf-blue", kind: "vrf", vrf, up: true });
 * await rt.link.set("eth1", { master: "vrf-blue" });   // eth1's routes now go to table 10
 * ```
 */
export interface VrfOptions {
  /** The routing table id the VRF's routes go to (ip's table, IFLA_VRF_TABLE); required, not 0. */
  table: number;
}

export const vrf = defineKind({
  kind: "vrf",
  data: vrfAttrs,
  slaveData: vrfPortAttrs,
  optionsKey: "vrf",
  encode(o: VrfOptions) {
    if (!o || !Number.isInteger(o.table) || o.table <= 0) throw new NlkitInputError("vrf.table must be a table id", "vrf.table");
    return { table: o.table };
  },
  ipJson: (d: AttrValues) => (d.table !== undefined ? { table: d.table } : {}),
  slaveIpJson: (d: AttrValues) => (d.table !== undefined ? { table: d.table } : {}),
});
