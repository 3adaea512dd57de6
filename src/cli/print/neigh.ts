// `ip neigh show` text from ip -j records (flags are keys with null values there).
type J = Record<string, any>;

const FLAG_KEYS = ["router", "proxy", "extern_learn", "offload", "managed"];

export function neighText(n: J): string {
  let s = `${n.dst} `;
  if (n.dev !== undefined) s += `dev ${n.dev} `;
  if (n.lladdr !== undefined) s += `lladdr ${n.lladdr} `;
  for (const k of FLAG_KEYS) if (k in n) s += `${k} `;
  if (n.protocol !== undefined) s += `proto ${n.protocol} `;
  for (const st of n.state ?? []) s += `${st} `;
  return s;
}
