// Minimal UAPI oracle: compiles a C program that prints the value of each named constant from
// the given kernel headers (a stand-in until the shared test/helpers/uapi.ts lands).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function hasCc(): boolean {
  try { execFileSync("cc", ["--version"], { stdio: "ignore" }); return true; } catch { return false; }
}

export function uapiValues(headers: string[], names: string[]): Map<string, number> {
  const dir = mkdtempSync(join(tmpdir(), "nlkit-uapi-"));
  try {
    const src = [
      "#include <stdio.h>",
      ...headers.map((h) => `#include <${h}>`),
      "int main(void) {",
      ...names.map((n) => `  printf("%s %lld\\n", "${n}", (long long)(${n}));`),
      "  return 0;",
      "}",
    ].join("\n");
    writeFileSync(join(dir, "u.c"), src);
    execFileSync("cc", ["-o", join(dir, "u"), join(dir, "u.c")], { stdio: "pipe" });
    const out = execFileSync(join(dir, "u"), { encoding: "utf8" });
    return new Map(out.trim().split("\n").map((l) => { const [k, v] = l.split(" "); return [k!, Number(v)]; }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
