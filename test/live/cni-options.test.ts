// The bridge's other options next to the reference (hairpinMode, promiscMode, mtu,
// isDefaultGateway, a MAC from runtimeConfig, forceAddress), a delegated IPAM plugin (the
// reference's `static`, executed from CNI_PATH), and an install with the "nlkit-" prefix.
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { TestNamespaces } from "../helpers/live.js";
import { Runtime, type Container, type NetworkList } from "./cni-runtime.js";
import { addrState, buildNlkitCni, describeCni, hostVethNames, linkState, normalizeResult, REFERENCE_DIR, routeState, Side } from "./cni-topology.js";

const ns = new TestNamespaces("cni-opt");
let built: Awaited<ReturnType<typeof buildNlkitCni>> | undefined;
const sides = {} as Record<"nl" | "ref", { side: Side; rt: Runtime; dataDir: string }>;
const ctr = (s: Side, i: number, extra: Partial<Container> = {}): Container => ({ containerId: `o${i}`, netns: s.path(s.containers[i - 1]!), ifname: "eth0", ...extra });
const hostLocal = (dataDir: string, subnet: string) => ({ type: "host-local", subnet, dataDir, routes: [{ dst: "192.0.2.0/24" }] });

describeCni("nlkit-cni bridge options and delegated IPAM next to the reference", () => {

  beforeAll(async () => {
    built = await buildNlkitCni("opt", { prefix: "nlkit-" });
    for (const k of ["nl", "ref"] as const) {
      const side = new Side(ns, k).setup(4);
      const binDir = k === "nl" ? built.binDir : REFERENCE_DIR;
      sides[k] = { side, rt: new Runtime({ hostNetns: side.host, binDir, cacheDir: path.join(built.work, `cache-${k}`) }), dataDir: path.join(built.work, `ipam-${k}`) };
    }
  });

  afterAll(() => {
    ns.cleanup();
    built?.cleanup();
  });

  /** The same plugin object on both sides, nlkit's under its installed name. */
  async function addBoth(plugin: Record<string, unknown>, i: number, name: string, extra: Partial<Container> = {}) {
    const out = {} as Record<"nl" | "ref", any>;
    await Promise.all((["nl", "ref"] as const).map(async (k) => {
      const s = sides[k];
      const ipam = plugin.ipam ? { ...(plugin.ipam as object), ...((plugin.ipam as any).type === "host-local" ? { dataDir: s.dataDir, ...(k === "nl" ? { type: "nlkit-host-local" } : {}) } : {}) } : undefined;
      const list: NetworkList = { cniVersion: "1.0.0", name, plugins: [{ ...plugin, type: k === "nl" ? "nlkit-bridge" : "bridge", ...(ipam ? { ipam } : {}) }] };
      out[k] = { list, add: await s.rt.add(list, ctr(s.side, i, extra)) };
    }));
    return out;
  }

  it("hairpinMode, mtu, a MAC from runtimeConfig and isDefaultGateway: same result and state as the reference", async () => {
    const r = await addBoth({ bridge: "brh", hairpinMode: true, mtu: 1400, isDefaultGateway: true, capabilities: { mac: true }, ipam: hostLocal("", "10.50.0.0/24") }, 1, "hairnet", { capabilityArgs: { mac: "0a:58:0a:32:00:99" } });
    expect([r.nl.add.ok, r.ref.add.ok]).toEqual([true, true]);
    expect(normalizeResult(r.nl.add.result, sides.nl.side)).toEqual(normalizeResult(r.ref.add.result, sides.ref.side));
    expect(r.nl.add.result.interfaces[2].mac).toBe("0a:58:0a:32:00:99");
    expect(r.nl.add.result.routes).toEqual([{ dst: "192.0.2.0/24" }, { dst: "0.0.0.0/0", gw: "10.50.0.1" }]);
    const names = { nl: hostVethNames(sides.nl.side), ref: hostVethNames(sides.ref.side) };
    const nlLinks = linkState(sides.nl.side.host, names.nl);
    expect(nlLinks).toEqual(linkState(sides.ref.side.host, names.ref));
    expect(nlLinks.find((l) => l.ifname === "<veth:c1>")).toMatchObject({ hairpin: true, mtu: 1400, master: "brh" });
    expect(linkState(sides.nl.side.containers[0]!)).toEqual(linkState(sides.ref.side.containers[0]!));
    expect(routeState(sides.nl.side.containers[0]!)).toEqual(routeState(sides.ref.side.containers[0]!));
    expect((await sides.nl.rt.check(r.nl.list, ctr(sides.nl.side, 1))).ok).toBe(true);
  });

  it("promiscMode: the bridge is promiscuous on both sides, and CHECK sees it", async () => {
    const r = await addBoth({ bridge: "brp", promiscMode: true, ipam: hostLocal("", "10.51.0.0/24") }, 2, "promnet");
    expect([r.nl.add.ok, r.ref.add.ok]).toEqual([true, true]);
    const brp = (k: "nl" | "ref") => linkState(sides[k].side.host).find((l) => l.ifname === "brp");
    expect(brp("nl")).toEqual(brp("ref"));
    expect(brp("nl")!.flags).toContain("PROMISC");
    expect((await sides.nl.rt.check(r.nl.list, ctr(sides.nl.side, 2))).ok).toBe(true);
    // CHECK compares the promiscuity with the configuration
    const other = { ...r.nl.list, plugins: [{ ...r.nl.list.plugins[0], promiscMode: false }] };
    const bad = await sides.nl.rt.check(other, ctr(sides.nl.side, 2));
    expect(bad.runs[0]!.json).toMatchObject({ code: 999, msg: expect.stringContaining("Promisc Mode false") });
  });

  it("a bridge holding another address of the subnet: refused without forceAddress, replaced with it (as the reference)", async () => {
    for (const k of ["nl", "ref"] as const) {
      for (const br of ["brf", "brg"]) {
        execFileSync("ip", ["-n", sides[k].side.host, "link", "add", br, "type", "bridge"]);
        execFileSync("ip", ["-n", sides[k].side.host, "addr", "add", "10.52.0.200/24", "dev", br]);
      }
    }
    const plugin = { bridge: "brf", isGateway: true, ipam: hostLocal("", "10.52.0.0/24") };
    const refused = await addBoth(plugin, 3, "forcenet");
    expect(refused.nl.add.runs[0].json).toMatchObject({ code: 999, msg: refused.ref.add.runs[0].json.msg });
    expect(refused.nl.add.runs[0].json.msg).toBe('failed to set bridge addr: "brf" already has an IP address different from 10.52.0.1/24');
    await Promise.all((["nl", "ref"] as const).map((k) => sides[k].rt.del(refused[k].list, ctr(sides[k].side, 3))));
    const forced = await addBoth({ ...plugin, bridge: "brg", forceAddress: true }, 3, "forcenet");
    expect([forced.nl.add.runs[0].json, forced.ref.add.runs[0].json].map((j: any) => j?.msg)).toEqual([undefined, undefined]);
    const brg = (k: "nl" | "ref") => addrState(sides[k].side.host).find((l) => l.ifname === "brg");
    expect(brg("nl")).toEqual(brg("ref"));
    expect(brg("nl")!.addrs.map((a: any) => `${a.local}/${a.prefixlen}`)).toEqual(["10.52.0.1/24"]);
    await Promise.all((["nl", "ref"] as const).map((k) => sides[k].rt.del(forced[k].list, ctr(sides[k].side, 3))));
    // brf lost its only port in the refused ADD's DEL, and with it its MAC (all zeros): the
    // reference cannot pin that ("could not set bridge's mac"); nlkit pins the one the new port gave
    const again = await addBoth({ ...plugin, forceAddress: true }, 3, "forcenet");
    expect(again.ref.add.runs[0].json.msg).toBe("failed to set bridge addr: could not set bridge's mac: invalid argument");
    expect(again.nl.add.ok).toBe(true);
    expect(again.nl.add.result.interfaces[0].mac).not.toBe("00:00:00:00:00:00");
  });

  it("an IPAM type other than host-local is executed from CNI_PATH with the same stdin (the reference's static)", async () => {
    const ipam = { type: "static", addresses: [{ address: "10.53.0.7/24", gateway: "10.53.0.1" }], routes: [{ dst: "198.18.0.0/15" }] };
    const out = {} as Record<"nl" | "ref", any>;
    await Promise.all((["nl", "ref"] as const).map(async (k) => {
      const list: NetworkList = { cniVersion: "1.0.0", name: "staticnet", plugins: [{ type: k === "nl" ? "nlkit-bridge" : "bridge", bridge: "brs", isGateway: true, ipam }] };
      const rt = sides[k].rt;
      // nlkit's CNI_PATH: its own links, then the reference's directory for static
      const c = ctr(sides[k].side, 4);
      out[k] = k === "nl"
        ? await rt.exec("nlkit-bridge", "ADD", c, rt.request(list, list.plugins[0]!, c), { CNI_PATH: `${built!.binDir}:${REFERENCE_DIR}` })
        : await rt.exec("bridge", "ADD", c, rt.request(list, list.plugins[0]!, c));
    }));
    expect(out.nl.code).toBe(0);
    expect(normalizeResult(out.nl.json, sides.nl.side)).toEqual(normalizeResult(out.ref.json, sides.ref.side));
    expect(out.nl.json.ips).toEqual([{ interface: 2, address: "10.53.0.7/24", gateway: "10.53.0.1" }]);
    expect(addrState(sides.nl.side.containers[3]!)).toEqual(addrState(sides.ref.side.containers[3]!));
    // a delegated plugin that is not in CNI_PATH: the ADD fails and leaves no veth behind
    const c5 = sides.nl.side.addContainer("c5");
    const missing = await sides.nl.rt.exec("nlkit-bridge", "ADD", { containerId: "o5", netns: sides.nl.side.path(c5), ifname: "eth0" },
      { cniVersion: "1.0.0", name: "nonet", type: "nlkit-bridge", bridge: "brs", ipam: { type: "no-such-ipam" } });
    expect(missing.json).toMatchObject({ code: 999, msg: `failed to find plugin "no-such-ipam" in path [${built!.binDir}]` });
    expect(linkState(c5).map((l) => l.ifname)).toEqual(["lo"]);
  });
});
