// nlkit nft: nft's own commands without the nft binary. `-f FILE` applies a ruleset file as one
// atomic transaction, `list ruleset` and `list table` print nft's text (or, with -j, nlkit's typed
// ruleset()), and any other command line in nft's syntax (add, insert, replace, delete, flush,
// create) is applied as nft applies it. Errors are worded and located as nft words them; like
// nft, every failure exits 1.
import * as fs from "node:fs";
import type { Nft } from "../nft/index.js";
import type { NftFamily } from "../nft/types.js";
import type { Cli } from "./context.js";
import { CliError, UsageError, type Args } from "./grammar.js";

export const NFT_USAGE = `Usage: nlkit [-n NS] nft [ -j ] -f FILE | -f -
       nlkit [-n NS] nft [ -j ] list ruleset [ FAMILY ]
       nlkit [-n NS] nft [ -j ] list table [ FAMILY ] NAME
       nlkit [-n NS] nft flush ruleset [ FAMILY ]
       nlkit [-n NS] nft COMMAND         a command in nft's syntax: add, insert, replace, delete,
                                         flush, create (e.g. nft add rule ip t c tcp dport 22 accept)
FAMILY := { ip | ip6 | inet | arp | bridge | netdev }
-f applies the whole file as one transaction: all of it or nothing.
-j prints nlkit's typed ruleset (Nft.ruleset()) as JSON, not nft -j's format.`;

const FAMILIES: readonly NftFamily[] = ["ip", "ip6", "inet", "arp", "bridge", "netdev"];
const isFamily = (w: string | undefined): w is NftFamily => w !== undefined && (FAMILIES as readonly string[]).includes(w);

/** An nft failure: nft's message as nft prints it, exit status 1 (nft's). */
const NftFailure = CliError;
type NftFailure = CliError;

interface NftOptions { json: boolean; file?: string }

function options(args: Args, cli: Cli): NftOptions {
  const o: NftOptions = { json: cli.opts.json };
  for (let w = args.peek(); w !== undefined && w.startsWith("-"); w = args.peek()) {
    args.shift();
    if (w === "-j" || w === "--json") o.json = true;
    else if (w === "-f" || w === "--file") {
      const f = args.shift();
      if (f === undefined) throw new UsageError(`nlkit nft: option "${w}" requires a file name ("-" for stdin)\n${NFT_USAGE}`);
      o.file = f;
    } else if (w === "-h" || w === "--help") throw new UsageError(NFT_USAGE);
    else throw new UsageError(`nlkit nft: unknown option "${w}"\n${NFT_USAGE}`);
  }
  return o;
}

async function open(cli: Cli): Promise<Nft> {
  const { Nft } = await import("../nft/index.js");
  return Nft.open(cli.netnsRef());
}

/** nft's three-line error for a command given on the command line (no file:line prefix). */
function cmdlineError(line: string, start: number, len: number, message: string): NftFailure {
  return new NftFailure(`Error: ${message}\n${line}\n${" ".repeat(start)}${"^".repeat(Math.max(1, len))}`);
}

/** Library errors that carry nft's wording and location are printed as they are. */
function located(e: unknown, cmdline: boolean): unknown {
  const err = e as { location?: unknown; message?: string } | undefined;
  if (err && typeof err === "object" && err.location !== undefined && typeof err.message === "string") {
    // nft prints no "file:line:col:" before errors in a command given as arguments, and none of
    // the library's "(ENOENT, NFT_MSG_NEWRULE, ...)" detail
    const [first, ...rest] = err.message.split("\n");
    const head = first!.replace(/ \((E[A-Z0-9]+)(, [^)]*)?\)$/, "");
    return new NftFailure([cmdline ? head.replace(/^<cmdline>:\d+:\d+-\d+: /, "") : head, ...rest].join("\n"));
  }
  return e;
}

export async function run(cli: Cli, args: Args): Promise<void> {
  const o = options(args, cli);
  const words = args.rest();
  if (o.file !== undefined) {
    if (words.length) throw new UsageError(`nlkit nft: -f takes no command after the file ("${words.join(" ")}")\n${NFT_USAGE}`);
    return applyFile(cli, o.file);
  }
  if (!words.length) throw new UsageError(NFT_USAGE);
  if (words[0] === "help") throw new UsageError(NFT_USAGE);
  if (words[0] === "list") return list(cli, words, o.json);
  return applyCommand(cli, words);
}

async function applyFile(cli: Cli, file: string): Promise<void> {
  let text: string;
  try {
    text = fs.readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (e) {
    throw new NftFailure(`Error: Could not open file "${file}": ${(e as Error).message.replace(/^[A-Z]+: /, "")}`);
  }
  const nft = await open(cli);
  try {
    await nft.apply(text, { filename: file === "-" ? "/dev/stdin" : file });
  } catch (e) {
    throw located(e, false);
  } finally {
    nft.close();
  }
}

async function applyCommand(cli: Cli, words: string[]): Promise<void> {
  const nft = await open(cli);
  try {
    await nft.apply(words.join(" "), { filename: "<cmdline>" });
  } catch (e) {
    throw located(e, true);
  } finally {
    nft.close();
  }
}

async function list(cli: Cli, words: string[], json: boolean): Promise<void> {
  const line = words.join(" ");
  const what = words[1];
  const nft = await open(cli);
  try {
    if (what === "ruleset") {
      if (words.length > 3 || (words[2] !== undefined && !isFamily(words[2]))) {
        throw cmdlineError(line, line.indexOf(words[2]!, 12), words[2]!.length, "syntax error, unexpected string, expecting end of file or newline or semicolon");
      }
      const family = words[2] as NftFamily | undefined;
      if (json) cli.writeJson(await nft.ruleset(family ? { family } : {}));
      else cli.write(await nft.renderRuleset(family ? { family } : {}));
      return;
    }
    if (what === "table") {
      // nft's "list table NAME" means family ip
      const [family, name] = words.length === 3 ? ["ip" as NftFamily, words[2]] : [words[2], words[3]];
      if (name === undefined || words.length > 4) throw new UsageError(`nlkit nft: list table [ FAMILY ] NAME\n${NFT_USAGE}`);
      if (!isFamily(family)) throw cmdlineError(line, 11, family!.length, `unknown family "${family}"`);
      const rs = await nft.ruleset({ family });
      const t = rs.tables.find((x) => x.name === name);
      if (!t) throw cmdlineError(line, line.length - name.length, name.length, "No such file or directory");
      if (json) cli.writeJson({ tables: [t] });
      else cli.write((await import("../nft/index.js")).renderTable(t));
      return;
    }
    throw new UsageError(`nlkit nft: only "list ruleset" and "list table" are supported\n${NFT_USAGE}`);
  } finally {
    nft.close();
  }
}
