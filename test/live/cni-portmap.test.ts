// portmap at the library level: ADD deletes the UDP flows to its host ports that began before its
// DNAT existed (a flow conntrack already tracks is never NATed again), as the reference portmap
// does, and leaves every other flow alone (conntrack(8) the oracle); CHECK follows every path a
// mapping's packets take (nft(8) breaks one).
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, expect, it } from "vitest";
import { portForward } from "../../src/cni/index.js";
import { udpAsk } from "../../src/index.js";
import { describeLive, ip, TestNamespaces } from "../helpers/live.js";

const ns = new TestNamespaces("pmap");
let host = "", out = "";

/** conntrack -L's lines for UDP flows to one port in the host namespace. */
function flowsTo(port: number): string[] {
  const text = execFileSync("ip", ["netns", "exec", host, "conntrack", "-L", "-p", "udp", "--dport", String(port)], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return text.split("\n").filter((l) => l.startsWith("udp"));
}

describeLive("portmap ADD and CHECK (live)", () => {
  beforeAll(() => {
    host = ns.create("host");
    out = ns.create("out");
    ip(["link", "add", "up0", "type", "veth", "peer", "name", "up1", "netns", out], host);
    ip(["addr", "add", "10.9.0.1/24", "dev", "up0"], host);
    ip(["link", "set", "up0", "up"], host);
    ip(["addr", "add", "10.9.0.2/24", "dev", "up1"], out);
    ip(["link", "set", "up1", "up"], out);
    // conntrack tracks a namespace's traffic once a ruleset there uses it
    execFileSync("ip", ["netns", "exec", host, "nft", "add table ip t; add chain ip t c { type filter hook prerouting priority 0; }; add rule ip t c ct state new counter"]);
  });
  afterAll(() => ns.cleanup());

  it("deletes the flows to the mapped UDP port once the DNAT is in, and no other", async () => {
    for (const port of [15353, 15354]) await udpAsk({ netns: out, to: "10.9.0.1", port, timeoutMs: 200 });
    expect(flowsTo(15353)).toHaveLength(1);
    expect(flowsTo(15354)).toHaveLength(1);
    const att = { network: "pmudp", containerId: "ctr1", ifname: "eth0" };
    await portForward.add(att, { mappings: [{ hostPort: 15353, containerPort: 53, protocol: "udp" }, { hostPort: 18080, containerPort: 80 }], addresses: ["10.22.0.2/24"], snat: false }, { netns: { netns: host } });
    expect(flowsTo(15353)).toEqual([]);
    expect(flowsTo(15354)).toHaveLength(1);
    expect(await portForward.remove(att, { netns: { netns: host } })).toBe(2);
  });

  it("CHECK fails once the jump a hostIP mapping needs is gone, naming the chain", async () => {
    const att = { network: "pmap", containerId: "ctr2", ifname: "eth0" };
    const spec = { mappings: [{ hostPort: 18081, containerPort: 81, hostIP: "10.9.0.1" }], addresses: ["10.22.0.3/24"], snat: false };
    const target = { netns: { netns: host } };
    await portForward.add(att, spec, target);
    await portForward.check(att, spec, target);
    const listed = execFileSync("ip", ["netns", "exec", host, "nft", "-a", "list", "chain", "inet", portForward.table, "prerouting"], { encoding: "utf8" });
    const handle = /jump hostip_hostports # handle (\d+)/.exec(listed)![1]!;
    execFileSync("ip", ["netns", "exec", host, "nft", "delete", "rule", "inet", portForward.table, "prerouting", "handle", handle]);
    await expect(portForward.check(att, spec, target)).rejects.toThrow(/chain prerouting of table inet cni_plugins_hostport does not lead to hostip_hostports/);
    await portForward.remove(att, target);
  });
});
