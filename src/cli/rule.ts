// nlkit rule: add | delete | show | flush, with ip rule's words.
import type { Cli } from "./context.js";
import { IP_PROTOS } from "../rtnl/rule/table.js";
import { parseCidr } from "../netlink/ip.js";
import { parseDsfield } from "../rtnl/enums.js";
import {
  Args, CliError, invalidArg, matches, namedNumber, parseTable, parseUnsigned, pick, prefixArg, PROTOCOL_NAMES, TABLE_NAMES, unknownCommand, UsageError,
} from "./grammar.js";
import { ruleText } from "./print/rule.js";

export const RULE_USAGE = `Usage: nlkit rule { add | del } SELECTOR ACTION
       nlkit rule { show | list | flush } [ SELECTOR ]
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
  if (word === undefined) return show(cli, args, false);
  const cmd = word === "--help" ? "help" : pick(word, COMMANDS);
  switch (cmd) {
    case "add":
    case "delete":
      return modify(cli, args, cmd);
    case "show":
      return show(cli, args, false);
    case "flush":
      return show(cli, args, true);
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
    else if (w === "tos" || matches(w, "dsfield")) spec.tos = dsfieldArg(args.value());
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

function dsfieldArg(w: string): number {
  const n = parseDsfield(w);
  if (n === undefined) invalidArg(w, "TOS value is invalid\n");
  return n;
}

function u32Arg(w: string, what: string): number {
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(w)) invalidArg(w, what);
  return parseUnsigned(w, what.trim());
}

/** get_prefix as ip rule show uses it: "all" is the empty prefix; anything else must parse in the family. */
function selectorPrefix(w: string, family: 4 | 6): string {
  if (w === "all" || w === "any" || w === "default") return "all";
  const c = parseCidr(w);
  if (!c || c.family !== family) throw new CliError(`Error: ${family === 6 ? "inet6" : "inet"} prefix is expected rather than "${w}".`);
  return w;
}

function portRangeArg(w: string, what: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(w);
  if (!m || Number(m[1]) > 65535 || (m[2] !== undefined && Number(m[2]) > 65535)) invalidArg(w, what);
  return [Number(m[1]), Number(m[2] ?? m[1])];
}

/** `ip rule show|flush SELECTOR`'s words (iprule_list_flush_or_save) into the library's list filter. */
function parseSelector(args: Args, family: 4 | 6): Record<string, unknown> {
  const f: Record<string, unknown> = {};
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (matches(w, "preference") || matches(w, "order") || matches(w, "priority")) f.priority = u32Arg(args.value(), "preference value is invalid\n");
    else if (w === "not") f.not = true;
    else if (w === "tos" || w === "dsfield") f.tos = dsfieldArg(args.value());
    else if (w === "fwmark") {
      const [mark, mask] = args.value().split("/");
      const fwmark = u32Arg(mark!, "fwmark value is invalid\n");
      // ip's filter takes a zero mark or mask as "any"
      if (fwmark) f.fwmark = fwmark;
      if (mask !== undefined) {
        const fwmask = u32Arg(mask, "fwmask value is invalid\n");
        if (fwmask) f.fwmask = fwmask;
      }
    } else if (w === "dev" || w === "iif") f.iif = ifnameSelector(args.value(), '"iif"/"dev" not a valid ifname');
    else if (w === "oif") f.oif = ifnameSelector(args.value(), '"oif" not a valid ifname');
    else if (w === "l3mdev") f.l3mdev = true;
    else if (w === "uidrange") {
      const v = args.value();
      const m = /^(\d+)-(\d+)$/.exec(v);
      if (!m) invalidArg(v, "invalid UID range\n");
      f.uidRange = [Number(m[1]), Number(m[2])];
    } else if (matches(w, "tun_id")) {
      const v = args.value();
      if (!/^[0-9]+$/.test(v)) invalidArg(v, '"tun_id" value is invalid\n');
      if (BigInt(v) !== 0n) f.tunId = v;
    } else if (matches(w, "lookup") || matches(w, "table")) {
      const v = args.value();
      const t = v in TABLE_NAMES ? TABLE_NAMES[v]! : /^[0-9]+$/.test(v) ? Number(v) : invalidArg(v, "table id value is invalid\n");
      if (t > 0) f.table = t;
    } else if (matches(w, "from") || matches(w, "src")) {
      const p = selectorPrefix(args.value(), family);
      if (p !== "all") f.from = p;
    } else if (matches(w, "protocol")) {
      const v = args.value();
      if (v !== "all") f.protocol = namedNumber(v, PROTOCOL_NAMES, 'invalid "protocol"\n');
    } else if (w === "ipproto") {
      const p = args.value();
      if (Object.hasOwn(IP_PROTOS, p)) f.ipProto = p;
      else if (/^[0-9]+$/.test(p) && Number(p) <= 255) f.ipProto = Number(p);
      else invalidArg(p, 'Invalid "ipproto" value\n');
      if (f.ipProto === 0) delete f.ipProto;
    } else if (w === "sport") f.sport = portRangeArg(args.value(), "invalid port range\n");
    else if (w === "dport") f.dport = portRangeArg(args.value(), "invalid dport range\n");
    else {
      if (matches(w, "dst") || matches(w, "to")) w = args.value();
      const p = selectorPrefix(w, family);
      if (p !== "all") f.to = p;
    }
  }
  return f;
}

function ifnameSelector(w: string, what: string): string {
  if (w === "" || Buffer.byteLength(w) >= 16 || /[/\s]/.test(w)) invalidArg(w, what);
  return w;
}

/**
 * `ip rule show|flush [SELECTOR]`. ip 6.1 applies a protocol selector only when flushing; show
 * lists every protocol, and so does nlkit. Flush deletes what matches, except the priority-0 rule.
 */
async function show(cli: Cli, args: Args, flush: boolean): Promise<void> {
  const family = cli.opts.family ?? 4;
  const selector = parseSelector(args, family);
  const rt = await cli.rtnl();
  if (flush) {
    await rt.rule.flush({ ...selector, family } as never);
    return;
  }
  const { protocol: _ignored, ...shown } = selector;
  const rules = await rt.rule.list({ ...shown, family } as never);
  const { ruleToIpJson } = await import("../rtnl/json/rule.js");
  const records = rules.map((r) => ruleToIpJson(r, { details: cli.opts.details }));
  if (cli.opts.json) return cli.writeJson(records);
  cli.write(records.map((r) => ruleText(r) + "\n").join(""));
}
