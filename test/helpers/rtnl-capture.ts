// Runs rtnl verbs without a kernel, through nlkit's own ScriptedTransport: device lookups are
// answered from a table, every other request is recorded and answered by `replies` (in order:
// one list of reply datagrams per request) or, when those run out or a list is empty, with the
// default ack/NLMSG_DONE.
import { decodeAttrs, encodeAttrs } from "../../src/netlink/attrs.js";
import { NLM_F_DUMP } from "../../src/netlink/constants.js";
import { reply, ScriptedTransport, type ScriptedRequest } from "../../src/netlink/scripted.js";
import { decodeStruct, encodeStruct } from "../../src/netlink/struct.js";
import { NlWriter } from "../../src/netlink/writer.js";
import { immediateExecutor, type Executor, type RtnlContext } from "../../src/rtnl/context.js";
import { ifinfomsg } from "../../src/rtnl/headers.js";
import { linkAttrs, RTEXT_FILTER_SKIP_STATS } from "../../src/rtnl/link/attrs.js";
import { Rtnl } from "../../src/rtnl/rtnl.js";
import { RTM_GETLINK, RTM_NEWLINK } from "../../src/rtnl/types.js";

export interface Captured {
  req: ScriptedRequest;
  /** The full message as the socket sent it. */
  bytes: Buffer;
}

/** An RTM_NEWLINK carrying just an index and a name: what a lookup reply needs to hold. */
export function linkReply(index: number, name: string): Buffer {
  const w = new NlWriter(64);
  encodeStruct(w, ifinfomsg, { index });
  encodeAttrs(w, linkAttrs, { ifname: name });
  return reply.message(RTM_NEWLINK, w.take());
}

/** Answers nlkit's device lookups (RTM_GETLINK by name or by index from `devices`), ENODEV otherwise; undefined for other requests. */
export function answerLookup(req: ScriptedRequest, devices: Record<string, number>): Buffer[] | undefined {
  if (req.type !== RTM_GETLINK || (req.flags & NLM_F_DUMP) === NLM_F_DUMP) return undefined;
  const h = decodeStruct(req.payload, 0, ifinfomsg.size, ifinfomsg);
  const attrs = decodeAttrs(req.payload, ifinfomsg.size, req.payload.length, linkAttrs);
  // nlkit's own lookups skip the statistics; link.get() asks for more and is the test's to answer
  if (attrs.extMask !== RTEXT_FILTER_SKIP_STATS) return undefined;
  const byName = attrs.ifname as string | undefined;
  const index = byName !== undefined ? devices[byName] : (h.index as number);
  const name = byName ?? Object.entries(devices).find(([, i]) => i === index)?.[0];
  if (index === undefined || name === undefined) return [reply.error(19, req)];
  return [linkReply(index, name)];
}

export function captureRtnl(devices: Record<string, number> = {}, replies: Buffer[][] = []): {
  rt: Rtnl; ctx: RtnlContext; exec: Executor; sent: Captured[]; transport: ScriptedTransport;
} {
  const sent: Captured[] = [];
  const transport = new ScriptedTransport((req) => {
    const lookup = answerLookup(req, devices);
    if (lookup) return lookup;
    sent.push({ req, bytes: req.bytes });
    const r = replies.shift();
    return r && r.length ? r : undefined;
  });
  const rt = Rtnl.openSync({ transport });
  return { rt, ctx: rt.ctx, exec: immediateExecutor(rt.socket), sent, transport };
}
