// Runs inside `unshare -m --propagation private` (spawned by test/live/netns-named.test.ts) with a
// tmpfs of its own on /run, so that removing /run/netns here never touches the machine's. Prints
// one JSON line.
import * as fs from 'node:fs';
import { netns } from '../../src/netns/index.js';
import { MNT_DETACH, mount, umount2 } from '../../src/syscalls/index.js';

const out: Record<string, unknown> = {};
const name = `nlkit-test-${process.pid}-rundir`;
try {
  mount('none', '/run', 'tmpfs', 0, 'size=1m');
  await netns.add(`${name}-a`);
  out.first = fs.existsSync(`/run/netns/${name}-a`);
  await netns.del(`${name}-a`);
  // the once-per-process preparation must notice that the directory is gone
  umount2('/run/netns', MNT_DETACH); // the first add bound it onto itself
  fs.rmdirSync('/run/netns');
  await netns.add(`${name}-b`);
  out.again = (await netns.list()).includes(`${name}-b`);
  out.shared = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .some((l) => l.split(' ')[4] === '/run/netns' && / shared:\d+/.test(l));
  await netns.del(`${name}-b`);
} catch (e) {
  out.error = String(e);
}
console.log(JSON.stringify(out));
