import { attrSet, enumDef, type AttrValues } from "../../../netlink/attrs.js";
import { NlkitInputError } from "../../../netlink/errors.js";
import { struct } from "../../../netlink/struct.js";
import { defineKind } from "./kind.js";

export const vlanFlags = struct("ifla_vlan_flags", [["flags", "u32"], ["mask", "u32"]]);
export const vlanQosMapping = struct("ifla_vlan_qos_mapping", [["from", "u32"], ["to", "u32"]]);

export const vlanQosAttrs = attrSet("vlan-qos", "IFLA_VLAN_QOS_", {
  mapping: [1, "struct", { struct: vlanQosMapping, multi: true }],
});

/** ETH_P_8021Q / ETH_P_8021AD, named as ip names them. */
export const vlanProtocols = enumDef("vlan protocol", { "802.1Q": 0x8100, "802.1ad": 0x88a8 });

/** IFLA_VLAN_* (linux/if_link.h) */
export const vlanAttrs = attrSet("vlan", "IFLA_VLAN_", {
  id: [1, "u16"],
  flags: [2, "struct", { struct: vlanFlags }],
  egressQos: [3, "nest", { set: vlanQosAttrs }],
  ingressQos: [4, "nest", { set: vlanQosAttrs }],
  protocol: [5, "u16", { be: true, enum: vlanProtocols }],
});

/**
 * Options of an 802.1Q/802.1ad VLAN link (`ip link add link DEV type vlan id N`).
 *
 * @example
 * ```ts
 * const vlan: VlanOptions = { id: 100, protocol: "802.1Q" };
 * await rt.link.add({ name: "eth0.100", kind: "vlan", link: "eth0", vlan, up: true });
 * ```
 */
export interface VlanOptions {
  /** The VLAN id, 0..4095 (ip's id, IFLA_VLAN_ID). */
  id: number;
  /** The tag's protocol (ip's protocol): 802.1ad for the outer tag of QinQ; default 802.1Q. */
  protocol?: "802.1Q" | "802.1ad";
}

export const vlan = defineKind({
  kind: "vlan",
  data: vlanAttrs,
  optionsKey: "vlan",
  encode(o: VlanOptions) {
    if (!o || !Number.isInteger(o.id) || o.id < 0 || o.id > 4095) throw new NlkitInputError("vlan.id must be 0..4095", "vlan.id");
    return { protocol: o.protocol, id: o.id };
  },
  ipJson(d: AttrValues) {
    const out: Record<string, unknown> = {};
    if (d.protocol !== undefined) out.protocol = d.protocol;
    if (d.id !== undefined) out.id = d.id;
    return out;
  },
});
