// nlkit [-n NS] ss [-t] [-u] [-x] [-l] [-a] [-n] [-4|-6] [-i] [-e] [-o] [-K] [-H] [-j]
//                  [state STATE]... [exclude STATE]... [FILTER]
// ss's text (its columns, widths and words), from sock_diag dumps filtered by the kernel.
// FILTER is a conjunction of `sport = :PORT`, `dport = :PORT`, `src ADDR[/LEN]`, `dst ADDR[/LEN]`.
import { NetlinkError } from "../netlink/errors.js";
import { SockDiag, stateMask, type InetConditions, type InetSocket, type UnixSocket } from "../sockdiag/verbs.js";
import type { Cli } from "./context.js";
import { Args, CliError, UsageError } from "./grammar.js";
import { inetCells, unixCells, type SsEnv, type SsShow } from "./print/ss.js";
import { Col, SsTable } from "./print/ss-columns.js";
import { machineEnv, servicePort } from "./ss-env.js";

export const SS_USAGE = `Usage: nlkit [-n NS] ss [-t] [-u] [-x] [-l] [-a] [-n] [-4|-6] [-i] [-e] [-o] [-K] [-H] [-j]
                      [state STATE]... [exclude STATE]... [FILTER]
   FILTER := [ sport = :PORT ] [ dport = :PORT ] [ src ADDR[/LEN] ] [ dst ADDR[/LEN] ]  (all must hold)
   -t tcp, -u udp, -x unix (none of them: all three); -l listening, -a all states;
   -n numeric ports; -e details; -o timers; -i tcp_info; -K kill what matches; -H no header; -j JSON`;

type Db = "tcp" | "udp" | "u_str" | "u_dgr" | "u_seq";
type Fam = 4 | 6 | "unix";
const UNIX_DBS: readonly Db[] = ["u_str", "u_dgr", "u_seq"];

const BIT = (n: number) => 1 << n;
const ESTAB = BIT(1), CLOSE = BIT(7), LISTEN = BIT(10);
const SS_ALL = 0xfff;
/** ss's default: connected sockets (not listening, closed, time-wait or syn-recv). */
const SS_CONN = SS_ALL & ~(LISTEN | CLOSE | BIT(6) | BIT(3));

export interface SsCommand {
  dbs: Set<Db>;
  families: Set<Fam>;
  /** The family named last (-4, -6 or -x): ss then asks for that inet family only. */
  preferred?: Fam;
  states: number;
  conds: InetConditions;
  numeric: boolean;
  show: SsShow;
  kill: boolean;
  header: boolean;
  json: boolean;
}

const LONG: Record<string, string> = {
  "--tcp": "t", "--udp": "u", "--unix": "x", "--listening": "l", "--all": "a", "--numeric": "n", "--ipv4": "4", "--ipv6": "6",
  "--info": "i", "--extended": "e", "--options": "o", "--kill": "K", "--no-header": "H", "--json": "j",
};

