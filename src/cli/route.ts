// nlkit route: add | change | replace | prepend | append | delete | show | flush | get
import type { Cli } from "./context.js";
import {
  addressArg, Args, CliError, duplicate, invalidArg, matches, namedNumber, parseTable, PROTOCOL_NAMES, parseUnsigned, pick, prefixArg, SCOPE_NAMES, unknownCommand, UsageError,
} from "./grammar.js";
import { parseDsfield } from "../rtnl/enums.js";
import { IP_PROTOS } from "../rtnl/rule/table.js";
import { routeText } from "./print/route.js";

export const ROUTE_USAGE = `Usage: nlkit route { list | flush } SELECTOR
       nlkit route get ADDRESS [ from ADDRESS ] [ iif STRING ] [ oif STRING ] [ tos TOS ] [ mark NUMBER ]
                               [ uid NUMBER ] [ ipproto PROTOCOL ] [ sport NUMBER ] [ dport NUMBER ] [ fibmatch ]
       nlkit route { add | del | change | append | replace } ROUTE
SELECTOR := [ [ exact ] PREFIX ] [ table TABLE_ID ] [ proto RTPROTO ] [ type TYPE ] [ scope SCOPE ] [ dev STRING ]
ROUTE := NODE_SPEC [ INFO_SPEC ]
NODE_SPEC := [ TYPE ] PREFIX [ tos TOS ] [ table TABLE_ID ] [ proto RTPROTO ] [ scope SCOPE ] [ metric METRIC ]
INFO_SPEC := NH OPTIONS FLAGS [ nexthop NH ]...
NH := [ via ADDRESS ] [ dev STRING ] [ weight NUMBER ] NHFLAGS
OPTIONS := FLAGS [ mtu NUMBER ] [ advmss NUMBER ] [ src ADDRESS ] [ pref PREF ]
TYPE := { unicast | local | broadcast | multicast | throw | unreachable | prohibit | blackhole | nat }
TABLE_ID := [ local | main | default | all | NUMBER ]
SCOPE := [ host | link | global | NUMBER ]
NHFLAGS := [ onlink ]
PREF := [ low | medium | high ]`;

const COMMANDS = ["add", ["change", "chg"], "replace", "prepend", "append", "test", ["delete", "del"], ["show", "list", "lst"], "flush", "get", "help"] as const;
const TYPES = ["unicast", "local", "broadcast", "multicast", "throw", "unreachable", "prohibit", "blackhole", "nat", "anycast"];

export async function run(cli: Cli, args: Args): Promise<void> {
  const word = args.shift();
  if (word === undefined) return show(cli, args);
  const cmd = word === "--help" ? "help" : pick(word, COMMANDS);
  switch (cmd) {
    case "add":
    case "change":
    case "replace":
    case "prepend":
    case "append":
    case "delete":
      return modify(cli, args, cmd);
    case "show":
      return show(cli, args);
    case "flush":
      return flush(cli, args);
    case "get":
      return get(cli, args);
    case "help":
      throw new UsageError(ROUTE_USAGE);
    default:
      unknownCommand(word, "route");
  }
}

const PREFS = new Map([["low", 3], ["medium", 0], ["high", 1]]);

/** ip's words for a bad scope or protocol: one wording when adding, another in a selector. */
const scopeArg = (w: string, what = 'invalid "scope" value\n') => namedNumber(w, SCOPE_NAMES, what);
const protocolArg = (w: string, what = '"protocol" value is invalid\n') => namedNumber(w, PROTOCOL_NAMES, what);

/** `nexthop via X dev Y weight N onlink`, repeated to the end of the line. */
function parseNexthops(args: Args): Record<string, unknown>[] {
  const hops: Record<string, unknown>[] = [];
  let nh: Record<string, unknown> | undefined;
  for (let w: string | undefined = "nexthop"; w !== undefined; w = args.shift()) {
    if (w === "nexthop") hops.push((nh = {}));
    else if (!nh) throw new CliError(`Error: "nexthop" or end of line is expected instead of "${w}"`);
    else if (w === "via") nh.gateway = viaArg(args);
    else if (w === "dev") nh.dev = args.value();
    else if (matches(w, "weight")) nh.weight = parseUnsigned(args.value(), "weight", 256);
    else if (w === "onlink") nh.onlink = true;
    else throw new CliError(`Error: "nexthop" or end of line is expected instead of "${w}"`);
  }
  return hops;
}

function viaArg(args: Args): string {
  let v = args.value();
  if (v === "inet" || v === "inet6") v = args.value();
  return addressArg(v, "inet address");
}

