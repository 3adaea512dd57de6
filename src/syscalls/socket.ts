// Socket, poll and fd syscalls. Every wrapper throws SyscallError on -1 with the errno read right
// after the call. EINTR is never retried here: callers decide (a blocking recv interrupted by a
// signal surfaces as code 'EINTR').
import { SyscallError } from './errors.js';
import { BUF, DataType, bufFn, call, callBuf, callInThread, fail, fn, pinnedAddress } from './libc.js';

const { I32, I64, U64 } = DataType;

const dSocket = fn('socket', I32, [I32, I32, I32]);
const dBind = fn('bind', I32, [I32, BUF, I32]);
const dConnect = fn('connect', I32, [I32, BUF, I32]);
const dGetsockname = fn('getsockname', I32, [I32, BUF, BUF]);
const dSetsockopt = fn('setsockopt', I32, [I32, I32, I32, BUF, I32]);
const dGetsockopt = fn('getsockopt', I32, [I32, I32, I32, BUF, BUF]);
// Hot calls take their data Buffer by address when they can (see callBuf), and sendto without an
// address is send(): two arguments fewer, ~1 us less.
const dSendto = bufFn('sendto', I64, [I32, BUF, U64, I32, BUF, I32], 1);
const dSend = bufFn('send', I64, [I32, BUF, U64, I32], 1);
const dRecv = bufFn('recv', I64, [I32, BUF, U64, I32], 1);
const dRecvfrom = bufFn('recvfrom', I64, [I32, BUF, U64, I32, BUF, BUF], 1);
const dClose = fn('close', I32, [I32]);
const dPoll = bufFn('poll', I32, [BUF, U64, I32], 0);
const dEventfd = fn('eventfd', I32, [I32, I32]);
const dRead = bufFn('read', I64, [I32, BUF, U64], 1);
const dWrite = bufFn('write', I64, [I32, BUF, U64], 1);
const dIoctl = fn('ioctl', I32, [I32, U64, BUF]);
const dIoctlInt = fn('ioctl', I32, [I32, U64, I64]);

// Scratch for socklen_t in/out arguments and int options: sync calls all run on the main thread.
const lenBuf = Buffer.alloc(4);
const intBuf = Buffer.alloc(4);

export function socket(domain: number, type: number, protocol: number): number {
  const v = dSocket.paramsValue;
  v[0] = domain;
  v[1] = type;
  v[2] = protocol;
  const fd = call(dSocket);
  if (fd < 0) fail('socket');
  return fd;
}

export function bind(fd: number, addr: Buffer): void {
  const v = dBind.paramsValue;
  v[0] = fd;
  v[1] = addr;
  v[2] = addr.length;
  const r = call(dBind);
  v[1] = null;
  if (r < 0) fail('bind');
}

export function connect(fd: number, addr: Buffer): void {
  const v = dConnect.paramsValue;
  v[0] = fd;
  v[1] = addr;
  v[2] = addr.length;
  const r = call(dConnect);
  v[1] = null;
  if (r < 0) fail('connect');
}

/** Returns the kernel's addrlen, which may exceed addr.length (the address was truncated). */
export function getsockname(fd: number, addr: Buffer): number {
  const v = dGetsockname.paramsValue;
  lenBuf.writeUInt32LE(addr.length, 0);
  v[0] = fd;
  v[1] = addr;
  v[2] = lenBuf;
  const r = call(dGetsockname);
  v[1] = null;
  if (r < 0) fail('getsockname');
  return lenBuf.readUInt32LE(0);
}

export function setsockopt(fd: number, level: number, name: number, value: Buffer): void {
  const v = dSetsockopt.paramsValue;
  v[0] = fd;
  v[1] = level;
  v[2] = name;
  v[3] = value;
  v[4] = value.length;
  const r = call(dSetsockopt);
  v[3] = null;
  if (r < 0) fail('setsockopt');
}

export function setsockoptInt(fd: number, level: number, name: number, value: number): void {
  intBuf.writeInt32LE(value, 0);
  setsockopt(fd, level, name, intBuf);
}

/** Returns optlen as written back by the kernel. */
export function getsockopt(fd: number, level: number, name: number, value: Buffer): number {
  const v = dGetsockopt.paramsValue;
  lenBuf.writeUInt32LE(value.length, 0);
  v[0] = fd;
  v[1] = level;
  v[2] = name;
  v[3] = value;
  v[4] = lenBuf;
  const r = call(dGetsockopt);
  v[3] = null;
  if (r < 0) fail('getsockopt');
  return lenBuf.readUInt32LE(0);
}

