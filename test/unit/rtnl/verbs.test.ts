// Every rtnetlink verb through nlkit's scripted transport: what it sends, and what it makes of the
// answers. No kernel, no root.
import { describe, expect, it } from "vitest";
import { NLM_F_ACK, NLM_F_APPEND, NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL, NLM_F_MULTI, NLM_F_REPLACE } from "../../../src/netlink/constants.js";
import { NetlinkError, NlkitInputError } from "../../../src/netlink/errors.js";
import { decodeMessage, encodeBody, type MessageDef } from "../../../src/netlink/message.js";
import { reply, type ScriptedRequest } from "../../../src/netlink/scripted.js";
import type { StructValue } from "../../../src/netlink/struct.js";
import { NlWriter } from "../../../src/netlink/writer.js";
import { ifaddrDef } from "../../../src/rtnl/addr/table.js";
import { linkMessage } from "../../../src/rtnl/link/attrs.js";
import { ndmsgDef } from "../../../src/rtnl/neigh/table.js";
import { rtmsgDef } from "../../../src/rtnl/route/table.js";
import { fibRuleDef } from "../../../src/rtnl/rule/table.js";
import { ifaddrlblDef } from "../../../src/rtnl/addrlabel/table.js";
import { bridgePortAttrs } from "../../../src/rtnl/link/kinds/bridge.js";
import { netconfDef } from "../../../src/rtnl/netconf/table.js";
import { decodeAttrs } from "../../../src/netlink/attrs.js";
import { captureRtnl } from "../../helpers/rtnl-capture.js";

const DEVICES = { lo: 1, veth0: 3, br0: 5 };

function msg(def: MessageDef, type: number, header: StructValue, attrs: Record<string, unknown>, flags = NLM_F_MULTI): Buffer {
  const w = new NlWriter(256);
  encodeBody(w, def, header, attrs);
  return reply.message(type, w.take(), flags);
}

/** A dump answer: the messages, then NLMSG_DONE. */
const dump = (...m: Buffer[]) => [reply.datagram(...m), reply.done()];

/** The request decoded by its table, to check what a verb asked for. */
function asked(r: ScriptedRequest, def: MessageDef) {
  return decodeMessage(r.bytes, 0, r.bytes.length, def);
}

const flagsOf = (r: ScriptedRequest) => r.flags & ~(NLM_F_ACK | 1);

describe("link", () => {
  it("add, replace, set, del: one request each, addressed as ip addresses it", async () => {
    const { rt, sent } = captureRtnl(DEVICES);
    await rt.link.add({ name: "v1", kind: "veth", peer: { name: "v2" }, master: "br0", up: true });
    await rt.link.replace({ name: "b1", kind: "bridge" });
    await rt.link.set("veth0", { mtu: 1400 });
    await rt.link.set("veth0", { name: "veth9" });
    await rt.link.del("veth0");
    await rt.link.del(3);
    expect(sent.map((s) => [s.req.type, flagsOf(s.req)])).toEqual([
      [16, NLM_F_CREATE | NLM_F_EXCL], [16, NLM_F_CREATE | NLM_F_REPLACE], [16, 0], [16, 0], [17, 0], [17, 0],
    ]);
    const add = asked(sent[0]!.req, linkMessage);
    expect(add.attrs).toMatchObject({ master: 5, ifname: "v1", linkinfo: { kind: "veth" } });
    expect(add.header).toMatchObject({ flags: 1, change: 1 });
    // set by name goes by IFLA_IFNAME (no lookup), a rename by index
    expect(asked(sent[2]!.req, linkMessage)).toMatchObject({ header: { index: 0 }, attrs: { ifname: "veth0", mtu: 1400 } });
    expect(asked(sent[3]!.req, linkMessage)).toMatchObject({ header: { index: 3 }, attrs: { ifname: "veth9" } });
    expect(asked(sent[5]!.req, linkMessage).header).toMatchObject({ index: 3 });
  });

  it("get and list decode the kernel's links; list filters by kind and master here too", async () => {
    const link = (index: number, name: string, extra: Record<string, unknown> = {}, flags = NLM_F_MULTI) =>
      msg(linkMessage, 16, { index, flags: 0x1 }, { ifname: name, mtu: 1500, ...extra }, flags);
    const { rt, sent } = captureRtnl(DEVICES, [
      [link(3, "veth0", {}, 0)],
      dump(link(3, "veth0", { master: 5, linkinfo: { kind: "veth" } }), link(4, "veth1", { linkinfo: { kind: "veth" } }), link(5, "br0", { linkinfo: { kind: "bridge" } })),
    ]);
    const one = await rt.link.get("veth0");
    expect([one.index, one.name, one.mtu]).toEqual([3, "veth0", 1500]);
    const ports = await rt.link.list({ master: "br0", kind: "veth" });
    expect(ports.map((l) => l.name)).toEqual(["veth0"]);
    expect(sent[1]!.req.flags & NLM_F_DUMP).toBe(NLM_F_DUMP);
    expect(asked(sent[1]!.req, linkMessage).attrs).toMatchObject({ master: 5, linkinfo: { kind: "veth" } });
  });

  it("ensure: true when it created the link, false when one of that kind exists, EEXIST for another kind", async () => {
    const existing = msg(linkMessage, 16, { index: 5 }, { ifname: "br0", linkinfo: { kind: "bridge" } }, 0);
    const { rt } = captureRtnl(DEVICES, [[], [reply.error(17)], [existing], [reply.error(17)], [existing]]);
    await expect(rt.link.ensure({ name: "br9", kind: "bridge" })).resolves.toBe(true);
    await expect(rt.link.ensure({ name: "br0", kind: "bridge" })).resolves.toBe(false);
    await expect(rt.link.ensure({ name: "br0", kind: "vxlan", vxlan: { id: 1 } })).rejects.toThrow(/exists with kind bridge/);
  });

  it("a device that does not exist: ENODEV naming it, and nothing is sent", async () => {
    const { rt, sent } = captureRtnl(DEVICES);
    await expect(rt.link.add({ name: "v1", kind: "veth", master: "nosuch" })).rejects.toThrow('Cannot find device "nosuch"');
    expect(sent).toHaveLength(0);
  });
});

