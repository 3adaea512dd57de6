// nlkit address: add | change | replace | delete | show | flush, with ip address's words.
import type { Link } from "../rtnl/link/index.js";
import type { Cli } from "./context.js";
import {
  Args, CliError, duplicate, matches, namedNumber, parseUnsigned, pick, prefixArg, SCOPE_NAMES, unknownCommand, UsageError,
} from "./grammar.js";
import { onelineText, parseShowFilter, selectLinks } from "./link.js";
import { addrInfoText, addrLinkText } from "./print/addr.js";
import { linkBriefJson, nameAndLink, statsLines } from "./print/link.js";
import { nsidNames, stripDetails } from "./print/records.js";

export const ADDR_USAGE = `Usage: nlkit address {add|change|replace} IFADDR dev IFNAME [ LIFETIME ]
                                                      [ CONFFLAG-LIST ]
       nlkit address del IFADDR dev IFNAME
       nlkit address flush [ dev IFNAME ] [ scope SCOPE-ID ] [ label LABEL ]
       nlkit address [ show [ dev IFNAME ] [ scope SCOPE-ID ] [ master DEVICE ]
                            [ nomaster ] [ type TYPE ] [ label LABEL ] [up] ]
IFADDR := PREFIX | ADDR peer PREFIX
          [ broadcast ADDR ] [ anycast ADDR ]
          [ label IFNAME ] [ scope SCOPE-ID ] [ metric METRIC ]
SCOPE-ID := [ host | link | global | NUMBER ]
CONFFLAG-LIST := [ CONFFLAG-LIST ] CONFFLAG
CONFFLAG  := [ home | nodad | mngtmpaddr | noprefixroute | autojoin ]
LIFETIME := [ valid_lft LFT ] [ preferred_lft LFT ]
LFT := forever | SECONDS`;

const COMMANDS = ["add", ["change", "chg"], "replace", ["delete", "del"], ["show", "list", "lst"], "flush", "help"] as const;
const CONF_FLAGS = ["home", "nodad", "optimistic", "mngtmpaddr", "noprefixroute", "autojoin"];

export async function run(cli: Cli, args: Args): Promise<void> {
  const word = args.shift();
  if (word === undefined) return show(cli, args);
  const cmd = word === "--help" ? "help" : pick(word, COMMANDS);
  switch (cmd) {
    case "add":
    case "change":
    case "replace":
      return modify(cli, args, cmd);
    case "delete":
      return modify(cli, args, "delete");
    case "show":
      return show(cli, args);
    case "flush":
      return flush(cli, args);
    case "help":
      throw new UsageError(ADDR_USAGE);
    default:
      unknownCommand(word, "address");
  }
}

/** ip words a bad scope differently when adding (`invalid scope value.`) and when filtering. */
function scopeArg(w: string, what = 'invalid "scope"\n'): string | number {
  return namedNumber(w, SCOPE_NAMES, what);
}

function lifetime(w: string, what: string): number | "forever" {
  return w === "forever" ? "forever" : parseUnsigned(w, what);
}

async function modify(cli: Cli, args: Args, cmd: "add" | "change" | "replace" | "delete"): Promise<void> {
  let local: string | undefined;
  let dev: string | undefined;
  const o: Record<string, unknown> = {};
  const flags: string[] = [];
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (w === "peer" || w === "remote") {
      const peer = args.value();
      prefixArg(peer);
      o.peer = peer;
    }
    else if (matches(w, "broadcast") || w === "brd") o.broadcast = args.value();
    else if (matches(w, "anycast")) o.anycast = args.value();
    else if (matches(w, "scope")) o.scope = scopeArg(args.value(), "invalid scope value.");
    else if (w === "dev") dev = args.value();
    else if (matches(w, "label")) o.label = args.value();
    else if (matches(w, "valid_lft")) o.validLft = lifetime(args.value(), "valid_lft");
    else if (matches(w, "preferred_lft")) o.preferredLft = lifetime(args.value(), "preferred_lft");
    else if (CONF_FLAGS.includes(w)) flags.push(w);
    else if (w === "metric" || w === "priority" || w === "preference") o.metric = parseUnsigned(args.value(), "metric");
    else if (w === "proto") o.proto = parseUnsigned(args.value(), "proto", 255);
    else {
      if (w === "local") w = args.value();
      if (matches(w, "help")) throw new UsageError(ADDR_USAGE);
      if (local !== undefined) duplicate("local", w);
      prefixArg(w, cli.opts.family);
      local = w;
    }
  }
  if (dev === undefined) throw new CliError('Not enough information: "dev" argument is required.');
  if (local === undefined) throw new UsageError("Command line is not complete. Try option \"help\"");
  if (flags.length) o.flags = flags;
  if (o.label !== undefined && !(o.label as string).startsWith(dev)) {
    throw new CliError(`"${dev}" and "${o.label as string}" do not match`);
  }
  const cidr = local;
  if (cmd === "delete") {
    const del: Record<string, unknown> = {};
    if (o.peer !== undefined) del.peer = o.peer;
    if (o.label !== undefined) del.label = o.label;
    return cli.change((v) => v.addr.del(dev!, cidr, del));
  }
  if (cmd !== "add") o.replace = true;
  await cli.change((v) => v.addr.add(dev!, cidr, o));
}

