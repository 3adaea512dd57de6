import * as fs from "node:fs";
import * as sys from "../syscalls/index.js";
import {
  NETLINK_ADD_MEMBERSHIP, NETLINK_CAP_ACK, NETLINK_DROP_MEMBERSHIP, NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK,
} from "./constants.js";
import { NlkitInputError } from "./errors.js";
import { openNetnsPath } from "./netns-ref.js";
import { poller } from "./poller.js";

/**
 * What the engine needs from the other end of a netlink socket: datagrams out, datagrams in, and
 * a way to wait. The kernel is one implementation (KernelTransport); ScriptedTransport answers
 * from recorded exchanges, so that every verb can be tested without root or a kernel.
 *
 * @example
 * ```ts
 * // log every datagram a handle sends, then let the kernel have it
 * const t: Transport = new KernelTransport({ protocol: constants.NETLINK_ROUTE });
 * const send = t.send.bind(t);
 * t.send = (d) => { console.log(`sendto ${d.length} bytes: ${d.toString("hex")}`); send(d); };
 * const rt = await Rtnl.open({ transport: t });
 * ```
 */
export interface Transport {
  /** The port id the kernel assigned (a scripted transport makes one up). */
  readonly portId: number;
  /** The socket's fd, for the few ioctls that need one (tun/tap); undefined when there is none. */
  readonly fd: number | undefined;
  /** Whether close() was called: nothing more can be sent or received. */
  readonly closed: boolean;
  /** Sends one datagram: all the messages in `datagram`, as the kernel will process them together. */
  send(datagram: Buffer): void;
  /**
   * Copies the next queued datagram into `buf` without waiting and returns its length, or -1 when
   * nothing is queued. A datagram that did not fit is lost: the result is then greater than or
   * equal to `limit` (its real length when known). ENOBUFS (the receive queue overflowed and the
   * kernel dropped messages) is thrown as a SyscallError.
   */
  receive(buf: Buffer, limit: number): number;
  /** Resolves when a datagram may be queued; rejects on abort or after timeoutMs. */
  readable(opts: { signal?: AbortSignal | undefined; timeoutMs?: number | undefined }): Promise<void>;
  /** Blocks the thread until a datagram may be queued; false after timeoutMs. For the *Sync calls. */
  waitSync(timeoutMs: number): boolean;
  /** Subscribes to a multicast group (NETLINK_ADD_MEMBERSHIP; an RTNLGRP_* number, a genl group id). */
  joinGroup(group: number): void;
  /** Unsubscribes from a multicast group (NETLINK_DROP_MEMBERSHIP). */
  leaveGroup(group: number): void;
  /** Releases the socket; idempotent. */
  close(): void;
}

/**
 * Where and how the kernel socket is made: the netlink protocol, the namespace to create it in (the
 * socket stays bound to that namespace for its whole life) and the buffer sizes.
 *
 * @example
 * ```ts
 * // link notifications from ns1, with room for bursts (ip -n ns1 monitor link)
 * const opts: KernelTransportOptions = {
 *   protocol: constants.NETLINK_ROUTE, netnsPath: "/run/netns/ns1", groups: [RTNLGRP.link], receiveBufferSize: 4 << 20,
 * };
 * const sock = new NetlinkSocket(new KernelTransport(opts), { protocol: opts.protocol });
 * ```
 */
export interface KernelTransportOptions {
  /** NETLINK_ROUTE, NETLINK_NETFILTER... */
  protocol: number;
  /** Create the socket inside this network namespace (file path, e.g. /run/netns/ns1) ... */
  netnsPath?: string;
  /** ... or this namespace fd. The process itself never leaves its namespace. */
  netnsFd?: number;
  /** Multicast groups to join (numbers, as in RTNLGRP_*). */
  groups?: number[];
  /** SO_RCVBUF(FORCE) in bytes: monitors and big batches want more than the default. */
  receiveBufferSize?: number;
  /** SO_SNDBUF(FORCE) in bytes; absent keeps the kernel's default (net.core.wmem_default). */
  sendBufferSize?: number;
  /** Default true: the kernel explains its errors (NETLINK_EXT_ACK). */
  extendedAck?: boolean;
  /** Default true: the kernel honours dump filters and checks request headers (NETLINK_GET_STRICT_CHK). */
  strictCheck?: boolean;
}

