import * as fs from "node:fs";
import { NETNS_RUN_DIR } from "../netlink/netns-ref.js";
import { netns } from "../netns/index.js";
import { Rtnl } from "../rtnl/rtnl.js";
import type { InetSocket } from "../sockdiag/verbs.js";
import { SockDiag } from "../sockdiag/verbs.js";
import { waitListening, type WaitListeningOptions } from "../sockdiag/wait.js";
import type { LabReporter } from "./report.js";

/**
 * Owns everything a lab run creates: namespaces named <prefix>-<name> and the handles opened in
 * them. cleanup() removes all of it, and is safe to call twice.
 *
 * `signal` stops the run: every wait of the labs (probes, sleeps) ends on it and every new
 * resource is refused once it fired, so the run unwinds to the one cleanup in runLabs' finally
 * instead of racing a cleanup started beside it.
 */
export class LabSession {
  readonly prefix: string;
  readonly signal: AbortSignal;
  private readonly handles: Rtnl[] = [];
  private readonly closers: Array<() => Promise<void> | void> = [];
  private cleaned = false;

  constructor(readonly report: LabReporter, prefix = `nlkit-lab-${process.pid}`, signal?: AbortSignal) {
    this.prefix = prefix;
    this.signal = signal ?? new AbortController().signal;
  }

  nsName(name: string): string {
    return `${this.prefix}-${name}`;
  }

  /** Throws the stop reason when the run was stopped, or once cleanup has begun. */
  checkpoint(): void {
    this.signal.throwIfAborted();
    if (this.cleaned) throw new Error("the lab is being cleaned up");
  }

  async addNetns(name: string): Promise<string> {
    this.checkpoint();
    const full = this.nsName(name);
    await netns.add(full);
    return full;
  }

  async rtnl(name: string): Promise<Rtnl> {
    this.checkpoint();
    const rt = await Rtnl.open({ netns: this.nsName(name) });
    this.handles.push(rt);
    return rt;
  }

  /**
   * Waits until something listens on a port in one of this session's namespaces (a server a lab
   * started); the session's stop signal ends the wait.
   */
  async waitListening(name: string, opts: Omit<WaitListeningOptions, "signal">): Promise<InetSocket[]> {
    this.checkpoint();
    const sd = await SockDiag.open({ netns: this.nsName(name) });
    try {
      return await waitListening(sd, { ...opts, signal: this.signal });
    } finally {
      sd.close();
    }
  }

  /** Something else to close on cleanup (servers, nftables handles). */
  onCleanup(fn: () => Promise<void> | void): void {
    this.closers.push(fn);
  }

  /** Names of this session's namespaces that still exist. */
  leftovers(): string[] {
    let names: string[] = [];
    try {
      names = fs.readdirSync(NETNS_RUN_DIR);
    } catch {
      return [];
    }
    return names.filter((n) => n.startsWith(`${this.prefix}-`));
  }

  /** Closes sockets and servers (which would keep the process alive) but keeps the namespaces. */
  async closeHandles(): Promise<void> {
    for (const fn of this.closers.splice(0).reverse()) {
      try { await fn(); } catch { /* best effort: the namespaces go anyway */ }
    }
    for (const rt of this.handles.splice(0)) {
      try { rt.close(); } catch { /* one handle that will not close must not keep the others open */ }
    }
  }

  async cleanup(): Promise<void> {
    if (this.cleaned) return;
    this.cleaned = true;
    await this.closeHandles();
    for (const name of this.leftovers()) {
      try {
        await netns.del(name);
      } catch (e) {
        this.report.fail(`could not delete namespace ${name}: ${(e as Error).message}`);
      }
    }
  }
}
