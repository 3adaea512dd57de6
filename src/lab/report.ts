/** How a lab tells a person what it is doing, as it happens. */
export interface LabReporter {
  section(title: string): void;
  step(text: string): void;
  ok(text: string): void;
  fail(text: string): void;
  detail(text: string): void;
}

export function consoleReporter(write: (line: string) => void = (l) => process.stdout.write(l + "\n")): LabReporter {
  return {
    section: (t) => write(`\n== ${t}`),
    step: (t) => write(`  → ${t}`),
    ok: (t) => write(`  ✓ ${t}`),
    fail: (t) => write(`  ✗ ${t}`),
    detail: (t) => write(`      ${t}`),
  };
}

export const silentReporter: LabReporter = { section() {}, step() {}, ok() {}, fail() {}, detail() {} };
