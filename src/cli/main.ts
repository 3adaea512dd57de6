import * as fs from "node:fs";
import { NETNS_RUN_DIR } from "../netlink/netns-ref.js";
import { Cli, type GlobalOptions } from "./context.js";
import { Args, CliError, pick, UsageError } from "./grammar.js";
import { reportError } from "./report.js";

const USAGE = `Usage: nlkit [ OPTIONS ] OBJECT { COMMAND | help }
       nlkit [ -force ] -batch filename
       nlkit lab [--keep]
       nlkit doctor
       nlkit ss [ -tuxlanieoKHj4 ] [ state STATE ] [ FILTER ]
       nlkit [ -n NAME ] ethtool [ -k | -K | -l | -L | -T | -S ] DEV ...
       nlkit [ -n NAME ] nft { -f FILE | list ruleset | list table FAMILY NAME | COMMAND }
       nlkit [ -n NAME ] [ -j [ -p ] ] bridge fdb { add | append | replace | del | show } ...
       nlkit [ -n NAME ] [ -j [ -p ] ] [ -d ] bridge link { show | set } ...
where  OBJECT := { link | address | addrlabel | route | neigh | rule | monitor | netns | netconf | nat | nft | sysctl | ss | conntrack | ethtool | tc | bridge }
       OPTIONS := { -V[ersion] | -n[etns] NAME | -j[son] | -p[retty] | -d[etails] | -s[tatistics] |
                    -4 | -6 | -0 | -f[amily] { inet | inet6 | link } | -o[neline] | -br[ief] |
                    -b[atch] [filename] | -force | -h[elp] }
Objects are abbreviated the way ip abbreviates them: a = address, r = route, ru = rule,
n = neigh, l = link, net = netns.`;

export type ObjectName =
  | "address" | "addrlabel" | "route" | "rule" | "neigh" | "link" | "monitor" | "netns" | "netconf" | "nat" | "nft" | "sysctl" | "ss" | "conntrack" | "ethtool" | "tc" | "bridge"
  | "lab" | "doctor" | "help";

/** In ip's order, which decides ambiguous prefixes: `a` is address, `r` route, `n` neigh. */
const OBJECTS: ReadonlyArray<ObjectName | readonly [ObjectName, ...string[]]> = [
  "address", "addrlabel", "route", "rule", ["neigh", "neighbor", "neighbour"], "link", "monitor", "netns", "netconf", "nat", "nft", "sysctl", "ss", "conntrack", "ethtool", "tc", "bridge",
  "lab", "doctor", "help",
];

export function objectName(word: string | undefined): ObjectName | undefined {
  return pick(word, OBJECTS);
}

/** One command's runner: the object's words after the object name. */
type ObjectRunner = (cli: Cli, args: Args) => Promise<number | void>;

/** Each object's module is imported when a command needs it, so startup stays small. */
const RUNNERS: Record<Exclude<ObjectName, "lab" | "doctor" | "help">, () => Promise<ObjectRunner>> = {
  address: async () => (await import("./addr.js")).run,
  addrlabel: async () => (await import("./addrlabel.js")).run,
  route: async () => (await import("./route.js")).run,
  rule: async () => (await import("./rule.js")).run,
  neigh: async () => (await import("./neigh.js")).run,
  link: async () => (await import("./link.js")).run,
  monitor: async () => (await import("./monitor.js")).run,
  netns: async () => (await import("./netns.js")).run,
  netconf: async () => (await import("./netconf.js")).run,
  nat: async () => (await import("./nat.js")).run,
  nft: async () => (await import("./nft.js")).run,
  sysctl: async () => (await import("./sysctl.js")).run,
  ss: async () => (await import("./ss.js")).run,
  conntrack: async () => (await import("./conntrack.js")).run,
  ethtool: async () => (await import("./ethtool.js")).run,
  tc: async () => (await import("./tc.js")).run,
  bridge: async () => (await import("./bridge.js")).run,
};

/** The CLI entry point; returns the exit status (0 ok, 1 a failed command, 2 the kernel refused, 255 a usage error, as ip). */
export async function main(argv: string[]): Promise<number> {
  let opts: GlobalOptions;
  let words: string[];
  try {
    ({ opts, words } = parseGlobalOptions(argv));
  } catch (e) {
    return reportError(e);
  }
  if (opts.batch !== undefined) {
    const { runBatch } = await import("./batch.js");
    return runBatch(opts, opts.batch);
  }
  const [object] = words;
  if (object === undefined) {
    process.stderr.write(USAGE + "\n");
    return 255;
  }
  const name = pick(object, OBJECTS);
  if (name === "help") {
    process.stderr.write(USAGE + "\n");
    return 255;
  }
  if (name === "lab") return (await import("./lab.js")).lab(words.slice(1));
  if (name === "doctor") return (await import("./doctor.js")).doctor(words.slice(1), opts);
  const cli = new Cli(opts);
  try {
    return await runCommand(cli, words);
  } catch (e) {
    return reportError(e);
  } finally {
    cli.close();
  }
}