describe("addr", () => {
  it("add in both call forms, replace and del", async () => {
    const { rt, sent } = captureRtnl(DEVICES);
    await rt.addr.add({ dev: "veth0", address: "10.0.0.1/24", label: "veth0:1" });
    await rt.addr.add("veth0", "10.0.0.2/24", { replace: true });
    await rt.addr.replace({ dev: "veth0", address: "fd00::1/64" });
    await rt.addr.del({ dev: "veth0", address: "10.0.0.1/24" });
    await rt.addr.del("veth0", "10.0.0.2/24");
    expect(sent.map((s) => [s.req.type, flagsOf(s.req)])).toEqual([
      [20, NLM_F_CREATE | NLM_F_EXCL], [20, NLM_F_CREATE | NLM_F_REPLACE], [20, NLM_F_CREATE | NLM_F_REPLACE], [21, 0], [21, 0],
    ]);
    expect(asked(sent[0]!.req, ifaddrDef)).toMatchObject({ header: { index: 3, prefixlen: 24, family: 2 }, attrs: { local: "10.0.0.1", label: "veth0:1" } });
  });

  it("del takes the spec add took: keys that do not select an address are left out of the request; unknown keys are refused", async () => {
    const { rt, sent } = captureRtnl(DEVICES);
    const spec = { dev: "veth0", address: "10.0.0.1/24", broadcast: "+", validLft: 60, flags: ["noprefixroute" as const] };
    await rt.addr.del(spec);
    await rt.addr.del({ dev: "veth0", address: "10.0.0.1/24" });
    expect(sent[0]!.bytes.subarray(16)).toEqual(sent[1]!.bytes.subarray(16));
    expect(asked(sent[0]!.req, ifaddrDef)).toMatchObject({ header: { index: 3, prefixlen: 24 }, attrs: { local: "10.0.0.1", address: "10.0.0.1" } });
    await expect(rt.addr.del({ dev: "veth0", address: "10.0.0.1/24", brodcast: "+" } as never)).rejects.toMatchObject({ name: "NlkitInputError", field: "brodcast" });
    expect(sent).toHaveLength(2);
  });

  it("list names devices with one lookup per index (no link dump) and filters by scope and label", async () => {
    const a = (index: number, local: string, scope: number, label?: string) =>
      msg(ifaddrDef, 20, { family: 2, prefixlen: 24, scope, index }, { local, address: local, ...(label ? { label } : {}) });
    const { rt, transport } = captureRtnl(DEVICES, [dump(a(3, "10.0.0.1", 0, "veth0"), a(5, "10.1.0.1", 0, "br0"), a(1, "127.0.0.1", 254))]);
    const got = await rt.addr.list({ scope: "global" });
    expect(got.map((x) => [x.dev, x.local])).toEqual([["veth0", "10.0.0.1"], ["br0", "10.1.0.1"]]);
    const lookups = transport.sent.filter((r) => r.type === 18);
    expect(lookups.every((r) => (r.flags & NLM_F_DUMP) !== NLM_F_DUMP)).toBe(true);
    expect(lookups).toHaveLength(2);
  });

  it("flush deletes what it lists, secondaries first, and says how many", async () => {
    const a = (local: string, flags: number) => msg(ifaddrDef, 20, { family: 2, prefixlen: 24, index: 3, flags }, { local, address: local });
    const { rt, sent } = captureRtnl(DEVICES, [dump(a("10.0.0.1", 0x80), a("10.0.0.2", 0x81))]);
    await expect(rt.addr.flush({ dev: "veth0" })).resolves.toBe(2);
    expect(sent.slice(1).map((s) => [s.req.type, asked(s.req, ifaddrDef).attrs.local])).toEqual([[21, "10.0.0.2"], [21, "10.0.0.1"]]);
  });
});

