// Every program of the README, run as written by a child node process against the built package,
// in fresh throwaway namespaces: the process starts inside one (what the README calls "this
// namespace"), and the names the README uses (ns1, ns2, host, ctr1) are rewritten to namespaces
// of this test's own. Blocks are compiled by test/unit/readme-blocks.test.ts.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { transformSync } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import {
  namespacesAdded, parseBlocks, programs, programSource, README_NAMESPACES, renameNamespaces, scratchProject,
} from "../helpers/readme-blocks.js";
import { isRoot, TestNamespaces } from "../helpers/live.js";

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}
const built = existsSync("dist/bundle/index.js") && statSync("dist/bundle/index.js").mtimeMs >= newestSource("src");
const skip = !isRoot ? "needs root for network namespaces" : !built ? "needs npm run build (dist/ is missing or older than src/)" : "";
const all = programs(parseBlocks(readFileSync("README.md", "utf8")));

(skip ? describe.skip : describe)(`README programs, run in throwaway namespaces (live)${skip ? ` (skipped: ${skip})` : ""}`, () => {
  const ns = new TestNamespaces("pkg-readme");
  const dir = scratchProject("readme-run");
  afterAll(() => {
    ns.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const p of all) {
    it(`the program at README line ${p.line}`, () => {
      const unit = `l${p.line}`;
      const scratch = join(dir, unit);
      mkdirSync(scratch);
      const source = programSource(p);
      const added = namespacesAdded(source);
      const home = ns.create(`${unit}-self`);
      for (const name of README_NAMESPACES) {
        if (added.has(name)) ns.adopt(ns.name(`${unit}-${name}`));
        else if (new RegExp(`["'/]${name}["']`).test(source)) ns.create(`${unit}-${name}`);
      }
      const rewritten = renameNamespaces(source, (n) => ns.name(`${unit}-${n}`))
        // the CNI example's host-local data directory, inside this test's scratch directory
        .replaceAll('"/run/lab-ipam"', JSON.stringify(join(scratch, "ipam")));
      const file = join(dir, `${unit}.mjs`);
      writeFileSync(file, transformSync(rewritten, { loader: "ts", format: "esm", target: "node20" }).code);
      const r = spawnSync("nsenter", [`--net=/run/netns/${home}`, process.execPath, file], { encoding: "utf8", timeout: 60_000 });
      expect({ status: r.status, signal: r.signal, stderr: r.stderr }, `README line ${p.line}:\n${rewritten}`)
        .toEqual({ status: 0, signal: null, stderr: expect.any(String) });
      expect(r.stderr).not.toMatch(/Error|Warning/);
    }, 90_000);
  }
});
