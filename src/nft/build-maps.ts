// Builders for what uses sets and maps: field loads by nft's names, concatenations, verdict maps
// ("ip daddr . tcp dport vmap @svc"), data maps ("meta mark set ip saddr map @marks"), NAT through
// a map ("dnat ip to ip daddr . tcp dport map @fwd") and named objects ("counter name c",
// "counter name ip saddr map @cnt"). Each returns the expressions nft generates for the same
// statement, registers included, so a rule built here lists as its text does; protocol
// dependencies ("meta l4proto tcp" before a "tcp dport") are the caller's, as with the matchers.
import { NlkitInputError } from "../netlink/errors.js";
import type { Expr } from "./expr/index.js";
import { CT_KEYS, META_KEYS, PROTOS } from "./proto.js";

const BASE_OF: Record<string, "ll" | "network" | "transport" | "inner"> = { ll: "ll", network: "network", transport: "transport", inner: "inner" };

/** nft's netlink_put_register: a 32-bit slot (1-based) as NFT_REG_1..4 where it lines up. */
function putReg(slot: number): number {
  const r = slot - 1;
  return r % 4 === 0 ? 1 + r / 4 : 8 + r;
}

/**
 * A field load by nft's name: "ip daddr", "ip6 saddr", "tcp dport", "th dport", "ether saddr",
 * "meta l4proto" (or "l4proto"), "iifname", "meta mark", "ct state", "ct mark". The value goes to
 * register 1; concat() moves loads apart.
 */
export function field(name: string): Expr {
  const words = name.trim().split(/\s+/);
  const bad = (): never => { throw new NlkitInputError(`unknown field "${name}"`, "field"); };
  if (words[0] === "meta" || (words.length === 1 && META_KEYS[words[0]!]?.bare === true) || (words.length === 1 && words[0] === "l4proto")) {
    const key = words[words.length - 1]!;
    if (!META_KEYS[key] || words.length > 2) bad();
    return { name: "meta", data: { key, dreg: 1 } };
  }
  if (words[0] === "ct") {
    const key = words.slice(1).join(" ");
    if (!CT_KEYS[key] || key.includes(" ") || ["saddr", "daddr", "protocol", "proto-src", "proto-dst"].includes(key)) bad();
    return { name: "ct", data: { key, dreg: 1 } };
  }
  const proto = PROTOS[words[0]!];
  const f = proto && !proto.pseudo ? proto.fields.find((x) => x.name === words.slice(1).join(" ")) : undefined;
  if (!proto || !f || f.offset % 8 !== 0 || f.bits % 8 !== 0) bad();
  return { name: "payload", data: { dreg: 1, base: BASE_OF[proto!.base], offset: f!.offset / 8, len: f!.bits / 8 } };
}

/** How many bytes a load leaves in its register. */
function loadBytes(e: Expr): number {
  const d = (e.data ?? {}) as Record<string, unknown>;
  switch (e.name) {
    case "payload": return Number(d.len);
    case "meta": return Math.ceil((META_KEYS[String(d.key)]?.bits ?? 32) / 8);
    case "ct": return Math.ceil((CT_KEYS[String(d.key)]?.bits ?? 32) / 8);
    default: throw new NlkitInputError(`a concatenation is made of loads (payload, meta, ct), not ${e.name}`, "key");
  }
}

function withDreg(e: Expr, dreg: number): Expr {
  return { name: e.name, data: { ...(e.data as Record<string, unknown>), dreg } } as Expr;
}

/**
 * Loads for a concatenation ("ip daddr . tcp dport"): each in the 32-bit register slots after the
 * one before, as nft places them, starting at register 1.
 */
export function concat(...loads: Expr[]): Expr[] {
  if (!loads.length) throw new NlkitInputError("a concatenation needs at least one load", "key");
  let slot = 1;
  return loads.map((e) => {
    const out = withDreg(e, putReg(slot));
    slot += Math.max(1, Math.ceil(loadBytes(e) / 4));
    return out;
  });
}

type Key = Expr | readonly Expr[];
const keyLoads = (key: Key): Expr[] => (Array.isArray(key) ? concat(...(key as Expr[])) : concat(key as Expr));

function lookupData(map: string, setId: number | undefined, d: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { sreg: 1, ...d, set: map };
  if (setId !== undefined) out.setId = setId;
  return out;
}

/** "KEY vmap @map": the verdict the map holds for the key. `setId` names a map made in the same transaction. */
export function vmap(key: Key, map: string, opts: { setId?: number } = {}): Expr[] {
  return [...keyLoads(key), { name: "lookup", data: lookupData(map, opts.setId, { dreg: 0 }) }];
}

/** "KEY map @map": the map's value for the key, left in register 1 (for metaSet, ctSet, ...). */
export function mapLookup(key: Key, map: string, opts: { setId?: number } = {}): Expr[] {
  return [...keyLoads(key), { name: "lookup", data: lookupData(map, opts.setId, { dreg: 1 }) }];
}

/** "meta KEY set VALUE" with the value in register 1 (after mapLookup or immediate). */
export function metaSet(key: string, sreg = 1): Expr {
  if (!META_KEYS[key]) throw new NlkitInputError(`unknown meta key "${key}"`, "key");
  return { name: "meta", data: { key, sreg } };
}

/** "ct KEY set VALUE" with the value in register 1. */
export function ctSet(key: "mark" | "label" | "zone" | "event" | "secmark" | "helper", sreg = 1): Expr {
  return { name: "ct", data: { key, sreg } };
}

/**
 * "snat|dnat [ip|ip6] to KEY map @map": the address (and, with `port`, the port: a map whose data
 * is "ipv4_addr . inet_service") from a map.
 */
export function natMap(type: "snat" | "dnat", key: Key, map: string, opts: { family?: "ip" | "ip6"; port?: boolean; setId?: number } = {}): Expr[] {
  const family = opts.family ?? "ip";
  const data: Record<string, unknown> = { type, family, regAddrMin: 1 };
  if (opts.port) {
    // the port follows the address in the map's data; nft sets no NF_NAT_RANGE_PROTO_SPECIFIED here
    data.regProtoMin = putReg(1 + (family === "ip6" ? 4 : 1));
  }
  return [...mapLookup(key, map, opts), { name: "nat", data }];
}

/**
 * The named object types `objref` and `objrefMap` refer to.
 */
export type ObjectType = "counter" | "quota" | "limit" | "ct helper";
const OBJECT_TYPES: readonly ObjectType[] = ["counter", "quota", "limit", "ct helper"];

function objectType(type: ObjectType): ObjectType {
  if (!OBJECT_TYPES.includes(type)) throw new NlkitInputError(`unknown object type "${String(type)}"`, "type");
  return type;
}

/** "counter name c", "quota name q", "limit name l", "ct helper set h": a named object of the table. */
export function objref(type: ObjectType, name: string): Expr {
  return { name: "objref", data: { immType: objectType(type), immName: name } } as Expr;
}

/** "counter name KEY map @map": the object named by the map's value for the key. */
export function objrefMap(type: ObjectType, key: Key, map: string, opts: { setId?: number } = {}): Expr[] {
  objectType(type);
  const data: Record<string, unknown> = { setSreg: 1, setName: map };
  if (opts.setId !== undefined) data.setId = opts.setId;
  return [...keyLoads(key), { name: "objref", data } as Expr];
}
