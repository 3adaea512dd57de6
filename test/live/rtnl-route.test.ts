import { afterAll, beforeAll, expect, it } from "vitest";
import { NetlinkError, NlkitInputError } from "../../src/netlink/errors.js";
import { routeToIpJson } from "../../src/rtnl/json/route.js";
import { Rtnl } from "../../src/rtnl/rtnl.js";
import { describeLive, ip, ipJson, TestNamespaces } from "../helpers/live.js";

describeLive("rtnl route (live, checked against ip -j)", () => {
  const ns = new TestNamespaces("ra-route");
  let name: string;
  let rt: Rtnl;

  beforeAll(() => {
    name = ns.create("a");
    ip(["link", "add", "veth0", "type", "veth", "peer", "name", "veth1"], name);
    ip(["link", "set", "veth0", "up"], name);
    ip(["link", "set", "veth1", "up"], name);
    ip(["addr", "add", "10.0.0.2/24", "dev", "veth0"], name);
    ip(["addr", "add", "10.2.0.2/24", "dev", "veth1"], name);
    ip(["addr", "add", "2001:db8::2/64", "dev", "veth0", "nodad"], name);
    rt = Rtnl.openSync({ netns: name });
  });
  afterAll(() => {
    rt?.close();
    ns.cleanup();
  });

  const same = async (ipArgs: string[], list: Parameters<Rtnl["route"]["list"]>[0], opts: Parameters<typeof routeToIpJson>[1]) => {
    const want = ipJson<unknown[]>(["route", "show", ...ipArgs], name);
    const got = (await rt.route.list(list)).map((r) => routeToIpJson(r, opts));
    expect(got).toEqual(want);
    return got;
  };

  it("adds v4/v6 routes in main, 100 and 1000, multipath, blackhole/unreachable/prohibit, metrics", async () => {
    await rt.route.add({ dst: "default", gateway: "10.0.0.1" });
    await rt.route.add({ dst: "10.1.0.0/24", gateway: "10.0.0.1", metric: 50, src: "10.0.0.2" });
    await rt.route.add({ dst: "10.3.0.0/24", dev: "veth0" });
    await rt.route.add({ dst: "10.4.0.0/24", gateway: "10.0.0.1", table: 100, protocol: "static" });
    await rt.route.add({ dst: "10.5.0.0/24", gateway: "10.0.0.1", table: 1000 });
    await rt.route.add({ dst: "10.6.0.0/24", nexthops: [{ gateway: "10.0.0.1", weight: 1 }, { gateway: "10.2.0.1", dev: "veth1", weight: 3 }] });
    await rt.route.add({ dst: "10.9.0.0/24", type: "blackhole" });
    await rt.route.add({ dst: "10.9.1.0/24", type: "unreachable" });
    await rt.route.add({ dst: "10.9.2.0/24", type: "prohibit", table: 100 });
    await rt.route.add({ dst: "10.7.0.0/24", gateway: "10.0.0.1", mtu: 1400, advmss: 1360, metrics: { lock: ["mtu"] } });
    await rt.route.add({ dst: "192.168.99.0/24", gateway: "192.168.99.1", dev: "veth0", onlink: true });
    await rt.route.add({ dst: "2001:db8:1::/64", gateway: "2001:db8::1" });
    await rt.route.add({ dst: "2001:db8:5::/64", dev: "veth0", metric: 10, table: 1000 });

    await same([], { family: 4 }, { filtered: { table: true } });
    await same(["table", "100"], { family: 4, table: 100 }, { filtered: { table: true } });
    await same(["table", "1000"], { family: 4, table: 1000 }, { filtered: { table: true } });
    const v6t = ipJson<unknown[]>(["-6", "route", "show", "table", "1000"], name);
    expect((await rt.route.list({ family: 6, table: 1000 })).map((r) => routeToIpJson(r, { filtered: { table: true } }))).toEqual(v6t);
    const all = ipJson<unknown[]>(["-d", "route", "show", "table", "all"], name);
    expect((await rt.route.list({ table: "all" })).map((r) => routeToIpJson(r, { details: true }))).toEqual(all);
    const v6 = ipJson<unknown[]>(["-6", "route", "show"], name);
    expect((await rt.route.list({ family: 6 })).map((r) => routeToIpJson(r, { filtered: { table: true } }))).toEqual(v6);

    const mp = (await rt.route.list({ family: 4 })).find((r) => r.dst === "10.6.0.0/24")!;
    expect(mp.nexthops!.map((n) => [n.gateway, n.dev, n.weight])).toEqual([["10.0.0.1", "veth0", 1], ["10.2.0.1", "veth1", 3]]);
    const m = (await rt.route.list({ family: 4 })).find((r) => r.dst === "10.7.0.0/24")!;
    expect(m.metrics).toEqual({ mtu: 1400, advmss: 1360, lock: ["mtu"] });
    expect((await rt.route.list({ family: 4, table: 1000 }))[0]).toMatchObject({ table: 1000, gateway: "10.0.0.1", dev: "veth0" });
  });

  it("filters in the kernel by dev, protocol and type", async () => {
    // deliberate difference: the kernel's device filter also keeps multipath routes with a next
    // hop on the device; ip filters again on RTA_OIF and drops them
    const want = ipJson<unknown[]>(["route", "show", "dev", "veth1"], name);
    const byDev = await rt.route.list({ family: 4, dev: "veth1" });
    expect(byDev.filter((r) => !r.nexthops).map((r) => routeToIpJson(r, { filtered: { table: true, dev: true } }))).toEqual(want);
    expect(byDev.filter((r) => r.nexthops).map((r) => r.dst)).toEqual(["10.6.0.0/24"]);
    await same(["proto", "static", "table", "100"], { family: 4, table: 100, protocol: "static" }, { filtered: { table: true, protocol: true } });
    await same(["type", "blackhole"], { family: 4, type: "blackhole" }, { filtered: { table: true } });
    expect(await rt.route.list({ family: 4, table: 4242 })).toEqual([]);
  });

  it("route get answers what ip route get answers", async () => {
    for (const [to, opts, args] of [
      ["10.0.0.5", {}, []],
      ["10.1.0.7", {}, []],
      ["8.8.8.8", { mark: 7 }, ["mark", "7"]],
      ["2001:db8:1::9", {}, []],
      ["10.2.0.9", { oif: "veth1" }, ["oif", "veth1"]],
    ] as const) {
      const want = ipJson<unknown[]>(["route", "get", to, ...args], name);
      const got = await rt.route.get(to, opts);
      expect([routeToIpJson(got)]).toEqual(want);
    }
    const r = await rt.route.get("10.1.0.7");
    expect(r).toMatchObject({ gateway: "10.0.0.1", dev: "veth0", table: 254, type: "unicast" });
  });

  it("append, replace and del like ip", async () => {
    await rt.route.replace({ dst: "10.1.0.0/24", gateway: "10.0.0.3", metric: 50 });
    expect((await rt.route.list({ family: 4 })).find((r) => r.dst === "10.1.0.0/24")!.gateway).toBe("10.0.0.3");
    await rt.route.append({ dst: "2001:db8:1::/64", gateway: "2001:db8::3" });
    const v6 = ipJson<unknown[]>(["-6", "route", "show"], name);
    expect((await rt.route.list({ family: 6 })).map((r) => routeToIpJson(r, { filtered: { table: true } }))).toEqual(v6);
    // IPv6 merges an appended route with the same key into one multipath route
    expect((v6.find((r) => (r as { dst: string }).dst === "2001:db8:1::/64") as { nexthops: unknown[] }).nexthops).toHaveLength(2);
    await rt.route.del({ dst: "10.1.0.0/24", metric: 50 });
    await rt.route.del({ dst: "10.5.0.0/24", table: 1000 });
    await rt.route.del({ dst: "10.9.2.0/24", type: "prohibit", table: 100 });
    await same([], { family: 4 }, { filtered: { table: true } });
    expect(ipJson<unknown[]>(["route", "show", "table", "1000"], name)).toEqual([]);
  });

  it("errors are typed and leave nothing behind", async () => {
    const before = ip(["-d", "route", "show", "table", "all"], name);
    const cases: Array<[Promise<unknown>, string, string?]> = [
      [rt.route.add({ dst: "10.3.0.0/24", dev: "veth0" }), "EEXIST"],
      [rt.route.add({ dst: "10.8.0.0/24", dev: "nope0" }), "ENODEV"],
      [rt.route.add({ dst: "10.8.0.0/24", gateway: "192.168.5.1" }), "ENETUNREACH"],
      [rt.route.del({ dst: "10.77.0.0/24" }), "ESRCH"],
      [rt.route.add({ dst: "10.8.0.0/33", dev: "veth0" }), "EINVAL", "dst"],
      [rt.route.add({ dst: "fd00::/64", gateway: "10.0.0.1" }), "EINVAL", "gateway"],
      [rt.route.add({ dst: "10.8.0.0/24", table: "nosuch" as "main", dev: "veth0" }), "EINVAL", "table"],
    ];
    for (const [p, code, field] of cases) {
      const e = await p.catch((x: unknown) => x) as { code: string; field?: string };
      expect(e, code).toBeInstanceOf(field ? NlkitInputError : NetlinkError);
      expect(e.code).toBe(code);
      if (field) expect(e.field).toBe(field);
    }
    expect(ip(["-d", "route", "show", "table", "all"], name)).toBe(before);
  });

  it("a batch of 1000 adds (one duplicate), a list and 1000 deletes", async () => {
    const dsts = Array.from({ length: 1000 }, (_, i) => `172.${16 + (i >> 8)}.${i & 255}.0/24`);
    dsts[500] = dsts[499]!;
    const b = rt.batch();
    for (const dst of dsts) void b.route.add({ dst, gateway: "10.0.0.1", table: 1000 });
    const out = await b.send();
    expect(out.ok).toBe(999);
    expect(out.errors.map((e) => [e.code, e.request?.index])).toEqual([["EEXIST", 500]]);
    const listed = await rt.route.list({ family: 4, table: 1000 });
    expect(listed.filter((r) => !r.dst.startsWith("172.")).map((r) => r.dst)).toEqual([]);
    expect(listed.length).toBe(999);
    expect(ipJson<unknown[]>(["route", "show", "table", "1000"], name).length).toBe(999);
    const d = rt.batch();
    for (const r of listed) void d.route.del({ dst: r.dst, table: 1000 });
    const gone = await d.send();
    expect(gone).toMatchObject({ ok: 999, errors: [] });
    expect(await rt.route.list({ family: 4, table: 1000 })).toEqual([]);
  });
});
