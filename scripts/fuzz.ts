// Fuzzes every public decoder with mutated copies of real kernel replies (test/fixtures/fuzz).
//
//   npm run fuzz -- --count 1000000            # a long run on every core; the seed is printed
//   npm run fuzz -- --seed 0x5eed --count 5000 # the same cases again, anywhere
//   npm run fuzz -- --seed 0x5eed --case 1234  # one case: its steps, bytes and findings
//   npm run fuzz -- --only nft. --count 100000 # some targets only (names or prefixes)
//   npm run fuzz -- --todo ...                 # without the open TODO items (test/fuzz/todo.ts)
//
// Counts untyped throws (anything but NetlinkParseError from a decoder, anything at all from
// reading or serialising a result), hangs (a case that makes no progress for --hang-ms) and
// crashes (a worker that dies); prints each distinct finding once, with the case that first
// showed it and a minimal reproducer. Exits 1 when there is any finding.
import { fork, type ChildProcess } from "node:child_process";
import { randomInt } from "node:crypto";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { loadCorpus } from "../test/fuzz/corpus.js";
import { Fuzzer, signature, type Finding } from "../test/fuzz/run.js";
import { TARGETS } from "../test/fuzz/targets.js";
import { TODO_BIGINT_JSON, TODO_EXCLUDED } from "../test/fuzz/todo.js";
import type { FromWorker, ToWorker } from "../test/fuzz/worker.js";

const WORKER = fileURLToPath(new URL("../test/fuzz/worker.ts", import.meta.url));

interface Options {
  count: number; seed: number; workers: number; hangMs: number; chunk: number; json: boolean;
  exclude: string[]; bigintJson: string[]; only?: string[]; caseIndex?: number;
  selftest?: { hang?: number; crash?: number; throw?: number };
}

/**
 * The raw codec's generic decoders keep a u64 attribute as a bigint: exact, and what a caller
 * re-encoding the attributes needs. Only these targets may hold BigInt; every typed result
 * (links, routes, rules, nft.ruleset(), flows...) must serialise as it is.
 */
const RAW_U64_TARGETS = ["codec.decodeMessage", "codec.decodeAttrs", "nft.decodeNftMessage"];

function parseArgs(argv: string[]): Options {
  const o: Options = {
    count: 20_000, seed: randomInt(0, 0x7fffffff), workers: availableParallelism(), hangMs: 10_000, chunk: 2000, json: false,
    exclude: [], bigintJson: [...RAW_U64_TARGETS],
  };
  const num = (v: string | undefined, name: string) => {
    const n = Number(v);
    if (v === undefined || !Number.isSafeInteger(n) || n < 0) throw new Error(`${name} needs a non-negative integer`);
    return n;
  };
  const list = (v: string | undefined) => (v ?? "").split(",").filter(Boolean);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = () => argv[++i];
    if (a === "--count") o.count = num(v(), a);
    else if (a === "--seed") o.seed = num(v(), a);
    else if (a === "--workers") o.workers = Math.max(1, num(v(), a));
    else if (a === "--hang-ms") o.hangMs = num(v(), a);
    else if (a === "--chunk") o.chunk = Math.max(1, num(v(), a));
    else if (a === "--case") o.caseIndex = num(v(), a);
    else if (a === "--json") o.json = true;
    else if (a === "--exclude") o.exclude.push(...list(v()));
    else if (a === "--only") o.only = list(v());
    else if (a === "--todo") { o.exclude.push(...TODO_EXCLUDED); o.bigintJson.push(...TODO_BIGINT_JSON); }
    else if (a === "--selftest") {
      // the harness's own check: "hang=3,crash=7,throw=11" makes those cases misbehave on purpose
      o.selftest = Object.fromEntries(list(v()).map((kv) => { const [k, n] = kv.split("="); return [k, num(n, a)]; }));
    } else throw new Error(`unknown option ${a}`);
  }
  if (o.only) o.exclude.push(...TARGETS.map((t) => t.name).filter((n) => !o.only!.some((p) => n === p || (p.endsWith(".") && n.startsWith(p)))));
  return o;
}

interface Found {
  kind: "untyped-throw" | "hang" | "crash";
  signature: string;
  count: number;
  firstCase: number;
  finding?: Finding;
  steps?: string[];
  input?: string;
  minimal?: string;
  detail?: string;
}

