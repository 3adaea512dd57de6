// Doctor faults at the namespace and link layers, each in its own lab broken one way.
import { afterAll, describe, expect, it } from "vitest";
import { diagnose } from "../../src/doctor/index.js";
import { applyAllFixes, buildLab, faultThenRepair, firstProblem, type DoctorLab } from "../helpers/doctor-lab.js";
import { describeLive, ip } from "../helpers/live.js";
import { UnprivilegedCli, unprivilegedUnavailable } from "../helpers/unprivileged.js";

const OUT = "198.51.100.1";
const opts = (lab: DoctorLab) => ({ netns: lab.c1, to: OUT, count: 1, timeoutMs: 1000 });

describeLive("nlkit doctor: namespace and link faults", () => {
  const labs: DoctorLab[] = [];
  afterAll(() => { for (const l of labs) l.ns.cleanup(); });
  const lab = async (tag: string) => { const l = await buildLab(tag); labs.push(l); return l; };

  it("namespace missing: netns.exists first, `nlkit netns add`; after it the empty namespace has no link", async () => {
    const l = await lab("doc-nsmiss");
    const name = l.ns.name("c3");
    const r = await diagnose({ netns: name, to: OUT, count: 1 });
    const first = firstProblem(r)!;
    expect(first.id).toBe("netns.exists");
    expect(first.fix).toBe(`nlkit netns add ${name}`);
    expect(first.evidence).toContain(l.c1); // lists the namespaces that do exist
    expect(r.checks.at(-1)).toMatchObject({ id: "probe", status: "skipped" });
    l.ns.adopt(name);
    await applyAllFixes(r);
    const after = await diagnose({ netns: name, to: OUT, count: 1 });
    expect(after.checks.find((c) => c.id === "netns.exists")?.status).toBe("ok");
    // a new namespace has only lo, and down: the doctor goes on to say both
    expect(firstProblem(after)).toMatchObject({ id: "link.lo", status: "failure", fix: `nlkit -n ${name} link set lo up` });
    expect(after.checks.find((c) => c.id === "link.egress")?.status).toBe("failure");
  });

  it("without privileges (uid nobody, no capabilities): netns.access first, the same command under sudo, exit 1", async (ctx) => {
    const why = unprivilegedUnavailable();
    if (why) ctx.skip(`cannot run nlkit as uid nobody: ${why}`);
    const l = await lab("doc-priv");
    const cli = new UnprivilegedCli("doc-priv");
    let run;
    try {
      run = cli.run(["-n", l.c1, "doctor", "--to", OUT, "--json"]);
    } finally {
      cli.cleanup();
    }
    expect(run.status, run.stderr).toBe(1);
    const r = JSON.parse(run.stdout);
    expect(r.checks[0]).toMatchObject({ id: "netns.access", status: "failure", fix: `sudo nlkit -n ${l.c1} doctor --to ${OUT}` });
    expect(r.checks[0].evidence).toMatch(/^uid 65534 without CAP_NET_ADMIN and CAP_SYS_ADMIN/);
  });

  it("egress link down: link.egress.up first (the kernel also dropped the default route: fixed next)", async () => {
    const l = await lab("doc-down");
    ip(["link", "set", "veth1", "down"], l.c1);
    const r = await diagnose(opts(l));
    expect(r.checks.find((c) => c.id === "route.lookup")).toMatchObject({ status: "failure", fix: `nlkit -n ${l.c1} route add default via 10.0.0.254` });
    await faultThenRepair(opts(l), "link.egress.up", `nlkit -n ${l.c1} link set veth1 up`);
  });

  it("veth peer down: link.peer.up first, with the peer's namespace in the fix", async () => {
    const l = await lab("doc-peer");
    ip(["link", "set", "veth1-br", "down"], l.host);
    const r = await diagnose(opts(l));
    // the oracle: ip says veth1 has no carrier and its peer lives in host
    const link = JSON.parse(ip(["-j", "link", "show", "veth1"], l.c1))[0];
    expect(link.flags).toContain("NO-CARRIER");
    expect(r.checks.find((c) => c.id === "link.peer")?.evidence).toContain(`veth1-br (index ${link.link_index}) in ${l.host}`);
    expect(r.checks.find((c) => c.id === "link.egress.carrier")?.status).toBe("failure");
    await faultThenRepair(opts(l), "link.peer.up", `nlkit -n ${l.host} link set veth1-br up`);
  });

  it("bridge port missing: link.bridge first, `link set veth1-br master br0` in host", async () => {
    const l = await lab("doc-port");
    ip(["link", "set", "veth1-br", "nomaster"], l.host);
    await faultThenRepair(opts(l), "link.bridge", `nlkit -n ${l.host} link set veth1-br master br0`);
  });
});

describe("nlkit doctor: input", () => {
  it("refuses a destination that is not an address", async () => {
    await expect(diagnose({ netns: "x", to: "not-an-ip" })).rejects.toMatchObject({ name: "NlkitInputError" });
    await expect(diagnose({ netns: "x", to: "10.0.0.1:70000" })).rejects.toMatchObject({ name: "NlkitInputError" });
  });
});
