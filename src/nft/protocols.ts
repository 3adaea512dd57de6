// Protocol names as nft gets them from libc (getprotobynumber/getprotobyname read
// /etc/protocols): read once, lazily. Without the file nft prints numbers, and so does nlkit.
import { readFileSync } from "node:fs";

interface ProtoTable { byNumber: Map<number, string>; byName: Map<string, number> }
let table: ProtoTable | undefined;

/** Parses /etc/protocols text: "name number alias... # comment"; the first name of a number wins. */
export function parseProtocols(text: string): ProtoTable {
  const byNumber = new Map<number, string>(), byName = new Map<string, number>();
  for (const line of text.split("\n")) {
    const words = line.replace(/#.*/, "").trim().split(/\s+/);
    if (words.length < 2 || !/^\d+$/.test(words[1]!)) continue;
    const n = Number(words[1]);
    if (!byNumber.has(n)) byNumber.set(n, words[0]!);
    for (const w of [words[0]!, ...words.slice(2)]) if (!byName.has(w)) byName.set(w, n);
  }
  return { byNumber, byName };
}

function load(): ProtoTable {
  if (!table) {
    let text = "";
    try { text = readFileSync("/etc/protocols", "utf8"); } catch { /* no netbase: numbers only, as nft */ }
    table = parseProtocols(text);
  }
  return table;
}

export function protocolName(n: number): string | undefined {
  return load().byNumber.get(n);
}

export function protocolNumber(name: string): number | undefined {
  return load().byName.get(name);
}
