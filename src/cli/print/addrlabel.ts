// `ip addrlabel list` text from ip -j records.
type J = Record<string, any>;

export function addrlabelText(r: J): string {
  return `prefix ${r.address}/${r.prefixlen} ${r.ifname !== undefined ? `dev ${r.ifname} ` : ""}label ${r.label} `;
}
