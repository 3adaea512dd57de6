// The package's public exports and the doc comments behind them, read from the sources with plain
// text matching (the project's TypeScript 7 has no compiler API). Each name is followed through
// re-exports to the declaration that carries its comment.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The package's entry points: the source behind each and the specifier users import. */
export const ENTRY_POINTS = [
  { file: "src/index.ts", specifier: "nlkit" },
  { file: "src/cni/index.ts", specifier: "nlkit/cni" },
] as const;

/** One public name, where its documentation was found. */
export interface PublicExport {
  entry: (typeof ENTRY_POINTS)[number];
  name: string;
  /** The source file whose declaration (or `export * as`) carries the comment; undefined when unresolved. */
  file: string | undefined;
  /** The doc comment's text (between `/**` and `*\/`), or undefined when there is none. */
  comment: string | undefined;
}

/** One name of an export list; `from` is undefined for local names and for `export * as ns` (namespace). */
interface ExportRef { exported: string; local: string; from: string | undefined; comment: string | undefined; namespace?: boolean }

const sources = new Map<string, string>();
const read = (file: string): string => {
  let text = sources.get(file);
  if (text === undefined) sources.set(file, (text = readFileSync(file, "utf8")));
  return text;
};

function resolveModule(fromFile: string, spec: string): string {
  const base = join(dirname(fromFile), spec.replace(/\.js$/, ""));
  for (const candidate of [`${base}.ts`, join(base, "index.ts")]) if (existsSync(candidate)) return candidate;
  throw new Error(`${fromFile}: cannot resolve ${spec}`);
}

/** The doc comment right above offset `at` (blank lines allowed), or undefined. */
function docCommentBefore(text: string, at: number): string | undefined {
  const before = text.slice(0, at).trimEnd();
  if (!before.endsWith("*/")) return undefined;
  const open = before.lastIndexOf("/*");
  if (open < 0 || !before.startsWith("/**", open) || before.length - open <= "/***/".length) return undefined;
  return before.slice(open + 3, -2);
}

/** The names a module re-exports with `export { ... } [from "..."]` and `export * as ns from "..."`. */
function exportLists(file: string): ExportRef[] {
  const text = read(file);
  const refs: ExportRef[] = [];
  for (const m of text.matchAll(/^export\s+(?:type\s+)?\{([^}]*)\}(?:\s*from\s*["']([^"']+)["'])?/gm)) {
    const comment = docCommentBefore(text, m.index);
    for (const raw of m[1]!.split(",")) {
      const item = raw.replace(/\/\/.*$/gm, "").trim().replace(/^type\s+/, "");
      if (!item) continue;
      const [local, exported = local] = item.split(/\s+as\s+/).map((s) => s.trim()) as [string, string?];
      refs.push({ exported: exported!, local, from: m[2] && resolveModule(file, m[2]), comment });
    }
  }
  for (const m of text.matchAll(/^export\s+\*\s+as\s+(\w+)\s+from\s*["']([^"']+)["']/gm)) {
    refs.push({ exported: m[1]!, local: m[1]!, from: undefined, comment: docCommentBefore(text, m.index), namespace: true });
  }
  return refs;
}

/** Where `file` imports `name` from (`import { name }` or `import { other as name }`). */
function importedFrom(file: string, name: string): { from: string; name: string } | undefined {
  for (const m of read(file).matchAll(/^import\s+(?:type\s+)?\{([^}]*)\}\s*from\s*["']([^"']+)["']/gm)) {
    for (const raw of m[1]!.split(",")) {
      const [original, local = original] = raw.trim().replace(/^type\s+/, "").split(/\s+as\s+/).map((s) => s.trim()) as [string, string?];
      if (local === name) return { from: resolveModule(file, m[2]!), name: original };
    }
  }
  return undefined;
}

type Found = { file: string; comment: string | undefined };

