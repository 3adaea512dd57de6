import { doctorOnLab, lab1, lab2, lab3, lab4, type LabCheck } from "./labs.js";
import { consoleReporter, type LabReporter } from "./report.js";
import { LabSession } from "./session.js";

export { consoleReporter, silentReporter, type LabReporter } from "./report.js";
export type { LabCheck } from "./labs.js";

export interface LabOptions {
  reporter?: LabReporter;
  /** Namespace name prefix (default nlkit-lab-<pid>). */
  prefix?: string;
  /** Keep the topology for inspection instead of deleting it. */
  keep?: boolean;
  /**
   * Stops the run at its next wait (probes and sleeps end on it at once); everything made so far
   * is removed, then runLabs rejects with the signal's reason.
   */
  signal?: AbortSignal;
}

export interface LabResult {
  checks: LabCheck[];
  ok: boolean;
  leftovers: string[];
}

/**
 * The seed chapter's labs in throwaway namespaces. Nothing touches the root namespace: the
 * chapter's "host" is a namespace too. Everything is removed at the end, on failure and when
 * `signal` stops the run (the CLI aborts it on SIGINT/SIGTERM). Signals are the caller's: a
 * library function must not decide how the process ends.
 */
export async function runLabs(opts: LabOptions = {}): Promise<LabResult> {
  const report = opts.reporter ?? consoleReporter();
  const session = new LabSession(report, opts.prefix, opts.signal);
  const checks: LabCheck[] = [];
  let failure: unknown;
  try {
    await lab1(session, checks);
    await lab2(session, checks);
    await lab3(session, checks);
    await lab4(session, checks);
    await doctorOnLab(session, checks);
  } catch (e) {
    failure = e;
    report.fail(`lab stopped: ${(e as Error).message}`);
  } finally {
    if (opts.keep) await session.closeHandles();
    else await session.cleanup();
  }
  const leftovers = session.leftovers();
  const ok = failure === undefined && checks.every((c) => c.ok) && (opts.keep || leftovers.length === 0);
  report.section("Summary");
  for (const c of checks) (c.ok ? report.ok : report.fail)(`lab ${c.lab}: ${c.what} — ${c.detail}`);
  if (!opts.keep) (leftovers.length ? report.fail : report.ok)(`cleanup: ${leftovers.length ? `left ${leftovers.join(", ")}` : "no namespaces left behind"}`);
  else report.step(`kept for inspection: ${leftovers.join(", ")} (remove each with: nlkit netns del NAME)`);
  report.step(`${checks.filter((c) => c.ok).length}/${checks.length} checks passed`);
  if (failure) throw failure;
  return { checks, ok, leftovers };
}
