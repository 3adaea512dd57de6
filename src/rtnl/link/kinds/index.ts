import { infoDataChoices, infoSlaveDataChoices } from "../attrs.js";
import { bond } from "./bond.js";
import { bridge } from "./bridge.js";
import { dummy } from "./dummy.js";
import { geneve } from "./geneve.js";
import { gre, gretap, ipip } from "./gre.js";
import { ipvlan } from "./ipvlan.js";
import type { LinkKindDef } from "./kind.js";
import { macvlan, macvtap } from "./macvlan.js";
import { tun } from "./tun.js";
import { veth } from "./veth.js";
import { vlan } from "./vlan.js";
import { vrf } from "./vrf.js";
import { vxlan } from "./vxlan.js";
import { wireguard } from "./wireguard.js";

export type { KindContext, LinkKindDef, IndexNames, NetnsRefLike } from "./kind.js";

/** Every kind nlkit can encode and decode, by IFLA_INFO_KIND. */
export const linkKinds: ReadonlyMap<string, LinkKindDef> = new Map(
  [veth, bridge, vxlan, macvlan, macvtap, vlan, ipvlan, bond, vrf, geneve, gre, gretap, ipip, wireguard, dummy, tun]
    .map((k) => [k.kind, k]),
);

for (const k of linkKinds.values()) {
  if (k.data) infoDataChoices[k.kind] = k.data;
  if (k.slaveData) infoSlaveDataChoices[k.kind] = k.slaveData;
}
