// Key-by-key comparison of nlkit's JSON with ip's: value mismatches anywhere, and "gaps" (keys ip
// prints that nlkit does not). Arrays of objects are matched by identity keys, not by position.

export interface JsonDiff {
  /** "path: ours !== theirs" for every value that differs. */
  mismatches: string[];
  /** Paths (array indexes written as []) of keys ip has and nlkit lacks. */
  gaps: string[];
  /** Paths of keys nlkit prints that ip does not. */
  extras: string[];
}

export interface JsonDiffOptions {
  /** Paths (with []) or bare key names never compared: timers, counters, random values. */
  ignore?: ReadonlyArray<string>;
}

type J = Record<string, unknown>;

/** The identity of an element: ifindex for links, family+local for addresses, dst... for routes. */
export function identityOf(e: unknown, i: number): string {
  if (e === null || typeof e !== "object") return `#${i}`;
  const o = e as J;
  if (o.ifindex !== undefined) return `ifindex=${o.ifindex}`;
  if (o.local !== undefined) return `${o.family}/${o.local}`;
  if (o.priority !== undefined) return `rule ${o.priority} ${o.src}/${o.srclen} ${o.table} ${o.fwmark ?? ""} ${o.iif ?? ""}`;
  if (o.dst !== undefined) return `${o.type ?? ""} ${o.dst} ${o.dev ?? ""} ${o.table ?? ""} ${o.metric ?? ""} ${o.lladdr ?? ""}`;
  if (o.gateway !== undefined) return `nh ${o.gateway} ${o.dev}`;
  if (o.ifname !== undefined) return `ifname=${o.ifname}`;
  if (o.name !== undefined) return `name=${o.name}`;
  return `#${i}`;
}

export function jsonDiff(ours: unknown, theirs: unknown, opts: JsonDiffOptions = {}): JsonDiff {
  const d: JsonDiff = { mismatches: [], gaps: [], extras: [] };
  const ignore = new Set(opts.ignore ?? []);
  const skip = (path: string, key: string) => ignore.has(key) || ignore.has(path);
  const walk = (a: unknown, b: unknown, path: string, shown: string): void => {
    if (Array.isArray(a) && Array.isArray(b) && (b.some((x) => x !== null && typeof x === "object") || a.some((x) => x !== null && typeof x === "object"))) {
      const mine = new Map(a.map((x, i) => [identityOf(x, i), x] as const));
      const seen = new Set<string>();
      b.forEach((x, i) => {
        const id = identityOf(x, i);
        seen.add(id);
        if (!mine.has(id)) d.mismatches.push(`${shown}[${id}]: missing in nlkit`);
        else walk(mine.get(id), x, `${path}[]`, `${shown}[${id}]`);
      });
      for (const id of mine.keys()) if (!seen.has(id)) d.mismatches.push(`${shown}[${id}]: only in nlkit`);
      return;
    }
    if (a !== null && b !== null && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
      const ao = a as J;
      const bo = b as J;
      for (const k of Object.keys(bo)) {
        const p = path ? `${path}.${k}` : k;
        if (skip(p, k)) continue;
        if (!(k in ao)) d.gaps.push(p);
        else walk(ao[k], bo[k], p, `${shown}.${k}`);
      }
      for (const k of Object.keys(ao)) {
        const p = path ? `${path}.${k}` : k;
        if (!(k in bo) && !skip(p, k)) d.extras.push(p);
      }
      return;
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) d.mismatches.push(`${shown}: ${JSON.stringify(a)} !== ${JSON.stringify(b)}`);
  };
  walk(ours, theirs, "", "");
  d.gaps = [...new Set(d.gaps)].sort();
  d.extras = [...new Set(d.extras)].sort();
  return d;
}
