// Every way `nlkit lab` can end — SIGINT or SIGTERM at any point, an error nobody expected, the
// normal end — ends the process promptly, with every namespace it made gone and the root
// namespace as it was. A process that does not exit is the failure this file exists for: a poll
// left in a libuv pool thread makes process exit wait for that thread forever.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { constants as osConstants } from "node:os";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeLive, ip } from "../helpers/live.js";
import { NLKIT_BIN } from "../helpers/nlkit-cli.js";
import { rootState } from "../helpers/root-state.js";

const FAULT_CHILD = fileURLToPath(new URL("../helpers/lab-fault-child.ts", import.meta.url));
/** How long after the signal (or the fault, or the last line) the process may take to be gone. */
const PROMPT_MS = 2000;
/** Past this a run counts as hung: it is inspected and killed, so the suite goes on. */
const HUNG_MS = 8000;

interface Point {
  /** The run is stopped once a line matching this appears (the step it names is then under way). */
  after: RegExp;
  /** Lets the step run a little into its wait first. */
  delayMs?: number;
  stop: { signal: NodeJS.Signals } | { fault: "throw" | "uncaught" | "rejection" } | "none";
}

interface Outcome {
  point: string;
  pid: number;
  triggered: boolean;
  /** ms from the signal (or the fault, or the last line) to the exit; undefined: hung. */
  exitMs?: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  leftovers: string[];
  /** Each thread's syscall, read from /proc when the run hung: where it waits. */
  threads?: string[];
  tail: string;
}

// Spread over the whole run: each lab's setup, its probes' waits, lab 4's forwarding, NAT and the
// UDP responder, the doctor (whose probe is its one wait), and the normal end. The probes are the
// only waits, so a signal sent when a line appears lands in the next wait after that line.
const POINTS: Point[] = [
  { after: /== Lab 1:/, stop: { signal: "SIGINT" } },
  { after: /→ netns del \S+-ns1/, stop: { signal: "SIGTERM" } },
  { after: /→ link set veth1 netns/, stop: { signal: "SIGINT" } },
  { after: /→ \S+-ns2: addr add 10\.0\.0\.2/, stop: { signal: "SIGTERM" } },
  { after: /→ veth2 ↔ veth2-br/, stop: { signal: "SIGINT" } },
  { after: /✓ container1 → 10\.0\.0\.2/, stop: { signal: "SIGTERM" } },
  { after: /→ uplink:/, stop: { signal: "SIGINT" } },
  // the UDP ask before NAT waits its whole timeout (nothing can answer): the responder is watched too
  { after: /→ sysctl -w net\.ipv4\.ip_forward=1/, stop: { signal: "SIGTERM" } },
  { after: /→ sysctl -w net\.ipv4\.ip_forward=1/, delayMs: 300, stop: { signal: "SIGINT" } },
  { after: /→ nat: ip saddr/, stop: { signal: "SIGTERM" } },
  { after: /doctor --to 198\.51\.100\.1/, stop: { signal: "SIGINT" } },
  { after: /doctor --to 198\.51\.100\.1/, delayMs: 60, stop: { signal: "SIGTERM" } },
  { after: /→ sysctl -w net\.ipv4\.ip_forward=1/, stop: { fault: "uncaught" } },
  { after: /doctor --to 198\.51\.100\.1/, stop: { fault: "rejection" } },
  { after: /→ veth3 ↔ veth3-br/, stop: { fault: "throw" } },
  { after: /\d+\/\d+ checks passed/, stop: "none" },
];

function describePoint(p: Point): string {
  const how = p.stop === "none" ? "normal end" : "signal" in p.stop ? p.stop.signal : `${p.stop.fault} fault`;
  return `${how} after ${p.after.source}${p.delayMs ? ` +${p.delayMs} ms` : ""}`;
}

function labNamespaces(pid: number): string[] {
  if (!fs.existsSync("/run/netns")) return [];
  return fs.readdirSync("/run/netns").filter((n) => n.startsWith(`nlkit-lab-${pid}-`));
}

function threadsOf(pid: number): string[] {
  try {
    return fs.readdirSync(`/proc/${pid}/task`).map((t) => {
      const read = (f: string) => { try { return fs.readFileSync(`/proc/${pid}/task/${t}/${f}`, "utf8").trim(); } catch { return "?"; } };
      return `${t} syscall=${read("syscall").split(" ").slice(0, 4).join(" ")} wchan=${read("wchan")}`;
    });
  } catch {
    return [];
  }
}

