// The library's requests for the ip parity round-2 objects and options, byte for byte against
// what iproute2 6.1 sent (test/fixtures/golden/rtnl-ext), and the kernel's recorded answers
// decoded to what ip printed.
import { describe, expect, it } from "vitest";
import { NetlinkError } from "../../../src/netlink/errors.js";
import { decodeParts } from "../../../src/netlink/compiled.js";
import { addrlabelText } from "../../../src/cli/print/addrlabel.js";
import { netconfText } from "../../../src/cli/print/netconf.js";
import { neighText } from "../../../src/cli/print/neigh.js";
import { stripDetails } from "../../../src/cli/print/records.js";
import { routeText } from "../../../src/cli/print/route.js";
import { describeError } from "../../../src/cli/report.js";
import { ifaddrlblDef } from "../../../src/rtnl/addrlabel/table.js";
import { decodeAddrlabel } from "../../../src/rtnl/addrlabel/verbs.js";
import { addrlabelToIpJson } from "../../../src/rtnl/json/addrlabel.js";
import { neighToIpJson } from "../../../src/rtnl/json/neigh.js";
import { netconfToIpJson } from "../../../src/rtnl/json/netconf.js";
import { routeToIpJson } from "../../../src/rtnl/json/route.js";
import { ruleToIpJson } from "../../../src/rtnl/json/rule.js";
import { linkMessage } from "../../../src/rtnl/link/attrs.js";
import { decodeLink } from "../../../src/rtnl/link/decode.js";
import { linkToIpJson } from "../../../src/rtnl/link/json.js";
import type { LinkAddSpec, LinkSetOptions } from "../../../src/rtnl/link/types.js";
import type { Rtnl } from "../../../src/rtnl/rtnl.js";
import { fixtureLinkNames, hexdiff, loadGolden, normalizeNl, splitNl, type Golden } from "../../helpers/golden.js";
import { jsonDiff } from "../../helpers/json-diff.js";
import { captureRtnl } from "../../helpers/rtnl-capture.js";

const RTM_NEWLINK = 16;

/** The fixture's requests of one message type (ip's own name lookups filtered out). */
const requestsOf = (g: Golden, type: number) => g.requests.filter((r) => r.readUInt16LE(4) === type);

/** The reply datagrams holding messages of these types, and the ack or NLMSG_DONE that ends them. */
function repliesOf(g: Golden, ...types: number[]): Buffer[] {
  const has = (d: Buffer | undefined, ts: number[]) => d !== undefined && splitNl(d).some((m) => ts.includes(m.readUInt16LE(4)));
  const out: Buffer[] = [];
  g.replies.forEach((d, i) => {
    if (!has(d, types)) return;
    out.push(d);
    const next = g.replies[i + 1];
    if (has(next, [2, 3]) && !has(next, types)) out.push(next!);
  });
  return out;
}

/** The devices the fixture's ip looked up, by name, from its RTM_NEWLINK replies. */
function devicesOf(g: Golden): Record<string, number> {
  return Object.fromEntries([...fixtureLinkNames(g.replies)].map(([i, n]) => [n, i]));
}

/** The ifindex a recorded RTM_NEWLINK request addressed. */
const ifindexOf = (req: Buffer) => decodeParts<{ index?: number }>(req, 0, req.length, linkMessage).header.index!;

function sameBytes(want: Buffer, got: Buffer | undefined): void {
  expect(got, "nothing was sent").toBeDefined();
  expect(hexdiff(normalizeNl(want), normalizeNl(got!))).toBe("");
}

/** ip's stderr for a refused request, as the CLI words the library's error. */
async function refusal(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(NetlinkError);
  return describeError(e).message;
}

