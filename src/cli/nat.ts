// nlkit nat: masquerade | port-forward | show, on nftables (the iptables -t nat lines of the seed
// chapter, without iptables).
import type { Cli } from "./context.js";
import { Args, CliError, parseUnsigned, pick, unknownCommand, UsageError } from "./grammar.js";

export const NAT_USAGE = `Usage: nlkit [-n NS] nat masquerade --saddr PREFIX [ --not-oif IFNAME | --oif IFNAME ]
                                    [ --table NAME ] [ --chain NAME ] [ --family ip|ip6|inet ]
       nlkit [-n NS] nat port-forward --dport PORT --to ADDR[:PORT] [ --proto tcp|udp ]
                                    [ --iif IFNAME ] [ --daddr ADDR ]
       nlkit [-n NS] nat show [ --json ]`;

const COMMANDS = ["masquerade", "port-forward", ["show", "list"], "help"] as const;

/** --key value options (also --key=value); every key must be one the command knows. */
function options(args: Args, known: readonly string[]): Record<string, string> {
  const o: Record<string, string> = {};
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (w === "help" || w === "--help") throw new UsageError(NAT_USAGE);
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(w);
    if (!m || !known.includes(m[1]!)) throw new UsageError(`nlkit nat: unknown option "${w}"\n${NAT_USAGE}`);
    o[m[1]!] = m[2] ?? args.value();
  }
  return o;
}

async function open(cli: Cli) {
  const { Nft } = await import("../nft/index.js");
  return Nft.open(cli.netnsRef());
}

export async function run(cli: Cli, args: Args): Promise<void> {
  const word = args.shift();
  const cmd = word === undefined ? "show" : word === "--help" ? "help" : pick(word, COMMANDS);
  switch (cmd) {
    case "masquerade": {
      const o = options(args, ["saddr", "not-oif", "oif", "table", "chain", "family"]);
      if (o.saddr === undefined) throw new CliError("nlkit nat masquerade: --saddr PREFIX is required");
      const nft = await open(cli);
      try {
        await nft.masquerade({
          saddr: o.saddr,
          ...(o["not-oif"] !== undefined ? { notOifname: o["not-oif"] } : {}),
          ...(o.oif !== undefined ? { oifname: o.oif } : {}),
          ...(o.table !== undefined ? { table: o.table } : {}),
          ...(o.chain !== undefined ? { chain: o.chain } : {}),
          ...(o.family !== undefined ? { family: o.family as "ip" | "ip6" | "inet" } : {}),
        });
      } finally {
        nft.close();
      }
      return;
    }
    case "port-forward": {
      const o = options(args, ["dport", "to", "proto", "iif", "daddr", "table", "chain", "family"]);
      if (o.dport === undefined || o.to === undefined) throw new CliError("nlkit nat port-forward: --dport and --to are required");
      const nft = await open(cli);
      try {
        await nft.portForward({
          dport: parseUnsigned(o.dport, "dport", 65535),
          to: o.to,
          ...(o.proto !== undefined ? { protocol: o.proto as "tcp" | "udp" } : {}),
          ...(o.iif !== undefined ? { iifname: o.iif } : {}),
          ...(o.daddr !== undefined ? { daddr: o.daddr } : {}),
          ...(o.table !== undefined ? { table: o.table } : {}),
          ...(o.chain !== undefined ? { chain: o.chain } : {}),
          ...(o.family !== undefined ? { family: o.family as "ip" | "ip6" | "inet" } : {}),
        });
      } finally {
        nft.close();
      }
      return;
    }
    case "show": {
      options(args, []);
      const nft = await open(cli);
      try {
        if (cli.opts.json) return cli.writeJson(await nft.ruleset());
        cli.write(await nft.renderRuleset());
      } finally {
        nft.close();
      }
      return;
    }
    case "help":
      throw new UsageError(NAT_USAGE);
    default:
      unknownCommand(word!, "nat");
  }
}
