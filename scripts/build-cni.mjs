// Bundles nlkit-cni (npm run build's last step), or, imported, builds into another directory
// (the live tests build the current sources this way).
//  - cni-bin/nlkit-cni.cjs: the executable's entry, which answers VERSION alone, and imports
//    the plugins with nlkit (shell.mjs next to it, or the split bundle's cni-shell.js) when a
//    command needs them;
//  - cni.js: the nlkit/cni library, importing nlkit itself from ./index.js (the main bundle)
//    rather than carrying a second copy of it (npm run build bundles it with scripts/build.mjs).
import { build } from "esbuild";
import { chmodSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const common = { bundle: true, platform: "node", format: "esm", target: "node20", external: ["ffi-rs"], logLevel: "warning" };

/**
 * The executable into `outdir` (on its own: the live tests build the current sources this way;
 * npm run build makes it part of the split bundle through scripts/build.mjs): nlkit-cni.cjs, a small CommonJS entry (it starts several ms faster
 * than an ES module) that answers VERSION by itself and imports shell.mjs, the plugins with nlkit,
 * for every other command. Returns the entry's path.
 */
export async function buildCniExecutable(outdir = join(root, "dist", "bundle", "cni-bin"), { shell } = {}) {
  const shellExternal = {
    name: "shell-external",
    setup(b) {
      b.onResolve({ filter: /^\.\/shell\.js$/ }, () => ({ path: shell ?? "./shell.mjs", external: true }));
    },
  };
  await build({ ...common, format: "cjs", entryPoints: [join(root, "src", "cni", "bin.ts")], outfile: join(outdir, "nlkit-cni.cjs"), plugins: [shellExternal] });
  // the package's build passes `shell`: the plugins are then an entry of the split bundle, sharing
  // the library's chunks with nlkit and nlkit/cni instead of carrying a copy of them
  if (shell === undefined) await build({ ...common, entryPoints: [join(root, "src", "cni", "shell.ts")], outfile: join(outdir, "shell.mjs") });
  const entry = join(outdir, "nlkit-cni.cjs");
  chmodSync(entry, 0o755);
  return entry;
}

const srcIndex = join(root, "src", "index.ts");
/** src/cni's imports of nlkit's public API ("../index.js") become imports of the main bundle. */
const nlkitExternal = {
  name: "nlkit-external",
  setup(b) {
    b.onResolve({ filter: /\/index\.js$/ }, (args) => {
      const target = resolve(args.resolveDir, args.path.replace(/\.js$/, ".ts"));
      return target === srcIndex ? { path: "./index.js", external: true } : undefined;
    });
  },
};

export async function buildCniLibrary(outfile = join(root, "dist", "bundle", "cni.js")) {
  await build({ ...common, entryPoints: [join(root, "src", "cni", "index.ts")], outfile, plugins: [nlkitExternal] });
  return outfile;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildCniExecutable();
  await buildCniLibrary();
}
