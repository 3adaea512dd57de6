import { describe, expect, it } from "vitest";
import { NetlinkMonitor } from "../../../src/netlink/monitor.js";
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
