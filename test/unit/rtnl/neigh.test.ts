import { describe, expect, it } from "vitest";
import { NlkitInputError } from "../../../src/netlink/errors.js";
import { fdbToBridgeJson, neighToIpJson } from "../../../src/rtnl/json/neigh.js";
import { NeighApi, decodeNeigh, nameNeighs, type NeighListFilter, type NeighSpec } from "../../../src/rtnl/neigh/verbs.js";
import { fixtureLinkNames, hexdiff, loadGolden, normalizeNl, splitNl } from "../../helpers/golden.js";
import { captureRtnl } from "../../helpers/rtnl-capture.js";

/** ndm_ifindex of a fixture request (the index ip resolved). */
const ifindexOf = (req: Buffer) => req.readInt32LE(16 + 4);

type Call = ["add" | "replace" | "del" | "append", NeighSpec, string];
const cases: Record<string, Call> = {
  "rtnl/neigh-add-permanent": ["add", { dev: "veth0", to: "10.0.0.5", lladdr: "02:00:00:00:00:05", state: "permanent" }, "veth0"],
  "rtnl/neigh-add-proxy": ["add", { dev: "veth0", to: "10.0.0.7", proxy: true }, "veth0"],
  "rtnl/neigh-add-v6": ["add", { dev: "veth0", to: "2001:db8::5", lladdr: "02:00:00:00:00:05", state: "permanent" }, "veth0"],
  "rtnl/neigh-replace": ["replace", { dev: "veth0", to: "10.0.0.5", lladdr: "02:00:00:00:00:06", state: "reachable" }, "veth0"],
  "rtnl/neigh-del": ["del", { dev: "veth0", to: "10.0.0.5" }, "veth0"],
  "rtnl/neigh-fdb-append-vxlan": ["append", { family: "bridge", dev: "vx0", lladdr: "00:00:00:00:00:00", dst: "10.0.0.7" }, "vx0"],
};

describe("neigh requests == iproute2's bytes", () => {
  for (const [name, [verb, spec, dev]] of Object.entries(cases)) {
    it(`${name}: ${loadGolden(name).command}`, async () => {
      const want = loadGolden(name).requests.at(-1)!;
      const { ctx, exec, sent } = captureRtnl({ [dev]: ifindexOf(want) });
      await new NeighApi(ctx, exec)[verb](spec);
      expect(sent).toHaveLength(1);
      expect(hexdiff(normalizeNl(want), normalizeNl(sent[0]!.bytes))).toBe("");
    });
  }

  it("bridge fdb with every vxlan option (bytes from `bridge fdb add ... dst port vni src_vni via self` under strace)", async () => {
    const { ctx, exec, sent } = captureRtnl({ vx0: 4, veth0: 3 });
    await new NeighApi(ctx, exec).add({
      family: "bridge", dev: "vx0", lladdr: "02:00:00:00:00:01", dst: "10.0.0.7", port: 4790, vni: 100, srcVni: 42, via: "veth0", self: true,
    });
    expect(sent[0]!.bytes.subarray(16).toString("hex")).toBe(
      "0700000004000000c0000200" + "0a0002000200000000010000" + "080001000a000007" + "0600060012b60000"
      + "0800070064000000" + "08000b002a000000" + "0800080003000000");
  });

  const dumps: Array<[string, NeighListFilter, string?]> = [
    ["rtnl/neigh-show-json", {}],
    ["rtnl/neigh-show-proxy", { proxy: true }],
    ["rtnl/neigh-show-dev", { dev: "veth0" }, "veth0"],
    ["rtnl/neigh-fdb-show-vxlan", { family: "bridge", dev: "vx0" }, "vx0"],
  ];
  for (const [name, filter, dev] of dumps) {
    it(`${name}: the dump request`, async () => {
      const g = loadGolden(name);
      const want = g.requests.at(-1)!;
      const idx = dev === "veth0" ? want.readUInt32LE(want.length - 4) : ifindexOf(want);
      const { ctx, exec, sent } = captureRtnl(dev ? { [dev]: idx } : {});
      await new NeighApi(ctx, exec).list(filter);
      expect(hexdiff(normalizeNl(want), normalizeNl(sent[0]!.bytes))).toBe("");
    });
  }
});

describe("neigh input is checked before anything is sent", () => {
  const bad: Array<[string, NeighSpec, string]> = [
    ["bad address", { dev: "veth0", to: "10.0.0" }, "to"],
    ["bad lladdr", { dev: "veth0", to: "10.0.0.1", lladdr: "zz:00" }, "lladdr"],
    ["family mismatch", { dev: "veth0", to: "10.0.0.1", family: 6 }, "to"],
    ["unknown state", { dev: "veth0", to: "10.0.0.1", state: "sleepy" as "stale" }, "state"],
    ["fdb option on an IP neighbour", { dev: "veth0", to: "10.0.0.1", vni: 5 }, "vni"],
    ["fdb without MAC", { dev: "veth0", family: "bridge" }, "lladdr"],
    ["no address", { dev: "veth0" }, "to"],
  ];
  for (const [what, spec, field] of bad) {
    it(what, async () => {
      const { ctx, exec, sent } = captureRtnl({ veth0: 3 });
      const err = await new NeighApi(ctx, exec).add(spec).catch((e: unknown) => e) as NlkitInputError;
      expect(err).toBeInstanceOf(NlkitInputError);
      expect(err.field).toBe(field);
      expect(sent).toHaveLength(0);
    });
  }
});

function decodeFixture(name: string) {
  const g = loadGolden(name);
  const out = g.replies.flatMap((d) => splitNl(d)).filter((m) => m.readUInt16LE(4) === 28).map((m) => decodeNeigh(m, 0, m.length)!);
  nameNeighs(out, fixtureLinkNames(g.replies));
  return { g, neighs: out };
}

// ip neigh show hides NOARP (and NONE) entries unless asked: the same rule, applied here
const ipShows = (n: { rawState: number; proxy: boolean }) => n.proxy || (n.rawState & 0xbf) !== 0;

describe("neigh replies decode to what ip -j / bridge -j printed", () => {
  for (const name of ["dump/neigh-show", "rtnl/neigh-show-json"]) {
    it(name, () => {
      const { g, neighs } = decodeFixture(name);
      const json = g.json as unknown[];
      expect(neighs.filter(ipShows).map((n) => neighToIpJson(n))).toEqual(json);
      expect(json.length).toBeGreaterThan(1);
    });
  }

  it("rtnl/neigh-fdb-show-vxlan", () => {
    const { g, neighs } = decodeFixture("rtnl/neigh-fdb-show-vxlan");
    expect(neighs.map((n) => fdbToBridgeJson(n, { devFiltered: true }))).toEqual(g.json);
  });

  it("rtnl/neigh-show-proxy (text output: one proxy entry)", () => {
    const { g, neighs } = decodeFixture("rtnl/neigh-show-proxy");
    expect(neighs.map((n) => `${n.dst} dev ${n.dev}${n.proxy ? " proxy" : ""}`)).toEqual(g.output.trim().split("\n").map((l) => l.trim()));
  });
});
