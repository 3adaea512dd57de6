import { runLabs } from "../lab/index.js";

const USAGE = `Usage: nlkit lab [--keep]
       nlkit [-n NS] doctor --to ADDRESS[:PORT] [--router NS] [--json]
       nlkit --help`;

/** The CLI entry point; returns the exit status (0 ok, 1 a failed command, 255 a usage error, as ip). */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === "--help" || cmd === "-h" || cmd === "help") {
    process.stdout.write(USAGE + "\n");
    return cmd === undefined ? 255 : 0;
  }
  if (cmd === "lab") return lab(rest);
  if (cmd === "doctor") return (await import("./doctor.js")).doctor(rest);
  // `nlkit -n NS doctor ...`: the only object here that takes the global -n so far
  if ((cmd === "-n" || cmd === "-netns") && rest[1] === "doctor") return (await import("./doctor.js")).doctor(rest.slice(2), { netns: rest[0]! });
  process.stderr.write(`Object "${cmd}" is unknown, try "nlkit help".\n`);
  return 255;
}

async function lab(args: string[]): Promise<number> {
  if (process.getuid?.() !== 0) {
    process.stderr.write("nlkit lab needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) to create network namespaces: run it with sudo.\n");
    return 1;
  }
  try {
    const r = await runLabs({ keep: args.includes("--keep") });
    return r.ok ? 0 : 1;
  } catch {
    return 1;
  }
}
