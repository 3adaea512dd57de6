// nlkit link: add | set | replace | delete | show, with ip link's words.
import type { Link } from "../rtnl/link/index.js";
import type { Cli } from "./context.js";
import { Args, BOTH_NAME_AND_DEV, CliError, duplicate, ifnameArg, invalidArg, lladdrArg, matches, parseUnsigned, pick, unknownCommand, UsageError } from "./grammar.js";
import { kindUsage, netnsArg, parseKindArgs } from "./link-kinds.js";
import { linkBriefJson, linkBriefText, linkText } from "./print/link.js";
import { nsidNames, stripDetails } from "./print/records.js";

export const LINK_USAGE = `Usage: nlkit link add [link DEV] [ name ] NAME
		    [ txqueuelen PACKETS ]
		    [ address LLADDR ]
		    [ broadcast LLADDR ]
		    [ mtu MTU ] [index IDX ]
		    [ netns { PID | NAME } ]
		    [ master DEVICE ] [ up ] [ alias NAME ] [ group GROUP ]
		    type TYPE [ ARGS ]

	nlkit link delete { DEVICE | dev DEVICE } [ type TYPE ]

	nlkit link set { DEVICE | dev DEVICE }
		[ { up | down } ]
		[ arp { on | off } ]
		[ multicast { on | off } ]
		[ allmulticast { on | off } ]
		[ promisc { on | off } ]
		[ txqueuelen PACKETS ]
		[ name NEWNAME ]
		[ address LLADDR ]
		[ broadcast LLADDR ]
		[ mtu MTU ]
		[ netns { PID | NAME } ]
		[ alias NAME ]
		[ group GROUP ]
		[ master DEVICE ]
		[ nomaster ]
		[ type TYPE ARGS ]

	nlkit link show [ DEVICE ] [ up ] [ master DEV ] [ type TYPE ] [ nomaster ]

	nlkit link help [ TYPE ]

TYPE := { bridge | bridge_slave | bond | dummy | geneve | gre | gretap | ipip | ipvlan | macvlan |
          macvtap | veth | vlan | vrf | vxlan | wireguard }`;

const COMMANDS = ["add", "set", "change", "replace", ["delete", "del"], ["show", "list", "lst"], "help"] as const;

export async function run(cli: Cli, args: Args): Promise<void> {
  const word = args.shift();
  if (word === undefined) return show(cli, args);
  const cmd = word === "--help" ? "help" : pick(word, COMMANDS);
  switch (cmd) {
    case "add":
    case "replace":
      return add(cli, args, cmd === "replace");
    case "set":
    case "change":
      return set(cli, args);
    case "delete":
      return del(cli, args);
    case "show":
      return show(cli, args);
    case "help":
      return help(cli, args);
    default:
      unknownCommand(word, "link");
  }
}

/** `ip link help [TYPE]`: a known type's words on stdout (exit 0), else the link usage (exit 255). */
function help(cli: Cli, args: Args): void {
  const kind = args.shift();
  const usage = kind === undefined ? undefined : kindUsage(kind);
  if (usage === undefined) throw new UsageError(LINK_USAGE);
  cli.write(usage + "\n");
}

/** iplink_parse's on/off flag words, to LinkCommonOptions' keys. */
const FLAG_WORDS = new Map([["promisc", "promisc"], ["allmulticast", "allmulticast"], ["multicast", "multicast"], ["arp", "arp"]]);

/** iplink_parse's on/off, with its own words for anything else (bridge_slave's differ). */
function flagOnOff(word: string, value: string): boolean {
  if (value === "on") return true;
  if (value === "off") return false;
  throw new CliError(`Error: argument of "${word}" must be "on" or "off", not "${value}"`);
}

interface Parsed {
  dev?: string;
  opts: Record<string, unknown>;
  kind?: string;
}

/**
 * The words ip link add and ip link set share (iplink_parse): the device is `dev X`, `name X` or
 * a bare word; `type` ends them and hands the rest to the kind.
 */
function parseCommon(args: Args, creating: boolean): Parsed {
  const p: Parsed = { opts: {} };
  const o = p.opts;
  let name: string | undefined;
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (w === "up" || w === "down") o.up = w === "up";
    else if (FLAG_WORDS.has(w)) o[FLAG_WORDS.get(w)!] = flagOnOff(w, args.value());
    else if (w === "name") name = ifnameArg(args.value(), "name");
    else if (w === "index") o.index = parseUnsigned(args.value(), "index");
    else if (matches(w, "link")) o.link = args.value();
    else if (matches(w, "address")) o.address = lladdrArg(args.value());
    else if (matches(w, "broadcast") || w === "brd") o.broadcast = lladdrArg(args.value());
    else if (matches(w, "txqueuelen") || w === "qlen" || matches(w, "txqlen")) o.txqueuelen = parseUnsigned(args.value(), "txqueuelen");
    else if (w === "mtu") {
      const v = args.value();
      if (!/^[0-9]+$/.test(v)) invalidArg(v, 'Invalid "mtu" value\n');
      o.mtu = Number(v);
    } else if (w === "netns") o.netns = netnsArg(args.value());
    else if (matches(w, "master")) o.master = args.value();
    else if (matches(w, "nomaster")) o.master = null;
    else if (matches(w, "alias")) o.alias = args.value();
    else if (matches(w, "group")) {
      const g = args.value();
      o.group = g === "default" ? 0 : parseUnsigned(g, "group");
    } else if (matches(w, "type")) {
      p.kind = args.value();
      break;
    } else {
      if (matches(w, "help")) throw new UsageError(LINK_USAGE);
      if (w === "dev") w = args.value();
      if (p.dev !== undefined) duplicate("dev", w);
      p.dev = ifnameArg(w, "dev");
    }
  }
  if (creating) {
    if (name !== undefined && p.dev !== undefined && name !== p.dev) throw new UsageError(BOTH_NAME_AND_DEV);
    p.dev = name ?? p.dev;
  } else if (name !== undefined) {
    o.name = name;
  }
  return p;
}

