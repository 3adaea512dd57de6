import { constants as osConstants } from "node:os";
import type { LabReporter } from "../lab/report.js";

const LAB_USAGE = "Usage: nlkit lab [--keep]";

/** Why a lab run stopped early: a signal, or an error nobody caught (a bug). */
class LabStopped extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
    this.name = "LabStopped";
  }
}

/**
 * `nlkit lab`. SIGINT, SIGTERM and an uncaught error stop the run through one AbortSignal: the
 * labs unwind from their current wait, remove what they made, and the process then ends by itself
 * (exit status 128+signal, or 1), because nothing of the run is left to keep it alive. A second
 * signal finds no handler any more and ends the process at once, the way a second Ctrl-C does.
 */
export async function lab(args: string[], io: { reporter?: LabReporter } = {}): Promise<number> {
  // an unknown word is a usage error before anything is created, not a lab run that ignores it
  const unknown = args.find((a) => a !== "--keep");
  if (unknown !== undefined) {
    process.stderr.write(`nlkit lab: unknown argument "${unknown}"\n${LAB_USAGE}\n`);
    return 255;
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write("nlkit lab needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) to create network namespaces: run it with sudo.\n");
    return 1;
  }
  const { consoleReporter, runLabs } = await import("../lab/index.js");
  const reporter = io.reporter ?? consoleReporter();
  const stop = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (!stop.signal.aborted) stop.abort(new LabStopped(`interrupted by ${sig}, cleaning up`, 128 + (osConstants.signals[sig] ?? 0)));
  };
  const onUncaught = (e: unknown) => {
    process.stderr.write(`nlkit lab: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    if (!stop.signal.aborted) stop.abort(new LabStopped("an internal error, cleaning up", 1));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onUncaught);
  let status: number;
  try {
    const r = await runLabs({ keep: args.includes("--keep"), reporter, signal: stop.signal });
    status = r.ok ? 0 : 1;
  } catch {
    status = 1;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.off("uncaughtException", onUncaught);
    process.off("unhandledRejection", onUncaught);
  }
  // a signal that came while the last step ran stops nothing any more, but still decides the status
  const reason: unknown = stop.signal.reason;
  return reason instanceof LabStopped ? reason.exitCode : status;
}
