// nlkit tc: qdisc | class | filter, add | replace | change | del | show (filter get), with tc's words.
// The object's own words (dev, parent, handle, ...) are read here; each kind's options by tc-kinds.ts.
import type { Cli, GlobalOptions } from "./context.js";
import type { Handle } from "../rtnl/tc/handle.js";
import { filterParent, filterParentName, protocolName, protocolNumber } from "../rtnl/tc/handle.js";
import type { TcApi } from "../rtnl/tc/verbs.js";
import type { ClassSpec, FilterListFilter, FilterSpec, QdiscFilter, QdiscSpec } from "../rtnl/tc/types.js";
import { classToTcJson, filterToTcJson, qdiscToTcJson } from "../rtnl/tc/json.js";
import { Args, ifnameArg, matches, pick, unknownCommand, UsageError } from "./grammar.js";
import { classText, filterText, qdiscText } from "./print/tc.js";
import { CLASS_PARSERS, FILTER_PARSERS, num, QDISC_PARSERS, tcError } from "./tc-kinds.js";
import { formatJson } from "./print/json.js";

export const TC_USAGE = `Usage: nlkit [ -n NAME ] tc [ OPTIONS ] OBJECT { COMMAND | help }
where  OBJECT := { qdisc | class | filter }
       OPTIONS := { -s[tatistics] | -d[etails] | -j[son] | -p[retty] }
       nlkit tc qdisc { add | replace | change | del } dev STRING [ handle QHANDLE ]
                      [ root | ingress | clsact | parent CLASSID ] QDISC_KIND [ OPTIONS ]
       nlkit tc qdisc show [ dev STRING ] [ root | ingress | handle QHANDLE | parent CLASSID ] [ invisible ]
       nlkit tc class { add | replace | change | del } dev STRING [ root | parent CLASSID ]
                      [ classid CLASSID ] [ htb OPTIONS ]
       nlkit tc class show dev STRING [ root | parent CLASSID ] [ classid CLASSID ]
       nlkit tc filter { add | replace | change | del | get } dev STRING
                      [ root | ingress | egress | parent CLASSID ] [ handle FILTERID ]
                      [ protocol PROTO ] [ pref PRIO ] [ chain N ] [ FILTER_KIND [ OPTIONS ] ]
       nlkit tc filter show dev STRING [ root | ingress | egress | parent CLASSID ]
                      [ protocol PROTO ] [ pref PRIO ] [ handle FILTERID ] [ chain N ]
QDISC_KIND := { pfifo | bfifo | pfifo_head_drop | pfifo_fast | tbf | htb | mq | ingress | clsact |
                netem | fq_codel | fq | sfq | prio | cake }
FILTER_KIND := { u32 | bpf | matchall | flower }, actions mirred, gact, police`;

const OBJECTS = ["qdisc", "class", "filter", "help"] as const;
const COMMANDS = ["add", "change", "replace", ["delete", "del"], ["show", "list", "lst"], "get", "help"] as const;
type Command = "add" | "change" | "replace" | "delete" | "show" | "get";

/** Where a command's output goes, and the global options that shape it. */
export interface TcOutput {
  opts: GlobalOptions;
  write(text: string): void;
}

export async function run(cli: Cli, args: Args): Promise<void> {
  const rt = await cli.rtnl();
  // awaited, not returned: the verbs' promises may carry values, and the caller reads an exit status
  await tcCommand(rt.tc, { opts: cli.opts, write: (t) => cli.write(t) }, args);
}

/** Runs one `tc OBJECT COMMAND ...` line on a tc handle (the CLI's, or a scripted one in tests). */
export async function tcCommand(tc: TcApi, given: TcOutput, args: Args): Promise<void> {
  const out = { ...given, opts: tcOptions(given.opts, args) };
  const word = args.shift();
  const object = pick(word, OBJECTS);
  if (word === undefined || object === "help") throw new UsageError(TC_USAGE);
  if (object === undefined) throw new UsageError(`Object "${word}" is unknown, try "nlkit tc help".`);
  const cw = args.shift() ?? "show";
  const cmd = pick(cw, COMMANDS);
  if (cmd === "help") throw new UsageError(TC_USAGE);
  if (cmd === undefined || (cmd === "get" && object !== "filter")) unknownCommand(cw, `tc ${object}`);
  if (object === "qdisc") return cmd === "show" ? qdiscShow(tc, out, args) : qdiscModify(tc, args, cmd as Command);
  if (object === "class") return cmd === "show" ? classShow(tc, out, args) : classModify(tc, args, cmd as Command);
  return cmd === "show" ? filterShow(tc, out, args) : filterModify(tc, out, args, cmd as Command);
}

