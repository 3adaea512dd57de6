import { describe, expect, it } from "vitest";
import { NlkitInputError } from "../../../src/netlink/errors.js";
import { ruleToIpJson } from "../../../src/rtnl/json/rule.js";
import { RuleApi, decodeRule, type RuleSpec } from "../../../src/rtnl/rule/verbs.js";
import { hexdiff, loadGolden, normalizeNl, splitNl } from "../../helpers/golden.js";
import { captureRtnl } from "../../helpers/rtnl-capture.js";

type Call = ["add" | "del", RuleSpec];
const cases: Record<string, Call> = {
  "rtnl/rule-add-from": ["add", { from: "10.0.0.0/8", table: 100, priority: 1000 }],
  "rtnl/rule-add-to": ["add", { to: "192.0.2.0/24", table: 100 }],
  "rtnl/rule-add-fwmark": ["add", { fwmark: 0x1, fwmask: 0xff, table: 100 }],
  "rtnl/rule-add-iif-oif": ["add", { iif: "veth0", oif: "veth1", table: 100 }],
  "rtnl/rule-add-blackhole": ["add", { from: "10.9.0.0/16", action: "blackhole" }],
  "rtnl/rule-add-unreachable": ["add", { from: "10.8.0.0/16", action: "unreachable" }],
  "rtnl/rule-add-v6": ["add", { family: 6, from: "2001:db8::/32", table: 100, priority: 2000 }],
  "rtnl/rule-del": ["del", { from: "10.0.0.0/8", table: 100, priority: 1000 }],
  "rtnl/rule-del-missing": ["del", { from: "10.0.0.0/8", table: 100, priority: 1000 }],
};

describe("rule requests == iproute2's bytes", () => {
  for (const [name, [verb, spec]] of Object.entries(cases)) {
    it(`${name}: ${loadGolden(name).command}`, async () => {
      const want = loadGolden(name).requests.at(-1)!;
      const { ctx, exec, sent } = captureRtnl();
      await new RuleApi(ctx, exec)[verb](spec);
      expect(sent).toHaveLength(1);
      expect(hexdiff(normalizeNl(want), normalizeNl(sent[0]!.bytes))).toBe("");
    });
  }

  it("defaults like `ip rule add from 10.0.0.0/8` (table main) and table > 255 in FRA_TABLE (bytes from ip under strace)", async () => {
    const { ctx, exec, sent } = captureRtnl();
    const api = new RuleApi(ctx, exec);
    await api.add({ from: "10.0.0.0/8" });
    await api.add({ from: "10.0.0.0/8", to: "10.1.0.0/16", table: 1000, fwmark: 5, iif: "lo", sport: [10, 20], ipProto: "tcp" });
    expect(sent[0]!.bytes.subarray(16).toString("hex")).toBe("020008" + "00fe00000100000000" + "080002000a000000");
    // ip writes them in argument order; nlkit in its fixed order (same attributes, same values)
    const attrs = (b: Buffer) => {
      const out: string[] = [];
      for (let off = 28; off < b.length; off += (b.readUInt16LE(off) + 3) & ~3) out.push(b.subarray(off, off + b.readUInt16LE(off)).toString("hex"));
      return out.sort();
    };
    const ip = Buffer.from("540000002000050656830a6b00000000021008000000000100000000080002000a000000080001000a01000008000f00e803000008000a0005000000070003006c6f0000080017000a0014000500160006000000", "hex");
    expect(hexdiff(normalizeNl(ip).subarray(0, 28), normalizeNl(sent[1]!.bytes).subarray(0, 28))).toBe("");
    expect(attrs(sent[1]!.bytes)).toEqual(attrs(ip));
  });

  it("rtnl/rule-show-json: the dump request", async () => {
    const { ctx, exec, sent } = captureRtnl();
    await new RuleApi(ctx, exec).list({ family: 4 });
    expect(hexdiff(normalizeNl(loadGolden("rtnl/rule-show-json").requests[0]!), normalizeNl(sent[0]!.bytes))).toBe("");
  });
});

describe("rule input is checked before anything is sent", () => {
  const bad: Array<[string, RuleSpec, string]> = [
    ["bad prefix", { from: "10.0.0.0/40" }, "from"],
    ["family mismatch", { from: "10.0.0.0/8", to: "2001:db8::/32" }, "to"],
    ["unknown table", { from: "10.0.0.0/8", table: "mian" as "main" }, "table"],
    ["unknown action", { action: "explode" as "nop" }, "action"],
    ["fwmask without fwmark", { fwmask: 0xff }, "fwmask"],
    ["bad iif name", { iif: "a/b" }, "iif"],
    ["reversed port range", { dport: [20, 10] }, "dport"],
    ["goto without target", { action: "goto" }, "goto"],
    ["uidRange not a pair", { uidRange: 1000 as unknown as [number, number] }, "uidRange"],
  ];
  for (const [what, spec, field] of bad) {
    it(what, async () => {
      const { ctx, exec, sent } = captureRtnl();
      const err = await new RuleApi(ctx, exec).add(spec).catch((e: unknown) => e) as NlkitInputError;
      expect(err).toBeInstanceOf(NlkitInputError);
      expect(err.field).toBe(field);
      expect(sent).toHaveLength(0);
    });
  }
});

describe("rule replies decode to what ip -j printed", () => {
  for (const name of ["dump/rule-show", "rtnl/rule-show-json"]) {
    it(name, () => {
      const g = loadGolden(name);
      const rules = g.replies.flatMap((d) => splitNl(d)).map((m) => decodeRule(m, 0, m.length)).filter((r) => r !== undefined);
      expect(rules.map((r) => ruleToIpJson(r))).toEqual(g.json);
    });
  }
});
