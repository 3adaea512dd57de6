// Dual stack next to the reference: two range sets (IPv4 and IPv6), gateways of both families on
// the bridge, masquerade and port mappings for both, and a mapping bound to one host address.
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import type * as net from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { UdpSourceReporter, udpAsk } from "../../src/index.js";
import { ipJson, TestNamespaces } from "../helpers/live.js";
import { Runtime, type Container, type NetworkList } from "./cni-runtime.js";
import { addrState, buildNlkitCni, describeCni, hostVethNames, normalizeResult, readSysctl, REFERENCE_DIR, routeState, Side, tcpAsk, tcpServe, UPLINK } from "./cni-topology.js";

const ns = new TestNamespaces("cni-ds");
let built: Awaited<ReturnType<typeof buildNlkitCni>> | undefined;
const sides = {} as Record<"nl" | "ref", { side: Side; rt: Runtime; list: NetworkList; adds: any[] }>;

const portMappings = [
  { hostPort: 18081, containerPort: 81, protocol: "tcp" },
  { hostPort: 18082, containerPort: 82, protocol: "tcp", hostIP: UPLINK.host4 },
];

function list(dataDir: string): NetworkList {
  return {
    cniVersion: "1.0.0", name: "dsnet",
    plugins: [
      {
        type: "bridge", bridge: "cni0", isGateway: true, ipMasq: true,
        ipam: { type: "host-local", ranges: [[{ subnet: "10.24.0.0/24" }], [{ subnet: "fd24::/64" }]], dataDir, routes: [{ dst: "0.0.0.0/0" }, { dst: "::/0" }] },
      },
      { type: "portmap", capabilities: { portMappings: true } },
    ],
  };
}

const ctr = (s: Side, i: number): Container => ({ containerId: `ds${i}`, netns: s.path(s.containers[i - 1]!), ifname: "eth0", ...(i === 1 ? { capabilityArgs: { portMappings } } : {}) });

