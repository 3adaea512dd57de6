// Reads protocol numbers from the installed UAPI headers by compiling a tiny C program: the
// headers, not a copy of them, are the authority that attribute tables are checked against.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let compiler: string | null | undefined;

/** The C compiler to use, or null when there is none (tests then skip, saying so). */
export function cCompiler(): string | null {
  if (compiler !== undefined) return compiler;
  compiler = null;
  for (const cc of ["cc", "gcc", "clang"]) {
    try {
      execFileSync(cc, ["--version"], { stdio: "ignore" });
      compiler = cc;
      break;
    } catch { /* try the next */ }
  }
  return compiler;
}

// A constant name, or a small C expression over them such as NF_CT_STATE_BIT(IP_CT_ESTABLISHED)
// or offsetof(struct inet_diag_msg, id.idiag_sport).
const EXPR = /^[A-Za-z0-9_ ()|<>+,.-]+$/;

/**
 * The value of each name (enum constant, macro, or an expression of them) in the given headers. Names the headers do not
 * define are left out of the map (the compiler's "undeclared" errors name them), so a caller can
 * tell "wrong number" from "newer than these headers".
 */
export function uapiValues(headers: string[], names: string[]): Map<string, number> {
  const cc = cCompiler();
  if (!cc) throw new Error("no C compiler (cc, gcc or clang) found");
  for (const n of names) if (!EXPR.test(n)) throw new Error(`not a C constant expression: ${n}`);
  let wanted = [...new Set(names)];
  const dir = mkdtempSync(join(tmpdir(), "nlkit-uapi-"));
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      const src = [
        ...headers.map((h) => `#include <${h}>`),
        "#include <stdio.h>",
        "int main(void) {",
        ...wanted.map((n) => `  printf("%s %lld\\n", "${n}", (long long)(${n}));`),
        "  return 0;",
        "}",
      ].join("\n");
      writeFileSync(join(dir, "u.c"), src);
      try {
        execFileSync(cc, ["-w", "-o", join(dir, "u"), join(dir, "u.c")], {
          stdio: ["ignore", "pipe", "pipe"],
          env: { ...process.env, LC_ALL: "C" },
        });
      } catch (e) {
        const stderr = String((e as { stderr?: Buffer }).stderr ?? "");
        const missing = new Set([...stderr.matchAll(/['\u2018]([A-Za-z_][A-Za-z0-9_]*)['\u2019] undeclared/g)].map((m) => m[1]!));
        if (missing.size === 0) throw new Error(`compiling UAPI probe failed:\n${stderr.slice(0, 2000)}`);
        wanted = wanted.filter((n) => !(n.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []).some((id) => missing.has(id)));
        continue;
      }
      const out = execFileSync(join(dir, "u"), { encoding: "utf8" });
      const map = new Map<string, number>();
      for (const line of out.trim().split("\n")) {
        if (!line) continue;
        // the expression itself may hold spaces: the value is the last word
        const cut = line.lastIndexOf(" ");
        map.set(line.slice(0, cut), Number(line.slice(cut + 1)));
      }
      return map;
    }
    throw new Error("UAPI probe did not converge");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
