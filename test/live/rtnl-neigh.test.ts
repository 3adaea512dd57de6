import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, expect, it } from "vitest";
import { NetlinkError, NlkitInputError } from "../../src/netlink/errors.js";
import { fdbToBridgeJson, neighToIpJson } from "../../src/rtnl/json/neigh.js";
import { Rtnl } from "../../src/rtnl/rtnl.js";
import { describeLive, ip, ipJson, TestNamespaces } from "../helpers/live.js";

describeLive("rtnl neigh and bridge fdb (live, checked against ip -j / bridge -j)", () => {
  const ns = new TestNamespaces("ra-neigh");
  let name: string;
  let rt: Rtnl;

  beforeAll(() => {
    name = ns.create("a");
    ip(["link", "add", "veth0", "type", "veth", "peer", "name", "veth1"], name);
    ip(["link", "set", "veth0", "up"], name);
    ip(["link", "set", "veth1", "up"], name);
    ip(["addr", "add", "10.0.0.2/24", "dev", "veth0"], name);
    ip(["addr", "add", "2001:db8::2/64", "dev", "veth0", "nodad"], name);
    ip(["link", "add", "vx0", "type", "vxlan", "id", "42", "local", "10.0.0.2", "dstport", "4789", "dev", "veth0", "nolearning"], name);
    ip(["link", "set", "vx0", "up"], name);
    rt = Rtnl.openSync({ netns: name });
  });
  afterAll(() => {
    rt?.close();
    ns.cleanup();
  });

  const bridgeJson = (args: string[]) => {
    const out = execFileSync("bridge", ["-n", name, "-j", ...args], { encoding: "utf8" });
    return out.trim() ? JSON.parse(out) : [];
  };

  it("permanent v4/v6, stale router and proxy entries; list == ip -j neigh show", async () => {
    await rt.neigh.add({ dev: "veth0", to: "10.0.0.5", lladdr: "02:00:00:00:00:05" });
    await rt.neigh.add({ dev: "veth0", to: "2001:db8::5", lladdr: "02:00:00:00:00:05", state: "permanent" });
    await rt.neigh.add({ dev: "veth0", to: "10.0.0.6", lladdr: "02:00:00:00:00:06", state: "stale", router: true, extern: true });
    await rt.neigh.add({ dev: "veth0", to: "10.0.0.7", proxy: true });
    // NOARP multicast entries (ff02::16 on veth0 and vx0) come and go with MLD on their own,
    // between our dump and ip's: leave them out of every comparison
    const notNoarp = (j: { state?: string[] }) => !j.state?.includes("NOARP");
    const all = await rt.neigh.list({ dev: "veth0" });
    expect(all.map((n) => neighToIpJson(n, { devFiltered: true })).filter(notNoarp))
      .toEqual(ipJson<Array<{ state?: string[] }>>(["neigh", "show", "dev", "veth0", "nud", "all"], name).filter(notNoarp));
    expect((await rt.neigh.list()).map((n) => neighToIpJson(n)).filter(notNoarp))
      .toEqual(ipJson<Array<{ state?: string[] }>>(["neigh", "show", "nud", "all"], name).filter(notNoarp));
    expect((await rt.neigh.list({ proxy: true })).map((n) => neighToIpJson(n))).toEqual(ipJson(["neigh", "show", "proxy"], name));
    expect((await rt.neigh.list({ family: 6, state: "permanent" })).map((n) => n.dst)).toEqual(["2001:db8::5"]);
    expect(all.find((n) => n.dst === "10.0.0.6")).toMatchObject({ router: true, state: ["stale"], lladdr: "02:00:00:00:00:06" });
  });

  it("replace and del", async () => {
    await rt.neigh.replace({ dev: "veth0", to: "10.0.0.5", lladdr: "02:00:00:00:00:55", state: "reachable" });
    expect((await rt.neigh.list({ family: 4, dev: "veth0" })).find((n) => n.dst === "10.0.0.5")).toMatchObject({ lladdr: "02:00:00:00:00:55", state: ["reachable"] });
    await rt.neigh.del({ dev: "veth0", to: "10.0.0.5" });
    await rt.neigh.del({ dev: "veth0", to: "10.0.0.7", proxy: true });
    const notNoarp = (j: { state?: string[] }) => !j.state?.includes("NOARP");
    expect((await rt.neigh.list({ dev: "veth0" })).map((n) => neighToIpJson(n, { devFiltered: true })).filter(notNoarp))
      .toEqual(ipJson<Array<{ state?: string[] }>>(["neigh", "show", "dev", "veth0", "nud", "all"], name).filter(notNoarp));
    expect(await rt.neigh.list({ proxy: true })).toEqual([]);
  });

  it("bridge fdb append on a vxlan (head-end replication) == bridge -j fdb show", async () => {
    await rt.neigh.add({ family: "bridge", dev: "vx0", lladdr: "00:00:00:00:00:00", dst: "10.0.0.7", self: true }, { append: true });
    await rt.neigh.append({ family: "bridge", dev: "vx0", lladdr: "00:00:00:00:00:00", dst: "10.0.0.8" });
    await rt.neigh.add({ family: "bridge", dev: "vx0", lladdr: "02:00:00:00:00:01", dst: "10.0.0.9", port: 4790, vni: 100, via: "veth0" });
    const fdb = await rt.neigh.list({ family: "bridge", dev: "vx0" });
    expect(fdb.map((n) => fdbToBridgeJson(n, { devFiltered: true }))).toEqual(bridgeJson(["fdb", "show", "dev", "vx0"]));
    expect(fdb.filter((n) => n.lladdr === "00:00:00:00:00:00").map((n) => n.dst)).toEqual(["10.0.0.7", "10.0.0.8"]);
    await rt.neigh.del({ family: "bridge", dev: "vx0", lladdr: "00:00:00:00:00:00", dst: "10.0.0.7" });
    expect((await rt.neigh.list({ family: "bridge", dev: "vx0" })).map((n) => fdbToBridgeJson(n, { devFiltered: true })))
      .toEqual(bridgeJson(["fdb", "show", "dev", "vx0"]));
  });

  it("errors are typed and leave nothing behind", async () => {
    // vx0's remotes (10.0.0.7, 10.0.0.8 via veth0) are resolved by the kernel whenever vx0 sends:
    // their INCOMPLETE entries come and go by themselves
    const remotes = new Set(["10.0.0.7", "10.0.0.8"]);
    const snapshot = () => ipJson<Array<{ dst: string; state?: string[] }>>(["neigh", "show", "nud", "all"], name)
      .filter((j) => !j.state?.includes("NOARP") && !remotes.has(j.dst)).map((j) => JSON.stringify(j)).sort();
    const before = snapshot();
    const dup = await rt.neigh.add({ dev: "veth0", to: "2001:db8::5", lladdr: "02:00:00:00:00:05" }).catch((e) => e);
    expect(dup).toBeInstanceOf(NetlinkError);
    expect(dup.code).toBe("EEXIST");
    const nodev = await rt.neigh.add({ dev: "nope0", to: "10.0.0.9" }).catch((e) => e);
    expect(nodev.code).toBe("ENODEV");
    const bad = await rt.neigh.add({ dev: "veth0", to: "10.0.0.9", lladdr: "02:00:00:00:00" + ":zz" }).catch((e) => e);
    expect(bad).toBeInstanceOf(NlkitInputError);
    const mismatch = await rt.neigh.add({ dev: "veth0", to: "10.0.0.9", family: 6 }).catch((e) => e);
    expect(mismatch).toBeInstanceOf(NlkitInputError);
    const missing = await rt.neigh.del({ dev: "veth0", to: "10.0.0.99" }).catch((e) => e);
    expect(missing.code).toBe("ENOENT");
    expect(snapshot()).toEqual(before);
  });
  it("flush of fdb entries deletes a bridge port's dynamic entries and a vxlan's remotes, keeping permanent ones, as bridge fdb shows", async () => {
    ip(["link", "add", "br9", "type", "bridge"], name);
    ip(["link", "add", "p9", "type", "veth", "peer", "name", "p9peer"], name);
    ip(["link", "set", "p9", "master", "br9", "up"], name);
    // a bridge takes dynamic entries only on a forwarding port; with learning off, only the test's own are there
    ip(["link", "set", "p9", "type", "bridge_slave", "learning", "off"], name);
    ip(["link", "set", "p9peer", "up"], name);
    ip(["link", "set", "br9", "up"], name);
    await rt.neigh.add({ family: "bridge", dev: "p9", lladdr: "02:00:00:00:09:01", master: true, state: "dynamic" });
    await rt.neigh.add({ family: "bridge", dev: "p9", lladdr: "02:00:00:00:09:02", master: true, state: "dynamic" });
    await rt.neigh.add({ family: "bridge", dev: "p9", lladdr: "02:00:00:00:09:03", master: true, state: "permanent" });
    await rt.neigh.append({ family: "bridge", dev: "vx0", lladdr: "00:00:00:00:00:00", dst: "10.0.0.21" });
    await rt.neigh.add({ family: "bridge", dev: "vx0", lladdr: "02:00:00:00:09:04", dst: "10.0.0.22", port: 4790, vni: 100, via: "veth0", state: "dynamic" });
    const macs = (dev: string): string[] => bridgeJson(["fdb", "show", "dev", dev]).map((j: { mac: string; dst?: string }) => `${j.mac}${j.dst ? ` ${j.dst}` : ""}`).sort();
    const before = { p9: macs("p9"), vx0: macs("vx0") };
    expect(before.p9).toEqual(expect.arrayContaining(["02:00:00:00:09:01", "02:00:00:00:09:02", "02:00:00:00:09:03"]));
    // the port's dynamic entries go; its permanent ones (its own MAC too) stay
    const gone = await rt.neigh.flush({ family: "bridge", dev: "p9" });
    expect(gone).toBe(2);
    expect(macs("p9")).toEqual(before.p9.filter((m) => m !== "02:00:00:00:09:01" && m !== "02:00:00:00:09:02"));
    // every vxlan remote is permanent unless added otherwise: the dynamic one goes, named by its dst, port and VNI
    expect(await rt.neigh.flush({ family: "bridge", dev: "vx0" })).toBe(1);
    expect(macs("vx0")).toEqual(before.vx0.filter((m) => m !== "02:00:00:00:09:04 10.0.0.22"));
    expect(await rt.neigh.flush({ family: "bridge", dev: "vx0", state: "permanent" })).toBeGreaterThan(0);
    expect(macs("vx0")).toEqual([]);
  });
});
