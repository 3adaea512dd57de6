import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mount } from '../../src/syscalls/index.js';

const child = fileURLToPath(new URL('../helpers/syscalls-mount-child.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

// mount/umount2 run in a child in a private mount namespace: a multithreaded process cannot
// unshare(CLONE_NEWNS) itself, and the test machine's own mounts must not change.
describe.skipIf(process.getuid?.() !== 0)('mount / umount2 (needs root: mounts in a private mount namespace)', () => {
  it('mounts tmpfs, bind-mounts a netns file with NULL fstype/data, unmounts both', () => {
    const r = spawnSync('unshare', ['-m', '--propagation', 'private', tsx, child], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout.trim())).toEqual({
      tmpfs: true,
      mode: '700',
      tmpfsAfter: false,
      bindIno: true,
      bindAfter: false,
      longBindIno: true,
      longBindAfter: false,
      missing: 'ENOENT',
    });
  });

  it('rejects NUL bytes in paths before calling the kernel', () => {
    expect(() => mount(null, '/x\0y', null, 0, null)).toThrow(TypeError);
  });
});
