// `nlkit lab` with a fault injected when the lab first reports a line matching argv[2]: argv[3]
// says which kind. Run by test/live/lab-exit.test.ts as `node --import tsx`, so that the process
// under test is the CLI's own lab command and nothing stands between it and the signals.
//   throw      the reporter throws: an unexpected error inside the lab's own flow
//   uncaught   an exception thrown from a timer, outside any promise the lab awaits
//   rejection  a promise rejected with nobody to catch it
import { lab } from "../../src/cli/lab.js";
import { consoleReporter } from "../../src/lab/report.js";

const [pattern, kind] = process.argv.slice(2);
if (!pattern || !["throw", "uncaught", "rejection"].includes(kind ?? "")) {
  process.stderr.write("usage: lab-fault-child.ts PATTERN throw|uncaught|rejection\n");
  process.exit(2);
}
const match = new RegExp(pattern);
let fired = false;

// the pattern is matched against the line as printed, the way the test watching stdout sees it
function write(line: string): void {
  process.stdout.write(line + "\n");
  if (fired || !match.test(line)) return;
  fired = true;
  process.stdout.write(`(fault injected: ${kind})\n`);
  const error = new Error(`injected ${kind} fault at "${line.trim()}"`);
  if (kind === "throw") throw error;
  if (kind === "uncaught") setTimeout(() => { throw error; }, 0);
  else void Promise.reject(error);
}

process.exitCode = await lab([], { reporter: consoleReporter(write) });