describe("route", () => {
  it("add, replace, append, del", async () => {
    const { rt, sent } = captureRtnl(DEVICES);
    await rt.route.add({ dst: "10.9.0.0/16", gateway: "10.0.0.254" });
    await rt.route.replace({ dst: "10.9.0.0/16", dev: "veth0" });
    await rt.route.append({ dst: "fd09::/64", dev: "veth0" });
    await rt.route.add({ dst: "10.10.0.0/16", dev: "veth0" }, { replace: true });
    await rt.route.del({ dst: "10.9.0.0/16" });
    expect(sent.map((s) => [s.req.type, flagsOf(s.req)])).toEqual([
      [24, NLM_F_CREATE | NLM_F_EXCL], [24, NLM_F_CREATE | NLM_F_REPLACE], [24, NLM_F_CREATE | NLM_F_APPEND],
      [24, NLM_F_CREATE | NLM_F_REPLACE], [25, 0],
    ]);
    expect(asked(sent[1]!.req, rtmsgDef).attrs).toEqual({ dst: "10.9.0.0", oif: 3 });
    await expect(rt.route.add({ dst: "10.9.0.0/16" }, { replace: true, append: true })).rejects.toBeInstanceOf(NlkitInputError);
  });

  it("list and get name devices, nexthops included; a missing table lists empty", async () => {
    const r = (dst: string, oif: number) => msg(rtmsgDef, 24, { family: 2, dstLen: 24, table: 254, protocol: 3, scope: 253, type: 1 }, { dst, oif, table: 254 });
    const mp = msg(rtmsgDef, 24, { family: 2, dstLen: 24, table: 254, protocol: 3, type: 1 }, {
      dst: "10.5.0.0", table: 254,
      multipath: [{ ifindex: 3, flags: 0, hops: 0, attrs: { gateway: Buffer.from([10, 0, 0, 2]) } }, { ifindex: 5, flags: 0, hops: 1, attrs: { gateway: Buffer.from([10, 1, 0, 2]) } }],
    });
    const got = msg(rtmsgDef, 24, { family: 2, dstLen: 32, table: 254, type: 1, flags: 0x200 }, { dst: "10.9.9.9", oif: 3, prefsrc: "10.0.0.1" }, 0);
    const { rt, sent } = captureRtnl(DEVICES, [dump(r("10.0.0.0", 3), mp), [got], [reply.done(2)]]);
    const routes = await rt.route.list();
    expect(routes.map((x) => x.dst)).toEqual(["10.0.0.0/24", "10.5.0.0/24"]);
    expect(routes[0]!.dev).toBe("veth0");
    expect(routes[1]!.nexthops!.map((n) => [n.dev, n.weight])).toEqual([["veth0", 1], ["br0", 2]]);
    const g = await rt.route.get({ to: "10.9.9.9", tos: 0x10, mark: 7 });
    expect([g.dev, g.prefsrc, g.cached]).toEqual(["veth0", "10.0.0.1", true]);
    expect(asked(sent[1]!.req, rtmsgDef)).toMatchObject({ header: { tos: 0x10, dstLen: 32 }, attrs: { dst: "10.9.9.9", mark: 7 } });
    await expect(rt.route.list({ family: 4, table: 1234 })).resolves.toEqual([]);
  });

  it("flush deletes each listed route by its key; a route already gone counts as flushed", async () => {
    const r = (dst: string) => msg(rtmsgDef, 24, { family: 2, dstLen: 24, table: 254, protocol: 3, scope: 253, type: 1 }, { dst, oif: 3, priority: 5, table: 254 });
    const { rt, sent } = captureRtnl(DEVICES, [dump(r("10.0.1.0"), r("10.0.2.0")), [], [reply.error(3)]]);
    await expect(rt.route.flush({ dev: "veth0" })).resolves.toBe(2);
    const dels = sent.slice(1).map((s) => asked(s.req, rtmsgDef));
    expect(dels.map((d) => d.attrs)).toEqual([{ dst: "10.0.1.0", priority: 5, oif: 3 }, { dst: "10.0.2.0", priority: 5, oif: 3 }]);
  });
});

