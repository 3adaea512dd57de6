// `nlkit tc ...` given each captured tc command line sends tc's bytes, and prints what tc printed
// from the kernel's captured replies (test/fixtures/golden/tc).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Args } from "../../../src/cli/grammar.js";
import { parseGlobalOptions } from "../../../src/cli/main.js";
import { tcCommand } from "../../../src/cli/tc.js";
import { describeError } from "../../../src/cli/report.js";
import { TcApi } from "../../../src/rtnl/tc/verbs.js";
import { hexdiff, listGolden, loadGolden, normalizeNl } from "../../helpers/golden.js";
import { captureRtnl } from "../../helpers/rtnl-capture.js";
import { commandReplies, commandRequest, fixturePsched, TC_DEVICES } from "../../helpers/tc-golden.js";

/**
 * Runs the fixture's command line through nlkit's tc command on a scripted handle (tc's options
 * become nlkit's global ones); or, given `words`, exactly those words after `nlkit tc`.
 */
async function runLine(name: string, words?: string[]) {
  const g = loadGolden(`tc/${name}`);
  const { ctx, exec, sent } = captureRtnl(TC_DEVICES, g.name.includes("show") ? [commandReplies(g)] : []);
  const tc = new TcApi(ctx, exec, () => fixturePsched(g));
  const argv = words ? ["tc", ...words] : g.command.split(" ").slice(1);
  const { opts, words: rest } = parseGlobalOptions(words ? argv : argv.flatMap((w, i) => (i === argv.findIndex((x) => !x.startsWith("-")) ? ["tc", w] : [w])));
  let text = "";
  await tcCommand(tc, { opts, write: (t) => void (text += t) }, new Args(rest.slice(1)));
  return { g, sent, text };
}

// bpf lines name a pinned path of the capture's own bpffs (the library's bpf requests are
// golden-tested with the fd tc sent, in golden-requests.test.ts)
const requests = listGolden("tc").filter((n) => !n.includes("show") && !n.includes("bpf"));

describe("nlkit tc command lines send tc's bytes", () => {
  it.each(requests)("%s", async (name) => {
    const { g, sent } = await runLine(name);
    expect(sent.length).toBeGreaterThan(0);
    expect(hexdiff(normalizeNl(commandRequest(g)), normalizeNl(sent[sent.length - 1]!.bytes))).toBe("");
  });
});

describe("nlkit tc show prints what tc printed", () => {
  it.each(["qdisc-show-json", "qdisc-show-all-json", "qdisc-show-mq-json", "filter-show-json", "filter-show-egress-json"])("%s (-j)", async (name) => {
    const { g, text } = await runLine(name);
    expect(JSON.parse(text)).toEqual(g.json);
    expect(text).toBe(g.output);
  });

  it.each(["qdisc-show", "filter-show", "filter-show-egress", "class-show"])("%s (text)", async (name) => {
    const { g, text } = await runLine(name);
    expect(text).toBe(g.output);
  });
});

describe("nlkit tc refuses bad lines before sending", () => {
  const bad: Array<[string, string[], RegExp]> = [
    ["an unknown object", ["qdiscs"], /unknown/],
    ["an unknown qdisc kind", ["qdisc", "add", "dev", "va", "root", "choke"], /cannot encode qdisc kind "choke"/],
    ["an unknown tbf word", ["qdisc", "add", "dev", "va", "root", "tbf", "rate", "1mbit", "bogus"], /unknown parameter "bogus"/],
    ["a rate tc would refuse", ["qdisc", "add", "dev", "va", "root", "tbf", "rate", "fast", "burst", "10k", "latency", "1ms"], /rate/],
    ["a filter without a parent", ["filter", "add", "dev", "va", "pref", "1", "u32", "match", "u32", "0", "0"], /Parent is required/],
    ["an htb class without a rate", ["class", "add", "dev", "va", "parent", "1:", "classid", "1:10", "htb"], /"rate" is required/],
  ];
  it.each(bad)("%s", async (_what, words, message) => {
    const { ctx, exec, sent } = captureRtnl(TC_DEVICES);
    const tc = new TcApi(ctx, exec, () => ({ tickInUsec: 1, clockFactor: 1, hz: 1000 } as never));
    const err = await tcCommand(tc, { opts: parseGlobalOptions(["tc"]).opts, write: () => {} }, new Args(words)).then(() => undefined, (e: unknown) => e);
    expect(err).toBeDefined();
    expect(describeError(err).message).toMatch(message);
    expect(describeError(err).internal).toBeUndefined();
    expect(sent).toEqual([]);
  });
});

describe("nlkit tc never fails as an internal error", () => {
  // words of the captured command lines, shuffled and cut, with a few of anyone's
  const vocabulary = [...new Set(listGolden("tc").flatMap((n) => loadGolden(`tc/${n}`).command.split(" ").slice(1)))]
    .filter((w) => !w.startsWith("-") && !w.includes("/tmp/"));
  it("on any line of tc's words", async () => {
    await fc.assert(fc.asyncProperty(
      fc.constantFrom("qdisc", "class", "filter"), fc.constantFrom("add", "replace", "change", "del", "show", "get"),
      fc.array(fc.oneof(fc.constantFrom(...vocabulary), fc.string({ maxLength: 6 })), { maxLength: 14 }),
      async (object, command, rest) => {
        const words = [object, command, "dev", "va", ...rest];
        const { ctx, exec } = captureRtnl(TC_DEVICES);
        const tc = new TcApi(ctx, exec, () => fixturePsched(loadGolden("tc/qdisc-add-tbf")));
        const err = await tcCommand(tc, { opts: parseGlobalOptions(["tc"]).opts, write: () => {} }, new Args(words)).then(() => undefined, (e: unknown) => e);
        if (err !== undefined) expect(describeError(err).internal, `${words.join(" ")}: ${(err as Error).stack}`).toBeUndefined();
      },
    ), { numRuns: 1500 });
  });
});

describe("tc's options after the word tc", () => {
  it("nlkit tc -s -j qdisc show prints what nlkit -s -j tc qdisc show does", async () => {
    const after = await runLine("qdisc-show-json", ["-s", "-j", "qdisc", "show", "dev", "va"]);
    expect(after.text).toBe(after.g.output);
  });

  it("refuses an option tc does not have", async () => {
    await expect(runLine("qdisc-show-json", ["-x", "qdisc", "show"])).rejects.toThrow(/Option "-x" is unknown/);
  });
});
