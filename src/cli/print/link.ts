// `ip link show` text, rendered from the ip -j record of a link so both outputs come from one source.
type J = Record<string, any>;

export interface LinkTextOptions {
  details: boolean;
  /** `ip link show` prints "mode DEFAULT"; `ip addr show` does not. */
  mode: boolean;
  /** The name of the namespace with this nsid, when it has one (text says link-netns NAME). */
  nsName?: (nsid: number) => string | undefined;
  /** ip's -s level; the record's stats64 then holds every counter (statsToIpJson level 2). */
  stats?: number;
}

/** The header lines of one link (no trailing newline). */
export function linkText(j: J, o: LinkTextOptions): string {
  let head = `${j.ifindex}: ${nameAndLink(j)}`;
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
  if (j.link_type === undefined) return [head + netns, ...extraLines(j, o)].join("\n");
  let l2 = `    link/${j.link_type}`;
  if (j.address !== undefined) l2 += ` ${j.address}`;
  if (j.broadcast !== undefined) l2 += `${j.link_pointtopoint ? " peer" : " brd"} ${j.broadcast}`;
  l2 += netns;
  if (j.proto_down) l2 += " protodown on ";
  if (o.details) l2 += detailsText(j);
  return [head, l2, ...extraLines(j, o)].join("\n");
}

/** After the link-layer line: the alias, the statistics (-s), then the altnames, as ip orders them. */
function extraLines(j: J, o: LinkTextOptions): string[] {
  const lines: string[] = [];
  if (j.ifalias !== undefined) lines.push(`    alias ${j.ifalias}`);
  if (o.stats && j.stats64) lines.push(...statsLines(j.stats64, o.stats));
  for (const a of j.altnames ?? []) lines.push(`    altname ${a}`);
  return lines;
}

/** `ip -d`: each value is followed by a space, and promiscuity's and allmulti's preceded by one too. */
function detailsText(j: J): string {
  let s = "";
  if (j.promiscuity !== undefined) s += ` promiscuity ${j.promiscuity} `;
  if (j.allmulti !== undefined) s += ` allmulti ${j.allmulti} `;
  if (j.min_mtu !== undefined) s += `minmtu ${j.min_mtu} `;
  if (j.max_mtu !== undefined) s += `maxmtu ${j.max_mtu} `;
  const li = j.linkinfo as J | undefined;
  if (li?.info_kind !== undefined) s += `\n    ${li.info_kind} ${kv(li.info_data)}`;
  if (li?.info_slave_kind !== undefined) s += `\n    ${li.info_slave_kind}_slave ${kv(li.info_slave_data)}`;
  const tail: Array<[string, string]> = [
    ["inet6_addr_gen_mode", "addrgenmode"], ["num_tx_queues", "numtxqueues"], ["num_rx_queues", "numrxqueues"],
    ["gso_max_size", "gso_max_size"], ["gso_max_segs", "gso_max_segs"], ["tso_max_size", "tso_max_size"],
    ["tso_max_segs", "tso_max_segs"], ["gro_max_size", "gro_max_size"], ["parentbus", "parentbus"], ["parentdev", "parentdev"],
  ];
  for (const [k, label] of tail) if (j[k] !== undefined) s += `${label} ${j[k]} `;
  return s;
}

type Stats = Record<string, Record<string, number>>;

const digits = (v: number) => String(v).length;
const num = (width: number, v: number) => `${String(v).padStart(width)} `;
const col = (width: number, text: string) => text.padStart(Math.max(width, 0));

/**
 * The RX/TX block of `ip -s` (print_stats64): columns as wide as their header or their widest
 * value, error counters with -s -s. `s` holds every counter (statsToIpJson at level 2).
 */
