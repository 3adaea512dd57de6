import { afterAll, beforeAll, expect, it } from "vitest";
import { NLM_F_DUMP_FILTERED } from "../../src/netlink/constants.js";
import { NetlinkError, NlkitInputError } from "../../src/netlink/errors.js";
import { encodeLinkRequest, linkMessage, linksToIpJson, linkToIpJson, type Link, type LinkAddSpec } from "../../src/rtnl/link/index.js";
import { Rtnl } from "../../src/rtnl/rtnl.js";
import { describeLive, ip, ipJson, TestNamespaces } from "../helpers/live.js";

const RTM_GETLINK = 18;

// Bridge timers tick between nlkit's read and ip's: compare everything else.
const MOVING = new Set(["gc_timer", "hello_timer", "tcn_timer", "topology_change_timer", "forward_delay_timer", "message_age_timer", "hold_timer"]);
function stripMoving(j: any): any {
  if (Array.isArray(j)) return j.map(stripMoving);
  if (j && typeof j === "object") return Object.fromEntries(Object.entries(j).filter(([k]) => !MOVING.has(k)).map(([k, v]) => [k, stripMoving(v)]));
  return j;
}

async function expectSameAsIp(rt: Rtnl, ns: string, name: string): Promise<Link> {
  const links = await rt.link.list();
  const link = links.find((l) => l.name === name);
  expect(link, `${name} in nlkit's list`).toBeDefined();
  const names = new Map(links.map((l) => [l.index, l] as const));
  const want = ipJson(["-d", "link", "show", "dev", name], ns)[0];
  expect(stripMoving(linkToIpJson(link!, names))).toEqual(stripMoving(want));
  return link!;
}

async function kernelError(p: Promise<unknown>): Promise<NetlinkError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(NetlinkError);
  return e as NetlinkError;
}

