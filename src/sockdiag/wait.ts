// "Wait until something listens on the port": what a test harness or a lab does between starting
// a server and talking to it. sock_diag sends no event when a socket starts listening, so this
// asks the kernel again (one small dump, filtered by the kernel to that port) at a growing
// interval until a listener is there, the time is up or the signal fires.
import { abortReason, NlkitInputError, NlkitTimeoutError } from "../netlink/errors.js";
import type { InetSocket, SockDiag } from "./verbs.js";

/**
 * What `waitListening()` waits for: a TCP listener or bound UDP socket on a port, in a namespace, for
 * at most `timeoutMs`, cancellable by an `AbortSignal`.
 *
 * @example
 * ```ts
 * // a DNS server in ns1 that should bind 10.0.0.1:53/udp within 3 s
 * const opts: WaitListeningOptions = { port: 53, proto: "udp", family: 4, address: "10.0.0.1", timeoutMs: 3000 };
 * const socks = await waitListening(sd, opts);
 * console.log(socks[0]?.state, socks[0]?.local);   // "UNCONN" { address: "10.0.0.1", port: 53 }
 * ```
 */
export interface WaitListeningOptions {
  /** The local port the listener is bound to. */
  port: number;
  /** "tcp" (a LISTEN socket, the default) or "udp" (a bound, unconnected socket). */
  proto?: "tcp" | "udp";
  /** Only listeners of this family; left out, either. */
  family?: 4 | 6;
  /**
   * Only listeners bound to this address or inside this prefix. A wildcard bind is "0.0.0.0" (or "::"):
   * a server bound to it is not found by "10.0.0.1", only by "0.0.0.0" or by leaving this out.
   */
  address?: string;
  /** Give up after this long: rejects with NlkitTimeoutError. Left out, waits until the signal. */
  timeoutMs?: number;
  /** Stops waiting: rejects with the signal's reason. */
  signal?: AbortSignal;
}

const FIRST_INTERVAL_MS = 5;
const MAX_INTERVAL_MS = 200;

const KEYS = new Set(["port", "proto", "family", "address", "timeoutMs", "signal"]);

function checked(opts: WaitListeningOptions): WaitListeningOptions {
  if (opts === null || typeof opts !== "object") throw new NlkitInputError("waitListening needs options with a port", "port");
  for (const k of Object.keys(opts)) if (!KEYS.has(k)) throw new NlkitInputError(`unknown option "${k}" (expected ${[...KEYS].join(", ")})`, k);
  const { port, proto, timeoutMs } = opts;
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new NlkitInputError(`invalid port ${String(port)}: a listener's port is an integer from 1 to 65535`, "port");
  }
  if (proto !== undefined && proto !== "tcp" && proto !== "udp") throw new NlkitInputError(`invalid proto ${String(proto)} (tcp or udp)`, "proto");
  if (timeoutMs !== undefined && (typeof timeoutMs !== "number" || !(timeoutMs >= 0))) {
    throw new NlkitInputError(`invalid timeoutMs ${String(timeoutMs)}`, "timeoutMs");
  }
  return opts;
}

/** Resolves after ms, or rejects as soon as the signal fires. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Resolves with the listening sockets on `port` (in the handle's namespace) once there is at least
 * one, dumping again at growing intervals (a kernel-filtered sock_diag dump each time), so a script
 * can wait for a server to be ready rather than sleep a guessed time. Rejects with `NlkitTimeoutError`
 * after `timeoutMs`, with the signal's reason on abort; bad options are an `NlkitInputError` before
 * anything is sent.
 *
 * @example
 * ```ts
 * import { SockDiag, waitListening } from "nlkit";
 * const sd = await SockDiag.open({ netns: "ns1" });
 * await waitListening(sd, { port: 8080, timeoutMs: 5000 });
 * sd.close();
 * ```
 */
export async function waitListening(sd: SockDiag, opts: WaitListeningOptions): Promise<InetSocket[]> {
  const { port, proto = "tcp", family, address, timeoutMs, signal } = checked(opts);
  const filter = {
    states: [proto === "tcp" ? "listening" : "closed"],
    sport: port,
    ...(family !== undefined ? { family } : {}),
    ...(address !== undefined ? { src: address } : {}),
  };
  const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
  let interval = FIRST_INTERVAL_MS;
  for (;;) {
    if (signal?.aborted) throw abortReason(signal);
    // the first dump checks the filter too: a bad family or address is refused here, unsent
    const found = await sd[proto](filter, signal ? { signal } : undefined);
    if (found.length > 0) return found;
    const left = deadline - Date.now();
    if (left <= 0) throw new NlkitTimeoutError(timeoutMs!, `nothing listening on ${proto} port ${port}`);
    await pause(Math.min(interval, left), signal);
    interval = Math.min(interval * 2, MAX_INTERVAL_MS);
  }
}
