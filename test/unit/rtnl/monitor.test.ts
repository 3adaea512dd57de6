// rt.monitor() over a scripted transport: notifications injected as the kernel would send them,
// dumps answered from a pretend kernel's tables. No root.
import { describe, expect, it } from "vitest";
import { NLM_F_APPEND, NLM_F_CREATE, NLM_F_REPLACE } from "../../../src/netlink/constants.js";
import { NetlinkError, NlkitInputError } from "../../../src/netlink/errors.js";
import type { MonitorEvent, RtnlMonitor } from "../../../src/rtnl/monitor/index.js";
import {
  addr4, addr6, encode, FakeKernel, hops, link, neigh4, route4, route6, rule4,
} from "../../helpers/monitor-kernel.js";

/** The next n events. */
async function take(mon: RtnlMonitor, n: number): Promise<MonitorEvent[]> {
  const out: MonitorEvent[] = [];
  while (out.length < n) {
    const r = await mon.next();
    if (r.done) throw new Error(`the monitor ended after ${out.length} of ${n} events`);
    out.push(r.value);
  }
  return out;
}

const brief = (e: MonitorEvent): string => {
  const d = e.data as unknown as Record<string, unknown>;
  const what = e.object === "link" ? d.name : e.object === "addr" ? `${d.dev} ${d.local}` : e.object === "route" ? `${d.dst} ${d.gateway ?? d.dev ?? ""}`
    : e.object === "neigh" ? `${d.dev} ${d.dst}` : `${d.priority}`;
  return `${e.resynced ? "R " : ""}${e.action} ${e.object} ${String(what)}`.trim();
};

/**
 * Returns once the monitor has read the kernel's state (its first dump), so that what the test
 * changes next is a change to it: a sentinel route comes and goes, and the monitor reports both.
 */
async function settled(k: FakeKernel, mon: RtnlMonitor): Promise<void> {
  const sentinel = route4("192.0.2.99", 32, { oif: 1 });
  k.notify("route", "new", sentinel);
  k.notify("route", "del", sentinel);
  expect((await take(mon, 2)).map(brief)).toEqual(["new route 192.0.2.99 lo", "del route 192.0.2.99 lo"]);
}

function kernelWithLinks(): FakeKernel {
  const k = new FakeKernel();
  k.set("link", "lo", link(1, "lo"), { notify: false });
  k.set("link", "va", link(3, "va"), { notify: false });
  return k;
}

