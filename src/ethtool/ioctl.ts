// Driver statistics (ethtool -S) through the legacy SIOCETHTOOL commands, the way ethtool 6.1
// reads them: ETHTOOL_GSSET_INFO for the count, ETHTOOL_GSTRINGS for the names, ETHTOOL_GSTATS for
// the u64 values. The kernel writes as many names and values as the driver has *now*, whatever
// count the buffer says, so each buffer leaves room for the count to grow in between.
import { NetlinkParseError } from "../netlink/errors.js";
import * as sys from "../syscalls/index.js";
import { ETH_GSTRING_LEN, ETH_SS, ETHTOOL_IOCTL } from "./table.js";

/** Names and values the driver added between two commands fit in this much more. */
const SLACK = 256;
/** A count read from the kernel is a u32: never an allocation of that size. */
const MAX_STATS = 1 << 16;

/** How many driver statistics `ifname` has (0 when its driver has none). */
function statsCount(fd: number, ifname: string): number {
  // struct ethtool_sset_info: cmd, reserved, sset_mask (u64), then one u32 per set bit
  const b = Buffer.alloc(20);
  b.writeUInt32LE(ETHTOOL_IOCTL.GSSET_INFO, 0);
  b.writeBigUInt64LE(1n << BigInt(ETH_SS.STATS), 8);
  sys.ethtoolIoctl(fd, ifname, b, "ETHTOOL_GSSET_INFO");
  if ((b.readBigUInt64LE(8) & (1n << BigInt(ETH_SS.STATS))) === 0n) return 0;
  return b.readUInt32LE(16);
}

function checkedCount(n: number, room: number, what: string): number {
  if (n > room) throw new NetlinkParseError(`${what}: the driver's ${n} entries outgrew the ${room} asked for`, 0);
  return n;
}

/** The driver's statistics of `ifname`, in its order, as ethtool -S lists them. */
export function readDriverStats(fd: number, ifname: string): Array<[string, bigint]> {
  const n = statsCount(fd, ifname);
  if (n === 0) return [];
  if (n > MAX_STATS) throw new NetlinkParseError(`ETHTOOL_GSSET_INFO: ${n} statistics`, 0);
  const room = n + SLACK;
  // struct ethtool_gstrings: cmd, string_set, len, then len names of ETH_GSTRING_LEN bytes
  const names = Buffer.alloc(12 + room * ETH_GSTRING_LEN);
  names.writeUInt32LE(ETHTOOL_IOCTL.GSTRINGS, 0);
  names.writeUInt32LE(ETH_SS.STATS, 4);
  names.writeUInt32LE(n, 8);
  sys.ethtoolIoctl(fd, ifname, names, "ETHTOOL_GSTRINGS");
  const nNames = checkedCount(names.readUInt32LE(8), room, "ETHTOOL_GSTRINGS");
  // struct ethtool_stats: cmd, n_stats, then n_stats u64 values
  const values = Buffer.alloc(8 + room * 8);
  values.writeUInt32LE(ETHTOOL_IOCTL.GSTATS, 0);
  values.writeUInt32LE(n, 4);
  sys.ethtoolIoctl(fd, ifname, values, "ETHTOOL_GSTATS");
  const nValues = checkedCount(values.readUInt32LE(4), room, "ETHTOOL_GSTATS");
  const out: Array<[string, bigint]> = [];
  for (let i = 0; i < Math.min(nNames, nValues); i++) {
    const at = 12 + i * ETH_GSTRING_LEN;
    const end = names.indexOf(0, at);
    const name = names.toString("utf8", at, end < 0 || end > at + ETH_GSTRING_LEN ? at + ETH_GSTRING_LEN : end);
    out.push([name, values.readBigUInt64LE(8 + i * 8)]);
  }
  return out;
}
