// Runs inside `unshare -m --propagation private` (spawned by test/live/syscalls-mount.test.ts), so
// its mounts never reach the test machine's mount namespace. Prints one JSON line.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MNT_DETACH, MS_BIND, SyscallError, currentNetnsInode, mount, umount2, withNewNetns } from '../../src/syscalls/index.js';

const mounted = (p: string): boolean => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === p);
const dir = mkdtempSync(join(tmpdir(), `nlkit-test-${process.pid}-sys-`));
const out: Record<string, unknown> = {};
try {
  mount('none', dir, 'tmpfs', 0, 'size=1m,mode=700');
  out.tmpfs = mounted(dir);
  out.mode = (statSync(dir).mode & 0o777).toString(8);
  umount2(dir, 0);
  out.tmpfsAfter = mounted(dir);

  // What `ip netns add` does: bind a namespace's nsfs file onto a plain file (NULL fstype/data).
  const file = join(dir, 'ns');
  writeFileSync(file, '');
  const ino = withNewNetns(() => {
    mount('/proc/thread-self/ns/net', file, null, MS_BIND, null);
    return currentNetnsInode();
  });
  out.bindIno = statSync(file, { bigint: true }).ino === ino;
  umount2(file, MNT_DETACH);
  out.bindAfter = statSync(file, { bigint: true }).ino === ino;

  // The same with strings too long for mount's scratch Buffer together (each is still a valid path).
  const longSource = `/proc${'/.'.repeat(1200)}/thread-self/ns/net`;
  const longFile = `${dir}${'/.'.repeat(1000)}/ns`;
  const ino2 = withNewNetns(() => {
    mount(longSource, longFile, null, MS_BIND, null);
    return currentNetnsInode();
  });
  out.longBindIno = statSync(file, { bigint: true }).ino === ino2;
  umount2(longFile, MNT_DETACH);
  out.longBindAfter = statSync(file, { bigint: true }).ino === ino2;

  try {
    umount2(join(dir, 'missing'), 0);
  } catch (e) {
    out.missing = (e as SyscallError).code;
  }
} catch (e) {
  out.error = String(e);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(out));
