import * as fs from "node:fs";
import { parsePsched, PSCHED_FALLBACK, type Psched } from "./units.js";

// The kernel's packet-scheduler clock, read from /proc/net/psched as tc reads it: rate tables and
// token buffers are in its ticks. The file is the same in every namespace and never changes
// while the kernel runs, so it is read once.

let cached: Psched | undefined;

export function kernelPsched(): Psched {
  if (cached) return cached;
  try {
    cached = parsePsched(fs.readFileSync("/proc/net/psched", "utf8"));
  } catch {
    // what tc itself goes on with when it cannot read the file
    cached = PSCHED_FALLBACK;
  }
  return cached;
}
