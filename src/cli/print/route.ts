// `ip route show` / `ip route get` text from ip -j records, in ip's word order (print_route).
type J = Record<string, any>;

export function routeText(r: J): string {
  let s = "";
  if (r.type !== undefined) s += `${r.type} `;
  s += `${r.dst} `;
  if (r.from !== undefined) s += `from ${r.from} `;
  if (r.nhid !== undefined) s += `nhid ${r.nhid} `;
  if (r.tos !== undefined) s += `tos ${r.tos} `;
  if (r.gateway !== undefined) s += `via ${r.gateway} `;
  if (r.via !== undefined) s += `via ${r.via.family} ${r.via.host} `;
  if (r.dev !== undefined) s += `dev ${r.dev} `;
  if (r.table !== undefined) s += `table ${r.table} `;
  if (r.protocol !== undefined) s += `proto ${r.protocol} `;
  if (r.scope !== undefined) s += `scope ${r.scope} `;
  if (r.prefsrc !== undefined) s += `src ${r.prefsrc} `;
  if (r.metric !== undefined) s += `metric ${r.metric} `;
  for (const f of r.flags ?? []) s += `${f} `;
  // ip prints small marks in decimal, larger ones in hex
  if (r.mark !== undefined) s += r.mark >= 16 ? `mark 0x${r.mark.toString(16)} ` : `mark ${r.mark} `;
  if (r.uid !== undefined) s += `uid ${r.uid} `;
  if (r.cache !== undefined) {
    s += "\n    cache ";
    if (r.cache.length) s += `<${(r.cache as string[]).join(",")}> `;
  }
  if (r.expires !== undefined) s += `expires ${r.expires}sec `;
  if (r.error !== undefined) s += `error ${r.error} `;
  for (const m of r.metrics ?? []) {
    for (const [k, v] of Object.entries(m as J)) {
      if (v === null) s += `${k} `;
      else s += typeof v === "object" && v ? `${k} lock ${v.value ?? ""} ` : `${k} ${v} `;
    }
  }
  if (r.iif !== undefined) s += `iif ${r.iif} `;
  if (r.pref !== undefined) s += `pref ${r.pref}`;
  for (const nh of r.nexthops ?? []) s += "\n\t" + nexthopText(nh);
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
