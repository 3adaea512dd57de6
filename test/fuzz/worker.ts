// A fuzz worker: a child process of scripts/fuzz.ts that runs the ranges of cases it is sent and
// reports back over IPC. A hang or a crash in a decoder takes down this process only; the parent
// notices (no progress, or an exit) and finds the case by running the range again, case by case.
import { loadCorpus } from "./corpus.js";
import { Fuzzer, signature, type Finding } from "./run.js";

export type ToWorker = { type: "run"; from: number; to: number };
export type FromWorker =
  | { type: "ready" }
  | { type: "progress"; done: number }
  | { type: "finding"; index: number; finding: Finding; input: string; steps: string[] }
  | { type: "chunk"; from: number; to: number; parseErrors: number; values: number; counts: Record<string, number> };

const args = JSON.parse(process.env.NLKIT_FUZZ_WORKER ?? "{}") as {
  seed: number; exclude: string[]; bigintJson: string[]; selftest?: { hang?: number; crash?: number; throw?: number };
};
const fuzzer = new Fuzzer(loadCorpus(), { exclude: args.exclude, bigintJson: args.bigintJson });
const send = (m: FromWorker) => process.send!(m);
const reported = new Set<string>();

process.on("message", (m: ToWorker) => {
  if (m.type !== "run") return;
  const counts: Record<string, number> = {};
  let parseErrors = 0, values = 0;
  let lastBeat = Date.now();
  for (let i = m.from; i < m.to; i++) {
    // the harness checks itself: a case that hangs, crashes or throws where it is told to
    if (args.selftest?.hang === i) for (;;);
    if (args.selftest?.crash === i) process.kill(process.pid, "SIGSEGV");
    const r = fuzzer.runCase(args.seed, i);
    if (args.selftest?.throw === i) r.findings.push({ target: "selftest", phase: "decode", error: "TypeError", message: "selftest", where: "?", call: "selftest" });
    parseErrors += r.parseErrors;
    values += r.values;
    for (const f of r.findings) {
      const sig = signature(f);
      counts[sig] = (counts[sig] ?? 0) + 1;
      if (!reported.has(sig)) {
        reported.add(sig);
        send({ type: "finding", index: i, finding: f, input: r.input.bytes.toString("hex"), steps: r.input.steps });
      }
    }
    if (Date.now() - lastBeat > 100) {
      lastBeat = Date.now();
      send({ type: "progress", done: i });
    }
  }
  send({ type: "chunk", from: m.from, to: m.to, parseErrors, values, counts });
});
send({ type: "ready" });
