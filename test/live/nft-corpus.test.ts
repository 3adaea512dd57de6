import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { NetlinkError, NlkitInputError } from "../../src/netlink/errors.js";
import { Nft } from "../../src/nft/index.js";
import { describeLive, hasCommand, TestNamespaces } from "../helpers/live.js";

// The corpus of realistic rulesets against the nft tool: loaded with `nft -f`, nlkit must list
// it as `nft list ruleset` does and count what `nft -j` counts; applied by nlkit to another
// namespace, nft must list the same; nlkit's own listing, applied to an empty namespace, must
// recreate it; and a bad line anywhere must leave the kernel as it was.
const CORPUS = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "golden", "nft-corpus");
const files = readdirSync(CORPUS).filter((f) => f.endsWith(".nft")).sort();

const nft = (ns: string, args: string[]) =>
  execFileSync("ip", ["netns", "exec", ns, "nft", ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
/** Element expiry counts down between two listings; everything else must be identical. */
const stable = (text: string) => text.replace(/ expires \S+/g, " expires …").split("\n");

describeLive("nft corpus: nlkit and nft agree on every ruleset, both ways", () => {
  const ns = new TestNamespaces("nft-corpus");
  let a = "", b = "";
  let na: Nft, nb: Nft;
  let rootBefore = "";
  beforeAll(async () => {
    if (!hasCommand("nft")) throw new Error("nft is needed as the oracle");
    rootBefore = execFileSync("nft", ["list", "ruleset"], { encoding: "utf8" });
    a = ns.create("a");
    b = ns.create("b");
    for (const n of [a, b]) execFileSync("ip", ["-n", n, "link", "add", "veth0", "type", "veth", "peer", "name", "veth1"]);
    na = await Nft.open({ netns: a });
    nb = await Nft.open({ netns: b });
  });
  afterAll(() => {
    na?.close();
    nb?.close();
    ns.cleanup();
    expect(execFileSync("nft", ["list", "ruleset"], { encoding: "utf8" })).toBe(rootBefore);
  });

  it(`has at least 12 rulesets (${files.length})`, () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
  });

  for (const f of files) {
    it(f, async () => {
      const text = readFileSync(join(CORPUS, f), "utf8");
      nft(a, ["flush", "ruleset"]);
      nft(b, ["flush", "ruleset"]);
      execFileSync("ip", ["netns", "exec", a, "nft", "-f", join(CORPUS, f)]);
      const listed = nft(a, ["list", "ruleset"]);

      // reading: text and structure
      expect(stable(await na.renderRuleset())).toEqual(stable(listed));
      const items = (JSON.parse(nft(a, ["-j", "list", "ruleset"])) as { nftables: Array<Record<string, any>> }).nftables;
      const rs = await na.ruleset();
      const count = (k: string) => items.filter((i) => i[k]).length;
      expect(rs.tables.length).toBe(count("table"));
      expect(rs.tables.flatMap((t) => t.chains).length).toBe(count("chain"));
      expect(rs.tables.flatMap((t) => t.chains.flatMap((c) => c.rules)).length).toBe(count("rule"));
      expect(rs.tables.flatMap((t) => t.sets).length).toBe(count("set"));
      expect(rs.tables.flatMap((t) => t.maps).length).toBe(count("map"));
      for (const k of ["counter", "quota", "limit", "ct helper"]) expect(rs.tables.flatMap((t) => t.objects).filter((o) => o.type === k).length, k).toBe(count(k));
      expect(() => JSON.stringify(rs)).not.toThrow();

      // writing: the file itself, then nlkit's own listing on an empty namespace
      await nb.apply(text, { filename: f });
      expect(stable(nft(b, ["list", "ruleset"]))).toEqual(stable(listed));
      nft(b, ["flush", "ruleset"]);
      await nb.apply(await na.renderRuleset());
      expect(stable(nft(b, ["list", "ruleset"]))).toEqual(stable(listed));
    });
  }

  it("renderTable is nft list table", async () => {
    nft(a, ["flush", "ruleset"]);
    execFileSync("ip", ["netns", "exec", a, "nft", "-f", join(CORPUS, "09-nat.nft")]);
    for (const [family, name] of [["ip", "nat"], ["ip6", "nat6"], ["inet", "nat46"]] as const) {
      expect(await na.renderTable(family, name)).toBe(nft(a, ["list", "table", family, name]));
    }
    await expect(na.renderTable("ip", "nosuch")).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("a bad line in the middle changes nothing: syntax, type and kernel errors", async () => {
    nft(b, ["flush", "ruleset"]);
    execFileSync("ip", ["netns", "exec", b, "nft", "-f", join(CORPUS, "03-docker.nft")]);
    const before = nft(b, ["list", "ruleset"]);
    const lines = readFileSync(join(CORPUS, "01-kube-proxy.nft"), "utf8").split("\n");
    const mid = lines.findIndex((l) => l.includes("chain services {")) + 1;
    const withLine = (bad: string) => [...lines.slice(0, mid), bad, ...lines.slice(mid)].join("\n");

    const syntax = await nb.apply(withLine("\t\tip daddr 10.0.0.1 tcp dport 80 ,"), { filename: "kube.nft" }).catch((e: unknown) => e);
    expect(syntax).toBeInstanceOf(NlkitInputError);
    expect((syntax as Error).message).toMatch(new RegExp(`^kube\\.nft:${mid + 1}:\\d+-\\d+: Error: syntax error`));
    const typed = await nb.apply(withLine("\t\tip daddr 10.0.0.999 drop"), { filename: "kube.nft" }).catch((e: unknown) => e);
    expect(typed).toBeInstanceOf(NlkitInputError);
    expect((typed as { location: { line: number } }).location.line).toBe(mid + 1);

    // the kernel refuses a jump to a chain that does not exist: the whole file is rolled back
    const kernel = await nb.apply(withLine("\t\tjump no-such-chain"), { filename: "kube.nft" }).catch((e: unknown) => e);
    expect(kernel).toBeInstanceOf(NetlinkError);
    expect((kernel as NetlinkError).code).toBe("ENOENT");
    // worded and pointed at as nft does (the chain's name), the library's detail after it
    expect((kernel as Error).message.split("\n")[0]).toMatch(new RegExp(`^kube\\.nft:${mid + 1}:8-20: Error: Could not process rule: No such file or directory \\(ENOENT`));
    expect((kernel as Error).message.split("\n").slice(1)).toEqual(["\t\tjump no-such-chain", "\t\t     ^^^^^^^^^^^^^"]);
    expect(nft(b, ["list", "ruleset"])).toBe(before);
  });

  it("a transaction too large for one datagram is refused before anything is sent", async () => {
    const before = nft(b, ["list", "ruleset"]);
    const rules = Array.from({ length: 200 }, (_, i) => `add rule ip docker-filter DOCKER-USER tcp dport ${1000 + i} accept`).join("\n");
    await expect(nb.apply(rules, { maxBytes: 4096 })).rejects.toMatchObject({ code: "EMSGSIZE" });
    expect(nft(b, ["list", "ruleset"])).toBe(before);
    // within the limit, a big one goes through as one transaction (several hundred KB: the send buffer grows)
    const many = Array.from({ length: 3000 }, (_, i) => `add rule ip docker-filter DOCKER-USER ip saddr 10.${i >> 8}.${i & 255}.1 tcp dport ${1000 + (i % 5000)} counter accept`).join("\n");
    const r = await nb.apply(many);
    expect(r.messages).toBe(3000);
    expect((await nb.ruleset({ family: "ip" })).tables.find((t) => t.name === "docker-filter")!.chains.find((c) => c.name === "DOCKER-USER")!.rules.length).toBe(3001);
  });
});
