// nft's "did you mean ..." for a name the kernel does not know (nftables src/misspell.c and the
// *_lookup_fuzzy functions), reproduced as nft computes it, quirks included: its distance table is
// indexed with a row width one short and compares the characters one position on, so the names it
// suggests are the ones nft suggests.

function cstr(s: string): Buffer {
  return Buffer.concat([Buffer.from(s, "utf8"), Buffer.alloc(1)]);
}

/** nft's string_distance(a, b), byte for byte. */
export function stringDistance(a: string, b: string): number {
  const A = cstr(a), B = cstr(b);
  const la = A.length - 1, lb = B.length - 1;
  const d = new Uint32Array((la + 1) * (lb + 1) + 1);
  const at = (i: number, j: number) => i * lb + j;
  for (let i = 0; i <= la; i++) d[at(i, 0)] = i;
  for (let j = 0; j <= lb; j++) d[at(0, j)] = j;
  for (let i = 1; i <= la; i++) {
    for (let j = 1; j <= lb; j++) {
      const sub = A[i] === B[j] ? 0 : 1;
      let v = Math.min(d[at(i - 1, j)]! + 1, d[at(i, j - 1)]! + 1, d[at(i - 1, j - 1)]! + sub);
      if (i > 1 && j > 1 && A[i] === B[j - 1] && A[i - 1] === B[j]) v = Math.min(v, d[at(i - 2, j - 2)]! + sub);
      d[at(i, j)] = v;
    }
  }
  return d[at(la, lb)]!;
}

/** The closest of `candidates` to `name` within nft's threshold, first found winning ties. */
export function fuzzy<T>(name: string, candidates: Iterable<T>, nameOf: (c: T) => string): T | undefined {
  let best: T | undefined;
  let min = Infinity;
  for (const c of candidates) {
    const a = nameOf(c);
    const la = Buffer.byteLength(a), lb = Buffer.byteLength(name);
    const max = Math.max(la, lb), minLen = Math.min(la, lb);
    if (max <= 1) continue;
    const threshold = max - minLen <= 1 ? Math.max(Math.ceil(max / 3), 1) : Math.ceil((max + 2) / 3);
    const dist = stringDistance(a, name);
    if (dist <= threshold && dist < min) {
      min = dist;
      best = c;
    }
  }
  return best;
}
