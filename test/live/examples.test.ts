// Each program in examples/ run as a user runs it, a child node process importing the built
// package, with a name prefix that puts its namespaces among this test's; each must succeed, print
// what it promises, and leave no namespace behind.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { transformSync } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { scratchProject } from "../helpers/readme-blocks.js";
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

/** What each example must print (besides exiting 0). */
const PROMISES: Record<string, RegExp[]> = {
  "container-network.ts": [/br0 in \S+: ports veth1-br, veth2-br/, /-> 10\.0\.0\.2 \(\S+\): [1-3]\/3 replies/],
  "monitor.ts": [/^new link br0 /m, /^new address 10\.7\.0\.1\/24 on br0$/m, /^del link br0 /m],
  "nat.ts": [/without masquerade: no answer \(the outside saw 10\.0\.0\.1:\d+\)/, /ip saddr 10\.0\.0\.0\/24 oifname "uplink" masquerade/, /with masquerade: seen 198\.51\.100\.2:\d+/],
  "doctor.ts": [/root cause: link\.peer\.up: veth-b in \S+ is down/, /fix: nlkit -n \S+ link set veth-b up/, /after the fix: ok/],
};

(skip ? describe.skip : describe)(`examples/, run (live)${skip ? ` (skipped: ${skip})` : ""}`, () => {
  const ns = new TestNamespaces("pkg-ex");
  const dir = scratchProject("examples-run");
  const leftovers = (prefix: string) => execFileSync("ip", ["netns", "list"], { encoding: "utf8" }).split("\n").map((l) => l.split(" ")[0]!).filter((n) => n.startsWith(`${prefix}-`));
  afterAll(() => {
    for (const name of Object.keys(PROMISES)) for (const n of leftovers(ns.name(name.replace(/\.ts$/, "")))) ns.adopt(n);
    ns.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [file, promises] of Object.entries(PROMISES)) {
    it(`examples/${file}`, () => {
      const prefix = ns.name(file.replace(/\.ts$/, ""));
      const js = join(dir, file.replace(/\.ts$/, ".mjs"));
      writeFileSync(js, transformSync(readFileSync(join("examples", file), "utf8"), { loader: "ts", format: "esm", target: "node20" }).code);
      const r = spawnSync(process.execPath, [js, prefix], { encoding: "utf8", timeout: 60_000 });
      expect({ status: r.status, signal: r.signal, stderr: r.stderr }).toEqual({ status: 0, signal: null, stderr: "" });
      for (const p of promises) expect(r.stdout).toMatch(p);
      expect(leftovers(prefix)).toEqual([]);
    }, 90_000);
  }
});
