// `ip link show` text, rendered from the ip -j record of a link so both outputs come from one source.
type J = Record<string, any>;

export interface LinkTextOptions {
  details: boolean;
  /** `ip link show` prints "mode DEFAULT"; `ip addr show` does not. */
  mode: boolean;
  /** The name of the namespace with this nsid, when it has one (text says link-netns NAME). */
  nsName?: (nsid: number) => string | undefined;
}

/** The header lines of one link (no trailing newline). */
export function linkText(j: J, o: LinkTextOptions): string {
  let head = `${j.ifindex}: ${j.ifname}`;
  if (j.link !== undefined) head += `@${j.link}`;
  else if (j.link_index !== undefined) head += j.link_index === 0 ? "@NONE" : `@if${j.link_index}`;
  head += `: <${(j.flags ?? []).join(",")}> mtu ${j.mtu}`;
  if (j.qdisc !== undefined) head += ` qdisc ${j.qdisc}`;
  if (j.master !== undefined) head += ` master ${j.master}`;
  head += ` state ${j.operstate}`;
  if (o.mode && j.linkmode !== undefined) head += ` mode ${j.linkmode}`;
  if (j.group !== undefined) head += ` group ${j.group}`;
  if (j.txqlen !== undefined) head += ` qlen ${j.txqlen}`;
  let netns = "";
  if (j.link_netnsid !== undefined) {
    const name = o.nsName?.(j.link_netnsid);
    netns = name !== undefined ? ` link-netns ${name}` : ` link-netnsid ${j.link_netnsid}`;
  }
  // ip -4/-6 addr show has no link-layer line: the namespace goes on the first
  if (j.link_type === undefined) return [head + netns, ...extraLines(j)].join("\n");
  let l2 = `    link/${j.link_type}`;
  if (j.address !== undefined) l2 += ` ${j.address}`;
  if (j.broadcast !== undefined) l2 += `${j.link_pointtopoint ? " peer" : " brd"} ${j.broadcast}`;
  l2 += netns;
  if (o.details) l2 += detailsText(j);
  return [head, l2, ...extraLines(j)].join("\n");
}

function extraLines(j: J): string[] {
  const lines: string[] = [];
  if (j.ifalias !== undefined) lines.push(`    alias ${j.ifalias}`);
  for (const a of j.altnames ?? []) lines.push(`    altname ${a}`);
  return lines;
}

function detailsText(j: J): string {
  let s = "";
  for (const [k, label] of [["promiscuity", "promiscuity"], ["allmulti", "allmulti"], ["min_mtu", "minmtu"], ["max_mtu", "maxmtu"]] as const) {
    if (j[k] !== undefined) s += ` ${label} ${j[k]}`;
  }
  const li = j.linkinfo as J | undefined;
  if (li?.info_kind !== undefined) s += ` \n    ${li.info_kind}${kv(li.info_data)}`;
  if (li?.info_slave_kind !== undefined) s += ` \n    ${li.info_slave_kind}_slave${kv(li.info_slave_data)}`;
  const tail: Array<[string, string]> = [
    ["inet6_addr_gen_mode", "addrgenmode"], ["num_tx_queues", "numtxqueues"], ["num_rx_queues", "numrxqueues"],
    ["gso_max_size", "gso_max_size"], ["gso_max_segs", "gso_max_segs"], ["tso_max_size", "tso_max_size"],
    ["tso_max_segs", "tso_max_segs"], ["gro_max_size", "gro_max_size"],
  ];
  let t = "";
  for (const [k, label] of tail) if (j[k] !== undefined) t += ` ${label} ${j[k]}`;
  s += t;
  return s + " ";
}

/** info_data as ip's "key value" words: true prints the key, false "nokey", objects flattened. */
function kv(d: J | undefined): string {
  if (!d) return "";
  let s = "";
  for (const [k, v] of Object.entries(d)) {
    if (v === true) s += ` ${k}`;
    else if (v === false) s += ` no${k}`;
    else if (Array.isArray(v)) s += ` ${k} ${v.map((x) => (typeof x === "object" ? JSON.stringify(x) : String(x))).join(",")}`;
    else if (v !== null && typeof v === "object") s += ` ${k}${kv(v)}`;
    else s += ` ${k} ${v}`;
  }
  return s;
}
