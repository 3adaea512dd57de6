// nlkit bridge fdb (add | append | replace | del | show) and bridge link (show | set), with
// bridge(8)'s words. bridge exits 255 for nearly everything it refuses, the kernel's refusals and
// unknown devices included (ip says 2 and 1).
import * as fs from "node:fs";
import { NetlinkError } from "../netlink/errors.js";
import type { BridgePortOptions } from "../rtnl/link/kinds/bridge.js";
import { NUD } from "../rtnl/neigh/table.js";
import type { Neigh, NeighSpec } from "../rtnl/neigh/verbs.js";
import type { Cli } from "./context.js";
import { addressArg, Args, CliError, duplicate, matches, parseUnsigned, pick, UsageError } from "./grammar.js";
import { brlinkRecord, fdbText } from "./print/bridge.js";
import { describeError } from "./report.js";

export const BRIDGE_USAGE = `Usage: nlkit [ -n NAME ] [ -j [ -p ] ] [ -s ] [ -d ] bridge OBJECT { COMMAND | help }
where  OBJECT := { link | fdb }`;

export const FDB_USAGE = `Usage: nlkit bridge fdb { add | append | del | replace } ADDR dev DEV
              [ self ] [ master ] [ use ] [ router ] [ extern_learn ]
              [ sticky ] [ local | static | dynamic ] [ vlan VID ]
              { [ dst IPADDR ] [ port PORT] [ vni VNI ] | [ nhid NHID ] }
              [ via DEV ] [ src_vni VNI ]
       nlkit bridge fdb [ show [ br BRDEV ] [ brport DEV ] [ vlan VID ]
              [ state STATE ] [ dynamic ] ]`;

export const LINK_USAGE = `Usage: nlkit bridge link set dev DEV [ cost COST ] [ priority PRIO ] [ state STATE ]
                               [ guard {on | off} ]
                               [ hairpin {on | off} ]
                               [ fastleave {on | off} ]
                               [ root_block {on | off} ]
                               [ learning {on | off} ]
                               [ flood {on | off} ]
                               [ mcast_router MULTICAST_ROUTER ]
                               [ mcast_flood {on | off} ]
                               [ bcast_flood {on | off} ]
                               [ mcast_to_unicast {on | off} ]
                               [ neigh_suppress {on | off} ]
                               [ vlan_tunnel {on | off} ]
                               [ isolated {on | off} ]
                               [ locked {on | off} ]
                               [ backup_port DEVICE ] [ nobackup_port ]
       nlkit bridge link show [dev DEV] [master DEVICE]`;

const EXIT = 255;
// bridge returns parse_on_off's -EINVAL from main: exit(-22)
const EXIT_EINVAL = 234;
const OBJECTS = ["link", "fdb", "help"] as const;
const LINK_COMMANDS = [["set", "change"], ["show", "lst", "list"], "help"] as const;
const COMMANDS = ["add", "append", "replace", "delete", ["show", "lst", "list"], "help"] as const;


export async function run(cli: Cli, args: Args): Promise<void> {
  const word = args.shift();
  const object = pick(word, OBJECTS);
  if (word === undefined || object === "help") throw new UsageError(BRIDGE_USAGE);
  if (object !== "fdb" && object !== "link") throw new UsageError(`Object "${word}" is unknown, try "nlkit bridge help".`);
  try {
    await (object === "fdb" ? fdb(cli, args) : link(cli, args));
  } catch (e) {
    // -batch takes a 255 for a line it cannot parse and stops there, -force or not: a failed
    // line keeps ip's status so that it is reported and skipped
    throw cli.line ? e : asBridgeError(e);
  }
}

/** The library's and the kernel's errors in ip's words, with bridge's exit status. */
function asBridgeError(e: unknown): unknown {
  if (e instanceof UsageError || e instanceof CliError) return e;
  const d = describeError(e);
  if (d.internal) return e;
  return new CliError(d.message, /^(RTNETLINK answers|Cannot find device)/.test(d.message) || d.exitCode === 2 ? EXIT : d.exitCode);
}

