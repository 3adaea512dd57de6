import { NlkitInputError } from "../netlink/errors.js";
import { parseIp } from "../netlink/ip.js";
import * as sys from "../syscalls/index.js";
import { socketIn, type NetnsArg } from "./netns-socket.js";
import { sleep, waitReadable } from "./wait.js";

/**
 * How `ping()` probes: from which namespace, how many echoes, the interval and per-reply wait, and an
 * `AbortSignal`.
 *
 * @example
 * ```ts
 * const ac = new AbortController();
 * const opts: PingOptions = { netns: "ns1", count: 5, intervalMs: 200, timeoutMs: 500, signal: ac.signal };
 * const r = await ping("10.0.0.1", opts);
 * console.log(`${r.received}/${r.sent} answered`);
 * ```
 */
export interface PingOptions {
  /** Where to ping from: a namespace name or reference (default: the current namespace). */
  netns?: NetnsArg;
  /** Echo requests to send, one after the other (ping's -c; default 1). */
  count?: number;
  /** How long to wait for each echo's reply, in ms (default 1000). */
  timeoutMs?: number;
  /**
   * Pause between echoes, in ms (ping's -i, but in ms): default none, each echo is sent once the
   * previous one was answered or timed out.
   */
  intervalMs?: number;
  /** Stops the probe: the promise rejects with the signal's reason and the socket is closed. */
  signal?: AbortSignal;
}

/**
 * What `ping()` resolves with: echoes sent and answered and their round-trip times in ms.
 *
 * @example
 * ```ts
 * const r: PingResult = await ping("2001:db8::1", { netns: "ns1", count: 3 });
 * if (r.received === 0) console.log(`${r.target}: no reply (${r.method})`);
 * else console.log(`${r.target}: ${r.received}/${r.sent}, rtt min/avg/max ${r.min!.toFixed(3)}/${r.avg!.toFixed(3)}/${r.max!.toFixed(3)} ms`);
 * ```
 */
export interface PingResult {
  /** The address pinged. */
  target: string;
  /** Echo requests sent. */
  sent: number;
  /** Echo replies received. */
  received: number;
  /** Round-trip times in ms of the answered requests. */
  rtts: number[];
  /** Fastest round trip in ms, when any reply came. */
  min?: number;
  /** Mean round trip in ms. */
  avg?: number;
  /** Slowest round trip in ms. */
  max?: number;
  /** How the probe reached the network: an unprivileged ping socket, or a raw socket. */
  method: "ping-socket" | "raw";
}

const ICMP_ECHO = 8, ICMP_ECHOREPLY = 0;
const ICMP6_ECHO = 128, ICMP6_ECHOREPLY = 129;

/**
 * ICMP echo from inside a namespace without the `ping` binary: an ICMP datagram ("ping") socket where
 * net.ipv4.ping_group_range allows it, else a raw socket (root or CAP_NET_RAW). Resolves once every
 * echo was answered or timed out, with the counts and round-trip times; an invalid address is an
 * `NlkitInputError`, an abort through `signal` rejects with its reason.
 *
 * @example
 * ```ts
 * import { ping } from "nlkit";
 * const r = await ping("10.0.0.2", { netns: "ns1", count: 3 });   // { sent, received, rtts, min, avg, max }
 * ```
 */
