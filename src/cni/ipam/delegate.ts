// A delegated plugin (an IPAM type other than host-local): found in CNI_PATH and executed with the
// same stdin and environment, CNI_COMMAND aside (SPEC section 4). The only child process
// nlkit-cni ever starts.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { CNI_ERR, CniError } from "../errors.js";

export function findPlugin(type: string, cniPath: string | undefined): string {
  if (!type || type.includes("/")) throw new CniError(CNI_ERR.invalidConfig, `invalid plugin type ${JSON.stringify(type)}`);
  const dirs = (cniPath ?? "").split(":").filter(Boolean);
  for (const d of dirs) {
    const file = path.join(d, type);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // next directory
    }
  }
  throw new CniError(CNI_ERR.internal, `failed to find plugin "${type}" in path [${dirs.join(" ")}]`);
}

/** Runs the plugin; its stdout (parsed) on success, its error object as a CniError otherwise. */
export async function execPlugin(type: string, command: string, stdin: string, env: Record<string, string | undefined>): Promise<unknown> {
  const file = findPlugin(type, env.CNI_PATH);
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) childEnv[k] = v;
  childEnv.CNI_COMMAND = command;
  const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const child = spawn(file, [], { env: childEnv, stdio: ["pipe", "pipe", "inherit"] });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => chunks.push(c));
    child.on("error", reject);
    child.on("close", (c) => resolve({ code: c, out: Buffer.concat(chunks).toString("utf8") }));
    child.stdin.on("error", () => undefined);
    child.stdin.end(stdin);
  });
  let parsed: unknown;
  try {
    parsed = out.trim() ? JSON.parse(out) : undefined;
  } catch {
    parsed = undefined;
  }
  if (code === 0) {
    if (out.trim() && parsed === undefined) throw new CniError(CNI_ERR.decodingFailure, `plugin ${type} printed something that is not JSON: ${out.slice(0, 200)}`);
    return parsed;
  }
  const e = parsed as { code?: unknown; msg?: unknown; details?: unknown } | undefined;
  if (e && typeof e.code === "number" && typeof e.msg === "string") {
    throw new CniError(e.code, e.msg, typeof e.details === "string" ? e.details : "");
  }
  throw new CniError(CNI_ERR.internal, `netplugin failed: ${JSON.stringify(out.trim())}`);
}
