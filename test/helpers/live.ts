import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { describe } from "vitest";

export const isRoot = process.getuid?.() === 0;

/** A describe block that needs root; the skip says why. */
export function describeLive(name: string, fn: () => void): void {
  if (isRoot) describe(name, fn);
  else describe.skip(`${name} (skipped: needs root for network namespaces)`, fn);
}

/** Runs iproute2 as an independent oracle (never used by the library itself). */
export function ip(args: string[], netns?: string): string {
  const full = netns ? ["-n", netns, ...args] : args;
  return execFileSync("ip", full, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

export function ipJson<T = any>(args: string[], netns?: string): T {
  const full = netns ? ["-n", netns, "-j", ...args] : ["-j", ...args];
  const out = execFileSync("ip", full, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return (out.trim() ? JSON.parse(out) : []) as T;
}

export function hasCommand(cmd: string): boolean {
  return ["/usr/sbin", "/usr/bin", "/sbin", "/bin"].some((d) => fs.existsSync(`${d}/${cmd}`));
}

/**
 * Throwaway namespaces for one test file, named nlkit-test-<pid>-<tag>-<suffix> so that parallel
 * runs and files never collide; cleanup() removes every one created, whatever happened.
 */
export class TestNamespaces {
  private readonly made = new Set<string>();
  readonly prefix: string;

  constructor(tag: string) {
    this.prefix = `nlkit-test-${process.pid}-${tag}`;
  }

  name(suffix: string): string {
    return `${this.prefix}-${suffix}`;
  }

  /** Creates a namespace with `ip netns add` (an oracle tool, independent of nlkit) and brings lo up. */
  create(suffix: string): string {
    const name = this.name(suffix);
    execFileSync("ip", ["netns", "add", name], { stdio: "pipe" });
    this.made.add(name);
    execFileSync("ip", ["-n", name, "link", "set", "lo", "up"], { stdio: "pipe" });
    return name;
  }

  /** Registers a namespace created by other means so that cleanup removes it too. */
  adopt(name: string): string {
    this.made.add(name);
    return name;
  }

  cleanup(): void {
    for (const name of this.made) {
      try {
        execFileSync("ip", ["netns", "del", name], { stdio: "pipe" });
      } catch {
        // already gone
      }
    }
    this.made.clear();
  }
}
