import { afterAll, beforeAll, expect, it } from "vitest";
import { NetlinkError } from "../../src/netlink/errors.js";
import { netns } from "../../src/netns/index.js";
import { describeLive, ip, ipJson, TestNamespaces } from "../helpers/live.js";

const ns = new TestNamespaces("nns-nsid");
afterAll(() => ns.cleanup());

interface IpNetnsEntry { name: string; id?: number }
interface IpNsidEntry { nsid: number; name?: string }

describeLive("namespace ids (RTM_NEWNSID / RTM_GETNSID)", () => {
  let a = "";
  let b = "";
  let c = "";
  beforeAll(async () => {
    a = ns.create("a");
    b = ns.create("b");
    c = ns.adopt(ns.name("c"));
    await netns.add(c);
  });

  it("no id until one is assigned", async () => {
    expect(await netns.getId(a, { in: b })).toBeUndefined();
    expect(await netns.getId(a)).toBeUndefined();
    expect(ipJson<IpNsidEntry[]>(["netns", "list-id"], b)).toEqual([]);
  });

  it("setId in another namespace's table agrees with ip -n B netns list-id / list", async () => {
    expect(await netns.setId(a, 7, { in: b })).toBe(7);
    expect(await netns.getId(a, { in: b })).toBe(7);
    expect(ipJson<IpNsidEntry[]>(["netns", "list-id"], b)).toContainEqual({ nsid: 7, name: a });
    expect(ip(["netns", "list"], b).split("\n")).toContain(`${a} (id: 7)`);
    // the table is per namespace: the root's and a's own are untouched
    expect(await netns.getId(a)).toBeUndefined();
    const selfInA = ipJson<IpNetnsEntry[]>(["netns", "list"], a).find((e) => e.name === a)?.id;
    expect(await netns.getId(a, { in: a })).toBe(selfInA);
  });

  it("getId reads what ip netns set assigned", async () => {
    ip(["netns", "set", c, "12"], b);
    expect(await netns.getId(c, { in: b })).toBe(12);
    expect(await netns.getId(`/run/netns/${c}`, { in: `/run/netns/${b}` })).toBe(12);
    const mine = await netns.listIds({ in: b });
    expect(mine).toEqual(expect.arrayContaining([{ nsid: 7, name: a }, { nsid: 12, name: c }]));
    expect(mine.map((e) => e.nsid).sort()).toEqual(ipJson<IpNsidEntry[]>(["netns", "list-id"], b).map((e) => e.nsid).sort());
  });

  it("an assigned id cannot be changed: the kernel says EEXIST", async () => {
    const err = await netns.setId(a, 8, { in: b }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err).toMatchObject({ code: "EEXIST", request: { typeName: "RTM_NEWNSID" } });
    expect(await netns.getId(a, { in: b })).toBe(7);
  });

  it("auto in the current namespace matches ip netns list (id: N) and list-id", async () => {
    const id = await netns.setId(c, "auto");
    expect(Number.isInteger(id) && id >= 0).toBe(true);
    expect(await netns.getId(c)).toBe(id);
    const ipList = ipJson<IpNetnsEntry[]>(["netns", "list"]);
    expect(ipList.find((e) => e.name === c)).toEqual({ name: c, id });
    const detailed = await netns.listDetailed();
    expect(detailed.find((e) => e.name === c)).toEqual({ name: c, nsid: id });
    expect(detailed.find((e) => e.name === a)).toEqual({ name: a });
    expect(ipJson<IpNsidEntry[]>(["netns", "list-id"])).toContainEqual({ nsid: id, name: c });
    expect((await netns.listIds()).find((e) => e.nsid === id)).toEqual({ nsid: id, name: c });
  });
});
