import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as api from "../../src/index.js";

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const pkgVersion = (): string => (JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version;

// CI builds before testing; a developer's dist/ may be older than the sources, and is then no
// evidence either way.
const built = existsSync("dist/bundle/index.js") && existsSync("dist/index.d.ts")
  && statSync("dist/bundle/index.js").mtimeMs >= newestSource("src");
const describeBuilt = built ? describe : describe.skip;

describeBuilt("the built package (npm run build; skipped when dist/ is missing or older than src/)", () => {
  it('import("nlkit") resolves to the bundle and exposes exactly the sources\' API', () => {
    const out = execFileSync("node", ["--input-type=module", "-e",
      'const m = await import("nlkit"); console.log(JSON.stringify(Object.keys(m).sort()))'], { encoding: "utf8" });
    expect(JSON.parse(out)).toEqual(Object.keys(api).sort());
  });

  it("the bundled CLI runs without the sources, imported or executed", () => {
    const out = execFileSync("node", ["--input-type=module", "-e",
      'const { main } = await import("./dist/bundle/cli.js"); process.exitCode = await main(["link", "help", "vxlan"]);'], { encoding: "utf8" });
    expect(out).toMatch(/^Usage: \.\.\. vxlan /);
    // executed directly, the bundle is the command itself (not a module that only defines main)
    expect(execFileSync("node", ["dist/bundle/cli.js", "-V"], { encoding: "utf8" })).toBe(`nlkit utility, nlkit-${pkgVersion()}\n`);
    const help = spawnSync("node", ["dist/bundle/cli.js", "help"], { encoding: "utf8" });
    expect([help.status, help.stdout, help.stderr.split("\n")[0]]).toEqual([255, "", "Usage: nlkit [ OPTIONS ] OBJECT { COMMAND | help }"]);
  });

  it("ships type declarations for the entry point", () => {
    expect(existsSync("dist/index.d.ts")).toBe(true);
  });
});
