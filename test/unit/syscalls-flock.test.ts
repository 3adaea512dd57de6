import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { flock, LOCK_EX, LOCK_NB, LOCK_SH, LOCK_UN, SyscallError } from "../../src/syscalls/index.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nlkit-flock-"));
const file = path.join(dir, "lock");
fs.writeFileSync(file, "");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** util-linux flock(1) as the independent party: exit 0 when it got the lock at once, 1 when not. */
function otherProcessCanLock(shared = false): number | null {
  return spawnSync("flock", [shared ? "-s" : "-x", "-n", file, "true"]).status;
}
const hasFlockTool = spawnSync("flock", ["--version"]).status === 0;

describe("flock", () => {
  it("an exclusive lock held on one open file refuses a second one (LOCK_NB: EAGAIN) until it is released", () => {
    const a = fs.openSync(file, "r");
    const b = fs.openSync(file, "r");
    try {
      flock(a, LOCK_EX | LOCK_NB);
      let err: unknown;
      try { flock(b, LOCK_EX | LOCK_NB); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(SyscallError);
      expect((err as SyscallError).code).toBe("EAGAIN");
      flock(a, LOCK_UN);
      flock(b, LOCK_EX | LOCK_NB);
    } finally {
      fs.closeSync(a);
      fs.closeSync(b);
    }
  });

  it("shared locks coexist; an exclusive one waits for them", () => {
    const a = fs.openSync(file, "r");
    const b = fs.openSync(file, "r");
    const c = fs.openSync(file, "r");
    try {
      flock(a, LOCK_SH | LOCK_NB);
      flock(b, LOCK_SH | LOCK_NB);
      expect(() => flock(c, LOCK_EX | LOCK_NB)).toThrow(SyscallError);
    } finally {
      for (const fd of [a, b, c]) fs.closeSync(fd);
    }
  });

  it.skipIf(!hasFlockTool)("is the lock other processes see (flock(1), the kind Go's syscall.Flock takes); closing the fd releases it", () => {
    const fd = fs.openSync(file, "r");
    flock(fd, LOCK_EX | LOCK_NB);
    expect(otherProcessCanLock()).toBe(1);
    expect(otherProcessCanLock(true)).toBe(1);
    fs.closeSync(fd);
    expect(otherProcessCanLock()).toBe(0);
  });

  it("a bad fd is EBADF", () => {
    expect(() => flock(-1, LOCK_EX)).toThrow(/EBADF/);
  });
});
