import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  Conntrack, constants, decodeMessage, MonitorOverrun, NetlinkError, NetlinkMonitor, NetlinkSocket, Nft, nftExpr as x, netns, ping,
  Rtnl, RTNLGRP, attrSet, struct, sysctl,
} from "../../src/index.js";
import { describeLive, hasCommand, ipJson, TestNamespaces } from "../helpers/live.js";

// The README's examples, run as written but inside throwaway namespaces: the docs stay true.
describeLive("README examples (live)", () => {
  const ns = new TestNamespaces("readme");
  let ns1 = "", ns2 = "";
  let rt: Rtnl;
  beforeAll(async () => {
    ns1 = ns.create("ns1");
    ns2 = ns.create("ns2");
    rt = await Rtnl.open({ netns: ns1 });
  });
  afterAll(() => {
    rt?.close();
    ns.cleanup();
  });

  it("the opening example", async () => {
    await rt.link.add({ name: "veth1", kind: "veth", peer: { name: "veth2", netns: ns2 } });
    await rt.addr.add("veth1", "10.0.0.1/24");
    await rt.link.set("veth1", { up: true });
    await rt.route.add({ dst: "default", gateway: "10.0.0.2" });
    expect(ipJson(["route", "show", "default"], ns1)[0]).toMatchObject({ gateway: "10.0.0.2", dev: "veth1" });
  });

  it("links", async () => {
    await rt.link.add({ name: "br0", kind: "bridge", bridge: { stp: true, forwardDelay: 400 } });
    await rt.link.add({ name: "vx0", kind: "vxlan", vxlan: { id: 42, remote: "192.0.2.1", port: 4789, dev: "veth1", learning: false } });
    await rt.link.add({ name: "mv0", kind: "macvlan", link: "veth1", macvlan: { mode: "bridge" } });
    await rt.link.add({ name: "tap0", kind: "tap", tuntap: { owner: 1000 } });
    await rt.link.add({ name: "v1", kind: "veth", mtu: 1400, master: "br0", up: true, peer: { name: "v1p", netns: ns2, address: "02:00:00:00:00:02" } });
    expect(await rt.link.ensure({ name: "br0", kind: "bridge" })).toBe(false);
    await rt.link.set("v1", { mtu: 9000, name: "eth1", address: "02:00:00:00:00:01", alias: "uplink", txqueuelen: 2000, group: 5 });
    await rt.link.set("eth1", { master: null });
    const lo = await rt.link.get("lo");
    expect(lo.flags).toContain("LOOPBACK");
    expect((await rt.link.list({ kind: "veth" })).map((l) => l.name).sort()).toEqual(["eth1", "veth1"]);
    await rt.link.set("eth1", { master: "br0" });
    expect((await rt.link.list({ master: "br0" })).map((l) => l.name)).toEqual(["eth1"]);
    const slim = await rt.link.list({ fields: ["mtu", "operstate"] });
    expect(slim.find((l) => l.name === "eth1")).toEqual({ index: expect.any(Number), name: "eth1", mtu: 9000, operstate: expect.any(String) });
    await rt.link.set("eth1", { netns: ns2 });
    await rt.link.del("tap0");
  });

  it("addresses, routes, neighbours, rules", async () => {
    await rt.addr.add("veth1", "10.0.0.5/24", { broadcast: "+", label: "veth1:web" });
    await rt.addr.add("veth1", "fd00::1/64", { flags: ["nodad", "noprefixroute"], validLft: 3600, preferredLft: 1800 });
    await rt.addr.replace("veth1", "10.0.0.5/24", { validLft: "forever" });
    const addrs = await rt.addr.list({ dev: "veth1", family: 4 });
    expect(addrs.map((a) => a.local)).toEqual(["10.0.0.1", "10.0.0.5"]);
    await rt.route.add({ dst: "10.1.0.0/16", dev: "veth1", src: "10.0.0.1", metric: 50, table: 1000, protocol: "static" });
    await rt.route.add({ dst: "10.2.0.0/16", nexthops: [{ gateway: "10.0.0.2", weight: 1 }, { gateway: "10.0.0.3", weight: 2 }] });
    await rt.route.add({ dst: "192.0.2.0/24", type: "blackhole" });
    await rt.route.add({ dst: "10.3.0.0/16", gateway: "10.0.0.2", mtu: 1400, advmss: 1360 });
    await rt.route.replace({ dst: "10.1.0.0/16", dev: "veth1", table: 1000 });
    expect((await rt.route.list({ family: 4, table: "main" })).length).toBeGreaterThan(3);
    expect(await rt.route.get("10.1.2.3")).toMatchObject({ gateway: "10.0.0.2" });
    await rt.route.del({ dst: "10.1.0.0/16", table: 1000 });
    await rt.neigh.add({ dev: "veth1", to: "10.0.0.2", lladdr: "02:00:00:00:00:02", state: "permanent" });
    await rt.neigh.replace({ dev: "veth1", to: "10.0.0.2", lladdr: "02:00:00:00:00:03", state: "reachable" });
    await rt.neigh.add({ dev: "veth1", to: "10.0.0.9", proxy: true });
    await rt.neigh.append({ family: "bridge", dev: "vx0", lladdr: "00:00:00:00:00:00", dst: "192.0.2.1", self: true });
    expect((await rt.neigh.list({ dev: "veth1" })).length).toBeGreaterThan(0);
    await rt.neigh.del({ dev: "veth1", to: "10.0.0.2" });
    await rt.rule.add({ priority: 1000, from: "10.0.0.0/8", table: 100 });
    await rt.rule.add({ priority: 1001, fwmark: 0x1, fwmask: 0xff, iif: "veth1", table: "main" });
    await rt.rule.add({ priority: 1002, to: "192.0.2.0/24", action: "blackhole" });
    expect((await rt.rule.list({ family: 4 })).length).toBeGreaterThanOrEqual(6);
    await rt.rule.del({ priority: 1000, from: "10.0.0.0/8", table: 100 });
  });

  it("traffic control", async () => {
    await rt.tc.qdisc.add({ dev: "veth1", parent: "root", handle: "1:", kind: "htb", htb: { default: 0x10 } });
    await rt.tc.class.add({ dev: "veth1", parent: "1:", classid: "1:10", kind: "htb", htb: { rate: "5mbit", ceil: "10mbit" } });
    await rt.tc.qdisc.add({ dev: "veth1", parent: "1:10", handle: "10:", kind: "tbf", tbf: { rate: "1mbit", burst: "32kb", latency: "50ms" } });
    await rt.tc.filter.add({ dev: "veth1", parent: "1:", protocol: "ip", pref: 10, kind: "u32",
      u32: { match: [{ ip: { dst: "10.0.0.2/32" } }], classid: "1:10" } });
    await rt.tc.qdisc.add({ dev: "veth1", kind: "clsact" });
    await rt.tc.filter.add({ dev: "veth1", parent: "egress", protocol: "ip", pref: 1, kind: "u32", u32: { match: [{ ip: { dst: "10.0.0.0/24" } }] },
      actions: [{ kind: "mirred", mirred: { action: "mirror", direction: "egress", dev: "lo" } }] });
    const qdiscs = await rt.tc.qdisc.list({ dev: "veth1" });
    expect(qdiscs.map((q) => [q.kind, q.handle, q.parent])).toEqual([["htb", "1:", "root"], ["tbf", "10:", "1:10"], ["clsact", "ffff:", "ingress"]]);
    expect(qdiscs[0]!.stats).toMatchObject({ packets: expect.any(Number), drops: 0 });
    await rt.tc.qdisc.del({ dev: "veth1", parent: "root" });
    await rt.tc.qdisc.del({ dev: "veth1", kind: "clsact" });
    expect((await rt.tc.qdisc.list({ dev: "veth1" })).map((q) => q.kind)).not.toContain("htb");
  });

  it("batches and errors", async () => {
    const b = rt.batch();
    for (let i = 0; i < 1000; i++) b.route.add({ dst: `10.200.${i >> 8}.${i & 255}/32`, gateway: "10.0.0.2" });
    b.route.add({ dst: "10.200.0.0/32", gateway: "10.0.0.2" });
    const { ok, errors } = await b.send();
    expect(ok).toBe(1000);
    expect(errors[0]).toMatchObject({ code: "EEXIST", request: { index: 1000 } });
    const e = await rt.link.add({ name: "d0", kind: "dummy" }).catch((err) => err);
    expect(e).toBeInstanceOf(NetlinkError);
    expect(e.message).toBe("Error: Unknown device type (EOPNOTSUPP, RTM_NEWLINK)");
    const dup = await rt.link.add({ name: "veth1", kind: "veth" }).catch((err) => err);
    expect(dup.message).toBe("RTNETLINK answers: File exists (EEXIST, RTM_NEWLINK)");
  });

  it("namespaces and sysctl", async () => {
    const name = ns.adopt(ns.name("made"));
    await netns.add(name);
    expect(await netns.list()).toContain(name);
    expect(await netns.exists(name)).toBe(true);
    const r = await netns.exec(name, "ip", ["-j", "addr"]);
    expect(JSON.parse(r.stdout).map((l: { ifname: string }) => l.ifname)).toEqual(["lo"]);
    const inode = netns.runSync(name, () => fs.statSync("/proc/thread-self/ns/net").ino);
    expect(BigInt(inode)).toBe(await netns.identify(name));
    await sysctl.set("net.ipv4.ip_forward", "1", { netns: name });
    expect(await sysctl.get("net.ipv4.conf.all.forwarding", { netns: name })).toBe("1");
    await netns.setId(ns2, 5, { in: name });
    expect(await netns.getId(ns2, { in: name })).toBe(5);
    await netns.del(name);
  });

  it("nftables in nft's language, and its builders", async () => {
    const nsNft = ns.create("nft");
    const nft = await Nft.open({ netns: nsNft });
    try {
      await nft.apply(`
define LAN = 10.0.0.0/24
table inet fw {
	counter ssh-hits {
	}
	map svc {
		type ipv4_addr . inet_service : verdict
		elements = { 10.0.0.2 . 80 : accept, 10.0.0.3 . 22 : jump ssh }
	}
	chain ssh {
		ip saddr $LAN counter name "ssh-hits" accept
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		ip daddr . tcp dport vmap @svc
	}
}
`, { filename: "fw.nft" });
      const oracle = execFileSync("ip", ["netns", "exec", nsNft, "nft", "list", "ruleset"], { encoding: "utf8" });
      expect(await nft.renderRuleset()).toBe(oracle);
      expect(oracle).toContain("ip daddr . tcp dport vmap @svc");
      expect(await nft.renderTable("inet", "fw")).toBe(execFileSync("ip", ["netns", "exec", nsNft, "nft", "list", "table", "inet", "fw"], { encoding: "utf8" }));
      const rs = await nft.ruleset();
      expect(() => JSON.stringify(rs)).not.toThrow();
      await nft.flushRuleset();
      expect(execFileSync("ip", ["netns", "exec", nsNft, "nft", "list", "ruleset"], { encoding: "utf8" })).toBe("");

      await nft.transaction((tx) => {
        tx.addTable({ family: "ip", name: "nat" });
        tx.addObject({ family: "ip", table: "nat", type: "counter", name: "forwarded" });
        tx.addSet({ family: "ip", table: "nat", name: "fwd", key: ["ipv4_addr", "inet_service"], map: ["ipv4_addr", "inet_service"],
          elements: [[["192.0.2.1", "80"], ["10.0.0.2", "8080"]]] });
        tx.addSet({ family: "ip", table: "nat", name: "blocked", key: "ipv4_addr", flags: ["interval", "timeout"], timeout: 3600,
          elements: ["198.51.100.0/24"] });
        tx.addChain({ family: "ip", table: "nat", name: "pre", type: "nat", hook: "prerouting", priority: "dstnat" });
        tx.addRule({ family: "ip", table: "nat", chain: "pre", expressions: [
          x.inSet(x.field("ip saddr"), "blocked"), x.drop(),
        ] });
        tx.addRule({ family: "ip", table: "nat", chain: "pre", expressions: [
          x.l4proto("tcp"), x.objref("counter", "forwarded"),
          x.natMap("dnat", [x.field("ip daddr"), x.field("tcp dport")], "fwd", { port: true }),
        ] });
      });
      await nft.transaction((tx) => { tx.addElements({ family: "ip", table: "nat", set: "fwd", elements: ["192.0.2.1 . 443 : 10.0.0.2 . 8443"] }); });
      const text = execFileSync("ip", ["netns", "exec", nsNft, "nft", "list", "ruleset"], { encoding: "utf8" });
      expect(text).toContain("dnat ip to ip daddr . tcp dport map @fwd");
      expect(text).toContain("192.0.2.1 . 443 : 10.0.0.2 . 8443");
      // an element's "expires" counts down between the two reads
      const timeless = (t: string) => t.replace(/ expires \S+/g, "");
      expect(timeless(await nft.renderRuleset())).toBe(timeless(text));
    } finally {
      nft.close();
    }
  });

  it("NAT with nftables", async () => {
    const nft = await Nft.open({ netns: ns1 });
    try {
      await nft.masquerade({ saddr: "10.0.0.0/24", notOifname: "br0" });
      await nft.portForward({ dport: 8080, to: "10.0.0.2:80" });
      await nft.transaction((tx) => {
        tx.addTable({ family: "inet", name: "fw" });
        tx.addChain({ family: "inet", table: "fw", name: "input", type: "filter", hook: "input", priority: "filter", policy: "drop" });
        tx.addRule({ family: "inet", table: "fw", chain: "input", expressions: [x.ctState("established", "related"), x.verdict("accept")] });
      });
      const text = await nft.renderRuleset();
      expect(text).toContain('ip saddr 10.0.0.0/24 oifname != "br0" masquerade');
      expect(text).toContain("ct state established,related accept");
      expect((await nft.ruleset()).tables.length).toBe(2);
      await nft.deleteTable({ family: "ip", name: "nat" });
    } finally {
      nft.close();
    }
  });

  it("probes and monitoring", async () => {
    ipJson(["link", "set", "veth2", "up"], ns2);
    ipJson(["addr", "add", "10.0.0.2/24", "dev", "veth2"], ns2);
    const r = await ping("10.0.0.2", { netns: ns1, count: 3, timeoutMs: 2000 });
    expect(r.received).toBeGreaterThan(0);
    const mon = NetlinkMonitor.open({ protocol: constants.NETLINK_ROUTE, groups: [RTNLGRP.link], netnsPath: `/run/netns/${ns1}` },
      (buf, start) => buf.readUInt16LE(start + 4));
    try {
      await rt.link.add({ name: "mon0", kind: "bridge" });
      const ev = await mon.next();
      expect(ev instanceof MonitorOverrun ? "overrun" : ev).toBe(16);
    } finally {
      await mon.close();
    }
  });

  it.skipIf(!hasCommand("conntrack"))("connection tracking (flows made with conntrack -I, the oracle)", async () => {
    const insert = (...args: string[]) => execFileSync("ip", ["netns", "exec", ns1, "conntrack", "-I", ...args, "-t", "60"], { stdio: "pipe" });
    insert("-p", "udp", "-s", "10.0.0.2", "-d", "198.51.100.1", "--sport", "41000", "--dport", "53", "-r", "198.51.100.1", "-q", "198.51.100.2",
      "--reply-port-src", "53", "--reply-port-dst", "61000");
    insert("-p", "udp", "-s", "10.0.0.7", "-d", "198.51.100.1", "--sport", "41001", "--dport", "53");
    insert("-p", "udp", "-s", "fd00::2", "-d", "fd00::1", "--sport", "5", "--dport", "6");
    const ct = await Conntrack.open({ netns: ns1 });
    const stop = new AbortController();
    try {
      const events = ct.events({ kinds: ["new", "destroy"], signal: stop.signal });
      const flows = await ct.list({ family: 4, proto: "udp", orig: { src: "10.0.0.2" } });
      expect(flows).toMatchObject([{ family: 4, proto: "udp", protoNum: 17, orig: { sport: 41000, dport: 53 }, reply: { dst: "198.51.100.2", dport: 61000 } }]);
      const flow = await ct.get({ proto: "udp", orig: { src: "10.0.0.2", dst: "198.51.100.1", sport: 41000, dport: 53 } });
      expect((await ct.get({ proto: "udp", reply: { src: "198.51.100.1", dst: "198.51.100.2", sport: 53, dport: 61000 } })).id).toBe(flow.id);
      expect(await ct.delete(flow)).toBe(1);
      // the udp flow of 10.0.0.7, and whatever the examples above left (their pings)
      expect(await ct.delete({ orig: { src: "10.0.0.0/24" } })).toBeGreaterThanOrEqual(1);
      expect(await ct.list({ orig: { src: "10.0.0.0/24" } })).toEqual([]);
      await ct.flush({ family: 4 });
      expect(await ct.count()).toBe((await ct.list({ family: 6 })).length);
      expect(await ct.list({ family: 6, orig: { src: "fd00::2" } })).toHaveLength(1);
      stop.abort();
      for await (const e of events) expect(e.kind).not.toBe("overrun");
    } finally {
      ct.close();
    }
  });

  it("another family: generic netlink's controller", async () => {
    const ctrl = attrSet("ctrl", "CTRL_ATTR_", { familyId: [1, "u16"], familyName: [2, "string"] }, { nestFlag: true });
    const genl = struct("genlmsghdr", [["cmd", "u8"], ["version", "u8"], ["_", "pad", 2]]);
    const def = { name: "ctrl", header: genl, attrs: ctrl };
    const sock = NetlinkSocket.open({ protocol: constants.NETLINK_GENERIC });
    try {
      const families = await sock.dump({ type: 0x10, def, encode: (w) => w.u32(0x0103) },
        (buf, s, l) => decodeMessage(buf, s, l, def).attrs.familyName);
      expect(families).toContain("nlctrl");
    } finally {
      sock.close();
    }
  });
});