describe("neigh", () => {
  it("add, replace, append, del, and get by address", async () => {
    const entry = msg(ndmsgDef, 28, { family: 2, ifindex: 3, state: 0x02 }, { dst: "10.0.0.9", lladdr: "02:00:00:00:00:09" }, 0);
    const { rt, sent } = captureRtnl(DEVICES, [[], [], [], [], [entry]]);
    await rt.neigh.add({ dev: "veth0", to: "10.0.0.9", lladdr: "02:00:00:00:00:09" });
    await rt.neigh.replace({ dev: "veth0", to: "10.0.0.9", lladdr: "02:00:00:00:00:0a" });
    await rt.neigh.append({ dev: "br0", family: "bridge", lladdr: "02:00:00:00:00:0b", dst: "10.0.0.7" });
    await rt.neigh.del({ dev: "veth0", to: "10.0.0.9" });
    const n = await rt.neigh.get({ dev: "veth0", to: "10.0.0.9" });
    expect([n.dev, n.lladdr, n.state]).toEqual(["veth0", "02:00:00:00:00:09", ["reachable"]]);
    expect(sent.map((s) => [s.req.type, flagsOf(s.req)])).toEqual([
      [28, NLM_F_CREATE | NLM_F_EXCL], [28, NLM_F_CREATE | NLM_F_REPLACE], [28, NLM_F_CREATE | NLM_F_APPEND], [29, 0], [30, 0],
    ]);
    expect(asked(sent[4]!.req, ndmsgDef)).toMatchObject({ header: { family: 2, ifindex: 3 }, attrs: { dst: "10.0.0.9" } });
  });

  it("list filters by state here; flush leaves permanent and NOARP entries, as ip does", async () => {
    const e = (dst: string, state: number) => msg(ndmsgDef, 28, { family: 2, ifindex: 3, state }, { dst });
    const answer = () => dump(e("10.0.0.1", 0x02), e("10.0.0.2", 0x80), e("10.0.0.3", 0x04), e("10.0.0.4", 0x40));
    const { rt, sent } = captureRtnl(DEVICES, [answer(), answer()]);
    expect((await rt.neigh.list({ state: ["stale", "permanent"] })).map((n) => n.dst)).toEqual(["10.0.0.2", "10.0.0.3"]);
    await expect(rt.neigh.flush({ dev: "veth0" })).resolves.toBe(2);
    expect(sent.slice(2).map((s) => asked(s.req, ndmsgDef).attrs.dst)).toEqual(["10.0.0.1", "10.0.0.3"]);
  });
});

describe("neigh flush of fdb entries", () => {
  it("deletes each entry as bridge fdb del does: AF_BRIDGE, the MAC, its VLAN or VXLAN remote, self or master", async () => {
    const fdb = (state: number, flags: number, attrs: Record<string, unknown>) => msg(ndmsgDef, 28, { family: 7, ifindex: 3, state, flags }, attrs);
    const { rt, sent } = captureRtnl(DEVICES, [dump(
      fdb(0x02, 0x04, { lladdr: "02:00:00:00:00:01", vlan: 10, master: 5 }),
      fdb(0x80, 0x02, { lladdr: "02:00:00:00:00:02" }), // a port's own MAC: permanent, kept
      fdb(0x02, 0x02, { lladdr: "00:00:00:00:00:00", dst: "198.51.100.3", port: 4789, vni: 42, ifindex: 1 }),
    )]);
    await expect(rt.neigh.flush({ family: "bridge", dev: "veth0" })).resolves.toBe(2);
    const dels = sent.slice(1).map((s) => [s.req.type, asked(s.req, ndmsgDef)] as const);
    expect(dels.map(([type, d]) => [type, d.header.family, d.header.ifindex, d.header.flags])).toEqual([[29, 7, 3, 0x04], [29, 7, 3, 0x02]]);
    expect(dels[0]![1].attrs).toEqual({ lladdr: "02:00:00:00:00:01", vlan: 10 });
    expect(dels[1]![1].attrs).toEqual({ lladdr: "00:00:00:00:00:00", dst: "198.51.100.3", port: 4789, vni: 42, ifindex: 1 });
  });
});

describe("rule", () => {
  const r = (priority: number, table: number, src?: string) =>
    msg(fibRuleDef, 32, { family: 2, srcLen: src ? 8 : 0, table, action: 1 }, { priority, table, ...(src ? { src } : {}) });

  it("add and del", async () => {
    const { rt, sent } = captureRtnl(DEVICES);
    await rt.rule.add({ from: "10.0.0.0/8", table: 100, priority: 1000 });
    await rt.rule.del({ priority: 1000 });
    expect(sent.map((s) => [s.req.type, flagsOf(s.req)])).toEqual([[32, NLM_F_CREATE | NLM_F_EXCL], [33, 0]]);
  });

  it("list takes ip rule show's selectors; flush keeps priority 0", async () => {
    const rules = () => dump(r(0, 255), r(1000, 100, "10.0.0.0"), r(32766, 254), r(32767, 253));
    const { rt, sent } = captureRtnl(DEVICES, [rules(), rules(), rules()]);
    expect((await rt.rule.list({ table: 100 })).map((x) => x.priority)).toEqual([1000]);
    expect((await rt.rule.list({ from: "10.0.0.0/8" })).map((x) => x.priority)).toEqual([1000]);
    await expect(rt.rule.flush()).resolves.toBe(3);
    expect(sent.slice(3).map((s) => asked(s.req, fibRuleDef).attrs.priority)).toEqual([1000, 32766, 32767]);
    expect(asked(sent[3]!.req, fibRuleDef).attrs).toMatchObject({ src: "10.0.0.0", priority: 1000 });
  });
});

