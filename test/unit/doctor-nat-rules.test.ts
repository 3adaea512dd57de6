// The nat rule evaluator against the expressions nft itself generates (built with nlkit's nftExpr
// builders, which golden tests hold to nft's bytes).
import { describe, expect, it } from "vitest";
import { evaluateRule, findSourceNat, type PacketView } from "../../src/doctor/index.js";
import * as x from "../../src/nft/build.js";
import type { Expr } from "../../src/nft/expr/index.js";
import type { NftRuleset } from "../../src/nft/ruleset.js";

const pkt: PacketView = { family: 4, saddr: "10.0.0.1", daddr: "198.51.100.1", oifname: "eth0", iifname: "br0", l4proto: 1 };
const rule = (...parts: (Expr | Expr[])[]) => x.flattenExprs(parts);

describe("doctor: which nat rule rewrites a packet's source", () => {
  it("ip saddr 10.0.0.0/24 oifname != br0 masquerade: matches out eth0, not out br0, not another subnet", () => {
    const r = rule(x.ipSaddr("10.0.0.0/24"), x.oifname("br0", "neq"), x.masquerade());
    expect(evaluateRule(r, pkt)).toEqual({ match: "yes", action: "masquerade" });
    expect(evaluateRule(r, { ...pkt, oifname: "br0" })).toEqual({ match: "no" });
    expect(evaluateRule(r, { ...pkt, saddr: "10.0.1.1" })).toEqual({ match: "no" });
  });

  it("a host address without mask, an oifname prefix, snat, and an inet table's nfproto", () => {
    expect(evaluateRule(rule(x.ipSaddr("10.0.0.1"), x.masquerade()), pkt).match).toBe("yes");
    expect(evaluateRule(rule(x.ipSaddr("10.0.0.2"), x.masquerade()), pkt).match).toBe("no");
    expect(evaluateRule(rule(x.nfproto("ipv4"), x.ipSaddr("10.0.0.0/8"), x.oifname("eth0"), x.snat("198.51.100.2")), pkt))
      .toEqual({ match: "yes", action: "snat" });
    expect(evaluateRule(rule(x.nfproto("ipv6"), x.masquerade()), pkt).match).toBe("no");
  });

  it("fields it cannot judge make it a maybe; a verdict or dnat is not source NAT", () => {
    expect(evaluateRule(rule(x.ct("mark"), x.cmp("eq", Buffer.from([0, 0, 0, 1])), x.masquerade()), pkt).match).toBe("maybe");
    expect(evaluateRule(rule(x.ipSaddr("10.0.0.0/24"), x.accept()), pkt).match).toBe("no");
    expect(evaluateRule(rule(x.ipSaddr("10.0.0.0/24"), x.dnat("10.0.0.2")), pkt).match).toBe("no");
    expect(evaluateRule(rule(x.ipSaddr("10.0.0.0/24")), pkt).match).toBe("no");
  });

  it("findSourceNat looks only at nat postrouting chains of the packet's family", () => {
    const masq = rule(x.ipSaddr("10.0.0.0/24"), x.masquerade());
    const chain = (name: string, type: string, hook: string, family: "ip" | "ip6" | "inet") => ({
      family, table: "t", name, handle: 1, type, hook, flags: 0,
      rules: [{ family, table: "t", chain: name, handle: 7, expressions: masq, text: "ip saddr 10.0.0.0/24 masquerade" }],
    });
    const rs = (family: "ip" | "ip6" | "inet", ...chains: ReturnType<typeof chain>[]): NftRuleset =>
      ({ tables: [{ family, name: "t", handle: 1, flags: [], sets: [], maps: [], objects: [], chains }] });
    expect(findSourceNat(rs("ip", chain("pre", "nat", "prerouting", "ip")), pkt)).toBeUndefined();
    expect(findSourceNat(rs("ip", chain("f", "filter", "postrouting", "ip")), pkt)).toBeUndefined();
    expect(findSourceNat(rs("ip6", chain("p", "nat", "postrouting", "ip6")), pkt)).toBeUndefined();
    expect(findSourceNat(rs("inet", chain("p", "nat", "postrouting", "inet")), pkt)?.rule.handle).toBe(7);
  });
});
