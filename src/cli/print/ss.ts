// One socket → ss's cells: the state, the queues, the two ends, and with -e/-i the details in
// ss's own words and order. Everything that depends on the machine (service names, cgroup
// paths, device names) comes in through SsEnv, so that rendering is pure.
import type { InetSocket, UnixSocket } from "../../sockdiag/verbs.js";
import { Col, fmtG } from "./ss-columns.js";

export interface SsEnv {
  /** -n: ports as numbers. */
  numeric: boolean;
  /** The service name of a port (/etc/services), or undefined. */
  service(port: number, proto: "tcp" | "udp"): string | undefined;
  /** What ss prints after cgroup: for a cgroup id. */
  cgroupPath(id: number): string;
  /** A device name by ifindex. */
  ifname(index: number): string;
}

export interface SsShow {
  /** -e (and -o): timers and socket details. */
  details: boolean;
  timers: boolean;
  /** -i: tcp_info. */
  info: boolean;
}

type Cells = Partial<Record<Col, string>>;

const U64_MAX = "18446744073709551615";

function port(p: number, proto: "tcp" | "udp", env: SsEnv): string {
  if (p === 0) return "*";
  return (!env.numeric && env.service(p, proto)) || String(p);
}

function inetAddress(address: string, v6: boolean, v6only: boolean): string {
  if (!v6) return address;
  if (!v6only && address === "::") return "*";
  return address.includes(":") ? `[${address}]` : address;
}

/** print_ms_timer(): "1min", "12sec", "1.500ms", "776ms". */
export function msTimer(ms: number): string {
  const minutes = Math.floor(ms / 60000);
  let secs = Math.floor(ms / 1000) % 60;
  let msecs = ms % 1000;
  let out = "";
  if (minutes) {
    msecs = 0;
    out += `${minutes}min`;
    if (minutes > 9) secs = 0;
  }
  if (secs) {
    if (secs > 9) msecs = 0;
    out += `${secs}${msecs ? "." : "sec"}`;
  }
  if (msecs) out += `${String(msecs).padStart(3, "0")}ms`;
  return out;
}

function shutdownText(s: { read: boolean; write: boolean } | undefined): string {
  return s ? ` ${s.read ? "-" : "<"}-${s.write ? "-" : ">"}` : "";
}

export function inetCells(s: InetSocket, show: SsShow, env: SsEnv): Cells {
  const v6 = s.family === 6;
  const v6only = s.v6only === true;
  let ext = "";
  if (show.timers && s.timer) ext += ` timer:(${s.timer.name},${msTimer(s.timer.expiresMs)},${s.timer.retrans})`;
  if (show.details) {
    if (s.uid) ext += ` uid:${s.uid}`;
    ext += ` ino:${s.inode} sk:${s.cookie}`;
    if (s.mark) ext += ` fwmark:0x${s.mark.toString(16)}`;
    if (s.cgroupId) ext += ` cgroup:${env.cgroupPath(s.cgroupId)}`;
    if (v6 && s.v6only !== undefined) ext += ` v6only:${v6only ? 1 : 0}`;
    ext += shutdownText(s.shutdown);
  }
  if (show.info && s.proto === "tcp") ext += "\n\t" + tcpInfoText(s, show.timers, env.numeric);
  const iface = s.iface ? `%${env.ifname(s.iface)}` : "";
  return {
    [Col.Netid]: s.proto,
    [Col.State]: s.state,
    [Col.RecvQ]: String(s.recvQ).padEnd(6),
    [Col.SendQ]: String(s.sendQ).padEnd(6),
    [Col.Addr]: `${inetAddress(s.local.address, v6, v6only)}${iface}:`,
    [Col.Serv]: port(s.local.port, s.proto, env),
    [Col.RAddr]: `${inetAddress(s.remote.address, v6, v6only)}:`,
    [Col.RServ]: port(s.remote.port, s.proto, env),
    [Col.Ext]: ext,
  };
}

const UNIX_NETID: Record<string, string> = { stream: "u_str", seqpacket: "u_seq" };