describe("link set: kind options of an existing link", () => {
  it("{ vxlan }: IFLA_LINKINFO with the kind and only the options given; { bridgeSlave }: kind bridge_slave and IFLA_INFO_SLAVE_DATA", async () => {
    const { rt, sent } = captureRtnl(DEVICES);
    await rt.link.set("veth0", { vxlan: { ttl: 64, learning: false } });
    await rt.link.set(5, { bridge: { stpState: 1 }, mtu: 1400 });
    await rt.link.set("veth0", { bridgeSlave: { cost: 5, learning: false, state: "forwarding" } });
    await rt.link.set("veth0", { vxlan: {} });
    const li = (i: number) => asked(sent[i]!.req, linkMessage).attrs.linkinfo as Record<string, unknown>;
    expect(li(0)).toEqual({ kind: "vxlan", data: { ttl: 64, learning: 0 } });
    expect(asked(sent[1]!.req, linkMessage).attrs).toMatchObject({ mtu: 1400, linkinfo: { kind: "bridge", data: { stpState: 1 } } });
    const slave = li(2);
    expect(slave.kind).toBe("bridge_slave");
    const raw = slave.slaveData as Buffer;
    expect(decodeAttrs(raw, 0, raw.length, bridgePortAttrs)).toEqual({ state: "forwarding", cost: 5, learning: 0 });
    // nothing to change: the kind alone, as `ip link set DEV type vxlan` sends it
    expect(li(3)).toEqual({ kind: "vxlan" });
  });

  it("{ master, bridgeSlave }: master first, alone, then the port options; a refusal of those restores the previous master", async () => {
    const current = (master?: number) => [msg(linkMessage, 16, { index: 3 }, { ifname: "veth0", ...(master ? { master } : {}) }, 0)];
    const sets = (sent: Array<{ req: ScriptedRequest }>) => sent.filter((x) => x.req.type === 16).map((x) => asked(x.req, linkMessage).attrs);
    let { rt, sent } = captureRtnl(DEVICES, [current()]);
    await rt.link.set("veth0", { master: "br0", bridgeSlave: { cost: 5 }, up: true });
    let got = sets(sent);
    expect(got.map((a) => [a.master, (a.linkinfo as { kind?: string } | undefined)?.kind])).toEqual([[5, undefined], [undefined, "bridge_slave"]]);
    expect(asked(sent[2]!.req, linkMessage).header.flags).toBe(1);   // up went with the port options

    ({ rt, sent } = captureRtnl(DEVICES, [current(7), [], [reply.error(95)]]));
    await expect(rt.link.set("veth0", { master: "br0", bridgeSlave: { cost: 5 } })).rejects.toMatchObject({ code: "EOPNOTSUPP" });
    got = sets(sent);
    expect(got.map((a) => a.master)).toEqual([5, undefined, 7]);

    ({ rt, sent } = captureRtnl(DEVICES, [current(), [], [reply.error(95)]]));
    await expect(rt.link.set(3, { master: 5, bridgeSlave: { learning: false } })).rejects.toMatchObject({ code: "EOPNOTSUPP" });
    // no master before: nomaster (IFLA_MASTER 0)
    expect(sets(sent).map((a) => a.master)).toEqual([5, undefined, 0]);

    // a bad port option, or a master that does not exist: refused before anything is sent
    ({ rt, sent } = captureRtnl(DEVICES, [current()]));
    await expect(rt.link.set("veth0", { master: "br0", bridgeSlave: { cost: -1 } })).rejects.toMatchObject({ name: "NlkitInputError", field: "bridgeSlave.cost" });
    await expect(rt.link.set("veth0", { master: "nosuch", bridgeSlave: { cost: 1 } })).rejects.toThrow('Cannot find device "nosuch"');
    expect(sent).toHaveLength(0);
  });

  it("flag words: only their bits change, arp off sets IFF_NOARP, as ip link set writes ifi_flags/ifi_change", async () => {
    const { rt, sent } = captureRtnl(DEVICES);
    await rt.link.set("veth0", { up: true, promisc: true, arp: false });
    await rt.link.set("veth0", { allmulticast: false, multicast: true, arp: true });
    const h = (i: number) => asked(sent[i]!.req, linkMessage).header as { flags: number; change: number };
    expect(h(0)).toMatchObject({ flags: 0x1 | 0x100 | 0x80, change: 0x1 | 0x100 | 0x80 });
    expect(h(1)).toMatchObject({ flags: 0x1000, change: 0x200 | 0x1000 | 0x80 });
    await expect(rt.link.set("veth0", { promisc: "on" } as never)).rejects.toMatchObject({ name: "NlkitInputError", field: "promisc" });
    expect(sent).toHaveLength(2);
  });

  it("{ master, bridgeSlave } in a batch: two requests, in that order", async () => {
    const { rt, transport } = captureRtnl(DEVICES);
    const b = rt.batch();
    const p = b.link.set("veth0", { master: "br0", bridgeSlave: { cost: 5 } });
    const out = await b.send();
    await p;
    expect(out.ok).toBe(2);
    const changes = transport.sent.filter((r) => r.type === 16);
    expect(changes.map((r) => [asked(r, linkMessage).attrs.master, (asked(r, linkMessage).attrs.linkinfo as { kind?: string } | undefined)?.kind]))
      .toEqual([[5, undefined], [undefined, "bridge_slave"]]);
  });

  it("refuses before sending: two kinds at once, options of no kind, a bad value", async () => {
    const { rt, sent } = captureRtnl(DEVICES);
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ vxlan: { ttl: 64 }, bridge: { stpState: 1 } }, "bridge"],
      [{ veth: {} }, "veth"],
      [{ vxlan: { ttl: 300 } }, "vxlan.ttl"],
      [{ vxlan: { tll: 1 } }, "vxlan.tll"],
      [{ bridgeSlave: { cost: -1 } }, "bridgeSlave.cost"],
      [{ bridgeSlave: { state: "open" } }, "bridgeSlave.state"],
      [{ bridge: { stp: true, stpState: 1 } }, "bridge.stpState"],
    ];
    for (const [opts, field] of bad) {
      const err = await rt.link.set("veth0", opts as never).catch((e: unknown) => e);
      expect(err, JSON.stringify(opts)).toBeInstanceOf(NlkitInputError);
      expect((err as NlkitInputError).field).toBe(field);
    }
    expect(sent).toHaveLength(0);
  });

  it("vxlan add: external needs no VNI and turns learning off; a VNI and external together are refused", async () => {
    const { rt, sent } = captureRtnl(DEVICES);
    await rt.link.add({ name: "vx9", kind: "vxlan", vxlan: { external: true } });
    expect((asked(sent[0]!.req, linkMessage).attrs.linkinfo as { data: unknown }).data).toEqual({ collectMetadata: 1, learning: 0 });
    await expect(rt.link.add({ name: "vx9", kind: "vxlan", vxlan: { external: true, id: 1 } })).rejects.toMatchObject({ field: "vxlan.id" });
    await expect(rt.link.add({ name: "vx9", kind: "vxlan", vxlan: {} })).rejects.toMatchObject({ field: "vxlan.id" });
    expect(sent).toHaveLength(1);
  });
});

