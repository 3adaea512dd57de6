// The one bpf(2) command nlkit needs: BPF_OBJ_GET opens a program (or map) pinned in a bpffs,
// so that its fd can be handed to the kernel (a tc bpf filter's TCA_BPF_FD). nlkit never loads
// programs. glibc has no bpf() wrapper: it is syscall(SYS_bpf, cmd, attr, size).
import { BUF, DataType, call, fail, fn, pinnedAddress } from './libc.js';

const { I32, I64, U64 } = DataType;

// asm/unistd_64.h and linux/bpf.h (enum bpf_cmd)
const SYS_bpf = 321;
const SYS_getpid = 39;
const BPF_OBJ_GET = 7;
/** union bpf_attr's BPF_OBJ_* members: pathname (u64), bpf_fd, file_flags, path_fd; the rest is zero. */
const OBJ_ATTR_SIZE = 24;

const dSyscall = fn('syscall', I64, [I64, I32, BUF, U64]);
/** The path whose address the attr holds, referenced here so that nothing can free it mid-call. */
let inFlight: Buffer | undefined;

/** Opens the object pinned at `path` (read-write, as tc does); the caller owns and closes the fd. */
export function bpfObjGet(path: string): number {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
    throw new TypeError(`bpfObjGet: invalid path ${JSON.stringify(path)}`);
  }
  const name = Buffer.from(`${path}\0`);
  inFlight = name;
  const attr = Buffer.alloc(OBJ_ATTR_SIZE);
  attr.writeBigUInt64LE(BigInt(pinnedAddress(name)), 0);
  const v = dSyscall.paramsValue;
  v[0] = SYS_bpf;
  v[1] = BPF_OBJ_GET;
  v[2] = attr;
  v[3] = OBJ_ATTR_SIZE;
  const fd = call(dSyscall);
  try {
    // errno first: fail() reads it before anything else runs
    if (fd < 0) fail('bpf(BPF_OBJ_GET)');
  } finally {
    v[2] = inFlight = undefined;
  }
  return fd;
}

// ffi-rs's symbol cache has no lock: resolve syscall() now, on the main thread, with a harmless
// call (getpid ignores the extra arguments).
{
  const v = dSyscall.paramsValue;
  v[0] = SYS_getpid;
  v[1] = 0;
  v[2] = Buffer.alloc(OBJ_ATTR_SIZE);
  v[3] = 0;
  call(dSyscall);
  v[2] = null;
}
