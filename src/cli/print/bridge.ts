// `bridge fdb show` text from bridge -j records: every field is "key value " in bridge's order,
// flags bare words, and the state ends the line (empty for a reachable entry, so the line keeps
// its trailing space).
type J = Record<string, any>;

const VALUE_KEYS: ReadonlyArray<readonly [string, string]> = [
  ["ifname", "dev"], ["dst", "dst"], ["vlan", "vlan"], ["port", "port"], ["vni", "vni"], ["src_vni", "src_vni"], ["viaIf", "via"], ["nhid", "nhid"],
];

export function fdbText(r: J): string {
  let s = r.mac !== undefined ? `${r.mac} ` : "";
  for (const [key, word] of VALUE_KEYS) if (r[key] !== undefined) s += `${word} ${r[key]} `;
  if (r.used !== undefined) s += `used ${r.used}/${r.updated} `;
  for (const f of r.flags ?? []) s += `${f} `;
  if (r.master !== undefined) s += `master ${r.master} `;
  // the JSON's bare hex is "state=0x.." in bridge's text
  const state = String(r.state ?? "");
  return s + (/^0/.test(state) ? `state=${state}` : state);
}
