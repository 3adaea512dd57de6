// `nlkit -batch FILE`: one process, one netlink socket, every line a command as ip -batch reads it.
//
// With -force every line runs whatever the others did, so consecutive route/address changes are
// queued in one rtnetlink batch (a few sends instead of one round trip each) and each failure is
// still reported against its own line. Without -force ip stops at the first failing line; the
// kernel cannot stop half way through a batch, so there each line is one request and nothing after
// the failing line is sent.
import * as fs from "node:fs";
import { Cli, type GlobalOptions } from "./context.js";
import { pick, UsageError } from "./grammar.js";
import { objectName, runCommand } from "./main.js";
import { describeError, reportError } from "./report.js";

/** The commands of each object, in that object's order, whose requests can share a batch. */
const BATCHABLE: Partial<Record<string, { table: ReadonlyArray<string | readonly [string, ...string[]]>; changes: ReadonlySet<string> }>> = {
  route: {
    table: ["add", ["change", "chg"], "replace", "prepend", "append", "test", ["delete", "del"], ["show", "list", "lst"], "flush", "get"],
    changes: new Set(["add", "change", "replace", "prepend", "append", "delete"]),
  },
  address: {
    table: ["add", ["change", "chg"], "replace", ["delete", "del"], ["show", "list", "lst"], "flush"],
    changes: new Set(["add", "change", "replace", "delete"]),
  },
};

export function isBatchable(words: readonly string[]): boolean {
  const b = BATCHABLE[objectName(words[0]) ?? ""];
  const cmd = b && pick(words[1], b.table);
  return !!cmd && b!.changes.has(cmd);
}

/** Splits a batch file into commands the way ip's getcmdline/makeargs do: '#' comments, quotes, '\' continuations. */
export function* batchLines(text: string): Generator<{ line: number; words: string[] }> {
  const physical = text.split("\n");
  let pending = "";
  for (let n = 0; n < physical.length; n++) {
    let l = physical[n]!;
    const hash = l.indexOf("#");
    if (hash >= 0) l = l.slice(0, hash);
    if (/\\\s*$/.test(l)) {
      pending += l.replace(/\\\s*$/, " ");
      continue;
    }
    const words = splitWords(pending + l);
    pending = "";
    if (words.length) yield { line: n + 1, words };
  }
}

function splitWords(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && " \t\r\n".includes(line[i]!)) i++;
    if (i >= line.length) break;
    const c = line[i]!;
    if (c === '"' || c === "'") {
      const end = line.indexOf(c, i + 1);
      if (end < 0) throw new UsageError("Unterminated quoted string");
      words.push(line.slice(i + 1, end));
      i = end + 1;
    } else {
      let j = i;
      while (j < line.length && !" \t\r\n".includes(line[j]!)) j++;
      words.push(line.slice(i, j));
      i = j;
    }
  }
  return words;
}

export async function runBatch(opts: GlobalOptions, file: string): Promise<number> {
  let text: string;
  try {
    text = fs.readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    process.stderr.write(`Cannot open file "${file}" for reading: ${errText(err)}\n`);
    return 1;
  }
  const cli = new Cli(opts);
  let failed = false;
  const failedAt = (line: number, e: unknown): number => {
    const code = reportError(e);
    if (code !== 255) process.stderr.write(`Command failed ${file}:${line}\n`);
    failed = true;
    return code;
  };
  // sends the queued changes and reports each failure against its line
  const flush = async (): Promise<void> => {
    const q = cli.queue;
    cli.queue = undefined;
    if (!q) return;
    await q.batch.send();
    for (const c of q.changes) {
      try {
        await c.promise;
      } catch (e) {
        failedAt(c.line, e);
      }
    }
  };
  try {
    for (const { line, words } of batchLines(text)) {
      if (opts.force && isBatchable(words)) {
        if (!cli.queue) cli.queue = { batch: (await cli.rtnl()).batch(), changes: [] };
      } else {
        await flush();
      }
      cli.line = line;
      try {
        const status = await runCommand(cli, words);
        if (status !== 0) {
          process.stderr.write(`Command failed ${file}:${line}\n`);
          failed = true;
          if (!opts.force) return 1;
        }
      } catch (e) {
        // ip leaves at once on a line it cannot parse, -force or not
        if (describeError(e).exitCode === 255) {
          await flush();
          return reportError(e);
        }
        failedAt(line, e);
        if (!opts.force) return 1;
      }
    }
    await flush();
    return failed ? 1 : 0;
  } catch (e) {
    return reportError(e);
  } finally {
    cli.close();
  }
}

function errText(e: NodeJS.ErrnoException): string {
  const texts: Record<string, string> = { ENOENT: "No such file or directory", EACCES: "Permission denied", EISDIR: "Is a directory" };
  return texts[e.code ?? ""] ?? e.message;
}
