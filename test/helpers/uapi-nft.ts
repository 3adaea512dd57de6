// Reads constant values out of the kernel's UAPI headers by compiling a tiny C program, so
// tables can be checked against the headers rather than against a copy of them.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function hasCompiler(): boolean {
  try {
    execFileSync("cc", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** name -> value for every name, as the C compiler sees it after including `headers`. */
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
    execFileSync("cc", ["-o", join(dir, "u"), join(dir, "u.c")], { stdio: ["ignore", "ignore", "pipe"] });
    const out = execFileSync(join(dir, "u"), { encoding: "utf8" });
    const m = new Map<string, number>();
    for (const line of out.trim().split("\n")) {
      const [k, v] = line.split(" ");
      m.set(k!, Number(v));
    }
    return m;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
