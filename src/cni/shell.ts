// The plugin executable's protocol handling (libcni's skel, as the reference plugins run it):
// environment, stdin, version checks, dispatch, and errors as JSON on stdout with exit status 1.
import { parseCniArgs, parseNetConf, isObject, type Json } from "./config.js";
import { asCniError, CNI_ERR, CniError } from "./errors.js";
import { versionReply } from "./fast.js";
import { printResult } from "./result.js";
import { CURRENT_VERSION, goQuoteList, SUPPORTED_VERSIONS, versionAtLeast } from "./version.js";
import type { Command, Plugin, PluginContext } from "./plugins/context.js";
import { bridgePlugin } from "./plugins/bridge.js";
import { hostLocalPlugin } from "./plugins/host-local.js";
import { portmapPlugin } from "./plugins/portmap.js";
import { loopbackPlugin } from "./plugins/loopback.js";

export const PLUGINS: Record<string, Plugin> = {
  bridge: bridgePlugin,
  "host-local": hostLocalPlugin,
  portmap: portmapPlugin,
  loopback: loopbackPlugin,
};

/**
 * "nlkit-bridge" -> { name: "bridge", prefix: "nlkit-" }; undefined for names that are no plugin.
 *
 * @example
 * ```ts
 * console.log(pluginName("nlkit-bridge")); // { name: 'bridge', prefix: 'nlkit-' }
 * console.log(pluginName("host-local"));   // { name: 'host-local', prefix: '' }
 * console.log(pluginName("dhcp"));         // undefined
 * ```
 */
export function pluginName(invoked: string): {
  /** The plugin: "bridge", "host-local", "portmap" or "loopback". */
  name: string;
  /** Whatever comes before it in the invoked name ("nlkit-"), "" when none. */
  prefix: string;
} | undefined {
  const m = /^(.*?)(bridge|host-local|portmap|loopback)$/.exec(invoked);
  return m ? { name: m[2]!, prefix: m[1]! } : undefined;
}

/**
 * What `runShell()` reads and writes instead of the process's own environment and streams, so the
 * plugin protocol can be driven (and tested) in process.
 *
 * @example
 * ```ts
 * import { readFileSync } from "node:fs";
 * // the executable's own wiring: the process's environment and standard streams
 * const io: ShellIO = {
 *   env: process.env,
 *   stdin: readFileSync(0, "utf8"),
 *   stdout: (text) => process.stdout.write(text),
 *   stderr: (text) => process.stderr.write(text),
 * };
 * process.exitCode = await runShell(undefined, io); // acts on the configuration's "type"
 * ```
 */
export interface ShellIO {
  /** The environment: CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS, CNI_PATH. */
  env: Record<string, string | undefined>;
  /** The whole network configuration JSON, as the runtime writes it to the plugin's stdin. */
  stdin: string;
  /** Receives the result JSON (ADD) or the error JSON, each followed by a newline. */
  stdout: (text: string) => void;
  /** Receives diagnostics: the stack of an unexpected (internal) failure. */
  stderr: (text: string) => void;
}

const REQUIRED: Record<string, Command[]> = {
  CNI_CONTAINERID: ["ADD", "CHECK", "DEL"],
  CNI_NETNS: ["ADD", "CHECK"],
  CNI_IFNAME: ["ADD", "CHECK", "DEL"],
  CNI_PATH: ["ADD", "CHECK", "DEL", "GC", "STATUS"],
};
const COMMANDS = new Set(["ADD", "DEL", "CHECK", "GC", "STATUS"]);
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function checkEnv(cmd: string, env: ShellIO["env"]): void {
  const missing = ["CNI_COMMAND", ...Object.keys(REQUIRED).filter((k) => (REQUIRED[k] as string[]).includes(cmd))].filter((k) => !env[k]);
  if (missing.length) throw new CniError(CNI_ERR.invalidEnvironment, `required env variables [${missing.join(",")}] missing`);
  if (REQUIRED.CNI_CONTAINERID!.includes(cmd as Command) && !NAME_RE.test(env.CNI_CONTAINERID!)) {
    throw new CniError(CNI_ERR.invalidEnvironment, "invalid characters in containerID", env.CNI_CONTAINERID);
  }
  if (REQUIRED.CNI_IFNAME!.includes(cmd as Command)) {
    const ifn = env.CNI_IFNAME!;
    if (Buffer.byteLength(ifn) > 15) throw new CniError(CNI_ERR.invalidEnvironment, "interface name is too long", "interface name should be less than 16 characters");
    if (ifn === "." || ifn === "..") throw new CniError(CNI_ERR.invalidEnvironment, "interface name is . or ..");
    if (/[/:\s]/.test(ifn)) throw new CniError(CNI_ERR.invalidEnvironment, "interface name contains / or : or whitespace characters");
  }
}

/**
 * The decode error as the reference words it where the two can agree: Go says "unexpected end of
 * JSON input" for any input cut short, where V8 names what was left open.
 */
function jsonError(e: unknown, text: string): string {
  const m = (e as Error).message;
  const pos = /at position (\d+)/.exec(m);
  if (/end of JSON input|Unterminated|Bad control character/.test(m) || (pos && Number(pos[1]) >= text.trimEnd().length)) {
    return "unexpected end of JSON input";
  }
  return m.charAt(0).toLowerCase() + m.slice(1);
}

