// Every top-level export of the package's entry points has a doc comment: the API reference
// (npm run docs) is generated from them. Read from the sources with plain text matching, as the
// project's TypeScript 7 has no compiler API; each name is followed through re-exports to the
// declaration that carries its comment.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";

const ENTRY_POINTS = ["src/index.ts", "src/cni/index.ts"];

/** One name of an export list; `from` is undefined for local names and for `export * as ns` (namespace). */
interface ExportRef { exported: string; local: string; from: string | undefined; documented: boolean; namespace?: boolean }

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

/** The comment right above offset `at` (blank lines allowed) is a doc comment. */
function docCommentBefore(text: string, at: number): boolean {
  const before = text.slice(0, at).trimEnd();
  if (!before.endsWith("*/")) return false;
  const open = before.lastIndexOf("/*");
  return open >= 0 && before.startsWith("/**", open) && before.length - open > "/***/".length;
}

/** The names a module re-exports with `export { ... } [from "..."]` and `export * as ns from "..."`. */
function exportLists(file: string): ExportRef[] {
  const text = read(file);
  const refs: ExportRef[] = [];
  for (const m of text.matchAll(/^export\s+(?:type\s+)?\{([^}]*)\}(?:\s*from\s*["']([^"']+)["'])?/gm)) {
    const documented = docCommentBefore(text, m.index);
    for (const raw of m[1]!.split(",")) {
      const item = raw.replace(/\/\/.*$/gm, "").trim().replace(/^type\s+/, "");
      if (!item) continue;
      const [local, exported = local] = item.split(/\s+as\s+/).map((s) => s.trim()) as [string, string?];
      refs.push({ exported: exported!, local, from: m[2] && resolveModule(file, m[2]), documented });
    }
  }
  for (const m of text.matchAll(/^export\s+\*\s+as\s+(\w+)\s+from\s*["']([^"']+)["']/gm)) {
    refs.push({ exported: m[1]!, local: m[1]!, from: undefined, documented: docCommentBefore(text, m.index), namespace: true });
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

/** Whether `name`, as `file` exports it, ends at a declaration (or re-export) with a doc comment. */
function isDocumented(file: string, name: string, seen = new Set<string>()): boolean | undefined {
  const key = `${file}#${name}`;
  if (seen.has(key)) return undefined;
  seen.add(key);
  const text = read(file);
  const decl = new RegExp(
    `^(?:export\\s+)?(?:declare\\s+)?(?:abstract\\s+)?(?:async\\s+)?(?:interface|type|class|function\\*?|const|let|var|enum)\\s+${name}\\b`, "m",
  ).exec(text);
  if (decl) return docCommentBefore(text, decl.index);
  for (const ref of exportLists(file)) {
    if (ref.exported !== name) continue;
    if (ref.namespace) return ref.documented;
    if (ref.from === undefined) {
      const imported = importedFrom(file, ref.local);
      return imported ? isDocumented(imported.from, imported.name, seen) : isDocumented(file, ref.local, seen);
    }
    return isDocumented(ref.from, ref.local, seen);
  }
  for (const m of text.matchAll(/^export\s+\*\s+from\s*["']([^"']+)["']/gm)) {
    const found = isDocumented(resolveModule(file, m[1]!), name, seen);
    if (found !== undefined) return found;
  }
  return undefined;
}

describe("the public API's doc comments", () => {
  for (const entry of ENTRY_POINTS) {
    it(`every top-level export of ${entry} has a doc comment`, () => {
      const refs = exportLists(entry);
      expect(refs.length).toBeGreaterThan(entry === "src/index.ts" ? 250 : 40);
      const unresolved: string[] = [];
      const undocumented: string[] = [];
      for (const ref of refs) {
        const ok = ref.namespace ? ref.documented : ref.from === undefined ? isDocumented(entry, ref.local) : isDocumented(ref.from, ref.local);
        if (ok === undefined) unresolved.push(ref.exported);
        else if (!ok) undocumented.push(ref.exported);
      }
      expect(unresolved).toEqual([]);
      expect(undocumented).toEqual([]);
    });
  }
});