export function getsockoptInt(fd: number, level: number, name: number): number {
  getsockopt(fd, level, name, intBuf);
  return intBuf.readInt32LE(0);
}

/** Sends all of `buf` (a subarray view sends just its bytes). Omit `addr` when talking to the
 *  kernel over netlink: an unconnected netlink socket sends to port 0 anyway, and it is cheaper. */
export function sendto(fd: number, buf: Buffer, flags: number, addr?: Buffer): number {
  let n: number;
  if (addr === undefined) {
    const v = dSend.v;
    v[0] = fd;
    v[2] = buf.length;
    v[3] = flags;
    n = callBuf(dSend, buf);
  } else {
    const v = dSendto.v;
    v[0] = fd;
    v[2] = buf.length;
    v[3] = flags;
    v[4] = addr;
    v[5] = addr.length;
    n = callBuf(dSendto, buf);
    v[4] = null;
  }
  if (n < 0) fail('sendto');
  return n;
}

/** Receives into `buf` (up to buf.length). With MSG_TRUNC the result is the datagram's real
 *  length, which may exceed buf.length. */
export function recv(fd: number, buf: Buffer, flags: number): number {
  const v = dRecv.v;
  v[0] = fd;
  v[2] = buf.length;
  v[3] = flags;
  const n = callBuf(dRecv, buf);
  if (n < 0) fail('recv');
  return n;
}

/** Like recv; the sender's sockaddr is written into `addr` (truncated to addr.length). */
export function recvfrom(fd: number, buf: Buffer, flags: number, addr: Buffer): number {
  const v = dRecvfrom.v;
  lenBuf.writeUInt32LE(addr.length, 0);
  v[0] = fd;
  v[2] = buf.length;
  v[3] = flags;
  v[4] = addr;
  v[5] = lenBuf;
  const n = callBuf(dRecvfrom, buf);
  v[4] = null;
  if (n < 0) fail('recvfrom');
  return n;
}

/** EINTR from close is not retried either: on Linux the fd is released regardless. */
export function close(fd: number): void {
  dClose.paramsValue[0] = fd;
  if (call(dClose) < 0) fail('close');
}

const POLLFD_SIZE = 8;

function checkPollfds(fds: Buffer, nfds: number): void {
  // The kernel writes revents into every entry: a short buffer would be heap corruption.
  if (!Number.isInteger(nfds) || nfds < 0 || fds.length < nfds * POLLFD_SIZE) {
    throw new RangeError(`poll: ${nfds} pollfd entries need ${nfds * POLLFD_SIZE} bytes, got ${fds.length}`);
  }
}

/** fds: nfds packed struct pollfd { i32 fd; i16 events; i16 revents } (host order). */
export function poll(fds: Buffer, nfds: number, timeoutMs: number): number {
  checkPollfds(fds, nfds);
  const v = dPoll.v;
  v[1] = nfds;
  v[2] = timeoutMs;
  const n = callBuf(dPoll, fds);
  if (n < 0) fail('poll');
  return n;
}

// ffi-rs does not keep runInNewThread Buffer arguments alive: GC would free them while the pool
// thread writes revents. Each in-flight call's Buffer is held here until it settles.
const inFlight = new Set<{ fds: Buffer }>();

/** poll() on a libuv pool thread. A blocked call holds one of the pool's 4 threads: use one
 *  poller per process (plus an eventfd to wake it), not one per socket. */
export function pollAsync(fds: Buffer, nfds: number, timeoutMs: number): Promise<number> {
  checkPollfds(fds, nfds);
  const hold = { fds };
  inFlight.add(hold);
  return callInThread('poll', I32, [BUF, U64, I32], [fds, nfds, timeoutMs]).then(
    (r) => {
      inFlight.delete(hold);
      if (r.value < 0) throw new SyscallError('poll', r.errnoCode);
      return r.value;
    },
    (e: unknown) => {
      inFlight.delete(hold);
      throw e;
    },
  );
}

export function eventfd(initval: number, flags: number): number {
  const v = dEventfd.paramsValue;
  v[0] = initval;
  v[1] = flags;
  const fd = call(dEventfd);
  if (fd < 0) fail('eventfd');
  return fd;
}

export function read(fd: number, buf: Buffer): number {
  const v = dRead.v;
  v[0] = fd;
  v[2] = buf.length;
  const n = callBuf(dRead, buf);
  if (n < 0) fail('read');
  return n;
}

export function write(fd: number, buf: Buffer): number {
  const v = dWrite.v;
  v[0] = fd;
  v[2] = buf.length;
  const n = callBuf(dWrite, buf);
  if (n < 0) fail('write');
  return n;
}

