import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { RtnlContext } from "../../src/rtnl/context.js";
import { Rtnl } from "../../src/rtnl/rtnl.js";
import { describeLive, ipJson, TestNamespaces } from "../helpers/live.js";

describeLive("link changes addressed by name (live)", () => {
  const ns = new TestNamespaces("lnk-name");
  let name = "";
  let rt: Rtnl;
  beforeAll(async () => {
    name = ns.create("a");
    rt = await Rtnl.open({ netns: name });
    await rt.link.add({ name: "n0", kind: "veth", peer: { name: "n1" } });
  });
  afterAll(() => {
    rt?.close();
    ns.cleanup();
  });

  it("set and del by name need no lookup round trip; a rename still goes by index", async () => {
    const lookups = vi.spyOn(RtnlContext.prototype, "ifindex");
    try {
      await rt.link.set("n0", { up: true, mtu: 1400 });
      await rt.link.set("n1", { up: true });
      expect(lookups).not.toHaveBeenCalled();
      expect(ipJson(["link", "show", "n0"], name)[0]).toMatchObject({ mtu: 1400, flags: expect.arrayContaining(["UP"]) });
      await rt.link.set("n1", { name: "n1x" });
      expect(lookups).toHaveBeenCalledTimes(1);
      expect(ipJson(["link", "show", "n1x"], name)).toHaveLength(1);
      lookups.mockClear();
      await rt.link.del("n0");
      expect(lookups).not.toHaveBeenCalled();
      expect(ipJson(["link", "show"], name).map((l: { ifname: string }) => l.ifname)).toEqual(["lo"]);
    } finally {
      lookups.mockRestore();
    }
  });

  it("an unknown name is still 'Cannot find device', and nothing changes", async () => {
    await expect(rt.link.set("nope0", { up: true })).rejects.toMatchObject({ code: "ENODEV", message: expect.stringContaining('Cannot find device "nope0"') });
    await expect(rt.link.del("nope0")).rejects.toMatchObject({ code: "ENODEV" });
    await expect(rt.link.set("bad/name", { up: true })).rejects.toMatchObject({ code: "EINVAL", field: "dev" });
  });

  it("a batch reports a failing link verb in its outcome, without an unhandled rejection", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    try {
      const b = rt.batch();
      b.link.add({ name: "b0", kind: "bridge" });
      const failing = b.link.set("nope1", { up: true });
      b.link.set("b0", { up: true });
      const outcome = await b.send();
      // the verb's own promise, for callers who await it, names the device as outside a batch
      await expect(failing).rejects.toMatchObject({ code: "ENODEV", message: expect.stringContaining('Cannot find device "nope1"') });
      await new Promise((r) => setTimeout(r, 50));
      expect(outcome.ok).toBe(2);
      expect(outcome.errors.map((e) => [e.code, e.request?.index])).toEqual([["ENODEV", 1]]);
      expect(outcome.refused).toEqual([]);
      // requests refused before sending are in the outcome too, at their position
      const b2 = rt.batch();
      b2.link.set("bad/name", { up: true });
      b2.route.add({ dst: "10.77.0.0/16", dev: "b0" });
      b2.route.add({ dst: "10.77.0.0/33", dev: "b0" });
      b2.link.set("nope2", { up: true });
      const o2 = await b2.send();
      expect(o2.ok).toBe(1);
      expect(o2.refused.map((r) => [r.index, (r.error as { field?: string }).field])).toEqual([[0, "dev"], [2, "dst"]]);
      expect(o2.errors.map((e) => [e.code, e.request?.index])).toEqual([["ENODEV", 3]]);
      await new Promise((r) => setTimeout(r, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});
