import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const NLKIT_BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "bin", "nlkit.js");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/nlkit.js ARGS` as a child, the way a user runs it. */
export function nlkit(args: readonly string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): CliRun {
  const r = spawnSync(process.execPath, [NLKIT_BIN, ...args], {
    encoding: "utf8",
    input: opts.input ?? "",
    env: { ...process.env, ...opts.env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `nlkit -j ARGS`, parsed; throws with stderr when it fails. */
export function nlkitJson<T = any>(args: readonly string[]): T {
  const r = nlkit(["-j", ...args]);
  if (r.code !== 0) throw new Error(`nlkit -j ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return (r.stdout.trim() ? JSON.parse(r.stdout) : []) as T;
}