/** ss's argument rules: which socket tables, families and states a command line selects. */
export function parseSs(words: readonly string[], globals: { family?: 4 | 6; json?: boolean } = {}): SsCommand {
  const cmd: SsCommand = {
    dbs: new Set(), families: new Set(), states: 0, conds: {}, numeric: false,
    show: { details: false, timers: false, info: false }, kill: false, header: true, json: globals.json ?? false,
  };
  let stateFilter = 0;
  let byDefault = true;
  const family = (f: Fam) => {
    cmd.families.add(f);
    cmd.states |= SS_CONN;
    cmd.preferred = f;
    byDefault = false;
  };
  if (globals.family) family(globals.family);
  const args = new Args(words);
  for (let w = args.peek(); w !== undefined && w.startsWith("-") && w.length > 1; w = args.peek()) {
    args.shift();
    const letters = w.startsWith("--") ? LONG[w] : w.slice(1);
    if (letters === undefined) throw new UsageError(`ss: unrecognized option '${w}'\n${SS_USAGE}`);
    for (const c of letters) {
      switch (c) {
        case "t": cmd.dbs.add("tcp"); cmd.states |= SS_CONN; byDefault = false; break;
        case "u": cmd.dbs.add("udp"); cmd.states |= ESTAB; byDefault = false; break;
        case "x": family("unix"); break;
        case "4": family(4); break;
        case "6": family(6); break;
        case "a": stateFilter = SS_ALL; break;
        case "l": stateFilter = LISTEN | CLOSE; break;
        case "n": cmd.numeric = true; break;
        case "e": cmd.show.details = true; cmd.show.timers = true; break;
        case "o": cmd.show.timers = true; break;
        case "i": cmd.show.info = true; break;
        case "K": cmd.kill = true; break;
        case "H": cmd.header = false; break;
        case "j": cmd.json = true; break;
        case "h": throw new UsageError(SS_USAGE);
        default: throw new UsageError(`ss: invalid option -- '${c}'\n${SS_USAGE}`);
      }
    }
  }
  let sawStates = false;
  for (;;) {
    if (args.peek() === "state") {
      args.shift();
      if (!sawStates) stateFilter = 0;
      stateFilter |= stateMask([args.value()], "state");
    } else if (args.peek() === "exclude" || args.peek() === "excl") {
      args.shift();
      if (!sawStates) stateFilter = SS_ALL;
      stateFilter &= ~stateMask([args.value()], "state");
    } else break;
    sawStates = true;
  }
  if (byDefault) {
    stateFilter ||= SS_CONN;
    for (const d of ["tcp", "udp", ...UNIX_DBS] as const) cmd.dbs.add(d);
  }
  if (stateFilter) cmd.states = stateFilter;
  // ss's filter_merge_defaults(): a table brings its families, a family its tables
  if (cmd.dbs.has("tcp") || cmd.dbs.has("udp")) if (!cmd.families.has(4) && !cmd.families.has(6)) { cmd.families.add(4); cmd.families.add(6); }
  if (UNIX_DBS.some((d) => cmd.dbs.has(d)) && !cmd.families.has("unix")) cmd.families.add("unix");
  if ((cmd.families.has(4) || cmd.families.has(6)) && !cmd.dbs.has("tcp") && !cmd.dbs.has("udp")) { cmd.dbs.add("tcp"); cmd.dbs.add("udp"); }
  if (cmd.families.has("unix") && !UNIX_DBS.some((d) => cmd.dbs.has(d))) for (const d of UNIX_DBS) cmd.dbs.add(d);
  if (cmd.states === 0) throw new CliError("ss: no socket states to show with such filter.", 0);
  cmd.conds = parseConditions(args.rest(), cmd.numeric);
  return cmd;
}

const EQ = new Set(["=", "==", "eq"]);

function parseConditions(words: readonly string[], numeric: boolean): InetConditions {
  const conds: InetConditions = {};
  const args = new Args(words);
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (w === "and" || w === "&&") continue;
    if (w === "sport" || w === "dport") {
      let v = args.value();
      if (EQ.has(v)) v = args.value();
      const p = servicePort(v.startsWith(":") ? v.slice(1) : v, numeric);
      if (p === undefined) throw new UsageError(`ss: "${v}" is not a port (:PORT)`);
      if (conds[w] !== undefined) throw new UsageError(`ss: ${w} is given twice; nlkit's filters are a conjunction of distinct conditions`);
      conds[w] = p;
    } else if (w === "src" || w === "dst") {
      let v = args.value();
      if (EQ.has(v)) v = args.value();
      if (conds[w] !== undefined) throw new UsageError(`ss: ${w} is given twice; nlkit's filters are a conjunction of distinct conditions`);
      conds[w] = v;
    } else {
      throw new UsageError(`ss: unsupported filter word "${w}"\n${SS_USAGE}`);
    }
  }
  return conds;
}

function countBits(n: number): number {
  let c = 0;
  for (; n; n &= n - 1) c++;
  return c;
}

/** The inet families ss dumps, in its order: the preferred one only, or IPv4 then IPv6. */
function inetFamilies(cmd: SsCommand): Array<4 | 6> {
  const order: Array<4 | 6> = cmd.preferred === 4 ? [4] : cmd.preferred === 6 ? [6] : [4, 6];
  return order.filter((f) => cmd.families.has(f));
}

