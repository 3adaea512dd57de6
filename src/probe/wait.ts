import { poller } from "../netlink/poller.js";
import * as sys from "../syscalls/index.js";

function readableNow(fd: number): boolean {
  const pfd = Buffer.alloc(8);
  pfd.writeInt32LE(fd, 0);
  pfd.writeInt16LE(sys.POLLIN, 4);
  try {
    return sys.poll(pfd, 1, 0) > 0 && (pfd.readInt16LE(6) & sys.POLLIN) !== 0;
  } catch {
    return false;
  }
}

/**
 * Resolves "readable" when fd becomes readable, "timeout" after timeoutMs, "aborted" when signal
 * fires. Waiting happens in the shared poll loop, so the event loop stays free and no pool thread
 * is held per socket. Every outcome resolves only once the poll loop no longer watches fd, so the
 * caller may close it, and nothing of this wait outlives it (a watch left behind keeps a pool
 * thread in poll(2) that process.exit then waits for).
 */
export function waitReadable(fd: number, timeoutMs: number, signal?: AbortSignal): Promise<"readable" | "timeout" | "aborted"> {
  if (signal?.aborted) return Promise.resolve("aborted");
  return new Promise((resolve) => {
    let settled = false;
    const finish = (v: "readable" | "timeout" | "aborted") => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      void poller.unwatch(fd).then(() => resolve(v));
    };
    const onAbort = () => finish("aborted");
    // On a starved event loop the timer and the poll loop's wake-up come due together, and
    // timers run first: look at the socket once more before calling a reply that is there lost.
    const timer = setTimeout(() => finish(readableNow(fd) ? "readable" : "timeout"), Math.max(0, timeoutMs));
    signal?.addEventListener("abort", onAbort, { once: true });
    // a failure to poll says nothing about the socket: report it as "not readable in time"
    poller.watch(fd, () => finish("readable"), () => finish("timeout"));
  });
}

/** setTimeout as a promise that an abort ends early (with the signal's reason). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
