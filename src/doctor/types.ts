/**
 * How a check came out; only "failure" makes a report not ok.
 *
 * @example
 * ```ts
 * const report = await diagnose({ netns: "ns1", to: "10.0.0.2" });
 * const count = (s: CheckStatus) => report.checks.filter((c) => c.status === s).length;
 * console.log(`${count("failure")} failures, ${count("warning")} warnings`);
 * ```
 */
export type CheckStatus = "ok" | "warning" | "failure" | "skipped";

/**
 * One step of the path a packet takes, judged.
 *
 * @example
 * ```ts
 * const report = await diagnose({ netns: "ns1", to: "10.0.0.2" });
 * const first: Check | undefined = report.checks.find((c) => c.status === "failure");
 * if (first) console.log(`${first.id}: ${first.evidence}${first.fix ? `\n  fix: ${first.fix}` : ""}`);
 * ```
 */
export interface Check {
  /** Stable, dotted: the family first ("link.peer.up"). */
  id: string;
  /** A short human name for the step, e.g. "egress address", "router": what `nlkit doctor` prints before the evidence. */
  title: string;
  /** How the step came out; only "failure" makes the report not ok. */
  status: CheckStatus;
  /** What was observed, in the words `ip` would use. */
  evidence: string;
  /**
   * The nlkit command line that repairs it. A repair that takes two commands joins them with
   * " && " (e.g. replacing an address: del, then add).
   */
  fix?: string;
  /** Structured data behind the evidence (e.g. a suggested address, the conntrack flow seen), check by check; not a stable format. */
  details?: unknown;
}

/**
 * What `diagnose()` resolves with: whether anything failed, and every check made.
 *
 * @example
 * ```ts
 * const report: Report = await diagnose({ netns: "ns1", to: "10.0.0.2" });
 * if (!report.ok) process.exitCode = 1;   // as `nlkit doctor` exits
 * console.log(report.checks.map((c) => `${c.status} ${c.id}`).join("\n"));
 * ```
 */
export interface Report {
  /** No check failed (warnings allowed). */
  ok: boolean;
  /** The namespace diagnosed, as given (DiagnoseOptions.netns); absent for the caller's own. */
  netns?: string;
  /** The destination as given (DiagnoseOptions.to); undefined when none was. */
  to?: string;
  /** Every check made, in the order they ran (the packet's path). */
  checks: Check[];
}

/**
 * What `diagnose()` checks: the namespace the packet starts in and its destination (with a port, the
 * probe uses UDP, or TCP with `tcp`), the namespace that should answer, the router to expect, how long
 * and how often to probe, and an `AbortSignal`.
 *
 * @example
 * ```ts
 * const opts: DiagnoseOptions = {
 *   netns: "ns1", to: "10.0.0.2:80", tcp: true, target: "ns2", timeoutMs: 500, signal: AbortSignal.timeout(10_000),
 * };
 * const report = await diagnose(opts);
 * ```
 */
export interface DiagnoseOptions {
  /** The namespace the packet starts in; left out, the caller's current namespace. */
  netns?: string;
  /** "10.0.0.2", "2001:db8::2", "198.51.100.1:7007" or "[2001:db8::1]:7007" (a port probes UDP). */
  to?: string;
  /** Probe the port over TCP (a handshake, with its round trip) instead of UDP. */
  tcp?: boolean;
  /** The namespace the destination lives in: checks that something listens on the port there. */
  target?: string;
  /** The namespace that forwards (and NATs) for this one; found from the veth's peer when left out. */
  router?: string;
  /** Per probe request (default 1000 ms). */
  timeoutMs?: number;
  /** Echo requests sent by the probe (default 2). */
  count?: number;
  /** Stops the diagnosis (the probe included): diagnose rejects with the signal's reason. */
  signal?: AbortSignal;
}
