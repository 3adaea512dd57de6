// nlkit ss's argument rules and text helpers. The states and the dump order each command line
// asks for are what ss 6.1 sent for the same line (strace, once, on this machine).
import { describe, expect, it } from "vitest";
import { Cli, type GlobalOptions } from "../../../src/cli/context.js";
import { Args, UsageError } from "../../../src/cli/grammar.js";
import { msTimer } from "../../../src/cli/print/ss.js";
import { Col, fmtG, SsTable } from "../../../src/cli/print/ss-columns.js";
import { parseSs, run } from "../../../src/cli/ss.js";
import { decodeMessage } from "../../../src/netlink/message.js";
import { ScriptedTransport } from "../../../src/netlink/scripted.js";
import { inetDiagReqDef, unixDiagReqDef } from "../../../src/sockdiag/table.js";
import { SockDiag } from "../../../src/sockdiag/verbs.js";

const GLOBALS: GlobalOptions = { json: false, pretty: false, details: false, stats: 0, oneline: false, brief: false, force: false };

/** [family, protocol, states] of every dump `nlkit ss WORDS` sends, in order. */
async function dumps(words: string[]): Promise<Array<[number, number, number]>> {
  const t = new ScriptedTransport(() => undefined);
  const cli = new Cli(GLOBALS, () => {});
  await run(cli, new Args(words), { open: () => SockDiag.open({ transport: t }), env: async (numeric) => ({ numeric, service: () => undefined, cgroupPath: String, ifname: String }) });
  return t.sent.map((r) => {
    const unix = r.payload[0] === 1;
    const h = decodeMessage(r.bytes, 0, r.bytes.length, unix ? unixDiagReqDef : inetDiagReqDef).header;
    return [h.family as number, h.protocol as number, h.states as number];
  });
}

describe("which dumps a command line asks for (as ss 6.1)", () => {
  it.each([
    [["-t"], [[2, 6, 0xb37], [10, 6, 0xb37]]],
    [["-u"], [[2, 17, 0x2], [10, 17, 0x2]]],
    [["-x"], [[1, 0, 0xb37]]],
    [["-tu"], [[2, 17, 0xb37], [10, 17, 0xb37], [2, 6, 0xb37], [10, 6, 0xb37]]],
    [["-6t"], [[10, 6, 0xb37]]],
    [["-ul"], [[2, 17, 0x480], [10, 17, 0x480]]],
    [["-t", "state", "listening", "state", "time-wait"], [[2, 6, 0x440], [10, 6, 0x440]]],
    [["-t", "exclude", "listening"], [[2, 6, 0xbff], [10, 6, 0xbff]]],
    [["-xl"], [[1, 0, 0x480]]],
    [["-4"], [[2, 17, 0xb37], [2, 6, 0xb37]]],
    [["-a"], [[1, 0, 0xfff], [2, 17, 0xfff], [10, 17, 0xfff], [2, 6, 0xfff], [10, 6, 0xfff]]],
  ] as Array<[string[], Array<[number, number, number]>]>)("ss %j", async (words, expected) => {
    expect(await dumps(words)).toEqual(expected);
  });
});

describe("parseSs", () => {
  it("reads option clusters, long options, nlkit's global -4/-6/-j and the filter", () => {
    const c = parseSs(["-tan", "--extended", "sport", "=", ":22", "and", "dst", "10.0.0.0/8"], { json: true });
    expect([...c.dbs]).toEqual(["tcp"]);
    expect(c).toMatchObject({ states: 0xfff, numeric: true, json: true, show: { details: true, timers: true, info: false }, conds: { sport: 22, dst: "10.0.0.0/8" } });
    expect([...parseSs(["-t"], { family: 6 }).families]).toEqual([6]);
    expect(parseSs(["-tn", "dport", "eq", "443"]).conds).toEqual({ dport: 443 });
  });

  it("refuses what it does not know, with ss's words", () => {
    expect(() => parseSs(["-z"])).toThrow(UsageError);
    expect(() => parseSs(["--bogus"])).toThrow(/unrecognized option '--bogus'/);
    expect(() => parseSs(["-t", "state", "sleeping"])).toThrow(/unknown socket state "sleeping"/);
    expect(() => parseSs(["-t", "sport", "=", ":99999"])).toThrow(/not a port/);
    expect(() => parseSs(["-tn", "sport", "=", ":http"])).toThrow(/not a port/);
    expect(() => parseSs(["-t", "or", "x"])).toThrow(/unsupported filter word "or"/);
    expect(() => parseSs(["-t", "sport", ":1", "sport", ":2"])).toThrow(/given twice/);
  });
});

describe("text helpers", () => {
  it("fmtG is C's %g", () => {
    const cases: Array<[number, number, string]> = [
      [0.075, 6, "0.075"], [204, 6, "204"], [4.605, 6, "4.605"], [2.88671875, 6, "2.88672"], [1e-5, 6, "1e-05"], [1234567, 6, "1.23457e+06"],
      [123456, 6, "123456"], [0.0001, 6, "0.0001"], [1.09226667, 3, "1.09"], [999.5, 3, "1e+03"], [0, 6, "0"], [100, 3, "100"],
    ];
    for (const [v, p, s] of cases) expect(fmtG(v, p), `${v} %.${p}g`).toBe(s);
  });

  it("msTimer is ss's print_ms_timer", () => {
    expect([776, 1500, 12000, 61000, 600500, 0].map(msTimer)).toEqual(["776ms", "1.500ms", "12sec", "1min1sec", "10min", ""]);
  });

  it("a terminal's spare width goes to the columns, wrapping what does not fit", () => {
    const table = new SsTable([Col.Netid]);
    table.header();
    table.row({ [Col.State]: "LISTEN", [Col.RecvQ]: "0     ", [Col.SendQ]: "128   ", [Col.Addr]: "0.0.0.0:", [Col.Serv]: "22", [Col.RAddr]: "0.0.0.0:", [Col.RServ]: "*" });
    const lines = table.render(100).split("\n");
    expect(lines[0]).toHaveLength(100);
    expect(lines[1]!.trimEnd()).toMatch(/^LISTEN +0 +128 +0\.0\.0\.0:22 +0\.0\.0\.0:\*$/);
    // too narrow: the terminal wraps each row, and every wrapped line is filled to the edge
    const narrow = table.render(40).split("\n").filter(Boolean);
    expect(narrow.map((l) => l.length % 40)).toEqual([0, 0]);
    expect(narrow[0]!.length).toBeGreaterThan(40);
  });
});
