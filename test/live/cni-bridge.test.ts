// nlkit-cni next to the reference plugins (containernetworking-plugins 1.1.1 in /usr/lib/cni), in
// one run: the same network configuration lists, driven the way containerd drives them, on two
// identical sets of namespaces. Results, ip -j state, sysctls, host-local files and traffic are
// compared (normalised); nlkit's NAT rules are read with nft(8) as the oracle.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type * as net from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ping, UdpSourceReporter, udpAsk } from "../../src/index.js";
import { TestNamespaces } from "../helpers/live.js";
import { Runtime, type Container, type NetworkList } from "./cni-runtime.js";
import {
  addrState, buildNlkitCni, describeCni, dataDirState, hostVethNames, linkState, normalizeResult, readSysctl,
  REFERENCE_DIR, routeState, Side, tcpAsk, tcpServe, UPLINK,
} from "./cni-topology.js";

const ns = new TestNamespaces("cni-br");
const sides: Record<"nl" | "ref", { side: Side; rt: Runtime; list: NetworkList; lo: NetworkList; dataDir: string; adds: any[]; loAdds: any[] }> = {} as never;
let built: Awaited<ReturnType<typeof buildNlkitCni>> | undefined;

const portMappings = [
  { hostPort: 18080, containerPort: 80, protocol: "tcp" },
  { hostPort: 15353, containerPort: 53, protocol: "udp" },
];

function networkList(dataDir: string): NetworkList {
  return {
    cniVersion: "1.0.0",
    name: "cnitest",
    plugins: [
      {
        type: "bridge", bridge: "cni0", isGateway: true, ipMasq: true,
        ipam: { type: "host-local", subnet: "10.22.0.0/24", dataDir, routes: [{ dst: "0.0.0.0/0" }] },
        dns: { nameservers: ["10.22.0.1"], search: ["cluster.test"] },
      },
      { type: "portmap", capabilities: { portMappings: true } },
    ],
  };
}
const loopbackList: NetworkList = { cniVersion: "1.0.0", name: "cni-loopback", plugins: [{ type: "loopback" }] };

function container(s: Side, i: number, ifname = "eth0"): Container {
  return {
    containerId: `ctr${i}`, netns: s.path(s.containers[i - 1]!), ifname,
    ...(i === 1 && ifname === "eth0" ? { capabilityArgs: { portMappings } } : {}),
  };
}

async function both<T>(fn: (k: "nl" | "ref") => Promise<T>): Promise<{ nl: T; ref: T }> {
  const [nl, ref] = await Promise.all([fn("nl"), fn("ref")]);
  return { nl, ref };
}


