// nlkit conntrack: -L | -G | -D | -F | -C | -E with conntrack-tools' options, its line format on
// stdout, its summary line on stderr ("N flow entries have been shown.") and its exit statuses
// (2 for a bad command line, 1 when the operation failed, including -D deleting nothing).
import type { Conntrack, ConntrackEvent, EventKind } from "../conntrack/verbs.js";
import type { Flow, FlowFilter, FlowSpec, TupleFilter } from "../conntrack/flow.js";
import { NetlinkError, NlkitInputError } from "../netlink/errors.js";
import type { Cli } from "./context.js";
import type { Args } from "./grammar.js";
import { flowText, type FlowTextOptions } from "./print/conntrack.js";

export const CONNTRACK_USAGE = `Usage: nlkit [-n NS] [-j] conntrack COMMAND [FILTER] [-o extended,id]
COMMAND := { -L | --dump } | { -G | --get } | { -D | --delete } | { -F | --flush } [-f FAMILY]
           | { -C | --count } | { -E | --event } [-e NEW,UPDATES,DESTROY]
FILTER  := [-f ipv4|ipv6] [-p PROTO] [-s SRC] [-d DST] [-r REPLY_SRC] [-q REPLY_DST]
           [--sport PORT] [--dport PORT] [--reply-port-src PORT] [--reply-port-dst PORT]
           [--icmp-type TYPE] [--icmp-code CODE] [--icmp-id ID]
           [-m MARK[/MASK]] [-w ZONE] [-u STATUS[,STATUS...]] [-n|--src-nat] [-g|--dst-nat]
-G names one flow: -p, -s, -d and its ports (or ICMP type, code and id); -r/-q to look it up by
its reply tuple; -w for a flow in another zone.`;

const PREFIX = "nlkit conntrack: ";

class ParameterProblem extends Error {}

type Command = "list" | "get" | "delete" | "flush" | "count" | "events";

const COMMANDS: Record<string, Command> = {
  "-L": "list", "--dump": "list", "-G": "get", "--get": "get", "-D": "delete", "--delete": "delete",
  "-F": "flush", "--flush": "flush", "-C": "count", "--count": "count", "-E": "events", "--event": "events",
};

/** Options that take a value, by every name conntrack accepts, to the field they fill. */
const VALUED: Record<string, string> = {
  "-p": "proto", "--proto": "proto", "-f": "family", "--family": "family",
  "-s": "src", "--src": "src", "--orig-src": "src", "-d": "dst", "--dst": "dst", "--orig-dst": "dst",
  "-r": "rsrc", "--reply-src": "rsrc", "-q": "rdst", "--reply-dst": "rdst",
  "--sport": "sport", "--orig-port-src": "sport", "--dport": "dport", "--orig-port-dst": "dport",
  "--reply-port-src": "rsport", "--reply-port-dst": "rdport",
  "--icmp-type": "icmpType", "--icmp-code": "icmpCode", "--icmp-id": "icmpId",
  "-m": "mark", "--mark": "mark", "-w": "zone", "--zone": "zone", "-u": "status", "--status": "status",
  "-o": "output", "--output": "output", "-e": "events", "--event-mask": "events",
};

interface Parsed {
  command: Command;
  values: Record<string, string>;
  snat: boolean;
  dnat: boolean;
  json: boolean;
}

function parse(words: readonly string[]): Parsed {
  let command: Command | undefined;
  const values: Record<string, string> = {};
  let snat = false, dnat = false, json = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === "-h" || w === "--help") throw new UsageRequest();
    const c = COMMANDS[w];
    if (c) {
      if (command) throw new ParameterProblem("Invalid parameters: only one command at a time");
      command = c;
      continue;
    }
    if (w === "-n" || w === "--src-nat") { snat = true; continue; }
    if (w === "-g" || w === "--dst-nat") { dnat = true; continue; }
    if (w === "-j" || w === "--json") { json = true; continue; }
    const [name, inline] = w.startsWith("--") && w.includes("=") ? [w.slice(0, w.indexOf("=")), w.slice(w.indexOf("=") + 1)] : [w, undefined];
    const field = VALUED[name];
    if (!field) throw new ParameterProblem(`unknown option \`${w}'`);
    const v = inline ?? words[++i];
    if (v === undefined) throw new ParameterProblem(`option \`${name}' requires an argument`);
    if (values[field] !== undefined) throw new ParameterProblem(`option \`${name}' given twice`);
    values[field] = v;
  }
  if (!command) throw new ParameterProblem("no command specified");
  return { command, values, snat, dnat, json };
}

