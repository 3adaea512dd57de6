// What nft says when the kernel answers ENOENT for a name (nftables src/cmd.c nft_cmd_enoent):
// "No such file or directory; did you mean table ‘x’ in family ip?" when its cache holds a
// name close enough, else "Could not process rule: No such file or directory". nft's cache is
// what the kernel held plus what the transaction itself declared (evaluation adds each table,
// chain, set and object to it), in that order.
import type { NftRuleset } from "../ruleset.js";
import {
  FAMILY_NAMES, NFT_MSG_DELCHAIN, NFT_MSG_DELOBJ, NFT_MSG_DELRULE, NFT_MSG_DELSET, NFT_MSG_DELTABLE, NFT_MSG_NEWCHAIN,
  NFT_MSG_NEWOBJ, NFT_MSG_NEWRULE, NFT_MSG_NEWSET, NFT_MSG_NEWTABLE,
} from "../types.js";
import { fuzzy } from "./misspell.js";

const ENOENT = "No such file or directory";
const NFT_SET_ANONYMOUS = 0x1, NFT_SET_MAP = 0x8, NFT_SET_OBJECT = 0x40;

export interface CacheMessage { type: number; family: number; attrs: Record<string, unknown> }

interface CTable { family: string; name: string; chains: string[]; sets: Array<{ name: string; map: boolean }>; objects: string[] }

const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

/** nft's cache: the kernel's ruleset, then what the transaction declares. */
export function cacheOf(rs: NftRuleset, messages: readonly CacheMessage[]): CTable[] {
  const tables: CTable[] = rs.tables.map((t) => ({
    family: t.family, name: t.name, chains: t.chains.map((c) => c.name),
    sets: [...t.sets.map((s) => ({ name: s.name, map: false, handle: s.handle })), ...t.maps.map((s) => ({ name: s.name, map: true, handle: s.handle }))]
      .sort((a, b) => a.handle - b.handle).map(({ name, map }) => ({ name, map })),
    objects: t.objects.map((o) => o.name),
  }));
  const find = (family: string | undefined, name: string | undefined) => tables.find((t) => t.family === family && t.name === name);
  for (const m of messages) {
    const family = FAMILY_NAMES.get(m.family);
    if (!family) continue;
    const a = m.attrs;
    if (m.type === NFT_MSG_NEWTABLE) {
      const name = str(a.name);
      if (name && !find(family, name)) tables.push({ family, name, chains: [], sets: [], objects: [] });
      continue;
    }
    const t = find(family, str(a.table));
    const name = str(a.name);
    if (!t || !name) continue;
    if (m.type === NFT_MSG_NEWCHAIN && !t.chains.includes(name)) t.chains.push(name);
    if (m.type === NFT_MSG_NEWSET) {
      const flags = Number(a.flags ?? 0);
      if (!(flags & NFT_SET_ANONYMOUS) && !t.sets.some((s) => s.name === name)) t.sets.push({ name, map: (flags & (NFT_SET_MAP | NFT_SET_OBJECT)) !== 0 });
    }
    if (m.type === NFT_MSG_NEWOBJ && !t.objects.includes(name)) t.objects.push(name);
  }
  return tables;
}

const members = <T>(cache: CTable[], of: (t: CTable) => T[]): Array<[T, CTable]> => cache.flatMap((t) => of(t).map((x) => [x, t] as [T, CTable]));

/** nft's table_fuzzy_check: the command's table is not there but a near one is. */
function tableCheck(cache: CTable[], family: string | undefined, table: string, near: CTable): string | undefined {
  if (cache.some((t) => t.family === family && t.name === table)) return undefined;
  if (near.name !== table || near.family !== family) return `${ENOENT}; did you mean table ‘${near.name}’ in family ${near.family}?`;
  return undefined;
}

/**
 * nft's wording for an ENOENT that names one of the refused message's attributes, given nft's
 * cache; undefined for nft's default, "Could not process rule: ...".
 */
export function enoentMessage(m: CacheMessage, cache: CTable[]): string | undefined {
  const family = FAMILY_NAMES.get(m.family);
  const table = str(m.attrs.table);
  const name = str(m.attrs.name);
  switch (m.type) {
    case NFT_MSG_NEWTABLE: case NFT_MSG_DELTABLE: {
      const t = name ? fuzzy(name, cache, (x) => x.name) : undefined;
      return t ? `${ENOENT}; did you mean table ‘${t.name}’ in family ${t.family}?` : undefined;
    }
    case NFT_MSG_NEWCHAIN: case NFT_MSG_DELCHAIN: case NFT_MSG_NEWRULE: case NFT_MSG_DELRULE: {
      const rule = m.type === NFT_MSG_NEWRULE || m.type === NFT_MSG_DELRULE;
      const chain = str(rule ? m.attrs.chain : m.attrs.name);
      if (!chain || !table) return undefined;
      const hit = fuzzy(chain, members(cache, (t) => t.chains), ([c]) => c);
      if (!hit) return undefined;
      const [c, t] = hit;
      const tc = tableCheck(cache, family, table, t);
      if (tc) return tc;
      if (rule && c === chain) return undefined;
      return `${ENOENT}; did you mean chain ‘${c}’ in table ${t.family} ‘${t.name}’?`;
    }
    case NFT_MSG_NEWSET: case NFT_MSG_DELSET: {
      if (!name || !table) return undefined;
      const hit = fuzzy(name, members(cache, (t) => t.sets), ([s]) => s.name);
      if (!hit) return undefined;
      const [s, t] = hit;
      return tableCheck(cache, family, table, t) ?? `${ENOENT}; did you mean ${s.map ? "map" : "set"} ‘${s.name}’ in table ${t.family} ‘${t.name}’?`;
    }
    case NFT_MSG_NEWOBJ: case NFT_MSG_DELOBJ: {
      if (!name || !table) return undefined;
      const hit = fuzzy(name, members(cache, (t) => t.objects), ([o]) => o);
      if (!hit) return undefined;
      const [o, t] = hit;
      return tableCheck(cache, family, table, t) ?? `${ENOENT}; did you mean obj ‘${o}’ in table ${t.family} ‘${t.name}’?`;
    }
    default:
      return undefined;
  }
}