/** glibc's major()/minor() of the device number the kernel reports. */
function devText(dev: number): string {
  const major = (dev >>> 8) & 0xfff;
  const minor = (dev & 0xff) | ((dev >>> 12) & ~0xff);
  return `${major}/${minor >>> 0}`;
}

export function unixCells(s: UnixSocket, show: SsShow): Cells {
  let ext = "";
  if (show.details) {
    ext += shutdownText(s.shutdown);
    if (s.vfs) ext += ` ino:${s.vfs.ino} dev:${devText(s.vfs.dev)}`;
    if (s.icons) ext += ` peers:${s.icons.map((i) => ` ${i}`).join("")}`;
  }
  return {
    [Col.Netid]: UNIX_NETID[String(s.type)] ?? "u_dgr",
    [Col.State]: s.state,
    [Col.RecvQ]: String(s.recvQ).padEnd(6),
    [Col.SendQ]: String(s.sendQ).padEnd(6),
    [Col.Addr]: `${s.name ?? "*"} `,
    [Col.Serv]: String(s.inode),
    [Col.RAddr]: "* ",
    [Col.RServ]: String(s.peer),
    [Col.Ext]: ext,
  };
}

/** sprint_bw(): bits per second, in ss's units unless -n. */
function bw(bps: number, numeric: boolean): string {
  if (numeric) return bps.toFixed(0);
  if (bps >= 1e12) return `${fmtG(bps / 1e12, 3)}T`;
  if (bps >= 1e9) return `${fmtG(bps / 1e9, 3)}G`;
  if (bps >= 1e6) return `${fmtG(bps / 1e6, 3)}M`;
  if (bps >= 1e3) return `${fmtG(bps / 1e3, 3)}k`;
  return fmtG(bps);
}

const num = (v: number | string): number => Number(v);