/** ss matches a unix socket's "port" conditions against its inode and its peer's. */
function unixMatches(s: UnixSocket, c: InetConditions): boolean {
  if (c.src !== undefined || c.dst !== undefined) return false;
  return (c.sport === undefined || c.sport === s.inode) && (c.dport === undefined || c.dport === s.peer);
}

const UNIX_DB: Record<string, Db> = { stream: "u_str", dgram: "u_dgr", seqpacket: "u_seq" };

/** What run() reaches the machine through; tests hand in a scripted transport and a fixed environment. */
export interface SsDeps {
  open?: (ref: { netns?: string }) => Promise<SockDiag>;
  env?: (numeric: boolean, ifnames: ReadonlyMap<number, string>) => Promise<SsEnv>;
}

export async function run(cli: Cli, args: Args, deps: SsDeps = {}): Promise<number> {
  const cmd = parseSs(args.rest(), cli.opts);
  const sd = await (deps.open ?? SockDiag.open)(cli.netnsRef());
  const found: Array<InetSocket | UnixSocket> = [];
  let status = 0;
  try {
    if (cmd.families.has("unix") && UNIX_DBS.some((d) => cmd.dbs.has(d))) {
      for (const s of await sd.unix({ states: statesOf(cmd.states), details: cmd.show.details })) {
        if (cmd.dbs.has(UNIX_DB[String(s.type)] ?? "u_dgr") && unixMatches(s, cmd.conds)) found.push(s);
      }
    }
    for (const proto of ["udp", "tcp"] as const) {
      if (!cmd.dbs.has(proto)) continue;
      // one dump per family, and with -K each socket killed before the next family's dump, as ss does
      for (const family of inetFamilies(cmd)) {
        for (const s of await sd[proto]({ family, states: statesOf(cmd.states), info: cmd.show.info, ...cmd.conds })) {
          if (!cmd.kill || (await killed(sd, s))) found.push(s);
        }
      }
    }
  } catch (e) {
    if (!(e instanceof KillError)) throw e;
    process.stderr.write(`SOCK_DESTROY answers: ${e.cause.kernelMessage}\n`);
    status = 1;
  } finally {
    sd.close();
  }
  if (cmd.json) {
    cli.writeJson(found);
    return status;
  }
  const ifnames = await deviceNames(cli, found);
  const env = await (deps.env ?? ((numeric, names) => machineEnv(cli, numeric, names)))(cmd.numeric, ifnames);
  const table = new SsTable([...(countBits(cmd.states) === 1 ? [Col.State] : []), ...(cmd.dbs.size === 1 ? [Col.Netid] : [])]);
  if (cmd.header) table.header();
  for (const s of found) table.row(s.family === "unix" ? unixCells(s, cmd.show) : inetCells(s, cmd.show, env));
  cli.write(table.render(process.stdout.isTTY ? process.stdout.columns : undefined));
  return status;
}

/** Names of the devices sockets are bound to (ss prints ADDRESS%DEV). */
async function deviceNames(cli: Cli, found: ReadonlyArray<InetSocket | UnixSocket>): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  const indexes = new Set(found.flatMap((s) => (s.family !== "unix" && s.iface ? [s.iface] : [])));
  if (indexes.size === 0) return names;
  const rt = await cli.rtnl();
  for (const l of await rt.link.list()) if (indexes.has(l.index)) names.set(l.index, l.name);
  return names;
}

class KillError extends Error {
  constructor(override readonly cause: NetlinkError) {
    super(cause.message);
  }
}

/** ss -K: a socket that cannot be killed or is already gone is left out, any other refusal stops. */
async function killed(sd: SockDiag, s: InetSocket): Promise<boolean> {
  try {
    await sd.destroy(s);
    return true;
  } catch (e) {
    if (e instanceof NetlinkError && (e.code === "ENOENT" || e.code === "EOPNOTSUPP")) return false;
    if (e instanceof NetlinkError) throw new KillError(e);
    throw e;
  }
}

/** idiag_states bits back to state words (the library takes words). */
function statesOf(mask: number): string[] {
  const names = ["unknown", "established", "syn-sent", "syn-recv", "fin-wait-1", "fin-wait-2", "time-wait", "closed", "close-wait", "last-ack", "listening", "closing"];
  return names.filter((_, i) => mask & BIT(i));
}
