import { describe, expect, it } from 'vitest';
import { AF_INET, SOCK_CLOEXEC, SOCK_DGRAM, close, ioctl, ioctlInt, socket } from '../../src/syscalls/index.js';

const SIOCGIFINDEX = 0x8933;
const SIOCGIFNAME = 0x8910;

// struct ifreq: char ifr_name[16]; union { int ifr_ifindex; ... } (40 bytes on x86_64)
function ifreq(name: string, index = 0): Buffer {
  const b = Buffer.alloc(40);
  b.write(name, 0, 15, 'utf8');
  b.writeInt32LE(index, 16);
  return b;
}

describe('ioctl', () => {
  it('SIOCGIFINDEX / SIOCGIFNAME round-trip lo through a pointer argument', () => {
    const fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    try {
      const req = ifreq('lo');
      expect(ioctl(fd, SIOCGIFINDEX, req)).toBe(0);
      expect(req.readInt32LE(16)).toBe(1);
      const back = ifreq('', 1);
      ioctl(fd, SIOCGIFNAME, back);
      expect(back.toString('utf8', 0, 2)).toBe('lo');
      expect(() => ioctl(fd, SIOCGIFINDEX, ifreq('nlkit-nope0'))).toThrowError(expect.objectContaining({ code: 'ENODEV', syscall: 'ioctl' }) as Error);
    } finally {
      close(fd);
    }
  });

  it('integer-argument ioctl reports errno', () => {
    expect(() => ioctlInt(-1, 0x400454cb, 1)).toThrowError(expect.objectContaining({ code: 'EBADF' }) as Error);
  });
});
