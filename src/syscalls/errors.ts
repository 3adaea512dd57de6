import { errnoMessage, errnoName } from './errno.js';

/**
 * A libc call returned -1; `errno` is the value read right after that call.
 *
 * @example
 * ```ts
 * import { netns, SyscallError } from "nlkit";
 * try {
 *   await netns.exec("ns1", "true");
 * } catch (e) {
 *   // a namespace that is not there, or no CAP_SYS_ADMIN to enter it
 *   if (e instanceof SyscallError) console.log(e.syscall, e.code, e.errno);   // "setns" "EPERM" 1, say
 *   else throw e;
 * }
 * ```
 */
export class SyscallError extends Error {
  /** The libc function that failed ("socket", "setns", "bind"). */
  readonly syscall: string;
  /** errno as read right after the call. */
  readonly errno: number;
  /** The errno's name ("EPERM", "ENOENT"). */
  readonly code: string;

  constructor(syscall: string, errno: number) {
    const code = errnoName(errno);
    super(`${syscall}: ${errnoMessage(errno)} (${code})`);
    this.name = 'SyscallError';
    this.syscall = syscall;
    this.errno = errno;
    this.code = code;
  }
}