async function fdb(cli: Cli, args: Args): Promise<void> {
  const word = args.shift();
  if (word === undefined) return show(cli, args);
  const cmd = pick(word, COMMANDS);
  switch (cmd) {
    case "add":
    case "append":
    case "replace":
    case "delete":
      return modify(cli, args, cmd);
    case "show":
      return show(cli, args);
    case "help":
      throw new UsageError(FDB_USAGE);
    default:
      throw new UsageError(`Command "${word}" is unknown, try "nlkit bridge fdb help".`);
  }
}

/** What bridge's strtoul(..., 0) takes whole: decimal, 0x hex, 0 octal, a sign. */
function strtoul(text: string): number | undefined {
  const m = /^\s*([+-]?)(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)$/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[2]!.startsWith("0") && !/^0x/i.test(m[2]!) ? parseInt(m[2]!, 8) : m[2]);
  // strtoul wraps a negative number around: never a valid port or VNI
  return m[1] === "-" && n !== 0 ? Number.MAX_SAFE_INTEGER : n;
}

/** C's atoi: leading digits, anything after ignored, 0 when there are none. */
function atoi(text: string): number {
  return parseInt(/^\s*[+-]?\d+/.exec(text)?.[0] ?? "0", 10);
}

/** bridge names a port by its UDP service too (getservbyname(name, "udp")). */
function udpService(name: string): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync("/etc/services", "utf8");
  } catch {
    return undefined;
  }
  for (const line of text.split("\n")) {
    const [entry = ""] = line.split("#");
    const [service, portProto, ...aliases] = entry.trim().split(/\s+/);
    const [port, proto] = (portProto ?? "").split("/");
    if (proto === "udp" && (service === name || aliases.includes(name))) return Number(port);
  }
  return undefined;
}

/** bridge's sscanf("%hhx:%hhx:%hhx:%hhx:%hhx:%hhx"): six hex fields, each cut to a byte, anything after ignored. */
export function fdbMac(text: string): string | undefined {
  const bytes: string[] = [];
  let rest = text;
  for (let i = 0; i < 6; i++) {
    if (i > 0) {
      if (!rest.startsWith(":")) return undefined;
      rest = rest.slice(1);
    }
    const m = /^\s*([+-]?)(?:0x(?=[0-9a-f]))?([0-9a-f]+)/i.exec(rest);
    if (!m) return undefined;
    const v = parseInt(m[2]!.slice(-2), 16);
    bytes.push(((m[1] === "-" ? -v : v) & 0xff).toString(16).padStart(2, "0"));
    rest = rest.slice(m[0].length);
  }
  return bytes.join(":");
}

