// nlkit rule: add | delete | show | flush, with ip rule's words.
import type { Cli } from "./context.js";
import { IP_PROTOS } from "../rtnl/rule/table.js";
import {
  Args, CliError, invalidArg, matches, namedNumber, parseTable, parseUnsigned, pick, prefixArg, PROTOCOL_NAMES, unknownCommand, UsageError,
} from "./grammar.js";
import { ruleText } from "./print/rule.js";

export const RULE_USAGE = `Usage: nlkit rule { add | del } SELECTOR ACTION
       nlkit rule { show | list | flush }
SELECTOR := [ not ] [ from PREFIX ] [ to PREFIX ] [ tos TOS ]
            [ fwmark FWMARK[/MASK] ] [ iif STRING ] [ oif STRING ]
            [ pref NUMBER ] [ l3mdev ] [ uidrange NUMBER-NUMBER ]
            [ ipproto PROTOCOL ] [ sport [ NUMBER | NUMBER-NUMBER ] ]
            [ dport [ NUMBER | NUMBER-NUMBER ] ]
ACTION := [ table TABLE_ID ] [ protocol PROTO ] [ realms [SRCREALM/]DSTREALM ]
          [ goto NUMBER ] [ suppress_prefixlength NUMBER ] [ suppress_ifgroup NUMBER ]
          [ nop | unreachable | prohibit | blackhole ]
TABLE_ID := [ local | main | default | NUMBER ]`;

const COMMANDS = ["add", ["delete", "del"], ["show", "list", "lst"], "flush", "help"] as const;
const ACTIONS = ["nop", "unreachable", "prohibit", "blackhole"];

export async function run(cli: Cli, args: Args): Promise<void> {
  const word = args.shift();
  if (word === undefined) return show(cli);
  const cmd = word === "--help" ? "help" : pick(word, COMMANDS);
  switch (cmd) {
    case "add":
    case "delete":
      return modify(cli, args, cmd);
    case "show":
      if (!args.done) throw new UsageError(`nlkit rule show: selectors are not supported ("${args.peek()}")`);
      return show(cli);
    case "flush":
      return flush(cli);
    case "help":
      throw new UsageError(RULE_USAGE);
    default:
      unknownCommand(word, "rule");
  }
}

function portRange(w: string, what: string): number | [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(w);
  return m ? [parseUnsigned(m[1]!, what, 65535), parseUnsigned(m[2]!, what, 65535)] : parseUnsigned(w, what, 65535);
}

async function modify(cli: Cli, args: Args, cmd: "add" | "delete"): Promise<void> {
  const spec: Record<string, unknown> = {};
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (w === "not") spec.not = true;
    else if (w === "from") spec.from = prefixOrAll(args.value(), cli);
    else if (w === "to") spec.to = prefixOrAll(args.value(), cli);
    else if (w === "tos" || matches(w, "dsfield")) spec.tos = parseUnsigned(args.value(), "TOS", 255);
    else if (matches(w, "fwmark")) {
      const [mark, mask] = args.value().split("/");
      spec.fwmark = parseUnsigned(mark!, "fwmark");
      if (mask !== undefined) spec.fwmask = parseUnsigned(mask, "fwmask");
    } else if (w === "iif" || w === "dev") spec.iif = args.value();
    else if (w === "oif") spec.oif = args.value();
    else if (matches(w, "preference") || matches(w, "priority") || w === "order") spec.priority = parseUnsigned(args.value(), "preference");
    else if (w === "l3mdev") spec.l3mdev = true;
    else if (w === "uidrange") {
      const m = /^(\d+)-(\d+)$/.exec(args.value());
      if (!m) throw new CliError("Error: argument is wrong: invalid UID range", 255);
      spec.uidRange = [Number(m[1]), Number(m[2])];
    } else if (w === "ipproto") {
      // ip takes a protocol name or a decimal number (not hex) up to 255
      const p = args.value();
      if (Object.hasOwn(IP_PROTOS, p)) spec.ipProto = p;
      else if (/^[0-9]+$/.test(p) && Number(p) <= 255) spec.ipProto = Number(p);
      else invalidArg(p, 'Invalid "ipproto" value\n');
    } else if (w === "sport") spec.sport = portRange(args.value(), "sport");
    else if (w === "dport") spec.dport = portRange(args.value(), "dport");
    else if (matches(w, "table") || w === "lookup") spec.table = parseTable(args.value());
    else if (matches(w, "protocol")) {
      spec.protocol = namedNumber(args.value(), PROTOCOL_NAMES, '"protocol" value is invalid\n');
    } else if (matches(w, "realms")) spec.realm = parseUnsigned(args.value().split("/").pop()!, "realms");
    else if (w === "goto") spec.goto = parseUnsigned(args.value(), "goto");
    else if (w === "suppress_prefixlength") spec.suppressPrefixlen = parseUnsigned(args.value(), "suppress_prefixlength");
    else if (w === "suppress_ifgroup") spec.suppressIfgroup = parseUnsigned(args.value(), "suppress_ifgroup");
    else if (ACTIONS.includes(w)) spec.action = w;
    else if (matches(w, "help")) throw new UsageError(RULE_USAGE);
    else throw new UsageError(`Error: argument "${w}" is wrong: Failed to parse rule type`);
  }
  if (cli.opts.family) spec.family = cli.opts.family;
  if (cmd === "delete") return cli.change((v) => v.rule.del(spec as never));
  await cli.change((v) => v.rule.add(spec as never));
}

function prefixOrAll(w: string, cli: Cli): string {
  if (w === "all") return w;
  prefixArg(w, cli.opts.family);
  return w;
}

async function show(cli: Cli): Promise<void> {
  const rt = await cli.rtnl();
  // like ip, IPv4 rules unless -6
  const rules = await rt.rule.list({ family: cli.opts.family ?? 4 });
  const { ruleToIpJson } = await import("../rtnl/json/rule.js");
  const records = rules.map((r) => ruleToIpJson(r, { details: cli.opts.details }));
  if (cli.opts.json) return cli.writeJson(records);
  cli.write(records.map((r) => ruleText(r) + "\n").join(""));
}

/** Removes every rule but the priority-0 (local) one, as ip rule flush does. */
async function flush(cli: Cli): Promise<void> {
  const rt = await cli.rtnl();
  const rules = await rt.rule.list({ family: cli.opts.family ?? 4 });
  for (const r of rules) if (r.priority !== 0) await rt.rule.del({ family: r.family, priority: r.priority });
}
