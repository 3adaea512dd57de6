import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeLive, hasCommand, TestNamespaces } from "../helpers/live.js";
import { nlkit } from "../helpers/nlkit-cli.js";

// `nlkit nft` next to nft itself: the same files and command lines, the same listings, the same
// error text and exit status.
const CORPUS = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "golden", "nft-corpus");

function nft(ns: string, args: string[], input?: string) {
  const r = spawnSync("ip", ["netns", "exec", ns, "nft", ...args], { encoding: "utf8", input: input ?? "" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describeLive("nlkit nft: files, listings and commands as nft runs them", () => {
  const ns = new TestNamespaces("nft-cli");
  let a = "";
  beforeAll(() => {
    if (!hasCommand("nft")) throw new Error("nft is needed as the oracle");
    a = ns.create("a");
  });
  afterAll(() => ns.cleanup());

  it("-f FILE loads a ruleset; list ruleset, list table and -j read it back", () => {
    const file = join(CORPUS, "01-kube-proxy.nft");
    expect(nlkit(["-n", a, "nft", "-f", file])).toMatchObject({ code: 0, stdout: "", stderr: "" });
    const listed = nft(a, ["list", "ruleset"]).stdout;
    expect(listed).toContain("vmap @service-ips");
    expect(nlkit(["-n", a, "nft", "list", "ruleset"])).toMatchObject({ code: 0, stdout: listed });
    expect(nlkit(["-n", a, "nft", "list", "table", "ip", "kube-proxy"]).stdout).toBe(nft(a, ["list", "table", "ip", "kube-proxy"]).stdout);
    const j = nlkit(["-n", a, "nft", "-j", "list", "ruleset"]);
    expect(j.code).toBe(0);
    const rs = JSON.parse(j.stdout) as { tables: Array<{ name: string; maps: unknown[]; sets: unknown[] }> };
    const items = (JSON.parse(nft(a, ["-j", "list", "ruleset"]).stdout) as { nftables: Array<Record<string, any>> }).nftables;
    expect(rs.tables.reduce((n, t) => n + t.maps.length, 0)).toBe(items.filter((i) => i.map).length);
    expect(rs.tables.reduce((n, t) => n + t.sets.length, 0)).toBe(items.filter((i) => i.set).length);
  });

  it("flush ruleset, -f - from stdin, and single commands in nft's syntax", () => {
    expect(nlkit(["-n", a, "nft", "flush", "ruleset"]).code).toBe(0);
    expect(nft(a, ["list", "ruleset"]).stdout).toBe("");
    const text = readFileSync(join(CORPUS, "06-objects.nft"), "utf8");
    expect(nlkit(["-n", a, "nft", "-f", "-"], { input: text }).code).toBe(0);
    const b = ns.create("b");
    nft(b, ["-f", "-"], text);
    expect(nft(a, ["list", "ruleset"]).stdout).toBe(nft(b, ["list", "ruleset"]).stdout);
    for (const cmd of [
      ["add", "table", "ip", "x"],
      ["add chain ip x c { type filter hook input priority 0; policy drop; }"],
      ["add", "rule", "ip", "x", "c", "tcp", "dport", "{ 22, 80 }", "counter", "accept"],
      ["insert", "rule", "ip", "x", "c", "iifname", "lo", "accept"],
    ]) {
      expect(nlkit(["-n", a, "nft", ...cmd])).toMatchObject({ code: 0, stderr: "" });
      expect(nft(b, cmd).code).toBe(0);
    }
    expect(nft(a, ["list", "table", "ip", "x"]).stdout).toBe(nft(b, ["list", "table", "ip", "x"]).stdout);
  });

  it("errors: nft's words, location and exit status, and nothing applied", () => {
    const before = nft(a, ["list", "ruleset"]).stdout;
    const bad = "table ip y {\n\tchain c {\n\t\tjump nowhere\n\t}\n}\n";
    for (const [args, input] of [
      [["add", "rule", "ip", "nosuch", "c", "accept"]],
      [["add", "rule", "ip", "x", "nochain", "accept"]],
      [["list", "table", "ip", "nosuch"]],
      [["-f", "-"], bad],
      [["-f", "-"], "table ip y {\n\tchain c {\n\t\ttcp dport 22 counter ,\n\t}\n}\n"],
    ] as Array<[string[], string?]>) {
      const mine = nlkit(["-n", a, "nft", ...args], input === undefined ? {} : { input });
      const theirs = nft(a, args, input);
      expect({ args, code: mine.code, stderr: mine.stderr }).toEqual({ args, code: theirs.code, stderr: theirs.stderr });
    }
    expect(nft(a, ["list", "ruleset"]).stdout).toBe(before);
    expect(nlkit(["-n", a, "nft", "list", "tables"]).code).toBe(255);
    expect(nlkit(["-n", a, "nft", "-f"]).code).toBe(255);
  });
});