describe("addrlabel", () => {
  const label = (address: string, prefixlen: number, lbl: number, index = 0, flags = NLM_F_MULTI) =>
    msg(ifaddrlblDef, 72, { family: 10, prefixlen, index }, { address, label: lbl }, flags);

  it("add, replace, del: RTM_NEWADDRLABEL (CREATE|EXCL or |REPLACE) and RTM_DELADDRLABEL, the device by index", async () => {
    const { rt, sent } = captureRtnl(DEVICES);
    await rt.addrlabel.add({ prefix: "2001:db8::/64", label: 7, dev: "veth0" });
    await rt.addrlabel.replace({ prefix: "2001:db8::/64", label: 8 });
    await rt.addrlabel.del({ prefix: "2001:db8::/64", label: 8 });
    expect(sent.map((s) => [s.req.type, flagsOf(s.req)])).toEqual([[72, NLM_F_CREATE | NLM_F_EXCL], [72, NLM_F_CREATE | NLM_F_REPLACE], [73, 0]]);
    expect(asked(sent[0]!.req, ifaddrlblDef)).toMatchObject({ header: { family: 10, prefixlen: 64, index: 3 }, attrs: { label: 7, address: "2001:db8::" } });
    expect(asked(sent[2]!.req, ifaddrlblDef).header).toMatchObject({ index: 0 });
  });

  it("get asks the kernel which entry labels an address; list names devices and keeps to one; flush deletes each", async () => {
    const table = () => dump(label("::1", 128, 0), label("2001:db8::", 64, 7, 3), label("::", 0, 1));
    const { rt, sent } = captureRtnl(DEVICES, [[label("2001:db8::", 64, 7, 3, 0)], table(), table(), table()]);
    const one = await rt.addrlabel.get({ address: "2001:db8::1", dev: "veth0" });
    expect(one).toMatchObject({ prefix: "2001:db8::/64", dev: "veth0", label: 7 });
    expect(asked(sent[0]!.req, ifaddrlblDef)).toMatchObject({ header: { prefixlen: 128, index: 3 }, attrs: { address: "2001:db8::1" } });
    expect((await rt.addrlabel.list()).map((l) => [l.prefix, l.dev, l.label])).toEqual([["::1/128", undefined, 0], ["2001:db8::/64", "veth0", 7], ["::/0", undefined, 1]]);
    expect((await rt.addrlabel.list({ dev: "veth0" })).map((l) => l.label)).toEqual([7]);
    await expect(rt.addrlabel.flush()).resolves.toBe(3);
    expect(sent.slice(4).map((s) => [s.req.type, asked(s.req, ifaddrlblDef).attrs])).toEqual([
      [73, { label: 0, address: "::1" }], [73, { label: 7, address: "2001:db8::" }], [73, { label: 1, address: "::" }],
    ]);
  });

  it("refuses a missing label, the reserved label and a bad prefix before sending", async () => {
    const { rt, sent } = captureRtnl(DEVICES);
    for (const [spec, field] of [
      [{ prefix: "2001:db8::/64" }, "label"], [{ prefix: "2001:db8::/64", label: 0xffffffff }, "label"],
      [{ prefix: "2001:db8::/129", label: 1 }, "prefix"], [{ prefix: "2001:db8::/64", label: 1, lable: 2 }, "lable"],
    ] as const) {
      await expect(rt.addrlabel.add(spec as never)).rejects.toMatchObject({ name: "NlkitInputError", field });
    }
    await expect(rt.addrlabel.get({ address: "10.0.0.1" })).rejects.toMatchObject({ field: "address" });
    expect(sent).toHaveLength(0);
  });
});