describe("rt.monitor()", () => {
  it("reports notifications as the objects the verbs list, devices named", async () => {
    const k = kernelWithLinks();
    const mon = k.monitor();
    try {
      k.set("addr", "a", addr4(3, "10.1.0.1"));
      k.set("route", "r", route4("10.2.0.0", 16, { gateway: "10.1.0.2", oif: 3 }));
      k.set("neigh", "n", neigh4(3, "10.1.0.9", "02:00:00:00:00:09"));
      k.set("rule", "u", rule4(100, 100, "10.9.0.0"));
      k.set("link", "vb", link(4, "vb"));
      const evs = await take(mon, 5);
      expect(evs.map(brief)).toEqual(["new addr va 10.1.0.1", "new route 10.2.0.0/16 10.1.0.2", "new neigh va 10.1.0.9", "new rule 100", "new link vb"]);
      // the same decoders as the verbs, on the same bytes
      expect(evs[0]!.data).toEqual((await k.rt.addr.list())[0]);
      expect(evs[1]!.data).toEqual((await k.rt.route.list({ table: "all" }))[0]);
      expect(evs[2]!.data).toEqual((await k.rt.neigh.list())[0]);
      expect(evs[3]!.data).toEqual((await k.rt.rule.list())[0]);
      expect(evs[4]!.data).toEqual(await k.rt.link.get(4));
      expect(evs.every((e) => e.resynced === false)).toBe(true);
      expect(JSON.parse(JSON.stringify(evs[1]))).toMatchObject({ object: "route", action: "new", data: { dev: "va" } });
      const gone = (await k.rt.addr.list())[0];
      k.del("addr", "a");
      expect(await take(mon, 1)).toEqual([{ object: "addr", action: "del", data: gone, resynced: false }]);
    } finally {
      await mon.close();
    }
  });

  it("names devices in stream order: a rename applies to what follows, a device's last events keep its name", async () => {
    const k = kernelWithLinks();
    const mon = k.monitor({ objects: ["addr"] });
    try {
      k.set("addr", "a", addr4(3, "10.1.0.1"));
      k.set("link", "va", link(3, "eth9"));
      k.set("addr", "b", addr4(3, "10.1.0.2"));
      k.del("addr", "a");
      k.del("link", "va");
      // ip's order: the device's addresses go before the device; the kernel no longer knows it
      k.notify("addr", "del", addr4(3, "10.1.0.2"));
      const evs = await take(mon, 4);
      expect(evs.map(brief)).toEqual(["new addr va 10.1.0.1", "new addr eth9 10.1.0.2", "del addr eth9 10.1.0.1", "del addr if3 10.1.0.2"]);
    } finally {
      await mon.close();
    }
  });

  it("a device its table does not know is named by the kernel", async () => {
    const k = kernelWithLinks();
    const mon = k.monitor({ objects: ["route"] });
    try {
      // the link notification was lost; the route names it
      k.set("link", "vc", link(7, "vc"), { notify: false });
      k.set("route", "r", route4("10.7.0.0", 16, { oif: 7 }));
      expect((await take(mon, 1))[0]!.data).toMatchObject({ dev: "vc", index: 7 });
    } finally {
      await mon.close();
    }
  });

  it("objects and family choose what is reported", async () => {
    const k = kernelWithLinks();
    const mon = k.monitor({ objects: ["addr", "route"], family: 4 });
    try {
      k.set("link", "vb", link(4, "vb"));
      k.set("addr", "6", addr6(3, "fd00::1"));
      k.set("neigh", "n", neigh4(3, "10.1.0.9", "02:00:00:00:00:09"));
      k.set("route", "6", route6("fd00::", 64, { oif: 3 }));
      k.set("addr", "4", addr4(4, "10.4.0.1"));
      expect((await take(mon, 1)).map(brief)).toEqual(["new addr vb 10.4.0.1"]);
    } finally {
      await mon.close();
    }
  });

  it("listExisting reports the state first, then changes; what the dump already had is not reported twice", async () => {
    const k = kernelWithLinks();
    k.set("addr", "a", addr4(3, "10.1.0.1"), { notify: false });
    k.set("route", "r", route4("10.2.0.0", 16, { gateway: "10.1.0.2", oif: 3 }), { notify: false });
    const mon = k.monitor({ objects: ["link", "addr", "route"], listExisting: true });
    try {
      const existing = await take(mon, 4);
      expect(existing.map(brief)).toEqual(["new link lo", "new link va", "new addr va 10.1.0.1", "new route 10.2.0.0/16 10.1.0.2"]);
      // queued while the dump ran: the route is already reported, the address change is news
      k.notify("route", "new", route4("10.2.0.0", 16, { gateway: "10.1.0.2", oif: 3 }));
      k.notify("addr", "del", addr4(3, "10.9.9.9"));
      k.set("addr", "b", addr4(3, "10.1.0.5"));
      expect((await take(mon, 1)).map(brief)).toEqual(["new addr va 10.1.0.5"]);
      // later, a repeat is reported like any notification
      k.notify("route", "new", route4("10.2.0.0", 16, { gateway: "10.1.0.2", oif: 3 }));
      expect((await take(mon, 1)).map(brief)).toEqual(["new route 10.2.0.0/16 10.1.0.2"]);
    } finally {
      await mon.close();
    }
  });

  it("after an overrun it dumps again, reports the differences as resynced, and goes on", async () => {
    const k = kernelWithLinks();
    k.set("route", "a", route4("10.10.0.0", 16, { oif: 3 }), { notify: false });
    k.set("route", "b", route4("10.11.0.0", 16, { gateway: "10.1.0.2", oif: 3 }), { notify: false });
    k.set("addr", "x", addr4(3, "10.1.0.1"), { notify: false });
    const mon = k.monitor();
    try {
      k.set("route", "c", route4("10.12.0.0", 16, { oif: 3 }));
      expect((await take(mon, 1)).map(brief)).toEqual(["new route 10.12.0.0/16 va"]);
      // the kernel changes things and the notifications are lost
      k.del("route", "a", { notify: false });
      k.set("route", "b", { ...route4("10.11.0.0", 16, { gateway: "10.1.0.2", oif: 3 }), header: { ...route4("10.11.0.0", 16, {}).header, protocol: 16 } }, { notify: false });
      k.set("route", "d", route4("10.13.0.0", 16, { oif: 3 }), { notify: false });
      k.set("link", "vb", link(4, "vb"), { notify: false });
      const dumpsBefore = k.dumps.route;
      k.overrun();
      const evs = await take(mon, 4);
      expect(evs.map(brief)).toEqual(["R del route 10.10.0.0/16 va", "R new link vb", "R new route 10.11.0.0/16 10.1.0.2", "R new route 10.13.0.0/16 va"]);
      expect(evs[2]!.data).toMatchObject({ protocol: "dhcp" });
      expect(mon.overruns).toBe(1);
      expect(k.dumps.route).toBe(dumpsBefore + 1);
      k.set("route", "e", route4("10.14.0.0", 16, { oif: 4 }));
      expect((await take(mon, 1)).map(brief)).toEqual(["new route 10.14.0.0/16 vb"]);
    } finally {
      await mon.close();
    }
  });

  it("a notification it cannot read makes it dump again instead of skipping it", async () => {
    const k = kernelWithLinks();
    const mon = k.monitor({ objects: ["addr", "route"] });
    try {
      await settled(k, mon);
      k.set("addr", "a", addr4(3, "10.1.0.1"), { notify: false });
      const bad = encode("addr", 20, addr4(3, "10.1.0.1"));
      bad.writeUInt16LE(200, 16 + 8); // the first attribute claims more bytes than the message has
      k.notes.inject(bad);
      expect((await take(mon, 1)).map(brief)).toEqual(["R new addr va 10.1.0.1"]);
      expect(mon.overruns).toBe(0);
    } finally {
      await mon.close();
    }
  });

  it("IPv4 replace: the route it swapped is reported deleted; with two candidates the routes are dumped again", async () => {
    const k = kernelWithLinks();
    k.set("route", "a", route4("10.5.0.0", 16, { gateway: "10.1.0.2", oif: 3 }), { notify: false });
    const mon = k.monitor({ objects: ["route"] });
    try {
      await settled(k, mon);
      k.del("route", "a", { notify: false });
      k.set("route", "b", route4("10.5.0.0", 16, { gateway: "10.1.0.4", oif: 3 }), { flags: NLM_F_REPLACE });
      expect((await take(mon, 2)).map(brief)).toEqual(["R del route 10.5.0.0/16 10.1.0.2", "new route 10.5.0.0/16 10.1.0.4"]);
      k.set("route", "c", route4("10.5.0.0", 16, { gateway: "10.1.0.3", oif: 3 }), { flags: NLM_F_CREATE | NLM_F_APPEND });
      expect((await take(mon, 1)).map(brief)).toEqual(["new route 10.5.0.0/16 10.1.0.3"]);
      // two routes of that key: which one the kernel swapped only a dump tells
      const dumps = k.dumps.route;
      k.del("route", "c", { notify: false });
      k.set("route", "d", route4("10.5.0.0", 16, { gateway: "10.1.0.9", oif: 3 }), { flags: NLM_F_REPLACE });
      expect((await take(mon, 2)).map(brief)).toEqual(["new route 10.5.0.0/16 10.1.0.9", "R del route 10.5.0.0/16 10.1.0.3"]);
      expect(k.dumps.route).toBe(dumps + 1);
    } finally {
      await mon.close();
    }
  });

  it("IPv6 multipath: an append absorbs the route it joined; deleting one hop dumps again", async () => {
    const k = kernelWithLinks();
    const gw = (n: number) => [0xfd, 0, ...Array(13).fill(0), n];
    const mon = k.monitor({ objects: ["route"] });
    try {
      await settled(k, mon);
      k.set("route", "r", route6("fd05::", 64, { gateway: Buffer.from(gw(2)), oif: 3 }));
      k.set("route", "r", route6("fd05::", 64, { multipath: hops([gw(3), 3], [gw(2), 3]) }), { flags: NLM_F_CREATE | NLM_F_APPEND });
      expect((await take(mon, 3)).map(brief)).toEqual(["new route fd05::/64 fd00::2", "R del route fd05::/64 fd00::2", "new route fd05::/64"]);
      k.set("route", "r", route6("fd05::", 64, { gateway: Buffer.from(gw(2)), oif: 3 }), { notify: false });
      k.notify("route", "del", route6("fd05::", 64, { gateway: Buffer.from(gw(3)), oif: 3 }));
      const evs = await take(mon, 3);
      expect(evs.map(brief)).toEqual(["del route fd05::/64 fd00::3", "R del route fd05::/64", "R new route fd05::/64 fd00::2"]);
    } finally {
      await mon.close();
    }
  });

  it("a device going down makes it dump the routes again: the kernel drops IPv4 routes silently", async () => {
    const k = kernelWithLinks();
    k.set("route", "r", route4("10.2.0.0", 16, { gateway: "10.1.0.2", oif: 3 }), { notify: false });
    const mon = k.monitor({ objects: ["route"] });
    try {
      await settled(k, mon);
      k.del("route", "r", { notify: false });
      k.set("link", "va", link(3, "va", false));
      expect((await take(mon, 1)).map(brief)).toEqual(["R del route 10.2.0.0/16 10.1.0.2"]);
    } finally {
      await mon.close();
    }
  });

  it("without a transport of its own it reads what is injected into the handle's transport", async () => {
    const k = kernelWithLinks();
    const mon = k.rt.monitor({ objects: ["link"], listExisting: true });
    try {
      expect((await take(mon, 2)).map(brief)).toEqual(["new link lo", "new link va"]);
      k.transport.inject(encode("link", 16, link(4, "vb")));
      expect((await take(mon, 1)).map(brief)).toEqual(["new link vb"]);
    } finally {
      await mon.close();
    }
    expect((await k.rt.link.list()).map((l) => l.name)).toEqual(["lo", "va"]);
  });

  it("close() ends a pending next(), stops reading, and leaves the handle usable", async () => {
    const k = kernelWithLinks();
    const mon = k.monitor();
    const pending = mon.next();
    await new Promise((r) => setImmediate(r));
    await mon.close();
    await expect(pending).resolves.toEqual({ value: undefined, done: true });
    expect(mon.closed).toBe(true);
    k.set("addr", "a", addr4(3, "10.1.0.1"));
    await expect(mon.next()).resolves.toEqual({ value: undefined, done: true });
    await mon.close();
    // the shared transport is still the handle's
    expect((await k.rt.link.list()).map((l) => l.name)).toEqual(["lo", "va"]);
  });

  it("for await ends by break or by close() from inside the loop", async () => {
    const k = kernelWithLinks();
    const mon = k.monitor({ objects: ["addr"] });
    k.set("addr", "a", addr4(3, "10.1.0.1"));
    k.set("addr", "b", addr4(3, "10.1.0.2"));
    const seen: string[] = [];
    for await (const ev of mon) {
      seen.push(brief(ev));
      break;
    }
    expect(seen).toEqual(["new addr va 10.1.0.1"]);
    expect(mon.closed).toBe(true);
    const mon2 = k.monitor({ objects: ["addr"] });
    k.set("addr", "c", addr4(3, "10.1.0.3"));
    k.set("addr", "d", addr4(3, "10.1.0.4"));
    for await (const ev of mon2) {
      seen.push(brief(ev));
      void mon2.close();
    }
    expect(seen).toEqual(["new addr va 10.1.0.1", "new addr va 10.1.0.3"]);
  });

  it("an aborted signal rejects the pending next() with its reason, once, then the iterator is done", async () => {
    const k = kernelWithLinks();
    const ac = new AbortController();
    const mon = k.monitor({ signal: ac.signal });
    const pending = mon.next();
    await new Promise((r) => setImmediate(r));
    ac.abort(new Error("stop now"));
    await expect(pending).rejects.toThrow("stop now");
    expect(mon.closed).toBe(true);
    await expect(mon.next()).resolves.toMatchObject({ done: true });
    const already = k.monitor({ signal: AbortSignal.abort("gone") });
    await expect(already.next()).rejects.toBe("gone");
  });

  it("a dump the kernel refuses ends the monitor with the kernel's error", async () => {
    const k = kernelWithLinks();
    k.refuse = { kind: "route", errno: 1 };
    const mon = k.monitor();
    const err = await mon.next().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect((err as NetlinkError).errno).toBe(1);
    expect(mon.closed).toBe(true);
  });

  it("closing the handle closes its monitors", async () => {
    const k = kernelWithLinks();
    const mon = k.monitor();
    const pending = mon.next();
    k.rt.close();
    await expect(pending).resolves.toMatchObject({ done: true });
    expect(mon.closed).toBe(true);
  });

  it("refuses bad options before subscribing", () => {
    const k = kernelWithLinks();
    expect(() => k.monitor({ objects: ["links" as never] })).toThrow(NlkitInputError);
    expect(() => k.monitor({ objects: [] })).toThrow(NlkitInputError);
    expect(() => k.monitor({ family: 5 as never })).toThrow(NlkitInputError);
    expect(() => k.monitor({ receiveBufferSize: -1 })).toThrow(NlkitInputError);
    expect(() => k.rt.monitor(null as never)).toThrow(NlkitInputError);
  });

  it("proxy neighbours are part of the state it compares", async () => {
    const k = kernelWithLinks();
    k.setProxy("p", { header: { family: 2, ifindex: 3, state: 0, flags: 0x08 }, attrs: { dst: "10.1.0.7" } });
    const mon = k.monitor({ objects: ["neigh"], listExisting: true });
    try {
      expect((await take(mon, 1)).map(brief)).toEqual(["new neigh va 10.1.0.7"]);
      expect(k.dumps.neigh).toBe(2);
    } finally {
      await mon.close();
    }
  });
});
