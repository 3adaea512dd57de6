// examples/container-network.ts
// The container network: a "host" namespace with a bridge, two "containers" plugged into it by
// veth pairs, an address and a default route in each, and a ping from one to the other.
// Everything it makes is removed at the end, also on failure.
//   sudo npx tsx examples/container-network.ts [name-prefix]
import { netns, ping, Rtnl } from "nlkit";

const prefix = process.argv[2] ?? "nlkit-example";
const host = `${prefix}-host`;
const containers = [`${prefix}-c1`, `${prefix}-c2`];
const made: string[] = [];

try {
  for (const name of [host, ...containers]) {
    await netns.add(name);
    made.push(name);
  }
  const rt = await Rtnl.open({ netns: host });
  try {
    await rt.link.add({ name: "br0", kind: "bridge", up: true });
    await rt.addr.add("br0", "10.0.0.254/24");
    for (const [i, container] of containers.entries()) {
      // the container's end is created inside the container, already named eth0
      await rt.link.add({ name: `veth${i + 1}-br`, kind: "veth", master: "br0", up: true, peer: { name: "eth0", netns: container } });
      const ct = await Rtnl.open({ netns: container });
      try {
        await ct.link.set("lo", { up: true });
        await ct.addr.add("eth0", `10.0.0.${i + 1}/24`);
        await ct.link.set("eth0", { up: true });
        await ct.route.add({ dst: "default", gateway: "10.0.0.254" });
      } finally {
        ct.close();
      }
    }
    const ports = await rt.link.list({ master: "br0" });
    console.log(`br0 in ${host}: ports ${ports.map((l) => l.name).join(", ")}`);
  } finally {
    rt.close();
  }
  const r = await ping("10.0.0.2", { netns: containers[0], count: 3, timeoutMs: 2000 });
  console.log(`${containers[0]} -> 10.0.0.2 (${containers[1]}): ${r.received}/${r.sent} replies, avg ${r.avg?.toFixed(3) ?? "-"} ms`);
  if (r.received === 0) process.exitCode = 1;
} finally {
  for (const name of made.reverse()) await netns.del(name);
}
