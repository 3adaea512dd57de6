import { describe, expect, it } from "vitest";
import { NetlinkMonitor } from "../../../src/netlink/monitor.js";
import { poller } from "../../../src/netlink/poller.js";
import type { NetlinkSocket } from "../../../src/netlink/socket.js";
import * as sys from "../../../src/syscalls/index.js";

/** A socket stand-in: an eventfd the test makes readable, whose read fails like a broken socket. */
function failingSocket(failure: Error) {
  const fd = sys.eventfd(0, sys.EFD_CLOEXEC | sys.EFD_NONBLOCK);
  const sock = {
    fd,
    readAvailable(): boolean {
      sys.read(fd, Buffer.alloc(8));
      throw failure;
    },
    close: () => sys.close(fd),
  };
  const fire = () => {
    const one = Buffer.alloc(8);
    one.writeBigUInt64LE(1n);
    sys.write(fd, one);
  };
  return { sock: sock as unknown as NetlinkSocket, fire };
}

describe("NetlinkMonitor", () => {
  it("rejects a waiting next() when reading the socket fails, instead of ending the iteration", async () => {
    const failure = new Error("socket broke");
    const { sock, fire } = failingSocket(failure);
    const mon = new NetlinkMonitor(sock, () => 0);
    try {
      const waiting = mon.next();
      fire();
      await expect(waiting).rejects.toBe(failure);
    } finally {
      await mon.close();
    }
  });
});

describe("the shared poll loop", () => {
  it("survives a watcher that throws: that watch ends with the error, the others go on", async () => {
    const bad = sys.eventfd(0, sys.EFD_NONBLOCK | sys.EFD_CLOEXEC);
    const good = sys.eventfd(0, sys.EFD_NONBLOCK | sys.EFD_CLOEXEC);
    const one = Buffer.alloc(8);
    one.writeBigUInt64LE(1n);
    try {
      const badError = new Promise<unknown>((resolve) => poller.watch(bad, () => { throw new Error("boom"); }, resolve));
      let goodReads = 0;
      const goodRead = new Promise<void>((resolve) => poller.watch(good, () => { sys.read(good, Buffer.alloc(8)); goodReads++; resolve(); }));
      sys.write(bad, one);
      expect(String(await badError)).toContain("boom");
      sys.write(good, one);
      await goodRead;
      expect(goodReads).toBe(1);
    } finally {
      await poller.unwatch(good);
      await poller.unwatch(bad);
      sys.close(bad);
      sys.close(good);
    }
  });
});