/** fdb_modify's line: what bridge sends, with its checks in its order. */
export function parseFdbModify(args: Args): { dev: string; mac: string; spec: Omit<NeighSpec, "dev">; via?: string } {
  let addr: string | undefined, dev: string | undefined, via: string | undefined;
  let dst: string | undefined, port = 0, vni: number | undefined, srcVni: number | undefined, nhid = 0, vlan = -1;
  let state: number = NUD.NOARP;
  const flags: Partial<Record<"self" | "master" | "router" | "use" | "extern" | "sticky", true>> = {};
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (w === "dev") dev = args.value();
    else if (w === "dst") {
      const a = args.value();
      if (dst !== undefined) duplicate("dst", a);
      dst = addressArg(a, "any valid address");
    } else if (w === "nhid") nhid = parseUnsigned(args.value(), "id");
    else if (w === "port") {
      const p = args.value();
      const n = strtoul(p);
      const value = n === undefined ? udpService(p) : n;
      if (value === undefined || value > 0xffff) throw new UsageError(`Error: argument "${p}" is wrong: invalid port\n`);
      port = value;
    } else if (w === "vni" || w === "src_vni") {
      const v = args.value();
      const n = strtoul(v);
      if (n === undefined || n >= 1 << 24) throw new UsageError(`Error: argument "${v}" is wrong: invalid ${w === "vni" ? "VNI" : "src VNI"}\n`);
      if (w === "vni") vni = n;
      else srcVni = n;
    } else if (w === "via") via = args.value();
    else if (w === "self") flags.self = true;
    else if (matches(w, "master")) flags.master = true;
    else if (matches(w, "router")) flags.router = true;
    else if (matches(w, "local") || matches(w, "permanent")) state |= NUD.PERMANENT;
    else if (matches(w, "temp") || matches(w, "static")) state |= NUD.REACHABLE;
    else if (matches(w, "dynamic")) state = (state | NUD.REACHABLE) & ~NUD.NOARP;
    else if (matches(w, "vlan")) {
      if (vlan >= 0) duplicate("vlan", w);
      // bridge keeps the VID in a short
      vlan = (atoi(args.value()) << 16) >> 16;
    } else if (matches(w, "use")) flags.use = true;
    else if (matches(w, "extern_learn")) flags.extern = true;
    else if (matches(w, "sticky")) flags.sticky = true;
    else {
      if (w === "to") w = args.value();
      if (matches(w, "help")) throw new UsageError(FDB_USAGE);
      if (addr !== undefined) duplicate("to", w);
      addr = w;
    }
  }
  if (dev === undefined || addr === undefined) throw new UsageError("Device and address are required arguments.");
  if (nhid && (dst !== undefined || port || vni !== undefined)) throw new UsageError("dst, port, vni are mutually exclusive with nhid");
  if (!(state & (NUD.PERMANENT | NUD.REACHABLE))) state |= NUD.PERMANENT;
  const mac = fdbMac(addr);
  if (mac === undefined) throw new UsageError(`Invalid mac address ${addr}`);
  const spec: Omit<NeighSpec, "dev"> = { family: "bridge", lladdr: mac, state, ...flags };
  if (dst !== undefined) spec.dst = dst;
  if (vlan >= 0) spec.vlan = vlan;
  if (nhid) spec.nhid = nhid;
  if (port) spec.port = port;
  if (vni !== undefined) spec.vni = vni;
  if (srcVni !== undefined) spec.srcVni = srcVni;
  return { dev, mac, spec, ...(via !== undefined ? { via } : {}) };
}

async function modify(cli: Cli, args: Args, cmd: "add" | "append" | "replace" | "delete"): Promise<void> {
  const line = parseFdbModify(args);
  const rt = await cli.rtnl();
  // bridge looks via up while it reads the line and the device last, and names whichever is missing
  const spec: NeighSpec = { ...line.spec, dev: 0 };
  if (line.via !== undefined) spec.via = await rt.ctx.ifindex(line.via, "via");
  spec.dev = await rt.ctx.ifindex(line.dev, "dev");
  if (cmd === "delete") return cli.change((v) => v.neigh.del(spec));
  await cli.change((v) => v.neigh.add(spec, cmd === "add" ? {} : cmd === "append" ? { append: true } : { replace: true }));
}

/** fdb_show's filters; words it does not know are skipped, as bridge skips them. */
export function parseFdbShow(args: Args): { dev?: string; br?: string; vlan: number; state: number; dynamic: boolean } {
  const f: { dev?: string; br?: string; vlan: number; state: number; dynamic: boolean } = { vlan: 0, state: 0, dynamic: false };
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (w === "brport" || w === "dev") f.dev = args.value();
    else if (w === "br") f.br = args.value();
    else if (w === "vlan") {
      const v = args.value();
      if (f.vlan) throw new UsageError(`Error: duplicate "vlan": "${v}" is the second value.`);
      f.vlan = atoi(v) >>> 0;
    } else if (w === "state") f.state |= fdbStateWord(args.value());
    else if (w === "dynamic") f.dynamic = true;
    else if (matches(w, "help")) throw new UsageError(FDB_USAGE);
  }
  return f;
}

/** state_a2n: bridge's state names, "all", or a number. */
function fdbStateWord(w: string): number {
  if (matches(w, "permanent")) return NUD.PERMANENT;
  if (matches(w, "static") || matches(w, "temp")) return NUD.NOARP;
  if (matches(w, "stale")) return NUD.STALE;
  if (matches(w, "reachable") || matches(w, "dynamic")) return NUD.REACHABLE;
  if (w === "all") return 0xffff;
  const n = strtoul(w);
  if (n === undefined || n > 0xffffffff) throw new UsageError(`Error: argument "${w}" is wrong: invalid state`);
  return n;
}

