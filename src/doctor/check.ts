import type { Check, CheckStatus } from "./types.js";

export function check(id: string, title: string, status: CheckStatus, evidence: string, extra: { fix?: string | undefined; details?: unknown } = {}): Check {
  const c: Check = { id, title, status, evidence };
  if (extra.fix !== undefined) c.fix = extra.fix;
  if (extra.details !== undefined) c.details = extra.details;
  return c;
}

export const ok = (id: string, title: string, evidence: string, details?: unknown) => check(id, title, "ok", evidence, { details });
export const skipped = (id: string, title: string, evidence: string) => check(id, title, "skipped", evidence);

/** The reason text for a check that an earlier failure makes moot. */
export function because(id: string): string {
  return `not checked: ${id} failed first`;
}
