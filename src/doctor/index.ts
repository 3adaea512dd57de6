// `diagnose()`: the seed's troubleshooting checklist walked along the path a packet takes, from
// the namespace to the probe. Checks come out in path order, so the first failure is the cause;
// each names what it saw and the nlkit command that repairs it.
import { NlkitInputError } from "../netlink/errors.js";
import { addressChecks } from "./checks/addresses.js";
import { localFilterCheck, routerFilterCheck } from "./checks/filter.js";
import { forwardingChecks } from "./checks/forwarding.js";
import { linkChecks } from "./checks/links.js";
import { namespaceChecks } from "./checks/namespace.js";
import { neighbourChecks } from "./checks/neighbours.js";
import { listenerCheck } from "./checks/listener.js";
import { probeCheck, runProbe } from "./checks/probe.js";
import { routingChecks } from "./checks/routing.js";
import { skipped } from "./check.js";
import { DoctorContext, type Facts } from "./context.js";
import { family, parseTarget } from "./ip.js";
import { noteFlowsBeforeProbe } from "./nat-flow.js";
import type { DiagnoseOptions, Report } from "./types.js";

export type { Check, CheckStatus, DiagnoseOptions, Report } from "./types.js";
export { renderJson, renderText, summary } from "./render.js";
export { evaluateRule, findSourceNat, type PacketView } from "./nat-rules.js";
export { walkHook, type Hit as NftPathHit, type HookOutcome } from "./nft-path.js";
export { runRule, type RuleRun } from "./nft-vm.js";

function target(to: string): { address: string; port?: number } {
  const t = parseTarget(to);
  if (!t) throw new NlkitInputError(`invalid destination "${to}": an IP address, or ADDRESS:PORT ([IPv6]:PORT)`, "to");
  if (t.port !== undefined && (t.port < 1 || t.port > 65535)) throw new NlkitInputError(`invalid port ${t.port}`, "to");
  return t;
}

/**
 * Walks the checklist a packet from `netns` to `to` meets (addresses, routes, neighbours, sysctls,
 * rules, nftables, conntrack, a probe) and reports each step as ok, warning, failure or skipped;
 * nothing is changed. Throws `NlkitInputError` without a destination.
 *
 * @example
 * ```ts
 * import { diagnose, renderDoctorText } from "nlkit";
 * const report = await diagnose({ netns: "ns1", to: "10.0.0.2" });
 * console.log(renderDoctorText(report));   // what `nlkit doctor` prints
 * ```
 */
export async function diagnose(opts: DiagnoseOptions): Promise<Report> {
  if (!opts.to) throw new NlkitInputError("diagnose needs a destination (to)", "to");
  const t = target(opts.to);
  const facts: Facts = {
    dst: t.address, family: family(t.address)!, ...(t.port !== undefined ? { port: t.port } : {}), ...(opts.tcp ? { tcp: true } : {}),
    links: [], egressAddrs: [], segment: [], routerKnown: false,
  };
  opts.signal?.throwIfAborted();
  const ctx = new DoctorContext(opts.netns, facts, opts.router, {
    timeoutMs: opts.timeoutMs ?? 1000, count: opts.count ?? 2, ...(opts.signal ? { signal: opts.signal } : {}),
  });
  if (opts.tcp && t.port === undefined) throw new NlkitInputError("a TCP probe needs a port: --to ADDRESS:PORT", "to");
  if (opts.target !== undefined && t.port === undefined) throw new NlkitInputError("checking the target's listener needs a port: --to ADDRESS:PORT", "target");
  const argv = ["nlkit", ...(opts.netns ? ["-n", opts.netns] : []), "doctor", "--to", opts.to, ...(opts.tcp ? ["--tcp"] : []),
    ...(opts.target ? ["--target", opts.target] : []), ...(opts.router ? ["--router", opts.router] : [])].join(" ");
  try {
    if (await namespaceChecks(ctx, argv)) {
      if (await linkChecks(ctx)) {
        await addressChecks(ctx);
        await routingChecks(ctx);
        await noteFlowsBeforeProbe(ctx);
        // the probe runs before the neighbour check so that the ARP cache shows this attempt
        await runProbe(ctx);
        await neighbourChecks(ctx);
        await localFilterCheck(ctx);
        await forwardingChecks(ctx);
        await routerFilterCheck(ctx);
        if (opts.target !== undefined) await listenerCheck(ctx, opts.target);
        probeCheck(ctx);
      } else {
        ctx.add(skipped("probe", "reachability", "no link to send it through"));
      }
    } else {
      ctx.add(skipped("probe", "reachability", "the namespace cannot be used"));
    }
  } finally {
    ctx.close();
  }
  return {
    ok: !ctx.checks.some((c) => c.status === "failure"),
    ...(opts.netns !== undefined ? { netns: opts.netns } : {}),
    to: opts.to,
    checks: ctx.checks,
  };
}
