// A CNI runtime for the live tests, doing what libcni does for containerd (SPEC section 3): one
// request per plugin of a network configuration list (cniVersion and name inserted,
// runtimeConfig from the declared capabilities, prevResult chained), the result cached after a
// successful ADD, CHECK and DEL fed from that cache, DEL in reverse order. Every plugin runs the
// way containerd's would: `ip netns exec <host> env -i CNI_...=... <dir>/<type> < request.json`.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface NetworkList {
  cniVersion: string;
  name: string;
  plugins: Array<Record<string, unknown> & { type: string }>;
  disableCheck?: boolean;
}

export interface Container {
  containerId: string;
  /** CNI_NETNS; "" for none. */
  netns: string;
  ifname: string;
  capabilityArgs?: Record<string, unknown>;
  cniArgs?: string;
}

export interface PluginRun {
  type: string;
  command: string;
  code: number | null;
  stdout: string;
  stderr: string;
  json?: any;
  request: Record<string, unknown>;
}

export interface RuntimeOptions {
  /** The namespace plugins run in (the runtime's, here a "host" namespace of the test). */
  hostNetns: string;
  /** CNI_PATH: where plugin executables are looked up. */
  binDir: string;
  /** libcni's cacheDir (results/<network>-<id>-<ifname>). */
  cacheDir: string;
}

// the reference plugins run iptables from PATH, and `env node` needs node
const PATH = [path.dirname(process.execPath), "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"].join(":");

export class Runtime {
  constructor(readonly opts: RuntimeOptions) {
    fs.mkdirSync(path.join(opts.cacheDir, "results"), { recursive: true });
  }

  /** Runs one plugin exactly as the runtime would; raw request text may be given for error cases. */
  exec(type: string, command: string, c: Partial<Container>, request: Record<string, unknown> | string, extraEnv: Record<string, string | undefined> = {}): Promise<PluginRun> {
    const env: Record<string, string | undefined> = {
      CNI_COMMAND: command, CNI_CONTAINERID: c.containerId, CNI_NETNS: c.netns, CNI_IFNAME: c.ifname,
      CNI_PATH: this.opts.binDir, CNI_ARGS: c.cniArgs, PATH, ...extraEnv,
    };
    const pairs = Object.entries(env).filter(([, v]) => v !== undefined && v !== "").map(([k, v]) => `${k}=${v}`);
    // an empty CNI_NETNS is passed as such, like containerd/nerdctl#1872 do
    if (c.netns === "" && !("CNI_NETNS" in extraEnv)) pairs.push("CNI_NETNS=");
    const stdin = typeof request === "string" ? request : JSON.stringify(request);
    const args = ["netns", "exec", this.opts.hostNetns, "env", "-i", ...pairs, path.join(this.opts.binDir, type)];
    return new Promise((resolve, reject) => {
      const child = spawn("ip", args, { stdio: ["pipe", "pipe", "pipe"] });
      const out: Buffer[] = [], err: Buffer[] = [];
      child.stdout.on("data", (b: Buffer) => out.push(b));
      child.stderr.on("data", (b: Buffer) => err.push(b));
      child.on("error", reject);
      child.on("close", (code) => {
        const stdout = Buffer.concat(out).toString("utf8");
        let json: any;
        try { json = stdout.trim() ? JSON.parse(stdout) : undefined; } catch { json = undefined; }
        resolve({ type, command, code, stdout, stderr: Buffer.concat(err).toString("utf8"), json, request: typeof request === "string" ? { raw: request } : request });
      });
      child.stdin.on("error", () => undefined);
      child.stdin.end(stdin);
    });
  }

