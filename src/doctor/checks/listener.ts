// The far end of the path: with --target, something must listen on the port in the destination's
// namespace, on the destination address or a wildcard. Read from sock_diag (what ss shows).
import { SockDiag } from "../../sockdiag/verbs.js";
import type { InetSocket } from "../../sockdiag/view.js";
import { check, ok } from "../check.js";
import type { DoctorContext } from "../context.js";

const show = (s: InetSocket) => `${s.state} ${s.family === 6 ? `[${s.local.address}]` : s.local.address}:${s.local.port} (inode ${s.inode}, uid ${s.uid})`;

/** Whether a socket bound to `s.local.address` receives what is sent to `dst`. */
function accepts(s: InetSocket, dst: string, v6dst: boolean): boolean {
  const a = s.local.address;
  if (a === dst) return true;
  if (s.family === 4) return !v6dst && a === "0.0.0.0";
  // a v6 wildcard that is not v6-only takes IPv4 too
  return a === "::" && (v6dst || s.v6only === false);
}

export async function listenerCheck(ctx: DoctorContext, target: string): Promise<void> {
  const f = ctx.facts;
  if (f.port === undefined) return;
  const proto = f.tcp ? "tcp" : "udp";
  const id = "target.listener", title = `something listens on ${proto} port ${f.port} in ${target}`;
  const signal = ctx.opts.signal;
  let found: InetSocket[];
  const sd = await SockDiag.open({ netns: target });
  try {
    found = await sd[proto]({ states: [proto === "tcp" ? "listening" : "closed"], sport: f.port }, signal ? { signal } : undefined);
  } catch (e) {
    if (signal?.aborted) throw signal.reason;
    ctx.add(check(id, title, "failure", `sock_diag in ${target} failed: ${(e as Error).message}`));
    return;
  } finally {
    sd.close();
  }
  const v6dst = f.family === 6;
  const serving = found.filter((s) => accepts(s, f.dst, v6dst));
  if (serving.length > 0) {
    ctx.add(ok(id, title, serving.map(show).join(", "), serving));
  } else if (found.length > 0) {
    ctx.add(check(id, title, "failure", `${proto} port ${f.port} in ${target} is bound to ${found.map(show).join(", ")}, not to ${f.dst} or a wildcard`, { details: found }));
  } else {
    ctx.add(check(id, title, "failure", `nothing listens on ${proto} port ${f.port} in ${target} (ss -${proto[0]}ln shows no such socket)`));
  }
}
