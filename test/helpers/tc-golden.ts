// What tc's golden fixtures (test/fixtures/golden/tc) share: the devices of the capture
// namespace, the kernel clock tc read there, and the command's own request (its last one).
import { decodeMessage } from "../../src/netlink/message.js";
import { filterMessage } from "../../src/rtnl/tc/filter/index.js";
import { parsePsched, type Psched } from "../../src/rtnl/tc/units.js";
import type { Golden } from "./golden.js";

/** In each capture's fresh namespace: lo, then the veth pair vb/va (see the fixture notes). */
export const TC_DEVICES = { lo: 1, vb: 2, va: 3 };

/** The /proc/net/psched tc read during the capture, recorded in the notes. */
export function fixturePsched(g: Golden): Psched {
  const m = /psched: ([0-9a-f ]+)\./.exec(g.notes ?? "");
  if (!m) throw new Error(`${g.name}: no psched in the notes`);
  return parsePsched(m[1]!);
}

/** The RTM_*QDISC/TCLASS/TFILTER the command sent: its last request (tc's link dump comes first). */
export function commandRequest(g: Golden): Buffer {
  return g.requests[g.requests.length - 1]!;
}

/** The fd number tc put in TCA_BPF_FD (only meaningful in that tc process; a test sends the same). */
export function capturedBpfFd(req: Buffer): number | undefined {
  const m = decodeMessage(req, 0, req.length, filterMessage);
  return ((m.attrs as Record<string, any>).options as Record<string, any> | undefined)?.fd;
}

/** The reply datagrams of the command's own request (matched by seq), leaving out tc's link dump. */
export function commandReplies(g: Golden): Buffer[] {
  const seq = commandRequest(g).readUInt32LE(8);
  return g.replies.filter((d) => d.length >= 16 && d.readUInt32LE(8) === seq);
}
