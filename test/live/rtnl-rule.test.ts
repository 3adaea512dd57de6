import { afterAll, beforeAll, expect, it } from "vitest";
import { NetlinkError, NlkitInputError } from "../../src/netlink/errors.js";
import { ruleToIpJson } from "../../src/rtnl/json/rule.js";
import { Rtnl } from "../../src/rtnl/rtnl.js";
import { describeLive, ip, ipJson, TestNamespaces } from "../helpers/live.js";

describeLive("rtnl rule (live, checked against ip -j rule show)", () => {
  const ns = new TestNamespaces("ra-rule");
  let name: string;
  let rt: Rtnl;

  beforeAll(() => {
    name = ns.create("a");
    ip(["link", "add", "veth0", "type", "veth", "peer", "name", "veth1"], name);
    rt = Rtnl.openSync({ netns: name });
  });
  afterAll(() => {
    rt?.close();
    ns.cleanup();
  });

  const v4 = async () => (await rt.rule.list({ family: 4 })).map((r) => ruleToIpJson(r));

  it("adds rules with from/to, fwmark/mask, iif/oif, priority, table 1000, actions; list == ip -j rule show", async () => {
    await rt.rule.add({ from: "10.0.0.0/8", table: 100, priority: 1000 });
    await rt.rule.add({ fwmark: 0x1, fwmask: 0xff, table: 100, priority: 1001 });
    await rt.rule.add({ to: "192.0.2.0/24", table: 1000, priority: 1002 });
    await rt.rule.add({ iif: "veth0", oif: "veth1", table: "main", priority: 1003 });
    await rt.rule.add({ from: "10.9.0.0/16", action: "blackhole", priority: 1004 });
    await rt.rule.add({ from: "10.8.0.0/16", action: "unreachable", priority: 1005, not: true });
    await rt.rule.add({ ipProto: "tcp", dport: [80, 90], sport: 1234, table: 100, priority: 1006 });
    await rt.rule.add({ priority: 1007, goto: 1009 });
    await rt.rule.add({ priority: 1008, table: "main", suppressPrefixlen: 0 });
    await rt.rule.add({ priority: 1009, action: "nop" });
    await rt.rule.add({ family: 6, from: "2001:db8::/32", table: 100, priority: 2000 });
    expect(await v4()).toEqual(ipJson(["rule", "show"], name));
    expect((await rt.rule.list({ family: 6 })).map((r) => ruleToIpJson(r))).toEqual(ipJson(["-6", "rule", "show"], name));
    const all = await rt.rule.list();
    expect(all.filter((r) => r.family === 6).length).toBeGreaterThan(0);
    expect(all.find((r) => r.priority === 1002)).toMatchObject({ table: 1000, to: "192.0.2.0/24", action: "to_tbl" });
    expect(all.find((r) => r.priority === 1001)).toMatchObject({ fwmark: 1, fwmask: 0xff });
  });

  it("del removes the matching rule", async () => {
    await rt.rule.del({ from: "10.0.0.0/8", table: 100, priority: 1000 });
    await rt.rule.del({ priority: 1004 });
    await rt.rule.del({ family: 6, priority: 2000 });
    expect(await v4()).toEqual(ipJson(["rule", "show"], name));
    expect((await rt.rule.list({ family: 4 })).map((r) => r.priority)).not.toContain(1000);
  });

  it("errors are typed and leave nothing behind", async () => {
    const before = ip(["-j", "rule", "show"], name);
    const dup = await rt.rule.add({ fwmark: 0x1, fwmask: 0xff, table: 100, priority: 1001 }).catch((e) => e);
    expect(dup).toBeInstanceOf(NetlinkError);
    expect(dup.code).toBe("EEXIST");
    const missing = await rt.rule.del({ from: "10.0.0.0/8", table: 100, priority: 1000 }).catch((e) => e);
    expect(missing.code).toBe("ENOENT");
    const bad = await rt.rule.add({ from: "10.0.0.0/99" }).catch((e) => e);
    expect(bad).toBeInstanceOf(NlkitInputError);
    const mismatch = await rt.rule.add({ family: 6, from: "10.0.0.0/8" }).catch((e) => e);
    expect(mismatch).toBeInstanceOf(NlkitInputError);
    expect(ip(["-j", "rule", "show"], name)).toBe(before);
  });
});
