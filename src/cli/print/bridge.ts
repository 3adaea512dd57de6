// `bridge fdb show` text from bridge -j records: every field is "key value " in bridge's order,
// flags bare words, and the state ends the line (empty for a reachable entry, so the line keeps
// its trailing space).
import type { Link } from "../../rtnl/link/types.js";

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

/** What `bridge link` looks names and flags up in (its ll_map): every link of the namespace. */
export type LinkNames = ReadonlyMap<number, { name: string; ifiFlags: number }>;

const IFF_UP = 0x1;
const STP_STATES = new Set(["disabled", "listening", "learning", "forwarding", "blocking"]);
const HW_MODES = ["VEB", "VEPA"];

// print_protinfo's -d part: [IFLA_BRPORT key, bridge's word, true for on/off]
const DETAIL_KEYS: ReadonlyArray<readonly [string, string, boolean]> = [
  ["mode", "hairpin", true], ["guard", "guard", true], ["protect", "root_block", true], ["fastLeave", "fastleave", true],
  ["learning", "learning", true], ["learningSync", "learning_sync", true], ["unicastFlood", "flood", true],
  ["mcastFlood", "mcast_flood", true], ["bcastFlood", "bcast_flood", true], ["multicastRouter", "mcast_router", false],
  ["mcastToUcast", "mcast_to_unicast", true], ["neighSuppress", "neigh_suppress", true], ["vlanTunnel", "vlan_tunnel", true],
  ["backupPort", "backup_port", false], ["isolated", "isolated", true], ["locked", "locked", true],
];

/**
 * One port of `bridge link show` (print_linkinfo), as its -j record and its text line together:
 * the two differ in more than layout (a peer in another namespace is "@ifN" in the text and
 * link_index in the JSON, the -d part starts a new line only in the text).
 */
export function brlinkRecord(l: Link, names: LinkNames, o: { details: boolean; sl: string }): { json: J; text: string } {
  const json: J = { ifindex: l.index };
  let text = `${l.index}: `;
  const nameOf = (i: number) => (i === 0 ? "*" : names.get(i)?.name ?? `if${i}`);
  let name = l.name;
  let mdown = false;
  if (l.link !== undefined) {
    if (l.link === 0) {
      json.link = null;
      name += "@NONE";
    } else if (l.linkNetnsid !== undefined) {
      json.link_index = l.link;
      name += `@if${l.link}`;
    } else {
      json.link = nameOf(l.link);
      name += `@${json.link}`;
      mdown = !((names.get(l.link)?.ifiFlags ?? 0) & IFF_UP);
    }
  }
  json.ifname = l.name;
  text += `${name}: `;
  const flags = [...l.flags, ...(mdown ? ["M-DOWN"] : [])];
  json.flags = flags;
  text += `<${flags.join(",")}> `;
  if (l.mtu !== undefined) {
    json.mtu = l.mtu;
    text += `mtu ${l.mtu} `;
  }
  if (l.master !== undefined) {
    json.master = nameOf(l.master);
    text += `master ${json.master} `;
  }
  const p = l.protinfo;
  if (p) {
    if (p.state !== undefined) {
      json.state = p.state;
      text += STP_STATES.has(p.state as string) ? `state ${p.state} ` : `state (${p.state}) `;
    }
    for (const k of ["priority", "cost"]) {
      if (p[k] === undefined) continue;
      json[k] = p[k];
      text += `${k} ${p[k]} `;
    }
    if (o.details && !isBareState(p)) {
      text += `${o.sl}    `;
      for (const [key, word, onOff] of DETAIL_KEYS) {
        const v = p[key];
        if (v === undefined) continue;
        const shown = key === "backupPort" ? nameOf(v as number) : v;
        json[word] = onOff ? v !== 0 : shown;
        text += `${word} ${onOff ? (v ? "on" : "off") : shown} `;
      }
    }
  }
  const mode = (l.afSpec?.bridge as { mode?: number } | undefined)?.mode;
  if (mode !== undefined) {
    json.hwmode = HW_MODES[mode] ?? `0x${mode.toString(16)}`;
    text += `hwmode ${json.hwmode} `;
  }
  return { json, text: text + "\n" };
}

/** An old kernel's un-nested IFLA_PROTINFO: the state alone, which bridge prints without a -d part. */
function isBareState(p: Record<string, unknown>): boolean {
  return Object.keys(p).length === 1 && p.state !== undefined && p.priority === undefined;
}