/** tc's own options, after the word tc as tc takes them (`nlkit tc -s -j qdisc show`), on top of nlkit's. */
function tcOptions(base: GlobalOptions, args: Args): GlobalOptions {
  const opts = { ...base };
  for (let w = args.peek(); w !== undefined && w.startsWith("-"); w = args.peek()) {
    args.shift();
    const o = w.startsWith("--") ? w.slice(1) : w;
    const m = (full: string) => o.length >= 2 && full.startsWith(o);
    if (m("-statistics") || m("-stats")) opts.stats++;
    else if (m("-json")) opts.json = true;
    else if (m("-pretty")) opts.pretty = true;
    else if (m("-details")) opts.details = true;
    else throw new UsageError(`Option "${w}" is unknown, try "nlkit tc help" (-n NAME goes before tc: nlkit -n NAME tc ...).`);
  }
  return opts;
}

function once(o: Record<string, unknown>, key: string, value: unknown, what = key): void {
  if (o[key] !== undefined) tcError(`Error: duplicate "${what}": "${String(value)}" is the second value.`);
  o[key] = value;
}

function dev(args: Args): string {
  return ifnameArg(args.value(), "dev");
}

/** The kind's options under its name, left out when the line gave none. */
function putOptions(spec: Record<string, unknown>, kind: string, options: Record<string, unknown> | undefined): void {
  if (options !== undefined && Object.keys(options).length > 0) spec[kind] = options;
}

async function qdiscModify(tc: TcApi, args: Args, cmd: Command): Promise<void> {
  const spec: Record<string, unknown> = {};
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (w === "dev") once(spec, "dev", dev(args));
    else if (w === "root") once(spec, "parent", "root", "parent");
    else if (w === "parent") once(spec, "parent", args.value());
    else if (w === "handle") once(spec, "handle", args.value());
    else if (w === "ingress" || w === "clsact") {
      // tc reads these as the parent and the kind at once
      once(spec, "parent", w, "parent");
      spec.kind = w;
      break;
    } else if (w === "ingress_block") spec.ingressBlock = num(args.value(), "ingress_block");
    else if (w === "egress_block") spec.egressBlock = num(args.value(), "egress_block");
    else if (matches(w, "estimator")) tcError("nlkit does not set rate estimators");
    else if (matches(w, "help")) throw new UsageError(TC_USAGE);
    else {
      spec.kind = w;
      break;
    }
  }
  if (spec.dev === undefined) tcError("Cannot find device: dev is required");
  const kind = spec.kind as string | undefined;
  if (kind !== undefined) {
    const parser = QDISC_PARSERS[kind];
    if (!parser) tcError(`nlkit cannot encode qdisc kind "${kind}" (it encodes ${Object.keys(QDISC_PARSERS).join(", ")})`);
    putOptions(spec, kind, parser(args, kind));
    // the parent of ingress/clsact is implied by the kind
    if (kind === "ingress" || kind === "clsact") delete spec.parent;
  }
  const s = spec as unknown as QdiscSpec;
  if (cmd === "add") return tc.qdisc.add(s);
  if (cmd === "replace") return tc.qdisc.replace(s);
  if (cmd === "change") return tc.qdisc.change(s);
  return tc.qdisc.del(s);
}

async function qdiscShow(tc: TcApi, out: TcOutput, args: Args): Promise<void> {
  const f: QdiscFilter & Record<string, unknown> = {};
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (w === "dev") once(f, "dev", dev(args));
    else if (w === "root") once(f, "parent", "root", "parent");
    else if (w === "ingress" || w === "clsact") once(f, "parent", "ingress", "parent");
    else if (w === "parent") once(f, "parent", args.value());
    else if (w === "handle") once(f, "handle", args.value());
    else if (w === "invisible") f.invisible = true;
    else tcError(`What is "${w}"? Try "nlkit tc qdisc help".`);
  }
  const list = await tc.qdisc.list(f);
  const o = out.opts;
  const devFiltered = f.dev !== undefined;
  if (o.json) return void out.write(formatJson(list.map((q) => qdiscToTcJson(q, { devFiltered, stats: o.stats > 0, details: o.details })), o.pretty) + "\n");
  out.write(list.map((q) => qdiscText(q, { devFiltered, stats: o.stats > 0, details: o.details, pretty: o.pretty })).join(""));
}

async function classModify(tc: TcApi, args: Args, cmd: Command): Promise<void> {
  const spec: Record<string, unknown> = {};
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (w === "dev") once(spec, "dev", dev(args));
    else if (w === "root") once(spec, "parent", "root", "parent");
    else if (w === "parent") once(spec, "parent", args.value());
    else if (w === "classid" || w === "handle") once(spec, "classid", args.value(), "classid");
    else if (matches(w, "estimator")) tcError("nlkit does not set rate estimators");
    else if (matches(w, "help")) throw new UsageError(TC_USAGE);
    else {
      spec.kind = w;
      break;
    }
  }
  if (spec.dev === undefined) tcError("Cannot find device: dev is required");
  const kind = spec.kind as string | undefined;
  if (kind !== undefined) {
    const parser = CLASS_PARSERS[kind];
    if (!parser) tcError(`nlkit cannot encode classes of kind "${kind}" (it encodes ${Object.keys(CLASS_PARSERS).join(", ")})`);
    // tc reads the options of a class being deleted too; nlkit sends none, so nothing is required
    if (cmd === "delete" && args.done) delete spec.kind;
    else putOptions(spec, kind, parser(args, kind));
  }
  const s = spec as unknown as ClassSpec;
  if (cmd === "add") return tc.class.add(s);
  if (cmd === "replace") return tc.class.replace(s);
  if (cmd === "change") return tc.class.change(s);
  return tc.class.del(s);
}

