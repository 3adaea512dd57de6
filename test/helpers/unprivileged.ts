// nlkit run as another user (uid nobody, no capabilities), the way an unprivileged user would.
// That user may read nothing of the checkout: a clone under a directory made by `mktemp -d` is
// mode 0700 all the way down. So the CLI is bundled (as `npm run build` does) into a world-readable
// temporary directory, with the ffi-rs packages it loads copied next to it, and run from there.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";
import { hasCommand } from "./live.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const NOBODY = 65534;

/** Why the unprivileged CLI cannot be run on this machine, or undefined when it can. */
export function unprivilegedUnavailable(): string | undefined {
  if (!hasCommand("setpriv")) return "setpriv (util-linux) is not installed";
  // node itself must be reachable by that user: every directory up to it searchable, the file executable
  try {
    execFileSync("setpriv", [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", process.execPath, "-e", "0"], { stdio: "pipe" });
  } catch {
    return `uid ${NOBODY} cannot run ${process.execPath}`;
  }
  return undefined;
}

function makeWorldReadable(path: string): void {
  const st = statSync(path);
  chmodSync(path, st.isDirectory() ? 0o755 : st.mode & 0o111 ? 0o755 : 0o644);
  if (st.isDirectory()) for (const e of readdirSync(path)) makeWorldReadable(join(path, e));
}

/** A copy of the CLI that uid nobody can load, in its own directory under the system's tmpdir. */
export class UnprivilegedCli {
  readonly dir: string;

  constructor(tag: string) {
    this.dir = mkdtempSync(join(tmpdir(), `nlkit-test-${process.pid}-${tag}-`));
    buildSync({
      entryPoints: [join(ROOT, "src", "cli", "main.ts")], bundle: true, platform: "node", format: "esm", target: "node20",
      external: ["ffi-rs"], outfile: join(this.dir, "cli.mjs"), logLevel: "warning",
    });
    writeFileSync(join(this.dir, "nlkit.mjs"), 'import { main } from "./cli.mjs";\nprocess.exitCode = await main(process.argv.slice(2));\n');
    for (const pkg of ["ffi-rs", "@yuuang/ffi-rs-linux-x64-gnu"]) {
      cpSync(join(ROOT, "node_modules", pkg), join(this.dir, "node_modules", pkg), { recursive: true, dereference: true });
    }
    // mkdtemp made it 0700
    makeWorldReadable(this.dir);
  }

  /** Runs `nlkit ARGS` as uid nobody, in this directory (the checkout may not even be its cwd). */
  run(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync("setpriv", [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", process.execPath, join(this.dir, "nlkit.mjs"), ...args], {
      cwd: this.dir, encoding: "utf8", timeout: 60_000,
    });
    if (r.error) throw r.error;
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
