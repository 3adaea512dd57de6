// The nlkit-cni executable. It acts as the plugin its invocation name says (bridge, host-local,
// portmap, loopback, with or without a prefix such as "nlkit-"), or as the configuration's `type`
// when invoked as nlkit-cni. VERSION is answered before anything else is loaded; the plugins,
// and nlkit with them, are imported only for the commands that need them.
import * as fs from "node:fs";
import * as path from "node:path";
import { aboutText, NLKIT_CNI_VERSION, versionReply } from "./fast.js";

const NAMES = /(bridge|host-local|portmap|loopback)$/;

async function readStdin(): Promise<string> {
  try {
    return fs.readFileSync(0, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // a terminal, or a non-blocking pipe: read it the streaming way
    if (code !== "EAGAIN" && code !== "EOF" && code !== "EISDIR") throw e;
  }
  if (process.stdin.isTTY) return "";
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const USAGE = `Usage: nlkit-cni install DIR [--prefix PREFIX] [--force]
       CNI_COMMAND=ADD|DEL|CHECK|VERSION|GC|STATUS ... nlkit-cni < config.json

A CNI plugin on nlkit: bridge, host-local, portmap and loopback in one executable. Invoked through
a link named after a plugin (optionally prefixed, e.g. nlkit-bridge) it is that plugin; invoked as
nlkit-cni it acts on the configuration's "type". "install" makes those links in DIR.
`;

async function install(args: string[], self: string): Promise<number> {
  let dir: string | undefined, prefix = "", force = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--prefix") {
      const p = args[++i];
      if (p === undefined) { process.stderr.write("nlkit-cni install: --prefix needs a value\n"); return 2; }
      prefix = p;
    } else if (a.startsWith("--prefix=")) prefix = a.slice(9);
    else if (a === "--force") force = true;
    else if (a.startsWith("-") || dir !== undefined) { process.stderr.write(USAGE); return 2; }
    else dir = a;
  }
  if (dir === undefined) { process.stderr.write(USAGE); return 2; }
  const { installLinks } = await import("./install.js");
  for (const l of installLinks(path.resolve(dir), self, { prefix, force })) process.stdout.write(`${l} -> ${self}\n`);
  return 0;
}

/** argv as process.argv; `self` is the file to link to. Returns the exit status. */
export async function main(argv: string[], env: Record<string, string | undefined>, self: string): Promise<number> {
  const invoked = path.basename(argv[1] ?? "nlkit-cni").replace(/\.m?[jt]s$/, "");
  const asPlugin = NAMES.test(invoked) ? invoked : undefined;
  const args = argv.slice(2);
  const cmd = env.CNI_COMMAND;
  if (!asPlugin && args.length) {
    if (args[0] === "install") {
      try {
        return await install(args.slice(1), self);
      } catch (e) {
        process.stderr.write(`nlkit-cni install: ${(e as Error).message}\n`);
        return 1;
      }
    }
    if (args[0] === "--version" || args[0] === "version") { process.stdout.write(`nlkit-cni ${NLKIT_CNI_VERSION}\n`); return 0; }
    process.stdout.write(USAGE);
    return args[0] === "--help" || args[0] === "-h" || args[0] === "help" ? 0 : 2;
  }
  if (!cmd) {
    process.stderr.write(asPlugin ? aboutText(invoked) : USAGE);
    return 0;
  }
  const stdin = cmd === "VERSION" ? await readStdin().catch(() => "") : await readStdin();
  if (cmd === "VERSION") {
    process.stdout.write(versionReply(stdin));
    return 0;
  }
  const { runShell } = await import("./shell.js");
  return runShell(asPlugin, {
    env, stdin,
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
  });
}
