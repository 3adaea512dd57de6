// The report as a text tree (grouped by path stage, ✓ ok, ! warning, ✗ failure, - skipped) or JSON.
import type { Check, CheckStatus, Report } from "./types.js";

const MARK: Record<CheckStatus, string> = { ok: "✓", warning: "!", failure: "✗", skipped: "-" };

const STAGES: Record<string, string> = {
  netns: "namespace", link: "links", addr: "addresses", route: "routing",
  neigh: "neighbours", forward: "forwarding", nat: "forwarding", target: "target", probe: "probe",
};

export function stageOf(c: Check): string {
  return STAGES[c.id.split(".")[0]!] ?? c.id.split(".")[0]!;
}

export function summary(r: Report): string {
  const count = (s: CheckStatus) => r.checks.filter((c) => c.status === s).length;
  const first = r.checks.find((c) => c.status === "failure");
  const f = count("failure"), w = count("warning");
  const head = `${f} failure${f === 1 ? "" : "s"}, ${w} warning${w === 1 ? "" : "s"}`;
  return first ? `${head}; first failure (the root cause): ${first.id}` : r.ok ? `${head}: the path is healthy` : head;
}

/**
 * Prints a doctor report as `nlkit doctor` does: grouped by stage, one line per check, with hints.
 *
 * @example
 * ```ts
 * const report = await diagnose({ netns: "ns1", to: "10.0.0.2" });
 * process.stdout.write(renderDoctorText(report));
 * // nlkit doctor: ns1 -> 10.0.0.2
 * // ├─ namespace
 * // │  ├─ ✓ permissions [netns.access]: running as root
 * // ...
 * // ├─ links
 * // │  ├─ ✗ loopback [link.lo]: lo is down: local sockets and the namespace's own addresses are unreachable
 * // │  │     fix: nlkit -n ns1 link set lo up
 * // ...
 * // 2 failures, 0 warnings; first failure (the root cause): link.lo
 * ```
 */
export function renderText(r: Report): string {
  const lines = [`nlkit doctor: ${r.netns ?? "current namespace"}${r.to ? ` -> ${r.to}` : ""}`];
  const stages: { name: string; checks: Check[] }[] = [];
  for (const c of r.checks) {
    const name = stageOf(c);
    const last = stages[stages.length - 1];
    if (last?.name === name) last.checks.push(c);
    else stages.push({ name, checks: [c] });
  }
  stages.forEach((s, si) => {
    const lastStage = si === stages.length - 1;
    lines.push(`${lastStage ? "└─" : "├─"} ${s.name}`);
    const bar = lastStage ? "   " : "│  ";
    s.checks.forEach((c, ci) => {
      const lastCheck = ci === s.checks.length - 1;
      lines.push(`${bar}${lastCheck ? "└─" : "├─"} ${MARK[c.status]} ${c.title} [${c.id}]: ${c.evidence}`);
      if (c.fix && c.status !== "ok") lines.push(`${bar}${lastCheck ? "   " : "│  "}   fix: ${c.fix}`);
    });
  });
  lines.push(summary(r));
  return lines.join("\n") + "\n";
}

/**
 * JSON with bigints as strings and Buffers as hex, so that any details survive.
 *
 * @example
 * ```ts
 * import { writeFile } from "node:fs/promises";
 * const report = await diagnose({ netns: "ns1", to: "10.0.0.2" });
 * await writeFile("doctor.json", renderDoctorJson(report));   // indented, what `nlkit doctor --json` prints
 * console.log(renderDoctorJson(report, false));               // on one line
 * ```
 */
export function renderJson(r: Report, pretty = true): string {
  return JSON.stringify(r, (_k, v) => {
    if (typeof v === "bigint") return v.toString();
    if (v && typeof v === "object" && (v as { type?: string }).type === "Buffer" && Array.isArray((v as { data?: unknown }).data)) {
      return Buffer.from((v as { data: number[] }).data).toString("hex");
    }
    return v;
  }, pretty ? 2 : undefined) + "\n";
}
