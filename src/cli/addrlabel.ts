// nlkit addrlabel: add | del | list | flush, with ip addrlabel's words.
import { NetlinkError } from "../netlink/errors.js";
import type { Cli } from "./context.js";
import { Args, CliError, invalidArg, parseUnsigned, pick, prefixArg, UsageError } from "./grammar.js";
import { addrlabelText } from "./print/addrlabel.js";

export const ADDRLABEL_USAGE = `Usage: nlkit addrlabel { add | del } prefix PREFIX [ dev DEV ] [ label LABEL ]
       nlkit addrlabel [ list | flush | help ]`;

const COMMANDS = [["list", "lst", "show"], "add", "delete", "flush", "help"] as const;
const ENODEV = 19;

export async function run(cli: Cli, args: Args): Promise<void> {
  const word = args.shift();
  if (word === undefined) return list(cli, args);
  switch (pick(word, COMMANDS)) {
    case "list":
      return list(cli, args);
    case "add":
      return modify(cli, args, "add");
    case "delete":
      return modify(cli, args, "del");
    case "flush":
      if (!args.done) throw new CliError('"nlkit addrlabel flush" does not allow extra arguments');
      await (await cli.rtnl()).addrlabel.flush();
      return;
    case "help":
      throw new UsageError(ADDRLABEL_USAGE);
    default:
      throw new UsageError(`Command "${word}" is unknown, try "nlkit addrlabel help".`);
  }
}

/** ip reads prefix, dev and label, and passes over any other word. */
async function modify(cli: Cli, args: Args, verb: "add" | "del"): Promise<void> {
  let prefix: string | undefined;
  let dev: string | undefined;
  let label: number | undefined;
  for (let w = args.shift(); w !== undefined; w = args.shift()) {
    if (w === "prefix") {
      prefix = args.value();
      prefixArg(prefix, cli.opts.family);
    } else if (w === "dev") dev = args.value();
    else if (w === "label") {
      const v = args.value();
      if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(v)) invalidArg(v, "label is invalid\n");
      label = parseUnsigned(v, "label");
      if (label === 0xffffffff) invalidArg(v, "label is invalid\n");
    }
  }
  if (prefix === undefined) throw new CliError('Not enough information: "prefix" argument is required.');
  if (label === undefined) throw new CliError('Not enough information: "label" argument is required.');
  const spec = { prefix, label, ...(dev !== undefined ? { dev } : {}) };
  try {
    await cli.change((v) => (verb === "add" ? v.addrlabel.add(spec) : v.addrlabel.del(spec)));
  } catch (e) {
    // ip looks the device up while reading the words, and calls a missing one invalid input
    if (dev !== undefined && e instanceof NetlinkError && e.errno === ENODEV && /^Cannot find device/.test(e.extack.message ?? "")) {
      invalidArg(dev, "dev is invalid\n");
    }
    throw e;
  }
}

async function list(cli: Cli, args: Args): Promise<void> {
  if (!args.done) throw new CliError('"nlkit addrlabel show" does not take any arguments.');
  const rt = await cli.rtnl();
  const { addrlabelToIpJson } = await import("../rtnl/json/addrlabel.js");
  const records = (await rt.addrlabel.list()).map(addrlabelToIpJson);
  if (cli.opts.json) return cli.writeJson(records);
  cli.write(records.map((r) => addrlabelText(r) + "\n").join(""));
}
