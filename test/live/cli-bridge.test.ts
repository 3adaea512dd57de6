// `nlkit bridge fdb` against bridge(8) itself: each line runs as `bridge` and as `nlkit bridge` in
// one namespace, and exit status, stdout and stderr must be the same bytes. A line that changes
// the table runs under bridge first, is undone with bridge, then runs under nlkit, and the table
// is compared after each.
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeLive, hasCommand, TestNamespaces } from "../helpers/live.js";
import { bridgePair } from "../helpers/bridge-cli.js";

const ns = new TestNamespaces("brcli");
let netns = "";

const { sh, bridge, ours, sameChanges } = bridgePair(() => netns);

/** The views every change is checked with. */
const SHOWS = [["fdb", "show"], ["-j", "fdb", "show"]];

describeLive("nlkit bridge fdb = bridge fdb", () => {
  beforeAll(() => {
    netns = ns.create("a");
    const ip = (line: string) => sh("ip", line.split(" "));
    // fixed MACs: a bridge port's own (permanent) entry is its address
    ip("link add br0 address 02:00:00:00:01:00 type bridge");
    ip("link add p1 address 02:00:00:00:01:01 type veth peer name p1p address 02:00:00:00:01:02");
    ip("link add p2 address 02:00:00:00:01:03 type veth peer name p2p address 02:00:00:00:01:04");
    ip("link set p1 master br0");
    ip("link set p2 master br0");
    ip("link add veth0 address 02:00:00:00:02:01 type veth peer name veth1 address 02:00:00:00:02:02");
    ip("addr add 10.0.0.1/24 dev veth0");
    ip("link add vx0 address 02:00:00:00:03:01 type vxlan id 42 dstport 4789 local 10.0.0.1 nolearning");
    ip("link add vx1 address 02:00:00:00:03:02 type vxlan id 43 dstport 4789 local 10.0.0.1 nolearning");
    ip("link set vx1 master br0");
    for (const d of ["br0", "p1", "p1p", "p2", "p2p", "veth0", "veth1", "vx0", "vx1"]) ip(`link set ${d} up`);
    sh("bridge", "fdb append 00:00:00:00:00:00 dev vx0 dst 10.0.0.7".split(" "));
    sh("bridge", "fdb add 02:00:00:00:00:01 dev vx0 dst 10.0.0.7 port 4790 vni 100 self permanent".split(" "));
    sh("bridge", "fdb add 02:00:00:00:00:02 dev p1 master static".split(" "));
    sh("bridge", "fdb add 02:00:00:00:00:03 dev p2 master extern_learn".split(" "));
  }, 60_000);
  afterAll(() => ns.cleanup());

  it("has bridge(8)", () => {
    expect(hasCommand("bridge")).toBe(true);
  });

  it("shows what bridge shows", () => {
    const views = [
      "fdb", "fdb show", "fdb sh", "fdb list", "fdb show dev vx0", "fdb show dev p1", "fdb show brport p2", "fdb show br br0",
      "fdb show br br0 brport vx1", "fdb show vlan 1", "fdb show state permanent", "fdb show state static", "fdb show state all",
      "fdb show state 0x80", "fdb show dynamic", "fdb show dev vx0 unknownword",
      "-j fdb show", "-j -p fdb show", "-j fdb show dev vx0", "-j -p fdb show br br0", "-j fdb show dev p2", "-j fdb show vlan 7",
    ];
    for (const v of views) {
      const args = v.split(" ");
      expect({ args, ...ours(args) }).toEqual({ args, ...bridge(args) });
    }
  });

  it("refuses what bridge refuses, with its words and exit status", () => {
    const lines = [
      "fdb show dev nosuch0", "fdb show br nosuch0", "fdb show dev", "fdb show vlan 1 vlan 2", "fdb show state foo",
      "fdb foo", "fdb add", "fdb add 02:00:00:00:00:09", "fdb add dev vx0", "fdb add zz:00:00:00:00:09 dev vx0",
      "fdb add 02:00:00:00:00:09 dev nosuch0", "fdb del 02:00:00:00:00:09 dev nosuch0", "fdb add 02:00:00:00:00:09 dev vx0 bogus",
      "fdb add 02:00:00:00:00:09 dev vx0 dst", "fdb add 02:00:00:00:00:09 dev vx0 dst 10.0.0.x",
      "fdb add 02:00:00:00:00:09 dev vx0 dst 10.0.0.1 dst 10.0.0.2", "fdb add 02:00:00:00:00:09 dev vx0 port 70000",
      "fdb add 02:00:00:00:00:09 dev vx0 port nosuchservice", "fdb add 02:00:00:00:00:09 dev vx0 vni 0x1000000",
      "fdb add 02:00:00:00:00:09 dev vx0 vni x", "fdb add 02:00:00:00:00:09 dev vx0 src_vni x",
      "fdb add 02:00:00:00:00:09 dev vx0 via nosuch0", "fdb add 02:00:00:00:00:09 dev vx0 nhid 5 dst 10.0.0.3",
      "fdb add 02:00:00:00:00:09 dev vx0 nhid x", "fdb add 02:00:00:00:00:09 dev vx0 vlan 5 vlan 6",
      // the kernel's refusals: an existing entry, a missing one, a vxlan without a remote, sticky without static
      "fdb add 02:00:00:00:00:01 dev vx0 dst 10.0.0.7", "fdb del 02:00:00:00:00:09 dev vx0", "fdb add 02:00:00:00:00:09 dev vx0",
      "fdb add 02:00:00:00:00:09 dev p1 master sticky",
    ];
    for (const l of lines) {
      const args = l.split(" ");
      expect({ args, ...ours(args) }).toEqual({ args, ...bridge(args) });
    }
    for (const args of [["fdb", "help"], ["fdb", "add", "02:00:00:00:00:09", "dev", "vx0", "help"], ["foo"]]) {
      const r = ours(args);
      expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: bridge(args).code, stdout: "" });
    }
  });

  it("changes the table as bridge does", () => {
    // [the line, the bridge line that undoes it]
    const cases: Array<[string, string?]> = [
      ["fdb add 02:00:00:00:00:10 dev vx0 dst 10.0.0.8", "fdb del 02:00:00:00:00:10 dev vx0"],
      ["fdb add 02:00:00:00:00:11 dev vx0 dst 10.0.0.9 port 4791 vni 200 via veth0 self", "fdb del 02:00:00:00:00:11 dev vx0"],
      ["fdb append 00:00:00:00:00:00 dev vx0 dst 10.0.0.21", "fdb del 00:00:00:00:00:00 dev vx0 dst 10.0.0.21"],
      ["fdb ap 00:00:00:00:00:00 dev vx0 dst 10.0.0.22 self permanent", "fdb del 00:00:00:00:00:00 dev vx0 dst 10.0.0.22"],
      ["fdb add 2:0:0:0:0:12 dev vx0 dst 10.0.0.23 src_vni 42", "fdb del 02:00:00:00:00:12 dev vx0"],
      ["fdb add to 02:00:00:00:00:13 dev vx0 dst 10.0.0.24 extern_learn", "fdb del 02:00:00:00:00:13 dev vx0"],
      ["fdb add 02:00:00:00:00:14 dev vx0 dst 10.0.0.25 port domain dynamic", "fdb del 02:00:00:00:00:14 dev vx0"],
      ["fdb replace 02:00:00:00:00:01 dev vx0 dst 10.0.0.30", "fdb replace 02:00:00:00:00:01 dev vx0 dst 10.0.0.7 port 4790 vni 100"],
      ["fdb replace 02:00:00:00:00:15 dev vx0 dst 10.0.0.31", "fdb del 02:00:00:00:00:15 dev vx0"],
      ["fdb del 00:00:00:00:00:00 dev vx0 dst 10.0.0.7", "fdb append 00:00:00:00:00:00 dev vx0 dst 10.0.0.7"],
      ["fdb delete 02:00:00:00:00:01 dev vx0", "fdb add 02:00:00:00:00:01 dev vx0 dst 10.0.0.7 port 4790 vni 100"],
      ["fdb add 02:00:00:00:00:20 dev p1 master static", "fdb del 02:00:00:00:00:20 dev p1 master"],
      ["fdb add 02:00:00:00:00:21 dev p1 master static sticky", "fdb del 02:00:00:00:00:21 dev p1 master"],
      ["fdb add 02:00:00:00:00:22 dev p2 master permanent", "fdb del 02:00:00:00:00:22 dev p2 master"],
      ["fdb add 02:00:00:00:00:23 dev p2 master extern_learn", "fdb del 02:00:00:00:00:23 dev p2 master"],
      ["fdb add 02:00:00:00:00:24 dev p1 self", "fdb del 02:00:00:00:00:24 dev p1 self"],
      ["fdb replace 02:00:00:00:00:02 dev p1 master static sticky", "fdb replace 02:00:00:00:00:02 dev p1 master static"],
      ["fdb del 02:00:00:00:00:02 dev p1 master", "fdb add 02:00:00:00:00:02 dev p1 master static"],
      ["fdb add 02:00:00:00:00:25 dev vx1 dst 10.0.0.40 self", "fdb del 02:00:00:00:00:25 dev vx1 self"],
    ];
    sameChanges(cases, SHOWS);
  });
});
