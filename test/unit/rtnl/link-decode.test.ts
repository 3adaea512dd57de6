import { describe, expect, it } from "vitest";
import { forEachMessage } from "../../../src/netlink/message.js";
import { decodeLink, flagNames, linkTypeName } from "../../../src/rtnl/link/decode.js";
import { linksToIpJson, linkToIpJson } from "../../../src/rtnl/link/json.js";
import type { Link } from "../../../src/rtnl/link/types.js";
import { loadGolden } from "../../helpers/golden.js";

const RTM_NEWLINK = 16;

function decodeReplies(replies: Buffer[]): Link[] {
  const links: Link[] = [];
  for (const d of replies) {
    forEachMessage(d, d.length, (s, l) => {
      if (d.readUInt16LE(s + 4) === RTM_NEWLINK) links.push(decodeLink(d, s, l));
    });
  }
  return links;
}

// ip prints counters and timers that move (forward_delay_timer) from the same bytes we decode, so
// every field is compared exactly.
describe("link dump decode vs ip -j -d link show (dump/link-show-all)", () => {
  const g = loadGolden("dump/link-show-all");
  const links = decodeReplies(g.replies);
  const want = g.json as Record<string, unknown>[];

  it("decodes every link of the dump", () => {
    expect(links.map((l) => l.name)).toEqual(want.map((j) => j.ifname));
  });

  it("maps to exactly what ip printed, link by link", () => {
    const got = linksToIpJson(links);
    for (let i = 0; i < want.length; i++) expect(got[i], `link ${String(want[i]!.ifname)}`).toEqual(want[i]);
  });

  it("types the main fields", () => {
    const br = links.find((l) => l.name === "br0")!;
    expect(br.kind).toBe("bridge");
    expect(br.infoData).toMatchObject({ forwardDelay: 1500, stpState: 0, priority: 32768 });
    const p1 = links.find((l) => l.name === "p1")!;
    expect(p1.master).toBe(br.index);
    expect(p1.slaveKind).toBe("bridge");
    expect(p1.infoSlaveData).toMatchObject({ state: "forwarding", cost: 2, priority: 32 });
    const vx = links.find((l) => l.name === "vx0")!;
    expect(vx.infoData).toMatchObject({ id: 42, local: "192.0.2.2", port: 4789, ttl: 64, learning: 0 });
    const veth0 = links.find((l) => l.name === "veth0")!;
    expect(veth0.linkNetnsid).toBe(0);
    expect(veth0.stats64?.rxPackets).toBeTypeOf("number");
    expect(veth0.afSpec?.inet?.conf?.length).toBeGreaterThan(20);
    expect(veth0.afSpec?.inet6?.conf?.length).toBeGreaterThan(20);
    const lo = links.find((l) => l.name === "lo")!;
    expect(lo.linkType).toBe("loopback");
    expect(lo.flags).toEqual(["LOOPBACK", "UP", "LOWER_UP"]);
    for (const l of links) expect(l.unknown ?? [], `${l.name} unknown attrs`).toEqual([]);
  });
});

describe("link get decode (rtnl/link-show-dev-json)", () => {
  it("decodes the single-link reply to ip's JSON", () => {
    const g = loadGolden("rtnl/link-show-dev-json");
    const links = decodeReplies(g.replies);
    const veth0 = links.filter((l) => l.name === "veth0").at(-1)!;
    const peer = links.find((l) => l.index === veth0.link);
    const names = new Map([[veth0.index, veth0.name], ...(peer ? [[peer.index, peer.name] as const] : [[veth0.link!, "veth1"] as const])]);
    expect(linkToIpJson(veth0, names)).toEqual((g.json as unknown[])[0]);
  });
});

describe("flag and type names", () => {
  it("orders flags like ip and folds RUNNING into NO-CARRIER", () => {
    expect(flagNames(0x1 | 0x2 | 0x1000)).toEqual(["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"]);
    expect(flagNames(0x1 | 0x40 | 0x2 | 0x1000 | 0x10000)).toEqual(["BROADCAST", "MULTICAST", "UP", "LOWER_UP"]);
    expect(flagNames(0x2 | 0x1000 | 0x80000)).toEqual(["BROADCAST", "MULTICAST", "80000"]);
  });
  it("names ARPHRD types", () => {
    expect(linkTypeName(1)).toBe("ether");
    expect(linkTypeName(772)).toBe("loopback");
    expect(linkTypeName(65534)).toBe("none");
    expect(linkTypeName(12345)).toBe("[12345]");
  });
});