async function modify(cli: Cli, args: Args, cmd: "add" | "change" | "replace" | "prepend" | "append" | "delete"): Promise<void> {
  const spec: Record<string, unknown> = {};
  let dst: string | undefined;
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (w === "src") spec.src = addressArg(args.value(), "inet address");
    else if (w === "via") {
      if (spec.gateway !== undefined) duplicate("gateway", w);
      spec.gateway = viaArg(args);
    } else if (w === "from") spec.from = args.value();
    else if (w === "tos" || matches(w, "dsfield")) spec.tos = dsfieldArg(args.value());
    else if (w === "expires") spec.expires = parseUnsigned(args.value(), "expires");
    else if (matches(w, "metric") || matches(w, "priority") || w === "preference") spec.metric = parseUnsigned(args.value(), "metric");
    else if (matches(w, "scope")) spec.scope = scopeArg(args.value());
    else if (w === "mtu") spec.mtu = parseUnsigned(args.value(), "mtu");
    else if (matches(w, "advmss")) spec.advmss = parseUnsigned(args.value(), "mss");
    else if (w === "onlink") spec.onlink = true;
    else if (w === "dev" || w === "oif") spec.dev = args.value();
    else if (matches(w, "table")) spec.table = parseTable(args.value());
    else if (matches(w, "protocol")) spec.protocol = protocolArg(args.value());
    else if (w === "pref") spec.pref = namedNumber(args.value(), PREFS, '"pref" value is invalid\n');
    else if (w === "nexthop") {
      spec.nexthops = parseNexthops(args);
    } else if (w === "weight") throw new CliError('Error: "weight" is only meaningful after "nexthop"');
    else {
      if (w === "to") w = args.value();
      if (matches(w, "help")) throw new UsageError(ROUTE_USAGE);
      if (dst === undefined && TYPES.includes(w)) {
        spec.type = w;
        w = args.value();
      }
      if (dst !== undefined) duplicate("to", w);
      if (w !== "default" && w !== "all" && w !== "any") prefixArg(w, cli.opts.family);
      dst = w === "all" || w === "any" ? "default" : w;
    }
  }
  if (dst === undefined) throw new UsageError('Command line is not complete. Try option "help"');
  spec.dst = dst;
  if (cli.opts.family) spec.family = cli.opts.family;
  if (cmd === "delete") return cli.change((v) => v.route.del(spec as never));
  const opts = cmd === "replace" || cmd === "change" ? { replace: true } : cmd === "append" ? { append: true } : {};
  await cli.change((v) => v.route.add(spec as never, opts));
}

interface ShowFilter {
  table?: number | "all";
  dev?: string;
  protocol?: string | number;
  type?: string;
  scope?: string | number;
  exact?: string;
  via?: string;
}

function parseSelector(args: Args): ShowFilter {
  const f: ShowFilter = {};
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (matches(w, "table")) {
      const t = args.value();
      f.table = t === "all" ? "all" : t === "cache" ? invalidArg(t, "route cache is not supported by nlkit") : parseTable(t);
    } else if (w === "dev" || w === "oif") f.dev = args.value();
    else if (matches(w, "protocol")) f.protocol = protocolArg(args.value(), 'invalid "protocol"\n');
    else if (matches(w, "scope")) f.scope = scopeArg(args.value(), 'invalid "scope"\n');
    else if (w === "type") f.type = args.value();
    else if (w === "via") f.via = viaArg(args);
    else if (matches(w, "help")) throw new UsageError(ROUTE_USAGE);
    else {
      if (w === "to" || w === "exact") w = args.value();
      if (w === "root" || w === "match") throw new UsageError(`nlkit route show: "${w}" selectors are not supported`);
      if (f.exact !== undefined) duplicate("to", w);
      if (w !== "default" && w !== "all") prefixArg(w);
      f.exact = w;
    }
  }
  return f;
}

/** A table filter for show: ip leaves the table out of each entry when it listed one table. */
async function listRoutes(cli: Cli, f: ShowFilter) {
  const rt = await cli.rtnl();
  // ip lists IPv4 unless told otherwise, except for "table all" which shows both families
  const family = cli.opts.family ?? (f.table === "all" ? undefined : 4);
  const routes = await rt.route.list({
    ...(family ? { family } : {}),
    table: f.table ?? "main",
    ...(f.dev !== undefined ? { dev: f.dev } : {}),
    ...(f.protocol !== undefined ? { protocol: f.protocol as never } : {}),
    ...(f.type !== undefined ? { type: f.type as never } : {}),
  });
  return routes.filter((r) => {
    if (f.exact !== undefined && !sameDst(r.dst, f.exact)) return false;
    if (f.scope !== undefined && r.scope !== f.scope) return false;
    if (f.via !== undefined && r.gateway !== f.via) return false;
    return true;
  });
}

