import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { NetlinkParseError } from "../../src/netlink/errors.js";
import { loadCorpus } from "../fuzz/corpus.js";
import { Fuzzer, signature } from "../fuzz/run.js";
import { Rng } from "../fuzz/rng.js";
import type { Target } from "../fuzz/targets.js";

const FUZZ = fileURLToPath(new URL("../../scripts/fuzz.ts", import.meta.url));

interface Summary {
  cases: number; untypedThrows: number; hangs: number; crashes: number; parseErrors: number; values: number;
  findings: Array<{ kind: string; signature: string; firstCase: number; minimal?: string }>;
}

function fuzz(args: string[]): Summary {
  const r = spawnSync(process.execPath, ["--import", "tsx", FUZZ, "--json", ...args], { encoding: "utf8", timeout: 120_000 });
  if (r.error) throw r.error;
  try {
    return JSON.parse(r.stdout) as Summary;
  } catch {
    throw new Error(`scripts/fuzz.ts exited ${r.status}: ${r.stdout}${r.stderr}`);
  }
}

describe("fuzzing every decoder (scripts/fuzz.ts; a long run is npm run fuzz -- --count 1000000)", () => {
  it("a bounded run finds no untyped throw, hang or crash (open TODO items of test/fuzz/todo.ts left out)", () => {
    const s = fuzz(["--count", "4000", "--seed", "24850", "--workers", "1", "--todo"]);
    expect(s.findings).toEqual([]);
    expect(s).toMatchObject({ cases: 4000, untypedThrows: 0, hangs: 0, crashes: 0 });
    // the mutations do reach the decoders' checks, and the results are really read
    expect(s.parseErrors).toBeGreaterThan(1000);
    expect(s.values).toBeGreaterThan(100_000);
  });

  it("notices a case that hangs, one that crashes its worker and an untyped throw, each by its case number", () => {
    const s = fuzz(["--count", "30", "--seed", "1", "--workers", "1", "--chunk", "10", "--hang-ms", "1500", "--todo", "--selftest", "hang=3,crash=17,throw=25"]);
    expect(s).toMatchObject({ hangs: 1, crashes: 1, untypedThrows: 1 });
    expect(s.findings.map((f) => [f.kind, f.firstCase]).sort()).toEqual([["crash", 17], ["hang", 3], ["untyped-throw", 25]]);
  });
});

describe("the fuzz harness", () => {
  const corpus = loadCorpus();
  const target = (name: string, fn: (buf: Buffer, start: number, len: number) => unknown): Target => ({
    name, accepts: () => true, run: (buf, start, len, ctx) => { ctx.step("x", () => fn(buf, start, len)); },
  });

  it("is deterministic: a case is a function of (seed, index)", () => {
    const a = new Fuzzer(corpus), b = new Fuzzer(corpus);
    for (const i of [0, 1, 77, 4096]) expect(a.runCase(9, i).input.bytes.equals(b.runCase(9, i).input.bytes)).toBe(true);
    expect(a.runCase(9, 1).input.bytes.equals(a.runCase(10, 1).input.bytes) && a.runCase(9, 1).input.bytes.equals(a.runCase(9, 2).input.bytes)).toBe(false);
  });

  it("counts a NetlinkParseError as expected and anything else as a finding, reading and serialising included", () => {
    const fz = new Fuzzer(corpus, {
      targets: [
        target("parse", () => { throw new NetlinkParseError("bad", 0); }),
        target("range", (buf) => buf.readUInt32LE(buf.length)),
        target("getter", () => Object.defineProperty({}, "lazy", { enumerable: true, get() { throw new NetlinkParseError("late", 0); } })),
        target("bigint", () => ({ n: 1n })),
        target("fine", (buf) => ({ len: buf.length })),
      ],
    });
    const msg = corpus.messages[0]!.bytes;
    const out = fz.runInput(msg, new Rng(1), true);
    expect(out.parseErrors).toBeGreaterThan(0);
    const kinds = new Set(out.findings.map((f) => `${f.target.split(" > ")[0]} ${f.phase} ${f.error}`));
    expect([...kinds].sort()).toEqual(["bigint json TypeError", "getter read NetlinkParseError", "range decode RangeError"]);
  });

  it("shrinks a finding's input to the bytes that matter", () => {
    // throws when an attribute of type 3 (IFLA_IFNAME) is present: the minimum is one header's worth
    const fz = new Fuzzer(corpus, {
      targets: [target("ifname", (buf, start, len) => {
        for (let off = start + 32; off + 4 <= start + len; off += (buf.readUInt16LE(off) + 3) & ~3) {
          if (buf.readUInt16LE(off) < 4) break;
          if (buf.readUInt16LE(off + 2) === 3) throw new TypeError("found it");
        }
      })],
    });
    const link = corpus.messages.find((m) => m.type === 16)!.bytes;
    const f = fz.runInput(link, new Rng(1), true).findings[0]!;
    const min = fz.minimize(link, signature(f));
    expect(min.length).toBeLessThan(48);
    expect(fz.runInput(min, new Rng(1), true).findings.map(signature)).toContain(signature(f));
  });
});
