// nlkit neigh: add | change | replace | delete | get | show | flush, with ip neigh's words.
import type { Cli } from "./context.js";
import { addressArg, Args, CliError, duplicate, lladdrArg, matches, parseUnsigned, pick, unknownCommand, UsageError } from "./grammar.js";
import { neighBriefJson, neighBriefText, neighText } from "./print/neigh.js";

export const NEIGH_USAGE = `Usage: nlkit neigh { add | del | change | replace }
                { ADDR [ lladdr LLADDR ] [ nud STATE ] proxy ADDR } [ dev DEV ]
                [ router ] [ extern_learn ] [ protocol PROTO ]

       nlkit neigh { show | flush } [ proxy ] [ to PREFIX ] [ dev DEV ] [ nud STATE ]

       nlkit neigh get { ADDR | proxy ADDR } dev DEV

STATE := { delay | failed | incomplete | noarp | none |
           permanent | probe | reachable | stale }`;

const COMMANDS = ["add", ["change", "chg"], "replace", ["delete", "del"], ["show", "list", "lst"], "flush", "get", "help"] as const;
const STATES = ["permanent", "noarp", "reachable", "stale", "none", "incomplete", "delay", "probe", "failed"];

export async function run(cli: Cli, args: Args): Promise<void> {
  const word = args.shift();
  if (word === undefined) return show(cli, args, false);
  const cmd = word === "--help" ? "help" : pick(word, COMMANDS);
  switch (cmd) {
    case "add":
    case "change":
    case "replace":
    case "delete":
      return modify(cli, args, cmd);
    case "show":
      return show(cli, args, false);
    case "flush":
      return show(cli, args, true);
    case "get":
      return get(cli, args);
    case "help":
      throw new UsageError(NEIGH_USAGE);
    default:
      unknownCommand(word, "neigh");
  }
}

function nudArg(w: string): string {
  if (!STATES.includes(w)) throw new CliError(`Error: argument "${w}" is wrong: nud state is bad`, 255);
  return w;
}

async function modify(cli: Cli, args: Args, cmd: "add" | "change" | "replace" | "delete"): Promise<void> {
  const spec: Record<string, unknown> = {};
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (w === "lladdr") spec.lladdr = lladdrArg(args.value());
    else if (w === "nud") spec.state = nudArg(args.value());
    else if (matches(w, "proxy")) {
      spec.proxy = true;
      spec.to = addressArg(args.value());
    } else if (w === "router") spec.router = true;
    else if (w === "extern_learn") spec.extern = true;
    else if (w === "dev") spec.dev = args.value();
    else if (matches(w, "protocol")) spec.protocol = parseUnsigned(args.value(), "protocol", 255);
    else {
      if (w === "to") w = args.value();
      if (matches(w, "help")) throw new UsageError(NEIGH_USAGE);
      if (spec.to !== undefined) duplicate("to", w);
      spec.to = addressArg(w);
    }
  }
  if (spec.dev === undefined || spec.to === undefined) throw new CliError("Device and destination are required arguments.");
  if (cli.opts.family) spec.family = cli.opts.family;
  if (cmd === "delete") return cli.change((v) => v.neigh.del(spec as never));
  await cli.change((v) => v.neigh.add(spec as never, cmd === "add" ? {} : { replace: true }));
}

async function show(cli: Cli, args: Args, flush: boolean): Promise<void> {
  const filter: Record<string, unknown> = {};
  let to: string | undefined;
  // ip hides NOARP entries (multicast, loopback) unless a nud filter is given
  let hideNoarp = true;
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (w === "dev") filter.dev = args.value();
    else if (w === "nud") {
      const s = args.value();
      hideNoarp = false;
      if (s !== "all") filter.state = [...((filter.state as string[]) ?? []), nudArg(s)];
    } else if (matches(w, "proxy")) filter.proxy = true;
    else {
      if (w === "to") w = args.value();
      if (matches(w, "help")) throw new UsageError(NEIGH_USAGE);
      if (to !== undefined) duplicate("to", w);
      to = w;
    }
  }
  if (flush && filter.dev === undefined && to === undefined) throw new UsageError("Flush requires arguments.");
  if (cli.opts.family) filter.family = cli.opts.family;
  const rt = await cli.rtnl();
  let list = await rt.neigh.list(filter);
  if (to !== undefined) list = list.filter((n) => n.dst === to);
  if (hideNoarp) list = list.filter((n) => !n.state.includes("noarp"));
  if (flush) {
    // like ip, permanent entries survive a flush unless asked for by state
    const gone = list.filter((n) => filter.state !== undefined || !n.state.includes("permanent") && !n.state.includes("noarp"));
    for (const n of gone) await rt.neigh.del({ dev: n.index, to: n.dst } as never);
    return;
  }
  const { neighToIpJson } = await import("../rtnl/json/neigh.js");
  print(cli, list.map((n) => neighToIpJson(n, { devFiltered: filter.dev !== undefined, stats: cli.opts.stats > 0 })));
}

function print(cli: Cli, records: Record<string, unknown>[]): void {
  if (cli.opts.brief) {
    if (cli.opts.json) return cli.writeJson(records.map(neighBriefJson));
    return cli.write(records.map((r) => neighBriefText(r) + "\n").join(""));
  }
  if (cli.opts.json) return cli.writeJson(records);
  cli.write(records.map((r) => neighText(r) + "\n").join(""));
}

/**
 * `ip neigh get ADDR dev DEV`: the kernel's own entry. ip 6.1 prints text even with -j; nlkit
 * prints the JSON that later iproute2 (and iproute2's own testsuite) expect.
 */
async function get(cli: Cli, args: Args): Promise<void> {
  let dev: string | undefined;
  let to: string | undefined;
  let proxy = false;
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (w === "dev") dev = args.value();
    else if (matches(w, "proxy")) {
      const a = args.value();
      if (matches(a, "help")) throw new UsageError(NEIGH_USAGE);
      if (to !== undefined) duplicate("address", a);
      to = addressArg(a);
      proxy = true;
    } else {
      if (w === "to") w = args.value();
      if (matches(w, "help")) throw new UsageError(NEIGH_USAGE);
      if (to !== undefined) duplicate("to", w);
      to = addressArg(w);
    }
  }
  if (dev === undefined || to === undefined) throw new CliError("Device and address are required arguments.");
  const rt = await cli.rtnl();
  const n = await rt.neigh.get({ dev, to, ...(proxy ? { proxy } : {}) });
  const { neighToIpJson } = await import("../rtnl/json/neigh.js");
  print(cli, [neighToIpJson(n, { stats: cli.opts.stats > 0 })]);
}