export async function ping(target: string, opts: PingOptions = {}): Promise<PingResult> {
  const ip = parseIp(target);
  if (!ip) throw new NlkitInputError(`invalid IP address "${target}"`, "target");
  const count = opts.count ?? 1;
  const timeoutMs = opts.timeoutMs ?? 1000;
  opts.signal?.throwIfAborted();
  const v6 = ip.family === 6;
  const domain = v6 ? sys.AF_INET6 : sys.AF_INET;
  const proto = v6 ? sys.IPPROTO_ICMPV6 : sys.IPPROTO_ICMP;
  let method: PingResult["method"] = "ping-socket";
  let fd: number;
  try {
    fd = socketIn(opts.netns, domain, sys.SOCK_DGRAM, proto);
  } catch (e) {
    if (!(e instanceof sys.SyscallError) || (e.code !== "EACCES" && e.code !== "EPERM")) throw e;
    method = "raw";
    fd = socketIn(opts.netns, domain, sys.SOCK_RAW, proto);
  }
  const result: PingResult = { target, sent: 0, received: 0, rtts: [], method };
  const id = (process.pid ^ (Date.now() & 0xffff)) & 0xffff;
  const addr = v6 ? sys.sockaddrIn6(target, 0) : sys.sockaddrIn(target, 0);
  const rx = Buffer.alloc(2048);
  try {
    for (let seq = 1; seq <= count; seq++) {
      if (seq > 1 && opts.intervalMs) await sleep(opts.intervalMs, opts.signal);
      const pkt = echoRequest(v6, id, seq);
      const t0 = process.hrtime.bigint();
      try {
        sys.sendto(fd, pkt, 0, addr);
      } catch (e) {
        // unreachable networks fail right here (ENETUNREACH, EHOSTUNREACH): a lost probe, not a bug
        if (e instanceof sys.SyscallError) { result.sent++; continue; }
        throw e;
      }
      result.sent++;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const left = deadline - Date.now();
        if (left <= 0) break;
        const woke = await waitReadable(fd, left, opts.signal);
        if (woke === "aborted") opts.signal!.throwIfAborted();
        if (woke !== "readable") break;
        const reply = readReply(fd, rx, v6, method, id, seq);
        if (reply === "mine") {
          result.rtts.push(Number(process.hrtime.bigint() - t0) / 1e6);
          result.received++;
          break;
        }
      }
    }
  } finally {
    sys.close(fd);
  }
  if (result.rtts.length) {
    result.min = Math.min(...result.rtts);
    result.max = Math.max(...result.rtts);
    result.avg = result.rtts.reduce((a, b) => a + b, 0) / result.rtts.length;
  }
  return result;
}

function echoRequest(v6: boolean, id: number, seq: number): Buffer {
  const pkt = Buffer.alloc(8 + 16);
  pkt[0] = v6 ? ICMP6_ECHO : ICMP_ECHO;
  pkt.writeUInt16BE(id, 4);
  pkt.writeUInt16BE(seq, 6);
  pkt.write("nlkit-probe-0000", 8, "latin1");
  // the kernel computes ICMPv6 checksums, and ping sockets fill in their own id and checksum
  if (!v6) pkt.writeUInt16BE(inetChecksum(pkt), 2);
  return pkt;
}

/** Reads every queued datagram; "mine" when one is the echo reply for (id, seq). */
function readReply(fd: number, rx: Buffer, v6: boolean, method: PingResult["method"], id: number, seq: number): "mine" | "other" {
  for (;;) {
    let n: number;
    try {
      n = sys.recv(fd, rx, sys.MSG_DONTWAIT);
    } catch (e) {
      if (e instanceof sys.SyscallError && (e.code === "EAGAIN" || e.code === "EINTR")) return "other";
      throw e;
    }
    // raw IPv4 sockets hand us the IP header too
    const off = !v6 && method === "raw" ? (rx[0]! & 0x0f) * 4 : 0;
    if (n < off + 8) continue;
    const type = rx[off]!;
    const rid = rx.readUInt16BE(off + 4);
    const rseq = rx.readUInt16BE(off + 6);
    const isReply = type === (v6 ? ICMP6_ECHOREPLY : ICMP_ECHOREPLY);
    // a ping socket's id is its port, chosen by the kernel: the socket itself is the match
    if (isReply && rseq === seq && (method === "ping-socket" || rid === id)) return "mine";
  }
}

export function inetChecksum(b: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < b.length; i += 2) sum += b.readUInt16BE(i);
  if (b.length & 1) sum += b[b.length - 1]! << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}