/** ioctl with a pointer argument; the kernel reads/writes `arg` in place. */
export function ioctl(fd: number, request: number, arg: Buffer): number {
  const v = dIoctl.paramsValue;
  v[0] = fd;
  v[1] = request;
  v[2] = arg;
  const r = call(dIoctl);
  v[2] = null;
  if (r < 0) fail('ioctl');
  return r;
}

const SIOCGIFNAME = 0x8910;
const SIOCETHTOOL = 0x8946;
/** struct ifreq: ifr_name[IFNAMSIZ], then the union (ifr_ifindex, ifr_data...) at 16; 40 bytes. */
const IFREQ_SIZE = 40;
const IFNAMSIZ = 16;
/** The ethtool command buffer whose address the ifreq holds, referenced until the call returns. */
let ethtoolInFlight: Buffer | undefined;

/**
 * SIOCETHTOOL: one legacy ethtool command (`cmd`, the buffer's first u32) on device `ifname`,
 * which the kernel reads and writes in place. Any socket does: the kernel answers it for the
 * socket's namespace. `what` names the command in the error.
 */
export function ethtoolIoctl(fd: number, ifname: string, cmd: Buffer, what: string): void {
  const name = Buffer.from(ifname, 'latin1');
  if (name.length === 0 || name.length >= IFNAMSIZ || name.includes(0)) throw new TypeError(`ethtoolIoctl: invalid interface name ${JSON.stringify(ifname)}`);
  const ifr = Buffer.alloc(IFREQ_SIZE);
  name.copy(ifr);
  ethtoolInFlight = cmd;
  try {
    ifr.writeBigUInt64LE(BigInt(pinnedAddress(cmd)), IFNAMSIZ);
    ioctl(fd, SIOCETHTOOL, ifr);
  } catch (e) {
    // the errno was read inside ioctl(); only the name of what failed is added
    if (e instanceof SyscallError) throw new SyscallError(`ioctl(SIOCETHTOOL, ${what}) on ${ifname}`, e.errno);
    throw e;
  } finally {
    ethtoolInFlight = undefined;
  }
}

/** SIOCGIFNAME: the name of interface `index` in the socket's namespace. */
export function ifIndexToName(fd: number, index: number): string {
  const ifr = Buffer.alloc(IFREQ_SIZE);
  ifr.writeInt32LE(index, IFNAMSIZ);
  ioctl(fd, SIOCGIFNAME, ifr);
  const end = ifr.indexOf(0);
  return ifr.toString('latin1', 0, end < 0 || end > IFNAMSIZ ? IFNAMSIZ : end);
}

/** ioctl with an integer argument (TUNSETPERSIST, TUNSETOWNER...). */
export function ioctlInt(fd: number, request: number, arg: number): number {
  const v = dIoctlInt.paramsValue;
  v[0] = fd;
  v[1] = request;
  v[2] = arg;
  const r = call(dIoctlInt);
  if (r < 0) fail('ioctl');
  return r;
}

// ffi-rs's symbol cache has no lock: resolve every symbol once now, on the main thread, with
// arguments that fail harmlessly (fd -1, NULL/empty buffers), before any pool thread can race.
{
  const empty = Buffer.alloc(0);
  const warm = (d: typeof dSocket, ...args: unknown[]): void => {
    args.forEach((a, i) => (d.paramsValue[i] = a));
    call(d);
    d.paramsValue.fill(0);
  };
  // Both descriptors of a pair name the same symbol: one call resolves it.
  warm(dSocket, -1, 0, 0);
  warm(dBind, -1, empty, 0);
  warm(dConnect, -1, empty, 0);
  warm(dGetsockname, -1, empty, lenBuf.fill(0));
  warm(dSetsockopt, -1, 0, 0, empty, 0);
  warm(dGetsockopt, -1, 0, 0, empty, lenBuf.fill(0));
  warm(dSendto.byPtr, -1, 0, 0, 0, empty, 0);
  warm(dSend.byPtr, -1, 0, 0, 0);
  warm(dRecv.byPtr, -1, 0, 0, 0);
  warm(dRecvfrom.byPtr, -1, 0, 0, 0, empty, lenBuf.fill(0));
  warm(dClose, -1);
  warm(dPoll.byPtr, 0, 0, 0);
  warm(dEventfd, 0, -1);
  warm(dRead.byPtr, -1, 0, 0);
  warm(dWrite.byPtr, -1, 0, 0);
  warm(dIoctl, -1, 0, empty);
  warm(dIoctlInt, -1, 0, 0);
}
// The pool-thread path too (errno: true + runInNewThread), so no first call races there either.
pollAsync(Buffer.alloc(0), 0, 0).catch(() => {});