/** What ss -i prints for one TCP socket, after the tab that starts its second line. */
export function tcpInfoText(s: InetSocket, options: boolean, numeric = true): string {
  const t = s.tcpInfo;
  let out = "";
  if (!t) return out;
  const o = (text: string) => { out += text; };
  if (options) for (const opt of ["ts", "sack", "ecn", "ecnseen"]) if (t.options.includes(opt)) o(` ${opt}`);
  if (options && t.options.includes("syn_data")) o(" fastopen");
  if (s.cong) o(` ${s.cong}`);
  if (t.options.includes("wscale")) o(` wscale:${t.sndWscale},${t.rcvWscale}`);
  if (t.rto && t.rto !== 3000000) o(` rto:${fmtG(t.rto / 1000)}`);
  if (t.backoff) o(` backoff:${t.backoff}`);
  if (t.rtt) o(` rtt:${fmtG(t.rtt / 1000)}/${fmtG(t.rttvar / 1000)}`);
  if (t.ato) o(` ato:${fmtG(t.ato / 1000)}`);
  if (t.sndMss) o(` mss:${t.sndMss}`);
  if (t.pmtu) o(` pmtu:${t.pmtu}`);
  if (t.rcvMss) o(` rcvmss:${t.rcvMss}`);
  if (t.advmss) o(` advmss:${t.advmss}`);
  if (t.sndCwnd) o(` cwnd:${t.sndCwnd}`);
  if (t.sndSsthresh < 0xffff && t.sndSsthresh) o(` ssthresh:${t.sndSsthresh}`);
  for (const [key, label] of [["bytesSent", "bytes_sent"], ["bytesRetrans", "bytes_retrans"], ["bytesAcked", "bytes_acked"], ["bytesReceived", "bytes_received"]] as const) {
    if (num(t[key])) o(` ${label}:${t[key]}`);
  }
  for (const [key, label] of [["segsOut", "segs_out"], ["segsIn", "segs_in"], ["dataSegsOut", "data_segs_out"], ["dataSegsIn", "data_segs_in"]] as const) {
    if (t[key]) o(` ${label}:${t[key]}`);
  }
  if (s.dctcp?.enabled) o(` dctcp:(ce_state:${s.dctcp.ceState},alpha:${s.dctcp.alpha},ab_ecn:${s.dctcp.abEcn},ab_tot:${s.dctcp.abTot})`);
  else if (s.dctcp) o(" dctcp:fallback_mode");
  if (s.bbr) {
    o(` bbr:(bw:${bw(num(s.bbr.bw) * 8, numeric)}bps,mrtt:${fmtG(s.bbr.minRtt / 1000)}`);
    if (s.bbr.pacingGain) o(`,pacing_gain:${fmtG(s.bbr.pacingGain / 256)}`);
    if (s.bbr.cwndGain) o(`,cwnd_gain:${fmtG(s.bbr.cwndGain / 256)}`);
    o(")");
  }
  // the send rate is cwnd * mss over the smoothed rtt, or over vegas' own rtt when it has one
  let rtt = t.rtt;
  if (s.vegas?.enabled && s.vegas.rtt && s.vegas.rtt !== 0x7fffffff) rtt = s.vegas.rtt;
  if (rtt > 0 && t.sndMss && t.sndCwnd) o(` send ${bw((t.sndCwnd * t.sndMss * 8000000) / rtt, numeric)}bps`);
  if (t.lastDataSent) o(` lastsnd:${t.lastDataSent}`);
  if (t.lastDataRecv) o(` lastrcv:${t.lastDataRecv}`);
  if (t.lastAckRecv) o(` lastack:${t.lastAckRecv}`);
  if (num(t.pacingRate) && String(t.pacingRate) !== U64_MAX) {
    o(` pacing_rate ${bw(num(t.pacingRate) * 8, numeric)}bps`);
    if (num(t.maxPacingRate) && String(t.maxPacingRate) !== U64_MAX) o(`/${bw(num(t.maxPacingRate) * 8, numeric)}bps`);
  }
  if (num(t.deliveryRate)) o(` delivery_rate ${bw(num(t.deliveryRate) * 8, numeric)}bps`);
  if (t.delivered) o(` delivered:${t.delivered}`);
  if (t.deliveredCe) o(` delivered_ce:${t.deliveredCe}`);
  if (t.deliveryRateAppLimited) o(" app_limited");
  const busy = num(t.busyTime);
  if (busy) {
    o(` busy:${Math.floor(busy / 1000)}ms`);
    const limited = (v: number | string, label: string) => {
      if (num(v)) o(` ${label}:${Math.floor(num(v) / 1000)}ms(${((100 * num(v)) / busy).toFixed(1)}%)`);
    };
    limited(t.rwndLimited, "rwnd_limited");
    limited(t.sndbufLimited, "sndbuf_limited");
  }
  if (t.unacked) o(` unacked:${t.unacked}`);
  if (t.retrans || t.totalRetrans) o(` retrans:${t.retrans}/${t.totalRetrans}`);
  if (t.lost) o(` lost:${t.lost}`);
  if (t.sacked && s.state !== "LISTEN") o(` sacked:${t.sacked}`);
  if (t.dsackDups) o(` dsack_dups:${t.dsackDups}`);
  if (t.fackets) o(` fackets:${t.fackets}`);
  if (t.reordering !== 3) o(` reordering:${t.reordering}`);
  if (t.reordSeen) o(` reord_seen:${t.reordSeen}`);
  if (t.rcvRtt) o(` rcv_rtt:${fmtG(t.rcvRtt / 1000)}`);
  if (t.rcvSpace) o(` rcv_space:${t.rcvSpace}`);
  if (t.rcvSsthresh) o(` rcv_ssthresh:${t.rcvSsthresh}`);
  if (t.notsentBytes) o(` notsent:${t.notsentBytes}`);
  if (t.minRtt && t.minRtt !== 0xffffffff) o(` minrtt:${fmtG(t.minRtt / 1000)}`);
  if (t.rcvOoopack) o(` rcv_ooopack:${t.rcvOoopack}`);
  if (t.sndWnd) o(` snd_wnd:${t.sndWnd}`);
  return out;
}

