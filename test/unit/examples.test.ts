// The programs in examples/ compile against the built declarations as a user's would
// (test/live/examples.test.ts runs them).
import { copyFileSync, existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { scratchProject, typecheck } from "../helpers/readme-blocks.js";

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}
const built = existsSync("dist/index.d.ts") && statSync("dist/index.d.ts").mtimeMs >= newestSource("src");
const examples = readdirSync("examples").filter((f) => f.endsWith(".ts")).sort();

describe("examples/", () => {
  it("holds the container network, a monitor, NAT and the doctor as a library, each naming itself", () => {
    expect(examples).toEqual(expect.arrayContaining(["container-network.ts", "doctor.ts", "monitor.ts", "nat.ts"]));
    for (const f of examples) expect(statSync(join("examples", f)).size).toBeGreaterThan(0);
  });
});

(built ? describe : describe.skip)("examples/: compiled against the built types (skipped when dist/ is missing or older than src/)", () => {
  const dir = scratchProject("examples-tsc");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("each example type-checks (tsc, nodenext, strict) importing \"nlkit\"", () => {
    for (const f of examples) copyFileSync(join("examples", f), join(dir, f));
    expect(typecheck(dir, examples)).toBe("");
  }, 60_000);
});
