// The TCP probe's verdicts, from probe facts (no kernel): a handshake is ok, a reset a warning,
// no handshake a warning when ping works and a failure when nothing answers at all.
import { describe, expect, it } from "vitest";
import { probeCheck } from "../../src/doctor/checks/probe.js";
import { DoctorContext, type ProbeOutcome } from "../../src/doctor/context.js";

const ping = (received: number) => ({ sent: 1, received, ...(received ? { min: 1, avg: 1, max: 1 } : {}) }) as unknown as NonNullable<ProbeOutcome["ping"]>;

function verdict(probe: ProbeOutcome) {
  const ctx = new DoctorContext(undefined, { dst: "10.0.0.9", family: 4, port: 80, tcp: true, links: [], egressAddrs: [], segment: [], routerKnown: false, probe }, undefined, { timeoutMs: 100, count: 1 });
  probeCheck(ctx);
  return ctx.checks[0]!;
}

describe("probeCheck over TCP", () => {
  it.each([
    [{ ping: ping(1), tcp: { outcome: "connected", rttMs: 0.25 } }, "ok", /^tcp 10\.0\.0\.9:80 connected \(handshake in 0\.250 ms\); ping 10\.0\.0\.9: 1\/1 replies/],
    [{ ping: ping(1), tcp: { outcome: "refused", rttMs: 0.5 } }, "warning", /^tcp 10\.0\.0\.9:80 refused the connection \(a reset in 0\.500 ms: nothing listens/],
    [{ ping: ping(1), tcp: { outcome: "timeout" } }, "warning", /^ping 10\.0\.0\.9: 1\/1 replies.*, but tcp 10\.0\.0\.9:80 did not complete a handshake \(no answer/],
    [{ ping: ping(0), tcp: { outcome: "error", code: "EHOSTUNREACH" } }, "failure", /^ping 10\.0\.0\.9: 0\/1 replies; tcp 10\.0\.0\.9:80 did not complete a handshake \(EHOSTUNREACH\)$/],
  ] as Array<[ProbeOutcome, string, RegExp]>)("%j is %s", (probe, status, evidence) => {
    const c = verdict(probe);
    expect(c.status).toBe(status);
    expect(c.evidence).toMatch(evidence);
  });
});
