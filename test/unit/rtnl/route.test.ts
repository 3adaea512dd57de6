import { describe, expect, it } from "vitest";
import { reply } from "../../../src/netlink/scripted.js";
import { NlkitInputError } from "../../../src/netlink/errors.js";
import { parseCidr } from "../../../src/netlink/ip.js";
import { routeToIpJson, type RouteJsonOptions } from "../../../src/rtnl/json/route.js";
import { RouteApi, decodeRoute, nameRoutes, type RouteSpec } from "../../../src/rtnl/route/verbs.js";
import { decodeAttrs } from "../../../src/netlink/attrs.js";
import { fixtureLinkNames, hexdiff, loadGolden, normalizeNl, splitNl } from "../../helpers/golden.js";
import { captureRtnl } from "../../helpers/rtnl-capture.js";

/** RTA_OIF of a captured request (the index ip resolved), so names map to the same index. */
function oifOf(req: Buffer): number {
  let off = 16 + 12;
  while (off + 4 <= req.length) {
    const len = req.readUInt16LE(off);
    if (req.readUInt16LE(off + 2) === 4) return req.readUInt32LE(off + 4);
    off += (len + 3) & ~3;
  }
  return 3;
}

const net = "10.1.0.0/24";
type Call = ["add" | "append" | "replace" | "del", RouteSpec];
const cases: Record<string, Call> = {
  "rtnl/route-add-via": ["add", { dst: net, gateway: "10.0.0.1" }],
  "rtnl/route-add-bad-gateway": ["add", { dst: net, gateway: "192.168.5.1" }],
  "rtnl/route-add-exists": ["add", { dst: net, gateway: "10.0.0.3" }],
  "rtnl/route-add-blackhole": ["add", { type: "blackhole", dst: "10.9.0.0/24" }],
  "rtnl/route-add-unreachable": ["add", { type: "unreachable", dst: "10.9.1.0/24" }],
  "rtnl/route-add-prohibit": ["add", { type: "prohibit", dst: "10.9.2.0/24" }],
  "rtnl/route-add-throw": ["add", { type: "throw", dst: "10.9.3.0/24", table: 100 }],
  "rtnl/route-add-dev": ["add", { dst: net, dev: "veth0" }],
  "rtnl/route-add-scope-link": ["add", { dst: net, dev: "veth0", scope: "link" }],
  "rtnl/route-add-metric": ["add", { dst: net, gateway: "10.0.0.1", metric: 50 }],
  "rtnl/route-add-metrics": ["add", { dst: net, gateway: "10.0.0.1", mtu: 1400, advmss: 1360, metrics: { lock: ["mtu"] } }],
  "rtnl/route-add-multipath": ["add", { dst: net, nexthops: [{ gateway: "10.0.0.1", weight: 1 }, { gateway: "10.0.0.3", weight: 2 }] }],
  "rtnl/route-add-onlink": ["add", { dst: net, gateway: "192.168.99.1", dev: "veth0", onlink: true }],
  "rtnl/route-add-proto-static": ["add", { dst: net, gateway: "10.0.0.1", protocol: "static" }],
  "rtnl/route-add-src": ["add", { dst: net, gateway: "10.0.0.1", src: "10.0.0.2" }],
  "rtnl/route-add-table100": ["add", { dst: net, gateway: "10.0.0.1", table: 100 }],
  "rtnl/route-add-table1000": ["add", { dst: net, gateway: "10.0.0.1", table: 1000 }],
  "rtnl/route-add-v6": ["add", { dst: "2001:db8:1::/64", gateway: "2001:db8::1" }],
  "rtnl/route-add-v6-dev": ["add", { dst: "2001:db8:5::/64", dev: "veth0" }],
  "rtnl/route-append": ["append", { dst: net, gateway: "10.0.0.3" }],
  "rtnl/route-replace": ["replace", { dst: net, gateway: "10.0.0.3" }],
  "rtnl/route-del": ["del", { dst: net, gateway: "10.0.0.1" }],
  "rtnl/route-del-missing": ["del", { dst: "10.7.0.0/24" }],
  "seed/route-add-default": ["add", { dst: "default", gateway: "10.0.0.1" }],
  "seed/route-add-dev": ["add", { dst: "10.0.0.0/24", dev: "veth0" }],
};

describe("route requests == iproute2's bytes", () => {
  for (const [name, [verb, spec]] of Object.entries(cases)) {
    it(`${name}: ${loadGolden(name).command}`, async () => {
      const want = loadGolden(name).requests.at(-1)!;
      const { ctx, exec, sent } = captureRtnl({ veth0: oifOf(want) });
      const api = new RouteApi(ctx, exec);
      await api[verb](spec);
      expect(sent).toHaveLength(1);
      expect(hexdiff(normalizeNl(want), normalizeNl(sent[0]!.bytes))).toBe("");
    });
  }

  it("rtnl/route-get: ip route get 10.0.0.5 (one RTM_GETROUTE, no ack asked)", async () => {
    const g = loadGolden("rtnl/route-get");
    // answered with an error, so the lookup ends at once instead of waiting for a reply
    const { ctx, exec, sent } = captureRtnl({}, [[reply.error(101)]]);
    await new RouteApi(ctx, exec).get("10.0.0.5").catch(() => undefined);
    expect(hexdiff(normalizeNl(g.requests[0]!), normalizeNl(sent[0]!.bytes))).toBe("");
  });

  it("rtnl/route-show-main-json: the dump request filters on table main in the kernel (RTA_TABLE)", async () => {
    const g = loadGolden("rtnl/route-show-main-json");
    const { ctx, exec, sent } = captureRtnl();
    await new RouteApi(ctx, exec).list({ family: 4, table: "main" });
    expect(hexdiff(normalizeNl(g.requests[0]!), normalizeNl(sent[0]!.bytes))).toBe("");
  });
});

