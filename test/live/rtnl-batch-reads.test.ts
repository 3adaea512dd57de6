import { afterAll, beforeAll, expect, it } from "vitest";
import { Rtnl } from "../../src/rtnl/rtnl.js";
import { describeLive, ip, ipJson, TestNamespaces } from "../helpers/live.js";

/** Reads made from a batch go to the kernel at once; only changes wait for send(). */
describeLive("rtnl reads and flush from a batch (live)", () => {
  const ns = new TestNamespaces("rvr-batch");
  let name: string;
  let rt: Rtnl;

  beforeAll(() => {
    name = ns.create("a");
    ip(["link", "add", "veth0", "type", "veth", "peer", "name", "veth1"], name);
    ip(["link", "set", "veth0", "up"], name);
    ip(["addr", "add", "10.7.0.1/24", "dev", "veth0"], name);
    ip(["neigh", "add", "10.7.0.2", "lladdr", "02:00:00:00:00:02", "dev", "veth0"], name);
    rt = Rtnl.openSync({ netns: name });
  });
  afterAll(() => {
    rt?.close();
    ns.cleanup();
  });

  const settled = (p: Promise<unknown>) => Promise.race([p.then(() => true, () => true), new Promise((r) => setTimeout(() => r(false), 200))]);

  it("list and get answer without waiting for send(), and queue nothing", async () => {
    const b = rt.batch();
    const reads: Array<Promise<unknown[] | unknown>> = [
      b.addr.list({ dev: "veth0", family: 4 }),
      b.route.list({ family: 4 }),
      b.neigh.list({ dev: "veth0" }),
      b.rule.list({ family: 4 }),
      b.route.get("10.7.0.2"),
    ];
    for (const p of reads) expect(await settled(p)).toBe(true);
    expect(b.size).toBe(0);
    const [addrs, routes, neighs, rules, route] = await Promise.all(reads) as [Array<{ local: string }>, Array<{ dst: string }>, Array<{ dst: string }>, unknown[], { dev: string }];
    expect(addrs.map((a) => a.local)).toEqual(["10.7.0.1"]);
    expect(routes.map((r) => r.dst)).toEqual(["10.7.0.0/24"]);
    expect(neighs.map((n) => n.dst)).toEqual(["10.7.0.2"]);
    expect(rules.length).toBe(3);
    expect(route.dev).toBe("veth0");
    await b.send();
  });

  it("addr flush in a batch lists, queues its deletes, and they settle with the batch", async () => {
    ip(["addr", "add", "10.8.0.1/24", "dev", "veth1"], name);
    ip(["addr", "add", "10.8.0.2/24", "dev", "veth1"], name);
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    try {
      const b = rt.batch();
      // in a batch, flush resolves once its deletes are queued
      expect(await b.addr.flush({ dev: "veth1", family: 4 })).toBe(2);
      expect(b.size).toBe(2);
      const out = await b.send();
      expect(out).toMatchObject({ ok: 2, errors: [] });
      expect(ipJson<Array<{ addr_info: unknown[] }>>(["-4", "addr", "show", "dev", "veth1"], name)[0]?.addr_info ?? []).toEqual([]);
      // a flush whose deletes fail reports them in the outcome; its own promise may go unread
      ip(["addr", "add", "10.8.0.3/24", "dev", "veth1"], name);
      const c = rt.batch();
      await c.addr.flush({ dev: "veth1", family: 4 });
      ip(["addr", "del", "10.8.0.3/24", "dev", "veth1"], name);
      const failed = await c.send();
      expect(failed.errors.map((e) => e.code)).toEqual(["EADDRNOTAVAIL"]);
      // a flush not awaited is waited for by send(): its deletes go with the batch
      ip(["addr", "add", "10.8.0.4/24", "dev", "veth1"], name);
      const d = rt.batch();
      void d.addr.flush({ dev: "veth1", family: 4 });
      expect(await d.send()).toMatchObject({ ok: 1, errors: [] });
      await new Promise((r) => setTimeout(r, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});