function parseStdin(stdin: string): Json {
  let raw: unknown;
  try {
    raw = JSON.parse(stdin);
  } catch (e) {
    throw new CniError(CNI_ERR.decodingFailure, `error unmarshall network config: ${jsonError(e, stdin)}`);
  }
  if (!isObject(raw)) throw new CniError(CNI_ERR.decodingFailure, "error unmarshall network config: the configuration is not a JSON object");
  if (raw.name === undefined || raw.name === null || raw.name === "") throw new CniError(CNI_ERR.invalidConfig, "missing network name");
  if (typeof raw.name !== "string" || !NAME_RE.test(raw.name)) {
    throw new CniError(CNI_ERR.invalidConfig, "invalid characters found in network name", String(raw.name));
  }
  if (raw.cniVersion !== undefined && typeof raw.cniVersion !== "string") {
    throw new CniError(CNI_ERR.decodingFailure, "cniVersion must be a string");
  }
  return raw;
}

function checkVersion(cmd: string, version: string): void {
  const floor = cmd === "CHECK" ? "0.4.0" : cmd === "GC" || cmd === "STATUS" ? "1.1.0" : undefined;
  if (floor) {
    const ok = versionAtLeast(version, floor);
    if (ok === undefined) throw new CniError(CNI_ERR.decodingFailure, `invalid version "${version}"`);
    if (!ok) throw new CniError(CNI_ERR.incompatibleVersion, `config version does not allow ${cmd}`);
  }
  if (!SUPPORTED_VERSIONS.includes(version)) {
    throw new CniError(CNI_ERR.incompatibleVersion, "incompatible CNI versions", `config is "${version}", plugin supports ${goQuoteList(SUPPORTED_VERSIONS)}`);
  }
}

/**
 * One invocation. `plugin` is the name the executable was invoked under (bridge, host-local,
 * portmap, loopback, possibly prefixed), or undefined to act on the configuration's `type`.
 * Returns the exit status; everything else goes through `io`.
 *
 * @example
 * ```ts
 * // an ADD driven in process, as a runtime would exec the plugin
 * const out: string[] = [];
 * const status = await runShell("bridge", {
 *   env: { CNI_COMMAND: "ADD", CNI_CONTAINERID: "ctr1", CNI_NETNS: "/run/netns/ctr1", CNI_IFNAME: "eth0", CNI_PATH: "/opt/cni/bin" },
 *   stdin: JSON.stringify({ cniVersion: "1.0.0", name: "lab", type: "bridge", isGateway: true, ipam: { type: "host-local", subnet: "10.22.0.0/24" } }),
 *   stdout: (text) => out.push(text),
 *   stderr: (text) => process.stderr.write(text),
 * });
 * console.log(status, JSON.parse(out.join("")).ips); // 0 [ { interface: 2, address: '10.22.0.2/24', gateway: '10.22.0.1' } ]
 * ```
 */
export async function runShell(invoked: string | undefined, io: ShellIO): Promise<number> {
  const cmd = io.env.CNI_COMMAND ?? "";
  // answered as the executable answers it: no other variable needed, a bad configuration ignored
  if (cmd === "VERSION") {
    io.stdout(versionReply(io.stdin));
    return 0;
  }
  // errors carry the configuration's cniVersion, also those found before it is read properly
  let version = CURRENT_VERSION;
  try {
    const v = (JSON.parse(io.stdin) as { cniVersion?: unknown }).cniVersion;
    if (typeof v === "string" && v) version = v;
  } catch {
    // reported below, in order
  }
  try {
    checkEnv(cmd, io.env);
    const raw = parseStdin(io.stdin);
    const conf = parseNetConf(raw);
    version = conf.cniVersion;
    if (!COMMANDS.has(cmd)) throw new CniError(CNI_ERR.invalidEnvironment, `unknown CNI_COMMAND: ${cmd}`);
    checkVersion(cmd, version);
    const which = pluginName(invoked ?? conf.type);
    if (!which) {
      throw new CniError(CNI_ERR.unsupportedField, `unsupported field "type": nlkit-cni is bridge, host-local, portmap and loopback, not ${JSON.stringify(conf.type)}`, `type: ${JSON.stringify(conf.type)}`);
    }
    const ctx: PluginContext = {
      command: cmd as Command,
      containerId: io.env.CNI_CONTAINERID ?? "",
      netns: io.env.CNI_NETNS ?? "",
      ifname: io.env.CNI_IFNAME ?? "",
      cniArgs: parseCniArgs(io.env.CNI_ARGS),
      stdin: io.stdin,
      conf,
      env: io.env,
      prefix: which.prefix,
    };
    const result = await PLUGINS[which.name]!(ctx);
    if (cmd === "ADD" && result) io.stdout(printResult(result, version) + "\n");
    return 0;
  } catch (e) {
    const err = asCniError(e);
    io.stdout(JSON.stringify(err.toJSON(version), null, 4) + "\n");
    if (err.code === CNI_ERR.internal && !(e instanceof CniError) && e instanceof Error && e.stack) io.stderr(`${e.stack}\n`);
    return 1;
  }
}