describeCni("nlkit-cni bridge/host-local/portmap/loopback next to the reference", () => {

  beforeAll(async () => {
    built = await buildNlkitCni("br");
    for (const k of ["nl", "ref"] as const) {
      const side = new Side(ns, k).setup(4);
      const dataDir = path.join(built.work, `ipam-${k}`);
      const rt = new Runtime({ hostNetns: side.host, binDir: k === "nl" ? built.binDir : REFERENCE_DIR, cacheDir: path.join(built.work, `cache-${k}`) });
      sides[k] = { side, rt, list: networkList(dataDir), lo: loopbackList, dataDir, adds: [], loAdds: [] };
    }
    await both(async (k) => {
      const s = sides[k];
      for (let i = 1; i <= 3; i++) {
        s.loAdds.push(await s.rt.add(s.lo, container(s.side, i, "lo")));
        s.adds.push(await s.rt.add(s.list, container(s.side, i)));
      }
    });
  });

  afterAll(() => {
    ns.cleanup();
    built?.cleanup();
  });

  it("ADD succeeds for three containers on both sides, with the same results (MACs, veth names, sandboxes normalised)", () => {
    for (const k of ["nl", "ref"] as const) {
      for (const a of [...sides[k].adds, ...sides[k].loAdds]) {
        expect(a.runs.map((r: any) => [r.type, r.code, r.stderr])).toEqual(a.runs.map((r: any) => [r.type, 0, ""]));
      }
    }
    for (let i = 0; i < 3; i++) {
      const nlRuns = sides.nl.adds[i].runs.map((r: any) => normalizeResult(r.json, sides.nl.side));
      const refRuns = sides.ref.adds[i].runs.map((r: any) => normalizeResult(r.json, sides.ref.side));
      expect(nlRuns).toEqual(refRuns);
      expect(normalizeResult(sides.nl.loAdds[i].result, sides.nl.side)).toEqual(normalizeResult(sides.ref.loAdds[i].result, sides.ref.side));
    }
    expect(sides.nl.adds.map((a) => a.result.ips[0].address)).toEqual(["10.22.0.2/24", "10.22.0.3/24", "10.22.0.4/24"]);
    // the container end is named CNI_IFNAME, the host end veth + 8 hex digits
    expect(sides.nl.adds[0].result.interfaces.map((i: any) => i.name)).toEqual(["cni0", expect.stringMatching(/^veth[0-9a-f]{8}$/), "eth0"]);
  });

  it("leaves the same links, addresses and routes in the host namespace and in every container", () => {
    const names = { nl: hostVethNames(sides.nl.side), ref: hostVethNames(sides.ref.side) };
    expect(names.nl.size).toBe(3);
    expect(linkState(sides.nl.side.host, names.nl)).toEqual(linkState(sides.ref.side.host, names.ref));
    expect(addrState(sides.nl.side.host, names.nl)).toEqual(addrState(sides.ref.side.host, names.ref));
    expect(routeState(sides.nl.side.host, names.nl)).toEqual(routeState(sides.ref.side.host, names.ref));
    for (let i = 0; i < 3; i++) {
      const [a, b] = [sides.nl.side.containers[i]!, sides.ref.side.containers[i]!];
      expect(linkState(a)).toEqual(linkState(b));
      expect(addrState(a)).toEqual(addrState(b));
      expect(routeState(a)).toEqual(routeState(b));
    }
  });

  it("sets the same sysctls (forwarding, route_localnet, arp_notify, accept_dad, accept_ra)", () => {
    const keysFor = (s: Side, names: Map<string, string>) => {
      const out: Record<string, string | undefined> = {};
      for (const key of ["net/ipv4/ip_forward", "net/ipv6/conf/all/forwarding", "net/ipv4/conf/cni0/route_localnet", "net/ipv4/conf/cni0/arp_notify", "net/ipv6/conf/cni0/accept_ra", "net/ipv6/conf/cni0/accept_dad"]) {
        out[`host ${key}`] = readSysctl(s.host, key);
      }
      for (const [veth, label] of names) {
        for (const k of ["accept_ra", "accept_dad", "disable_ipv6"]) out[`host ${label} ${k}`] = readSysctl(s.host, `net/ipv6/conf/${veth}/${k}`);
        out[`host ${label} route_localnet`] = readSysctl(s.host, `net/ipv4/conf/${veth}/route_localnet`);
      }
      s.containers.slice(0, 3).forEach((c, i) => {
        for (const key of ["net/ipv4/conf/eth0/arp_notify", "net/ipv6/conf/eth0/accept_dad", "net/ipv6/conf/eth0/disable_ipv6", "net/ipv4/ip_forward", "net/ipv4/conf/eth0/route_localnet"]) {
          out[`c${i + 1} ${key}`] = readSysctl(c, key);
        }
      });
      return out;
    };
    const nl = keysFor(sides.nl.side, hostVethNames(sides.nl.side));
    expect(nl).toEqual(keysFor(sides.ref.side, hostVethNames(sides.ref.side)));
    expect(nl["host net/ipv4/ip_forward"]).toBe("1");
    expect(nl["host net/ipv4/conf/cni0/route_localnet"]).toBe("1");
    expect(nl["c1 net/ipv6/conf/eth0/accept_dad"]).toBe("0");
  });

  it("writes host-local's data directory byte for byte as the reference does (CRLF between ID and ifname, modes, lock)", () => {
    const nl = dataDirState(path.join(sides.nl.dataDir, "cnitest"));
    expect(nl).toEqual(dataDirState(path.join(sides.ref.dataDir, "cnitest")));
    expect(nl["10.22.0.2"]).toBe('644 "ctr1\\r\\neth0"');
    expect(Object.keys(nl)).toEqual(["10.22.0.2", "10.22.0.3", "10.22.0.4", "last_reserved_ip.0", "lock"]);
  });

  it("puts its NAT rules in its own nftables tables (nft list ruleset as the oracle), and none in iptables", () => {
    const rules = execFileSync("ip", ["netns", "exec", sides.nl.side.host, "nft", "list", "ruleset"], { encoding: "utf8" });
    expect([...rules.matchAll(/^table (\S+ \S+)/gm)].map((m) => m[1])).toEqual(["inet cni_plugins_masquerade", "inet cni_plugins_hostport"]);
    for (const [i, ip] of ["10.22.0.2", "10.22.0.3", "10.22.0.4"].entries()) {
      expect(rules).toMatch(new RegExp(`ip saddr ${ip.replaceAll(".", "\\.")} ip daddr != 10\\.22\\.0\\.0/24 masquerade comment "[0-9a-f]{16}-[0-9a-f]{16}, net: cnitest, if: eth0, id: ctr${i + 1}"`));
    }
    expect(rules).toMatch(/ip daddr 224\.0\.0\.0\/4 return/);
    expect(rules).toMatch(/tcp dport 18080 dnat ip to 10\.22\.0\.2:80 comment ".*id: ctr1"/);
    expect(rules).toMatch(/udp dport 15353 dnat ip to 10\.22\.0\.2:53/);
    expect(rules).toMatch(/fib daddr type local jump hostports/);
    const ipt = execFileSync("ip", ["netns", "exec", sides.nl.side.host, "iptables-save"], { encoding: "utf8" });
    expect(ipt).not.toMatch(/CNI|MASQUERADE|DNAT/);
  });

  it("carries the same traffic: container to container, masquerade to the outside, port mappings from outside, the host and another container", async () => {
    const seen = await both(async (k) => {
      const s = sides[k].side;
      const [c1, c2, c3] = s.containers;
      const out: Record<string, unknown> = {};
      out.c1c3 = (await ping("10.22.0.4", { netns: c1!, count: 1, timeoutMs: 2000 })).received;
      const rep = new UdpSourceReporter({ netns: s.outside, address: UPLINK.out4, port: 7007 });
      const dns = new UdpSourceReporter({ netns: c1!, address: "10.22.0.2", port: 53 });
      let web: net.Server | undefined;
      try {
        out.nat = (await udpAsk({ netns: c3!, to: UPLINK.out4, port: 7007, timeoutMs: 2000 }))?.reply.replace(/:\d+$/, "");
        web = await tcpServe(c1!, 80);
        out.fromOutside = await tcpAsk(s.outside, UPLINK.host4, 18080);
        out.fromHost = await tcpAsk(s.host, UPLINK.host4, 18080);
        out.fromHostLoopback = await tcpAsk(s.host, "127.0.0.1", 18080);
        out.fromC2ViaUplink = await tcpAsk(c2!, UPLINK.host4, 18080);
        out.fromC2ViaGateway = await tcpAsk(c2!, "10.22.0.1", 18080);
        out.udpFromOutside = (await udpAsk({ netns: s.outside, to: UPLINK.host4, port: 15353, timeoutMs: 2000 }))?.reply.replace(/:\d+$/, "");
      } finally {
        await rep.close();
        await dns.close();
        web?.close();
      }
      return out;
    });
    expect(seen.nl).toEqual(seen.ref);
    expect(seen.nl).toEqual({
      c1c3: 1,
      nat: `seen ${UPLINK.host4}`,
      fromOutside: `seen ${UPLINK.out4}`,
      fromHost: `seen ${UPLINK.host4}`,
      fromHostLoopback: "seen 10.22.0.1",
      fromC2ViaUplink: "seen 10.22.0.1",
      fromC2ViaGateway: "seen 10.22.0.1",
      udpFromOutside: `seen ${UPLINK.out4}`,
    });
  });

  it("CHECK passes right after ADD (nlkit's portmap too, where the reference's fails: plugins#819) and fails once an address is gone", async () => {
    for (let i = 1; i <= 3; i++) {
      const c = container(sides.nl.side, i);
      const r = await sides.nl.rt.check(sides.nl.list, c);
      expect(r.runs.map((x) => [x.type, x.code, x.stdout])).toEqual([["bridge", 0, ""], ["portmap", 0, ""]]);
      expect((await sides.nl.rt.check(sides.nl.lo, container(sides.nl.side, i, "lo"))).ok).toBe(true);
    }
    const bridgeOnly = (l: NetworkList): NetworkList => ({ ...l, plugins: [l.plugins[0]!] });
    const ref = await sides.ref.rt.check(bridgeOnly(sides.ref.list), container(sides.ref.side, 1));
    expect(ref.ok).toBe(true);
    const failed = await both(async (k) => {
      const s = sides[k];
      execFileSync("ip", ["-n", s.side.containers[1]!, "addr", "del", "10.22.0.3/24", "dev", "eth0"]);
      const r = await s.rt.check(bridgeOnly(s.list), container(s.side, 2));
      return { code: r.runs[0]!.code, error: r.runs[0]!.json?.code, msg: r.runs[0]!.json?.msg };
    });
    expect(failed.nl).toEqual({ code: 1, error: 999, msg: expect.stringContaining("10.22.0.3/24") });
    expect(failed.ref).toEqual({ code: 1, error: 999, msg: expect.stringContaining("10.22.0.3/24") });
  });

  it("DEL: normal, again, a third time without CNI_NETNS, without prevResult, after the netns was deleted; every address released, no NAT rule left", async () => {
    const dels = await both(async (k) => {
      const s = sides[k];
      const runs: Array<{ what: string; codes: Array<number | null>; out: string[] }> = [];
      const log = (what: string, r: { runs: any[] }) => runs.push({ what, codes: r.runs.map((x) => x.code), out: r.runs.map((x) => x.stdout) });
      const c1 = container(s.side, 1);
      log("c1 DEL", await s.rt.del(s.list, c1));
      log("c1 DEL again", await s.rt.del(s.list, c1));
      log("c1 DEL without CNI_NETNS", await s.rt.del(s.list, { ...c1, netns: "" }));
      log("c1 lo DEL", await s.rt.del(s.lo, container(s.side, 1, "lo")));
      log("c2 DEL without prevResult", await s.rt.del(s.list, container(s.side, 2), { cache: false }));
      execFileSync("ip", ["netns", "del", s.side.containers[2]!]);
      log("c3 DEL, netns deleted", await s.rt.del(s.list, container(s.side, 3)));
      log("c3 lo DEL, netns deleted", await s.rt.del(s.lo, container(s.side, 3, "lo")));
      return runs;
    });
    expect(dels.nl).toEqual(dels.ref);
    for (const d of dels.nl) expect(d.codes.every((c) => c === 0) && d.out.every((o) => o === "")).toBe(true);
    expect(Object.keys(dataDirState(path.join(sides.nl.dataDir, "cnitest")))).toEqual(["last_reserved_ip.0", "lock"]);
    expect(dataDirState(path.join(sides.nl.dataDir, "cnitest"))).toEqual(dataDirState(path.join(sides.ref.dataDir, "cnitest")));
    // the bridge, its address and forwarding stay; no veth is left
    const names = { nl: hostVethNames(sides.nl.side), ref: hostVethNames(sides.ref.side) };
    expect(linkState(sides.nl.side.host, names.nl)).toEqual(linkState(sides.ref.side.host, names.ref));
    expect(addrState(sides.nl.side.host)).toEqual(addrState(sides.ref.side.host));
    expect(linkState(sides.nl.side.host).map((l) => l.ifname)).toEqual(["cni0", "lo", "up0"]);
    expect(readSysctl(sides.nl.side.host, "net/ipv4/ip_forward")).toBe("1");
    const rules = execFileSync("ip", ["netns", "exec", sides.nl.side.host, "nft", "list", "ruleset"], { encoding: "utf8" });
    expect(rules).not.toMatch(/10\.22\.0\.[2-4]\b/);
    expect(rules).not.toMatch(/comment/);
    // the reference keeps the masquerade chain of the container whose netns was gone (plugins#810)
    const refRules = execFileSync("ip", ["netns", "exec", sides.ref.side.host, "iptables-save", "-t", "nat"], { encoding: "utf8" });
    expect(refRules).toMatch(/-s 10\.22\.0\.4\/32/);
    expect(fs.existsSync(sides.nl.rt.cachePath(sides.nl.list, container(sides.nl.side, 1)))).toBe(false);
  });

  it("DEL without CNI_NETNS as the first DEL still removes the veth (through prevResult), the address and the NAT rule", async () => {
    const s = sides.nl;
    const c4 = { containerId: "ctr4", netns: s.side.path(s.side.containers[3]!), ifname: "eth0" };
    const add = await s.rt.add(s.list, c4);
    expect(add.ok).toBe(true);
    const ip = add.result.ips[0].address.split("/")[0];
    const del = await s.rt.del(s.list, { ...c4, netns: "" });
    expect(del.runs.map((r) => r.code)).toEqual([0, 0]);
    expect(linkState(s.side.host).map((l) => l.ifname)).toEqual(["cni0", "lo", "up0"]);
    expect(linkState(s.side.containers[3]!).map((l) => l.ifname)).toEqual(["lo"]);
    expect(Object.keys(dataDirState(path.join(s.dataDir, "cnitest")))).not.toContain(ip);
    const rules = execFileSync("ip", ["netns", "exec", s.side.host, "nft", "list", "ruleset"], { encoding: "utf8" });
    expect(rules).not.toContain(ip);
  });
});
