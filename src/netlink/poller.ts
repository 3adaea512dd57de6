import * as sys from "../syscalls/index.js";
import { abortReason, NlkitTimeoutError } from "./errors.js";

/**
 * One poll loop for the whole process. A poll blocked in a libuv pool thread holds that thread
 * (there are 4), so every watched fd shares this loop; an eventfd wakes it whenever the set of
 * watched fds changes.
 *
 * The loop never keeps the process from exiting: each poll is bounded (POLL_SLICE_MS), so a pool
 * thread always comes back, and on 'exit' the eventfd is written so that it comes back at once.
 * Node joins its pool threads on the way out; a thread parked in poll(-1) used to hang that join.
 */
const POLL_SLICE_MS = 500;

interface Watcher {
  onReadable: () => void;
  /** Told when this watcher's callback threw, or when polling itself failed; the watch ends. */
  onError?: (error: unknown) => void;
}

interface Entry {
  /** A long-lived watch (a monitor, a responder): called on every readable poll. */
  watcher?: Watcher;
  /** One-shot waits (a request whose reply is not queued yet): each fires once and is removed. */
  once: Set<Watcher>;
}

class Poller {
  private readonly entries = new Map<number, Entry>();
  private efd = -1;
  private loop: Promise<void> | undefined;
  /** Resolves when the poll call in flight has returned (so a watched fd may be closed). */
  private pollReturned: Promise<void> = Promise.resolve();
  private exitHooked = false;

  watch(fd: number, onReadable: () => void, onError?: (error: unknown) => void): void {
    this.entry(fd).watcher = onError ? { onReadable, onError } : { onReadable };
    this.kick();
  }

  /** Stops watching fd; resolves once no poll call refers to it any more. */
  async unwatch(fd: number): Promise<void> {
    const e = this.entries.get(fd);
    if (!e?.watcher) return;
    e.watcher = undefined;
    if (e.once.size === 0) this.entries.delete(fd);
    this.wake();
    await this.pollReturned;
  }

  /**
   * Resolves when fd is readable. Rejects with the signal's reason when it aborts, and with an
   * NlkitTimeoutError after timeoutMs; either way the wait is withdrawn and the fd is untouched.
   */
  waitReadable(fd: number, opts: { signal?: AbortSignal | undefined; timeoutMs?: number | undefined } = {}): Promise<void> {
    const { signal, timeoutMs } = opts;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const entry = this.entry(fd);
      const finish = (error?: unknown): void => {
        if (!entry.once.delete(w)) return;
        if (entry.once.size === 0 && !entry.watcher) this.entries.delete(fd);
        if (timer) clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        if (error === undefined) resolve();
        else {
          this.wake();
          reject(error);
        }
      };
      const w: Watcher = { onReadable: () => finish(), onError: (e) => finish(e) };
      const onAbort = (): void => finish(abortReason(signal!));
      entry.once.add(w);
      signal?.addEventListener("abort", onAbort, { once: true });
      if (timeoutMs !== undefined && Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => finish(new NlkitTimeoutError(timeoutMs)), Math.max(0, timeoutMs));
      }
      this.kick();
    });
  }

  /** Watched fds, for tests that check nothing is left behind. */
  get watching(): number {
    return this.entries.size;
  }

  private entry(fd: number): Entry {
    let e = this.entries.get(fd);
    if (!e) this.entries.set(fd, e = { once: new Set() });
    return e;
  }

  private kick(): void {
    if (this.efd < 0) {
      this.efd = sys.eventfd(0, sys.EFD_CLOEXEC | sys.EFD_NONBLOCK);
    }
    if (!this.exitHooked) {
      this.exitHooked = true;
      // 'exit' runs synchronously with no event loop left: the eventfd write is all it can do,
      // and it is enough for the pool thread to return from poll before Node joins it
      process.once("exit", () => this.wake());
    }
    if (this.loop) this.wake();
    else this.loop = this.run().catch((e) => this.failAll(e)).finally(() => {
      this.loop = undefined;
      // a wait added after the loop's last look at `entries` only woke a loop that was ending
      if (this.entries.size > 0) this.kick();
    });
  }

  /** poll itself failed: nobody can be woken any more, so every watcher hears why. */
  private failAll(error: unknown): void {
    const all = [...this.entries.values()];
    this.entries.clear();
    for (const e of all) {
      e.watcher?.onError?.(error);
      for (const w of [...e.once]) w.onError?.(error);
    }
  }

  private wake(): void {
    if (this.efd < 0) return;
    const one = Buffer.alloc(8);
    one[0] = 1;
    try {
      sys.write(this.efd, one);
    } catch (e) {
      // EAGAIN: the counter is already non-zero, so the loop is being woken anyway
      if (!(e instanceof sys.SyscallError) || e.code !== "EAGAIN") throw e;
    }
  }

  private async run(): Promise<void> {
    const drain = Buffer.alloc(8);
    while (this.entries.size > 0) {
      const fds = [...this.entries.keys()];
      const pfds = Buffer.alloc(8 * (fds.length + 1));
      pfds.writeInt32LE(this.efd, 0);
      pfds.writeInt16LE(sys.POLLIN, 4);
      fds.forEach((fd, i) => {
        pfds.writeInt32LE(fd, 8 * (i + 1));
        pfds.writeInt16LE(sys.POLLIN, 8 * (i + 1) + 4);
      });
      let done!: () => void;
      this.pollReturned = new Promise((r) => { done = r; });
      try {
        await sys.pollAsync(pfds, fds.length + 1, POLL_SLICE_MS);
      } catch (e) {
        if (!(e instanceof sys.SyscallError) || e.code !== "EINTR") { done(); throw e; }
      }
      done();
      if (pfds.readInt16LE(6) !== 0) {
        try { sys.read(this.efd, drain); } catch { /* already drained */ }
      }
      fds.forEach((fd, i) => {
        if (pfds.readInt16LE(8 * (i + 1) + 6) === 0) return;
        const e = this.entries.get(fd);
        if (!e) return;
        for (const w of [...e.once]) w.onReadable();
        const w = e.watcher;
        if (!w) return;
        try {
          w.onReadable();
        } catch (err) {
          // one watcher's failure must not stop the loop every other monitor and probe relies on
          e.watcher = undefined;
          if (e.once.size === 0) this.entries.delete(fd);
          w.onError?.(err);
        }
      });
    }
  }
}

export const poller = new Poller();
