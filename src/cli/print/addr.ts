// `ip addr show` text from ip -j records: the link header lines, then one pair of lines per address.
import { linkText, type LinkTextOptions } from "./link.js";

type J = Record<string, any>;

/** The keys of an addr_info entry that are not flag words. */
const NOT_FLAGS = new Set(["family", "local", "address", "prefixlen", "metric", "broadcast", "anycast", "scope", "label", "valid_life_time", "preferred_life_time", "ifa_flags"]);

export function addrLinkText(j: J, o: Omit<LinkTextOptions, "mode">): string {
  const lines = [linkText(j, { ...o, mode: false })];
  for (const a of j.addr_info ?? []) lines.push(addrInfoText(a));
  return lines.join("\n");
}

export function addrInfoText(a: J): string {
  let s = `    ${a.family} ${a.local}`;
  if (a.address !== undefined) s += ` peer ${a.address}`;
  s += `/${a.prefixlen} `;
  if (a.metric !== undefined) s += `metric ${a.metric} `;
  if (a.broadcast !== undefined) s += `brd ${a.broadcast} `;
  if (a.anycast !== undefined) s += `any ${a.anycast} `;
  s += `scope ${a.scope} `;
  for (const [k, v] of Object.entries(a)) if (v === true && !NOT_FLAGS.has(k)) s += `${k} `;
  if (a.ifa_flags !== undefined) s += `flags ${a.ifa_flags} `;
  if (a.label !== undefined) s += a.label;
  if (a.valid_life_time !== undefined) {
    s += `\n       valid_lft ${lft(a.valid_life_time)} preferred_lft ${lft(a.preferred_life_time)}`;
  }
  return s;
}

function lft(v: number): string {
  return v === 0xffffffff ? "forever" : `${v}sec`;
}
