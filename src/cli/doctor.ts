// nlkit [-n NS] doctor [-n NS] [--to ADDRESS[:PORT]] [--tcp] [--target NS] [--router NS] [--json]
import { diagnose, renderJson, renderText } from "../doctor/index.js";

export const DOCTOR_USAGE = `Usage: nlkit [-n NS] doctor [-n NS] --to ADDRESS[:PORT] [--tcp] [--target NS] [--router NS] [--json]
Walks the path from NS to ADDRESS (namespace, links, addresses, routes, neighbours, forwarding,
NAT, a probe), names the first thing that is wrong and the nlkit command that fixes it.
A PORT is probed over UDP, or with --tcp by a TCP handshake; --target NS (the destination's
namespace) checks that something listens on PORT there.
Exit status: 0 when nothing failed, 1 when a check failed, 255 on a usage error.`;

/** What the CLI's global options carry into the command (ip's -n and -j). */
export interface DoctorGlobalOptions {
  netns?: string;
  json?: boolean;
}

export async function doctor(argv: string[], globals: DoctorGlobalOptions = {}): Promise<number> {
  let netns = globals.netns, to: string | undefined, router: string | undefined, target: string | undefined, tcp = false, json = globals.json ?? false;
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`doctor: ${w} needs an argument`);
      return v;
    };
    try {
      if (w === "-n" || w === "-netns" || w === "--netns") netns = value();
      else if (w === "--to" || w === "to") to = value();
      else if (w === "--router" || w === "router") router = value();
      else if (w === "--target" || w === "target") target = value();
      else if (w === "--tcp" || w === "tcp") tcp = true;
      else if (w === "--json" || w === "-j" || w === "-json") json = true;
      else if (w === "-h" || w === "--help" || w === "help") { process.stdout.write(DOCTOR_USAGE + "\n"); return 0; }
      else throw new Error(`doctor: unknown argument "${w}"`);
    } catch (e) {
      process.stderr.write(`${(e as Error).message}\n${DOCTOR_USAGE}\n`);
      return 255;
    }
  }
  if (!to) {
    process.stderr.write(`doctor: --to ADDRESS is required\n${DOCTOR_USAGE}\n`);
    return 255;
  }
  try {
    const report = await diagnose({
      ...(netns !== undefined ? { netns } : {}), to, ...(router !== undefined ? { router } : {}),
      ...(target !== undefined ? { target } : {}), ...(tcp ? { tcp } : {}),
    });
    process.stdout.write(json ? renderJson(report) : renderText(report));
    return report.ok ? 0 : 1;
  } catch (e) {
    const err = e as Error & { field?: string };
    process.stderr.write(`doctor: ${err.message}\n`);
    return err.name === "NlkitInputError" ? 255 : 1;
  }
}