  /** libcni's buildOneConfig + injectRuntimeConfig. */
  request(list: NetworkList, plugin: NetworkList["plugins"][number], c: Container, prevResult?: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const conf: Record<string, unknown> = structuredClone(plugin);
    conf.cniVersion = list.cniVersion;
    conf.name = list.name;
    const caps = conf.capabilities as Record<string, boolean> | undefined;
    delete conf.capabilities;
    for (const [k, on] of Object.entries(caps ?? {})) {
      if (!on || c.capabilityArgs?.[k] === undefined) continue;
      conf.runtimeConfig = { ...(conf.runtimeConfig as object | undefined), [k]: c.capabilityArgs[k] };
    }
    if (prevResult !== undefined) conf.prevResult = prevResult;
    return { ...conf, ...extra };
  }

  cachePath(list: NetworkList, c: Container): string {
    return path.join(this.opts.cacheDir, "results", `${list.name}-${c.containerId}-${c.ifname}`);
  }

  cachedResult(list: NetworkList, c: Container): unknown {
    try {
      return JSON.parse(fs.readFileSync(this.cachePath(list, c), "utf8")).result;
    } catch {
      return undefined;
    }
  }

  /** ADD of the whole list; on success the result is cached. A failure stops the chain (the caller then DELs, as a runtime does). */
  async add(list: NetworkList, c: Container): Promise<{ ok: boolean; result?: any; runs: PluginRun[] }> {
    const runs: PluginRun[] = [];
    let prev: unknown;
    for (const p of list.plugins) {
      const run = await this.exec(p.type, "ADD", c, this.request(list, p, c, prev));
      runs.push(run);
      if (run.code !== 0) return { ok: false, runs };
      prev = run.json;
    }
    fs.writeFileSync(this.cachePath(list, c), JSON.stringify({
      kind: "cniCacheV1", containerId: c.containerId, config: Buffer.from(JSON.stringify(list)).toString("base64"),
      ifName: c.ifname, networkName: list.name, netns: c.netns, capabilityArgs: c.capabilityArgs ?? {}, result: prev,
    }));
    return { ok: true, result: prev, runs };
  }

  async check(list: NetworkList, c: Container): Promise<{ ok: boolean; runs: PluginRun[] }> {
    const runs: PluginRun[] = [];
    const prev = this.cachedResult(list, c);
    for (const p of list.plugins) {
      const run = await this.exec(p.type, "CHECK", c, this.request(list, p, c, prev));
      runs.push(run);
      if (run.code !== 0) return { ok: false, runs };
    }
    return { ok: true, runs };
  }

  /** DEL in reverse order with the cached result as prevResult (none when the cache is gone or `cache` is false). */
  async del(list: NetworkList, c: Container, opts: { cache?: boolean } = {}): Promise<{ ok: boolean; runs: PluginRun[] }> {
    const runs: PluginRun[] = [];
    const prev = opts.cache === false ? undefined : this.cachedResult(list, c);
    let ok = true;
    for (const p of [...list.plugins].reverse()) {
      const run = await this.exec(p.type, "DEL", c, this.request(list, p, c, prev));
      runs.push(run);
      if (run.code !== 0) ok = false;
    }
    if (ok) fs.rmSync(this.cachePath(list, c), { force: true });
    return { ok, runs };
  }

  async gc(list: NetworkList, valid: Array<{ containerID: string; ifname: string }>): Promise<{ ok: boolean; runs: PluginRun[] }> {
    const runs: PluginRun[] = [];
    for (const p of list.plugins) {
      runs.push(await this.exec(p.type, "GC", {}, this.request(list, p, { containerId: "", netns: "", ifname: "" }, undefined, { "cni.dev/valid-attachments": valid })));
    }
    return { ok: runs.every((r) => r.code === 0), runs };
  }

  async status(list: NetworkList): Promise<{ ok: boolean; runs: PluginRun[] }> {
    const runs: PluginRun[] = [];
    for (const p of list.plugins) runs.push(await this.exec(p.type, "STATUS", {}, this.request(list, p, { containerId: "", netns: "", ifname: "" })));
    return { ok: runs.every((r) => r.code === 0), runs };
  }
}