describe("netconf", () => {
  const conf = (family: number, ifindex: number, extra: Record<string, unknown> = {}, flags = NLM_F_MULTI) =>
    msg(netconfDef, 80, { family }, { ifindex, forwarding: 1, rpFilter: 2, mcForwarding: 0, proxyNeigh: 0, ignoreRoutesWithLinkdown: 0, ...extra }, flags);

  it("get: one RTM_GETNETCONF for one family and device, asked with an ack as ip asks; 'all' and 'default' by their indexes", async () => {
    const { rt, sent } = captureRtnl(DEVICES, [[conf(2, 3, {}, 0), reply.ack()], [conf(10, -1, {}, 0), reply.ack()]]);
    const n = await rt.netconf.get({ dev: "veth0", family: 4 });
    expect(n).toEqual({ family: 4, index: 3, dev: "veth0", forwarding: true, rpFilter: "loose", mcForwarding: false, proxyNeigh: false, ignoreRoutesWithLinkdown: false });
    expect(sent[0]!.req.flags & NLM_F_ACK).toBe(NLM_F_ACK);
    expect(asked(sent[0]!.req, netconfDef)).toMatchObject({ header: { family: 2 }, attrs: { ifindex: 3 } });
    expect((await rt.netconf.get({ dev: "all", family: 6 })).dev).toBe("all");
    expect(asked(sent[1]!.req, netconfDef).attrs).toEqual({ ifindex: -1 });
  });

  it("list dumps every family (or one) and keeps to a device; a kernel that cannot dump them all is asked family by family", async () => {
    const { rt, sent } = captureRtnl(DEVICES, [
      dump(conf(2, 3), conf(2, -2), conf(10, 3)),
      [reply.error(95)], dump(conf(2, 5)), dump(conf(10, 5)),
    ]);
    expect((await rt.netconf.list({ dev: "veth0" })).map((n) => [n.family, n.dev])).toEqual([[4, "veth0"], [6, "veth0"]]);
    expect(asked(sent[0]!.req, netconfDef).header).toMatchObject({ family: 0 });
    expect((await rt.netconf.list()).map((n) => [n.family, n.dev])).toEqual([[4, "br0"], [6, "br0"]]);
    expect(sent.slice(1).map((s) => asked(s.req, netconfDef).header.family)).toEqual([0, 2, 10]);
  });

  it("refuses a get without a family, and unknown keys", async () => {
    const { rt, sent } = captureRtnl(DEVICES);
    await expect(rt.netconf.get({ dev: "veth0" } as never)).rejects.toMatchObject({ field: "family" });
    await expect(rt.netconf.list({ device: "veth0" } as never)).rejects.toMatchObject({ field: "filter.device" });
    expect(sent).toHaveLength(0);
  });
});