/** MAX_LINKS in linux/netlink.h: netlink protocols are numbered below it. */
const MAX_LINKS = 32;

/** A multicast group number as NETLINK_ADD_MEMBERSHIP takes it (groups count from 1). */
function checkGroup(group: number): void {
  if (!Number.isInteger(group) || group < 1 || group > 0xffffffff) {
    throw new NlkitInputError(`multicast group must be a positive integer (RTNLGRP_*, a genl group id), not ${String(group)}`, "groups");
  }
}

/**
 * A netlink socket to the kernel. Requests and replies move through Node's own synchronous fs
 * calls on the socket's fd (write(2)/read(2)): measured in the real request path, a GETLINK round
 * trip took ~7 us that way against ~16 us through two ffi-rs calls. ffi-rs is still what creates
 * and configures the socket, and what reads multicast (recvfrom, to see who sent it).
 *
 * The socket is non-blocking: a read of an empty queue fails with EAGAIN at once, and waiting is
 * done by the shared poller (async) or a bounded poll(2) (the *Sync calls only).
 *
 * @example
 * ```ts
 * const transport = new KernelTransport({ protocol: constants.NETLINK_ROUTE, netnsPath: "/run/netns/ns1" });
 * console.log(transport.fd, transport.portId);   // the fd and the nl_pid the kernel bound it to
 * const rt = await Rtnl.open({ transport });      // its requests go to ns1 over this socket
 * ```
 */
export class KernelTransport implements Transport {
  readonly fd: number;
  readonly portId: number;
  private isClosed = false;
  private readonly addrBuf = Buffer.alloc(12);
  private readonly pollBuf = Buffer.alloc(8);
  /**
   * Joined multicast groups: datagrams may then come from user space too, and are checked. A set,
   * since the kernel keeps one membership per group however often it is joined or left.
   */
  private readonly groups = new Set<number>();

  constructor(opts: KernelTransportOptions) {
    // checked here, since the FFI would reject a missing number with an untyped error of its own
    if (!Number.isInteger(opts.protocol) || opts.protocol < 0 || opts.protocol >= MAX_LINKS) {
      throw new NlkitInputError(`netlink protocol must be an integer from 0 to ${MAX_LINKS - 1} (NETLINK_ROUTE, NETLINK_GENERIC, ...), not ${String(opts.protocol)}`, "protocol");
    }
    for (const g of opts.groups ?? []) checkGroup(g);
    const create = () => sys.socket(sys.AF_NETLINK, sys.SOCK_RAW | sys.SOCK_CLOEXEC | sys.SOCK_NONBLOCK, opts.protocol);
    let fd: number;
    if (opts.netnsFd !== undefined) fd = sys.withNetns(opts.netnsFd, create);
    else if (opts.netnsPath !== undefined) {
      const nsfd = openNetnsPath(opts.netnsPath);
      try { fd = sys.withNetns(nsfd, create); } finally { fs.closeSync(nsfd); }
    } else fd = create();
    this.fd = fd;
    try {
      sys.setsockoptInt(fd, sys.SOL_NETLINK, NETLINK_CAP_ACK, 1);
      if (opts.extendedAck !== false) sys.setsockoptInt(fd, sys.SOL_NETLINK, NETLINK_EXT_ACK, 1);
      if (opts.strictCheck !== false) trySetStrict(fd);
      if (opts.receiveBufferSize) setBufferSize(fd, sys.SO_RCVBUFFORCE, sys.SO_RCVBUF, opts.receiveBufferSize);
      if (opts.sendBufferSize) setBufferSize(fd, sys.SO_SNDBUFFORCE, sys.SO_SNDBUF, opts.sendBufferSize);
      sys.bind(fd, sys.sockaddrNl(0, 0));
      // Connected to the kernel (port 0), the socket refuses unicast from any other port
      // (ECONNREFUSED for the sender), so replies read without their sender address are the
      // kernel's. Multicast is not covered by this: see receive().
      sys.connect(fd, sys.sockaddrNl(0, 0));
      const addr = Buffer.alloc(12);
      sys.getsockname(fd, addr);
      this.portId = addr.readUInt32LE(4);
      for (const g of opts.groups ?? []) this.joinGroup(g);
    } catch (e) {
      sys.close(fd);
      throw e;
    }
    this.pollBuf.writeInt32LE(fd, 0);
    this.pollBuf.writeInt16LE(sys.POLLIN, 4);
  }

