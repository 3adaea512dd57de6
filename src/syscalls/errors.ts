import { errnoMessage, errnoName } from './errno.js';

/** A libc call returned -1; `errno` is the value read right after that call. */
export class SyscallError extends Error {
  readonly syscall: string;
  readonly errno: number;
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
