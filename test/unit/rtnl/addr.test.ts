import { describe, expect, it } from "vitest";
import { NlkitInputError } from "../../../src/netlink/errors.js";
import { AddrApi, decodeAddr, type AddrAddOptions } from "../../../src/rtnl/addr/verbs.js";
import { nameOf } from "../../../src/rtnl/names.js";
import { addrToIpJson } from "../../../src/rtnl/json/addr.js";
import { fixtureLinkNames, hexdiff, loadGolden, normalizeNl, splitNl } from "../../helpers/golden.js";
import { captureRtnl } from "../../helpers/rtnl-capture.js";

/** The ifindex ip used in a fixture's last request (ifaddrmsg.ifa_index). */
function fixtureIndex(req: Buffer): number {
  return req.readUInt32LE(16 + 4);
}

type Call = ["add", string, string, AddrAddOptions?] | ["del", string, string];

const cases: Record<string, Call> = {
  "rtnl/addr-add-v4": ["add", "veth0", "10.0.0.1/24"],
  "rtnl/addr-add-exists": ["add", "veth0", "10.0.0.1/24"],
  "rtnl/addr-add-brd": ["add", "veth0", "10.0.0.1/24", { broadcast: "+" }],
  "rtnl/addr-add-label": ["add", "veth0", "10.0.0.1/24", { label: "veth0:1" }],
  "rtnl/addr-add-lft": ["add", "veth0", "10.0.0.1/24", { validLft: 100, preferredLft: 50 }],
  "rtnl/addr-add-noprefixroute": ["add", "veth0", "10.0.0.1/24", { flags: ["noprefixroute"] }],
  "rtnl/addr-add-peer": ["add", "veth0", "10.0.0.1", { peer: "10.0.0.2/32" }],
  "rtnl/addr-add-scope-link": ["add", "veth0", "169.254.1.1/16", { scope: "link" }],
  "rtnl/addr-add-v6": ["add", "veth0", "2001:db8::1/64", { flags: ["nodad"] }],
  "rtnl/addr-replace": ["add", "veth0", "10.0.0.1/24", { replace: true, validLft: 200, preferredLft: 100 }],
  "rtnl/addr-del": ["del", "veth0", "10.0.0.1/24"],
  "rtnl/addr-del-v6": ["del", "veth0", "2001:db8::1/64"],
  "seed/addr-add": ["add", "veth1", "10.0.0.1/24"],
};

describe("addr requests == iproute2's bytes", () => {
  for (const [name, call] of Object.entries(cases)) {
    it(`${name}: ${loadGolden(name).command}`, async () => {
      const g = loadGolden(name);
      const want = g.requests.at(-1)!;
      const { ctx, exec, sent } = captureRtnl({ [call[1]]: fixtureIndex(want) });
      const api = new AddrApi(ctx, exec);
      if (call[0] === "add") await api.add(call[1], call[2], call[3]);
      else await api.del(call[1], call[2]);
      expect(sent).toHaveLength(1);
      expect(hexdiff(normalizeNl(want), normalizeNl(sent[0]!.bytes))).toBe("");
    });
  }

  it("del of an IPv4 address without prefix leaves IFA_ADDRESS out (any prefix matches), like ip", async () => {
    const { ctx, exec, sent } = captureRtnl({ veth0: 3 });
    await new AddrApi(ctx, exec).del("veth0", "10.0.0.1");
    // ifaddrmsg prefixlen 32, then IFA_LOCAL only
    expect(sent[0]!.bytes.subarray(16).toString("hex")).toBe("02200000030000000800020" + "00a000001");
  });
});

describe("addr input is checked before anything is sent", () => {
  const bad: Array<[string, string, AddrAddOptions, string]> = [
    ["malformed CIDR", "10.0.0.300/24", {}, "address"],
    ["prefix too long", "10.0.0.1/33", {}, "address"],
    ["v6 peer on a v4 address", "10.0.0.1", { peer: "2001:db8::2/128" }, "peer"],
    ["broadcast on v6", "2001:db8::1/64", { broadcast: "+" }, "broadcast"],
    ["unknown flag", "10.0.0.1/24", { flags: ["bogus"] }, "flags"],
    ["unknown scope", "10.0.0.1/24", { scope: "galaxy" as "link" }, "scope"],
    ["label not starting with dev", "10.0.0.1/24", { label: "other:1" }, "label"],
    ["preferred > valid", "10.0.0.1/24", { validLft: 10, preferredLft: 20 }, "preferredLft"],
    ["valid_lft alone (preferred stays forever)", "10.0.0.1/24", { validLft: 10 }, "preferredLft"],
  ];
  for (const [what, addr, opts, field] of bad) {
    it(what, async () => {
      const { ctx, exec, sent } = captureRtnl({ veth0: 3 });
      const err = await new AddrApi(ctx, exec).add("veth0", addr, opts).catch((e: unknown) => e) as NlkitInputError;
      expect(err).toBeInstanceOf(NlkitInputError);
      expect(err.field).toBe(field);
      expect(sent).toHaveLength(0);
    });
  }
});

describe("addr dump replies decode to what ip -j printed", () => {
  for (const name of ["dump/addr-show-all", "rtnl/addr-show-dev-json"]) {
    it(name, () => {
      const g = loadGolden(name);
      const names = fixtureLinkNames(g.replies);
      const addrs = g.replies.flatMap((d) => splitNl(d)).filter((m) => m.readUInt16LE(4) === 20);
      const decoded = addrs.map((m) => decodeAddr(m, 0, m.length)!);
      for (const a of decoded) a.dev = nameOf(names, a.index);
      const links = g.json as Array<{ ifindex: number; ifname: string; addr_info: unknown[] }>;
      expect(links.length).toBeGreaterThan(0);
      let compared = 0;
      for (const link of links) {
        const mine = decoded.filter((a) => a.index === link.ifindex);
        for (const a of mine) expect(a.dev).toBe(link.ifname);
        expect(mine.map(addrToIpJson)).toEqual(link.addr_info);
        compared += mine.length;
      }
      expect(compared).toBeGreaterThan(2);
    });
  }
});
