// rt.monitor() against a real kernel, with ip as the oracle: changes made with ip arrive as
// typed events equal to what ip -j shows right after; an overrun of thousands of route changes
// is resynced into the same state; close and abort release the socket.
import { execFileSync } from "node:child_process";
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { addrToIpJson } from "../../src/rtnl/json/addr.js";
import { linkToIpJson } from "../../src/rtnl/link/json.js";
import { neighToIpJson } from "../../src/rtnl/json/neigh.js";
import { routeToIpJson } from "../../src/rtnl/json/route.js";
import { ruleToIpJson } from "../../src/rtnl/json/rule.js";
import type { MonitorEvent, RtnlMonitor } from "../../src/rtnl/monitor/index.js";
import type { Route } from "../../src/rtnl/route/verbs.js";
import { Rtnl } from "../../src/rtnl/rtnl.js";
import { describeLive, ip, ipJson, TestNamespaces } from "../helpers/live.js";

/** Events until one matches; all of them, the match last. */
async function until(mon: RtnlMonitor, match: (e: MonitorEvent) => boolean): Promise<MonitorEvent[]> {
  const seen: MonitorEvent[] = [];
  for (;;) {
    const r = await mon.next();
    if (r.done) throw new Error(`the monitor ended after ${seen.length} events without the one awaited`);
    seen.push(r.value);
    if (match(r.value)) return seen;
  }
}

const isRoute = (dst: string, action: "new" | "del" = "new") => (e: MonitorEvent) => e.object === "route" && e.action === action && e.data.dst === dst;
const openFds = () => readdirSync("/proc/self/fd").length;
const routeJson = (r: Route) => routeToIpJson(r, { details: true });
const sortedJson = (list: unknown[]) => list.map((x) => JSON.stringify(x)).sort();

