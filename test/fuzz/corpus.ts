// The fuzz corpus: every message of the kernel replies in test/fixtures/fuzz (captured by
// scripts/capture-fuzz.sh), split by nlmsg_len, each its own Buffer.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const FUZZ_FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "fuzz");

export interface CorpusMessage {
  fixture: string;
  type: number;
  bytes: Buffer;
}

export interface Corpus {
  messages: CorpusMessage[];
  /** Indexes into messages, by nlmsg_type. */
  byType: Map<number, number[]>;
  /** The nft fixture's messages in reply order: a ruleset to put mutated nft messages into. */
  nftRuleset: Buffer[];
}

export function loadCorpus(dir = FUZZ_FIXTURES): Corpus {
  const messages: CorpusMessage[] = [];
  const nftRuleset: Buffer[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const fixture = file.replace(/\.json$/, "");
    const raw = JSON.parse(readFileSync(join(dir, file), "utf8")) as { replies: string[] };
    for (const hex of raw.replies) {
      const d = Buffer.from(hex, "hex");
      let off = 0;
      while (off + 16 <= d.length) {
        const len = d.readUInt32LE(off);
        if (len < 16 || off + len > d.length) throw new Error(`${file}: a reply does not split by nlmsg_len at byte ${off}`);
        const bytes = Buffer.from(d.subarray(off, off + len));
        const type = bytes.readUInt16LE(4);
        messages.push({ fixture, type, bytes });
        if (fixture === "nft-ruleset" && type >> 8 === 10) nftRuleset.push(bytes);
        off += (len + 3) & ~3;
      }
    }
  }
  if (messages.length === 0) throw new Error(`no fuzz fixtures in ${dir} (run scripts/capture-fuzz.sh)`);
  const byType = new Map<number, number[]>();
  messages.forEach((m, i) => {
    const list = byType.get(m.type) ?? [];
    list.push(i);
    byType.set(m.type, list);
  });
  return { messages, byType, nftRuleset };
}
