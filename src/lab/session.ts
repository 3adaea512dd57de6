import * as fs from "node:fs";
import { NETNS_RUN_DIR } from "../netlink/netns-ref.js";
import { netns } from "../netns/index.js";
import { Rtnl } from "../rtnl/rtnl.js";
import type { LabReporter } from "./report.js";

/**
 * Owns everything a lab run creates: namespaces named <prefix>-<name> and the handles opened in
 * them. cleanup() removes all of it, and is safe to call twice (signal handler and finally).
 */
export class LabSession {
  readonly prefix: string;
  private readonly handles: Rtnl[] = [];
  private readonly closers: Array<() => Promise<void> | void> = [];
  private cleaned = false;

  constructor(readonly report: LabReporter, prefix = `nlkit-lab-${process.pid}`) {
    this.prefix = prefix;
  }

  nsName(name: string): string {
    return `${this.prefix}-${name}`;
  }

  async addNetns(name: string): Promise<string> {
    // after an interrupt has started cleaning up, nothing new may appear behind its back
    if (this.cleaned) throw new Error("the lab is being cleaned up");
    const full = this.nsName(name);
    await netns.add(full);
    return full;
  }

  async rtnl(name: string): Promise<Rtnl> {
    const rt = await Rtnl.open({ netns: this.nsName(name) });
    this.handles.push(rt);
    return rt;
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
    for (const rt of this.handles.splice(0)) rt.close();
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
