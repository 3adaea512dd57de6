import { describe, expect, it } from "vitest";
import { corpusMessages, exercise, mutate, rng } from "../../helpers/nft-fuzz.js";

describe("nft decoders and the renderer are total", () => {
  const pool = corpusMessages();
  it(`survive ${pool.length} real messages and 3000 mutated rulesets`, () => {
    expect(pool.length).toBeGreaterThan(100);
    exercise(pool);
    const r = rng(0x5eed);
    for (let round = 0; round < 3000; round++) {
      const msgs = pool.filter(() => r() < 0.05).map((m) => (r() < 0.5 ? mutate(m, r, pool) : m));
      try {
        exercise(msgs);
      } catch (e) {
        throw new Error(`round ${round}: ${(e as Error).stack}\n${msgs.map((m) => m.toString("hex")).join("\n")}`);
      }
    }
  });
});
