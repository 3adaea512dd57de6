// ip -j output. Compact is what JSON.stringify gives; -p follows iproute2's json_writer layout
// ("[ {", four spaces per level, "},{", "} ]") so that a diff against `ip -j -p` is quiet.

export function formatJson(value: unknown, pretty: boolean): string {
  if (!pretty) return JSON.stringify(value, bigints);
  const out: string[] = [];
  writePretty(value, 0, out);
  return out.join("");
}

function writePretty(v: unknown, depth: number, out: string[]): void {
  if (Array.isArray(v)) {
    out.push("[");
    if (v.length === 0) return void out.push(" ]");
    out.push(" ");
    v.forEach((e, i) => {
      if (i) out.push(",");
      writePretty(e, depth + 1, out);
    });
    out.push(" ]");
  } else if (v !== null && typeof v === "object" && !Buffer.isBuffer(v)) {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    out.push("{");
    if (entries.length === 0) return void out.push("}");
    const pad = "\n" + "    ".repeat(depth + 1);
    entries.forEach(([k, x], i) => {
      out.push(i ? "," + pad : pad, JSON.stringify(k), ": ");
      writePretty(x, depth + 1, out);
    });
    out.push("\n" + "    ".repeat(depth) + "}");
  } else {
    out.push(JSON.stringify(v, bigints) ?? "null");
  }
}

function bigints(_key: string, v: unknown): unknown {
  return typeof v === "bigint" ? v.toString() : v;
}