async function show(cli: Cli, args: Args): Promise<void> {
  const f = parseFdbShow(args);
  const rt = await cli.rtnl();
  let master: number | undefined;
  if (f.br !== undefined) {
    try {
      master = await rt.ctx.ifindex(f.br, "br");
    } catch (e) {
      if (e instanceof NetlinkError && e.code === "ENODEV") throw new CliError(`Cannot find bridge device "${f.br}"`, EXIT);
      throw e;
    }
  }
  const dev = f.dev !== undefined ? await rt.ctx.ifindex(f.dev, "dev") : undefined;
  const list = await rt.neigh.list({ family: "bridge", ...(dev !== undefined ? { dev } : {}), ...(master !== undefined ? { master } : {}) });
  const kept = list.filter((n) => keep(n, f));
  const { fdbToBridgeJson } = await import("../rtnl/json/neigh.js");
  const records = kept.map((n) => fdbToBridgeJson(n, { devFiltered: dev !== undefined, stats: cli.opts.stats > 0 }));
  if (cli.opts.json) return cli.writeJson(records);
  cli.write(records.map((r) => fdbText(r) + "\n").join(""));
}

/** print_fdb's own filters, applied after the kernel's. */
function keep(n: Neigh, f: { state: number; vlan: number; dynamic: boolean }): boolean {
  if (f.state && !(n.rawState & f.state)) return false;
  if (f.vlan && f.vlan !== (n.vlan ?? 0)) return false;
  return !(f.dynamic && n.rawState & NUD.PERMANENT);
}

// --- bridge link ---------------------------------------------------------------------------------

async function link(cli: Cli, args: Args): Promise<void> {
  const word = args.shift();
  if (word === undefined) return linkShow(cli, args);
  switch (pick(word, LINK_COMMANDS)) {
    case "set":
      return linkSet(cli, args);
    case "show":
      return linkShow(cli, args);
    case "help":
      throw new UsageError(LINK_USAGE);
    default:
      throw new UsageError(`Command "${word}" is unknown, try "nlkit bridge link help".`);
  }
}

/** brlink_show's filters; like bridge, it skips words it does not know. */
export function parseLinkShow(args: Args): { dev?: string; master?: string } {
  const f: { dev?: string; master?: string } = {};
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (w === "dev" || w === "master") {
      const v = args.value();
      if (f[w] !== undefined) throw new UsageError(`Error: duplicate "${w}": "${v}" is the second value.`);
      f[w] = v;
    }
  }
  return f;
}

async function linkShow(cli: Cli, args: Args): Promise<void> {
  const f = parseLinkShow(args);
  const rt = await cli.rtnl();
  // bridge's ll_map: names of masters and peers, and whether a peer is up (M-DOWN)
  const all = await rt.link.list({ fields: ["ifiFlags"] });
  const names = new Map(all.map((l) => [l.index, { name: l.name, ifiFlags: l.ifiFlags }]));
  const find = (name: string) => {
    const found = all.find((l) => l.name === name);
    if (!found) throw new CliError(`Cannot find device "${name}"`, EXIT);
    return found.index;
  };
  const dev = f.dev !== undefined ? find(f.dev) : undefined;
  const master = f.master !== undefined ? find(f.master) : undefined;
  const ports = (await rt.link.list({ family: "bridge" }))
    .filter((l) => (dev === undefined || l.index === dev) && (master === undefined || l.master === undefined || l.master === master));
  const records = ports.map((l) => brlinkRecord(l, names, { details: cli.opts.details, sl: cli.opts.oneline ? "\\" : "\n" }));
  if (cli.opts.json) return cli.writeJson(records.map((r) => r.json));
  cli.write(records.map((r) => r.text).join(""));
}

/** C's atoi over glibc's strtol: leading digits, saturated to a long, then cut to an int. */
function catoi(text: string): number {
  const m = /^\s*[+-]?\d+/.exec(text);
  if (!m) return 0;
  const n = BigInt(m[0].trim());
  const long = n > 2n ** 63n - 1n ? 2n ** 63n - 1n : n < -(2n ** 63n) ? -(2n ** 63n) : n;
  return Number(BigInt.asIntN(32, long));
}