/** Runs one command line (the words after the global options); throws what reportError words. */
export async function runCommand(cli: Cli, words: readonly string[]): Promise<number> {
  const [object, ...rest] = words;
  const name = pick(object, OBJECTS);
  if (name === undefined || name === "help" || name === "lab" || name === "doctor") {
    throw new CliError(`Object "${object}" is unknown, try "nlkit help".`);
  }
  const run = await RUNNERS[name]();
  return (await run(cli, new Args(rest))) ?? 0;
}

/** ip's global options, matched by prefix in ip's order (so -n is -netns, -f -family, -b -batch). */
export function parseGlobalOptions(argv: readonly string[]): { opts: GlobalOptions; words: string[] } {
  const opts: GlobalOptions = { json: false, pretty: false, details: false, stats: 0, oneline: false, brief: false, force: false };
  // ip stops at a -n it cannot open, before any later option; the doctor instead reports the
  // missing namespace itself (netns.exists, with the command that creates it)
  let netnsError: unknown;
  let i = 0;
  try {
    i = globalOptions(argv, opts, (name) => {
      try {
        checkNetns(name);
      } catch (e) {
        netnsError ??= e;
      }
    });
  } catch (e) {
    throw netnsError ?? e;
  }
  const words = argv.slice(i);
  if (netnsError !== undefined && objectName(words[0]) !== "doctor") throw netnsError;
  return { opts, words };
}

/** Reads the options into opts; returns the index of the first word after them. */
function globalOptions(argv: readonly string[], opts: GlobalOptions, seeNetns: (name: string) => void): number {
  let i = 0;
  for (; i < argv.length; i++) {
    let opt = argv[i]!;
    if (opt === "--") {
      i++;
      break;
    }
    if (!opt.startsWith("-") || opt === "-") break;
    if (opt.startsWith("--")) opt = opt.slice(1);
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`Option "${opt}" requires an argument, try "nlkit -help".`);
      return v;
    };
    const m = (full: string) => opt.length >= 2 && full.startsWith(opt);
    if (m("-family")) {
      const f = value();
      if (f === "inet") opts.family = 4;
      else if (f === "inet6") opts.family = 6;
      else if (f !== "link") throw new UsageError(`Error: argument "${f}" is wrong: invalid protocol family`);
    } else if (opt === "-4") opts.family = 4;
    else if (opt === "-6") opts.family = 6;
    else if (opt === "-0") opts.family = undefined;
    else if (m("-human") || m("-human-readable") || m("-iec") || m("-resolve") || m("-Numeric") || m("-timestamp") || m("-tshort")) {
      // accepted for compatibility; nlkit prints numbers as ip does without them
    } else if (m("-stats") || m("-statistics")) opts.stats++;
    else if (m("-details")) opts.details = true;
    else if (m("-oneline")) opts.oneline = true;
    else if (m("-Version")) {
      process.stdout.write(`nlkit utility, nlkit-${version()}\n`);
      process.exit(0);
    } else if (m("-force")) opts.force = true;
    else if (m("-batch")) opts.batch = value();
    else if (m("-brief")) opts.brief = true;
    else if (m("-json")) opts.json = true;
    else if (m("-pretty")) opts.pretty = true;
    else if (m("-color") || opt.startsWith("-color=")) {
      // never colored
    } else if (m("-help")) {
      process.stderr.write(USAGE + "\n");
      process.exit(255);
    } else if (m("-netns")) {
      opts.netns = value();
      seeNetns(opts.netns);
    } else throw new UsageError(`Option "${argv[i]}" is unknown, try "nlkit -help".`);
  }
  return i;
}

/**
 * The package's version, from the nearest nlkit package.json above this module: two directories up
 * in src/cli/, three in the bundle's dist/bundle/chunks/.
 */
function version(): string {
  for (const up of ["../../package.json", "../../../package.json"]) {
    try {
      const pkg = JSON.parse(fs.readFileSync(new URL(up, import.meta.url), "utf8")) as { name?: string; version: string };
      if (pkg.name === "nlkit") return pkg.version;
    } catch {
      // not there: look one directory further up
    }
  }
  return "unknown";
}

/**
 * ip refuses a -n namespace it cannot open before reading the command (exit 255). -n takes a name
 * only: ip looks a path up under /run/netns too, and the library refuses a name with a '/'.
 */
function checkNetns(name: string): void {
  if (name.includes("/") || !fs.existsSync(`${NETNS_RUN_DIR}/${name}`)) {
    throw new UsageError(`Cannot open network namespace "${name}": No such file or directory`);
  }
}
