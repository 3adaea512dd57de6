// nlkit conntrack's command line before it opens anything: conntrack's exit status 2 and words
// for a line it would refuse, its usage for -h.
import { afterEach, describe, expect, it, vi } from "vitest";
import { run } from "../../../src/cli/conntrack.js";
import { Cli } from "../../../src/cli/context.js";
import { Args } from "../../../src/cli/grammar.js";

function cliRun(words: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "", err = "";
  const cli = new Cli({ json: false, pretty: false, details: false, stats: 0, oneline: false, force: false }, (s) => { out += s; });
  vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => { err += String(s); return true; });
  return run(cli, new Args(words)).then((code) => ({ code, out, err }));
}

afterEach(() => vi.restoreAllMocks());

describe("nlkit conntrack: the command line", () => {
  it("refuses what conntrack refuses, with exit status 2 and a hint", async () => {
    for (const words of [[], ["-L", "-G"], ["-L", "--bogus"], ["-L", "-p"], ["-L", "-f", "ipx"], ["-L", "-o", "xml"], ["-E", "-e", "NOPE"],
      ["-L", "--sport", "70000"], ["-L", "-m", "x"], ["-L", "-s", "1.2.3.4", "-s", "1.2.3.5"]]) {
      const r = await cliRun(words);
      expect(r.code, words.join(" ")).toBe(2);
      expect(r.err, words.join(" ")).toMatch(/^nlkit conntrack: .+\nTry `nlkit conntrack -h' for more information\.\n$/);
    }
  });

  it("-h prints the usage", async () => {
    const r = await cliRun(["-h"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("Usage: nlkit [-n NS] [-j] conntrack COMMAND");
  });
});
