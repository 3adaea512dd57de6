import * as sys from "../syscalls/index.js";

/**
 * One poll loop for the whole process. A poll blocked in a libuv pool thread holds that thread
 * (there are 4), so every monitored socket shares this loop; an eventfd wakes it whenever the set
 * of watched fds changes.
 */
interface Watcher {
  onReadable: () => void;
  /** Told when this watcher's callback threw, or when polling itself failed; the watch ends. */
  onError?: (error: unknown) => void;
}

class Poller {
  private readonly watchers = new Map<number, Watcher>();
  private efd = -1;
  private loop: Promise<void> | undefined;
  /** Resolves when the poll call in flight has returned (so a watched fd may be closed). */
  private pollReturned: Promise<void> = Promise.resolve();

  watch(fd: number, onReadable: () => void, onError?: (error: unknown) => void): void {
    this.watchers.set(fd, onError ? { onReadable, onError } : { onReadable });
    if (this.efd < 0) this.efd = sys.eventfd(0, sys.EFD_CLOEXEC | sys.EFD_NONBLOCK);
    if (this.loop) this.wake();
    else this.loop = this.run().catch((e) => this.failAll(e)).finally(() => { this.loop = undefined; });
  }

  /** poll itself failed: nobody can be woken any more, so every watcher hears why. */
  private failAll(error: unknown): void {
    const all = [...this.watchers.values()];
    this.watchers.clear();
    for (const w of all) w.onError?.(error);
  }

  /** Stops watching fd; resolves once no poll call refers to it any more. */
  async unwatch(fd: number): Promise<void> {
    if (!this.watchers.delete(fd)) return;
    this.wake();
    await this.pollReturned;
  }

  private wake(): void {
    const one = Buffer.alloc(8);
    one.writeBigUInt64LE(1n);
    try {
      sys.write(this.efd, one);
    } catch (e) {
      // EAGAIN: the counter is already non-zero, so the loop is being woken anyway
      if (!(e instanceof sys.SyscallError) || e.code !== "EAGAIN") throw e;
    }
  }

  private async run(): Promise<void> {
    const drain = Buffer.alloc(8);
    while (this.watchers.size > 0) {
      const fds = [...this.watchers.keys()];
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
        await sys.pollAsync(pfds, fds.length + 1, -1);
      } catch (e) {
        if (!(e instanceof sys.SyscallError) || e.code !== "EINTR") { done(); throw e; }
      }
      done();
      if (pfds.readInt16LE(6) !== 0) {
        try { sys.read(this.efd, drain); } catch { /* already drained */ }
      }
      fds.forEach((fd, i) => {
        const revents = pfds.readInt16LE(8 * (i + 1) + 6);
        const w = revents !== 0 ? this.watchers.get(fd) : undefined;
        if (!w) return;
        try {
          w.onReadable();
        } catch (e) {
          // one watcher's failure must not stop the loop every other monitor and probe relies on
          this.watchers.delete(fd);
          w.onError?.(e);
        }
      });
    }
  }
}

export const poller = new Poller();
