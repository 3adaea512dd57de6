import { attrSet, enumDef, type AttrValues } from "../../../netlink/attrs.js";
import { defineKind } from "./kind.js";

export const macvlanModes = enumDef("macvlan mode", { private: 1, vepa: 2, bridge: 4, passthru: 8, source: 16 });
export const macaddrModes = enumDef("macvlan macaddr mode", { add: 0, del: 1, flush: 2, set: 3 });

/** MACVLAN_FLAG_* */
export const MACVLAN_FLAG_NOPROMISC = 1;
export const MACVLAN_FLAG_NODST = 2;

/** IFLA_MACVLAN_*: macvtap uses the same table. */
export const macvlanAttrs = attrSet("macvlan", "IFLA_MACVLAN_", {
  mode: [1, "u32", { enum: macvlanModes }],
  flags: [2, "u16"],
  macaddrMode: [3, "u32", { enum: macaddrModes }],
  macaddr: [4, "lladdr"],
  macaddrData: [5, "binary"],
  macaddrCount: [6, "u32"],
  bcQueueLen: [7, "u32"],
  bcQueueLenUsed: [8, "u32"],
  bcCutoff: [9, "s32"],
});

/**
 * Options of a macvlan or macvtap link (`ip link add link DEV type macvlan mode ...`).
 *
 * @example
 * ```ts
 * const macvlan: MacvlanOptions = { mode: "bridge" };
 * await rt.link.add({ name: "mv0", kind: "macvlan", link: "eth0", macvlan, netns: "ns1" });   // ip link add mv0 link eth0 netns ns1 type macvlan mode bridge
 * ```
 */
export interface MacvlanOptions {
  /** How the link's traffic meets its siblings' and the lower device's (ip's mode, IFLA_MACVLAN_MODE); the kernel's default is vepa. */
  mode?: "private" | "vepa" | "bridge" | "passthru" | "source";
  /** passthru only: do not put the lower device in promiscuous mode */
  nopromisc?: boolean;
  /** Length in packets of the queue for broadcast and multicast received (ip's bcqueuelen); the kernel's default is 1000, and the lower device uses its macvlans' largest. */
  bcQueueLen?: number;
}

function encode(o: MacvlanOptions = {}) {
  return {
    mode: o.mode,
    flags: o.nopromisc ? MACVLAN_FLAG_NOPROMISC : undefined,
    bcQueueLen: o.bcQueueLen,
  };
}

function ipJson(d: AttrValues) {
  const out: Record<string, unknown> = {};
  if (d.mode !== undefined) out.mode = d.mode;
  if (typeof d.flags === "number" && d.flags & MACVLAN_FLAG_NOPROMISC) out.nopromisc = true;
  if (d.macaddrCount !== undefined && d.mode === "source") out.macaddr_count = d.macaddrCount;
  if (d.bcQueueLen !== undefined) out.bcqueuelen = d.bcQueueLen;
  if (d.bcQueueLenUsed !== undefined) out.usedbcqueuelen = d.bcQueueLenUsed;
  return out;
}

export const macvlan = defineKind({ kind: "macvlan", data: macvlanAttrs, optionsKey: "macvlan", encode, change: encode, ipJson });
export const macvtap = defineKind({ kind: "macvtap", data: macvlanAttrs, optionsKey: "macvtap", encode, change: encode, ipJson });
