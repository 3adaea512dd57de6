// nlkit's FFI boundary: the only module that loads ffi-rs. Must be imported on the main thread.
// All wrappers throw SyscallError on failure and never retry EINTR: callers decide.
// Hot-path costs (bench/syscalls-micro.ts): reuse send/receive Buffers (a Buffer whose
// ArrayBuffer was seen before is passed by address, ~2.5 us cheaper per call) and omit sendto's
// address for the kernel.
export * from './constants.js';
export { SyscallError } from './errors.js';
export { errnoMessage, errnoName, errnoNumber } from './errno.js';
export {
  bind,
  close,
  connect,
  ethtoolIoctl,
  eventfd,
  getsockname,
  getsockopt,
  getsockoptInt,
  ifIndexToName,
  ioctl,
  ioctlInt,
  poll,
  pollAsync,
  read,
  recv,
  recvfrom,
  sendto,
  setsockopt,
  setsockoptInt,
  socket,
  write,
} from './socket.js';
export { currentNetnsInode, getpid, gettid, mount, setns, umount2, unshare, withNetns, withNewNetns } from './ns.js';
export { sockaddrIn, sockaddrIn6, sockaddrNl } from './sockaddr.js';
export { flock, LOCK_EX, LOCK_NB, LOCK_SH, LOCK_UN } from './flock.js';
export { bpfObjGet } from './bpf.js';
