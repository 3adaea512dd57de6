// The README's TypeScript blocks as programs. A block's first-line comment says what it is:
//   // setup: …            a prelude of every later block
//   // continued           appended to the previous block (one program with it)
//   // examples/NAME.ts    the file examples/NAME.ts, verbatim (run by the examples' own test)
//   // sketch …            a fragment not meant to compile
// Any other block is a program of its own, after the preludes. Imports are hoisted and merged (a
// block may import what a prelude imported), and each program's own code runs in a block scope,
// so it may declare a name a prelude declared.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type Marker = "setup" | "continued" | "example" | "sketch" | "program";

export interface Block {
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  code: string;
  marker: Marker;
  /** For "example": the path it names, e.g. examples/nat.ts. */
  example?: string;
}

export interface Program {
  /** The README line of the program's first block, for messages. */
  line: number;
  /** Import declarations, merged. */
  imports: string[];
  /** The preludes' statements (top level), then the program's own (in a block scope). */
  prelude: string;
  body: string;
}

export function parseBlocks(markdown: string): Block[] {
  const lines = markdown.split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i]!.trim() !== "```"; i++) body.push(lines[i]!.startsWith(indent) ? lines[i]!.slice(indent.length) : lines[i]!);
    const code = body.join("\n") + "\n";
    const first = body[0]?.trim() ?? "";
    let marker: Marker = "program";
    let example: string | undefined;
    if (/^\/\/ setup:/.test(first)) marker = "setup";
    else if (first === "// continued") marker = "continued";
    else if (/^\/\/ sketch\b/.test(first)) marker = "sketch";
    else if (/^\/\/ examples\/[\w.-]+\.ts$/.test(first)) {
      marker = "example";
      example = first.slice(3);
    }
    blocks.push({ line: start + 1, lang: open[2]!, code, marker, ...(example ? { example } : {}) });
  }
  return blocks;
}

const IMPORT = /^import\s+(?:(type)\s+)?(?:\{([^}]*)\}|(\*\s+as\s+\w+)|(\w+))\s+from\s+("[^"]+");?\s*(?:\/\/.*)?$/;

/** Splits a block's code into its import declarations and the rest. */
function splitImports(code: string): { imports: string[]; rest: string } {
  const imports: string[] = [];
  const rest: string[] = [];
  for (const line of code.split("\n")) (IMPORT.test(line) ? imports : rest).push(line);
  return { imports, rest: rest.join("\n") };
}

/** One import declaration per module and form: named bindings unioned, the others deduplicated. */
function mergeImports(decls: string[]): string[] {
  const named = new Map<string, Set<string>>();
  const other = new Set<string>();
  for (const d of decls) {
    const m = IMPORT.exec(d)!;
    const [, type, names, star, dflt, from] = m;
    if (names !== undefined && !type) {
      const set = named.get(from!) ?? new Set<string>();
      for (const n of names.split(",").map((x) => x.trim()).filter(Boolean)) set.add(n);
      named.set(from!, set);
    } else other.add(`import ${type ? "type " : ""}${star ?? dflt ?? `{${names}}`} from ${from};`);
  }
  return [...[...named].map(([from, set]) => `import { ${[...set].join(", ")} } from ${from};`), ...other];
}

/** The README's TypeScript programs, in order (sketches and examples are not among them). */
export function programs(blocks: readonly Block[]): Program[] {
  const out: Program[] = [];
  const preludes: Block[] = [];
  let current: { line: number; blocks: Block[]; preludes: Block[] } | undefined;
  const groups: Array<{ line: number; blocks: Block[]; preludes: Block[] }> = [];
  for (const b of blocks) {
    if (b.lang !== "ts" || b.marker === "sketch" || b.marker === "example") {
      if (b.lang === "ts") current = undefined;
      continue;
    }
    if (b.marker === "continued") {
      if (!current) throw new Error(`README line ${b.line}: "// continued" follows no program`);
      current.blocks.push(b);
    } else if (b.marker === "setup") {
      current = { line: b.line, blocks: [b], preludes: [...preludes] };
      groups.push(current);
      preludes.push(b);
    } else {
      current = { line: b.line, blocks: [b], preludes: [...preludes] };
      groups.push(current);
    }
  }
  for (const g of groups) {
    const pre = g.preludes.map((p) => splitImports(p.code));
    const own = g.blocks.map((b) => splitImports(b.code));
    out.push({
      line: g.line,
      imports: mergeImports([...pre, ...own].flatMap((x) => x.imports)),
      prelude: pre.map((x) => x.rest).join("\n"),
      body: own.map((x) => x.rest).join("\n"),
    });
  }
  return out;
}

/** The program as one module; `rename` rewrites its namespace names and scratch paths. */
export function programSource(p: Program, rename: (code: string) => string = (c) => c): string {
  return rename([...p.imports, "", p.prelude, "{", p.body, "}", "export {};", ""].join("\n"));
}

/** The namespaces the README's examples name; a program gets fresh ones under these names. */
export const README_NAMESPACES = ["ns1", "ns2", "host", "ctr1"] as const;

/** Namespace names a program creates itself (netns.add), which must not exist before it runs. */
export function namespacesAdded(code: string): Set<string> {
  return new Set([...code.matchAll(/netns\.add\(\s*"([^"]+)"/g)].map((m) => m[1]!));
}

/** Rewrites "ns1" and "/run/netns/ns1" (and the others) to names under prefix. */
export function renameNamespaces(code: string, map: (name: string) => string): string {
  const names = README_NAMESPACES.join("|");
  return code.replace(new RegExp(`(?<=["'/])(${names})(?=["'])`, "g"), (n) => map(n));
}

/**
 * A scratch project in a temp dir whose node_modules/nlkit is this checkout (its package.json
 * exports: the built bundles and declarations), with @types for the compiler.
 */
export function scratchProject(tag: string): string {
  const dir = mkdtempSync(join(tmpdir(), `nlkit-${tag}-`));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(process.cwd(), join(dir, "node_modules", "nlkit"));
  symlinkSync(join(process.cwd(), "node_modules", "@types"), join(dir, "node_modules", "@types"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "scratch", private: true, type: "module" }));
  return dir;
}

/** Type-checks files (relative to dir) against the built declarations; returns tsc's output ("" when clean). */
export function typecheck(dir: string, files: string[]): string {
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
    compilerOptions: {
      module: "nodenext", moduleResolution: "nodenext", target: "es2022", lib: ["es2023"], strict: true, noEmit: true,
      types: ["node"], skipLibCheck: true,
    },
    files,
  }));
  try {
    execFileSync(process.execPath, [join(process.cwd(), "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json", "--pretty", "false"],
      { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return "";
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return `${err.stdout ?? ""}${err.stderr ?? ""}` || String(e);
  }
}
