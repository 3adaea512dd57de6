// IPAM for the bridge plugin: host-local in process, any other type delegated to its executable.
import type { Attachment, GcAttachment, NetConf } from "../config.js";
import { parseResult, type CniResult } from "../result.js";
import { execPlugin } from "./delegate.js";
import { hostLocal, parseHostLocalConfig, type HostLocalConfig } from "./host-local.js";

export interface Ipam {
  readonly type: string;
  add(): Promise<CniResult>;
  del(): Promise<void>;
  check(): Promise<void>;
  gc(valid: readonly GcAttachment[]): Promise<void>;
  status(): Promise<void>;
}

export interface IpamContext {
  conf: NetConf;
  attachment: Attachment;
  stdin: string;
  env: Record<string, string | undefined>;
  cniArgs: Map<string, string>;
  /** Types served in process: "host-local" and the installed name ("nlkit-host-local"). */
  inProcess: readonly string[];
}

class HostLocalIpam implements Ipam {
  private parsed?: HostLocalConfig;
  constructor(readonly type: string, private readonly ctx: IpamContext) {}

  private get cfg(): HostLocalConfig {
    return (this.parsed ??= parseHostLocalConfig(this.ctx.conf, this.ctx.cniArgs));
  }

  add(): Promise<CniResult> { return hostLocal.allocate(this.ctx.attachment, this.cfg); }
  async del(): Promise<void> { await hostLocal.release(this.ctx.attachment, this.cfg); }
  async check(): Promise<void> { hostLocal.check(this.ctx.attachment, this.cfg); }
  async gc(valid: readonly GcAttachment[]): Promise<void> { await hostLocal.gc(this.ctx.attachment.network, this.cfg, valid); }
  async status(): Promise<void> { hostLocal.status(this.ctx.attachment.network, this.cfg); }
}

class DelegatedIpam implements Ipam {
  constructor(readonly type: string, private readonly ctx: IpamContext) {}
  private run(cmd: string): Promise<unknown> { return execPlugin(this.type, cmd, this.ctx.stdin, this.ctx.env); }
  async add(): Promise<CniResult> { return parseResult(await this.run("ADD"), this.ctx.conf.cniVersion); }
  async del(): Promise<void> { await this.run("DEL"); }
  async check(): Promise<void> { await this.run("CHECK"); }
  async gc(): Promise<void> { await this.run("GC"); }
  async status(): Promise<void> { await this.run("STATUS"); }
}

/** The configuration's IPAM, or undefined when it has none (a layer-2 attachment). */
export function ipamFor(ctx: IpamContext): Ipam | undefined {
  const type = typeof ctx.conf.ipam?.type === "string" ? ctx.conf.ipam.type : "";
  if (!type) return undefined;
  return ctx.inProcess.includes(type) ? new HostLocalIpam(type, ctx) : new DelegatedIpam(type, ctx);
}
