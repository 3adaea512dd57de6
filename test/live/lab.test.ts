import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { expect, it } from "vitest";
import { describeLive, TestNamespaces } from "../helpers/live.js";
import { NLKIT_BIN } from "../helpers/nlkit-cli.js";
import { rootState } from "../helpers/root-state.js";
import { UnprivilegedCli, unprivilegedUnavailable } from "../helpers/unprivileged.js";
import { lab1, type LabCheck } from "../../src/lab/labs.js";
import { silentReporter } from "../../src/lab/report.js";
import { LabSession } from "../../src/lab/session.js";

const CLI = [NLKIT_BIN, "lab"];

function labLeftovers(pid: number | undefined): string[] {
  if (!fs.existsSync("/run/netns")) return [];
  return fs.readdirSync("/run/netns").filter((n) => n.startsWith(`nlkit-lab-${pid}-`));
}

describeLive("the main job: nlkit lab (live)", () => {
  it("runs labs 1-4 end to end, shows the masqueraded source, and leaves nothing behind", () => {
    const before = rootState();
    const r = spawnSync(process.execPath, CLI, { encoding: "utf8", timeout: 120_000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    for (const lab of [1, 2, 3, 4]) expect(r.stdout).toContain(`== Lab ${lab}:`);
    expect(r.stdout).toMatch(/with masquerade, the outside saw the source 198\.51\.100\.2:\d+/);
    expect(r.stdout).toMatch(/rtt min\/avg\/max [\d.]+\/[\d.]+\/[\d.]+ ms/);
    expect(r.stdout).toMatch(/(\d+)\/\1 checks passed/);
    expect(r.stdout).toContain("no namespaces left behind");
    expect(r.stdout).toContain("0 failures, 0 warnings: the path is healthy");
    expect(labLeftovers(r.pid)).toEqual([]);
    expect(rootState()).toBe(before);
  });

  it("cleans up when interrupted with Ctrl-C halfway", async () => {
    const child = spawn(process.execPath, CLI, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("== Lab 3")) resolve();
      });
      child.on("exit", () => resolve());
    });
    expect(out).toContain("== Lab 3");
    expect(labLeftovers(child.pid).length).toBeGreaterThan(0);
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(labLeftovers(child.pid)).toEqual([]);
  });

  it("counts only its own namespaces: another lab whose pid extends this one's is not listed", async () => {
    const ns = new TestNamespaces("rvl-lab");
    try {
      // nlkit-lab-12 and nlkit-lab-123 running at once
      ns.create("p0-ns1");
      const session = new LabSession(silentReporter, ns.name("p"));
      const checks: LabCheck[] = [];
      try {
        await lab1(session, checks);
      } finally {
        await session.cleanup();
      }
      expect(checks.filter((c) => !c.ok)).toEqual([]);
    } finally {
      ns.cleanup();
    }
  });

  it("says in one clear line that it needs root", (ctx) => {
    const why = unprivilegedUnavailable();
    if (why) ctx.skip(`cannot run nlkit as uid nobody: ${why}`);
    const cli = new UnprivilegedCli("lab");
    let r;
    try {
      r = cli.run(["lab"]);
    } finally {
      cli.cleanup();
    }
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/needs root/);
  });
});
