import { errnoMessage, errnoName, errnoNumber } from "../syscalls/errno.js";
import { NETLINK_ROUTE } from "./constants.js";

/**
 * What the kernel said besides the errno, from an extended ACK (NLMSGERR_ATTR_*): a `NetlinkError`'s
 * `extack`.
 *
 * @example
 * ```ts
 * const err = await rt.route.add({ dst: "10.9.0.0/16", gateway: "192.0.2.1" }).catch((e: unknown) => e);
 * if (err instanceof NetlinkError) {
 *   const ex: Extack = err.extack;
 *   console.log(ex.message);   // "Nexthop has invalid gateway" (ENETUNREACH: no route to 192.0.2.1)
 * }
 * ```
 */
export interface Extack {
  /** The kernel's explanation (NLMSGERR_ATTR_MSG), e.g. "Unknown device type". */
  message?: string;
  /** Byte offset of the offending attribute inside the request, from its nlmsghdr. */
  offset?: number;
  /** A cookie the kernel attached (NLMSGERR_ATTR_COOKIE). */
  cookie?: Buffer;
  /** The attribute type the kernel wanted and did not get (NLMSGERR_ATTR_MISS_TYPE). */
  missingType?: number;
  /** Offset of the nest it was missing from (NLMSGERR_ATTR_MISS_NEST). */
  missingNest?: number;
  /** The offending attribute's name when the family's tables could resolve `offset` (or the missing type). */
  attribute?: string;
}

/**
 * Which request a `NetlinkError` answers: its message type (named when the family knows it), its
 * position in a batch or transaction, and its bytes, so a refusal can be traced back to what was sent.
 *
 * @example
 * ```ts
 * const err = await rt.link.add({ name: "br0", kind: "bridge" }).catch((e: unknown) => e);
 * if (err instanceof NetlinkError && err.request) {
 *   const req: RequestInfo = err.request;
 *   console.log(req.typeName, req.bytes?.length);   // "RTM_NEWLINK" 56
 * }
 * ```
 */
export interface RequestInfo {
  /** nlmsg_type of the request that failed. */
  type: number;
  /** The name of that type (e.g. RTM_NEWLINK), when the family's message table knows it. */
  typeName?: string;
  /** The socket's netlink protocol (NETLINK_ROUTE 0, NETLINK_GENERIC 16...), when known. */
  protocol?: number;
  /** The request's nlmsg_seq, which the kernel's answer carried. */
  seq?: number;
  /** The request's bytes, when kept. */
  bytes?: Buffer;
  /** Position inside a batch (0-based), for batched requests. */
  index?: number;
}

/**
 * The kernel refused a request: `errno` and `code` ("EEXIST"), the kernel's extended ack
 * (`extack.message`, the attribute it pointed at) and the request it answers (`request.typeName`, its
 * index in a batch, its bytes). The message reads like iproute2's, e.g. `RTNETLINK answers: File
 * exists (EEXIST, RTM_NEWLINK)`.
 *
 * @example
 * ```ts
 * import { NetlinkError } from "nlkit";
 * try {
 *   await rt.link.add({ name: "br0", kind: "bridge" });
 * } catch (e) {
 *   if (!(e instanceof NetlinkError && e.code === "EEXIST")) throw e;   // already there: fine
 * }
 * ```
 */
export class NetlinkError extends Error {
  /** Always "NetlinkError", for checks across realms where `instanceof` fails. */
  override readonly name = "NetlinkError";
  /** The positive errno the kernel answered with (17 for EEXIST). */
  readonly errno: number;
  /** The errno's name ("EEXIST", "ENODEV"), what code usually compares against. */
  readonly code: string;
  /** The kernel's extended ack: its message, the offending attribute when one can be named, the offset. */
  readonly extack: Extack;
  /** The request the kernel refused (type, name, index in a batch, bytes); undefined when unknown. */
  readonly request: RequestInfo | undefined;
  /** Where in a source text the refused command came from (`nft.apply()`'s), when it came from text. */
  declare location?: SourceLocation;

  constructor(errno: number, extack: Extack = {}, request?: RequestInfo) {
    super(formatNetlinkError(errno, extack, request));
    this.errno = errno;
    this.code = errnoName(errno);
    this.extack = extack;
    this.request = request;
  }

  /** The kernel's own words when it sent any, else the errno text: what iproute2 would print. */
  get kernelMessage(): string {
    return this.extack.message ?? errnoMessage(this.errno);
  }
}

function formatNetlinkError(errno: number, extack: Extack, request?: RequestInfo): string {
  // Worded as the family's own tool would: iproute2 prints "Error: <extack>." when the kernel
  // explained itself, else "RTNETLINK answers: <strerror>"; nft says "Could not process rule";
  // the other protocols' (genl, ctnetlink, sock_diag) as ethtool does, "netlink error: <strerror>".
  const nft = request?.typeName?.startsWith("NFT_") ?? false;
  const rtnetlink = request?.protocol === undefined || request.protocol === NETLINK_ROUTE;
  let text = extack.message
    ? `Error: ${extack.message}`
    : nft ? `Error: Could not process rule: ${errnoMessage(errno)}`
    : rtnetlink ? `RTNETLINK answers: ${errnoMessage(errno)}` : `netlink error: ${errnoMessage(errno)}`;
  const parts: string[] = [errnoName(errno)];
  if (request) parts.push(request.typeName ?? `type ${request.type}`);
  if (request?.index !== undefined) parts.push(`batch message ${request.index}`);
  if (extack.attribute) parts.push(`attribute ${extack.attribute}`);
  text += ` (${parts.join(", ")})`;
  return text;
}

