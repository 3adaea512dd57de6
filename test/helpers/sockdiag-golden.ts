// The sockdiag fixtures (test/fixtures/golden/sockdiag) as scripts for ScriptedTransport: each
// request ss sent, with the datagrams that answered it, in the order ss exchanged them.
import type { ScriptedExchange } from "../../src/netlink/scripted.js";
import { loadGolden, normalizeNl, splitNl, type Golden } from "./golden.js";

const NLMSG_DONE = 3;
const SOCK_DIAG_BY_FAMILY = 20;
const INET_DIAG_REQ_BYTECODE = 1;
const S_COND = 7, D_COND = 8;
const REQ_V2 = 56;

const seqOf = (b: Buffer) => b.readUInt32LE(8);
const isDump = (req: Buffer) => (req.readUInt16LE(6) & 0x300) === 0x300;
const hasDone = (d: Buffer) => splitNl(d).some((m) => m.readUInt16LE(4) === NLMSG_DONE);

/**
 * ss leaves the two padding bytes of each inet_diag_hostcond uninitialised (malloc'd): they are
 * zeroed here, as nlkit writes them.
 */
export function zeroHostcondPadding(req: Buffer): Buffer {
  const out = Buffer.from(req);
  if (out.readUInt16LE(4) !== SOCK_DIAG_BY_FAMILY || out[16] === 1 /* AF_UNIX */) return out;
  let off = 16 + REQ_V2;
  while (off + 4 <= out.length) {
    const len = out.readUInt16LE(off);
    const type = out.readUInt16LE(off + 2);
    if (len < 4) break;
    if (type === INET_DIAG_REQ_BYTECODE) {
      let op = off + 4;
      while (op + 4 <= off + len) {
        const code = out[op]!, yes = out[op + 1]!;
        if ((code === S_COND || code === D_COND) && op + 8 <= off + len) out.fill(0, op + 6, op + 8);
        if (yes === 0) break;
        op += yes;
      }
    }
    off += (len + 3) & ~3;
  }
  return out;
}

/**
 * Pairs requests with replies. ss reads a dump to its NLMSG_DONE, but with -K it reads the ack of
 * each SOCK_DESTROY (another socket, another seq) in the middle of the dump: so a dump takes the
 * datagrams of its own seq up to the one with NLMSG_DONE, any other request the first of its seq.
 */
export function goldenScript(g: Golden): ScriptedExchange[] {
  const left = [...g.replies];
  return g.requests.map((req) => {
    const mine: Buffer[] = [];
    for (let i = 0; i < left.length; ) {
      const d = left[i]!;
      if (seqOf(d) !== seqOf(req)) { i++; continue; }
      mine.push(d);
      left.splice(i, 1);
      if (!isDump(req) || hasDone(d)) break;
    }
    return { request: zeroHostcondPadding(normalizeNl(req)), replies: mine };
  });
}

export function sockdiagGolden(name: string): Golden {
  return loadGolden(`sockdiag/${name}`);
}
