// The kernel-side filter of inet dumps (INET_DIAG_REQ_BYTECODE): a program of conditional jumps
// that inet_diag runs on every socket before it is copied out. Pure: conditions in, bytes out.
import { NlkitInputError } from "../netlink/errors.js";
import { parseCidr } from "../netlink/ip.js";
import { encodeStruct } from "../netlink/struct.js";
import { NlWriter } from "../netlink/writer.js";
import { AF_INET, AF_INET6, INET_DIAG_BC, inetDiagBcOp, inetDiagHostcond } from "./table.js";

/**
 * What a dump can be narrowed to by the kernel; every condition given must hold.
 *
 * @example
 * ```ts
 * // ss -tln src 10.0.0.1 sport = :8080; every condition given must hold
 * const c: InetConditions = { src: "10.0.0.1", sport: 8080 };
 * const listeners = await sd.tcp({ ...c, states: ["listening"] });
 * console.log(listeners.length > 0);   // true once the server is up
 * ```
 */
export interface InetConditions {
  /** Source (local) address or prefix: "10.0.0.1", "10.0.0.0/8", "2001:db8::/32". */
  src?: string;
  /** Destination (remote) address or prefix. */
  dst?: string;
  /** Local port. */
  sport?: number;
  /** Remote port. */
  dport?: number;
}

interface Hostcond {
  code: number;
  family: number;
  prefixLen: number;
  port: number;
  addr: Buffer;
}

function port(v: unknown, field: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 65535) {
    throw new NlkitInputError(`invalid ${field} ${String(v)}: a port is an integer from 0 to 65535`, field);
  }
  return v;
}

function prefix(v: unknown, field: string): Omit<Hostcond, "code" | "port"> {
  const c = typeof v === "string" ? parseCidr(v) : undefined;
  if (!c) throw new NlkitInputError(`invalid ${field} "${String(v)}": an IP address or prefix (ADDRESS[/LENGTH])`, field);
  return { family: c.family === 4 ? AF_INET : AF_INET6, prefixLen: c.prefixlen, addr: c.bytes };
}

/**
 * The conditions in a fixed order: addresses, then ports. A port alone is a host condition of
 * family AF_UNSPEC, with the four address bytes ss always reserves (the kernel reads none).
 */
function hostconds(c: InetConditions): Hostcond[] {
  const out: Hostcond[] = [];
  const any = { family: 0, prefixLen: 0, addr: Buffer.alloc(4) };
  if (c.src !== undefined) out.push({ code: INET_DIAG_BC.S_COND, port: -1, ...prefix(c.src, "src") });
  if (c.dst !== undefined) out.push({ code: INET_DIAG_BC.D_COND, port: -1, ...prefix(c.dst, "dst") });
  if (c.sport !== undefined) out.push({ code: INET_DIAG_BC.S_COND, port: port(c.sport, "sport"), ...any });
  if (c.dport !== undefined) out.push({ code: INET_DIAG_BC.D_COND, port: port(c.dport, "dport"), ...any });
  return out;
}

/**
 * The program for the conjunction of the conditions, or undefined when there are none. Each op
 * falls through to the next when it matches (yes = its own length) and otherwise jumps 4 bytes
 * past the end, which the kernel reads as "reject" — the layout ss writes for `A and B`.
 */
export function compileFilter(c: InetConditions): Buffer | undefined {
  const conds = hostconds(c);
  if (conds.length === 0) return undefined;
  const sizes = conds.map((h) => inetDiagBcOp.size + inetDiagHostcond.size + h.addr.length);
  const total = sizes.reduce((a, b) => a + b, 0);
  // yes is a u8 and no a u16: a handful of conditions never comes near either limit
  const w = new NlWriter(total);
  let at = 0;
  conds.forEach((h, i) => {
    encodeStruct(w, inetDiagBcOp, { code: h.code, yes: sizes[i]!, no: total - at + 4 });
    encodeStruct(w, inetDiagHostcond, { family: h.family, prefixLen: h.prefixLen, port: h.port });
    w.bytes(h.addr);
    at += sizes[i]!;
  });
  return w.take();
}