class UsageRequest extends Error {}

function number(v: string, what: string, max: number): number {
  const n = /^0x[0-9a-f]+$/i.test(v) ? parseInt(v, 16) : /^[0-9]+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n > max) throw new ParameterProblem(`invalid ${what} \`${v}'`);
  return n;
}

const STATUS_WORDS: Record<string, string> = { SNAT: "SRC_NAT", DNAT: "DST_NAT", SRC_NAT: "SRC_NAT", DST_NAT: "DST_NAT" };

/** The options as a library filter (everything but the command, output and event mask). */
function filterOf(p: Parsed): FlowFilter {
  const v = p.values;
  const f: FlowFilter = {};
  if (v.family !== undefined) {
    if (v.family !== "ipv4" && v.family !== "ipv6") throw new ParameterProblem(`\`${v.family}' unsupported protocol family`);
    f.family = v.family === "ipv4" ? 4 : 6;
  }
  if (v.proto !== undefined) f.proto = /^[0-9]+$/.test(v.proto) ? number(v.proto, "protocol", 255) : v.proto;
  const tuple = (src: string, dst: string, sport: string, dport: string, icmp: boolean): TupleFilter | undefined => {
    const t: TupleFilter = {};
    if (v[src] !== undefined) t.src = v[src];
    if (v[dst] !== undefined) t.dst = v[dst];
    if (v[sport] !== undefined) t.sport = number(v[sport]!, "port", 0xffff);
    if (v[dport] !== undefined) t.dport = number(v[dport]!, "port", 0xffff);
    if (icmp) {
      if (v.icmpType !== undefined) t.icmpType = number(v.icmpType, "icmp type", 255);
      if (v.icmpCode !== undefined) t.icmpCode = number(v.icmpCode, "icmp code", 255);
      if (v.icmpId !== undefined) t.icmpId = number(v.icmpId, "icmp id", 0xffff);
    }
    return Object.keys(t).length ? t : undefined;
  };
  const orig = tuple("src", "dst", "sport", "dport", true);
  const reply = tuple("rsrc", "rdst", "rsport", "rdport", false);
  if (orig) f.orig = orig;
  if (reply) f.reply = reply;
  if (v.mark !== undefined) {
    const [value, mask] = v.mark.split("/");
    f.mark = { value: number(value!, "mark", 0xffffffff), mask: mask === undefined ? 0xffffffff : number(mask, "mark mask", 0xffffffff) };
  }
  if (v.zone !== undefined) f.zone = number(v.zone, "zone", 0xffff);
  const status = v.status === undefined ? [] : v.status.split(",").map((s) => STATUS_WORDS[s.toUpperCase()] ?? s.toUpperCase());
  if (p.snat) status.push("SRC_NAT");
  if (p.dnat) status.push("DST_NAT");
  if (status.length) f.status = status;
  return f;
}

function outputOf(p: Parsed): FlowTextOptions {
  const o: FlowTextOptions = {};
  for (const word of p.values.output?.split(",") ?? []) {
    if (word === "extended") o.extended = true;
    else if (word === "id") o.id = true;
    else throw new ParameterProblem(`unsupported output format \`${word}' (extended, id)`);
  }
  return o;
}

function eventKinds(p: Parsed): EventKind[] {
  const kinds = new Set<EventKind>();
  for (const word of (p.values.events ?? "ALL").split(",")) {
    const w = word.toUpperCase();
    if (w === "ALL") { kinds.add("new"); kinds.add("update"); kinds.add("destroy"); }
    else if (w === "NEW") kinds.add("new");
    else if (w === "UPDATES" || w === "UPDATE") kinds.add("update");
    else if (w === "DESTROY") kinds.add("destroy");
    else throw new ParameterProblem(`unknown event type \`${word}' (NEW, UPDATES, DESTROY, ALL)`);
  }
  return [...kinds];
}

/** -G: the filter must name one whole tuple (the library says what is missing). */
function specOf(f: FlowFilter): FlowSpec {
  if (f.proto === undefined) throw new ParameterProblem("-G needs -p PROTO and the tuple's addresses and ports");
  const spec: FlowSpec = { proto: f.proto };
  if (f.family !== undefined) spec.family = f.family;
  if (f.zone !== undefined) spec.zone = f.zone;
  const t = f.orig ?? f.reply;
  if (!t || t.src === undefined || t.dst === undefined) throw new ParameterProblem("-G needs -s and -d (or -r and -q)");
  const tuple = { ...t, src: t.src, dst: t.dst };
  if (f.orig) spec.orig = tuple;
  else spec.reply = tuple;
  return spec;
}

