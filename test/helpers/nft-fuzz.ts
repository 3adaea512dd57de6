// Mutation fuzzing of the nft decoders: real kernel replies (the corpus listings) with bit flips,
// truncations, length lies, zero-length attributes and splices.
import { NetlinkParseError } from "../../src/netlink/errors.js";
import { assembleRuleset, decodeNftMessage, renderRuleset, type RulesetMessages } from "../../src/nft/ruleset.js";
import { listGolden, loadGolden, splitNl } from "./golden.js";

/** xorshift32: the same mutations every run, so a failure reproduces. */
export function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 0x100000000; };
}

/** Real kernel replies: every message of the corpus listings. */
export function corpusMessages(): Buffer[] {
  const out: Buffer[] = [];
  for (const n of listGolden("nft-corpus").filter((x) => x.endsWith("-list"))) {
    for (const d of loadGolden(`nft-corpus/${n}`).replies) out.push(...splitNl(d).filter((m) => decodeNftMessage(m, 0, m.length)));
  }
  return out;
}

/** Bit flips, truncations, length lies and splices, on a copy. */
export function mutate(m: Buffer, r: () => number, pool: Buffer[]): Buffer {
  const b = Buffer.from(m);
  switch (Math.floor(r() * 6)) {
    case 0: { const i = Math.floor(r() * b.length); b[i]! ^= 1 << Math.floor(r() * 8); return b; }
    case 1: return b.subarray(0, Math.max(16, Math.floor(r() * b.length)));
    case 2: {
      // an attribute length that lies (attributes start 4-aligned after the 20-byte header)
      const off = 20 + 4 * Math.floor(r() * Math.max(1, (b.length - 20) / 4));
      if (off + 2 <= b.length) b.writeUInt16LE(Math.floor(r() * 0xffff), off);
      return b;
    }
    case 3: { const i = 16 + Math.floor(r() * Math.max(1, b.length - 16)); if (i < b.length) b[i] = Math.floor(r() * 256); return b; }
    case 4: {
      const other = pool[Math.floor(r() * pool.length)]!;
      const cut = 20 + Math.floor(r() * Math.max(1, b.length - 20));
      const out = Buffer.concat([b.subarray(0, cut), other.subarray(20 + Math.floor(r() * Math.max(1, other.length - 20)))]);
      out.writeUInt32LE(out.length, 0);
      return out;
    }
    default: {
      // zero-length attributes and values
      const off = 20 + 4 * Math.floor(r() * Math.max(1, (b.length - 20) / 4));
      if (off + 4 <= b.length) b.writeUInt16LE(4, off);
      return b;
    }
  }
}

/** Decodes, assembles, renders and serialises; anything but NetlinkParseError is a bug. */
export function exercise(msgs: Buffer[]): void {
  const parts: Required<RulesetMessages> = { tables: [], chains: [], sets: [], elements: [], rules: [], objects: [] };
  for (const m of msgs) {
    let r;
    try {
      r = decodeNftMessage(m, 0, m.length);
    } catch (e) {
      if (e instanceof NetlinkParseError) continue;
      throw e;
    }
    if (r) parts[r.kind].push(r.msg);
  }
  const rs = assembleRuleset(parts);
  renderRuleset(rs);
  JSON.stringify(rs);
}