describe("route input is checked before anything is sent", () => {
  const bad: Array<[string, RouteSpec, string]> = [
    ["malformed dst", { dst: "10.1.0.0/33" }, "dst"],
    ["garbage dst", { dst: "ten.one" }, "dst"],
    ["host bits in an IPv4 prefix", { dst: "10.1.0.1/24", gateway: "10.0.0.1" }, "dst"],
    ["IPv4 gateway on an IPv6 dst", { dst: "fd00::/64", gateway: "10.0.0.1" }, "gateway"],
    ["IPv4 src on an IPv6 route", { dst: "fd00::/64", dev: "veth0", src: "10.0.0.1" }, "src"],
    ["family says 6, dst is 4", { dst: "10.1.0.0/24", family: 6 }, "dst"],
    ["unknown table name", { dst: "10.1.0.0/24", dev: "veth0", table: "mian" as "main" }, "table"],
    ["unknown type", { dst: "10.1.0.0/24", type: "wormhole" as "unicast" }, "type"],
    ["unknown protocol", { dst: "10.1.0.0/24", dev: "veth0", protocol: "carrier-pigeon" }, "protocol"],
    ["weight 0", { dst: "10.1.0.0/24", nexthops: [{ gateway: "10.0.0.1", weight: 0 }] }, "nexthops[0].weight"],
    ["nexthop without gateway or dev", { dst: "10.1.0.0/24", nexthops: [{}] }, "nexthops[0]"],
    ["unknown metric", { dst: "10.1.0.0/24", dev: "veth0", metrics: { mtuu: 1 } as never }, "metrics.mtuu"],
    ["rtt that overflows once scaled by 8", { dst: "10.1.0.0/24", dev: "veth0", metrics: { rtt: 0x20000000 } }, "metrics.rtt"],
    ["missing dst", {} as RouteSpec, "dst"],
  ];
  for (const [what, spec, field] of bad) {
    it(what, async () => {
      const { ctx, exec, sent } = captureRtnl({ veth0: 3 });
      const err = await new RouteApi(ctx, exec).add(spec).catch((e: unknown) => e) as NlkitInputError;
      expect(err).toBeInstanceOf(NlkitInputError);
      expect(err.field).toBe(field);
      expect(sent).toHaveLength(0);
    });
  }
});

describe("IPv4 dst parsing (the fast path) accepts exactly what parseCidr accepts", () => {
  const texts = [
    "10.1.0.0/24", "10.1.0.0/024", "10.1.0.0/0024", "0.0.0.0/0", "0.0.0.0/000", "10.1.0.1", "10.1.0.1/32", "10.1.0.1/33",
    "10.1.0.0/", "10.1.0.0/+8", "10.1.0.0/8/8", "010.1.0.0/8", "10.1.0/24", "10.1.0.0 /24", "10.1.0.0/24 ",
    "255.255.255.255/32", "256.1.0.0/8", "/24", "10.1.0.0/-1", "default", "10.1.0.0/1e1",
  ];
  for (const text of texts) {
    it(JSON.stringify(text), async () => {
      const c = parseCidr(text, 4);
      const { ctx, exec, sent } = captureRtnl();
      const err = await new RouteApi(ctx, exec).add({ dst: text, type: "blackhole" }).then(() => undefined, (e: unknown) => e) as NlkitInputError | undefined;
      const hostBits = c && c.prefixlen < 32 && c.prefixlen > 0 && (c.bytes.readUInt32BE(0) << c.prefixlen) !== 0;
      if (!c || hostBits) {
        expect(err).toBeInstanceOf(NlkitInputError);
        expect(err!.field).toBe("dst");
        return;
      }
      expect(err).toBeUndefined();
      const m = sent[0]!.bytes;
      expect(m[16 + 1]).toBe(c.prefixlen);
      // RTA_DST is the first attribute, absent for a /0
      if (c.prefixlen === 0) expect(m.length).toBe(16 + 12);
      else expect(m.subarray(16 + 12 + 4, 16 + 12 + 8).equals(c.bytes)).toBe(true);
    });
  }
});

function decodeFixture(name: string) {
  const g = loadGolden(name);
  const routes = g.replies.flatMap((d) => splitNl(d)).filter((m) => m.readUInt16LE(4) === 24).map((m) => decodeRoute(m, 0, m.length)!);
  nameRoutes(routes, fixtureLinkNames(g.replies));
  return { g, routes };
}

describe("route replies decode to what ip -j printed", () => {
  const fixtures: Array<[string, RouteJsonOptions]> = [
    ["dump/route-show-all", { details: true }],
    ["dump/route6-show", { filtered: { table: true } }],
    ["rtnl/route-show-main-json", { filtered: { table: true } }],
    ["rtnl/route-get-json", {}],
  ];
  for (const [name, opts] of fixtures) {
    it(name, () => {
      const { g, routes } = decodeFixture(name);
      const json = g.json as unknown[];
      expect(routes.length).toBe(json.length);
      expect(routes.map((r) => routeToIpJson(r, opts))).toEqual(json);
    });
  }

  it("multipath weights, tables above 255 and dev names survive decoding", () => {
    const { routes } = decodeFixture("dump/route-show-all");
    const mp = routes.find((r) => r.dst === "10.5.0.0/24")!;
    expect(mp.nexthops!.map((n) => [n.gateway, n.dev, n.weight])).toEqual([["10.0.0.2", "veth0", 1], ["10.1.0.2", "br0", 2]]);
    expect(routes.find((r) => r.dst === "10.4.0.0/24")!.table).toBe(1000);
  });
});
