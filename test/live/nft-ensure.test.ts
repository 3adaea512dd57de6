import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, expect, it } from "vitest";
import { NlkitInputError } from "../../src/netlink/errors.js";
import { Nft } from "../../src/nft/index.js";
import { describeLive, TestNamespaces } from "../helpers/live.js";

const nftCmd = (ns: string, args: string[], input?: string) =>
  execFileSync("ip", ["netns", "exec", ns, "nft", ...args], { encoding: "utf8", stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"], ...(input !== undefined ? { input } : {}) });

describeLive("nft: masquerade/portForward leave existing chains alone and refuse mixed families", () => {
  const ns = new TestNamespaces("rvn-ensure");
  let rootBefore = "";
  beforeAll(() => { rootBefore = execFileSync("nft", ["list", "ruleset"], { encoding: "utf8" }); });
  afterAll(() => {
    ns.cleanup();
    expect(execFileSync("nft", ["list", "ruleset"], { encoding: "utf8" })).toBe(rootBefore);
  });

  it("masquerade into an existing chain keeps its policy", async () => {
    const n = ns.create("policy");
    nftCmd(n, ["-f", "-"], "table ip nat {\n\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy drop;\n\t}\n}\n");
    const nft = await Nft.open({ netns: n });
    try {
      expect((await nft.masquerade({ saddr: "10.0.0.0/24" })).added).toBe(true);
      expect((await nft.portForward({ dport: 80, to: "10.0.0.2" })).added).toBe(true);
    } finally {
      nft.close();
    }
    const chains = (JSON.parse(nftCmd(n, ["-j", "list", "ruleset"])) as { nftables: Array<Record<string, any>> }).nftables
      .filter((i) => i.chain).map((i) => [i.chain.name, i.chain.policy]);
    expect(chains).toEqual([["postrouting", "drop"], ["prerouting", "accept"]]);
  });
});
