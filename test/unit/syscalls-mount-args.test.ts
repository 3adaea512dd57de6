import { describe, expect, it } from 'vitest';
import { MS_BIND, SyscallError, mount, umount2 } from '../../src/syscalls/index.js';
import { packCStrings } from '../../src/syscalls/ns.js';

describe('packCStrings (mount/umount2 strings passed by address)', () => {
  it('writes consecutive C strings and their offsets, -1 for null', () => {
    const buf = Buffer.alloc(64, 0xaa);
    const out = [9, 9, 9, 9];
    expect(packCStrings(buf, ['none', '/run/x', null, 'a=ü'], out)).toBe(true);
    expect(out).toEqual([0, 5, -1, 12]);
    expect(buf.subarray(0, 17)).toEqual(Buffer.from('none\0/run/x\0a=ü\0'));
    expect(buf[17]).toBe(0xaa);
  });

  it('fits a string that fills the buffer exactly, and refuses one byte more', () => {
    const buf = Buffer.alloc(8);
    const out = [0];
    expect(packCStrings(buf, ['abcdefg'], out)).toBe(true);
    expect(buf).toEqual(Buffer.from('abcdefg\0'));
    expect(packCStrings(buf, ['abcdefgh'], out)).toBe(false);
    expect(packCStrings(buf, ['abc', 'defg'], [0, 0])).toBe(false);
    // multibyte: measured once the 3-bytes-per-unit bound says it might not fit
    expect(packCStrings(buf, ['ééé'], out)).toBe(true);
    expect(buf.subarray(0, 7)).toEqual(Buffer.from('ééé\0'));
    expect(packCStrings(buf, ['éééé'], out)).toBe(false);
  });
});

describe('mount/umount2 by address and by Buffer give the same kernel answers', () => {
  const code = (f: () => void): string => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(SyscallError);
      return `${(e as SyscallError).syscall} ${(e as SyscallError).code}`;
    }
    return 'no error';
  };
  // the target is looked up before any permission check: ENOENT for root and others alike
  const missing = '/nonexistent-nlkit-test-dir';

  it('mount: short strings (scratch) and strings over the scratch size (Buffers)', () => {
    const shortSrc = '/proc/self/ns/net';
    const longSrc = `/proc${'/.'.repeat(1200)}/self/ns/net`;
    const longDst = `${missing}${'/.'.repeat(1000)}/x`;
    expect(longSrc.length + longDst.length).toBeGreaterThan(4096);
    expect(code(() => mount(shortSrc, `${missing}/x`, null, MS_BIND, null))).toBe('mount ENOENT');
    expect(code(() => mount(longSrc, longDst, null, MS_BIND, null))).toBe('mount ENOENT');
    expect(code(() => mount('none', `${missing}/x`, 'tmpfs', 0, 'x'.repeat(5000)))).toBe('mount ENOENT');
  });

  it('umount2: a path longer than PATH_MAX takes the Buffer path and is refused by the kernel', () => {
    expect(code(() => umount2(`/${'a'.repeat(5000)}`, 0))).toBe('umount2 ENAMETOOLONG');
  });

  it('refuses NUL bytes in any string before calling the kernel', () => {
    expect(() => mount('a\0', '/x', null, 0, null)).toThrow(/mount source contains a NUL/);
    expect(() => mount(null, '/x', 'b\0', 0, null)).toThrow(/mount fstype contains a NUL/);
    expect(() => mount(null, '/x', null, 0, 'c\0')).toThrow(/mount data contains a NUL/);
    expect(() => mount(null, '/x\0', null, 0, null)).toThrow(/mount target contains a NUL/);
    expect(() => umount2('/x\0', 0)).toThrow(/umount2 target contains a NUL/);
  });
});
