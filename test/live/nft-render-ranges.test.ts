import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Nft } from "../../src/nft/index.js";
import { describeLive, hasCommand, TestNamespaces } from "../helpers/live.js";

const nftCmd = (ns: string, args: string[], input?: string) =>
  execFileSync("ip", ["netns", "exec", ns, "nft", ...args], {
    encoding: "utf8", stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"], ...(input !== undefined ? { input } : {}),
  });

// Loaded by nft itself, so nlkit decodes nft's own encoding (ranges as cmp gte + cmp lte, or a
// range expression when negated) and must print the same text.
const RULESET = `
table ip t4 {
	set timed { type ipv4_addr; flags timeout; timeout 1m; gc-interval 1h30m; size 10; }
	set dyn { type ipv4_addr; size 65535; flags dynamic,timeout; timeout 1m; }
	set ports { type inet_service; size 128; }
	set nets { type ipv4_addr; flags constant,interval; elements = { 10.0.0.0/8 } }
	chain c {
		tcp dport 1000-2000 accept
		tcp dport != 1000-2000 drop
		tcp dport >= 1000 tcp dport <= 2000 accept
		udp sport 1-1023 drop
		ip saddr 10.0.0.1-10.0.0.9 drop
		ip daddr != 10.0.0.0-10.0.0.200 accept
		tcp sport >= 1024 accept
		reject
		reject with icmp host-unreachable
		reject with icmp admin-prohibited
		ip protocol tcp reject with tcp reset
		tcp dport 22 reject with tcp reset
	}
}
table ip6 t6 {
	chain c {
		tcp dport 1000-2000 accept
		ip6 saddr 2001:db8::1-2001:db8::9 drop
		reject
		reject with icmpv6 admin-prohibited
		reject with icmpv6 port-unreachable
		reject with tcp reset
	}
}
table inet ti {
	chain c {
		tcp dport 1000-2000 accept
		reject with icmpx admin-prohibited
		reject with tcp reset
		ip protocol tcp reject with icmp port-unreachable
		reject
		meta nfproto ipv6 reject with icmpv6 admin-prohibited
		reject with icmpx host-unreachable
		ip protocol udp reject with icmp host-prohibited
	}
}
`;

describeLive("nft: ranges, rejects and set declarations print as nft lists them", () => {
  const ns = new TestNamespaces("nfx-render");
  let a = "";
  beforeAll(() => {
    if (!hasCommand("nft")) throw new Error("nft is needed as the oracle");
    a = ns.create("a");
    nftCmd(a, ["-f", "-"], RULESET);
  });
  afterAll(() => ns.cleanup());

  it("renderRuleset matches nft list ruleset line by line", async () => {
    const nft = await Nft.open({ netns: a });
    try {
      const want = nftCmd(a, ["list", "ruleset"]).split("\n");
      const got = (await nft.renderRuleset()).split("\n");
      // the lines this test is about are really there
      expect(want).toContain("\t\ttcp dport 1000-2000 accept");
      expect(want).toContain("\t\treject with icmpx admin-prohibited");
      expect(want).toContain("\t\tflags dynamic,timeout");
      expect(got).toEqual(want);
    } finally { nft.close(); }
  });
});