async function show(cli: Cli, args: Args): Promise<void> {
  let scope: string | number | undefined;
  let label: string | undefined;
  const f = parseShowFilter(args, (w) => {
    if (matches(w, "scope")) scope = scopeArg(args.value());
    else if (matches(w, "label")) label = args.value();
    else if (["permanent", "dynamic", "secondary", "primary", "tentative", "deprecated", "dadfailed", "temporary"].includes(w)) {
      throw new UsageError(`nlkit address show: flag filter "${w}" is not supported`);
    } else return false;
    return true;
  });
  const { linksToIpJson } = await import("../rtnl/link/index.js");
  const { addrToIpJson } = await import("../rtnl/json/addr.js");
  const rt = await cli.rtnl();
  const { all, shown } = await selectLinks(cli, f);
  const family = cli.opts.family;
  const addrs = await rt.addr.list({
    ...(family ? { family } : {}),
    ...(scope !== undefined ? { scope } : {}),
    ...(label !== undefined ? { label } : {}),
    ...(f.dev !== undefined ? { dev: f.dev } : {}),
  });
  const byIndex = new Map<number, Record<string, unknown>[]>();
  for (const a of addrs) {
    if (!byIndex.has(a.index)) byIndex.set(a.index, []);
    byIndex.get(a.index)!.push(addrToIpJson(a));
  }
  const wanted = new Set(shown.map((l) => l.index));
  const { brief, json, oneline, stats, details } = cli.opts;
  // with a family, scope or label given ip shows only the links that have a matching address
  const onlyWithAddrs = family !== undefined || scope !== undefined || label !== undefined;
  const level = brief || oneline ? 0 : json ? stats : stats ? 2 : 0;
  const records = linksToIpJson(all, { stats: level })
    .filter((r) => wanted.has(r.ifindex as number) && (!onlyWithAddrs || byIndex.has(r.ifindex as number)))
    .map((r) => {
      const { linkmode: _m, stats64, ...rest } = familyView(stripDetails(r, details), family, all);
      // ip -s addr prints the link's counters after its addresses
      const rec: Record<string, unknown> = { ...rest, addr_info: byIndex.get(r.ifindex as number) ?? [] };
      if (stats64 !== undefined) rec.stats64 = stats64;
      return rec;
    });
  if (brief) return showBrief(cli, records);
  // -o: one line per address, after "INDEX: DEV", and no link lines
  if (oneline) {
    if (json) {
      return cli.writeJson(records.map((r) => ({
        addr_info: (r.addr_info as Record<string, unknown>[]).map((a) => ({ index: r.ifindex, dev: r.ifname, ...a })),
      })));
    }
    const lines = records.flatMap((r) => (r.addr_info as Record<string, unknown>[]).map((a) => `${r.ifindex}: ${r.ifname}${onelineText(cli, addrInfoText(a))}\n`));
    return cli.write(lines.join(""));
  }
  if (json) return cli.writeJson(records);
  const nsName = await nsidNames(cli, records);
  cli.write(records.map((r) => {
    let text = addrLinkText(r, { details, nsName });
    if (stats && r.stats64) text += "\n" + statsLines(r.stats64 as never, stats).join("\n");
    return text + "\n";
  }).join(""));
}

/** `ip -br addr`: name, operstate, then each address as ADDR/LEN on one line. */
function showBrief(cli: Cli, records: Record<string, unknown>[]): void {
  const short = (a: Record<string, unknown>) => {
    const o: Record<string, unknown> = { local: a.local };
    if (a.address !== undefined) o.address = a.address;
    o.prefixlen = a.prefixlen;
    if (a.metric !== undefined) o.metric = a.metric;
    return o;
  };
  if (cli.opts.json) {
    return cli.writeJson(records.map((r) => {
      const { address: _a, flags: _f, ...head } = linkBriefJson(r);
      return { ...head, addr_info: (r.addr_info as Record<string, unknown>[]).map(short) };
    }));
  }
  cli.write(records.map((r) => {
    let s = `${nameAndLink(r).padEnd(16)} ${String(r.operstate ?? "").padEnd(14)} `;
    for (const a of r.addr_info as Record<string, unknown>[]) {
      s += `${a.local}${a.address !== undefined ? ` peer ${a.address}` : ""}/${a.prefixlen} `;
      if (a.metric !== undefined) s += `metric ${a.metric} `;
    }
    return s + "\n";
  }).join(""));
}

async function flush(cli: Cli, args: Args): Promise<void> {
  if (args.done) throw new UsageError("Flush requires arguments.");
  const filter: Record<string, unknown> = {};
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (matches(w, "scope")) filter.scope = scopeArg(args.value());
    else if (matches(w, "label")) filter.label = args.value();
    else {
      if (w === "dev") w = args.value();
      if (filter.dev !== undefined) duplicate("dev", w);
      filter.dev = w;
    }
  }
  if (cli.opts.family) filter.family = cli.opts.family;
  const rt = await cli.rtnl();
  await rt.addr.flush(filter);
}

/**
 * ip -4/-6 addr show reads links with that family, and the kernel's per-family link messages
 * carry less: no link-layer line for either, and for IPv6 no qdisc, group, master or peer
 * namespace (a peer index is then named in this namespace, as ip does).
 */
function familyView(r: Record<string, unknown>, family: 4 | 6 | undefined, all: readonly Link[]): Record<string, unknown> {
  if (family === undefined) return r;
  const drop = new Set(["link_type", "address", "broadcast", "permaddr"]);
  if (family === 6) for (const k of ["qdisc", "group", "master", "link_netnsid", "link_index"]) drop.add(k);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    // the kernel leaves IFLA_LINK out when the index equals the device's own
    if (k === "ifname" && family === 6 && r.link_index !== undefined && r.link_index !== r.ifindex) {
      const i = r.link_index as number;
      out.link = all.find((l) => l.index === i)?.name ?? `if${i}`;
    }
    if (!drop.has(k)) out[k] = v;
  }
  return out;
}