/** Runs [0, count) on a pool of workers; a chunk that hangs or crashes is redone case by case. */
async function runAll(o: Options): Promise<{ found: Map<string, Found>; parseErrors: number; values: number }> {
  const found = new Map<string, Found>();
  let parseErrors = 0, values = 0;
  const queue: Array<{ from: number; to: number; single: boolean }> = [];
  for (let f = 0; f < o.count; f += o.chunk) queue.push({ from: f, to: Math.min(o.count, f + o.chunk), single: false });
  const env = { ...process.env, NLKIT_FUZZ_WORKER: JSON.stringify({ seed: o.seed, exclude: o.exclude, bigintJson: o.bigintJson, selftest: o.selftest }) };

  const record = (kind: Found["kind"], index: number, detail: string) => {
    const sig = `${kind} | case ${index}`;
    found.set(sig, { kind, signature: sig, count: 1, firstCase: index, detail });
  };

  const worker = (): Promise<void> => new Promise((done) => {
    let child: ChildProcess | undefined;
    let job: (typeof queue)[number] | undefined;
    let lastDone = -1;
    let timer: NodeJS.Timeout | undefined;
    let killedAsHung: ChildProcess | undefined;
    const arm = () => {
      clearTimeout(timer);
      // this worker's clock: it must never go off on the one started after it
      const running = child;
      timer = setTimeout(() => {
        if (!running || child !== running) return;
        killedAsHung = running;
        running.kill("SIGKILL");
      }, o.hangMs);
    };
    const next = () => {
      job = queue.shift();
      if (!job) { clearTimeout(timer); child?.kill(); done(); return; }
      lastDone = job.from - 1;
      if (!child) start();
      else { arm(); child.send({ type: "run", from: job.from, to: job.to } satisfies ToWorker); }
    };
    const start = () => {
      const c = fork(WORKER, [], { env, stdio: ["ignore", "inherit", "inherit", "ipc"] });
      child = c;
      // the clock runs from the first case on: starting a worker on a loaded machine is no hang
      let ready = false;
      c.on("message", (m: FromWorker) => {
        arm();
        if (m.type === "ready") {
          ready = true;
          c.send({ type: "run", from: job!.from, to: job!.to } satisfies ToWorker);
        }
        else if (m.type === "progress") lastDone = m.done;
        else if (m.type === "finding") {
          const sig = signature(m.finding);
          if (!found.has(sig)) found.set(sig, { kind: "untyped-throw", signature: sig, count: 0, firstCase: m.index, finding: m.finding, steps: m.steps, input: m.input });
          else if (m.index < found.get(sig)!.firstCase) Object.assign(found.get(sig)!, { firstCase: m.index, finding: m.finding, steps: m.steps, input: m.input });
        } else if (m.type === "chunk") {
          parseErrors += m.parseErrors;
          values += m.values;
          for (const [sig, n] of Object.entries(m.counts)) found.get(sig)!.count += n;
          next();
        }
      });
      c.on("exit", (code, sig) => {
        // a worker that cannot even start (no corpus, a syntax error) says nothing about a case
        if (!ready) throw new Error(`a fuzz worker exited before it started (${sig ?? `code ${code}`})`);
        const hung = killedAsHung === c;
        if (child !== c) return;
        clearTimeout(timer);
        child = undefined;
        if (!job) return;
        const j = job;
        if (j.single) {
          // this very case hung or crashed
          record(hung ? "hang" : "crash", j.from, hung ? `no progress for ${o.hangMs} ms` : `worker exited with ${sig ?? `code ${code}`}`);
          next();
          return;
        }
        // somewhere after the last case reported done: redo those one by one, then the rest as a chunk
        const from = lastDone + 1;
        queue.unshift(...Array.from({ length: j.to - from }, (_, k) => ({ from: from + k, to: from + k + 1, single: true })));
        next();
      });
    };
    next();
  });

  await Promise.all(Array.from({ length: Math.min(o.workers, queue.length) }, worker));
  return { found, parseErrors, values };
}

function printCase(o: Options): number {
  const fuzzer = new Fuzzer(loadCorpus(), { exclude: o.exclude, bigintJson: o.bigintJson });
  const r = fuzzer.runCase(o.seed, o.caseIndex!);
  console.log(`case ${r.index} of seed ${o.seed}: ${r.input.steps.join(", ")}`);
  console.log(`input (${r.input.bytes.length} bytes): ${r.input.bytes.toString("hex")}`);
  console.log(`parse errors: ${r.parseErrors}, values read: ${r.values}`);
  for (const f of r.findings) console.log(`finding: ${signature(f)}\n  ${f.error}: ${f.message}\n  call: ${f.call}`);
  return r.findings.length ? 1 : 0;
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  if (o.caseIndex !== undefined) return printCase(o);
  const t0 = Date.now();
  const { found, parseErrors, values } = await runAll(o);
  const seconds = (Date.now() - t0) / 1000;
  // minimal reproducers, in this process (the findings are deterministic)
  const fuzzer = new Fuzzer(loadCorpus(), { exclude: o.exclude, bigintJson: o.bigintJson });
  for (const f of found.values()) {
    if (f.kind === "untyped-throw" && f.input) f.minimal = fuzzer.minimize(Buffer.from(f.input, "hex"), f.signature).toString("hex");
  }
  const list = [...found.values()].sort((a, b) => a.kind.localeCompare(b.kind) || b.count - a.count);
  const total = (k: Found["kind"]) => list.filter((f) => f.kind === k).reduce((s, f) => s + f.count, 0);
  const summary = {
    seed: o.seed, cases: o.count, seconds, workers: o.workers, excluded: o.exclude, bigintJson: o.bigintJson,
    untypedThrows: total("untyped-throw"), hangs: total("hang"), crashes: total("crash"), parseErrors, values, findings: list,
  };
  if (o.json) {
    console.log(JSON.stringify(summary, null, 1));
  } else {
    console.log(`nlkit fuzz: seed ${o.seed}, ${o.count} cases in ${seconds.toFixed(1)} s on ${o.workers} worker(s)`);
    if (o.exclude.length) console.log(`left out: ${o.exclude.join(", ")}`);
    if (o.bigintJson.length) console.log(`BigInt tolerated in the JSON of: ${o.bigintJson.join(", ")}`);
    console.log(`NetlinkParseError (expected): ${parseErrors}; values read: ${values}`);
    console.log(`untyped throws: ${summary.untypedThrows}\nhangs: ${summary.hangs}\ncrashes: ${summary.crashes}`);
    for (const f of list) {
      console.log(`\n[${f.kind}] ${f.signature}  (x${f.count}, first in case ${f.firstCase})`);
      if (f.finding) console.log(`  ${f.finding.error}: ${f.finding.message}\n  call: ${f.finding.call}\n  steps: ${f.steps!.join(", ")}`);
      if (f.detail) console.log(`  ${f.detail}`);
      if (f.minimal !== undefined) console.log(`  minimal input (${f.minimal.length / 2} bytes): ${f.minimal}`);
      console.log(`  again: npm run fuzz -- --seed ${o.seed} --case ${f.firstCase}`);
    }
  }
  return list.length ? 1 : 0;
}

process.exitCode = await main();
