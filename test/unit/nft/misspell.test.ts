import { describe, expect, it } from "vitest";
import type { NftRuleset } from "../../../src/nft/ruleset.js";
import { cacheOf, enoentMessage } from "../../../src/nft/text/enoent.js";
import { fuzzy, stringDistance } from "../../../src/nft/text/misspell.js";
import { NFPROTO, NFT_MSG_NEWCHAIN, NFT_MSG_NEWRULE, NFT_MSG_NEWSET, NFT_MSG_NEWSETELEM, NFT_MSG_NEWTABLE } from "../../../src/nft/types.js";

describe("nft's string distance, quirks included", () => {
  // expected values: nftables 1.0.6 src/misspell.c string_distance() compiled and run on the same pairs
  it.each([
    ["nosuch", "accounting", 8], ["accounting", "nosuch", 8], ["input", "c", 2], ["c", "input", 4], ["nochain", "input", 6],
    ["input", "nochain", 6], ["filter", "filtr", 1], ["kube-proxy", "kube-proxi", 1], ["services", "sevrices", 1], ["ab", "ba", 1],
    ["docker-filter", "docker-nat", 5], ["docker-nat", "docker-filter", 5], ["", "x", 1], ["x", "", 0], ["a", "a", 0],
    ["nat", "nosuch", 5], ["forward", "forwrd", 1], ["KUBE-SERVICES", "KUBE-SERVICE", 1], ["postrouting", "prerouting", 3],
    ["input", "output", 2], ["mychain", "mychian", 1], ["DOCKER-USER", "DOCKER", 4], ["ab", "abc", 1], ["abcdef", "fedcba", 4],
  ] as const)("%s / %s: %d", (a, b, d) => {
    expect(stringDistance(a, b)).toBe(d);
  });

  it("suggests within nft's threshold only, the first closest winning", () => {
    expect(fuzzy("forwrd", ["input", "forward", "output"], (x) => x)).toBe("forward");
    expect(fuzzy("zzzzzz", ["input", "forward"], (x) => x)).toBeUndefined();
    expect(fuzzy("c", ["c", "d"], (x) => x)).toBeUndefined(); // one-character names are never matched
  });
});

describe("nft's words for a name the kernel does not know", () => {
  const rs = {
    tables: [{
      family: "inet", name: "filter", handle: 1, flags: [], chains: [{ name: "forward" }, { name: "input" }],
      sets: [{ name: "blocked", handle: 3 }], maps: [{ name: "portmap", handle: 4 }], objects: [],
    }],
  } as unknown as NftRuleset;
  const inet = NFPROTO.inet;
  const msg = (type: number, attrs: Record<string, unknown>, family: number = inet) => ({ type, family, attrs });

  it("a misspelt table, chain, set or map gets nft's suggestion", () => {
    const cache = cacheOf(rs, []);
    expect(enoentMessage(msg(NFT_MSG_NEWRULE, { table: "filtr", chain: "input" }), cache))
      .toBe("No such file or directory; did you mean table ‘filter’ in family inet?");
    expect(enoentMessage(msg(NFT_MSG_NEWRULE, { table: "filter", chain: "forwrd" }), cache))
      .toBe("No such file or directory; did you mean chain ‘forward’ in table inet ‘filter’?");
    expect(enoentMessage(msg(NFT_MSG_NEWSET, { table: "filter", name: "portmp" }), cache))
      .toBe("No such file or directory; did you mean map ‘portmap’ in table inet ‘filter’?");
    expect(enoentMessage(msg(NFT_MSG_NEWTABLE, { name: "filtre" }), cache)).toBe("No such file or directory; did you mean table ‘filter’ in family inet?");
  });

  it("nothing close, the right chain already, or elements: nft's default words", () => {
    const cache = cacheOf(rs, []);
    expect(enoentMessage(msg(NFT_MSG_NEWRULE, { table: "filter", chain: "input" }), cache)).toBeUndefined();
    expect(enoentMessage(msg(NFT_MSG_NEWRULE, { table: "filter", chain: "zzzzzzzzzz" }), cache)).toBeUndefined();
    expect(enoentMessage(msg(NFT_MSG_NEWSETELEM, { table: "filter", set: "blockd" }), cache)).toBeUndefined();
  });

  it("what the transaction itself declares is in nft's cache too", () => {
    const cache = cacheOf(rs, [msg(NFT_MSG_NEWTABLE, { name: "mine" }, NFPROTO.ip), msg(NFT_MSG_NEWCHAIN, { table: "mine", name: "ingress-x" }, NFPROTO.ip)]);
    expect(enoentMessage(msg(NFT_MSG_NEWRULE, { table: "mine", chain: "ingres-x" }, NFPROTO.ip), cache))
      .toBe("No such file or directory; did you mean chain ‘ingress-x’ in table ip ‘mine’?");
  });
});