function sameDst(dst: string, want: string): boolean {
  if (want === "default") return dst === "default";
  const a = prefixArg(want);
  const b = dst === "default" ? undefined : prefixArg(dst);
  return !!b && a.family === b.family && a.prefixlen === b.prefixlen && a.bytes.equals(b.bytes);
}

async function show(cli: Cli, args: Args): Promise<void> {
  const f = parseSelector(args);
  const { routeToIpJson } = await import("../rtnl/json/route.js");
  const routes = await listRoutes(cli, f);
  const filtered = {
    table: f.table !== undefined && f.table !== "all",
    dev: f.dev !== undefined,
    protocol: f.protocol !== undefined,
    scope: f.scope !== undefined,
    type: f.type !== undefined,
  };
  const records = routes.map((r) => routeToIpJson(r, { details: cli.opts.details, filtered }));
  if (cli.opts.json) return cli.writeJson(records);
  cli.write(records.map((r) => oneline(cli, routeText(r)) + "\n").join(""));
}

async function flush(cli: Cli, args: Args): Promise<void> {
  if (args.done) throw new UsageError('"nlkit route flush" requires arguments.');
  const f = parseSelector(args);
  const routes = await listRoutes(cli, f);
  const rt = await cli.rtnl();
  const b = rt.batch();
  for (const r of routes) {
    b.route.del({ dst: r.dst, family: r.family, table: r.table, type: r.type, ...(r.metric !== undefined ? { metric: r.metric } : {}), ...(r.tos ? { tos: r.tos } : {}) } as never);
  }
  const outcome = await b.send();
  // a route that went away meanwhile (ESRCH) is flushed as far as anyone can tell; anything else
  // (EPERM, a refused request) is a failed flush, as ip reports it
  const failed = [...outcome.refused.map((r) => r.error), ...outcome.errors.filter((e) => e.code !== "ESRCH")];
  if (failed.length) throw failed[0];
}

/** `ip route get`: the words iproute_get reads, each into the library's lookup. */
async function get(cli: Cli, args: Args): Promise<void> {
  let to: string | undefined;
  const o: Record<string, unknown> = {};
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (w === "tos" || matches(w, "dsfield")) o.tos = dsfieldArg(args.value());
    else if (matches(w, "from")) {
      const v = args.value();
      if (matches(v, "help")) throw new UsageError(ROUTE_USAGE);
      o.from = prefixArg(v, cli.opts.family).address;
    } else if (matches(w, "iif")) o.iif = args.value();
    else if (matches(w, "mark")) {
      const v = args.value();
      if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(v)) invalidArg(v, "invalid mark value");
      o.mark = parseUnsigned(v, "mark");
    } else if (matches(w, "oif") || w === "dev") o.oif = args.value();
    else if (matches(w, "uid")) o.uid = parseUnsigned(args.value(), "UID");
    else if (matches(w, "ipproto")) o.ipProto = ipProtoArg(args.value());
    else if (matches(w, "sport")) o.sport = parseUnsigned(args.value(), "sport", 65535);
    else if (matches(w, "dport")) o.dport = parseUnsigned(args.value(), "dport", 65535);
    else if (matches(w, "fibmatch")) o.fibmatch = true;
    else {
      // like ip, each bare word is read as the destination (the last one wins)
      if (w === "to") w = args.value();
      if (matches(w, "help")) throw new UsageError(ROUTE_USAGE);
      const c = prefixArg(w, cli.opts.family);
      const full = c.family === 4 ? 32 : 128;
      if (c.prefixlen !== full) process.stderr.write(`Warning: /${c.prefixlen} as prefix is invalid, only /${full} (or none) is supported.\n`);
      to = c.address;
    }
  }
  // ip returns from the command (exit status 1) rather than calling its usage
  if (to === undefined) throw new CliError("need at least a destination address");
  const { routeToIpJson } = await import("../rtnl/json/route.js");
  const rt = await cli.rtnl();
  const r = await rt.route.get(to, o);
  const rec = routeToIpJson(r, { details: cli.opts.details });
  if (cli.opts.json) return cli.writeJson([rec]);
  cli.write(oneline(cli, routeText(rec)) + "\n");
}

/** A TOS word: a name from rt_dsfield or a hex number, as ip reads it. */
function dsfieldArg(w: string): number {
  const n = parseDsfield(w);
  if (n === undefined) invalidArg(w, "TOS value is invalid\n");
  return n;
}

function ipProtoArg(w: string): string | number {
  if (Object.hasOwn(IP_PROTOS, w)) return w;
  if (/^[0-9]+$/.test(w) && Number(w) <= 255) return Number(w);
  return invalidArg(w, 'Invalid "ipproto" value\n');
}

/** -o: ip joins a record's lines with a backslash. */
function oneline(cli: Cli, text: string): string {
  return cli.opts.oneline ? text.replace(/\n/g, "\\") : text;
}
