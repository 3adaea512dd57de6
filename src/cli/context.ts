// What every object's command sees: the global options, where output goes, and a lazily opened
// rtnetlink handle in the -n namespace (so `nlkit netns list` never opens a netlink socket).
import type { Rtnl, RtnlBatch } from "../rtnl/rtnl.js";
import { formatJson } from "./print/json.js";

export interface GlobalOptions {
  netns?: string;
  json: boolean;
  pretty: boolean;
  details: boolean;
  /** -s, counted like ip (-s -s for more) */
  stats: number;
  oneline: boolean;
  /** -br: one line per device, as ip's brief output */
  brief?: boolean;
  family?: 4 | 6;
  force: boolean;
  batch?: string;
}

/** The verbs shared by an Rtnl handle and a batch of it. */
export type RtnlVerbs = Pick<Rtnl, "link" | "addr" | "route" | "neigh" | "rule" | "addrlabel">;

/** A change queued in a batch, with the line it came from. */
export interface QueuedChange {
  line: number;
  promise: Promise<unknown>;
}

export class Cli {
  private handle: Rtnl | undefined;
  /** Set by the -batch driver while it collects a run of batchable changes. */
  queue: { batch: RtnlBatch; changes: QueuedChange[] } | undefined;
  /** The batch line being run (0 outside -batch). */
  line = 0;

  constructor(readonly opts: GlobalOptions, private readonly stdout: (s: string) => void = (s) => void process.stdout.write(s)) {}

  write(text: string): void {
    this.stdout(text);
  }

  /** Prints a show command's records the way `ip -j [-p]` does. */
  writeJson(value: unknown): void {
    this.write(formatJson(value, this.opts.pretty) + "\n");
  }

  netnsRef(): { netns?: string } {
    return this.opts.netns !== undefined ? { netns: this.opts.netns } : {};
  }

  async rtnl(): Promise<Rtnl> {
    if (!this.handle) {
      const { Rtnl } = await import("../rtnl/rtnl.js");
      this.handle = await Rtnl.open({ ...this.netnsRef(), receiveBufferSize: 4 << 20 });
    }
    return this.handle;
  }

  /**
   * Runs one change (add/del/replace). Inside a -batch run of changes it is only queued, and the
   * driver reports its outcome against the line once the batch is sent.
   */
  async change(fn: (v: RtnlVerbs) => Promise<unknown>): Promise<void> {
    if (this.queue) {
      let promise: Promise<unknown>;
      try {
        promise = fn(this.queue.batch);
      } catch (e) {
        promise = Promise.reject(e);
      }
      promise.catch(() => {});
      this.queue.changes.push({ line: this.line, promise });
      return;
    }
    await fn(await this.rtnl());
  }

  close(): void {
    this.handle?.close();
    this.handle = undefined;
  }
}
