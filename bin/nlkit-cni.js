#!/usr/bin/env node
// nlkit-cni: the bundle (npm run build) when there is one, since a runtime runs VERSION several
// times per pod and the bundle answers it in a fraction of tsx's start-up; in a clone that was
// never built, the TypeScript sources through tsx.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bundle = join(root, "dist", "bundle", "cni-bin", "nlkit-cni.cjs");
if (existsSync(bundle)) {
  await import(pathToFileURL(bundle).href);
} else {
  const { tsImport } = await import("tsx/esm/api");
  await tsImport(pathToFileURL(join(root, "src", "cni", "bin.ts")).href, import.meta.url);
}
