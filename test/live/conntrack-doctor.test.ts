// The doctor's nat.masquerade check after its probe: the translated flow it found in the
// router's conntrack (the source the outside saw), and a missing or wrong translation as
// evidence, against conntrack-tools and what the outside host saw.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnose } from "../../src/doctor/index.js";
import { UdpSourceReporter } from "../../src/probe/index.js";
import { buildLab, statusLines, type DoctorLab } from "../helpers/doctor-lab.js";
import { describeLive, hasCommand } from "../helpers/live.js";

const OUT = "198.51.100.1";
const describeCt = hasCommand("conntrack") ? describeLive : (name: string, fn: () => void) => describe.skip(`${name} (skipped: needs the conntrack command as the oracle)`, fn);

describeCt("nlkit doctor: source NAT as conntrack saw it", () => {
  let lab: DoctorLab;
  const inHost = (...argv: string[]) => execFileSync("ip", ["netns", "exec", lab.host, ...argv], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const nat = async (to = OUT) => {
    const r = await diagnose({ netns: lab.c1, to, count: 1, timeoutMs: 1000 });
    return { r, c: r.checks.find((x) => x.id === "nat.masquerade")! };
  };
  beforeAll(async () => { lab = await buildLab("ct-doctor"); });
  afterAll(() => lab?.ns.cleanup());

  it("healthy: the masquerade rule, and the outside saw the router's address; the flow is conntrack's", async () => {
    const { r, c } = await nat();
    expect(c.status, statusLines(r)).toBe("ok");
    expect(c.evidence).toContain(`the outside saw 198.51.100.2 (conntrack in ${lab.host}: icmp 10.0.0.1 -> ${OUT}, answered)`);
    const flow = (c.details as { flow: { id: number; reply: { dst: string } } }).flow;
    expect(flow.reply.dst).toBe("198.51.100.2");
    const listed = inHost("conntrack", "-L", "-p", "icmp", "-s", "10.0.0.1", "-o", "id");
    expect(listed).toContain(`id=${flow.id}`);
  });

  it("ADDRESS:PORT: the translated source port is the one the UDP responder saw", async () => {
    const rep = new UdpSourceReporter({ netns: lab.out, address: OUT, port: 7007 });
    try {
      const { r, c } = await nat(`${OUT}:7007`);
      expect(c.status, statusLines(r)).toBe("ok");
      expect(rep.seen).toHaveLength(1);
      expect(c.evidence).toContain(`the outside saw ${rep.seen[0]} (conntrack in ${lab.host}: udp 10.0.0.1 -> ${OUT}:7007, answered)`);
    } finally {
      await rep.close();
    }
  });

  it("no NAT rule but connections tracked: the probe's flow left untranslated (not the earlier translated one)", async () => {
    inHost("nft", "flush", "chain", "ip", "nat", "postrouting");
    inHost("nft", "add", "table", "ip", "filter");
    inHost("nft", "add", "chain", "ip", "filter", "forward", "{ type filter hook forward priority 0; }");
    inHost("nft", "add", "rule", "ip", "filter", "forward", "ct", "state", "established,related", "accept");
    const { r, c } = await nat();
    expect(c.status, statusLines(r)).toBe("failure");
    expect(c.evidence).toContain(`conntrack in ${lab.host}: icmp 10.0.0.1 -> ${OUT}, unanswered, left untranslated as 10.0.0.1`);
    expect(c.fix).toBe(`nlkit -n ${lab.host} nat masquerade --saddr 10.0.0.0/24 --not-oif br0`);
  });

  it("snat to an address the router does not hold: a failure naming where the answers go", async () => {
    inHost("nft", "add", "rule", "ip", "nat", "postrouting", "ip", "saddr", "10.0.0.0/24", "oifname", "!=", "br0", "snat", "to", "203.0.113.9");
    const { r, c } = await nat();
    expect(c.status, statusLines(r)).toBe("failure");
    expect(c.evidence).toContain(`left as 203.0.113.9, an address ${lab.host} does not hold`);
    const listed = inHost("conntrack", "-L", "-p", "icmp", "-q", "203.0.113.9");
    expect(listed).toContain("src=10.0.0.1");
  });
});
