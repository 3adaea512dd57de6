// How the doctor's nat.masquerade check reads the router's conntrack: which flow is the probe's,
// and what a translation (or its absence) says. Pure: no kernel.
import { describe, expect, it } from "vitest";
import type { Flow } from "../../../src/conntrack/flow.js";
import { check } from "../../../src/doctor/check.js";
import { probeFlow, withNatFlow, type ProbeTuple } from "../../../src/doctor/nat-flow.js";

const q: ProbeTuple = { family: 4, src: "10.0.0.1", dst: "198.51.100.1" };
const udpQ: ProbeTuple = { ...q, port: 7007 };

function flow(id: number, replyDst: string, o: { timeout?: number; answered?: boolean; proto?: "icmp" | "udp"; rport?: number } = {}): Flow {
  const udp = o.proto === "udp";
  return {
    family: 4, proto: udp ? "udp" : "icmp", protoNum: udp ? 17 : 1,
    orig: udp ? { src: "10.0.0.1", dst: "198.51.100.1", sport: 40000, dport: 7007 } : { src: "10.0.0.1", dst: "198.51.100.1", icmpType: 8, icmpCode: 0, icmpId: 5 },
    reply: udp ? { src: "198.51.100.1", dst: replyDst, sport: 7007, dport: o.rport ?? 40000 } : { src: "198.51.100.1", dst: replyDst, icmpType: 0, icmpCode: 0, icmpId: 5 },
    status: o.answered === false ? ["CONFIRMED"] : ["SEEN_REPLY", "CONFIRMED"], mark: 0, zone: 0, id,
    nat: { source: replyDst !== "10.0.0.1", destination: false }, timeout: o.timeout ?? 30,
  };
}

const rule = check("nat.masquerade", "source NAT", "ok", '"ip saddr 10.0.0.0/24 masquerade" rewrites 10.0.0.1 leaving eth0', { details: { handle: 2 } });
const noRule = check("nat.masquerade", "source NAT", "failure", "no masquerade/snat rule matches 10.0.0.1", { fix: "nlkit -n host nat masquerade --saddr 10.0.0.0/24" });
const base = { router: "host", q, needed: true, routerAddrs: ["198.51.100.2", "10.0.0.254"] };

describe("which flow is the probe's", () => {
  it("the newest (most time left), answered on a tie; with the flows noted before, only new or refreshed ones", () => {
    const old = flow(1, "198.51.100.2", { timeout: 12 }), fresh = flow(2, "10.0.0.1", { timeout: 30, answered: false });
    expect(probeFlow([old, fresh], q).flow?.id).toBe(2);
    expect(probeFlow([flow(3, "198.51.100.2", { answered: false }), flow(4, "198.51.100.2")], q).flow?.id).toBe(4);
    // the probe made nothing: an older translated flow is not taken for it
    expect(probeFlow([old], q, new Map([[1, 13]]))).toEqual({});
    // its packets refreshed an old flow: that one
    expect(probeFlow([flow(1, "198.51.100.2", { timeout: 30 })], q, new Map([[1, 13]])).flow?.id).toBe(1);
  });

  it("the translated source is the reply's destination (and port, for UDP); none when the reply goes back to the source", () => {
    expect(probeFlow([flow(1, "198.51.100.2")], q).translated).toEqual({ address: "198.51.100.2" });
    expect(probeFlow([flow(1, "198.51.100.2", { proto: "udp", rport: 61000 })], udpQ).translated).toEqual({ address: "198.51.100.2", port: 61000 });
    expect(probeFlow([flow(1, "10.0.0.1")], q).translated).toBeUndefined();
  });
});

describe("what the flow says about the NAT", () => {
  it("translated to the router's address: the check keeps its status and says what the outside saw", () => {
    const c = withNatFlow(rule, probeFlow([flow(1, "198.51.100.2", { proto: "udp", rport: 61000 })], udpQ), { ...base, q: udpQ, rule: "yes" });
    expect(c.status).toBe("ok");
    expect(c.evidence).toBe(`${rule.evidence}; the outside saw 198.51.100.2:61000 (conntrack in host: udp 10.0.0.1 -> 198.51.100.1:7007, answered)`);
    expect(c.details).toMatchObject({ handle: 2, flow: { id: 1 } });
  });

  it("translated to an address the router does not hold: a failure for a private source, a warning otherwise", () => {
    const seen = probeFlow([flow(1, "203.0.113.9", { answered: false })], q);
    expect(withNatFlow(rule, seen, { ...base, rule: "yes" })).toMatchObject({ status: "failure", evidence: expect.stringContaining("left as 203.0.113.9, an address host does not hold") });
    expect(withNatFlow(rule, seen, { ...base, needed: false, rule: "yes" }).status).toBe("warning");
  });

  it("translated with no nftables rule: a warning, and no fix that would add a second NAT", () => {
    const c = withNatFlow(noRule, probeFlow([flow(1, "198.51.100.2")], q), { ...base, rule: undefined });
    expect(c.status).toBe("warning");
    expect(c.fix).toBeUndefined();
    expect(c.evidence).toContain("a rule outside nftables translated it, or one since removed did when the flow began");
  });

  it("untranslated: with a rule that matches, the flow predates it (fix: delete it); with one that may not, the rule does not apply; with none, evidence", () => {
    const seen = probeFlow([flow(1, "10.0.0.1", { answered: false })], q);
    const stale = withNatFlow(rule, seen, { ...base, rule: "yes" });
    expect(stale).toMatchObject({ status: "failure", fix: "nlkit -n host conntrack -D -p icmp -s 10.0.0.1 -d 198.51.100.1" });
    expect(stale.evidence).toContain("left untranslated as 10.0.0.1: it began before the rule");
    expect(withNatFlow(rule, seen, { ...base, rule: "maybe" })).toMatchObject({ status: "failure", evidence: expect.stringContaining("the rule does not apply to it") });
    const none = withNatFlow(noRule, seen, { ...base, rule: undefined });
    expect(none).toMatchObject({ status: "failure", fix: noRule.fix, evidence: expect.stringContaining("left untranslated as 10.0.0.1") });
    expect(withNatFlow(rule, seen, { ...base, needed: false, rule: "yes" }).status).toBe("ok");
  });

  it("no flow, or conntrack unreadable: said, the status unchanged", () => {
    expect(withNatFlow(rule, {}, { ...base, rule: "yes" })).toMatchObject({ status: "ok", evidence: expect.stringContaining("the probe did not get through host") });
    expect(withNatFlow(noRule, {}, { ...base, rule: undefined })).toMatchObject({ status: "failure", fix: noRule.fix, evidence: expect.stringContaining("without a NAT rule") });
    expect(withNatFlow(rule, { error: "Operation not permitted" }, { ...base, rule: "yes" }).evidence).toContain("conntrack in host unreadable: Operation not permitted");
  });
});
