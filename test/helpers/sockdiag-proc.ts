// A test/helpers/sockdiag-peers.mjs process in a namespace, seen from a test: its ready line and
// the events it prints.
import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const PEERS_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "sockdiag-peers.mjs");

/** A peers process and the lines it printed; `next(pred)` resolves with the first line that matches. */
export class Peers {
  readonly lines: any[] = [];
  private waiters: Array<{ pred: (l: any) => boolean; resolve: (l: any) => void }> = [];
  readonly proc: ChildProcess;

  /** `as`: a command the process runs under (setpriv...), with a copy of the script that user can read. */
  constructor(netns: string, plan: unknown[], as?: { prefix: string[]; script: string; cwd: string }) {
    const argv = [...(as?.prefix ?? []), process.execPath, as?.script ?? PEERS_SCRIPT, JSON.stringify(plan)];
    this.proc = spawn("ip", ["netns", "exec", netns, ...argv], { stdio: ["pipe", "pipe", "inherit"], ...(as ? { cwd: as.cwd } : {}) });
    createInterface({ input: this.proc.stdout! }).on("line", (text) => {
      const line = JSON.parse(text);
      this.lines.push(line);
      this.waiters = this.waiters.filter((w) => (w.pred(line) ? (w.resolve(line), false) : true));
    });
  }

  next(pred: (l: any) => boolean, what: string): Promise<any> {
    const seen = this.lines.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const failed = this.lines.find((l) => l.failed);
      if (failed) return reject(new Error(`peers failed: ${failed.failed}`));
      this.waiters.push({ pred, resolve });
      this.proc.once("exit", (code) => reject(new Error(`peers exited (${code}) before ${what}: ${JSON.stringify(this.lines)}`)));
    });
  }

  ready(): Promise<any> {
    return this.next((l) => l.ready || l.failed, "ready").then((l) => {
      if (l.failed) throw new Error(`peers failed: ${l.failed}`);
      return l.ready;
    });
  }

  stop(): void {
    this.proc.kill("SIGKILL");
  }
}

