// `ip route show` / `ip route get` text from ip -j records, in ip's word order.
type J = Record<string, any>;

/** Keys printed as "word value " in this order between the destination and the flags. */
const FIELDS: ReadonlyArray<readonly [string, string]> = [
  ["src", "from"], ["tos", "tos"], ["gateway", "via"], ["nhid", "nhid"], ["dev", "dev"], ["table", "table"],
  ["protocol", "proto"], ["scope", "scope"], ["prefsrc", "src"], ["metric", "metric"],
];

export function routeText(r: J): string {
  let s = "";
  if (r.type !== undefined) s += `${r.type} `;
  s += `${r.dst} `;
  for (const [k, word] of FIELDS) {
    if (k === "dev" && r.via !== undefined) s += `via ${r.via.family} ${r.via.host} `;
    if (r[k] !== undefined) s += `${word} ${r[k]} `;
  }
  if (r.uid !== undefined) s += `uid ${r.uid} `;
  for (const f of r.flags ?? []) s += `${f} `;
  if (r.mark !== undefined) s += `mark ${r.mark} `;
  if (r.expires !== undefined) s += `expires ${r.expires}sec `;
  if (r.iif !== undefined) s += `iif ${r.iif} `;
  for (const m of r.metrics ?? []) {
    for (const [k, v] of Object.entries(m as J)) s += typeof v === "object" && v ? `${k} lock ${v.value ?? ""} ` : `${k} ${v} `;
  }
  // ip prints the preference before a multipath route's next hops
  if (r.pref !== undefined) s += `pref ${r.pref}`;
  for (const nh of r.nexthops ?? []) s += "\n\t" + nexthopText(nh);
  if (r.cache !== undefined) s += "\n    cache " + (r.cache as string[]).map((c) => `${c} `).join("");
  return s;
}

function nexthopText(nh: J): string {
  let s = "nexthop ";
  if (nh.gateway !== undefined) s += `via ${nh.gateway} `;
  if (nh.via !== undefined) s += `via ${nh.via.family} ${nh.via.host} `;
  if (nh.dev !== undefined) s += `dev ${nh.dev} `;
  if (nh.weight !== undefined) s += `weight ${nh.weight} `;
  for (const f of nh.flags ?? []) s += `${f} `;
  return s;
}
