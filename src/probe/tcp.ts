// A TCP handshake from inside a namespace, no binaries: connect(2) on a non-blocking socket and
// the time until the kernel says it is connected (or refused). Nothing is sent after it.
import { NlkitInputError } from "../netlink/errors.js";
import { parseIp } from "../netlink/ip.js";
import * as sys from "../syscalls/index.js";
import { socketIn, type NetnsArg } from "./netns-socket.js";

/**
 * What `tcpConnect()` resolves with: whether the handshake completed, was reset or timed out, and how
 * long it took.
 *
 * @example
 * ```ts
 * const r: TcpConnectResult = await tcpConnect({ netns: "ns1", to: "10.0.0.1", port: 80, timeoutMs: 1000 });
 * switch (r.outcome) {
 *   case "connected": console.log(`open, handshake ${r.rttMs} ms`); break;
 *   case "refused": console.log("closed: a reset came back"); break;
 *   case "timeout": console.log("filtered or unreachable: no answer in time"); break;
 *   case "error": console.log(`failed: ${r.code}`); break;   // EHOSTUNREACH, ENETUNREACH...
 * }
 * ```
 */
export interface TcpConnectResult {
  /** connected: the handshake completed; refused: a reset came back; timeout: neither in time; error: another errno. */
  outcome: "connected" | "refused" | "timeout" | "error";
  /** The handshake's round trip (connect() to connected or refused). */
  rttMs?: number;
  /** The errno name for "error" (EHOSTUNREACH, ENETUNREACH...). */
  code?: string;
}

// The shared poll loop watches for readability only, and a completed connect is only writable:
// this one wait polls for POLLOUT on a pool thread, in short slices so that an abort or the
// deadline is seen soon and no pool thread stays blocked for long.
const SLICE_MS = 50;

/**
 * Opens a TCP connection to `to`:`port` from inside a namespace and closes it at once, to tell an open
 * port from a refused or filtered one without a client binary. Resolves with the outcome (connected,
 * refused, timeout, error) rather than rejecting; an abort through `signal` rejects with its reason,
 * the socket closed.
 *
 * @example
 * ```ts
 * import { tcpConnect } from "nlkit";
 * const r = await tcpConnect({ netns: "ns1", to: "10.0.0.2", port: 80 });   // { outcome: "connected", rttMs, ... }
 * ```
 */
export async function tcpConnect(opts: { netns?: NetnsArg; to: string; port: number; timeoutMs?: number; signal?: AbortSignal }): Promise<TcpConnectResult> {
  const ip = typeof opts.to === "string" ? parseIp(opts.to) : undefined;
  if (!ip) throw new NlkitInputError(`invalid IP address "${String(opts.to)}"`, "to");
  if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) throw new NlkitInputError(`invalid port ${String(opts.port)}`, "port");
  opts.signal?.throwIfAborted();
  const addr = ip.family === 4 ? sys.sockaddrIn(opts.to, opts.port) : sys.sockaddrIn6(opts.to, opts.port);
  const fd = socketIn(opts.netns, ip.family === 4 ? sys.AF_INET : sys.AF_INET6, sys.SOCK_STREAM, 0);
  try {
    const t0 = process.hrtime.bigint();
    const rtt = () => Number(process.hrtime.bigint() - t0) / 1e6;
    const settled = (errno: string | undefined): TcpConnectResult => {
      if (errno === undefined) return { outcome: "connected", rttMs: rtt() };
      if (errno === "ECONNREFUSED") return { outcome: "refused", rttMs: rtt() };
      return { outcome: "error", code: errno };
    };
    try {
      sys.connect(fd, addr);
      return settled(undefined);
    } catch (e) {
      if (!(e instanceof sys.SyscallError)) throw e;
      if (e.code !== "EINPROGRESS") return settled(e.code);
    }
    const pfd = Buffer.alloc(8);
    const deadline = Date.now() + (opts.timeoutMs ?? 1000);
    for (;;) {
      opts.signal?.throwIfAborted();
      const left = deadline - Date.now();
      if (left <= 0) return { outcome: "timeout" };
      pfd.writeInt32LE(fd, 0);
      pfd.writeInt16LE(sys.POLLOUT, 4);
      pfd.writeInt16LE(0, 6);
      const n = await sys.pollAsync(pfd, 1, Math.min(SLICE_MS, left)).catch((e: unknown) => {
        if (e instanceof sys.SyscallError && e.code === "EINTR") return 0;
        throw e;
      });
      if (n > 0) {
        const err = sys.getsockoptInt(fd, sys.SOL_SOCKET, sys.SO_ERROR);
        return settled(err === 0 ? undefined : sys.errnoName(err));
      }
    }
  } finally {
    sys.close(fd);
  }
}
