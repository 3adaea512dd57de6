import { NlkitInputError } from "../netlink/errors.js";
import type { NftFamily } from "./types.js";

/** nft's standard priority names (nftables src/rule.c), per family. */
const INET_PRIOS: Array<[string, number]> = [
  ["raw", -300], ["mangle", -150], ["dstnat", -100], ["filter", 0], ["security", 50], ["srcnat", 100],
];
const BRIDGE_PRIOS: Array<[string, number]> = [["dstnat", -300], ["filter", -200], ["out", 100], ["srcnat", 300]];
const FILTER_ONLY: Array<[string, number]> = [["filter", 0]];

export function standardPriorities(family: NftFamily): Array<[string, number]> {
  if (family === "bridge") return BRIDGE_PRIOS;
  if (family === "arp" || family === "netdev") return FILTER_ONLY;
  return INET_PRIOS;
}

/** 100, "srcnat", "filter + 5", "mangle - 5" -> a number. */
export function parsePriority(family: NftFamily, p: number | string): number {
  if (typeof p === "number") {
    if (!Number.isInteger(p) || p < -0x80000000 || p > 0x7fffffff) throw new NlkitInputError(`invalid priority ${p}`, "priority");
    return p;
  }
  const m = /^\s*([a-z]+|-?\d+)\s*(?:([+-])\s*(\d+))?\s*$/.exec(p);
  if (!m) throw new NlkitInputError(`invalid priority "${p}"`, "priority");
  let base: number;
  if (/^-?\d+$/.test(m[1]!)) base = Number(m[1]);
  else {
    const found = standardPriorities(family).find(([n]) => n === m[1]);
    if (!found) throw new NlkitInputError(`priority "${m[1]}" is not defined for family ${family}`, "priority");
    base = found[1];
  }
  const off = m[3] ? Number(m[3]) * (m[2] === "-" ? -1 : 1) : 0;
  return base + off;
}

/**
 * The text nft prints for a base chain's priority: a standard name (with an offset up to 10)
 * where nft would use one for that family and hook, else the number.
 */
export function formatPriority(family: NftFamily, hook: string, prio: number): string {
  for (const [name, value] of standardPriorities(family)) {
    if (Math.abs(prio - value) > 10) continue;
    if (!nameFitsHook(family, name, hook)) break;
    const off = prio - value;
    return off > 0 ? `${name} + ${off}` : off < 0 ? `${name} - ${-off}` : name;
  }
  return String(prio);
}

function nameFitsHook(family: NftFamily, name: string, hook: string): boolean {
  if (family === "bridge") {
    if (name === "dstnat") return hook === "prerouting";
    if (name === "out") return hook === "output";
    if (name === "srcnat") return hook === "postrouting";
    return true;
  }
  // nft 1.0.6 names dstnat only in prerouting and srcnat only in postrouting (later versions
  // also accept output and input); the installed nft is the oracle
  if (name === "dstnat") return hook === "prerouting";
  if (name === "srcnat") return hook === "postrouting";
  return true;
}