describe("addrlabel: golden bytes (ip addrlabel ...)", () => {
  it("add, add with a device, del: one RTM_*ADDRLABEL each, label before address as ip writes them", async () => {
    for (const [name, call] of [
      ["addrlabel-add", (rt: Rtnl) => rt.addrlabel.add({ prefix: "2001:db8::/64", label: 7 })],
      ["addrlabel-add-dev", (rt: Rtnl) => rt.addrlabel.add({ prefix: "2001:db8::/64", dev: "veth0", label: 7 })],
      ["addrlabel-del", (rt: Rtnl) => rt.addrlabel.del({ prefix: "2001:db8::/64", label: 7 })],
    ] as const) {
      const g = loadGolden(`rtnl-ext/${name}`);
      const { rt, sent } = captureRtnl(devicesOf(g));
      await call(rt);
      expect(sent, name).toHaveLength(1);
      sameBytes(g.requests.at(-1)!, sent[0]!.bytes);
    }
  });

  it("an existing label: the kernel's EEXIST, worded as ip words it", async () => {
    const g = loadGolden("rtnl-ext/addrlabel-add-exists");
    const { rt, sent } = captureRtnl({}, [g.replies]);
    expect(await refusal(rt.addrlabel.add({ prefix: "2001:db8::/64", label: 7 }))).toBe(g.stderr!.trim());
    sameBytes(g.requests[0]!, sent[0]!.bytes);
  });

  it("list: ip's dump request; the kernel's table decodes to ip -j addrlabel's records and text", async () => {
    const g = loadGolden("rtnl-ext/addrlabel-list-json");
    const { rt, sent } = captureRtnl({}, [g.replies]);
    const list = await rt.addrlabel.list();
    sameBytes(g.requests[0]!, sent[0]!.bytes);
    expect(list.map(addrlabelToIpJson)).toEqual(g.json);
    expect(list.find((l) => l.label === 7)).toMatchObject({ prefix: "2001:db8::/64", index: 0 });
  });

  it("the decoder reads the header it is given, and nothing else", () => {
    const g = loadGolden("rtnl-ext/addrlabel-list-json");
    const first = splitNl(g.replies[0]!)[0]!;
    const header = decodeParts(first, 0, first.length, ifaddrlblDef).header;
    expect(header).toMatchObject({ family: 10, prefixlen: 128 });
    expect(addrlabelText(addrlabelToIpJson(decodeAddrlabel(first, 0, first.length)!))).toBe("prefix ::1/128 label 0 ");
  });
});

describe("netconf: golden bytes (ip netconf show ...)", () => {
  it("a family and a device: one RTM_GETNETCONF with NLM_F_ACK and NETCONFA_IFINDEX, answered with one entry", async () => {
    const g = loadGolden("rtnl-ext/netconf-get");
    const { rt, sent } = captureRtnl(devicesOf(g), [repliesOf(g, 80)]);
    const n = await rt.netconf.get({ dev: "veth0", family: 4 });
    sameBytes(requestsOf(g, 82)[0]!, sent[0]!.bytes);
    expect(netconfText(netconfToIpJson(n)) + "\n").toBe(g.output);
  });

  it("a device without a family: the every-family dump (4-byte netconfmsg), kept to that device", async () => {
    const g = loadGolden("rtnl-ext/netconf-show-dev-json");
    const { rt, sent } = captureRtnl(devicesOf(g), [repliesOf(g, 80)]);
    const list = await rt.netconf.list({ dev: "veth0" });
    sameBytes(requestsOf(g, 82)[0]!, sent[0]!.bytes);
    expect(list.map(netconfToIpJson)).toEqual(g.json);
  });
});

describe("link set DEV type KIND ...: golden bytes", () => {
  const cases: Array<[string, LinkSetOptions]> = [
    ["link-set-vxlan-ttl", { vxlan: { ttl: 64 } }],
    ["link-set-bridge-stp", { bridge: { stpState: 1 } }],
    ["link-set-bridge-slave", { bridgeSlave: { cost: 5, learning: false } }],
  ];
  for (const [name, opts] of cases) {
    it(`${name}: ${loadGolden(`rtnl-ext/${name}`).command}`, async () => {
      const g = loadGolden(`rtnl-ext/${name}`);
      const want = requestsOf(g, RTM_NEWLINK).at(-1)!;
      const { rt, sent } = captureRtnl();
      await rt.link.set(ifindexOf(want), opts);
      sameBytes(want, sent.at(-1)!.bytes);
    });
  }

  const refused: Array<[string, LinkSetOptions]> = [
    ["link-set-vxlan-vni", { vxlan: { id: 43 } }],
    ["link-set-vxlan-ttl-inherit", { vxlan: { ttl: "inherit" } }],
    ["link-set-bridge-slave-noport", { bridgeSlave: { cost: 5 } }],
  ];
  for (const [name, opts] of refused) {
    it(`${name}: what the kernel cannot change is refused with its own words (${loadGolden(`rtnl-ext/${name}`).stderr?.trim()})`, async () => {
      const g = loadGolden(`rtnl-ext/${name}`);
      const want = requestsOf(g, RTM_NEWLINK).at(-1)!;
      const { rt, sent } = captureRtnl({}, [repliesOf(g, 2).slice(-1)]);
      expect(await refusal(rt.link.set(ifindexOf(want), opts))).toBe(g.stderr!.trim());
      sameBytes(want, sent.at(-1)!.bytes);
    });
  }

  it("link-add-vxlan-external: COLLECT_METADATA 1 and learning off, no VNI", async () => {
    const g = loadGolden("rtnl-ext/link-add-vxlan-external");
    const { rt, sent } = captureRtnl();
    await rt.link.add({ name: "vx9", kind: "vxlan", vxlan: { external: true } } satisfies LinkAddSpec);
    sameBytes(g.requests.at(-1)!, sent[0]!.bytes);
  });
});

