// Two link changes nlkit's LinkApi does not offer yet, made with nlkit's public codec over the
// handle's own socket: a bridge port's hairpin mode (IFLA_BRPORT_MODE) and IFF_PROMISC. Tables
// from linux/if_link.h and linux/if.h; ip link's "type bridge_slave hairpin on" / "promisc on".
import { attrSet, encodeAttrs, encodeStruct, struct, type Rtnl } from "./deps.js";

const RTM_NEWLINK = 16;
const AF_UNSPEC = 0;
const IFF_PROMISC = 0x100;

const ifinfomsg = struct("ifinfomsg", [
  ["family", "u8"], ["_pad", "pad", 1], ["type", "u16"], ["index", "s32"], ["flags", "u32"], ["change", "u32"],
]);
const brportAttrs = attrSet("bridge-port", "IFLA_BRPORT_", { mode: [4, "u8"] });
const linkinfoAttrs = attrSet("linkinfo", "IFLA_INFO_", {
  slaveKind: [4, "string"],
  slaveData: [5, "nest", { set: brportAttrs }],
});
const linkAttrs = attrSet("link", "IFLA_", { linkinfo: [18, "nest", { set: linkinfoAttrs }] });

function newlink(rt: Rtnl, header: Record<string, number>, attrs: Record<string, unknown>): Promise<unknown> {
  return rt.socket.request({
    type: RTM_NEWLINK,
    flags: 0,
    encode: (w) => {
      encodeStruct(w, ifinfomsg, { family: AF_UNSPEC, type: 0, flags: 0, change: 0, ...header });
      encodeAttrs(w, linkAttrs, attrs);
    },
  });
}

/** `ip link set dev X type bridge_slave hairpin on|off` for a port of a bridge. */
export async function setHairpin(rt: Rtnl, index: number, on: boolean): Promise<void> {
  await newlink(rt, { index }, { linkinfo: { slaveKind: "bridge", slaveData: { mode: on ? 1 : 0 } } });
}

/** `ip link set dev X promisc on|off`. */
export async function setPromisc(rt: Rtnl, index: number, on: boolean): Promise<void> {
  await newlink(rt, { index, flags: on ? IFF_PROMISC : 0, change: IFF_PROMISC }, {});
}

export { IFF_PROMISC };