async function add(cli: Cli, args: Args, replace: boolean): Promise<void> {
  const p = parseCommon(args, true);
  if (p.kind === undefined) throw new CliError('Not enough information: "type" argument is required');
  const spec: Record<string, unknown> = { ...p.opts, kind: p.kind };
  parseKindArgs(p.kind, args, spec);
  if (p.dev === undefined) throw new CliError('Not enough information: "dev" argument is required.');
  spec.name = p.dev;
  if (spec.master === null) delete spec.master;
  await cli.change((v) => v.link.add(spec as never, replace ? { replace: true } : {}));
}

async function set(cli: Cli, args: Args): Promise<void> {
  const p = parseCommon(args, false);
  if (p.dev === undefined) throw new CliError('Not enough information: "dev" argument is required.');
  const { index, link, ...opts } = p.opts;
  if (index !== undefined || link !== undefined) duplicate("dev", index !== undefined ? "index" : "link");
  // `type KIND ARGS` changes the kind's options in place (or, for KIND_slave, the port's)
  if (p.kind !== undefined) parseKindArgs(p.kind, args, opts, "set");
  await cli.change((v) => v.link.set(p.dev!, opts));
}

async function del(cli: Cli, args: Args): Promise<void> {
  let dev: string | undefined;
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (matches(w, "type")) {
      args.value();
      continue;
    }
    if (w === "dev") w = args.value();
    if (dev !== undefined) duplicate("dev", w);
    dev = ifnameArg(w, "dev");
  }
  if (dev === undefined) throw new CliError('Not enough information: "dev" argument is required.');
  await cli.change((v) => v.link.del(dev!));
}

export interface LinkShowFilter {
  dev?: string;
  up?: boolean;
  master?: string;
  nomaster?: boolean;
  kind?: string;
}

/** `ip link show` / `ip addr show` filters (dev, up, master, nomaster, type). */
export function parseShowFilter(args: Args, extra?: (w: string, f: LinkShowFilter) => boolean): LinkShowFilter {
  const f: LinkShowFilter = {};
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (extra?.(w, f)) continue;
    if (w === "up") f.up = true;
    else if (matches(w, "master")) f.master = args.value();
    else if (matches(w, "nomaster")) f.nomaster = true;
    else if (matches(w, "type")) f.kind = args.value();
    else if (matches(w, "help")) throw new UsageError(LINK_USAGE);
    else {
      if (w === "dev") w = args.value();
      if (f.dev !== undefined) duplicate("dev", w);
      f.dev = w;
    }
  }
  return f;
}

/** The links a show filter selects, with every link of the namespace for naming peers and masters. */
export async function selectLinks(cli: Cli, f: LinkShowFilter): Promise<{ all: Link[]; shown: Link[] }> {
  const rt = await cli.rtnl();
  const all = await rt.link.list();
  let shown = all;
  if (f.dev !== undefined) {
    shown = all.filter((l) => l.name === f.dev || l.altNames?.includes(f.dev!));
    if (!shown.length) throw new CliError(`Device "${f.dev}" does not exist.`);
  }
  if (f.master !== undefined) {
    const m = all.find((l) => l.name === f.master);
    if (!m) throw new CliError(`Device "${f.master}" does not exist.`);
    shown = shown.filter((l) => l.master === m.index);
  }
  if (f.nomaster) shown = shown.filter((l) => !l.master);
  if (f.up) shown = shown.filter((l) => l.up);
  if (f.kind !== undefined) {
    const kind = f.kind;
    shown = shown.filter((l) => (kind.endsWith("_slave") ? l.slaveKind === kind.slice(0, -6) : l.kind === kind));
  }
  return { all, shown };
}

async function show(cli: Cli, args: Args): Promise<void> {
  const f = parseShowFilter(args);
  const { linksToIpJson } = await import("../rtnl/link/index.js");
  const { all, shown } = await selectLinks(cli, f);
  const wanted = new Set(shown.map((l) => l.index));
  const { brief, json, stats, details } = cli.opts;
  // text prints every counter at -s -s and sizes its columns from them: the records carry them all
  const level = brief ? 0 : json ? stats : stats ? 2 : 0;
  const records = linksToIpJson(all, { stats: level }).filter((r) => wanted.has(r.ifindex as number)).map((r) => stripDetails(r, details));
  if (brief) {
    if (json) return cli.writeJson(records.map(linkBriefJson));
    return cli.write(records.map((r) => linkBriefText(r) + "\n").join(""));
  }
  if (json) return cli.writeJson(records);
  const nsName = await nsidNames(cli, records);
  cli.write(records.map((r) => onelineText(cli, linkText(r, { details, mode: true, nsName, stats })) + "\n").join(""));
}

/** -o: ip ends each of a record's inner lines with a backslash instead of a newline. */
export function onelineText(cli: Cli, text: string): string {
  return cli.opts.oneline ? text.replace(/\n/g, "\\") : text;
}

