#!/usr/bin/env node
// In a clone (sources present, tsx installed by `npm ci`) run the TypeScript sources, so the CLI
// is never a stale build; an installed package has only dist/.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "src", "cli", "main.ts");
let main;
if (existsSync(source) && existsSync(join(root, "node_modules", "tsx"))) {
  const { tsImport } = await import("tsx/esm/api");
  ({ main } = await tsImport(pathToFileURL(source).href, import.meta.url));
} else {
  ({ main } = await import(pathToFileURL(join(root, "dist", "bundle", "cli.js")).href));
}
process.exitCode = await main(process.argv.slice(2));
