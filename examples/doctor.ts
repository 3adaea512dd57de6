// examples/doctor.ts
// The doctor as a library: two namespaces joined by a veth pair, one end left down on purpose,
// then diagnose() walks the path from the other end and names that as the root cause, with the
// command that fixes it. The fix applied, the same diagnosis passes.
//   sudo npx tsx examples/doctor.ts [name-prefix]
import { diagnose, netns, renderDoctorText, Rtnl } from "nlkit";

const prefix = process.argv[2] ?? "nlkit-example";
const [a, b] = [`${prefix}-a`, `${prefix}-b`];
const made: string[] = [];

try {
  for (const name of [a, b]) {
    await netns.add(name);
    made.push(name);
  }
  const ra = await Rtnl.open({ netns: a });
  const rb = await Rtnl.open({ netns: b });
  try {
    for (const rt of [ra, rb]) await rt.link.set("lo", { up: true });
    await ra.link.add({ name: "veth-a", kind: "veth", peer: { name: "veth-b", netns: b } });
    await ra.addr.add("veth-a", "10.9.0.1/24");
    await rb.addr.add("veth-b", "10.9.0.2/24");
    await ra.link.set("veth-a", { up: true });
    // veth-b stays down: the fault for the doctor to find

    const report = await diagnose({ netns: a, to: "10.9.0.2", timeoutMs: 500 });
    console.log(renderDoctorText(report));
    const cause = report.checks.find((c) => c.status === "failure");
    console.log(`root cause: ${cause?.id}: ${cause?.evidence}`);
    console.log(`fix: ${cause?.fix}`);

    await rb.link.set("veth-b", { up: true });
    const again = await diagnose({ netns: a, to: "10.9.0.2" });
    console.log(`after the fix: ${again.ok ? "ok" : "still failing"}`);
    if (!cause || !again.ok) process.exitCode = 1;
  } finally {
    ra.close();
    rb.close();
  }
} finally {
  for (const name of made.reverse()) await netns.del(name);
}
