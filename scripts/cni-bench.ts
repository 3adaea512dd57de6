// nlkit-cni next to the reference plugins, in one run: wall time of VERSION, and of ADD and DEL of
// one container (bridge + host-local, isGateway, ipMasq), each run the way containerd runs a
// plugin. Median of RUNS (default 20), the two alternating run by run. Needs root: it makes and
// removes its own namespaces (nlkit-bench-<pid>-*), never touching the root namespace's network.
//
//   npx tsx scripts/cni-bench.ts            # builds the executable from the sources first
//   RUNS=50 npx tsx scripts/cni-bench.ts
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildCniExecutable } from "./build-cni.mjs";

const RUNS = Number(process.env.RUNS ?? 20);
const REFERENCE = process.env.REFERENCE_DIR ?? "/usr/lib/cni";
const root = path.resolve(import.meta.dirname, "..");
const tag = `nlkit-bench-${process.pid}`;
const made: string[] = [];
const work = fs.mkdtempSync(path.join(os.tmpdir(), "nlkit-cni-bench-"));
const PATH = [path.dirname(process.execPath), "/usr/sbin", "/usr/bin", "/sbin", "/bin"].join(":");

function netnsAdd(name: string): string {
  execFileSync("ip", ["netns", "add", name]);
  made.push(name);
  return name;
}

// GNU time, when installed, also gives the CPU time of the plugin and every process it waited
// for (the reference's host-local and iptables runs), which a loaded machine distorts less
const TIME = fs.existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;
const cpuFile = path.join(work, "cpu");

/** One plugin run as containerd would: env -i inside the host namespace, the request on stdin; ms. */
function timed(host: string, plugin: string, env: Record<string, string>, stdin: string): { wall: number; cpu?: number } {
  const run = ["env", "-i", `PATH=${PATH}`, ...Object.entries(env).map(([k, v]) => `${k}=${v}`), plugin];
  const args = ["netns", "exec", host, ...(TIME ? [TIME, "-o", cpuFile, "-f", "%U %S"] : []), ...run];
  const t0 = process.hrtime.bigint();
  const r = spawnSync("ip", args, { input: stdin, encoding: "utf8" });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${plugin} ${env.CNI_COMMAND} failed: ${r.stdout} ${r.stderr}`);
  if (!TIME) return { wall };
  const [u, sy] = fs.readFileSync(cpuFile, "utf8").trim().split(/\s+/).map(Number);
  return { wall, cpu: (u! + sy!) * 1000 };
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2; };
const fmt = (xs: number[]) => `${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`;

try {
  const outdir = path.join(root, "node_modules", ".cache", `${tag}-bin`);
  const entry = await buildCniExecutable(outdir);
  const binDir = path.join(work, "bin");
  execFileSync(process.execPath, [entry, "install", binDir], { stdio: "pipe" });
  const sides = { nlkit: binDir, reference: REFERENCE };
  const blank = () => ({ VERSION: [] as number[], ADD: [] as number[], DEL: [] as number[] });
  const times: Record<string, Record<string, number[]>> = { nlkit: blank(), reference: blank() };
  const cpu: Record<string, Record<string, number[]>> = { nlkit: blank(), reference: blank() };
  const setup = Object.fromEntries(Object.keys(sides).map((k) => {
    const host = netnsAdd(`${tag}-${k}-host`);
    const cont = netnsAdd(`${tag}-${k}-c`);
    const conf = JSON.stringify({
      cniVersion: "1.0.0", name: "benchnet", type: "bridge", bridge: "cni0", isGateway: true, ipMasq: true,
      ipam: { type: "host-local", subnet: "10.60.0.0/24", dataDir: path.join(work, `ipam-${k}`), routes: [{ dst: "0.0.0.0/0" }] },
    });
    return [k, { host, cont, conf }];
  }));
  // one warm-up round each (page cache, first bridge creation), not counted
  for (let i = -1; i < RUNS; i++) {
    for (const [k, dir] of Object.entries(sides)) {
      const s = setup[k]!;
      const env = { CNI_CONTAINERID: "bench1", CNI_NETNS: `/run/netns/${s.cont}`, CNI_IFNAME: "eth0", CNI_PATH: dir };
      const v = timed(s.host, path.join(dir, "bridge"), { CNI_COMMAND: "VERSION" }, '{"cniVersion":"1.0.0"}');
      const a = timed(s.host, path.join(dir, "bridge"), { ...env, CNI_COMMAND: "ADD" }, s.conf);
      const d = timed(s.host, path.join(dir, "bridge"), { ...env, CNI_COMMAND: "DEL" }, s.conf);
      if (i < 0) continue;
      for (const [op, t] of [["VERSION", v], ["ADD", a], ["DEL", d]] as const) {
        times[k]![op]!.push(t.wall);
        if (t.cpu !== undefined) cpu[k]![op]!.push(t.cpu);
      }
    }
  }
  console.log(`| ${RUNS} runs, median (min-max) | nlkit-cni wall | reference wall | nlkit-cni CPU | reference CPU |`);
  console.log("|---|---|---|---|---|");
  for (const op of ["VERSION", "ADD", "DEL"]) {
    const c = TIME ? `${fmt(cpu.nlkit![op]!)} | ${fmt(cpu.reference![op]!)}` : "- | -";
    console.log(`| ${op} | ${fmt(times.nlkit![op]!)} | ${fmt(times.reference![op]!)} | ${c} |`);
  }
  console.log(`(wall: each plugin run as containerd would, ip netns exec and env -i included; CPU: the plugin and the processes it ran; reference: ${REFERENCE}/bridge)`);
  fs.rmSync(outdir, { recursive: true, force: true });
} finally {
  for (const n of made) spawnSync("ip", ["netns", "del", n]);
  fs.rmSync(work, { recursive: true, force: true });
}
