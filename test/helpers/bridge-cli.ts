// bridge(8) and `nlkit bridge` side by side in one namespace, for the tests that compare them.
import { execFileSync, spawnSync } from "node:child_process";
import { expect } from "vitest";
import { nlkit, type CliRun } from "./nlkit-cli.js";

export interface BridgePair {
  /** Runs a tool inside the namespace (setup and undo lines). */
  sh(cmd: string, args: string[]): void;
  /** bridge(8) itself. */
  bridge(args: readonly string[]): CliRun;
  /** `nlkit [-j -p -d -o -s] bridge ARGS`: bridge's own options go before the object in nlkit. */
  ours(args: readonly string[]): CliRun;
  /**
   * Each [line, undo]: bridge runs the line, `shows` are read, undo runs, nlkit runs the line, and
   * nlkit's answer and both tools' `shows` must be what bridge's were.
   */
  sameChanges(cases: ReadonlyArray<readonly [string, string?]>, shows: readonly string[][]): void;
}

/** The pair for the namespace `netns()` names (read at each call: it is made in beforeAll). */
export function bridgePair(netns: () => string): BridgePair {
  const sh = (cmd: string, args: string[]): void => {
    execFileSync("ip", ["netns", "exec", netns(), cmd, ...args], { stdio: "pipe" });
  };
  const bridge = (args: readonly string[]): CliRun => {
    const r = spawnSync("ip", ["netns", "exec", netns(), "bridge", ...args], { encoding: "utf8" });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const ours = (args: readonly string[]): CliRun => {
    const i = args.findIndex((a) => !a.startsWith("-"));
    const r = nlkit(["-n", netns(), ...args.slice(0, i), "bridge", ...args.slice(i)]);
    // nlkit names itself where bridge says "bridge" ("try "nlkit bridge fdb help"")
    return { ...r, stderr: r.stderr.replaceAll("nlkit bridge", "bridge") };
  };
  const sameChanges = (cases: ReadonlyArray<readonly [string, string?]>, shows: readonly string[][]): void => {
    for (const [line, undo] of cases) {
      const args = line.split(" ");
      const theirs = bridge(args);
      const after = shows.map(bridge);
      if (undo) sh("bridge", undo.split(" "));
      expect({ args, ...ours(args) }).toEqual({ args, ...theirs });
      expect({ args, shows: shows.map(bridge) }).toEqual({ args, shows: after });
      expect({ args, shows: shows.map(ours) }).toEqual({ args, shows: after });
      if (undo) sh("bridge", undo.split(" "));
    }
  };
  return { sh, bridge, ours, sameChanges };
}