describeLive("rtnl link (live, fresh namespaces)", () => {
  const ns = new TestNamespaces("lnk");
  let a = "";
  let b = "";
  let rt: Rtnl;
  let rtB: Rtnl;

  beforeAll(() => {
    a = ns.create("a");
    b = ns.create("b");
    rt = Rtnl.openSync({ netns: a });
    rtB = Rtnl.openSync({ netns: b });
  });
  afterAll(() => {
    rt?.close();
    rtB?.close();
    ns.cleanup();
  });

  it("veth with its peer created directly in another namespace, with address and mtu", async () => {
    await rt.link.add({
      name: "v0", kind: "veth", address: "02:00:00:00:aa:01", mtu: 1450, up: true,
      peer: { name: "v0p", netns: b, address: "02:00:00:00:aa:02", mtu: 1400 },
    });
    const j = ipJson(["-d", "link", "show", "dev", "v0"], a)[0];
    expect(j.address).toBe("02:00:00:00:aa:01");
    expect(j.mtu).toBe(1450);
    expect(j.flags).toContain("UP");
    expect(j.linkinfo.info_kind).toBe("veth");
    const p = ipJson(["-d", "link", "show", "dev", "v0p"], b)[0];
    expect(p.address).toBe("02:00:00:00:aa:02");
    expect(p.mtu).toBe(1400);
    const link = await expectSameAsIp(rt, a, "v0");
    expect(link.linkNetnsid).toBeTypeOf("number");
    expect(link.link).toBe(p.ifindex);
    const peer = await rtB.link.get("v0p");
    expect(peer).toMatchObject({ name: "v0p", address: "02:00:00:00:aa:02", mtu: 1400, kind: "veth" });
  });

  it("bridge with stp and forward delay (centiseconds), all in one request with up", async () => {
    await rt.link.add({ name: "br0", kind: "bridge", up: true, bridge: { stp: true, forwardDelay: 400 } });
    const j = ipJson(["-d", "link", "show", "dev", "br0"], a)[0];
    expect(j.linkinfo.info_data.stp_state).toBe(1);
    expect(j.linkinfo.info_data.forward_delay).toBe(400);
    const link = await expectSameAsIp(rt, a, "br0");
    expect(link.infoData).toMatchObject({ stpState: 1, forwardDelay: 400 });
  });

  it("bridge VLAN filtering: the kernel's own refusal, and nothing left behind", async () => {
    const e = await kernelError(rt.link.add({ name: "brv", kind: "bridge", bridge: { vlanFiltering: true, vlanDefaultPvid: 1 } }));
    expect(e.code).toBe("EOPNOTSUPP");
    expect(ip(["link", "show"], a)).not.toContain("brv");
  });

  it("veth port created enslaved and up in one request; bridge port data decodes like ip", async () => {
    await rt.link.add({ name: "p1", kind: "veth", master: "br0", up: true, peer: { name: "p1p" } });
    await rt.link.set("p1p", { up: true });
    const j = ipJson(["-d", "link", "show", "dev", "p1"], a)[0];
    expect(j.master).toBe("br0");
    expect(j.linkinfo.info_slave_kind).toBe("bridge");
    const link = await expectSameAsIp(rt, a, "p1");
    expect(link.slaveKind).toBe("bridge");
    expect((await rt.link.get("p1p")).up).toBe(true);
  });

  it("master and port options in one set(): enslaved, then the options; a refused option leaves the previous master", async () => {
    await rt.link.add({ name: "br7", kind: "bridge" });
    await rt.link.add({ name: "p7", kind: "veth", peer: { name: "p7p" } });
    await rt.link.set("p7", { master: "br7", bridgeSlave: { cost: 7, learning: false } });
    let j = ipJson(["-d", "link", "show", "dev", "p7"], a)[0];
    expect([j.master, j.linkinfo.info_slave_data.cost, j.linkinfo.info_slave_data.learning]).toEqual(["br7", 7, false]);
    // the kernel refuses a port state under STP (br0 has it on): the link goes back to br7 (a new
    // port there, with the bridge's default port options)
    const e = await kernelError(rt.link.set("p7", { master: "br0", bridgeSlave: { state: "forwarding" } }));
    expect(e.code).toBe("EBUSY");
    j = ipJson(["-d", "link", "show", "dev", "p7"], a)[0];
    expect(j.master).toBe("br7");
    await rt.link.del("p7");
    await rt.link.del("br7");
  });

  it("vxlan with id, remote, local, dstport, dev, ttl, nolearning", async () => {
    await rt.link.add({ name: "vx0", kind: "vxlan", vxlan: { id: 42, remote: "192.0.2.1", local: "192.0.2.2", port: 4789, dev: "v0", ttl: 64, learning: false } });
    const d = ipJson(["-d", "link", "show", "dev", "vx0"], a)[0].linkinfo.info_data;
    expect(d).toMatchObject({ id: 42, remote: "192.0.2.1", local: "192.0.2.2", port: 4789, link: "v0", ttl: 64, learning: false });
    await expectSameAsIp(rt, a, "vx0");
  });

  it("macvlan and macvtap on a lower device", async () => {
    await rt.link.add({ name: "mv0", kind: "macvlan", link: "v0", macvlan: { mode: "bridge" } });
    await rt.link.add({ name: "mvt0", kind: "macvtap", link: "v0", macvtap: { mode: "vepa" } });
    expect(ipJson(["-d", "link", "show", "dev", "mv0"], a)[0].linkinfo.info_data.mode).toBe("bridge");
    expect(ipJson(["-d", "link", "show", "dev", "mvt0"], a)[0].linkinfo.info_data.mode).toBe("vepa");
    await expectSameAsIp(rt, a, "mv0");
    await expectSameAsIp(rt, a, "mvt0");
  });

  it("tap and tun through /dev/net/tun, opened inside the handle's namespace", async () => {
    await rt.link.add({ name: "tap0", kind: "tap", mtu: 1300, up: true, tuntap: { owner: 0 } });
    await rt.link.add({ name: "tun0", kind: "tun", tuntap: { multiQueue: true } });
    const tap = ipJson(["-d", "link", "show", "dev", "tap0"], a)[0];
    expect(tap.linkinfo.info_kind).toBe("tun");
    expect(tap.linkinfo.info_data).toMatchObject({ type: "tap", pi: false, persist: true });
    expect(tap.mtu).toBe(1300);
    expect(tap.flags).toContain("UP");
    const tun = ipJson(["-d", "link", "show", "dev", "tun0"], a)[0];
    expect(tun.linkinfo.info_data).toMatchObject({ type: "tun", multi_queue: true, persist: true });
    expect(tun.link_type).toBe("none");
    // nothing leaked into the test runner's own namespace
    expect(() => ip(["link", "show", "dev", "tap0"])).toThrow();
    const link = await rt.link.get("tap0");
    expect(link.infoData).toMatchObject({ type: "tap", persist: 1 });
    expect(linkToIpJson(link).linkinfo).toMatchObject({ info_kind: "tun", info_data: { type: "tap", persist: true } });
    // kind "tun" is the kernel's, taps included (as ip link show type tun); "tap" only the taps
    expect((await rt.link.list({ kind: "tun" })).map((l) => l.name).sort()).toEqual(["tap0", "tun0"]);
    expect((await rt.link.list({ kind: "tap" })).map((l) => l.name)).toEqual(["tap0"]);
    expect((await rt.link.list({ kind: "tap", fields: ["mtu"] })).map((l) => [l.name, l.mtu])).toEqual([["tap0", 1300]]);
  });

  it("a failing tap add leaves no device behind", async () => {
    const e = await kernelError(rt.link.add({ name: "tap1", kind: "tap", master: "v0" }));
    expect(e.errno).toBeGreaterThan(0);
    expect(() => ip(["link", "show", "dev", "tap1"], a)).toThrow();
  });

  it("sets every settable field, checked with ip", async () => {
    await rt.link.add({ name: "s0", kind: "veth", peer: { name: "s0p" } });
    await rt.link.set("s0", { up: true, mtu: 1400, address: "02:00:00:00:bb:01", alias: "uplink", txqueuelen: 500, group: 5 });
    let j = ipJson(["-d", "link", "show", "dev", "s0"], a)[0];
    expect(j).toMatchObject({ mtu: 1400, address: "02:00:00:00:bb:01", ifalias: "uplink", txqlen: 500, group: "5" });
    expect(j.flags).toContain("UP");
    await expectSameAsIp(rt, a, "s0");
    await rt.link.set("s0", { master: "br0" });
    expect(ipJson(["link", "show", "dev", "s0"], a)[0].master).toBe("br0");
    await rt.link.set("s0", { master: null });
    expect(ipJson(["link", "show", "dev", "s0"], a)[0].master).toBeUndefined();
    await rt.link.set("s0", { up: false, name: "lan0" });
    j = ipJson(["link", "show", "dev", "lan0"], a)[0];
    expect(j.flags).not.toContain("UP");
    await rt.link.set("lan0", { netns: b });
    expect(ipJson(["link", "show", "dev", "lan0"], b)[0].ifname).toBe("lan0");
    await rtB.link.set("lan0", { netns: { netnsPath: `/run/netns/${a}` } });
    expect(ipJson(["link", "show", "dev", "lan0"], a)[0].ifname).toBe("lan0");
  });

  it("moving to a missing namespace: typed error, nothing changed", async () => {
    const before = ipJson(["link", "show", "dev", "lan0"], a)[0];
    const e = await rt.link.set("lan0", { netns: "nlkit-no-such-ns-lnk", mtu: 1280 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NlkitInputError);
    expect((e as NlkitInputError).code).toBe("ENOENT");
    expect((e as NlkitInputError).field).toBe("netns");
    expect(ipJson(["link", "show", "dev", "lan0"], a)[0]).toEqual(before);
  });

  it("lists with kind and master filters, filtered by the kernel", async () => {
    const veths = await rt.link.list({ kind: "veth" });
    expect(veths.map((l) => l.name).sort()).toEqual(["lan0", "p1", "p1p", "s0p", "v0"]);
    const ports = await rt.link.list({ master: "br0" });
    expect(ports.map((l) => l.name)).toEqual(["p1"]);
    expect((await rt.link.list({ kind: "tap" })).map((l) => l.name)).toEqual(["tap0"]);
    expect((await rt.link.list({ kind: "tun" })).map((l) => l.name).sort()).toEqual(["tap0", "tun0"]);
    // the kernel itself filtered: NLM_F_DUMP_FILTERED on each reply, and only matching links sent
    const raw = await rt.socket.dump(
      { type: RTM_GETLINK, def: linkMessage, encode: (w) => encodeLinkRequest(w, { header: {}, attrs: { master: ports[0]!.master, linkinfo: { kind: "veth" } } }) },
      (buf, start) => buf.readUInt16LE(start + 6),
    );
    expect(raw.length).toBe(1);
    expect(raw[0]! & NLM_F_DUMP_FILTERED).toBe(NLM_F_DUMP_FILTERED);
    // a kind without a loaded module is not filtered by the kernel: nlkit filters it
    expect(await rt.link.list({ kind: "dummy" })).toEqual([]);
  });

  it("fields: a projected list has just those properties, equal to ip's, filters still apply", async () => {
    const slim = await rt.link.list({ fields: ["mtu", "operstate", "kind", "up"] });
    const ipLinks = ipJson(["-d", "link", "show"], a) as Array<Record<string, any>>;
    expect(slim.map((l) => l.name)).toEqual(ipLinks.map((l) => l.ifname));
    for (const [i, l] of slim.entries()) {
      const want = ipLinks[i]!;
      expect(l.index).toBe(want.ifindex);
      expect(l.mtu).toBe(want.mtu);
      expect(l.operstate).toBe(want.operstate);
      expect(l.kind).toBe(want.linkinfo?.info_kind);
      expect(l.up).toBe((want.flags as string[]).includes("UP"));
      expect(Object.keys(l).every((k) => ["index", "name", "mtu", "operstate", "kind", "up"].includes(k))).toBe(true);
    }
    // complete Links read their lazy parts from the dump's datagrams, untouched by later requests
    // Counters, IPv6 state flags and timers move between two dumps of fresh links (DAD, router
    // solicitations, the randomised reachable time): compare what stays put; counters only grow.
    const movingAcrossDumps = new Set(["stats", "icmp6stats", "cacheinfo", "flags", "carrierChanges", "carrierUpCount", "carrierDownCount"]);
    const lazyParts = (links: Link[]) =>
      JSON.stringify(links.map((l) => [l.name, l.afSpec, l.stats64 !== undefined, l.other]), (k, v: unknown) =>
        movingAcrossDumps.has(k) ? undefined : typeof v === "bigint" ? `${v}` : v);
    const earlier = await rt.link.list();
    const later = await rt.link.list();
    const want = lazyParts(later);
    rt.socket.receiveBuffer.fill(0xee); // whatever later requests leave there
    expect(lazyParts(earlier)).toEqual(want);
    for (const [i, l] of earlier.entries()) {
      expect(l.stats64!.rxPackets).toBeLessThanOrEqual(later[i]!.stats64!.rxPackets);
      expect(l.stats64!.txBytes).toBeLessThanOrEqual(later[i]!.stats64!.txBytes);
    }
    expect(earlier.find((l) => l.name === "lo")!.afSpec?.inet6?.conf).toBeDefined();
    const ports = await rt.link.list({ master: "br0", fields: ["mtu"] });
    expect(ports.map((l) => l.name)).toEqual(["p1"]);
    await expect(rt.link.list({ fields: ["bogus" as "mtu"] })).rejects.toThrow(/unknown link field "bogus"/);
  });

  it("a whole dump maps to ip -j -d link show", async () => {
    const got = stripMoving(linksToIpJson(await rt.link.list()));
    expect(got).toEqual(stripMoving(ipJson(["-d", "link", "show"], a)));
  });

  it("add fails EEXIST; replace and ensure semantics", async () => {
    const dup = await kernelError(rt.link.add({ name: "br0", kind: "bridge" }));
    expect(dup.code).toBe("EEXIST");
    expect(await rt.link.ensure({ name: "br0", kind: "bridge" })).toBe(false);
    expect(await rt.link.ensure({ name: "br1", kind: "bridge" })).toBe(true);
    expect(ipJson(["link", "show", "dev", "br1"], a)[0].ifname).toBe("br1");
    const other = await kernelError(rt.link.ensure({ name: "br1", kind: "veth", peer: { name: "x1" } }));
    expect(other.code).toBe("EEXIST");
    expect(other.message).toContain("bridge");
    // NLM_F_CREATE|NLM_F_REPLACE (ip link replace): creates when missing...
    await rt.link.add({ name: "br2", kind: "bridge" }, { replace: true });
    expect(ipJson(["link", "show", "dev", "br2"], a)[0].ifname).toBe("br2");
    // ...and the kernel refuses to replace an existing link, exactly as for `ip link replace`
    const rep = await kernelError(rt.link.add({ name: "br2", kind: "bridge" }, { replace: true }));
    const viaIp = (() => { try { ip(["link", "replace", "br2", "type", "bridge"], a); return "ok"; } catch (e) { return String((e as { stderr?: string }).stderr); } })();
    expect(viaIp).toContain(rep.kernelMessage);
  });

  it("unknown devices: ENODEV, 'Cannot find device'", async () => {
    for (const p of [rt.link.get("nosuch0"), rt.link.set("nosuch0", { up: true }), rt.link.del("nosuch0"), rt.link.get(99999)]) {
      const e = await kernelError(p);
      expect(e.code).toBe("ENODEV");
    }
    const e = await kernelError(rt.link.del("nosuch0"));
    expect(e.message).toContain('Cannot find device "nosuch0"');
  });

  it("invalid names are refused before anything is sent", async () => {
    for (const name of ["a234567890123456", "a/b", "a b", "tab\there"]) {
      const e = await rt.link.add({ name, kind: "bridge" }).catch((x: unknown) => x);
      expect(e, name).toBeInstanceOf(NlkitInputError);
      expect((e as NlkitInputError).field).toBe("name");
    }
    expect(ip(["link", "show"], a)).not.toContain("a234567890123");
  });

  it("the kinds this kernel lacks answer EOPNOTSUPP 'Unknown device type'", async () => {
    const e = await kernelError(rt.link.add({ name: "dum0", kind: "dummy" }));
    expect(e.code).toBe("EOPNOTSUPP");
    expect(e.kernelMessage).toBe("Unknown device type");
  });

  const ABSENT: LinkAddSpec[] = [
    { name: "vl0", kind: "vlan", link: "v0", vlan: { id: 100 } },
    { name: "ipv0", kind: "ipvlan", link: "v0", ipvlan: { mode: "l2" } },
    { name: "bond0", kind: "bond", bond: { mode: "802.3ad" } },
    { name: "vrf10", kind: "vrf", vrf: { table: 10 } },
    { name: "gnv0", kind: "geneve", geneve: { id: 5, remote: "192.0.2.9" } },
    { name: "gre1", kind: "gre", gre: { local: "192.0.2.2", remote: "192.0.2.1", ttl: 64 } },
    { name: "gretap1", kind: "gretap", gretap: { local: "192.0.2.2", remote: "192.0.2.1" } },
    { name: "ipip1", kind: "ipip", ipip: { local: "192.0.2.2", remote: "192.0.2.1" } },
    { name: "wg0", kind: "wireguard" },
    { name: "dum1", kind: "dummy" },
  ];
  for (const spec of ABSENT) {
    it(`${spec.kind}: created and checked with ip where the kernel has it`, async (ctx) => {
      const err = await rt.link.add(spec).then(() => undefined, (e: unknown) => e);
      if (err instanceof NetlinkError && err.code === "EOPNOTSUPP") {
        expect(err.kernelMessage).toBe("Unknown device type");
        ctx.skip(`kernel: ${err.kernelMessage} (${spec.kind})`);
        return;
      }
      expect(err).toBeUndefined();
      expect(ipJson(["-d", "link", "show", "dev", spec.name], a)[0].linkinfo.info_kind).toBe(spec.kind);
      await expectSameAsIp(rt, a, spec.name);
    });
  }

  it("del removes links", async () => {
    for (const name of ["mvt0", "mv0", "vx0", "tap0", "tun0", "br1", "br2"]) await rt.link.del(name);
    const left = ipJson(["link", "show"], a).map((l: { ifname: string }) => l.ifname).sort();
    expect(left).toEqual(["br0", "lan0", "lo", "p1", "p1p", "s0p", "v0"].sort());
  });
});
