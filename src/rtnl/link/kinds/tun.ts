import { attrSet, enumDef, type AttrValues } from "../../../netlink/attrs.js";
import { defineKind } from "./kind.js";

export const tunTypes = enumDef("tun type", { tun: 1, tap: 2 });

/** IFLA_TUN_*: tun/tap report these in dumps; creation goes through the ioctl (../tuntap.ts). */
export const tunAttrs = attrSet("tun", "IFLA_TUN_", {
  owner: [1, "u32"],
  group: [2, "u32"],
  type: [3, "u8", { enum: tunTypes }],
  pi: [4, "u8"],
  vnetHdr: [5, "u8"],
  persist: [6, "u8"],
  multiQueue: [7, "u8"],
  numQueues: [8, "u32"],
  numDisabledQueues: [9, "u32"],
});

export const tun = defineKind({
  kind: "tun",
  data: tunAttrs,
  ipJson(d: AttrValues) {
    const out: Record<string, unknown> = {};
    const bool = (k: string, v: unknown) => { if (v !== undefined) out[k] = v === 1; };
    if (d.type !== undefined) out.type = d.type;
    bool("pi", d.pi);
    bool("vnet_hdr", d.vnetHdr);
    bool("multi_queue", d.multiQueue);
    bool("persist", d.persist);
    if (d.owner !== undefined && d.owner !== 0xffffffff) out.user = d.owner;
    if (d.group !== undefined && d.group !== 0xffffffff) out.group = d.group;
    return out;
  },
});
