// Shared by the bins. An installed package has only dist/; in a clone (src/ present) the bundles
// are rebuilt first with the esbuild that `npm ci` installed whenever a source file is newer, so
// a command is never a stale build and never needs a TypeScript loader at start-up.
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The newest modification time of any file under dir (ms). */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** The path of the bundle `parts` (under dist/bundle), rebuilt first when a clone's sources are newer. */
export async function freshBundle(command, ...parts) {
  const bundle = join(root, "dist", "bundle", ...parts);
  const sources = join(root, "src");
  if (existsSync(sources) && (!existsSync(bundle) || newest(sources) > statSync(bundle).mtimeMs)) {
    let build;
    try {
      await import("esbuild");
      build = await import(pathToFileURL(join(root, "scripts", "build.mjs")).href);
    } catch {
      process.stderr.write(`${command}: ${bundle} is missing or older than src/, and esbuild is not installed: run "npm ci" then "npm run build"\n`);
      process.exit(1);
    }
    try {
      await build.rebundle();
    } catch (e) {
      process.stderr.write(`${command}: rebuilding ${bundle} failed: ${e?.message ?? e}\n`);
      process.exit(1);
    }
  }
  return pathToFileURL(bundle).href;
}
