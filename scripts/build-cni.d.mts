// Types of build-cni.mjs for the TypeScript that imports it (scripts/cni-bench.ts, the live tests).
export function buildCniExecutable(outdir?: string): Promise<string>;
export function buildCniLibrary(outfile?: string): Promise<string>;