const s8 = (n: number) => (n << 24) >> 24;
const s16 = (n: number) => (n << 16) >> 16;

/** parse_on_off: "on" or "off" or a prefix of one ("o" is off, the first it tries). */
function onOff(word: string, value: string): boolean {
  if (matches(value, "off")) return false;
  if (matches(value, "on")) return true;
  throw new CliError(`Error: argument of "${word}" must be one of "off", "on", not "${value}"`, EXIT_EINVAL);
}

type OnOffKey = "guard" | "hairpin" | "fastLeave" | "rootBlock" | "learning" | "flood" | "mcastFlood" | "bcastFlood"
  | "mcastToUnicast" | "neighSuppress" | "vlanTunnel" | "isolated" | "locked";

const ON_OFF: Readonly<Record<string, OnOffKey>> = {
  guard: "guard", hairpin: "hairpin", fastleave: "fastLeave", root_block: "rootBlock", learning: "learning", flood: "flood",
  mcast_flood: "mcastFlood", bcast_flood: "bcastFlood", mcast_to_unicast: "mcastToUnicast", neigh_suppress: "neighSuppress",
  vlan_tunnel: "vlanTunnel", isolated: "isolated", locked: "locked",
};
const STATES = ["disabled", "listening", "learning", "forwarding", "blocking"];

/**
 * brlink_modify's line, with its checks in its order: values are cut to bridge's C types (a
 * priority of 99999 is a negative short, so not sent), a cost of 0 is not sent, and backup_port
 * is looked up while the line is read (`lookup` gives 0 for a missing device).
 */
export async function parseLinkSet(args: Args, lookup: (dev: string) => Promise<number>): Promise<{ dev: string; opts: BridgePortOptions }> {
  let dev: string | undefined;
  let cost = 0, priority = -1, state = -1, mcastRouter = -1, backup = -1;
  const flags: Partial<Pick<BridgePortOptions, OnOffKey>> = {};
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (w === "dev") dev = args.value();
    else if (ON_OFF[w] !== undefined) flags[ON_OFF[w]!] = onOff(w, args.value());
    else if (w === "mcast_router") mcastRouter = s8(catoi(args.value()));
    else if (w === "cost") cost = catoi(args.value()) >>> 0;
    else if (w === "priority") priority = s16(catoi(args.value()));
    else if (w === "state") {
      const v = args.value();
      // strtol must take the whole word, or it is a state's name
      if (/^\s*[+-]?\d+$/.test(v)) state = s8(catoi(v));
      else if ((state = STATES.indexOf(v)) < 0) throw new CliError("Error: invalid STP port state", EXIT);
    } else if (w === "backup_port") {
      const v = args.value();
      backup = await lookup(v);
      if (!backup) throw new CliError(`Error: device ${v} does not exist`, EXIT);
    } else if (w === "nobackup_port") backup = 0;
    else throw new UsageError(LINK_USAGE);
  }
  if (dev === undefined) throw new CliError("Device is a required argument.", EXIT);
  // bridge's order of the flags is the library's to keep (setBridgePort); these are its other tests
  const opts: BridgePortOptions = { ...flags };
  if (mcastRouter >= 0) opts.mcastRouter = mcastRouter;
  if (cost > 0) opts.cost = cost;
  if (priority >= 0) opts.priority = priority;
  if (state >= 0) opts.state = state;
  if (backup >= 0) opts.backupPort = backup || null;
  return { dev, opts };
}

async function linkSet(cli: Cli, args: Args): Promise<void> {
  const rt = await cli.rtnl();
  const lookup = async (name: string) => {
    try {
      return await rt.ctx.ifindex(name, "dev");
    } catch (e) {
      if (e instanceof NetlinkError && e.code === "ENODEV") return 0;
      throw e;
    }
  };
  const line = await parseLinkSet(args, lookup);
  const index = await lookup(line.dev);
  if (!index) throw new CliError(`Cannot find bridge device "${line.dev}"`, EXIT);
  await cli.change((v) => v.link.setBridgePort(index, line.opts));
}
