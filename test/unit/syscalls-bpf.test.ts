// bpf(BPF_OBJ_GET) without root: the errors say what the kernel answered, read right after the call.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bpfObjGet, SyscallError } from '../../src/syscalls/index.js';

describe('bpfObjGet', () => {
  it('a path with nothing pinned there is ENOENT', () => {
    expect(() => bpfObjGet('/nonexistent-nlkit-dir/prog')).toThrowError(expect.objectContaining({ code: 'ENOENT', syscall: 'bpf(BPF_OBJ_GET)' }) as Error);
  });

  it('a plain file outside any bpffs is refused, not opened', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nlkit-bpf-'));
    try {
      const f = join(dir, 'not-a-pin');
      writeFileSync(f, 'x');
      let err: unknown;
      try {
        bpfObjGet(f);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SyscallError);
      // EPERM when bpf() is unprivileged-disabled, else the kernel's refusal of a non-bpffs inode
      expect(['EINVAL', 'EPERM', 'EACCES']).toContain((err as SyscallError).code);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an empty path or one with a NUL before any call', () => {
    expect(() => bpfObjGet('')).toThrow(TypeError);
    expect(() => bpfObjGet('/sys/fs/bpf/a\0b')).toThrow(TypeError);
  });
});