describe("route get and rule list selectors", () => {
  it("route get: from, iif and oif by index, mark, uid, ports and protocol in ip's order", async () => {
    const got = msg(rtmsgDef, 24, { family: 2, dstLen: 32, table: 255, type: 2, flags: 0x80000200 }, { dst: "10.0.0.1", oif: 1, iif: 3 }, 0);
    const { rt, sent } = captureRtnl(DEVICES, [[got]]);
    const r = await rt.route.get("10.0.0.1", { from: "10.0.0.9", iif: "veth0", oif: "lo", mark: 0x10, uid: 0, ipProto: "udp", sport: 53, dport: 5353 });
    expect([r.type, r.iif, r.cacheFlags]).toEqual(["local", "veth0", ["local"]]);
    const a = asked(sent[0]!.req, rtmsgDef);
    expect(Object.keys(a.attrs)).toEqual(["dst", "src", "uid", "sport", "dport", "ipProto", "iif", "oif", "mark"]);
    expect(a.attrs).toMatchObject({ src: "10.0.0.9", iif: 3, oif: 1, mark: 0x10, ipProto: 17, sport: 53, dport: 5353 });
    expect(a.header).toMatchObject({ srcLen: 32, dstLen: 32 });
    await expect(rt.route.get("10.0.0.1", { ipProto: "bogus" as never })).rejects.toMatchObject({ field: "ipProto" });
  });

  it("rule list: every ip rule show selector, prefixes by containment as ip matches them", async () => {
    const rule = (priority: number, h: Record<string, unknown>, a: Record<string, unknown>) =>
      msg(fibRuleDef, 32, { family: 2, table: 254, action: 1, ...h }, { priority, table: 254, ...a });
    const rules = () => dump(
      rule(0, { table: 255 }, { table: 255 }),
      rule(100, { tos: 0x10 }, {}),
      rule(200, { srcLen: 16 }, { src: "10.1.0.0", fwmark: 0x10, fwmask: 0xff, iifname: "veth0" }),
      rule(300, { dstLen: 24, flags: 2 }, { dst: "192.0.2.0", oifname: "br0", ipProto: 17, sportRange: { start: 100, end: 200 } }),
      rule(400, {}, { uidRange: { start: 1000, end: 2000 }, l3mdev: 1 }),
    );
    const filters: Array<[Record<string, unknown>, number[]]> = [
      [{ from: "10.0.0.0/8" }, [200]], [{ from: "10.1.2.0/24" }, []], [{ from: "all" }, [0, 100, 200, 300, 400]],
      [{ to: "192.0.0.0/16" }, [300]], [{ tos: 0x10 }, [100]], [{ fwmark: 0x10 }, [200]], [{ fwmark: 0x10, fwmask: 0xf }, []],
      [{ iif: "veth0" }, [200]], [{ oif: "br0" }, [300]], [{ not: true }, [300]], [{ ipProto: "udp" }, [300]],
      [{ sport: [100, 200] }, [300]], [{ sport: 100 }, []], [{ uidRange: [1000, 2000] }, [400]], [{ l3mdev: true }, [400]],
      [{ table: "local" }, [0]], [{ priority: 100 }, [100]],
    ];
    const { rt } = captureRtnl(DEVICES, filters.map(() => rules()));
    for (const [f, want] of filters) {
      expect((await rt.rule.list({ family: 4, ...f })).map((r) => r.priority), JSON.stringify(f)).toEqual(want);
    }
    await expect(rt.rule.list({ pref: 1 } as never)).rejects.toMatchObject({ field: "filter.pref" });
  });
});

describe("batches and waiting", () => {
  it("verbs queued in a batch go out in one datagram in call order; lookups happen before", async () => {
    const { rt, transport } = captureRtnl(DEVICES);
    const b = rt.batch();
    const ps = [
      b.link.set("veth0", { up: true }),
      b.addr.add({ dev: "veth0", address: "10.0.0.1/24" }),
      b.route.add({ dst: "default", gateway: "10.0.0.254", dev: "veth0" }),
      b.neigh.add({ dev: "veth0", to: "10.0.0.254", lladdr: "02:00:00:00:00:01" }),
      b.rule.add({ priority: 10, table: 10 }),
    ];
    const out = await b.send();
    expect(out.ok).toBe(5);
    await Promise.all(ps);
    const changes = transport.sent.filter((r) => r.type !== 18);
    expect(changes.map((r) => r.type)).toEqual([16, 20, 24, 28, 32]);
    // the lookups of veth0 went one by one, the five changes in one datagram
    expect(transport.datagrams - transport.sent.filter((r) => r.type === 18).length).toBe(1);
  });

  it("a device that does not exist refuses that verb in the batch, at its position", async () => {
    const { rt } = captureRtnl(DEVICES);
    const b = rt.batch();
    b.addr.add({ dev: "veth0", address: "10.0.0.1/24" });
    const bad = b.addr.add({ dev: "nosuch", address: "10.0.0.2/24" });
    const out = await b.send();
    expect(out.ok).toBe(1);
    expect(out.refused.map((x) => [x.index, (x.error as NetlinkError).code])).toEqual([[1, "ENODEV"]]);
    await expect(bad).rejects.toThrow('Cannot find device "nosuch"');
  });

  it("every verb takes a signal", async () => {
    const { rt, sent } = captureRtnl(DEVICES);
    const signal = AbortSignal.abort();
    await expect(rt.route.list({}, { signal })).rejects.toMatchObject({ name: "AbortError" });
    await expect(rt.addr.add({ dev: 3, address: "10.0.0.1/24" }, { signal })).rejects.toMatchObject({ name: "AbortError" });
    await expect(rt.link.get("veth0", { signal })).rejects.toMatchObject({ name: "AbortError" });
    expect(sent.length).toBeLessThanOrEqual(2);
  });
});

describe("the README's scripted-transport example", () => {
  it("runs as written", async () => {
    const { Rtnl: R, ScriptedTransport, reply: r } = await import("../../../src/index.js");
    const transport = new ScriptedTransport((req) => (req.type === 24 ? [r.error(17, req)] : undefined));
    const rt = await R.open({ transport });
    const code = await rt.route.add({ dst: "10.1.0.0/16", dev: 3 }).catch((e: NetlinkError) => e.code);
    expect(code).toBe("EEXIST");
    expect(transport.sent.map((x) => x.type)).toEqual([24]);
  });
});