function run(point: Point): Promise<Outcome> {
  const fault = point.stop !== "none" && "fault" in point.stop ? point.stop.fault : undefined;
  const args = fault
    ? ["--import", "tsx", FAULT_CHILD, point.after.source, fault]
    : [NLKIT_BIN, "lab"];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  const pid = child.pid!;
  let out = "";
  let triggered = false;
  let from: number | undefined;
  return new Promise((resolve) => {
    let hung: NodeJS.Timeout | undefined;
    let threads: string[] | undefined;
    const arm = () => {
      from = performance.now();
      hung = setTimeout(() => {
        threads = threadsOf(pid);
        child.kill("SIGKILL");
      }, HUNG_MS);
    };
    const onLine = () => {
      if (triggered || !point.after.test(out)) return;
      triggered = true;
      if (point.stop === "none" || "fault" in point.stop) return arm();
      const sig = point.stop.signal;
      setTimeout(() => {
        arm();
        child.kill(sig);
      }, point.delayMs ?? 0);
    };
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      onLine();
    });
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code, signal) => {
      const end = performance.now();
      clearTimeout(hung);
      const leftovers = labNamespaces(pid);
      // a failed run must not leave its namespaces to the next test
      for (const n of leftovers) {
        try { ip(["netns", "del", n]); } catch { /* gone meanwhile */ }
      }
      resolve({
        point: describePoint(point), pid, triggered, code, signal, leftovers,
        ...(from !== undefined && threads === undefined ? { exitMs: Math.round(end - from) } : {}),
        ...(threads ? { threads } : {}),
        tail: out.trimEnd().split("\n").slice(-4).join("\n"),
      });
    });
  });
}

/** Runs the points a few at a time (each run has its own pid, hence its own namespaces). */
async function runAll(points: Point[], parallel: number): Promise<Outcome[]> {
  const results: Outcome[] = new Array(points.length);
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < points.length) {
      const i = next++;
      results[i] = await run(points[i]!);
    }
  }));
  return results;
}

function expectedStatus(p: Point): number {
  if (p.stop === "none") return 0;
  if ("fault" in p.stop) return 1;
  return 128 + osConstants.signals[p.stop.signal];
}

describeLive("nlkit lab ends promptly and cleanly however it ends (live)", () => {
  let before = "";
  let outcomes: Outcome[] = [];

  beforeAll(async () => {
    before = rootState();
    outcomes = await runAll(POINTS, 4);
    if (process.env.LAB_EXIT_DEBUG) console.log(outcomes.map((o) => `${o.exitMs ?? "HUNG"}\t${o.code ?? o.signal}\t${o.point}`).join("\n"));
  }, 180_000);

  afterAll(() => {
    for (const o of outcomes) for (const n of labNamespaces(o.pid)) ip(["netns", "del", n]);
  });

  it("reaches every interruption point (the patterns still match the lab's output)", () => {
    expect(outcomes.filter((o) => !o.triggered).map((o) => `${o.point}\n${o.tail}`)).toEqual([]);
  });

  it(`exits within ${PROMPT_MS} ms of a signal, a fault or its last line, with the status that says why`, () => {
    const late = outcomes
      .map((o, i) => ({ o, want: expectedStatus(POINTS[i]!) }))
      .filter(({ o, want }) => o.exitMs === undefined || o.exitMs > PROMPT_MS || o.code !== want)
      .map(({ o, want }) => ({
        point: o.point,
        exitMs: o.exitMs ?? `hung (killed after ${HUNG_MS} ms)`,
        status: o.code ?? o.signal,
        want,
        ...(o.threads ? { threads: o.threads } : {}),
        tail: o.tail,
      }));
    expect(late).toEqual([]);
  });

  it("leaves no namespace in /run/netns", () => {
    expect(outcomes.filter((o) => o.leftovers.length).map((o) => `${o.point}: ${o.leftovers.join(", ")}`)).toEqual([]);
  });

  it("leaves the root namespace's links, routes, rules, nftables and forwarding as they were", () => {
    expect(rootState()).toBe(before);
  });
});
