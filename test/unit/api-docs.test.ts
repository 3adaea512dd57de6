// Every top-level export of the package's entry points has a doc comment with an example, and
// every example compiles against the built declarations as a user's program importing the package
// would: the API reference (npm run docs) is generated from these comments.
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { docExamples, ENTRY_POINTS, EXAMPLE_HANDLES, exampleModule, publicExports } from "../helpers/api-exports.js";
import { scratchProject, typecheck } from "../helpers/readme-blocks.js";

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}
const built = existsSync("dist/index.d.ts") && statSync("dist/index.d.ts").mtimeMs >= newestSource("src");
const all = publicExports();
const label = (e: (typeof all)[number]): string => `${e.file ?? "?"} ${e.name}`;

describe("the public API's doc comments", () => {
  for (const entry of ENTRY_POINTS) {
    const exports = all.filter((e) => e.entry === entry);

    it(`every top-level export of ${entry.file} has a doc comment`, () => {
      expect(exports.length).toBeGreaterThan(entry.specifier === "nlkit" ? 250 : 40);
      expect(exports.filter((e) => e.file === undefined).map((e) => e.name)).toEqual([]);
      expect(exports.filter((e) => e.file !== undefined && e.comment === undefined).map(label)).toEqual([]);
    });

    it(`every top-level export of ${entry.file} shows itself in use (a \`\`\`ts block under @example)`, () => {
      expect(exports.filter((e) => e.comment !== undefined && docExamples(e.comment).length === 0).map(label)).toEqual([]);
    });
  }
});

describe("the examples' module", () => {
  it("gives each example its own function, its own imports under private names, and the entry's names it uses", () => {
    const entry = ENTRY_POINTS[0];
    const src = exampleModule(entry, ["Rtnl", "netns", "Nft"], [
      { label: "a", code: 'import { once } from "node:events";\nawait netns.add("x");\nvoid once;' },
      { label: "b", code: "const once = 1;\nawait rt.link.list();\nvoid once;" },
    ]);
    expect(src).toContain('import { Nft, Rtnl, netns } from "nlkit";');
    expect(src).toContain('import { once as once__0 } from "node:events";');
    expect(src).toContain("declare const rt: Rtnl;");
    expect(src).toContain("void once__0;");
    // the second example's own `once` is not the first one's import
    expect(src).toMatch(/example1\(\): Promise<void> \{\nconst once = 1;/);
  });

  it("reads only the ```ts blocks under @example, without the comment's margins", () => {
    const comment = [" * Opens it.", " * ```ts", " * not(this);", " * ```", " * @example", " * ```ts", " * const a = 1;", " *   nested();", " * ```", " * @see x"].join("\n");
    expect(docExamples(comment)).toEqual(["const a = 1;\n  nested();"]);
  });
});

(built ? describe : describe.skip)("doc comment examples compile against the built types (skipped when dist/ is missing or older than src/)", () => {
  const dir = scratchProject("api-examples");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("every @example of both entry points type-checks", () => {
    const files: string[] = [];
    const labels: string[][] = [];
    for (const entry of ENTRY_POINTS) {
      const exports = all.filter((e) => e.entry === entry);
      const examples = exports.flatMap((e) => docExamples(e.comment ?? "").map((code) => ({ label: label(e), code })));
      const names = exports.map((e) => e.name);
      // handles an entry does not export would not resolve
      expect(Object.values(EXAMPLE_HANDLES).filter((t) => entry.specifier === "nlkit" && !names.includes(t))).toEqual([]);
      const src = exampleModule(entry, names, examples);
      const file = `examples-${files.length}.ts`;
      writeFileSync(join(dir, file), src);
      files.push(file);
      labels.push(src.split("\n"));
    }
    const out = typecheck(dir, files);
    // each error named by the export whose example it is in
    const errors = out.split("\n").filter(Boolean).map((line) => {
      const m = /^examples-(\d+)\.ts\((\d+),\d+\)/.exec(line);
      if (!m) return line;
      const lines = labels[Number(m[1])]!;
      let i = Number(m[2]) - 1;
      while (i > 0 && !lines[i]!.startsWith("// src/")) i--;
      return `${lines[i]!.slice(3)}: ${line}`;
    });
    expect(errors).toEqual([]);
  }, 120_000);
});
