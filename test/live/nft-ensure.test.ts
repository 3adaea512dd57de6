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

  it("an address of the other family is refused before anything is sent", async () => {
    const n = ns.create("family");
    const nft = await Nft.open({ netns: n });
    try {
      const calls = [
        () => nft.masquerade({ saddr: "2001:db8::/64", family: "ip" }),
        () => nft.masquerade({ saddr: "10.0.0.0/24", family: "ip6" }),
        () => nft.portForward({ dport: 80, to: "[2001:db8::2]:80" }),
        () => nft.portForward({ dport: 80, to: "10.0.0.2", daddr: "2001:db8::1" }),
        () => nft.portForward({ dport: 80, to: "10.0.0.2", daddr: "2001:db8::1", family: "inet" }),
      ];
      for (const call of calls) await expect(call()).rejects.toBeInstanceOf(NlkitInputError);
    } finally {
      nft.close();
    }
    expect(nftCmd(n, ["list", "ruleset"])).toBe("");
  });

  it("portForward in an inet table matches the rule nft writes for the same text", async () => {
    const n = ns.create("inet");
    nftCmd(n, ["-f", "-"], "table inet nat {\n\tchain prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n" +
      "\t\tip daddr 192.0.2.1 tcp dport 80 dnat ip to 10.0.0.2:8080\n\t}\n}\n");
    const nft = await Nft.open({ netns: n });
    try {
      const r = await nft.portForward({ family: "inet", dport: 80, daddr: "192.0.2.1", to: "10.0.0.2:8080" });
      expect(r.added).toBe(false);
    } finally {
      nft.close();
    }
  });
});
