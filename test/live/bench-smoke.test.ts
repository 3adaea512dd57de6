// Smoke test of bench/peer.ts (the bench-peers contract): every workload with a tiny N inside a
// throwaway namespace, in both modes. Checks the RESULT lines' shape and what the workload left
// in the namespace (ip -j as the oracle); never asserts on timing.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { describeLive, ip, ipJson, TestNamespaces } from "../helpers/live.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
// next to the checkout, or next to the worktrees folder
const HARNESS = [join(ROOT, "..", "shared"), join(ROOT, "..", "..", "shared")]
  .map((d) => join(d, "bench-peers", "run-peers.sh")).find((f) => existsSync(f)) ?? "";
const N = 3;
const R = 2;

interface Result { label: string; items: number; seconds: number }

describeLive("bench/peer.ts (bench-peers contract)", () => {
  const ns = new TestNamespaces("bench");
  // W4 and W5 names must start with "bench-", as the harness's do; adopted for cleanup
  const benchName = (s: string) => `bench-nlkit-smoke-${process.pid}-${s}`;
  const harnessWork = `/tmp/nlkit-bench-smoke-${process.pid}`;
  afterAll(() => {
    ns.cleanup();
    rmSync(harnessWork, { recursive: true, force: true });
    for (const f of existsSync("/run/netns") ? readdirSync("/run/netns") : []) {
      if (f.startsWith(benchName(""))) try { execFileSync("ip", ["netns", "del", f], { stdio: "pipe" }); } catch { /* gone */ }
    }
  });

  let count = 0;
  /** A fresh namespace set up as run-peers.sh does for W, then the peer run inside it. */
  function run(W: string, mode: string[] = []): { results: Result[]; netns: string; ns2: string } {
    const netns = ns.create(`${W.toLowerCase()}-${++count}`);
    const ns2 = benchName(`t${count}`);
    if (W === "W2") {
      for (let i = 1; i <= N; i++) ip(["link", "add", `vethA${i}`, "type", "veth", "peer", "name", `vethB${i}`], netns);
    }
    if (W === "W3") {
      ip(["link", "add", "vethR0", "type", "veth", "peer", "name", "vethR1"], netns);
      ip(["addr", "add", "10.199.0.1/24", "dev", "vethR0"], netns);
      ip(["link", "set", "vethR0", "up"], netns);
      ip(["link", "set", "vethR1", "up"], netns);
    }
    if (W === "W5") {
      ns.adopt(ns2);
      execFileSync("ip", ["netns", "add", ns2], { stdio: "pipe" });
      ip(["link", "set", "lo", "up"], ns2);
    }
    const out = execFileSync("ip", [
      "netns", "exec", netns, "env", `BENCH_NS=${netns}`, `BENCH_NS2=${ns2}`, `BENCH_PREFIX=${benchName(`w4-${count}-`)}`,
      `BENCH_R=${R}`, "node", "--import", "tsx", "bench/peer.ts", ...mode, W, String(W === "W5" ? 2 : N),
    ], { cwd: ROOT, encoding: "utf8", timeout: 60_000, stdio: ["ignore", "pipe", "pipe"] });
    const results: Result[] = [];
    for (const line of out.split("\n")) {
      if (!line.startsWith("RESULT ")) continue;
      const m = /^RESULT (\S+) (\d+) (\d+\.\d+)$/.exec(line);
      expect(m, `RESULT line shape: ${line}`).not.toBeNull();
      results.push({ label: m![1]!, items: Number(m![2]), seconds: Number(m![3]) });
    }
    for (const r of results) expect(Number.isFinite(r.seconds) && r.seconds >= 0, r.label).toBe(true);
    return { results, netns, ns2 };
  }
  const labels = (rs: Result[]) => rs.map((r) => `${r.label} ${r.items}`);

  it("W1: veth pairs with an address, both ends up (request and batch)", () => {
    for (const mode of [["--mode", "request"], ["--batch"]]) {
      const { results, netns } = run("W1", mode);
      expect(labels(results)).toEqual([`W1 ${N}`]);
      const a = ipJson(["addr", "show", "dev", `vethA${N}`], netns)[0];
      expect(a.addr_info.map((x: { local: string; prefixlen: number }) => `${x.local}/${x.prefixlen}`)).toContain(`10.0.${N}.1/24`);
      expect(a.flags).toContain("UP");
      expect(ipJson(["link", "show", "dev", `vethB${N}`], netns)[0].flags).toContain("UP");
      if (mode[0] === "--batch") expect(a.ifindex).toBe(1000 + 2 * N); // explicit indexes, as c-batch
    }
  });

  it("W2: R dumps reported as R items, fields projection and complete Links", () => {
    expect(labels(run("W2").results)).toEqual([`W2 ${R}`, `W2.full ${R}`]);
  });

  it("W3: phases of both modes from one run (the harness's ts slot), routes gone afterwards", () => {
    const { results, netns } = run("W3");
    expect(labels(results)).toEqual([
      `W3.add ${N}`, "W3.dump 1", `W3.del ${N}`, `W3 ${N}`,
      `W3.batch.add ${N}`, "W3.batch.dump 1", `W3.batch.del ${N}`, `W3.batch ${N}`,
    ]);
    expect(ip(["-4", "route", "show", "root", "10.200.0.0/16"], netns).trim()).toBe("");
  });

  it("W4: namespaces added and deleted", () => {
    const { results } = run("W4");
    expect(labels(results)).toEqual([`W4.add ${N}`, `W4.del ${N}`, `W4 ${N}`]);
    expect(readdirSync("/run/netns").filter((f) => f.startsWith(benchName(`w4-${count}-`)))).toEqual([]);
  });

  it("W5: vethB moved and configured in the second namespace (request and batch)", () => {
    for (const mode of [["--mode", "request"], ["--batch"]]) {
      const { results, netns, ns2 } = run("W5", mode);
      expect(labels(results)).toEqual(["W5 2"]);
      const b = ipJson(["addr", "show", "dev", "vethB2"], ns2)[0];
      expect(b.addr_info.map((x: { local: string }) => x.local)).toContain("10.0.2.2");
      expect(b.flags).toContain("UP");
      expect(ipJson(["link", "show", "dev", "vethA2"], netns)[0].flags).toContain("UP");
    }
  });

  it("unsupported workload: not exit 3 by accident (usage error)", () => {
    const netns = ns.create("bad");
    let status: number | null = 0;
    try {
      execFileSync("ip", ["netns", "exec", netns, "node", "--import", "tsx", "bench/peer.ts", "W9", "1"], { cwd: ROOT, stdio: "pipe" });
    } catch (e) {
      status = (e as { status: number | null }).status;
    }
    expect(status).toBe(2);
  });

  it.skipIf(!HARNESS)("the harness runs the ts slot end to end (tiny N)", () => {
    const out = execFileSync(HARNESS, [], {
      cwd: ROOT, encoding: "utf8", timeout: 120_000, stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, N: "5", N_W5: "2", REPS: "1", R: "2", PEERS: "ts", TS_PEER_CMD: "node --import tsx bench/peer.ts", WORK: harnessWork },
    });
    expect(out).toMatch(/\| ts \|/);
    expect(out).not.toMatch(/FAIL/);
  }, 130_000);
});
