import type { GlobalOptions } from "./context.js";

/** `nlkit doctor`: a slot for the diagnostics command (another issue); the lead replaces this. */
export async function doctor(_args: string[], _opts: GlobalOptions): Promise<number> {
  process.stderr.write("nlkit doctor: not yet available\n");
  return 1;
}
