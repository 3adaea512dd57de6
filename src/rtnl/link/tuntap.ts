import * as fs from "node:fs";
import { NlkitInputError } from "../../netlink/errors.js";
import * as sys from "../../syscalls/index.js";
import type { TuntapOptions } from "./types.js";

// linux/if_tun.h: _IOW('T', nr, int)
const TUNSETIFF = 0x400454ca;
const TUNSETPERSIST = 0x400454cb;
const TUNSETOWNER = 0x400454cc;
const TUNSETGROUP = 0x400454ce;
const TUNSETIFINDEX = 0x400454da;
const IFF_TUN = 0x0001;
const IFF_TAP = 0x0002;
const IFF_MULTI_QUEUE = 0x0100;
const IFF_NO_PI = 0x1000;
const IFF_VNET_HDR = 0x4000;
/** linux/sockios.h: an fd of the socket's network namespace */
const SIOCGSKNS = 0x894c;
const IFREQ_SIZE = 40;

const TUNTAP_KEYS = new Set(["owner", "group", "multiQueue", "pi", "vnetHdr", "persist"]);

export function validateTuntap(o: TuntapOptions | undefined): void {
  if (o === undefined) return;
  for (const k of Object.keys(o)) if (!TUNTAP_KEYS.has(k)) throw new NlkitInputError(`unknown option "${k}" in tuntap`, `tuntap.${k}`);
  for (const k of ["owner", "group"] as const) {
    const v = o[k];
    if (v !== undefined && (!Number.isInteger(v) || v < 0 || v >= 0xffffffff)) throw new NlkitInputError(`tuntap.${k} must be a uid/gid`, `tuntap.${k}`);
  }
}

/**
 * Opens /dev/net/tun in the namespace of `socketFd` (the handle's namespace: a tun device is
 * created where the opener of /dev/net/tun lives) and runs TUNSETIFF (+OWNER/GROUP/PERSIST).
 * Returns the fd when the device is not persistent (the device lives as long as it), else closes it.
 */
export function createTuntap(socketFd: number, name: string, mode: "tun" | "tap", o: TuntapOptions = {}, index?: number): number | undefined {
  const nsfd = sys.ioctlInt(socketFd, SIOCGSKNS, 0);
  let fd: number;
  try {
    const here = fs.fstatSync(nsfd, { bigint: true }).ino === sys.currentNetnsInode();
    const open = () => fs.openSync("/dev/net/tun", "r+") // libuv adds O_CLOEXEC;
    fd = here ? open() : sys.withNetns(nsfd, open);
  } finally {
    fs.closeSync(nsfd);
  }
  const persist = o.persist !== false;
  try {
    const ifr = Buffer.alloc(IFREQ_SIZE);
    ifr.write(name, 0, "utf8");
    let flags = mode === "tap" ? IFF_TAP : IFF_TUN;
    if (!o.pi) flags |= IFF_NO_PI;
    if (o.multiQueue) flags |= IFF_MULTI_QUEUE;
    if (o.vnetHdr) flags |= IFF_VNET_HDR;
    ifr.writeUInt16LE(flags, 16);
    if (index !== undefined) {
      const idx = Buffer.alloc(4);
      idx.writeUInt32LE(index);
      sys.ioctl(fd, TUNSETIFINDEX, idx);
    }
    sys.ioctl(fd, TUNSETIFF, ifr);
    if (o.owner !== undefined) sys.ioctlInt(fd, TUNSETOWNER, o.owner);
    if (o.group !== undefined) sys.ioctlInt(fd, TUNSETGROUP, o.group);
    if (persist) sys.ioctlInt(fd, TUNSETPERSIST, 1);
  } catch (e) {
    // not persistent yet: closing the fd removes whatever TUNSETIFF made
    fs.closeSync(fd);
    throw e;
  }
  if (!persist) return fd;
  fs.closeSync(fd);
  return undefined;
}
