import { describe, expect, it } from 'vitest';
import { closeSync, openSync } from 'node:fs';
import { close, currentNetnsInode, ioctl, ioctlInt, withNewNetns } from '../../src/syscalls/index.js';
import { dumpLinkNames, openRoute } from '../helpers/syscalls-nl.js';

const TUNSETIFF = 0x400454ca;
const TUNSETPERSIST = 0x400454cb;
const IFF_TUN = 0x0001;
const IFF_NO_PI = 0x1000;

describe.skipIf(process.getuid?.() !== 0)('tun via ioctl in an anonymous netns (needs root: /dev/net/tun, unshare)', () => {
  it('TUNSETIFF (pointer) creates the device there, TUNSETPERSIST (integer) is accepted', () => {
    const home = currentNetnsInode();
    const [nl, tun] = withNewNetns(() => {
      const t = openSync('/dev/net/tun', 'r+');
      const req = Buffer.alloc(40);
      req.write('nlkt0', 0);
      req.writeUInt16LE(IFF_TUN | IFF_NO_PI, 16);
      ioctl(t, TUNSETIFF, req);
      ioctlInt(t, TUNSETPERSIST, 0);
      return [openRoute(), t] as const;
    });
    try {
      expect(currentNetnsInode()).toBe(home);
      expect(dumpLinkNames(nl).sort()).toEqual(['lo', 'nlkt0']);
    } finally {
      closeSync(tun);
      close(nl);
    }
  });
});
