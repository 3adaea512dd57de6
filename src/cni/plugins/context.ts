// What the shell hands a plugin: the parsed environment and configuration of one invocation.
import type { Attachment, NetConf } from "../config.js";
import type { CniResult } from "../result.js";

export type Command = "ADD" | "DEL" | "CHECK" | "GC" | "STATUS";

export interface PluginContext {
  command: Command;
  containerId: string;
  /** CNI_NETNS; "" when the runtime gave none (DEL may). */
  netns: string;
  ifname: string;
  cniArgs: Map<string, string>;
  /** The configuration as received, for delegated plugins. */
  stdin: string;
  conf: NetConf;
  env: Record<string, string | undefined>;
  /** The installed-name prefix this invocation runs under ("" or "nlkit-"). */
  prefix: string;
}

/** A plugin: ADD returns the result to print; the other commands return nothing. */
export type Plugin = (ctx: PluginContext) => Promise<CniResult | undefined>;

export function attachmentOf(ctx: PluginContext): Attachment {
  return { network: ctx.conf.name, containerId: ctx.containerId, ifname: ctx.ifname };
}

/** Runs every step, remembering the first failure, and rethrows it at the end (DEL is best effort). */
export class BestEffort {
  private first: unknown;
  private failed = false;

  async step(fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      if (!this.failed) { this.first = e; this.failed = true; }
    }
  }

  done(): void {
    if (this.failed) throw this.first;
  }
}