const stderr = (s: string): void => void process.stderr.write(PREFIX + s + "\n");

export async function run(cli: Cli, args: Args): Promise<number> {
  let p: Parsed, filter: FlowFilter, text: FlowTextOptions, kinds: EventKind[];
  try {
    p = parse(args.rest());
    filter = filterOf(p);
    text = outputOf(p);
    kinds = eventKinds(p);
  } catch (e) {
    if (e instanceof UsageRequest) { cli.write(CONNTRACK_USAGE + "\n"); return 0; }
    if (!(e instanceof ParameterProblem)) throw e;
    process.stderr.write(`${PREFIX}${e.message}\nTry \`nlkit conntrack -h' for more information.\n`);
    return 2;
  }
  const json = p.json || cli.opts.json;
  const { Conntrack } = await import("../conntrack/verbs.js");
  let ct: Conntrack | undefined;
  try {
    ct = await Conntrack.open(cli.netnsRef());
    return await command(cli, ct, p, { filter, text, kinds, json });
  } catch (e) {
    if (e instanceof ParameterProblem || e instanceof NlkitInputError) {
      process.stderr.write(`${PREFIX}${e.message}\nTry \`nlkit conntrack -h' for more information.\n`);
      return 2;
    }
    if (e instanceof NetlinkError) {
      stderr(`Operation failed: ${e.code === "ENOENT" ? "such conntrack doesn't exist" : e.kernelMessage}`);
      return 1;
    }
    throw e;
  } finally {
    ct?.close();
  }
}

interface Plan {
  filter: FlowFilter;
  text: FlowTextOptions;
  kinds: EventKind[];
  json: boolean;
}

async function command(cli: Cli, ct: Conntrack, p: Parsed, plan: Plan): Promise<number> {
  const { filter, text, json } = plan;
  const print = (flows: Flow[]) => {
    if (json) cli.writeJson(flows);
    else for (const f of flows) cli.write(flowText(f, text) + "\n");
  };
  switch (p.command) {
    case "list": {
      const flows = await ct.list(filter);
      print(flows);
      stderr(`${flows.length} flow entries have been shown.`);
      return 0;
    }
    case "get": {
      const flow = await ct.get(specOf(filter));
      print([flow]);
      stderr("1 flow entries have been shown.");
      return 0;
    }
    case "delete": {
      // as conntrack does: list, then delete each flow by its own tuple, zone and id
      const gone: Flow[] = [];
      for (const f of await ct.list(filter)) {
        try {
          await ct.delete(f);
          gone.push(f);
        } catch (e) {
          if (!(e instanceof NetlinkError) || e.code !== "ENOENT") throw e;
        }
      }
      print(gone);
      stderr(`${gone.length} flow entries have been deleted.`);
      return gone.length ? 0 : 1;
    }
    case "flush":
      await ct.flush(filter.family !== undefined ? { family: filter.family } : {});
      stderr("connection tracking table has been emptied.");
      return 0;
    case "count": {
      const n = await ct.count();
      cli.write(`${n}\n`);
      return 0;
    }
    case "events":
      return events(cli, ct, plan);
  }
}

/** -E until SIGINT or SIGTERM (or stdout closes); the count goes to stderr as conntrack's does. */
async function events(cli: Cli, ct: Conntrack, { filter, text, kinds, json }: Plan): Promise<number> {
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  process.stdout.once("error", onSignal);
  let shown = 0;
  try {
    const stream: AsyncIterable<ConntrackEvent> = ct.events({ kinds, filter, signal: stop.signal });
    for await (const e of stream) {
      if (e.kind === "overrun") {
        process.stderr.write("WARNING: We have hit ENOBUFS! We are losing events.\n");
        continue;
      }
      shown++;
      cli.write(json ? JSON.stringify(e) + "\n" : flowText(e.flow, { ...text, event: e.kind, ...(e.portid ? { portid: e.portid } : {}) }) + "\n");
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.stdout.off("error", onSignal);
  }
  stderr(`${shown} flow events have been shown.`);
  return 0;
}
