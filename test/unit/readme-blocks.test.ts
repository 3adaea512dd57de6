// Every TypeScript block of the README compiles against the built declarations, as a user's
// program importing "nlkit" would (test/live/readme-blocks.test.ts runs them).
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseBlocks, programs, programSource, scratchProject, typecheck } from "../helpers/readme-blocks.js";

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}
const built = existsSync("dist/index.d.ts") && statSync("dist/index.d.ts").mtimeMs >= newestSource("src");
const readme = readFileSync("README.md", "utf8");
const blocks = parseBlocks(readme);

describe("README blocks: the markers", () => {
  it("reads setup, continued, examples and sketch markers, and merges a program's imports", () => {
    const md = [
      "```ts", "// setup: a handle", 'import { Rtnl } from "nlkit";', "const rt = await Rtnl.open();", "```",
      "```ts", 'import { Rtnl, netns } from "nlkit";', "const rt = 1;", "```",
      "```ts", "// continued", "void rt;", "```",
      "```ts", "// sketch", "for await (const x of y) {}", "```",
      "```ts", "// examples/nat.ts", "x", "```",
      "```sh", "nlkit -V", "```",
    ].join("\n");
    const b = parseBlocks(md);
    expect(b.map((x) => [x.line, x.lang, x.marker, x.example])).toEqual([
      [1, "ts", "setup", undefined], [6, "ts", "program", undefined], [10, "ts", "continued", undefined],
      [14, "ts", "sketch", undefined], [18, "ts", "example", "examples/nat.ts"], [22, "sh", "program", undefined],
    ]);
    const p = programs(b);
    expect(p.map((x) => x.line)).toEqual([1, 6]);
    expect(p[1]!.imports).toEqual(['import { Rtnl, netns } from "nlkit";']);
    expect(p[1]!.prelude).toContain("const rt = await Rtnl.open();");
    expect(p[1]!.body).toContain("const rt = 1;\n");
    expect(p[1]!.body).toContain("void rt;");
    expect(() => programs(parseBlocks("```ts\n// continued\nx\n```\n"))).toThrow(/follows no program/);
  });

  it("every TypeScript block of the README is marked or a program, and the README has programs to run", () => {
    const ts = blocks.filter((b) => b.lang === "ts");
    expect(ts.length).toBeGreaterThan(10);
    expect(programs(blocks).length).toBeGreaterThan(5);
    // a sketch is the rare fragment: most blocks run
    expect(ts.filter((b) => b.marker === "sketch").length).toBeLessThan(ts.length / 4);
  });

  it("an examples/NAME.ts block is that file, verbatim", () => {
    for (const b of blocks.filter((x) => x.marker === "example")) {
      expect(existsSync(b.example!), `${b.example} (README line ${b.line})`).toBe(true);
      expect(b.code, `README line ${b.line}`).toBe(readFileSync(b.example!, "utf8"));
    }
  });
});

(built ? describe : describe.skip)("README blocks: compiled against the built types (skipped when dist/ is missing or older than src/)", () => {
  const dir = scratchProject("readme-tsc");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("each program type-checks on its own (tsc, nodenext, strict)", () => {
    const files = programs(blocks).map((p) => {
      const name = `readme-line-${p.line}.mts`;
      writeFileSync(join(dir, name), programSource(p));
      return name;
    });
    expect(typecheck(dir, files)).toBe("");
  }, 60_000);
});
