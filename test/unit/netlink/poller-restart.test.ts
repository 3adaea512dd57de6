// The shared poll loop when a wait is added in the continuation of the one it just ended.
import { describe, expect, it } from "vitest";
import { poller } from "../../../src/netlink/poller.js";
import * as sys from "../../../src/syscalls/index.js";

describe("the shared poll loop", () => {
  it("a wait started right after the last one resolved is polled (it used to strand until the process exited 13)", async () => {
    const fd = sys.eventfd(0, sys.EFD_CLOEXEC | sys.EFD_NONBLOCK);
    const one = Buffer.alloc(8);
    one.writeBigUInt64LE(1n);
    try {
      for (let round = 0; round < 3; round++) {
        const wait = poller.waitReadable(fd, { timeoutMs: 5_000 });
        sys.write(fd, one);
        await wait;
        sys.read(fd, Buffer.alloc(8));
      }
      // the loop ended after the last wait above: this one must start it again
      const last = poller.waitReadable(fd, { timeoutMs: 5_000 });
      setImmediate(() => sys.write(fd, one));
      await expect(last).resolves.toBeUndefined();
    } finally {
      sys.close(fd);
    }
  });
});
