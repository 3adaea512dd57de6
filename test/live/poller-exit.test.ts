import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { describeLive, TestNamespaces } from "../helpers/live.js";

const CHILD = fileURLToPath(new URL("../helpers/poller-exit-child.ts", import.meta.url));

describeLive("process exit while the shared poll loop watches a socket (live)", () => {
  it("process.exit returns within 2 s with a UdpSourceReporter still open", async () => {
    const ns = new TestNamespaces("pollexit");
    try {
      const child = spawn(process.execPath, ["--import", "tsx", CHILD, ns.adopt(ns.name("a"))], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let exitingAt: number | undefined;
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (exitingAt === undefined && out.includes("exiting")) exitingAt = performance.now();
      });
      child.stderr.on("data", (d: Buffer) => (out += d.toString()));
      const hung = setTimeout(() => child.kill("SIGKILL"), 8000);
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on("exit", (c, s) => r([c, s])));
      clearTimeout(hung);
      const exitMs = exitingAt === undefined ? undefined : performance.now() - exitingAt;
      expect({ code, signal, out }).toEqual({ code: 0, signal: null, out: "exiting\n" });
      expect(exitMs).toBeLessThan(2000);
    } finally {
      ns.cleanup();
    }
  }, 30_000);
});
