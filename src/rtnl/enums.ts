import { enumDef, enumName, type EnumDef } from "../netlink/attrs.js";
import { NlkitInputError } from "../netlink/errors.js";

// Names that iproute2 reads and prints for rtnetlink enums (its rt_names.c defaults and
// /etc/iproute2 tables), values from linux/rtnetlink.h, fib_rules.h, neighbour.h, if_addr.h.

/** enum rt_scope_t; ip calls RT_SCOPE_UNIVERSE "global". */
export const rtScope = enumDef("scope", { global: 0, universe: 0, site: 200, link: 253, host: 254, nowhere: 255 });

/** enum RTN_*: route (and rule) types. */
export const rtType = enumDef("route type", {
  unspec: 0, unicast: 1, local: 2, broadcast: 3, anycast: 4, multicast: 5,
  blackhole: 6, unreachable: 7, prohibit: 8, throw: 9, nat: 10, xresolve: 11,
});

/** RTPROT_*: who installed a route, rule or address. */
export const rtProtocol = enumDef("protocol", {
  unspec: 0, redirect: 1, kernel: 2, boot: 3, static: 4, gated: 8, ra: 9, mrt: 10, zebra: 11,
  bird: 12, dnrouted: 13, xorp: 14, ntk: 15, dhcp: 16, mrouted: 17, keepalived: 18, babel: 42,
  openr: 99, bgp: 186, isis: 187, ospf: 188, rip: 189, eigrp: 192,
});

/** enum rt_class_t: the reserved routing tables. */
export const rtTable = enumDef("table", { unspec: 0, compat: 252, default: 253, main: 254, local: 255 });
export const RT_TABLE_UNSPEC = 0;
export const RT_TABLE_MAIN = 254;
export const RT_TABLE_LOCAL = 255;

/** Neighbour states (NUD_*), as ip neigh names them. */
export const nudState = enumDef("neighbour state", {
  none: 0x00, incomplete: 0x01, reachable: 0x02, stale: 0x04, delay: 0x08, probe: 0x10,
  failed: 0x20, noarp: 0x40, permanent: 0x80,
});

/** FR_ACT_*: what a rule does when it matches. */
export const frAction = enumDef("rule action", {
  unspec: 0, to_tbl: 1, goto: 2, nop: 3, blackhole: 6, unreachable: 7, prohibit: 8,
});

export type TableName = "main" | "local" | "default";
/**
 * A routing table: "main", "local", "default" or a number (above 255 sent in RTA_TABLE).
 *
 * @example
 * ```ts
 * const table: Table = 100;   // or "main", "local", "default"
 * await rt.route.add({ dst: "default", gateway: "192.0.2.1", table });
 * await rt.rule.add({ priority: 1000, from: "192.0.2.0/24", table });
 * ```
 */
export type Table = TableName | number;

/** A table given by name or number, to its id; "all"/"unspec" are not tables to write into. */
export function tableId(t: Table | string, field = "table"): number {
  if (typeof t === "number") {
    if (!Number.isInteger(t) || t < 0 || t > 0xffffffff) throw new NlkitInputError(`invalid table ${t}`, field);
    return t;
  }
  if (t === "main" || t === "local" || t === "default") return rtTable.values.get(t)!;
  if (/^\d+$/.test(t)) return tableId(Number(t), field);
  throw new NlkitInputError(`unknown table "${t}" (expected main, local, default or a number)`, field);
}

/** What ip prints for a table id (rtnl_rttable_n2a). */
export function tableName(id: number): string {
  const n = rtTable.names.get(id);
  return n !== undefined && id !== 0 && id !== 252 ? n : String(id);
}

/** Flag words to names, in bit order; unknown bits stay as a hex number string. */
export function flagNames(value: number, bits: ReadonlyArray<readonly [string, number]>): string[] {
  const out: string[] = [];
  let rest = value >>> 0;
  for (const [name, bit] of bits) {
    if (rest & bit) {
      out.push(name);
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (rest) out.push(`0x${rest.toString(16)}`);
  return out;
}

/** Names (or numbers) to a flag word, refusing names the table does not know. */
export function flagValue(names: ReadonlyArray<string | number>, bits: ReadonlyArray<readonly [string, number]>, field: string): number {
  let v = 0;
  for (const n of names) {
    if (typeof n === "number") { v |= n; continue; }
    const hit = bits.find(([name]) => name === n);
    if (!hit) throw new NlkitInputError(`unknown flag "${n}" (expected one of ${bits.map((b) => b[0]).join(", ")})`, field);
    v |= hit[1];
  }
  return v >>> 0;
}

export function enumInput(e: EnumDef, v: string | number, field: string, max = 0xff): number {
  if (typeof v === "number") {
    if (!Number.isInteger(v) || v < 0 || v > max) throw new NlkitInputError(`invalid ${e.name} ${v}`, field);
    return v;
  }
  const n = e.values.get(v);
  if (n !== undefined) return n;
  if (/^\d+$/.test(v)) return enumInput(e, Number(v), field, max);
  throw new NlkitInputError(`invalid ${e.name} "${v}" (expected one of ${[...new Set(e.values.keys())].join(", ")})`, field);
}

export function enumOutput(e: EnumDef, v: number): string | number {
  return enumName(e, v);
}

/**
 * DS field (TOS) names iproute2 ships in /etc/iproute2/rt_dsfield, which ip reads and prints:
 * a known value prints as its name, any other as "0x%02x"; input is a name or a hex number.
 */
export const dsfield = enumDef("dsfield", {
  default: 0x00, CS1: 0x20, AF11: 0x28, AF12: 0x30, AF13: 0x38, CS2: 0x40, AF21: 0x48, AF22: 0x50, AF23: 0x58,
  CS3: 0x60, AF31: 0x68, AF32: 0x70, AF33: 0x78, CS4: 0x80, AF41: 0x88, AF42: 0x90, AF43: 0x98, CS5: 0xa0,
  EF: 0xb8, CS6: 0xc0, CS7: 0xe0,
});

/** What ip prints for a TOS value (rtnl_dsfield_n2a). */
export function dsfieldName(tos: number): string {
  return dsfield.names.get(tos) ?? `0x${tos.toString(16).padStart(2, "0")}`;
}

/** A TOS word as ip reads it (rtnl_dsfield_a2n): a name from rt_dsfield, else hexadecimal, 0..255. */
export function parseDsfield(text: string): number | undefined {
  const named = dsfield.values.get(text);
  if (named !== undefined) return named;
  if (!/^(0x)?[0-9a-f]+$/i.test(text)) return undefined;
  const n = parseInt(text, 16);
  return n <= 255 ? n : undefined;
}
