// nlkit [-n NS] sysctl [-n] KEY... | -w KEY=VALUE...   (sysctl(8)'s output, per namespace)
import { sysctl } from "../netns/index.js";
import type { Cli } from "./context.js";
import { Args, CliError, UsageError } from "./grammar.js";

export const SYSCTL_USAGE = `Usage: nlkit [-n NS] sysctl [-n] KEY...
       nlkit [-n NS] sysctl [-q] -w KEY=VALUE...`;

export async function run(cli: Cli, args: Args): Promise<number> {
  let write = false;
  let valuesOnly = false;
  let quiet = false;
  const items: string[] = [];
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (w === "-w" || w === "--write") write = true;
    else if (w === "-n" || w === "--values") valuesOnly = true;
    else if (w === "-q" || w === "--quiet") quiet = true;
    else if (w === "help" || w === "-h" || w === "--help") throw new UsageError(SYSCTL_USAGE);
    else if (w.startsWith("-")) throw new UsageError(`sysctl: unknown option "${w}"\n${SYSCTL_USAGE}`);
    else items.push(w);
  }
  if (!items.length) throw new UsageError(SYSCTL_USAGE);
  const ns = cli.netnsRef();
  let status = 0;
  for (const item of items) {
    try {
      // like sysctl(8), KEY=VALUE is a write even without -w
      const eq = item.indexOf("=");
      if (write || eq >= 0) {
        if (eq <= 0) throw new CliError(`sysctl: "${item}" must be of the form name=value`);
        const key = item.slice(0, eq).trim();
        const value = item.slice(eq + 1).trim();
        await sysctl.set(key, value, ns);
        if (!quiet) cli.write(valuesOnly ? `${value}\n` : `${key} = ${value}\n`);
      } else {
        const value = await sysctl.get(item, ns);
        cli.write(valuesOnly ? `${value}\n` : `${item} = ${value}\n`);
      }
    } catch (e) {
      if (e instanceof CliError || e instanceof UsageError) throw e;
      // sysctl(8) reports each bad key and goes on with the others
      const msg = (e as Error).message.replace(/ \(E[A-Z0-9]+\)$/, "");
      process.stderr.write(`sysctl: ${msg}\n`);
      status = 1;
    }
  }
  return status;
}
