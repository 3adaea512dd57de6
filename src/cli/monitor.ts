// nlkit monitor [ all | OBJECTS ] [ label ]: ip monitor's lines for link, address, route,
// neighbour and rule events, or one JSON object per line with -j. Runs until SIGINT/SIGTERM.
import type { MonitorObject } from "../rtnl/monitor/index.js";
import type { Cli } from "./context.js";
import { Args, matches, UsageError } from "./grammar.js";
import { MonitorPrinter } from "./print/monitor.js";
import { nsidNames } from "./print/records.js";

export const MONITOR_USAGE = `Usage: nlkit monitor [ all | OBJECTS ] [ label ]
OBJECTS :=  address | link | neigh | route | rule`;

/** ip's words in ip's order (which settles prefixes: `l` is label); those nlkit does not follow are refused. */
const WORDS: ReadonlyArray<readonly [string, MonitorObject | "label" | "unsupported"]> = [
  ["label", "label"], ["link", "link"], ["address", "addr"], ["route", "route"], ["mroute", "unsupported"],
  ["prefix", "unsupported"], ["neigh", "neigh"], ["netconf", "unsupported"], ["rule", "rule"], ["nsid", "unsupported"],
  ["nexthop", "unsupported"],
];

export interface MonitorWords {
  objects: MonitorObject[] | undefined;
  banners: boolean;
}

export function parseMonitorWords(args: Args): MonitorWords {
  const objects = new Set<MonitorObject>();
  let banners = false;
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (w === "all") {
      banners = true;
      continue;
    }
    if (w === "stats" || w === "all-nsid" || matches(w, "file") || w === "dev") {
      throw new UsageError(`nlkit monitor: "${w}" is not supported`);
    }
    if (matches(w, "help")) throw new UsageError(MONITOR_USAGE);
    const hit = WORDS.find(([word]) => matches(w, word));
    if (!hit) throw new UsageError(`Argument "${w}" is unknown, try "nlkit monitor help".`);
    if (hit[1] === "label") banners = true;
    else if (hit[1] === "unsupported") throw new UsageError(`nlkit monitor: "${hit[0]}" events are not supported`);
    else objects.add(hit[1]);
  }
  return { objects: objects.size ? [...objects] : undefined, banners };
}

export async function run(cli: Cli, args: Args): Promise<void> {
  const { objects, banners } = parseMonitorWords(args);
  const rt = await cli.rtnl();
  const family = cli.opts.family;
  // subscribed before the printer's own link listing, so that no link change falls between
  const mon = rt.monitor({ ...(objects ? { objects } : {}), ...(family ? { family } : {}) });
  const stop = (): void => void mon.close();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    const links = await rt.link.list();
    const { linkToIpJson } = await import("../rtnl/link/json.js");
    const nsName = await nsidNames(cli, links.map((l) => linkToIpJson(l)));
    const printer = new MonitorPrinter(links, { json: cli.opts.json, banners, nsName });
    for await (const ev of mon) cli.write(printer.format(ev));
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await mon.close();
  }
}
