// A scripted kernel that answers from golden fixtures of generic netlink tools: a request is
// answered only when its bytes (seq, pid and attribute padding aside) equal one the tool sent,
// with the datagrams the kernel answered that one with. So every replayed call is also a
// golden-bytes check.
import { ScriptedTransport, ScriptMismatchError, type ScriptHandler } from "../../../src/netlink/scripted.js";
import { normalizeNl, splitNl, type Golden } from "../../helpers/golden.js";

const NLMSG_ERROR = 2;
const GENL_HDRLEN = 4;

/** Zeroes attribute padding, walking into nests (NLA_F_NESTED): ethtool leaves stale bytes there. */
function zeroPadding(b: Buffer, start: number, end: number): void {
  let off = start;
  while (off + 4 <= end) {
    const len = b.readUInt16LE(off);
    if (len < 4 || off + len > end) return;
    if (b.readUInt16LE(off + 2) & 0x8000) zeroPadding(b, off + 4, off + len);
    const next = Math.min(end, (off + len + 3) & ~3);
    b.fill(0, off + len, next);
    off = next;
  }
}

/** A request as compared: seq and pid zeroed, and the padding of its attributes. */
export function requestKey(bytes: Buffer): string {
  const b = normalizeNl(bytes);
  if (b.readUInt16LE(4) >= 0x10) zeroPadding(b, 16 + GENL_HDRLEN, Math.min(b.length, b.readUInt32LE(0)));
  return b.toString("hex");
}

/** The (type, seq) of the request a reply message answers: its own, or the one an error echoes. */
function answers(m: Buffer): string {
  if (m.readUInt16LE(4) === NLMSG_ERROR && m.length >= 36) return `${m.readUInt16LE(24)}/${m.readUInt32LE(28)}`;
  return `${m.readUInt16LE(4)}/${m.readUInt32LE(8)}`;
}

interface Entry {
  key: string;
  replies: Buffer[];
  from: string;
}

/**
 * Answers from these fixtures (after `first`, which may answer a request itself); `sent` lists
 * what was asked, `misses` what no fixture holds.
 */
export function replay(fixtures: Golden[], first?: ScriptHandler): ScriptedTransport & { misses: string[] } {
  const pool: Entry[] = [];
  for (const g of fixtures) {
    // ethtool's two sockets each count seqs from 1: a reply belongs to the request of its seq and type
    const byRequest = new Map<string, Entry>();
    for (const r of g.requests) {
      const e: Entry = { key: requestKey(r), replies: [], from: g.name };
      byRequest.set(`${r.readUInt16LE(4)}/${r.readUInt32LE(8)}`, e);
      pool.push(e);
    }
    for (const d of g.replies) byRequest.get(answers(splitNl(d)[0]!))?.replies.push(d);
  }
  const misses: string[] = [];
  const t = new ScriptedTransport((req) => {
    const own = first?.(req);
    if (own) return own;
    const key = requestKey(req.bytes);
    const hit = pool.find((e) => e.key === key);
    if (!hit) {
      misses.push(key);
      throw new ScriptMismatchError(`no fixture request equals ${key}`, undefined, req.bytes);
    }
    return hit.replies;
  }) as ScriptedTransport & { misses: string[] };
  t.misses = misses;
  return t;
}
