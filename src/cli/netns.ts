// nlkit netns: add | del | list | exec | set | list-id | identify | attach
import { constants as osConstants } from "node:os";
import { netns } from "../netns/index.js";
import type { Cli } from "./context.js";
import { Args, CliError, duplicate, parseUnsigned, pick, unknownCommand, UsageError } from "./grammar.js";

export const NETNS_USAGE = `Usage:	nlkit netns list
	nlkit netns add NAME
	nlkit netns attach NAME PID
	nlkit netns set NAME NETNSID
	nlkit netns delete NAME
	nlkit netns identify [PID]
	nlkit netns exec NAME cmd ...
	nlkit netns list-id
NETNSID := auto | POSITIVE-INT`;

const COMMANDS = [["list", "show", "lst"], "list-id", "add", "attach", "set", ["delete", "del"], "identify", "exec", "help"] as const;

export async function run(cli: Cli, args: Args): Promise<number | void> {
  const word = args.shift();
  if (word === undefined) return list(cli);
  const cmd = word === "--help" ? "help" : pick(word, COMMANDS);
  switch (cmd) {
    case "list":
      return list(cli);
    case "list-id":
      return listIds(cli);
    case "add":
      return void (await netns.add(name(args)));
    case "attach": {
      const n = name(args);
      const pid = parseUnsigned(args.value(), "pid");
      end(args);
      return void (await netns.attach(n, pid));
    }
    case "set": {
      const n = name(args);
      const idWord = args.value();
      end(args);
      const id = idWord === "auto" ? "auto" : Number(idWord);
      if (id !== "auto" && !(Number.isInteger(id) && id >= 0)) throw new CliError(`Invalid "netnsid" value`);
      return void (await netns.setId(n, id, inNs(cli)));
    }
    case "delete":
      return void (await netns.del(name(args)));
    case "identify":
      return identify(cli, args);
    case "exec":
      return exec(args);
    case "help":
      throw new UsageError(NETNS_USAGE);
    default:
      unknownCommand(word, "netns");
  }
}

function name(args: Args): string {
  const n = args.shift();
  if (n === undefined) throw new UsageError("No netns name specified");
  return validName(n);
}

/** ip's is_valid_netns_name: a single path component under /run/netns. */
function validName(n: string): string {
  if (n === "" || n === "." || n === ".." || n.includes("/") || Buffer.byteLength(n) > 255) throw new UsageError(`Invalid netns name "${n}"`);
  return n;
}

function end(args: Args): void {
  const extra = args.shift();
  if (extra !== undefined) duplicate("name", extra);
}

function inNs(cli: Cli): { in?: string } {
  return cli.opts.netns !== undefined ? { in: cli.opts.netns } : {};
}

async function list(cli: Cli): Promise<void> {
  const entries = await netns.listDetailed(inNs(cli));
  if (cli.opts.json) return cli.writeJson(entries.map((e) => (e.nsid === undefined ? { name: e.name } : { name: e.name, id: e.nsid })));
  cli.write(entries.map((e) => (e.nsid === undefined ? e.name : `${e.name} (id: ${e.nsid})`) + "\n").join(""));
}

async function listIds(cli: Cli): Promise<void> {
  const ids = await netns.listIds(inNs(cli));
  if (cli.opts.json) return cli.writeJson(ids.map((e) => (e.name === undefined ? { nsid: e.nsid } : { nsid: e.nsid, name: e.name })));
  cli.write(ids.map((e) => `nsid ${e.nsid} ${e.name === undefined ? "" : `(iproute2 netns name: ${e.name})`}\n`).join(""));
}

/** The names under /run/netns that are the namespace of PID (default: this process). */
async function identify(cli: Cli, args: Args): Promise<void> {
  const pidWord = args.shift();
  end(args);
  const target = pidWord === undefined ? netns.current() : netns.identify({ netnsPid: parseUnsigned(pidWord, "pid") });
  const names: string[] = [];
  for (const n of await netns.list()) {
    try {
      if (netns.identify(n) === target) names.push(n);
    } catch {
      // stale entries are not namespaces
    }
  }
  cli.write(names.map((n) => n + "\n").join(""));
}

/** argv goes to the child untouched; its stdio is ours and its exit status becomes ours. */
async function exec(args: Args): Promise<number> {
  const n = args.shift();
  if (n === undefined) throw new UsageError("No netns name specified");
  validName(n);
  const [cmd, ...argv] = args.rest();
  if (cmd === undefined) throw new CliError("No command specified");
  if (!(await netns.exists(n))) throw new UsageError(`Cannot open network namespace "${n}": No such file or directory`);
  const child = netns.spawn(n, cmd, argv, { stdio: "inherit" });
  return new Promise((resolve) => {
    child.once("error", (e: NodeJS.ErrnoException) => {
      process.stderr.write(`exec of "${cmd}" failed: ${e.code === "ENOENT" ? "No such file or directory" : e.message}\n`);
      resolve(1);
    });
    child.once("exit", (code, signal) => {
      resolve(code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0));
    });
  });
}
