import { describe, expect, it } from "vitest";
import { ffiEntry } from "../../src/syscalls/libc.js";
import * as sys from "../../src/syscalls/index.js";

// Sync calls go straight to ffi-rs's native load (its JS wrapper only normalises array types,
// which our descriptors never use). If a new ffi-rs moved the binding, calls would silently fall
// back to the wrapper: this says so instead.
describe("ffi-rs entry", () => {
  it("sync calls use the binding ffi-rs itself loaded", () => {
    expect(ffiEntry).toBe("native");
  });

  it("through it, results and errno are what libc gives", () => {
    expect(sys.getpid()).toBe(process.pid);
    expect(() => sys.close(-1)).toThrow(expect.objectContaining({ code: "EBADF", syscall: "close" }));
    const fd = sys.socket(16, 3 | 0x80000, 0);
    try {
      expect(fd).toBeGreaterThan(2);
    } finally {
      sys.close(fd);
    }
  });
});
