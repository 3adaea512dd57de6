// `ip rule show` text from ip -j records (flag-like keys are present with null values there).
type J = Record<string, any>;

export function ruleText(r: J): string {
  let s = `${r.priority}:\t`;
  if ("not" in r) s += "not ";
  s += `from ${r.src}${r.srclen !== undefined ? `/${r.srclen}` : ""}`;
  if (r.dst !== undefined) s += ` to ${r.dst}${r.dstlen !== undefined ? `/${r.dstlen}` : ""}`;
  if (r.tos !== undefined) s += ` tos ${r.tos}`;
  if (r.fwmark !== undefined) s += ` fwmark ${r.fwmark}${r.fwmask !== undefined ? `/${r.fwmask}` : ""}`;
  if (r.iif !== undefined) s += ` iif ${r.iif}${"iif_detached" in r ? " [detached]" : ""}`;
  if (r.oif !== undefined) s += ` oif ${r.oif}${"oif_detached" in r ? " [detached]" : ""}`;
  if ("l3mdev" in r) s += " lookup [l3mdev-table]";
  if (r.uid_start !== undefined) s += ` uidrange ${r.uid_start}-${r.uid_end}`;
  if (r.ipproto !== undefined) s += ` ipproto ${r.ipproto}`;
  for (const p of ["sport", "dport"]) {
    if (r[p] !== undefined) s += ` ${p} ${r[p]}`;
    else if (r[`${p}_start`] !== undefined) s += ` ${p} ${r[`${p}_start`]}-${r[`${p}_end`]}`;
  }
  if (r.tun_id !== undefined) s += ` tun_id ${r.tun_id}`;
  if (r.table !== undefined) s += ` lookup ${r.table}`;
  if (r.suppress_prefixlength !== undefined) s += ` suppress_prefixlength ${r.suppress_prefixlength}`;
  if (r.suppress_ifgroup !== undefined) s += ` suppress_ifgroup ${r.suppress_ifgroup}`;
  if (r.flow_to !== undefined) s += ` realms ${r.flow_from !== undefined ? `${r.flow_from}/` : ""}${r.flow_to}`;
  if (r.goto !== undefined) s += ` goto ${r.goto}`;
  if (r.action !== undefined) s += ` ${r.action}`;
  if (r.protocol !== undefined) s += ` proto ${r.protocol}`;
  return s;
}