/**
 * Malformed bytes: the only error the decoders throw; `offset` is where in the buffer the bad data
 * starts.
 *
 * @example
 * ```ts
 * const buf = Buffer.alloc(16);
 * buf.writeUInt32LE(32, 0);   // an nlmsghdr claiming 32 bytes in a 16-byte buffer
 * try { splitMessages(buf); } catch (e) {
 *   if (e instanceof NetlinkParseError) console.log(e.message, e.offset);   // "bad nlmsg_len 32 at byte 0" 0
 * }
 * ```
 */
export class NetlinkParseError extends Error {
  /** Always "NetlinkParseError". */
  override readonly name = "NetlinkParseError";
  /** Where in the buffer the malformed data starts. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} at byte ${offset}`);
    this.offset = offset;
  }
}

/**
 * Where in the nft text an error is (`error.location` of the `NlkitInputError` or `NetlinkError`
 * `nft.apply()` throws): file, line, columns and the token (syntax and type errors only).
 *
 * @example
 * ```ts
 * const err = await nft.apply("add rule inet fw input tcp dprt 22 accept", { filename: "fw.nft" }).catch((e: unknown) => e);
 * if (err instanceof NlkitInputError) {
 *   const loc: NftSourceLocation | undefined = err.location;
 *   console.log(loc);   // { file: 'fw.nft', line: 1, column: 28, endColumn: 31, token: 'dprt' }
 * }
 * ```
 */
export interface SourceLocation {
  /** The file name the error names: ApplyOptions' `filename`, or "<input>". */
  file: string;
  /** The line, from 1. */
  line: number;
  /** The first column marked, from 1 (a tab counts as one column). */
  column: number;
  /** The last column marked, inclusive (equal to `column` for a one-character mark). */
  endColumn: number;
  /** The offending token's text, when there is one. */
  token?: string;
}

/**
 * Bad input from the caller, refused before anything reached the kernel, so nothing changed; `field`
 * names the argument at fault (e.g. `address` for "10.0.0.300/24").
 *
 * @example
 * ```ts
 * import { NlkitInputError } from "nlkit";
 * await rt.addr.add("veth1", "10.0.0.300/24").catch((e) => e instanceof NlkitInputError && e.field);   // "address"
 * ```
 */
export class NlkitInputError extends Error {
  /** Always "NlkitInputError". */
  override readonly name = "NlkitInputError";
  /** The errno matching `code` (22 for EINVAL), so callers can treat it like a kernel refusal. */
  readonly errno: number;
  /**
   * "EINVAL" for bad values; a more precise errno name where one fits (EMSGSIZE for an oversized
   * transaction).
   */
  readonly code: string;
  /** The argument or field at fault, e.g. "name" or "peer.name". */
  readonly field: string | undefined;
  /** Where in a source text the fault is, for input given as text (`nft.apply()`'s). */
  declare location?: SourceLocation;
  constructor(message: string, field?: string, code = "EINVAL") {
    super(message);
    this.field = field;
    this.code = code;
    this.errno = errnoNumber(code) ?? 22;
  }
}

/**
 * A dump whose data changed while the kernel produced it (NLM_F_DUMP_INTR). The data is still
 * here: the caller decides whether a possibly inconsistent snapshot is good enough.
 *
 * @example
 * ```ts
 * // rt's lists retry twice themselves; this is the last attempt, still interrupted
 * const links = await rt.link.list().catch((e: unknown) => {
 *   if (e instanceof DumpInterruptedError) return e.messages as Link[];   // good enough for a listing
 *   throw e;
 * });
 * ```
 */
export class DumpInterruptedError<T = unknown> extends Error {
  /** "DumpInterruptedError". */
  override readonly name: string = "DumpInterruptedError";
  /** Always "EINTR". */
  readonly code = "EINTR";
  /** Always 4 (EINTR). */
  readonly errno = 4;
  /**
   * What the last attempt returned: possibly inconsistent, still usable. Empty from
   * `NetlinkSocket.dumpIter`, which has yielded them already.
   */
  readonly messages: T[];
  /** How many times the dump ran before giving up. */
  readonly attempts: number;
  constructor(messages: T[], attempts: number) {
    super(`dump interrupted: the kernel's data changed during the dump (NLM_F_DUMP_INTR) after ${attempts} attempt(s)`);
    this.messages = messages;
    this.attempts = attempts;
  }
}

/**
 * No answer within the time a call allowed (`timeoutMs`); the socket stays usable.
 *
 * @example
 * ```ts
 * const sock = new NetlinkSocket(new ScriptedTransport(() => []));   // a "kernel" that never answers
 * const err = await sock.request({ type: 18 }, undefined, { timeoutMs: 100 }).catch((e: unknown) => e);
 * if (err instanceof NlkitTimeoutError) console.log(err.message);   // "no reply from the kernel within 100 ms"
 * ```
 */
export class NlkitTimeoutError extends Error {
  /** Always "NlkitTimeoutError". */
  override readonly name = "NlkitTimeoutError";
  /** Always "ETIMEDOUT". */
  readonly code = "ETIMEDOUT";
  /** Always 110 (ETIMEDOUT). */
  readonly errno = 110;
  /** The time allowed, in ms. */
  readonly timeoutMs: number;
  constructor(timeoutMs: number, what = "no reply from the kernel") {
    super(`${what} within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/** What an aborted call rejects with: the signal's reason, or a DOMException named AbortError. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}
