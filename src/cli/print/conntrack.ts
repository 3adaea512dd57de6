// conntrack-tools' default line for a flow (libnetfilter_conntrack's snprintf_default): the same
// fields, in the same order, with the same padding, so that `diff` against `conntrack -L` is quiet.
import type { Flow, FlowTuple } from "../../conntrack/flow.js";

export interface FlowTextOptions {
  /** -o extended: the layer-3 protocol first ("ipv4     2"). */
  extended?: boolean;
  /** -o id: the flow id last. */
  id?: boolean;
  /** -E: "[NEW]", "[UPDATE]" or "[DESTROY]", right-aligned in 9 columns. */
  event?: "new" | "update" | "destroy";
  /** -E: the port of the socket that caused the event, as " [USERSPACE] portid=N". */
  portid?: number;
}

const pad8 = (s: string) => (s.length >= 8 ? s : s + " ".repeat(8 - s.length));

function tupleText(t: FlowTuple, protoNum: number): string {
  let s = `src=${t.src} dst=${t.dst} `;
  switch (protoNum) {
    case 6: case 17: case 136: case 132: case 33:
      s += `sport=${t.sport ?? 0} dport=${t.dport ?? 0} `;
      break;
    case 47:
      s += `srckey=0x${(t.sport ?? 0).toString(16)} dstkey=0x${(t.dport ?? 0).toString(16)} `;
      break;
    case 1: case 58:
      s += `type=${t.icmpType ?? 0} code=${t.icmpCode ?? 0} id=${t.icmpId ?? 0} `;
      break;
  }
  return s;
}

function countersText(c: { packets: number | string; bytes: number | string } | undefined): string {
  return c ? `packets=${c.packets} bytes=${c.bytes} ` : "";
}

/**
 * One flow as conntrack prints it. CTA_MARK is in every dump but in events only when set, so the
 * mark is printed always for tables and only when non-zero for events, as conntrack does (a
 * mark just cleared to 0 is the one event where conntrack prints mark=0 and this does not).
 */
export function flowText(f: Flow, o: FlowTextOptions = {}): string {
  let s = "";
  if (o.event) s += `[${o.event.toUpperCase()}]`.padStart(9) + " ";
  if (o.extended) s += `${pad8(f.family === 4 ? "ipv4" : f.family === 6 ? "ipv6" : "unknown")} ${f.family === 4 ? 2 : f.family === 6 ? 10 : f.family} `;
  s += `${pad8(f.proto)} ${f.protoNum} `;
  if (f.timeout !== undefined) s += `${f.timeout} `;
  if (f.state !== undefined) s += `${f.state} `;
  s += tupleText(f.orig, f.protoNum);
  if (f.orig.zone !== undefined) s += `zone-orig=${f.orig.zone} `;
  s += countersText(f.counters?.orig);
  if (!f.status.includes("SEEN_REPLY")) s += "[UNREPLIED] ";
  s += tupleText(f.reply, f.protoNum);
  if (f.reply.zone !== undefined) s += `zone-reply=${f.reply.zone} `;
  s += countersText(f.counters?.reply);
  if (f.status.includes("HW_OFFLOAD")) s += "[HW_OFFLOAD] ";
  else if (f.status.includes("OFFLOAD")) s += "[OFFLOAD] ";
  else if (f.status.includes("ASSURED")) s += "[ASSURED] ";
  if (!o.event || f.mark !== 0) s += `mark=${f.mark} `;
  if (f.secctx !== undefined) s += `secctx=${f.secctx} `;
  if (f.zone !== 0 && f.orig.zone === undefined && f.reply.zone === undefined) s += `zone=${f.zone} `;
  if (f.timestamp) {
    const end = f.timestamp.stop !== undefined ? Number(BigInt(f.timestamp.stop) / 1_000_000_000n) : Math.floor(Date.now() / 1000);
    s += `delta-time=${end - Number(BigInt(f.timestamp.start) / 1_000_000_000n)} `;
  }
  if (f.helper !== undefined) s += `helper=${f.helper} `;
  if (f.use !== undefined) s += `use=${f.use} `;
  if (o.id) s += `id=${f.id} `;
  // conntrack also names the program when that socket is still open; nlkit cannot see it
  return s.slice(0, -1) + (o.portid ? ` [USERSPACE] portid=${o.portid}` : "");
}
