// npm run build (and prepack): the package as it ships, into a fresh dist/.
//  - dist/**/*.d.ts: the declarations that the two entry points reach, public API only
//    (tsconfig.build.json: stripInternal, no maps: the sources do not ship);
//  - dist/bundle/{index,cli,cni,cni-shell}.js: the library, the command line, nlkit/cni and the
//    CNI plugins, bundled with code splitting so that they share one copy of the library
//    (chunks/), and each CLI command's module is a chunk of its own that only that command loads;
//  - dist/bundle/cni-bin/nlkit-cni.cjs: the nlkit-cni executable's entry (scripts/build-cni.mjs),
//    which imports ../cni-shell.js for every command but VERSION.
// Imported, rebundle() rebuilds the JavaScript only (the bins in a clone whose sources changed).
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bundleDir = join(root, "dist", "bundle");

/** The split ESM bundles into outdir (default dist/bundle). */
export async function bundles(outdir = bundleDir) {
  await build({
    entryPoints: { index: join(root, "src", "index.ts"), cli: join(root, "src", "cli", "bin.ts"), cni: join(root, "src", "cni", "index.ts"),
      "cni-shell": join(root, "src", "cni", "shell.ts") },
    bundle: true, splitting: true, platform: "node", format: "esm", target: "node20", external: ["ffi-rs"],
    chunkNames: "chunks/[name]-[hash]", logLevel: "warning", outdir,
  });
}

/**
 * Rebuilds the bundles in place for commands that may be starting at the same time: built in a
 * directory of its own, then the chunks moved in (their names are hashes of their contents, so
 * an old entry never sees a new chunk under an old name), then the entries renamed over the old.
 */
export async function rebundle() {
  const tmp = join(root, "dist", `.bundle-${process.pid}`);
  try {
    await bundles(tmp);
    const { buildCniExecutable } = await import("./build-cni.mjs");
    await buildCniExecutable(join(tmp, "cni-bin"), { shell: "../cni-shell.js" });
    mkdirSync(join(bundleDir, "chunks"), { recursive: true });
    mkdirSync(join(bundleDir, "cni-bin"), { recursive: true });
    for (const f of readdirSync(join(tmp, "chunks"))) renameSync(join(tmp, "chunks", f), join(bundleDir, "chunks", f));
    for (const f of readdirSync(tmp)) if (f.endsWith(".js")) renameSync(join(tmp, f), join(bundleDir, f));
    renameSync(join(tmp, "cni-bin", "nlkit-cni.cjs"), join(bundleDir, "cni-bin", "nlkit-cni.cjs"));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Deletes the declarations that no entry's declarations import: tsc emits one for every module in
 * the program, but a module that only the JavaScript reaches (libc, the tables) has no type a
 * user can name.
 */
function pruneDeclarations(dir, entries) {
  const seen = new Set();
  const todo = entries.map((e) => join(dir, e));
  while (todo.length) {
    const f = todo.pop();
    if (seen.has(f)) continue;
    seen.add(f);
    const text = readFileSync(f, "utf8");
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)["'](\.{1,2}\/[^"']+)\.js["']/g)) {
      const target = join(dirname(f), `${m[1]}.d.ts`);
      todo.push(existsSync(target) ? target : join(dirname(f), m[1], "index.d.ts"));
    }
  }
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (p !== bundleDir) walk(p);
      } else if (p.endsWith(".d.ts") && !seen.has(p)) rmSync(p);
    }
    if (readdirSync(d).length === 0) rmSync(d, { recursive: true });
  };
  walk(dir);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  rmSync(join(root, "dist"), { recursive: true, force: true });
  execFileSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", join(root, "tsconfig.build.json")], { stdio: "inherit" });
  pruneDeclarations(join(root, "dist"), ["index.d.ts", join("cni", "index.d.ts")]);
  await bundles();
  const { buildCniExecutable } = await import("./build-cni.mjs");
  await buildCniExecutable(undefined, { shell: "../cni-shell.js" });
}
