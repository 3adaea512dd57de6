// Running programs inside a namespace (`ip netns exec`) without a shell and without moving the
// caller: the main thread enters the namespace only for the synchronous fork inside
// child_process.spawn; the child inherits the namespace of the thread that forked it.
//
// /etc/netns/NAME: `ip netns exec` also unshares a mount namespace for the child, bind-mounts
// /etc/netns/NAME/* over /etc/* and remounts /sys so that it shows the namespace's devices.
// nlkit does not, deliberately. That work belongs in the child between fork and exec, and node's
// spawn offers no hook there; a helper process (nsenter/unshare, or a node re-exec) is the forking
// the library refuses. Doing it on the caller's thread is worse than it looks (measured on this
// kernel): unshare(CLONE_NEWNS) works on node's main thread and setns back is allowed, but the
// switch back resets the thread's cwd to "/", and the thread keeps a private fs_struct for good,
// so a later process.chdir() moves the main thread only while libuv's pool threads keep the old
// cwd (async fs with relative paths then resolves elsewhere). Environment variables are no
// substitute (none moves resolv.conf's nameservers). So the child sees the caller's /etc and /sys;
// when /etc/netns/NAME exists, a process warning (NLKIT_NETNS_ETC) says so once per name.
import { spawn as spawnChild, type ChildProcess, type SpawnOptions } from "node:child_process";
import * as fs from "node:fs";
import { NlkitInputError } from "../netlink/errors.js";
import * as sys from "../syscalls/index.js";
import { closeNetns, openNetns, type NetnsLike } from "./ref.js";

/**
 * How `netns.exec()` runs a program in a namespace: input, environment, working directory, a timeout
 * and the signal that ends the child when it passes, and how output is decoded.
 *
 * @example
 * ```ts
 * const opts: ExecOptions = { input: "hello\n", timeoutMs: 5000, env: { ...process.env, LC_ALL: "C" } };
 * const r = await netns.exec("ns1", "cat", [], opts);
 * console.log(r.stdout);   // "hello\n"
 * ```
 */
export interface ExecOptions {
  /** Written to the child's stdin, which is then closed. Without it stdin is /dev/null. */
  input?: string | Buffer;
  /** The child's whole environment (not merged); default this process's. */
  env?: NodeJS.ProcessEnv;
  /** The child's working directory; default this process's. */
  cwd?: string;
  /** Kill the child (killSignal, default SIGTERM) after this many ms. */
  timeoutMs?: number;
  /** The signal timeoutMs sends, by name or number (default SIGTERM). */
  killSignal?: NodeJS.Signals | number;
  /** Decoding of stdout/stderr (default utf8). */
  encoding?: BufferEncoding;
}

/**
 * What `netns.exec()` resolves with: exit code or signal, and the captured output.
 *
 * @example
 * ```ts
 * const r: ExecResult = await netns.exec("ns1", "ping", ["-c", "1", "-W", "1", "10.0.0.1"]);
 * if (r.code !== 0) console.error(`ping failed (${r.signal ?? `exit ${r.code}`}): ${r.stderr || r.stdout}`);
 * ```
 */
export interface ExecResult {
  /** Exit status, or null when a signal ended the child. */
  code: number | null;
  /** The signal that ended the child (e.g. "SIGTERM" after timeoutMs), or null when it exited. */
  signal: NodeJS.Signals | null;
  /** Everything the child wrote to stdout, decoded with `encoding`. */
  stdout: string;
  /** Everything the child wrote to stderr, decoded with `encoding`. */
  stderr: string;
}

const warnedEtc = new Set<string>();

function warnEtcNetns(ref: NetnsLike): void {
  const name = typeof ref === "string" ? (ref.startsWith("/") ? undefined : ref) : ref.netns;
  if (name === undefined || warnedEtc.has(name)) return;
  if (!fs.existsSync(`/etc/netns/${name}`)) return;
  warnedEtc.add(name);
  process.emitWarning(
    `/etc/netns/${name} exists, but nlkit's netns.exec/spawn do not bind its files over /etc ` +
      "(that needs a mount namespace prepared in the child; ip netns exec does it, nlkit cannot without a helper process)",
    { code: "NLKIT_NETNS_ETC" },
  );
}

function checkArgv(cmd: string, args: readonly string[]): void {
  if (typeof cmd !== "string" || cmd.length === 0) throw new NlkitInputError("command is empty", "cmd");
  if (!Array.isArray(args) || args.some((a) => typeof a !== "string")) {
    throw new NlkitInputError("args must be an array of strings (argv, never shell-split)", "args");
  }
  if ([cmd, ...args].some((a) => a.includes("\0"))) throw new NlkitInputError("command or argument contains a NUL byte", "args");
}

/**
 * `ip netns exec NAME cmd args...` as a streaming ChildProcess. argv only: `shell` is refused.
 * The namespace is entered and left around the synchronous fork, so the caller never stays inside.
 */
export function spawn(ref: NetnsLike, cmd: string, args: readonly string[] = [], opts: SpawnOptions = {}): ChildProcess {
  checkArgv(cmd, args);
  if (opts.shell) throw new NlkitInputError("netns.spawn never runs a shell: pass argv", "shell");
  warnEtcNetns(ref);
  const o = openNetns(ref);
  try {
    // Inside the window nothing but the fork happens: spawn's errors (ENOENT...) arrive later as
    // 'error' events, and no libuv pool work is started.
    return sys.withNetns(o.fd, () => spawnChild(cmd, args, { ...opts, shell: false }));
  } finally {
    closeNetns(o);
  }
}

/**
 * Runs a program in the namespace and collects its output. A non-zero exit is a result, not an
 * error; failing to start it (ENOENT...) rejects.
 */
export function exec(ref: NetnsLike, cmd: string, args: readonly string[] = [], opts: ExecOptions = {}): Promise<ExecResult> {
  let child: ChildProcess;
  try {
    child = spawn(ref, cmd, args, {
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      ...(opts.env ? { env: opts.env } : {}),
      ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
      ...(opts.timeoutMs !== undefined ? { timeout: opts.timeoutMs } : {}),
      ...(opts.killSignal !== undefined ? { killSignal: opts.killSignal } : {}),
    });
  } catch (e) {
    return Promise.reject(e);
  }
  const encoding = opts.encoding ?? "utf8";
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on("data", (b: Buffer) => out.push(b));
    child.stderr!.on("data", (b: Buffer) => err.push(b));
    child.once("error", reject);
    child.once("close", (code, signal) => {
      resolve({ code, signal, stdout: Buffer.concat(out).toString(encoding), stderr: Buffer.concat(err).toString(encoding) });
    });
    if (opts.input !== undefined) {
      // A child that exits without reading its input must not turn into an EPIPE crash here.
      child.stdin!.on("error", () => {});
      child.stdin!.end(opts.input);
    }
  });
}
