// `ip netconf show` text from ip -j records.
type J = Record<string, any>;

const onOff = (v: boolean) => (v ? "on" : "off");

export function netconfText(r: J): string {
  let s = `${r.family} ${r.interface} `;
  if (r.forwarding !== undefined) s += `forwarding ${onOff(r.forwarding)} `;
  if (r.rp_filter !== undefined) s += `rp_filter ${r.rp_filter} `;
  if (r.mc_forwarding !== undefined) s += `mc_forwarding ${onOff(r.mc_forwarding)} `;
  if (r.proxy_neigh !== undefined) s += `proxy_neigh ${onOff(r.proxy_neigh)} `;
  if (r.ignore_routes_with_linkdown !== undefined) s += `ignore_routes_with_linkdown ${onOff(r.ignore_routes_with_linkdown)} `;
  if (r.input !== undefined) s += `input ${onOff(r.input)} `;
  return s;
}