describe("lookups: golden bytes and ip's answer text", () => {
  it("route-get-tos-mark: tos in the header, the source, the mark", async () => {
    const g = loadGolden("rtnl-ext/route-get-tos-mark");
    const { rt, sent } = captureRtnl(devicesOf(g), [repliesOf(g, 24)]);
    const r = await rt.route.get("10.0.0.5", { from: "10.0.0.2", tos: 0x10, mark: 1 });
    sameBytes(requestsOf(g, 26)[0]!, sent[0]!.bytes);
    expect(routeText(routeToIpJson(r)) + "\n").toBe(g.output);
  });

  it("route-get-iif: the input device resolved first; a local answer with its cache flags", async () => {
    for (const name of ["route-get-iif", "route-get-iif-json"]) {
      const g = loadGolden(`rtnl-ext/${name}`);
      const { rt, sent } = captureRtnl(devicesOf(g), [repliesOf(g, 24)]);
      const r = await rt.route.get("10.0.0.2", { from: "10.0.0.9", iif: "veth0" });
      sameBytes(requestsOf(g, 26)[0]!, sent[0]!.bytes);
      expect(r.cacheFlags).toEqual(["local"]);
      if (g.json) expect([routeToIpJson(r)]).toEqual(g.json);
      else expect(routeText(routeToIpJson(r)) + "\n").toBe(g.output);
    }
  });

  it("neigh-get: RTM_GETNEIGH by address and ifindex; the entry prints as ip printed it", async () => {
    const g = loadGolden("rtnl-ext/neigh-get");
    const { rt, sent } = captureRtnl(devicesOf(g), [repliesOf(g, 28)]);
    const n = await rt.neigh.get({ dev: "veth0", to: "10.0.0.5" });
    sameBytes(requestsOf(g, 30)[0]!, sent[0]!.bytes);
    expect(neighText(neighToIpJson(n)) + "\n").toBe(g.output);
  });

  it("rule-show-dsfield-json: ip's rule dump, the tos selector applied to the kernel's rules", async () => {
    const g = loadGolden("rtnl-ext/rule-show-dsfield-json");
    const { rt, sent } = captureRtnl({}, [g.replies]);
    const rules = await rt.rule.list({ family: 4, tos: 0x10 });
    sameBytes(g.requests[0]!, sent[0]!.bytes);
    expect(rules.map((r) => ruleToIpJson(r))).toEqual(g.json);
  });

  it("link-show-stats-json: stats64 of a link as ip -j -s -s prints it", () => {
    const g = loadGolden("rtnl-ext/link-show-stats-json");
    const m = repliesOf(g, RTM_NEWLINK).flatMap(splitNl).find((x) => x.readUInt16LE(4) === RTM_NEWLINK && decodeLink(x, 0, x.length).name === "veth0")!;
    const link = decodeLink(m, 0, m.length);
    const names = fixtureLinkNames(g.replies);
    const rec = stripDetails(linkToIpJson(link, names, { stats: 2 }), false);
    const ip = (g.json as Record<string, unknown>[])[0]!;
    expect(rec.stats64).toEqual(ip.stats64);
    const d = jsonDiff(rec, ip);
    expect([...d.mismatches, ...d.gaps, ...d.extras]).toEqual([]);
    // level 1 keeps the short form
    expect(Object.keys((linkToIpJson(link, names, { stats: 1 }).stats64 as { rx: object }).rx)).toEqual(["bytes", "packets", "errors", "dropped", "over_errors", "multicast"]);
  });
});

