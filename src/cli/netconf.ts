// nlkit netconf show [ dev DEV ]: the kernel's per-device IP configuration, as ip netconf shows it.
import { NetlinkError } from "../netlink/errors.js";
import type { Cli } from "./context.js";
import { Args, CliError, pick, UsageError } from "./grammar.js";
import { netconfText } from "./print/netconf.js";

export const NETCONF_USAGE = "Usage: nlkit netconf show [ dev STRING ]";

const COMMANDS = [["show", "lst", "list"], "help"] as const;
const ENODEV = 19;

export async function run(cli: Cli, args: Args): Promise<void> {
  const word = args.shift();
  if (word === undefined) return show(cli, args);
  switch (pick(word, COMMANDS)) {
    case "show":
      return show(cli, args);
    case "help":
      throw new UsageError(NETCONF_USAGE);
    default:
      throw new UsageError(`Command "${word}" is unknown, try "nlkit netconf help".`);
  }
}

/**
 * With a device and a family, one request for that family (as ip does); otherwise every
 * family's dump, kept to the device. ip 6.1 prints the first form as text even with -j; nlkit
 * prints JSON whenever -j is given.
 */
async function show(cli: Cli, args: Args): Promise<void> {
  let dev: string | undefined;
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (w === "dev") dev = args.value();
  }
  const rt = await cli.rtnl();
  const family = cli.opts.family;
  let list;
  try {
    list = dev !== undefined && family !== undefined
      ? [await rt.netconf.get({ dev, family })]
      : await rt.netconf.list({ ...(family ? { family } : {}), ...(dev !== undefined ? { dev } : {}) });
  } catch (e) {
    if (dev !== undefined && e instanceof NetlinkError && e.errno === ENODEV) throw new CliError(`Device "${dev}" does not exist.`);
    throw e;
  }
  const { netconfToIpJson } = await import("../rtnl/json/netconf.js");
  const records = list.map(netconfToIpJson);
  if (cli.opts.json) return cli.writeJson(records);
  cli.write(records.map((r) => netconfText(r) + "\n").join(""));
}
