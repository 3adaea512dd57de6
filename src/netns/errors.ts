import { errnoMessage, errnoNumber } from "../syscalls/errno.js";
import { SyscallError } from "../syscalls/errors.js";

/**
 * A namespace operation failed in a system call. It is a SyscallError (errno, code, syscall), with
 * iproute2's wording in the message and the namespace it was about.
 *
 * @example
 * ```ts
 * import { netns, NetnsError } from "nlkit";
 * try {
 *   await netns.add("ns1");
 * } catch (e) {
 *   if (!(e instanceof NetnsError) || e.code !== "EEXIST") throw e;
 *   console.log(`${e.netns} is there already: ${e.message}`);
 * }
 * ```
 */
export class NetnsError extends SyscallError {
  /** Always "NetnsError". */
  override readonly name = "NetnsError";
  /** The namespace as the caller named it (name or path). */
  readonly netns: string;

  constructor(syscall: string, errno: number, netns: string, what: string) {
    super(syscall, errno);
    this.netns = netns;
    this.message = `${what}: ${errnoMessage(errno)} (${this.code}, ${syscall})`;
  }
}

/** Turns a node:fs or libc failure into a NetnsError; anything else is rethrown as is. */
export function netnsFail(e: unknown, syscall: string, netns: string, what: string): never {
  if (e instanceof SyscallError) throw new NetnsError(e.syscall, e.errno, netns, what);
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const errno = typeof code === "string" ? errnoNumber(code) : undefined;
  if (errno !== undefined) throw new NetnsError((e as NodeJS.ErrnoException).syscall ?? syscall, errno, netns, what);
  throw e;
}