describeLive("rt.monitor() (live, checked against ip -j)", () => {
  const ns = new TestNamespaces("mon");
  let name: string;
  let rt: Rtnl;

  beforeAll(() => {
    name = ns.create("a");
    for (const k of ["all", "default"]) ip(["netns", "exec", name, "sysctl", "-qw", `net.ipv6.conf.${k}.accept_dad=0`]);
    rt = Rtnl.openSync({ netns: name });
  });
  afterAll(() => {
    rt?.close();
    ns.cleanup();
  });

  it("reports changes made with ip as the objects ip -j shows right after, and deletions as del", async () => {
    const mon = rt.monitor();
    try {
      ip(["link", "add", "va", "address", "02:00:00:00:00:0a", "type", "veth", "peer", "name", "vb"], name);
      let evs = await until(mon, (e) => e.object === "link" && e.data.name === "va");
      const va = evs.at(-1)!;
      expect(va).toMatchObject({ action: "new", resynced: false });
      expect(va.data).toEqual(await rt.link.get("va"));
      const byIndex = new Map((await rt.link.list()).map((l) => [l.index, l]));
      expect(va.object === "link" && linkToIpJson(va.data, byIndex)).toEqual(ipJson(["-d", "link", "show", "dev", "va"], name)[0]);

      ip(["link", "set", "va", "up"], name);
      ip(["link", "set", "vb", "up"], name);
      ip(["addr", "add", "10.1.0.1/24", "dev", "va"], name);
      evs = await until(mon, (e) => e.object === "addr" && e.data.local === "10.1.0.1");
      const addr = evs.at(-1)!;
      const shown = ipJson<Array<{ addr_info: unknown[] }>>(["-4", "addr", "show", "dev", "va"], name)[0]!.addr_info;
      expect(addr.object === "addr" && addrToIpJson(addr.data)).toEqual(shown[0]);
      expect(addr.data).toMatchObject({ dev: "va" });

      ip(["route", "add", "10.2.0.0/16", "via", "10.1.0.2", "table", "100", "metric", "7"], name);
      const route = (await until(mon, isRoute("10.2.0.0/16"))).at(-1)!;
      const routes = ipJson<unknown[]>(["-d", "route", "show", "table", "100"], name);
      expect(route.object === "route" && routeToIpJson(route.data, { details: true, filtered: { table: true } })).toEqual(routes[0]);

      ip(["-6", "route", "add", "fd05::/64", "dev", "va", "metric", "9"], name);
      const route6 = (await until(mon, isRoute("fd05::/64"))).at(-1)!;
      const routes6 = ipJson<Array<{ dst: string }>>(["-6", "-d", "route", "show", "fd05::/64"], name);
      expect(route6.object === "route" && routeToIpJson(route6.data, { details: true, filtered: { table: true } })).toEqual(routes6[0]);

      ip(["neigh", "add", "10.1.0.9", "lladdr", "02:00:00:00:00:09", "dev", "va", "nud", "permanent"], name);
      const neigh = (await until(mon, (e) => e.object === "neigh" && e.data.dst === "10.1.0.9")).at(-1)!;
      const neighs = ipJson<Array<{ dst: string }>>(["neigh", "show", "10.1.0.9"], name);
      expect(neigh.object === "neigh" && neighToIpJson(neigh.data)).toEqual(neighs[0]);

      ip(["rule", "add", "from", "10.9.0.0/16", "lookup", "100", "prio", "100"], name);
      const rule = (await until(mon, (e) => e.object === "rule" && e.data.priority === 100)).at(-1)!;
      const rules = ipJson<Array<{ priority: number }>>(["rule", "show"], name).filter((r) => r.priority === 100);
      expect(rule.object === "rule" && ruleToIpJson(rule.data)).toEqual(rules[0]);
      expect(rule.action).toBe("new");

      ip(["rule", "del", "prio", "100"], name);
      expect((await until(mon, (e) => e.object === "rule")).at(-1)).toMatchObject({ action: "del", data: { priority: 100 } });
      ip(["neigh", "del", "10.1.0.9", "dev", "va"], name);
      expect((await until(mon, (e) => e.object === "neigh" && e.action === "del")).at(-1)).toMatchObject({ data: { dst: "10.1.0.9" } });
      ip(["route", "del", "10.2.0.0/16", "table", "100"], name);
      const gone = (await until(mon, isRoute("10.2.0.0/16", "del"))).at(-1)!;
      expect(gone.data).toEqual(route.data);
      ip(["addr", "del", "10.1.0.1/24", "dev", "va"], name);
      expect((await until(mon, (e) => e.object === "addr" && e.action === "del")).at(-1)).toMatchObject({ data: { local: "10.1.0.1", dev: "va" } });
      ip(["link", "del", "va"], name);
      evs = await until(mon, (e) => e.object === "link" && e.action === "del" && e.data.name === "va");
      // its IPv6 route went with it, with the kernel's own delete
      expect(evs.some((e) => e.action === "del" && e.object === "route" && e.data.dst === "fd05::/64")).toBe(true);
    } finally {
      await mon.close();
    }
  });

  /** Routes by what identifies them to the kernel, rebuilt from events. */
  const apply = (state: Map<string, Route>, evs: readonly MonitorEvent[]) => {
    for (const e of evs) {
      if (e.object !== "route") continue;
      const r = e.data;
      // IPv6 keeps routes to one destination through different devices apart (no multipath here)
      const key = JSON.stringify([r.family, r.table, r.type, r.dst, r.from, r.tos, r.metric, r.family === 6 ? r.dev : ""]);
      if (e.action === "new") state.set(key, r);
      else state.delete(key);
    }
    return state;
  };
  const ipRoutes = (family: "-4" | "-6") => sortedJson(ipJson<unknown[]>([family, "-d", "route", "show", "table", "all"], name));

  it("listExisting reports the state first as new events, then the changes, with no gap", async () => {
    ip(["link", "add", "la", "type", "veth", "peer", "name", "lb"], name);
    ip(["link", "set", "la", "up"], name);
    ip(["link", "set", "lb", "up"], name);
    ip(["addr", "add", "10.4.0.1/24", "dev", "la"], name);
    ip(["route", "add", "10.5.0.0/16", "via", "10.4.0.2"], name);
    ip(["route", "add", "10.6.0.0/16", "dev", "la", "table", "200"], name);
    const mon = rt.monitor({ objects: ["route"], family: 4, listExisting: true });
    try {
      // made while the monitor starts: in its dump or among its events, never lost
      ip(["route", "add", "10.7.0.0/16", "dev", "la"], name);
      const first = await until(mon, isRoute("10.7.0.0/16"));
      expect(first.filter((e) => e.object === "route" && (e.data.dst === "10.5.0.0/16" || e.data.dst === "10.6.0.0/16")).map((e) => e.action)).toEqual(["new", "new"]);
      ip(["route", "del", "10.5.0.0/16"], name);
      ip(["route", "add", "10.8.0.0/16", "dev", "la"], name);
      const later = await until(mon, isRoute("10.8.0.0/16"));
      const state = apply(apply(new Map(), first), later);
      expect(sortedJson([...state.values()].map(routeJson))).toEqual(ipRoutes("-4"));
      expect([...first, ...later].every((e) => e.object === "route" && e.data.family === 4 && !e.resynced)).toBe(true);
    } finally {
      await mon.close();
    }
  });

  it("after an overrun of thousands of route changes, the state rebuilt from the events equals ip's", async () => {
    ip(["link", "add", "oa", "type", "veth", "peer", "name", "ob"], name);
    ip(["link", "set", "oa", "up"], name);
    ip(["link", "set", "ob", "up"], name);
    ip(["addr", "add", "10.40.0.1/24", "dev", "oa"], name);
    const mon = rt.monitor({ objects: ["route"], listExisting: true, receiveBufferSize: 4096 });
    try {
      ip(["route", "add", "10.250.0.0/16", "dev", "oa"], name);
      const events = await until(mon, isRoute("10.250.0.0/16"));
      // the consumer reads nothing while the burst runs: the kernel's queue overflows
      const lines: string[] = [];
      for (let i = 0; i < 3000; i++) lines.push(`route add 10.${100 + (i >> 8)}.${i & 255}.0/24 dev oa metric ${i % 3}`);
      for (let i = 0; i < 3000; i += 3) lines.push(`route del 10.${100 + (i >> 8)}.${i & 255}.0/24 dev oa metric 0`);
      for (let i = 1; i < 3000; i += 30) lines.push(`route replace 10.${100 + (i >> 8)}.${i & 255}.0/24 via 10.40.0.3 metric 1`);
      for (let i = 0; i < 200; i++) lines.push(`route add fd10:${i.toString(16)}::/64 dev oa`);
      lines.push("route del 10.250.0.0/16", "route add 10.251.0.0/16 dev oa");
      const batch = join(tmpdir(), `nlkit-test-${process.pid}-mon-burst`);
      writeFileSync(batch, lines.join("\n") + "\n");
      try {
        ip(["-batch", batch], name);
      } finally {
        rmSync(batch, { force: true });
      }
      events.push(...await until(mon, (e) => e.object === "route" && e.data.dst === "10.251.0.0/16"));
      // the end of the burst is in the state: what the kernel sends after it is a change of ours
      ip(["route", "add", "10.252.0.0/16", "dev", "oa"], name);
      events.push(...await until(mon, isRoute("10.252.0.0/16")));
      expect(mon.overruns).toBeGreaterThan(0);
      expect(events.some((e) => e.resynced)).toBe(true);
      const state = apply(new Map(), events);
      expect(sortedJson([...state.values()].map(routeJson))).toEqual(sortedJson([
        ...ipJson<unknown[]>(["-4", "-d", "route", "show", "table", "all"], name),
        ...ipJson<unknown[]>(["-6", "-d", "route", "show", "table", "all"], name),
      ]));
    } finally {
      await mon.close();
    }
  });

  it("close() and an aborted signal end the iterator and release the socket", async () => {
    await rt.link.list();
    const before = openFds();
    const mon = rt.monitor({ objects: ["link"] });
    const pending = mon.next();
    expect(openFds()).toBeGreaterThan(before);
    await mon.close();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(openFds()).toBe(before);
    await mon.close();
    expect(await mon.next()).toEqual({ value: undefined, done: true });

    const ac = new AbortController();
    const aborted = rt.monitor({ objects: ["route"], signal: ac.signal });
    const waiting = aborted.next();
    const reason = new Error("stop");
    ac.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(aborted.closed).toBe(true);
    expect(openFds()).toBe(before);

    // a for-await loop left early closes its monitor
    const looped = rt.monitor({ objects: ["link"], listExisting: true });
    for await (const e of looped) if (e.object === "link") break;
    expect(looped.closed).toBe(true);
    expect(openFds()).toBe(before);
  });

  it("nothing keeps the process alive after close", () => {
    const script = `
      import { Rtnl } from ${JSON.stringify(join(process.cwd(), "src/index.ts"))};
      const rt = Rtnl.openSync({ netns: ${JSON.stringify(name)} });
      const mon = rt.monitor({ listExisting: true });
      for await (const e of mon) { await mon.close(); }
      rt.close();
      console.log("closed");
    `;
    // the child has to exit by itself: a poller or timer left behind would hang it (and the test)
    const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8", timeout: 30_000 });
    expect(out.trim()).toBe("closed");
  });
});