  /** Whether the socket's fd was closed. */
  get closed(): boolean {
    return this.isClosed;
  }

  send(datagram: Buffer): void {
    for (;;) {
      try {
        fs.writeSync(this.fd, datagram);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "EINTR") continue;
        throw asSyscallError(e, "sendto");
      }
    }
  }

  receive(buf: Buffer, limit: number): number {
    if (this.groups.size > 0) return this.receiveFromKernel(buf, limit);
    for (;;) {
      try {
        return fs.readSync(this.fd, buf, 0, limit, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EAGAIN") return -1;
        if (code === "EINTR") continue;
        throw asSyscallError(e, "recv");
      }
    }
  }

  /**
   * Multicast can come from privileged user space too: with groups joined, datagrams are read
   * with their sender and only the kernel's (port 0) are kept. MSG_TRUNC gives the real length
   * of one that did not fit.
   */
  private receiveFromKernel(buf: Buffer, limit: number): number {
    for (;;) {
      let n: number;
      try {
        n = sys.recvfrom(this.fd, limit === buf.length ? buf : buf.subarray(0, limit), sys.MSG_DONTWAIT | sys.MSG_TRUNC, this.addrBuf);
      } catch (e) {
        if (!(e instanceof sys.SyscallError)) throw e;
        if (e.code === "EAGAIN") return -1;
        if (e.code === "EINTR") continue;
        throw e;
      }
      if (this.addrBuf.readUInt32LE(4) !== 0) continue;
      return n;
    }
  }

  readable(opts: { signal?: AbortSignal | undefined; timeoutMs?: number | undefined }): Promise<void> {
    return poller.waitReadable(this.fd, opts);
  }

  waitSync(timeoutMs: number): boolean {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      try {
        if (sys.poll(this.pollBuf, 1, Math.min(left, 1000)) > 0) return true;
      } catch (e) {
        if (!(e instanceof sys.SyscallError) || e.code !== "EINTR") throw e;
      }
    }
  }

  /** Subscribes the socket to a multicast group (NETLINK_ADD_MEMBERSHIP). */
  joinGroup(group: number): void {
    checkGroup(group);
    sys.setsockoptInt(this.fd, sys.SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group);
    this.groups.add(group);
  }

  /** Unsubscribes the socket from a multicast group (NETLINK_DROP_MEMBERSHIP). */
  leaveGroup(group: number): void {
    checkGroup(group);
    sys.setsockoptInt(this.fd, sys.SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, group);
    this.groups.delete(group);
  }

  /** Closes the fd; idempotent. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    sys.close(this.fd);
  }
}

/** Node's fs errors as the SyscallError every other libc failure is. */
function asSyscallError(e: unknown, syscall: string): unknown {
  const errno = (e as NodeJS.ErrnoException).errno;
  if (typeof errno !== "number") return e;
  return new sys.SyscallError(syscall, Math.abs(errno));
}

function trySetStrict(fd: number): void {
  try {
    sys.setsockoptInt(fd, sys.SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1);
  } catch (e) {
    // only rtnetlink knows the option on some kernels; elsewhere it is meaningless
    if (!(e instanceof sys.SyscallError) || e.code !== "ENOPROTOOPT") throw e;
  }
}

function setBufferSize(fd: number, force: number, plain: number, size: number): void {
  try {
    sys.setsockoptInt(fd, sys.SOL_SOCKET, force, size);
  } catch (e) {
    if (!(e instanceof sys.SyscallError) || e.code !== "EPERM") throw e;
    sys.setsockoptInt(fd, sys.SOL_SOCKET, plain, size);
  }
}
