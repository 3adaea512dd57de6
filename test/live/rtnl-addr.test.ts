import { afterAll, beforeAll, expect, it } from "vitest";
import { NetlinkError, NlkitInputError } from "../../src/netlink/errors.js";
import { addrToIpJson } from "../../src/rtnl/json/addr.js";
import { Rtnl } from "../../src/rtnl/rtnl.js";
import { describeLive, ip, ipJson, TestNamespaces } from "../helpers/live.js";

describeLive("rtnl addr (live, checked against ip -j)", () => {
  const ns = new TestNamespaces("ra-addr");
  let name: string;
  let rt: Rtnl;

  beforeAll(() => {
    name = ns.create("a");
    ip(["link", "add", "veth0", "type", "veth", "peer", "name", "veth1"], name);
    ip(["link", "set", "veth0", "up"], name);
    ip(["link", "set", "veth1", "up"], name);
    rt = Rtnl.openSync({ netns: name });
  });
  afterAll(() => {
    rt?.close();
    ns.cleanup();
  });

  const ipAddrs = (dev: string) => ipJson<Array<{ addr_info: unknown[] }>>(["addr", "show", "dev", dev], name)[0]!.addr_info;
  const mine = async (dev: string) => (await rt.addr.list({ dev })).map(addrToIpJson);

  it("adds v4 (brd +, label), v6 (nodad), peer and lifetime addresses; list == ip -j addr show", async () => {
    await rt.addr.add("veth0", "10.0.0.1/24", { broadcast: "+", label: "veth0:main" });
    await rt.addr.add("veth0", "10.0.0.9/24", { validLft: 100, preferredLft: 50 });
    await rt.addr.add("veth0", "10.9.0.1", { peer: "10.9.0.2/32", flags: ["noprefixroute"], metric: 77 });
    await rt.addr.add("veth0", "2001:db8::1/64", { flags: ["nodad"] });
    await rt.addr.add("veth1", "169.254.1.1/16", { scope: "link" });
    const got = await mine("veth0");
    expect(got).toEqual(ipAddrs("veth0"));
    expect(got.length).toBeGreaterThanOrEqual(5);
    expect(await mine("veth1")).toEqual(ipAddrs("veth1"));
    const brd = (await rt.addr.list({ dev: "veth0", family: 4 })).find((a) => a.local === "10.0.0.1")!;
    expect(brd).toMatchObject({ broadcast: "10.0.0.255", label: "veth0:main", scope: "global", validLft: "forever", dev: "veth0" });
  });

  it("filters by family (kernel) and scope/label (here) like ip", async () => {
    const v6 = await rt.addr.list({ family: 6 });
    expect(v6.every((a) => a.family === 6)).toBe(true);
    expect(v6.map(addrToIpJson)).toEqual(ipJson<Array<{ addr_info: unknown[] }>>(["-6", "addr", "show"], name).flatMap((l) => l.addr_info));
    const link = await rt.addr.list({ scope: "link", family: 4 });
    expect(link.map((a) => a.local)).toEqual(["169.254.1.1"]);
    expect((await rt.addr.list({ label: "veth0:*" })).map((a) => a.local)).toEqual(["10.0.0.1"]);
  });

  it("replace changes lifetimes in place", async () => {
    await rt.addr.replace("veth0", "10.0.0.9/24", { validLft: 200, preferredLft: 100 });
    const a = (await rt.addr.list({ dev: "veth0" })).find((x) => x.local === "10.0.0.9")!;
    expect(a.validLft).toBeGreaterThan(150);
    expect(await mine("veth0")).toEqual(ipAddrs("veth0"));
  });

  it("errors are typed and leave nothing behind", async () => {
    // the address set (flags such as "tentative" on link-locals change on their own)
    const snapshot = () => ipJson<Array<{ addr_info: Array<{ local: string; prefixlen: number }> }>>(["addr", "show"], name)
      .flatMap((l) => l.addr_info.map((a) => `${a.local}/${a.prefixlen}`)).sort();
    const before = snapshot();
    const dup = await rt.addr.add("veth0", "10.0.0.1/24").catch((e) => e);
    expect(dup).toBeInstanceOf(NetlinkError);
    expect(dup.code).toBe("EEXIST");
    const nodev = await rt.addr.add("nope0", "10.0.0.1/24").catch((e) => e);
    expect(nodev).toBeInstanceOf(NetlinkError);
    expect(nodev.code).toBe("ENODEV");
    const bad = await rt.addr.add("veth0", "10.0.0.256/24").catch((e) => e);
    expect(bad).toBeInstanceOf(NlkitInputError);
    expect(bad.field).toBe("address");
    const mismatch = await rt.addr.add("veth0", "10.0.0.5/24", { peer: "2001:db8::9/128" }).catch((e) => e);
    expect(mismatch).toBeInstanceOf(NlkitInputError);
    const missing = await rt.addr.del("veth0", "10.7.7.7/24").catch((e) => e);
    expect(missing).toBeInstanceOf(NetlinkError);
    expect(missing.code).toBe("EADDRNOTAVAIL");
    expect(snapshot()).toEqual(before);
  });

  it("del and flush remove exactly what ip would", async () => {
    await rt.addr.del("veth0", "2001:db8::1/64");
    await rt.addr.del("veth0", "10.9.0.1", { peer: "10.9.0.2/32" });
    expect(await mine("veth0")).toEqual(ipAddrs("veth0"));
    expect((await rt.addr.list({ dev: "veth0" })).some((a) => a.local === "2001:db8::1")).toBe(false);
    const n = await rt.addr.flush({ dev: "veth0", family: 4 });
    expect(n).toBe(2);
    expect(ipJson<Array<{ addr_info: unknown[] }>>(["-4", "addr", "show", "dev", "veth0"], name)[0]?.addr_info ?? []).toEqual([]);
  });

  it("works inside a batch", async () => {
    const b = rt.batch();
    void b.addr.add("veth0", "10.1.0.1/24");
    void b.addr.add("veth0", "10.1.0.1/24");
    void b.addr.add("veth0", "10.1.0.2/24");
    const out = await b.send();
    expect(out.ok).toBe(2);
    expect(out.errors.map((e) => [e.code, e.request?.index])).toEqual([["EEXIST", 1]]);
    expect((await rt.addr.list({ dev: "veth0", family: 4 })).map((a) => a.local)).toEqual(["10.1.0.1", "10.1.0.2"]);
  });
});
