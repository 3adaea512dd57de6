import { attrSet, enumDef } from "../../netlink/attrs.js";

export const fibResult = enumDef("fib result", { unspec: 0, oif: 1, oifname: 2, type: 3 });
/** NFTA_FIB_F_*: which address to look up and how to restrict it. */
export const FIB_F = { saddr: 0x1, daddr: 0x2, mark: 0x4, iif: 0x8, oif: 0x10, present: 0x20 } as const;

/** fib: "fib daddr type local" (a FIB lookup from the packet's addresses). */
export const fibAttrs = attrSet("fib", "NFTA_FIB_", {
  dreg: [1, "u32", { be: true }],
  result: [2, "u32", { be: true, enum: fibResult }],
  flags: [3, "u32", { be: true }],
}, { nestFlag: true });
