// Runs nlkit command lines without a kernel against the state a golden fixture recorded: the
// kernel's replies to ip (links, addresses, neighbours...) are served back to nlkit's own dumps
// and lookups by a ScriptedTransport, so a CLI printer can be compared with the text ip printed
// from exactly those bytes.
import { Cli, type GlobalOptions } from "../../src/cli/context.js";
import { runCommand } from "../../src/cli/main.js";
import { reportError } from "../../src/cli/report.js";
import { decodeAttrs } from "../../src/netlink/attrs.js";
import { NLM_F_ACK, NLM_F_DUMP, NLM_F_MULTI } from "../../src/netlink/constants.js";
import { reply, ScriptedTransport, type ScriptedRequest } from "../../src/netlink/scripted.js";
import { decodeStruct } from "../../src/netlink/struct.js";
import { ifaddrmsg, ifinfomsg, ndmsg } from "../../src/rtnl/headers.js";
import { linkAttrs } from "../../src/rtnl/link/attrs.js";
import { ndaAttrs } from "../../src/rtnl/neigh/table.js";
import { Rtnl } from "../../src/rtnl/rtnl.js";
import { splitNl, type Golden } from "./golden.js";

const GET_TO_NEW: Record<number, number> = { 18: 16, 22: 20, 26: 24, 30: 28, 34: 32, 74: 72, 82: 80 };

/** One copy of every message of the fixture's replies, by type; later copies of a link win (fresher). */
function stateOf(g: Golden): Map<number, Buffer[]> {
  const byType = new Map<number, Buffer[]>();
  const links = new Map<number, Buffer>();
  for (const d of g.replies) {
    for (const m of splitNl(d)) {
      const type = m.readUInt16LE(4);
      if (type === 16) links.set(m.readInt32LE(16 + 4), Buffer.from(m));
      else if (type !== 2 && type !== 3) (byType.get(type) ?? byType.set(type, []).get(type)!).push(Buffer.from(m));
    }
  }
  byType.set(16, [...links.values()]);
  return byType;
}

function withFlags(m: Buffer, flags: number): Buffer {
  const c = Buffer.from(m);
  c.writeUInt16LE(flags, 6);
  return c;
}

/** The recorded kernel: dumps answer every recorded message of the type (filtered as strict checking filters), GETs the one asked for. */
function handler(state: Map<number, Buffer[]>): (req: ScriptedRequest) => Buffer[] | undefined {
  return (req) => {
    const newType = GET_TO_NEW[req.type];
    if (newType === undefined) return undefined;
    let msgs = state.get(newType) ?? [];
    const dump = (req.flags & NLM_F_DUMP) === NLM_F_DUMP;
    if (newType === 16) {
      const h = decodeStruct(req.payload, 0, ifinfomsg.size, ifinfomsg);
      const a = decodeAttrs(req.payload, ifinfomsg.size, req.payload.length, linkAttrs);
      if (!dump) {
        const hit = msgs.find((m) => (a.ifname !== undefined
          ? decodeAttrs(m, 16 + ifinfomsg.size, m.length, linkAttrs).ifname === a.ifname
          : m.readInt32LE(16 + 4) === h.index));
        return [hit ? withFlags(hit, 0) : reply.error(19, req)];
      }
    } else if (newType === 20) {
      const h = decodeStruct(req.payload, 0, ifaddrmsg.size, ifaddrmsg);
      msgs = msgs.filter((m) => (!h.family || m[16] === h.family) && (!h.index || m.readUInt32LE(16 + 4) === h.index));
    } else if (newType === 28) {
      const a = decodeAttrs(req.payload, ndmsg.size, req.payload.length, ndaAttrs);
      if (a.ifindex) msgs = msgs.filter((m) => m.readInt32LE(16 + 4) === a.ifindex);
    }
    // a GET asked with NLM_F_ACK (netconf) is answered with the message, then the ack
    if (!dump) return msgs[0] ? [withFlags(msgs[0], 0), ...(req.flags & NLM_F_ACK ? [reply.ack(req)] : [])] : [reply.error(2, req)];
    return [reply.datagram(...msgs.map((m) => withFlags(m, NLM_F_MULTI))), reply.done()];
  };
}

/** `nlkit ARGS` (global options included) against the fixture's state: stdout, stderr and exit status. */
export async function replayCli(g: Golden, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { parseGlobalOptions } = await import("../../src/cli/main.js");
  const { opts, words } = parseGlobalOptions(argv) as { opts: GlobalOptions; words: string[] };
  let stdout = "";
  let stderr = "";
  const cli = new Cli(opts, (s) => void (stdout += s));
  const rt = Rtnl.openSync({ transport: new ScriptedTransport(handler(stateOf(g))) });
  (cli as unknown as { handle: Rtnl }).handle = rt;
  let code: number;
  try {
    code = await runCommand(cli, words);
  } catch (e) {
    code = reportError(e, (s) => void (stderr += s));
  } finally {
    cli.close();
  }
  return { code, stdout, stderr };
}
