// Loading the FFI layer does not build a diagnostic report (ffi-rs's glibc/musl probe, 10-20 ms
// of every command's start-up) on glibc, and leaves process.report as it found it.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const glibc = /\/libc\.so\.6$/m.test(readFileSync("/proc/self/maps", "utf8"));

(glibc ? describe : describe.skip)("loading ffi-rs (glibc)", () => {
  it("calls process.report.getReport no time, and restores it", () => {
    const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", `
      const original = process.report.getReport;
      let calls = 0;
      process.report.getReport = function (...a) { calls++; return original.apply(this, a); };
      const wrapped = process.report.getReport;
      await import("./src/syscalls/libc.ts");
      console.log(JSON.stringify({ calls, restored: process.report.getReport === wrapped, glibc: !!process.report.getReport().header.glibcVersionRuntime }));
    `], { encoding: "utf8" });
    expect(JSON.parse(out)).toEqual({ calls: 0, restored: true, glibc: true });
  });
});
