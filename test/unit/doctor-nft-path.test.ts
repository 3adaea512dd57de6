// The doctor's packet walk through nf_tables chains, on the corpus rulesets as nft itself wrote
// them to the kernel (captured dumps): sets, anonymous sets, concatenations, verdict maps, jumps,
// gotos, returns and policies, and what stays a "maybe".
import { describe, expect, it } from "vitest";
import { findSourceNat } from "../../src/doctor/nat-rules.js";
import { walkHook, type Hit } from "../../src/doctor/nft-path.js";
import type { PacketView } from "../../src/doctor/nft-vm.js";
import { corpusRuleset } from "../helpers/nft-corpus.js";

const icmp = (daddr: string, more: Partial<PacketView> = {}): PacketView =>
  ({ family: 4, saddr: "10.0.0.2", daddr, iifname: "veth0", oifname: "eth0", l4proto: 1, icmpType: 8, ...more });
const tcp = (daddr: string, dport: number, more: Partial<PacketView> = {}): PacketView => ({ ...icmp(daddr, more), l4proto: 6, dport, icmpType: undefined, ...more });
const udp = (daddr: string, dport: number): PacketView => ({ ...tcp(daddr, dport), l4proto: 17 });
const brief = (h: Hit | undefined) => h && { verdict: h.verdict, chain: h.chain.name, rule: h.rule?.text, path: h.path, certain: h.certain };

describe("doctor: a packet through the filter chains of a hook", () => {
  const kube = corpusRuleset("01-kube-proxy");
  const fw = corpusRuleset("02-firewalld");

  it("kube-proxy: a service without endpoints is rejected through its verdict map and a goto", () => {
    expect(brief(walkHook(kube, "forward", "filter", tcp("172.30.0.50", 80)).final)).toEqual({
      verdict: "reject", chain: "reject-chain", rule: "reject", certain: true,
      path: ["filter-forward", "jump service-endpoints-check", "goto reject-chain"],
    });
  });

  it("kube-proxy: a named set rejects, a prefix drops unknown cluster IPs", () => {
    expect(brief(walkHook(kube, "forward", "filter", tcp("172.30.0.41", 81)).final))
      .toMatchObject({ verdict: "reject", chain: "cluster-ips-check", certain: true });
    expect(brief(walkHook(kube, "forward", "filter", tcp("172.30.9.9", 80)).final))
      .toMatchObject({ verdict: "drop", rule: 'ip daddr 172.30.0.0/16 drop comment "Drop traffic to unallocated ClusterIPs"' });
    // elsewhere: the maps' keys miss on the address, whatever the unknown parts: nothing happens
    expect(walkHook(kube, "forward", "filter", icmp("198.51.100.1"))).toMatchObject({ maybe: [] });
    expect(walkHook(kube, "forward", "filter", icmp("198.51.100.1")).final).toBeUndefined();
  });

  it("kube-proxy: a ClusterIP reaches its service chain; numgen's choice of endpoint stays unknown", () => {
    const o = walkHook(kube, "prerouting", "nat", udp("172.30.0.44", 53));
    expect(o.final).toBeUndefined();
    expect(brief(o.maybe[0])).toMatchObject({ verdict: "unknown", chain: "service-4RK3VXSE-kube-system/dns/udp/dns", path: ["nat-prerouting", "jump services", "goto service-4RK3VXSE-kube-system/dns/udp/dns"] });
  });

  it("firewalld: input allowed through a concatenated set, else rejected; forwarding rejected", () => {
    expect(walkHook(fw, "input", "filter", tcp("10.0.0.1", 22)).final).toBeUndefined();
    expect(brief(walkHook(fw, "input", "filter", tcp("10.0.0.1", 23)).final))
      .toMatchObject({ verdict: "reject", chain: "filter_INPUT", rule: "reject with icmpx admin-prohibited", certain: true });
    expect(walkHook(fw, "input", "filter", icmp("10.0.0.1")).final).toBeUndefined();
    expect(brief(walkHook(fw, "forward", "filter", icmp("198.51.100.1")).final)).toMatchObject({ verdict: "reject", chain: "filter_FORWARD" });
    // an anonymous interval set of IPv6 prefixes
    const v6 = (daddr: string): PacketView => ({ family: 6, saddr: "fd00::2", daddr, iifname: "veth0", oifname: "eth0", l4proto: 58, icmpType: 128 });
    expect(brief(walkHook(fw, "forward", "filter", v6("2002:a00::1")).final))
      .toMatchObject({ verdict: "reject", rule: expect.stringMatching(/^ip6 daddr \{ ::\/96, .* \} reject with icmpv6 addr-unreachable$/) });
    expect(brief(walkHook(fw, "forward", "filter", v6("2001:db8::1")).final)).toMatchObject({ verdict: "reject", rule: "reject with icmpx admin-prohibited" });
    // established traffic is accepted first
    expect(walkHook(fw, "forward", "filter", icmp("198.51.100.1", { ctState: 2 })).final).toBeUndefined();
  });

  it("docker: the forward chain's policy drops what no rule accepts", () => {
    expect(brief(walkHook(corpusRuleset("03-docker"), "forward", "filter", icmp("198.51.100.1")).final))
      .toEqual({ verdict: "drop", chain: "FORWARD", rule: undefined, path: ["FORWARD"], certain: true });
  });
});

describe("doctor: source NAT through the nat postrouting chains", () => {
  it("a plain snat rule; kube-proxy's masquerade behind a mark it cannot know", () => {
    const n = findSourceNat(corpusRuleset("09-nat"), icmp("198.51.100.1"));
    expect(n).toMatchObject({ verdict: { match: "yes", action: "snat" }, path: ["postrouting"] });
    const k = findSourceNat(corpusRuleset("01-kube-proxy"), icmp("198.51.100.1"));
    expect(k).toMatchObject({ verdict: { match: "maybe", action: "masquerade" }, path: ["nat-postrouting", "jump masquerading"] });
    expect(k!.rule.text).toBe("masquerade fully-random");
  });
});
