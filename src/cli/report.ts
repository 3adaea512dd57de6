// Errors to iproute2's words and exit statuses. A user's mistake or the kernel's refusal is one
// line on stderr and never a stack trace; only a bug in nlkit says "please report".
import { DumpInterruptedError, NetlinkError, NlkitInputError } from "../netlink/errors.js";
import { CliError, UsageError } from "./grammar.js";

/** ip exits 2 when the kernel refused a request (RTNETLINK answers / extack), 1 for other failures. */
export const EXIT_KERNEL = 2;

export function describeError(e: unknown): { message: string; exitCode: number; internal?: boolean } {
  if (e instanceof UsageError) return { message: e.message, exitCode: 255 };
  if (e instanceof CliError) return { message: e.message, exitCode: e.exitCode };
  if (e instanceof NetlinkError) {
    const msg = e.extack.message;
    // a device lookup by name, worded by the library the way ip words it
    if (msg && /^Cannot find device /.test(msg)) return { message: msg, exitCode: 1 };
    if (msg) return { message: `Error: ${msg}${msg.endsWith(".") ? "" : "."}`, exitCode: EXIT_KERNEL };
    return { message: `RTNETLINK answers: ${e.kernelMessage}`, exitCode: EXIT_KERNEL };
  }
  if (e instanceof NlkitInputError) return { message: `Error: ${withoutCode(e.message)}${/[.!]$/.test(e.message) ? "" : "."}`, exitCode: 1 };
  if (e instanceof DumpInterruptedError) return { message: "Dump was interrupted and may be inconsistent.", exitCode: 1 };
  // SyscallError (and the netns/sysctl errors built on it) or a node:fs error: both name the call
  const err = e as NodeJS.ErrnoException | undefined;
  if (err instanceof Error && typeof err.code === "string" && typeof err.syscall === "string") return { message: withoutCode(err.message), exitCode: 1 };
  return { message: `nlkit: internal error: ${err?.message ?? String(e)} (please report it with the command line; NLKIT_DEBUG=1 shows where)`, exitCode: 1, internal: true };
}

/** The library appends "(EEXIST, mount)"-style detail; ip's messages end before it. */
function withoutCode(text: string): string {
  return text.replace(/ \((E[A-Z0-9]+)(, [^)]*)?\)$/, "");
}

export function reportError(e: unknown, stderr: (s: string) => void = (s) => void process.stderr.write(s)): number {
  const d = describeError(e);
  // ip's invarg ends its line after a message that already ends one ("... is invalid\n"): a blank line follows
  stderr(d.message + "\n");
  if (process.env.NLKIT_DEBUG === "1" && e instanceof Error && e.stack) stderr(e.stack + "\n");
  return d.exitCode;
}
