// `ip neigh show` text from ip -j records (flags are keys with null values there).
type J = Record<string, any>;

const FLAG_KEYS = ["router", "proxy", "extern_learn", "offload", "managed"];

export function neighText(n: J): string {
  let s = `${n.dst} `;
  if (n.dev !== undefined) s += `dev ${n.dev} `;
  if (n.lladdr !== undefined) s += `lladdr ${n.lladdr} `;
  for (const k of FLAG_KEYS) if (k in n) s += `${k} `;
  // -s: ip prints the timers glued to what follows (" used 0/0/0probes 0 ")
  if (n.refcnt !== undefined) s += ` ref ${n.refcnt}`;
  if (n.used !== undefined) s += ` used ${n.used}/${n.confirmed}/${n.updated}`;
  if (n.probes !== undefined) s += `probes ${n.probes} `;
  for (const st of n.state ?? []) s += `${st} `;
  if (n.protocol !== undefined) s += `proto ${n.protocol} `;
  return s;
}

/** `ip -br neigh`: address, device, link-layer address in columns. */
export function neighBriefText(n: J): string {
  let s = "";
  if (n.dst !== undefined) s += `${String(n.dst).padEnd(39)} `;
  if (n.dev !== undefined) s += `${String(n.dev).padEnd(16)} `;
  if (n.lladdr !== undefined) s += n.lladdr;
  return s;
}

/** `ip -br -j neigh` keeps these keys. */
export function neighBriefJson(n: J): J {
  const o: J = {};
  for (const k of ["dst", "dev", "lladdr"]) if (n[k] !== undefined) o[k] = n[k];
  return o;
}
