// 7. Reachability from inside the namespace, no binaries: ICMP echo, or a UDP datagram for ADDRESS:PORT.
import { ping, tcpConnect, udpAsk } from "../../probe/index.js";
import { check, ok } from "../check.js";
import type { DoctorContext } from "../context.js";

/** Runs before the neighbour check reads the ARP cache, so that the cache reflects this attempt. */
export async function runProbe(ctx: DoctorContext): Promise<void> {
  const f = ctx.facts;
  const netns = ctx.subject;
  const { timeoutMs, count, signal } = ctx.opts;
  const common = { ...(netns !== undefined ? { netns } : {}), timeoutMs, ...(signal ? { signal } : {}) };
  try {
    const p = await ping(f.dst, { ...common, count, intervalMs: 100 });
    f.probe = { ping: p };
    if (f.port !== undefined && f.tcp) {
      f.probe.tcp = await tcpConnect({ ...common, to: f.dst, port: f.port });
    } else if (f.port !== undefined) {
      const u = await udpAsk({ ...common, to: f.dst, port: f.port });
      f.probe.udp = u ?? null;
    }
  } catch (e) {
    // being stopped is not a finding about the path
    if (signal?.aborted) throw signal.reason;
    f.probe = { error: (e as Error).message };
  }
}

export function probeCheck(ctx: DoctorContext): void {
  const f = ctx.facts;
  const p = f.probe;
  const id = "probe", title = "reachability";
  if (!p || p.error || !p.ping) {
    ctx.add(check(id, title, "failure", `the probe could not run: ${p?.error ?? "not started"}`));
    return;
  }
  const ms = (v?: number) => (v === undefined ? "?" : `${v.toFixed(3)} ms`);
  const pingText = `ping ${f.dst}: ${p.ping.received}/${p.ping.sent} replies` + (p.ping.received ? `, rtt min/avg/max ${ms(p.ping.min)}/${ms(p.ping.avg)}/${ms(p.ping.max)}` : "");
  const firstFailure = ctx.checks.find((c) => c.status === "failure");
  const cause = firstFailure ? ` (first failure: ${firstFailure.id})` : "";
  if (f.port === undefined) {
    if (p.ping.received) ctx.add(ok(id, title, pingText, p.ping));
    else ctx.add(check(id, title, "failure", `${pingText}${cause}`, { details: p.ping }));
    return;
  }
  if (f.tcp) return tcpProbeCheck(ctx, pingText, cause);
  const port = `udp ${f.dst}:${f.port}`;
  if (p.udp) ctx.add(ok(id, title, `${port} answered "${p.udp.reply}" in ${ms(p.udp.rttMs)}; ${pingText}`, p));
  else if (p.ping.received) ctx.add(check(id, title, "warning", `${pingText}, but nothing answered on ${port} (no listener, or a filter drops it)`, { details: p }));
  else ctx.add(check(id, title, "failure", `${pingText}; nothing answered on ${port}${cause}`, { details: p }));
}

function tcpProbeCheck(ctx: DoctorContext, pingText: string, cause: string): void {
  const f = ctx.facts;
  const p = f.probe!;
  const t = p.tcp!;
  const id = "probe", title = "reachability";
  const port = `tcp ${f.dst}:${f.port}`;
  const rtt = t.rttMs === undefined ? "" : ` in ${t.rttMs.toFixed(3)} ms`;
  if (t.outcome === "connected") ctx.add(ok(id, title, `${port} connected (handshake${rtt}); ${pingText}`, p));
  else if (t.outcome === "refused") ctx.add(check(id, title, "warning", `${port} refused the connection (a reset${rtt}: nothing listens there, or a filter rejects it); ${pingText}`, { details: p }));
  else if (p.ping!.received) ctx.add(check(id, title, "warning", `${pingText}, but ${port} did not complete a handshake (${t.code ?? "no answer"}: a filter drops it?)`, { details: p }));
  else ctx.add(check(id, title, "failure", `${pingText}; ${port} did not complete a handshake (${t.code ?? "no answer"})${cause}`, { details: p }));
}
