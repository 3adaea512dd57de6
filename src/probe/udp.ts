import { NlkitInputError } from "../netlink/errors.js";
import { formatIPv4, formatIPv6, parseIp } from "../netlink/ip.js";
import { poller } from "../netlink/poller.js";
import * as sys from "../syscalls/index.js";
import { socketIn, type NetnsArg } from "./netns-socket.js";
import { waitReadable } from "./wait.js";

function sockaddr(address: string, port: number, field: string): { family: 4 | 6; addr: Buffer } {
  const ip = parseIp(address);
  if (!ip) throw new NlkitInputError(`invalid IP address "${address}"`, field);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new NlkitInputError(`invalid port ${port}`, "port");
  return { family: ip.family, addr: ip.family === 4 ? sys.sockaddrIn(address, port) : sys.sockaddrIn6(address, port) };
}

/** "198.51.100.2:40000" from a struct sockaddr_in / sockaddr_in6. */
function peerOf(addr: Buffer): string {
  const family = addr.readUInt16LE(0);
  const port = addr.readUInt16BE(2);
  return family === sys.AF_INET6 ? `[${formatIPv6(addr, 8)}]:${port}` : `${formatIPv4(addr, 4)}:${port}`;
}

/**
 * A UDP responder inside a namespace that answers every datagram with the source address and port it
 * saw (and keeps them in `seen`): the proof that NAT rewrote a container's address. Bound when
 * constructed; `close()` stops it.
 *
 * @example
 * ```ts
 * import { UdpSourceReporter, udpAsk } from "nlkit";
 * const reporter = new UdpSourceReporter({ netns: "outside", address: "198.51.100.1", port: 7007 });
 * const answer = await udpAsk({ netns: "container", to: "198.51.100.1", port: 7007, timeoutMs: 2000 });
 * await reporter.close();
 * ```
 */
export class UdpSourceReporter {
  private readonly fd: number;
  private closed = false;
  /** Every source seen, in order. */
  readonly seen: string[] = [];
  /** Why the responder stopped answering, if it did (a failed receive). */
  error: unknown;

  constructor(opts: { netns?: NetnsArg; address: string; port: number }) {
    const { family, addr } = sockaddr(opts.address, opts.port, "address");
    this.fd = socketIn(opts.netns, family === 4 ? sys.AF_INET : sys.AF_INET6, sys.SOCK_DGRAM, 0);
    try {
      sys.bind(this.fd, addr);
    } catch (e) {
      sys.close(this.fd);
      throw e;
    }
    poller.watch(this.fd, () => this.answer(), (e) => { this.error = e; });
  }

  private answer(): void {
    const buf = Buffer.alloc(2048);
    const from = Buffer.alloc(28);
    for (;;) {
      try {
        sys.recvfrom(this.fd, buf, sys.MSG_DONTWAIT, from);
      } catch (e) {
        if (e instanceof sys.SyscallError && (e.code === "EAGAIN" || e.code === "EINTR")) return;
        throw e;
      }
      const peer = peerOf(from);
      this.seen.push(peer);
      const len = from.readUInt16LE(0) === sys.AF_INET6 ? 28 : 16;
      try {
        sys.sendto(this.fd, Buffer.from(`seen ${peer}`), 0, from.subarray(0, len));
      } catch {
        // the asker may be unreachable on the way back; what we saw is still recorded
      }
    }
  }

  /** Stops answering and closes the socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await poller.unwatch(this.fd);
    sys.close(this.fd);
  }
}

/**
 * What `udpAsk()` resolves with: the responder's reply and the round trip.
 *
 * @example
 * ```ts
 * const answer: UdpAskResult | undefined = await udpAsk({ netns: "ns1", to: "198.51.100.1", port: 7007, payload: "hello" });
 * if (answer) console.log(`${answer.reply} after ${answer.rttMs.toFixed(1)} ms`);
 * ```
 */
export interface UdpAskResult {
  /** What the responder said, e.g. "seen 198.51.100.2:40000". */
  reply: string;
  /** Round-trip time from send to reply, in ms (fractional, from a monotonic clock). */
  rttMs: number;
}

/**
 * Sends one datagram from inside a namespace and waits for the answer: resolves with the reply, or
 * `undefined` when none came within `timeoutMs` (or the port was unreachable). Bad addresses or ports
 * are an `NlkitInputError`; an abort through `signal` rejects with its reason, the socket closed.
 *
 * @example
 * ```ts
 * import { udpAsk } from "nlkit";
 * const answer = await udpAsk({ netns: "ns1", to: "198.51.100.1", port: 7007, timeoutMs: 2000 });
 * console.log(answer?.reply ?? "no answer");   // "seen 198.51.100.2:40000" from a UdpSourceReporter
 * ```
 */
export async function udpAsk(opts: { netns?: NetnsArg; to: string; port: number; payload?: string; timeoutMs?: number; signal?: AbortSignal }): Promise<UdpAskResult | undefined> {
  const { family, addr } = sockaddr(opts.to, opts.port, "to");
  opts.signal?.throwIfAborted();
  const fd = socketIn(opts.netns, family === 4 ? sys.AF_INET : sys.AF_INET6, sys.SOCK_DGRAM, 0);
  try {
    const t0 = process.hrtime.bigint();
    try {
      sys.sendto(fd, Buffer.from(opts.payload ?? "nlkit"), 0, addr);
    } catch (e) {
      if (e instanceof sys.SyscallError) return undefined;
      throw e;
    }
    const buf = Buffer.alloc(2048);
    const deadline = Date.now() + (opts.timeoutMs ?? 1000);
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      const woke = await waitReadable(fd, left, opts.signal);
      if (woke === "aborted") opts.signal!.throwIfAborted();
      if (woke !== "readable") return undefined;
      try {
        const n = sys.recv(fd, buf, sys.MSG_DONTWAIT);
        return { reply: buf.toString("utf8", 0, n), rttMs: Number(process.hrtime.bigint() - t0) / 1e6 };
      } catch (e) {
        // ECONNREFUSED: an ICMP port unreachable came back; EAGAIN: spurious wake-up
        if (e instanceof sys.SyscallError && e.code === "ECONNREFUSED") return undefined;
        if (!(e instanceof sys.SyscallError) || (e.code !== "EAGAIN" && e.code !== "EINTR")) throw e;
      }
    }
  } finally {
    sys.close(fd);
  }
}
