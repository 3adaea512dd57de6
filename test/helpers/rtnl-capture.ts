// Runs rtnl verbs without a kernel: a context whose device lookups come from a table, and an
// executor that records each request and encodes it the way the socket would.
import { NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST } from "../../src/netlink/constants.js";
import { NetlinkError } from "../../src/netlink/errors.js";
import type { Decoder, Request } from "../../src/netlink/socket.js";
import { NlWriter } from "../../src/netlink/writer.js";
import type { Executor, RtnlContext } from "../../src/rtnl/context.js";
import { RTM_GETLINK } from "../../src/rtnl/types.js";

export interface Captured {
  req: Request;
  /** The full message as NetlinkSocket would send it (seq/pid 0). */
  bytes: Buffer;
}

export function encodeRequest(req: Request): Buffer {
  const w = new NlWriter(256);
  const dump = ((req.flags ?? 0) & NLM_F_DUMP) === NLM_F_DUMP;
  const flags = (req.flags ?? 0) | NLM_F_REQUEST | (dump || req.reply ? 0 : NLM_F_ACK);
  const s = w.beginMessage(req.type, flags, 0, 0);
  req.encode?.(w);
  w.endMessage(s);
  return w.take();
}

export function captureRtnl(devices: Record<string, number> = {}, replies: Buffer[][] = []): {
  ctx: RtnlContext; exec: Executor; sent: Captured[];
} {
  const sent: Captured[] = [];
  const answer = <T>(req: Request, decode?: Decoder<T>): T[] => {
    sent.push({ req, bytes: encodeRequest(req) });
    const out: T[] = [];
    for (const m of replies.shift() ?? []) if (decode) out.push(decode(m, 0, m.length));
    return out;
  };
  // reads go to the socket directly; the link-name dump (RTM_GETLINK) answers empty, unrecorded
  const dump = <T>(req: Request, decode: Decoder<T>): T[] =>
    req.type === RTM_GETLINK ? [] : answer({ ...req, flags: (req.flags ?? 0) | NLM_F_DUMP }, decode);
  const ctx = {
    ifindex(dev: string | number): number {
      if (typeof dev === "number") return dev;
      const i = devices[dev];
      if (i === undefined) throw new NetlinkError(19, { message: `Cannot find device "${dev}"` });
      return i;
    },
    socket: {
      dumpSync: dump,
      dump: async <T>(req: Request, decode: Decoder<T>) => dump(req, decode),
      requestSync: answer,
      request: async <T>(req: Request, decode?: Decoder<T>) => answer(req, decode),
    },
  } as unknown as RtnlContext;
  const exec: Executor = {
    batched: false,
    async run<T>(req: Request, decode?: Decoder<T>): Promise<T[]> {
      return answer(req, decode);
    },
    fail: (e) => Promise.reject(e),
  };
  return { ctx, exec, sent };
}
