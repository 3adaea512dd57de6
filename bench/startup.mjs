// Start-up of the command line against node's own: the median of N interleaved runs of
// `node -e 0`, `nlkit -V` and `nlkit link show` (read-only, this namespace), each a fresh process.
//   node bench/startup.mjs [--runs 20] [--bin path/to/nlkit] [--write]
// --bin: the executable to time (default bin/nlkit.js: the clone's, which first checks src/ for
// changes; an installed package's node_modules/.bin/nlkit is the same without that check).
// --write: replace BENCHMARKS.md's Start-up section (kept by bench/report.ts) with the result.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const runs = Number(arg("--runs", "20"));
const bin = arg("--bin", join(root, "bin", "nlkit.js"));
const commands = [
  { label: "`node -e 0`", argv: [process.execPath, "-e", "0"] },
  { label: "`nlkit -V`", argv: [process.execPath, bin, "-V"] },
  { label: "`nlkit link show`", argv: [process.execPath, bin, "link", "show"] },
];

function once(argv) {
  const t = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { stdio: ["ignore", "ignore", "pipe"] });
  if (r.status !== 0) throw new Error(`${argv.join(" ")} exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// one untimed round: the page cache and a clone's rebuild check (which may rebuild) out of the way
for (const c of commands) once(c.argv);
const times = commands.map(() => []);
const load = loadavg()[0];
for (let i = 0; i < runs; i++) commands.forEach((c, k) => times[k].push(once(c.argv)));
const base = median(times[0]);
const rows = commands.map((c, k) => `| ${c.label} | ${median(times[k]).toFixed(1)} | ${Math.min(...times[k]).toFixed(1)} | ${(median(times[k]) / base).toFixed(2)} |`);
const section = [
  "## Start-up",
  "",
  `\`node bench/startup.mjs\`: the median of ${runs} interleaved runs of each command, every run a fresh process`,
  `(wall time of spawn to exit), timing \`${relative(root, bin) || bin}\`; Node ${process.versions.node}, ${cpus().length} CPUs,`,
  `load average ${load.toFixed(1)} when it started.`,
  "",
  "| command | median ms | min ms | × `node -e 0` |",
  "|---|---|---|---|",
  ...rows,
  "",
].join("\n") + "\n";
process.stdout.write(section + "\n");

if (process.argv.includes("--write")) {
  const file = join(root, "BENCHMARKS.md");
  const text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  const kept = `<!-- kept:startup -->\n${section}<!-- /kept:startup -->`;
  const re = /<!-- kept:startup -->[\s\S]*?<!-- \/kept:startup -->/;
  writeFileSync(file, re.test(text) ? text.replace(re, kept) : `${text.trimEnd()}\n\n${kept}\n`);
}