/** Waits until no address of `dev` is tentative (the bridge's IPv6 gateway runs DAD). */
async function dadDone(nsName: string, dev: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const l = ipJson<any[]>(["addr", "show", "dev", dev], nsName)[0];
    if (!(l?.addr_info ?? []).some((a: any) => a.tentative)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${dev} in ${nsName} stayed tentative`);
}

describeCni("nlkit-cni dual stack next to the reference", () => {

  beforeAll(async () => {
    built = await buildNlkitCni("ds");
    await Promise.all((["nl", "ref"] as const).map(async (k) => {
      const side = new Side(ns, k).setup(2);
      for (const c of side.containers) execFileSync("ip", ["-n", c, "link", "set", "lo", "up"]);
      const rt = new Runtime({ hostNetns: side.host, binDir: k === "nl" ? built!.binDir : REFERENCE_DIR, cacheDir: path.join(built!.work, `cache-${k}`) });
      sides[k] = { side, rt, list: list(path.join(built!.work, `ipam-${k}`)), adds: [] };
      for (const i of [1, 2]) sides[k].adds.push(await rt.add(sides[k].list, ctr(side, i)));
      await dadDone(side.host, "cni0");
    }));
  });

  afterAll(() => {
    ns.cleanup();
    built?.cleanup();
  });

  it("allocates one address per range set and returns the same results as the reference", () => {
    for (const k of ["nl", "ref"] as const) expect(sides[k].adds.map((a) => a.ok)).toEqual([true, true]);
    expect(sides.nl.adds[0].result.ips.map((i: any) => [i.address, i.gateway])).toEqual([["10.24.0.2/24", "10.24.0.1"], ["fd24::2/64", "fd24::1"]]);
    for (const i of [0, 1]) {
      expect(sides.nl.adds[i].runs.map((r: any) => normalizeResult(r.json, sides.nl.side))).toEqual(sides.ref.adds[i].runs.map((r: any) => normalizeResult(r.json, sides.ref.side)));
    }
  });

  it("puts both gateways on the bridge, both addresses and default routes in the containers, and both forwarding switches on", () => {
    const names = { nl: hostVethNames(sides.nl.side), ref: hostVethNames(sides.ref.side) };
    expect(addrState(sides.nl.side.host, names.nl)).toEqual(addrState(sides.ref.side.host, names.ref));
    expect(routeState(sides.nl.side.host, names.nl)).toEqual(routeState(sides.ref.side.host, names.ref));
    for (const i of [0, 1]) {
      expect(addrState(sides.nl.side.containers[i]!)).toEqual(addrState(sides.ref.side.containers[i]!));
      expect(routeState(sides.nl.side.containers[i]!)).toEqual(routeState(sides.ref.side.containers[i]!));
    }
    for (const key of ["net/ipv4/ip_forward", "net/ipv6/conf/all/forwarding"]) {
      expect(readSysctl(sides.nl.side.host, key)).toBe("1");
      expect(readSysctl(sides.ref.side.host, key)).toBe("1");
    }
    const rules = execFileSync("ip", ["netns", "exec", sides.nl.side.host, "nft", "list", "ruleset"], { encoding: "utf8" });
    expect(rules).toMatch(/ip6 saddr fd24::2 ip6 daddr != fd24::\/64 masquerade comment/);
    expect(rules).toMatch(/ip6 daddr ff00::\/8 return/);
    expect(rules).toMatch(/tcp dport 18081 dnat ip6 to \[fd24::2\]:81/);
    expect(rules).toMatch(/ip daddr 198\.51\.100\.2 tcp dport 18082 dnat ip to 10\.24\.0\.2:82/);
  });

  it("carries the same traffic over IPv4 and IPv6: masquerade, port mappings from outside and the host, hostIP honoured", async () => {
    const seen = await Promise.all((["nl", "ref"] as const).map(async (k) => {
      const s = sides[k].side;
      const [c1, c2] = s.containers;
      const out: Record<string, unknown> = {};
      const rep6 = new UdpSourceReporter({ netns: s.outside, address: UPLINK.out6, port: 7007 });
      const servers: net.Server[] = [];
      try {
        out.nat6 = (await udpAsk({ netns: c2!, to: UPLINK.out6, port: 7007, timeoutMs: 3000 }))?.reply.replace(/:\d+$/, "");
        servers.push(await tcpServe(c1!, 81), await tcpServe(c1!, 82));
        out.v6FromOutside = await tcpAsk(s.outside, UPLINK.host6, 18081);
        out.v4FromOutside = await tcpAsk(s.outside, UPLINK.host4, 18081);
        out.v6FromC2 = await tcpAsk(c2!, "fd24::1", 18081);
        out.hostIpFromOutside = await tcpAsk(s.outside, UPLINK.host4, 18082);
        // the other local address is not the mapping's hostIP: nothing answers there
        out.hostIpOtherAddress = await tcpAsk(c2!, "10.24.0.1", 18082, 1000);
        out.hostIpV6 = await tcpAsk(s.outside, UPLINK.host6, 18082, 1000);
      } finally {
        await rep6.close();
        for (const srv of servers) srv.close();
      }
      return out;
    }));
    expect(seen[0]).toEqual(seen[1]);
    expect(seen[0]).toEqual({
      nat6: `seen [${UPLINK.host6}]`,
      v6FromOutside: `seen ${UPLINK.out6}`,
      v4FromOutside: `seen ${UPLINK.out4}`,
      v6FromC2: "seen fd24::1",
      hostIpFromOutside: `seen ${UPLINK.out4}`,
      hostIpOtherAddress: undefined,
      hostIpV6: undefined,
    });
  });

  it("CHECK passes for both families; DEL removes every rule of both", async () => {
    const s = sides.nl;
    expect((await s.rt.check(s.list, ctr(s.side, 1))).runs.map((r) => [r.type, r.code, r.stdout])).toEqual([["bridge", 0, ""], ["portmap", 0, ""]]);
    for (const i of [1, 2]) expect((await s.rt.del(s.list, ctr(s.side, i))).ok).toBe(true);
    const rules = execFileSync("ip", ["netns", "exec", s.side.host, "nft", "list", "ruleset"], { encoding: "utf8" });
    expect(rules).not.toMatch(/fd24::[2-9]|10\.24\.0\.[2-9]|comment/);
  });
});