async function classShow(tc: TcApi, out: TcOutput, args: Args): Promise<void> {
  const f: Record<string, unknown> = {};
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (w === "dev") once(f, "dev", dev(args));
    else if (w === "root") once(f, "parent", "root", "parent");
    else if (w === "parent") once(f, "parent", args.value());
    else if (w === "classid") once(f, "classid", args.value());
    else if (w === "qdisc") once(f, "qdisc", args.value());
    else tcError(`What is "${w}"? Try "nlkit tc class help".`);
  }
  if (f.dev === undefined) tcError("Cannot find device: dev is required");
  const list = await tc.class.list(f as never);
  const o = out.opts;
  if (o.json) return void out.write(formatJson(list.map((c) => classToTcJson(c, { devFiltered: true, stats: o.stats > 0, details: o.details })), o.pretty) + "\n");
  out.write(list.map((c) => classText(c, { devFiltered: true, stats: o.stats > 0, details: o.details, pretty: o.pretty })).join(""));
}

/** The words before a filter's kind, shared by the changes and show. */
function filterWords(args: Args, f: Record<string, unknown>, show: boolean): void {
  for (let w = args.peek(); w !== undefined; w = args.peek()) {
    args.shift();
    if (w === "dev") once(f, "dev", dev(args));
    else if (w === "root" || w === "ingress" || w === "egress") once(f, "parent", w, "parent");
    else if (w === "parent") once(f, "parent", args.value());
    else if (w === "handle") once(f, "handle", args.value());
    else if (matches(w, "protocol")) once(f, "protocol", args.value(), "protocol");
    else if (matches(w, "priority") || matches(w, "preference")) once(f, "pref", num(args.value(), "priority", 0xffff), "priority");
    else if (w === "chain") once(f, "chain", num(args.value(), "chain index"), "chain");
    else if (matches(w, "estimator")) tcError("nlkit does not set rate estimators");
    else if (matches(w, "help")) throw new UsageError(TC_USAGE);
    else {
      if (show && !FILTER_PARSERS[w]) tcError(`What is "${w}"? Try "nlkit tc filter help".`);
      f.kind = w;
      return;
    }
  }
}

async function filterModify(tc: TcApi, out: TcOutput, args: Args, cmd: Command): Promise<void> {
  const spec: Record<string, unknown> = {};
  filterWords(args, spec, false);
  if (spec.dev === undefined) tcError("Cannot find device: dev is required");
  if (spec.parent === undefined && cmd !== "delete") tcError('Parent is required: give "parent", "root", "ingress" or "egress"');
  const kind = spec.kind as string | undefined;
  if (kind !== undefined) {
    const parser = FILTER_PARSERS[kind];
    if (!parser) tcError(`nlkit cannot encode filters of kind "${kind}" (it encodes ${Object.keys(FILTER_PARSERS).join(", ")})`);
    const p = parser(args);
    putOptions(spec, kind, p.options);
    if (p.actions?.length) spec.actions = p.actions;
  }
  const s = spec as unknown as FilterSpec;
  if (cmd === "add") return tc.filter.add(s);
  if (cmd === "replace") return tc.filter.replace(s);
  if (cmd === "change") return tc.filter.change(s);
  if (cmd === "delete") return tc.filter.del(s);
  const f = await tc.filter.get(s);
  // tc prints the one filter as a listing of its device would, parent and all
  printFilters(out, [f], { devFiltered: true });
}

async function filterShow(tc: TcApi, out: TcOutput, args: Args): Promise<void> {
  const f: Record<string, unknown> = {};
  filterWords(args, f, true);
  if (!args.done) tcError(`What is "${args.peek()}"? Try "nlkit tc filter help".`);
  if (f.dev === undefined) tcError("Cannot find device: dev is required");
  const list = await tc.filter.list(f as unknown as FilterListFilter);
  const parent = f.parent === undefined ? undefined : filterParentName(filterParent(f.parent as Handle));
  // tc leaves out what the listing was narrowed by
  const protocol = f.protocol === undefined ? undefined : protocolName(protocolNumber(f.protocol as string));
  printFilters(out, list, { devFiltered: true, parent, pref: f.pref as number | undefined, protocol });
}

function printFilters(out: TcOutput, list: Awaited<ReturnType<TcApi["filter"]["list"]>>, where: { devFiltered: boolean; parent?: string; pref?: number; protocol?: string }): void {
  const o = out.opts;
  const d = { ...where, stats: o.stats > 0, details: o.details };
  if (o.json) return void out.write(formatJson(list.map((x) => filterToTcJson(x, d)), o.pretty) + "\n");
  out.write(list.map((x) => filterText(x, { ...d, pretty: o.pretty })).join(""));
}
