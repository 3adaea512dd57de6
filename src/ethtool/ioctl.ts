// Driver statistics (ethtool -S) through the legacy SIOCETHTOOL commands, the way ethtool 6.1
// reads them: ETHTOOL_GSSET_INFO for the count, ETHTOOL_GSTRINGS for the names, ETHTOOL_GSTATS for
// the u64 values. The kernel writes as many names and values as the driver has *now*, whatever
// count the buffer says, so each buffer leaves room for the count to grow in between.
import { NetlinkParseError } from "../netlink/errors.js";
import { decodeStruct, encodeStruct, type StructDef, type StructValue } from "../netlink/struct.js";
import { NlWriter } from "../netlink/writer.js";
import * as sys from "../syscalls/index.js";
import { ETH_GSTRING_LEN, ETH_SS, ETHTOOL_IOCTL, ethtoolGstrings, ethtoolSsetInfo, ethtoolStats } from "./table.js";

/** Names and values the driver added between two commands fit in this much more. */
const SLACK = 256;
/** A count read from the kernel is a u32: never an allocation of that size. */
const MAX_STATS = 1 << 16;
const STATS_BIT = 1n << BigInt(ETH_SS.STATS);

/** Sends one command: its head, then `room` zeroed bytes for the kernel's array; returns the buffer. */
function command(fd: number, ifname: string, def: StructDef, head: StructValue, room: number, what: string): Buffer {
  const w = new NlWriter(def.size + room);
  encodeStruct(w, def, head);
  w.zeros(room);
  const buf = w.take();
  sys.ethtoolIoctl(fd, ifname, buf, what);
  return buf;
}

const headOf = (buf: Buffer, def: StructDef) => decodeStruct(buf, 0, def.size, def);

function checkedCount(n: number, room: number, what: string): number {
  if (n > room) throw new NetlinkParseError(`${what}: the driver's ${n} entries outgrew the ${room} asked for`, 0);
  return n;
}

/** The driver's statistics of `ifname`, in its order, as ethtool -S lists them. */
export function readDriverStats(fd: number, ifname: string): Array<[string, bigint]> {
  // one u32 count follows for each set bit of the mask the kernel answers with
  const info = command(fd, ifname, ethtoolSsetInfo, { cmd: ETHTOOL_IOCTL.GSSET_INFO, ssetMask: STATS_BIT }, 4, "ETHTOOL_GSSET_INFO");
  if (((headOf(info, ethtoolSsetInfo).ssetMask as bigint) & STATS_BIT) === 0n) return [];
  const n = info.readUInt32LE(ethtoolSsetInfo.size);
  if (n === 0) return [];
  if (n > MAX_STATS) throw new NetlinkParseError(`ETHTOOL_GSSET_INFO: ${n} statistics`, 0);
  const room = n + SLACK;
  const names = command(fd, ifname, ethtoolGstrings, { cmd: ETHTOOL_IOCTL.GSTRINGS, stringSet: ETH_SS.STATS, len: n }, room * ETH_GSTRING_LEN, "ETHTOOL_GSTRINGS");
  const nNames = checkedCount(headOf(names, ethtoolGstrings).len as number, room, "ETHTOOL_GSTRINGS");
  const values = command(fd, ifname, ethtoolStats, { cmd: ETHTOOL_IOCTL.GSTATS, nStats: n }, room * 8, "ETHTOOL_GSTATS");
  const nValues = checkedCount(headOf(values, ethtoolStats).nStats as number, room, "ETHTOOL_GSTATS");
  const out: Array<[string, bigint]> = [];
  for (let i = 0; i < Math.min(nNames, nValues); i++) {
    const at = ethtoolGstrings.size + i * ETH_GSTRING_LEN;
    const end = names.indexOf(0, at);
    const name = names.toString("utf8", at, end < 0 || end > at + ETH_GSTRING_LEN ? at + ETH_GSTRING_LEN : end);
    out.push([name, values.readBigUInt64LE(ethtoolStats.size + i * 8)]);
  }
  return out;
}
