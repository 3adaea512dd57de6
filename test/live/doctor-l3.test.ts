// Doctor faults at the address and routing layers, each in its own lab broken one way.
import { afterAll, expect, it } from "vitest";
import { diagnose } from "../../src/doctor/index.js";
import { buildLab, faultThenRepair, type DoctorLab } from "../helpers/doctor-lab.js";
import { describeLive, ip, ipJson } from "../helpers/live.js";

const OUT = "198.51.100.1";
const opts = (lab: DoctorLab, to = OUT) => ({ netns: lab.c1, to, count: 1, timeoutMs: 1000 });

describeLive("nlkit doctor: address and routing faults", () => {
  const labs: DoctorLab[] = [];
  afterAll(() => { for (const l of labs) l.ns.cleanup(); });
  const lab = async (tag: string) => { const l = await buildLab(tag); labs.push(l); return l; };

  it("missing address: addr.egress first, a free address of br0's subnet (the kernel took the default route with it)", async () => {
    const l = await lab("doc-noaddr");
    ip(["addr", "del", "10.0.0.1/24", "dev", "veth1"], l.c1);
    expect(ipJson(["route", "show"], l.c1)).toEqual([]); // the oracle: the routes went with the address
    const r = await faultThenRepair(opts(l), "addr.egress", `nlkit -n ${l.c1} address add 10.0.0.1/24 dev veth1`);
    expect(r.checks.find((c) => c.id === "addr.egress")?.evidence).toContain("10.0.0.0/24");
    expect(r.checks.find((c) => c.id === "route.lookup")?.fix).toBe(`nlkit -n ${l.c1} route add default via 10.0.0.254`);
  });

  it("missing address, destination on the segment: no gateway needed, the address alone repairs it", async () => {
    const l = await lab("doc-noaddr2");
    ip(["addr", "del", "10.0.0.1/24", "dev", "veth1"], l.c1);
    const r = await faultThenRepair(opts(l, "10.0.0.2"), "addr.egress", `nlkit -n ${l.c1} address add 10.0.0.1/24 dev veth1`);
    const lookup = r.checks.find((c) => c.id === "route.lookup")!;
    expect(lookup.status).toBe("failure");
    expect(lookup.fix).toBeUndefined(); // the connected route comes back with the address
  });

  it("wrong subnet: addr.subnet first, replace the address with one in 10.0.0.0/24", async () => {
    const l = await lab("doc-subnet");
    ip(["addr", "add", "10.0.1.1/24", "dev", "veth1"], l.c1);
    ip(["addr", "del", "10.0.0.1/24", "dev", "veth1"], l.c1);
    await faultThenRepair(opts(l), "addr.subnet",
      `nlkit -n ${l.c1} address add 10.0.0.1/24 dev veth1 && nlkit -n ${l.c1} address del 10.0.1.1/24 dev veth1`);
  });

  it("missing default route: route.lookup first, `route add default via` the bridge's address", async () => {
    const l = await lab("doc-noroute");
    ip(["route", "del", "default"], l.c1);
    const r = await faultThenRepair(opts(l), "route.lookup", `nlkit -n ${l.c1} route add default via 10.0.0.254`);
    expect(r.checks.find((c) => c.id === "route.lookup")?.evidence).toMatch(/ENETUNREACH/);
  });

  it("the seed's own mistake, default via a container's own address: route.gateway first", async () => {
    const l = await lab("doc-owngw");
    ip(["route", "replace", "default", "via", "10.0.0.1"], l.c1);
    await faultThenRepair(opts(l), "route.gateway", `nlkit -n ${l.c1} route replace default via 10.0.0.254`);
  });

  it("route.lookup reports what `ip route get` says, field by field", async () => {
    const l = await lab("doc-get");
    const r = await diagnose(opts(l));
    const want = ipJson(["route", "get", OUT], l.c1)[0];
    const got = r.checks.find((c) => c.id === "route.lookup")!.details as Record<string, unknown>;
    expect({ gateway: got.gateway, dev: got.dev, prefsrc: got.prefsrc }).toEqual({ gateway: want.gateway, dev: want.dev, prefsrc: want.prefsrc });
  });
});