/** The declaration (or re-export) `name` ends at, as `file` exports it, with its doc comment. */
function findDoc(file: string, name: string, seen = new Set<string>()): Found | undefined {
  const key = `${file}#${name}`;
  if (seen.has(key)) return undefined;
  seen.add(key);
  const text = read(file);
  const decl = new RegExp(
    `^(?:export\\s+)?(?:declare\\s+)?(?:abstract\\s+)?(?:async\\s+)?(?:interface|type|class|function\\*?|const|let|var|enum)\\s+${name}\\b`, "m",
  ).exec(text);
  if (decl) return { file, comment: docCommentBefore(text, decl.index) };
  for (const ref of exportLists(file)) {
    if (ref.exported !== name) continue;
    if (ref.namespace) return { file, comment: ref.comment };
    if (ref.from === undefined) {
      const imported = importedFrom(file, ref.local);
      return imported ? findDoc(imported.from, imported.name, seen) : findDoc(file, ref.local, seen);
    }
    return findDoc(ref.from, ref.local, seen);
  }
  for (const m of text.matchAll(/^export\s+\*\s+from\s*["']([^"']+)["']/gm)) {
    const found = findDoc(resolveModule(file, m[1]!), name, seen);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Every top-level export of every entry point, with the doc comment it resolves to. */
export function publicExports(): PublicExport[] {
  const out: PublicExport[] = [];
  for (const entry of ENTRY_POINTS) {
    for (const ref of exportLists(entry.file)) {
      const found = ref.namespace ? { file: entry.file, comment: ref.comment }
        : ref.from === undefined ? findDoc(entry.file, ref.local) : findDoc(ref.from, ref.local);
      out.push({ entry, name: ref.exported, file: found?.file, comment: found?.comment });
    }
  }
  return out;
}

/** The ```ts blocks of a doc comment's `@example` tags, with the comment's ` * ` margins removed. */
export function docExamples(comment: string): string[] {
  const lines = comment.split("\n").map((l) => l.replace(/^\s*\* ?/, ""));
  const out: string[] = [];
  let inExample = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^@\w+/.test(line)) inExample = line.startsWith("@example");
    if (!inExample || !/^```(ts|typescript)\s*$/.test(line.trim())) continue;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i]!.trim() !== "```"; i++) body.push(lines[i]!);
    out.push(body.join("\n"));
  }
  return out;
}

/**
 * Handles an example may use without opening them, as the README's setup block has them: an
 * example shows the call it documents, not the ceremony around it.
 */
export const EXAMPLE_HANDLES: Readonly<Record<string, string>> = {
  rt: "Rtnl", nft: "Nft", ct: "Conntrack", sd: "SockDiag", genl: "Genl", et: "Ethtool",
};

/**
 * A module that type-checks one entry point's examples: each example is the body of its own
 * async function (so its names and `await` stay local), after an import of the entry's names
 * that the example uses and which it does not import itself.
 */
export function exampleModule(entry: (typeof ENTRY_POINTS)[number], names: readonly string[], examples: ReadonlyArray<{ label: string; code: string }>): string {
  const head: string[] = [];
  const body: string[] = [];
  const used = new Set<string>();
  examples.forEach(({ label, code }, i) => {
    const imports: string[] = [];
    const rest: string[] = [];
    for (const line of code.split("\n")) (/^import\s/.test(line) ? imports : rest).push(line);
    // an example's own imports go to the top of the module under names private to it
    const local = new Map<string, string>();
    for (const imp of imports) {
      const m = /^import\s+(type\s+)?\{([^}]*)\}\s*from\s*["']([^"']+)["'];?\s*$/.exec(imp);
      if (!m) {
        head.push(imp);
        continue;
      }
      const renamed = m[2]!.split(",").map((s) => s.trim()).filter(Boolean).map((item) => {
        const [orig, as = orig] = item.replace(/^type\s+/, "").split(/\s+as\s+/).map((s) => s.trim()) as [string, string?];
        const alias = `${as}__${i}`;
        local.set(as!, alias);
        return `${orig} as ${alias}`;
      });
      head.push(`import ${m[1] ?? ""}{ ${renamed.join(", ")} } from "${m[3]}";`);
    }
    let text = rest.join("\n");
    for (const [name, alias] of local) text = text.replace(new RegExp(`(?<![\\w$.])${name}\\b`, "g"), alias);
    for (const n of names) if (!local.has(n) && new RegExp(`(?<![\\w$.])${n}\\b`).test(text)) used.add(n);
    body.push(`// ${label}`, `export async function example${i}(): Promise<void> {`, text, "}", "");
  });
  const handles = Object.entries(EXAMPLE_HANDLES).filter(([, type]) => names.includes(type));
  for (const [, type] of handles) used.add(type);
  return [
    used.size ? `import { ${[...used].sort().join(", ")} } from "${entry.specifier}";` : "",
    ...head,
    ...handles.map(([v, type]) => `declare const ${v}: ${type};`),
    "",
    ...body,
  ].join("\n");
}