export function statsLines(s: Stats, level: number): string[] {
  const rx = s.rx!, tx = s.tx!;
  const v = (x: number | undefined) => x ?? 0;
  const cols = [10, 7, 6, 7, 7, 7, 10, 9];
  const size = (...vals: number[]) => vals.forEach((x, i) => { cols[i] = Math.max(cols[i]!, digits(x)); });
  size(v(rx.bytes), v(rx.packets), v(rx.errors), v(rx.dropped), v(rx.missed_errors), v(rx.multicast), v(rx.compressed), 0);
  if (level > 1) size(0, v(rx.length_errors), v(rx.crc_errors), v(rx.frame_errors), v(rx.fifo_errors), v(rx.over_errors), v(rx.nohandler), v(rx.otherhost));
  size(v(tx.bytes), v(tx.packets), v(tx.errors), v(tx.dropped), v(tx.carrier_errors), v(tx.collisions), v(tx.compressed), 0);
  if (level > 1) size(0, 0, v(tx.aborted_errors), v(tx.fifo_errors), v(tx.window_errors), v(tx.heartbeat_errors), v(tx.carrier_changes), 0);
  const c = cols as [number, number, number, number, number, number, number, number];
  const lines: string[] = [];
  lines.push(`    RX: ${col(c[0] - 4, "bytes")} ${col(c[1], "packets")} ${col(c[2], "errors")} ${col(c[3], "dropped")} ` +
    `${col(c[4], "missed")} ${col(c[5], "mcast")} ${col(c[6], rx.compressed ? "compressed" : "")}`);
  let l = "    " + num(c[0], v(rx.bytes)) + num(c[1], v(rx.packets)) + num(c[2], v(rx.errors)) + num(c[3], v(rx.dropped)) +
    num(c[4], v(rx.missed_errors)) + num(c[5], v(rx.multicast));
  if (rx.compressed) l += num(c[6], rx.compressed);
  lines.push(l);
  if (level > 1) {
    lines.push(`    RX errors:${col(c[0] - 10, "")} ${col(c[1], "length")} ${col(c[2], "crc")} ${col(c[3], "frame")} ` +
      `${col(c[4], "fifo")} ${col(c[5], "overrun")}${rx.nohandler ? col(c[6] + 1, " nohandler") : ""}${rx.otherhost ? col(c[7] + 1, " otherhost") : ""}`);
    l = " ".repeat(c[0] + 5) + num(c[1], v(rx.length_errors)) + num(c[2], v(rx.crc_errors)) + num(c[3], v(rx.frame_errors)) +
      num(c[4], v(rx.fifo_errors)) + num(c[5], v(rx.over_errors));
    if (rx.nohandler) l += num(c[6], rx.nohandler);
    if (rx.otherhost) l += num(c[7], rx.otherhost);
    lines.push(l);
  }
  lines.push(`    TX: ${col(c[0] - 4, "bytes")} ${col(c[1], "packets")} ${col(c[2], "errors")} ${col(c[3], "dropped")} ` +
    `${col(c[4], "carrier")} ${col(c[5], "collsns")} ${col(c[6], tx.compressed ? "compressed" : "")}`);
  l = "    " + num(c[0], v(tx.bytes)) + num(c[1], v(tx.packets)) + num(c[2], v(tx.errors)) + num(c[3], v(tx.dropped)) +
    num(c[4], v(tx.carrier_errors)) + num(c[5], v(tx.collisions));
  if (tx.compressed) l += num(c[6], tx.compressed);
  lines.push(l);
  if (level > 1) {
    const cc = tx.carrier_changes;
    lines.push(`    TX errors:${col(c[0] - 10, "")} ${col(c[1], "aborted")} ${col(c[2], "fifo")} ${col(c[3], "window")} ` +
      `${col(c[4], "heartbt")} ${col(c[5], cc !== undefined ? "transns" : "")}`);
    l = " ".repeat(c[0] + 5) + num(c[1], v(tx.aborted_errors)) + num(c[2], v(tx.fifo_errors)) + num(c[3], v(tx.window_errors)) +
      num(c[4], v(tx.heartbeat_errors));
    if (cc !== undefined) l += num(c[5], cc);
    lines.push(l);
  }
  return lines;
}

/** `ip -br link`: name (with its peer or lower device), operstate, address, flags. */
export function linkBriefText(j: J): string {
  let s = `${nameAndLink(j).padEnd(16)} ${String(j.operstate ?? "").padEnd(14)} `;
  if (j.address !== undefined) s += `${j.address} `;
  return s + `<${(j.flags ?? []).join(",")}> `;
}

/** `ip -br -j link` keeps these keys of a link record, in this order. */
export function linkBriefJson(j: J): J {
  const o: J = {};
  for (const k of ["link", "link_index", "ifname", "operstate", "address", "flags"]) if (j[k] !== undefined) o[k] = j[k];
  return o;
}

export function nameAndLink(j: J): string {
  if (j.link !== undefined) return `${j.ifname}@${j.link}`;
  if (j.link_index !== undefined) return j.link_index === 0 ? `${j.ifname}@NONE` : `${j.ifname}@if${j.link_index}`;
  return String(j.ifname);
}

/** info_data as ip's "key value " words: true prints the key, false "nokey", objects flattened. */
function kv(d: J | undefined): string {
  if (!d) return "";
  let s = "";
  for (const [k, v] of Object.entries(d)) {
    if (v === true) s += `${k} `;
    else if (v === false) s += `no${k} `;
    else if (Array.isArray(v)) s += `${k} ${v.map((x) => (typeof x === "object" ? JSON.stringify(x) : String(x))).join(",")} `;
    else if (v !== null && typeof v === "object") s += `${k} ${kv(v)}`;
    else s += `${k} ${v} `;
  }
  return s;
}
