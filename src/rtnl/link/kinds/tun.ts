import { attrSet, enumDef, type AttrValues } from "../../../netlink/attrs.js";
import { readFileSync } from "node:fs";
import { defineKind } from "./kind.js";

const idFiles = new Map<string, Map<number, string>>();

function idName(file: string, id: number): string | number {
  let names = idFiles.get(file);
  if (!names) {
    names = new Map();
    try {
      for (const line of readFileSync(file, "utf8").split("\n")) {
        const f = line.split(":");
        if (f.length > 2 && !names.has(Number(f[2]))) names.set(Number(f[2]), f[0]!);
      }
    } catch { /* no such file: numbers */ }
    idFiles.set(file, names);
  }
  return names.get(id) ?? id;
}

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
    // ip prints names through getpwuid/getgrgid: the same files, read once
    if (d.owner !== undefined && d.owner !== 0xffffffff) out.user = idName("/etc/passwd", d.owner as number);
    if (d.group !== undefined && d.group !== 0xffffffff) out.group = idName("/etc/group", d.group as number);
    if (d.multiQueue === 1) {
      if (d.numQueues !== undefined) out.numqueues = d.numQueues;
      if (d.numDisabledQueues !== undefined) out.numdisabled = d.numDisabledQueues;
    }
    return out;
  },
});
