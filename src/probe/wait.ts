import { poller } from "../netlink/poller.js";

/**
 * Resolves true when fd becomes readable, false after timeoutMs. Waiting happens in the shared
 * poll loop, so the event loop stays free and no pool thread is held per socket.
 */
export function waitReadable(fd: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (v: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void poller.unwatch(fd).then(() => resolve(v));
    };
    const timer = setTimeout(() => finish(false), Math.max(0, timeoutMs));
    // a failure to poll says nothing about the socket: report it as "not readable in time"
    poller.watch(fd, () => finish(true), () => finish(false));
  });
}
