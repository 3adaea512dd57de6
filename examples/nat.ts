// examples/nat.ts
// NAT egress: a container behind a host that forwards and masquerades, and an "outside" network
// that reports which source address reached it: the container's own before the masquerade rule,
// the host's uplink address after it.
//   sudo npx tsx examples/nat.ts [name-prefix]
import { netns, Nft, Rtnl, sysctl, udpAsk, UdpSourceReporter } from "nlkit";

const prefix = process.argv[2] ?? "nlkit-example";
const [container, host, outside] = ["ctr", "host", "outside"].map((n) => `${prefix}-${n}`) as [string, string, string];
const made: string[] = [];

/** A veth pair between two namespaces, addressed and up on both ends. */
async function wire(a: string, aName: string, aAddr: string, b: string, bName: string, bAddr: string): Promise<void> {
  const ra = await Rtnl.open({ netns: a });
  const rb = await Rtnl.open({ netns: b });
  try {
    await ra.link.add({ name: aName, kind: "veth", peer: { name: bName, netns: b } });
    await ra.addr.add(aName, aAddr);
    await rb.addr.add(bName, bAddr);
    await ra.link.set(aName, { up: true });
    await rb.link.set(bName, { up: true });
  } finally {
    ra.close();
    rb.close();
  }
}

try {
  for (const name of [container, host, outside]) {
    await netns.add(name);
    made.push(name);
  }
  await wire(container, "eth0", "10.0.0.1/24", host, "veth-ctr", "10.0.0.254/24");
  await wire(host, "uplink", "198.51.100.2/24", outside, "eth0", "198.51.100.1/24");
  const ct = await Rtnl.open({ netns: container });
  await ct.route.add({ dst: "default", gateway: "10.0.0.254" });
  ct.close();
  await sysctl.set("net.ipv4.ip_forward", "1", { netns: host });

  const reporter = new UdpSourceReporter({ netns: outside, address: "198.51.100.1", port: 7007 });
  try {
    // the outside network has no route back to 10.0.0.0/24: without NAT the answer is lost
    const before = await udpAsk({ netns: container, to: "198.51.100.1", port: 7007, timeoutMs: 500 });
    console.log(`without masquerade: ${before ? before.reply : `no answer (the outside saw ${reporter.seen.join(", ") || "nothing"})`}`);

    const nft = await Nft.open({ netns: host });
    try {
      await nft.masquerade({ saddr: "10.0.0.0/24", oifname: "uplink" });
      console.log((await nft.renderRuleset()).trimEnd());
    } finally {
      nft.close();
    }
    const after = await udpAsk({ netns: container, to: "198.51.100.1", port: 7007, timeoutMs: 2000 });
    console.log(`with masquerade: ${after?.reply ?? "no answer"}`);
    if (!after?.reply.startsWith("seen 198.51.100.2:")) process.exitCode = 1;
  } finally {
    await reporter.close();
  }
} finally {
  for (const name of made.reverse()) await netns.del(name);
}
