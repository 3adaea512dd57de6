// `nlkit bridge link` against bridge(8) itself: each line runs as `bridge` and as `nlkit bridge` in
// one namespace, and exit status, stdout and stderr must be the same bytes. A line that changes a
// port runs under bridge first, is undone with bridge, then runs under nlkit, and the ports are
// compared after each.
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeLive, hasCommand, TestNamespaces } from "../helpers/live.js";
import { bridgePair } from "../helpers/bridge-cli.js";

const ns = new TestNamespaces("brlink");
let netns = "";

const { sh, bridge, ours, sameChanges } = bridgePair(() => netns);

/** The views every change is checked with: -d shows every option set can touch. */
const SHOWS = [["-d", "link", "show"], ["-j", "-d", "link", "show"]];

describeLive("nlkit bridge link = bridge link", () => {
  beforeAll(() => {
    netns = ns.create("a");
    const ip = (line: string) => sh("ip", line.split(" "));
    ip("link add br0 type bridge");
    ip("link add p1 type veth peer name p1p");
    ip("link add p2 type veth peer name p2p");
    // a port whose peer stays down: NO-CARRIER, and M-DOWN after its flags
    ip("link add p3 type veth peer name p3p");
    ip("link add veth0 type veth peer name veth1");
    for (const p of ["p1", "p2", "p3"]) ip(`link set ${p} master br0`);
    for (const d of ["br0", "p1", "p1p", "p2", "p2p", "p3", "veth0", "veth1"]) ip(`link set ${d} up`);
    ip("link set p2 mtu 1400");
    // p2 with options off their defaults, so that -d has something to tell apart
    sh("bridge", "link set dev p2 hairpin on guard on learning off cost 9 priority 5 backup_port p1".split(" "));
  }, 60_000);
  afterAll(() => ns.cleanup());

  it("has bridge(8)", () => {
    expect(hasCommand("bridge")).toBe(true);
  });

  it("shows what bridge shows", () => {
    const views = [
      "link", "link show", "link sh", "link list", "link lst", "l", "link show unknownword", "-d link show", "-o -d link show",
      "link show dev p1", "link show dev p3", "-d link show dev p2", "link show dev veth0", "link show dev p1p",
      "link show master br0", "link show dev p2 master br0",
      "-j link show", "-j -p link show", "-j -d link show", "-j -p -d link show", "-j link show dev p3", "-j link show dev veth0",
      "-j -p link show master br0",
    ];
    for (const v of views) {
      const args = v.split(" ");
      expect({ args, ...ours(args) }).toEqual({ args, ...bridge(args) });
    }
  });

  it("refuses what bridge refuses, with its words and exit status", () => {
    const lines = [
      "link show dev nosuch0", "link show dev", "link show dev p1 dev p2", "link foo", "link set", "link set guard on",
      "link set dev nosuch0 guard on", "link set dev p1 guard maybe", "link set dev p1 learning", "link set dev p1 state foo",
      "link set dev p1 state Forwarding", "link set dev p1 backup_port nosuch0", "link set backup_port nosuch0 guard maybe",
      "link set guard maybe backup_port nosuch0",
      // the kernel's refusals: no bridge port (a veth, its peer, the bridge), a state or router value out of range
      "link set dev veth0 cost 5", "link set dev p1p guard on", "link set dev br0 cost 5", "link set dev p1 state 9",
      "link set dev p1 state 300", "link set dev p1 mcast_router 9",
    ];
    for (const l of lines) {
      const args = l.split(" ");
      expect({ args, ...ours(args) }).toEqual({ args, ...bridge(args) });
    }
    // the usage text names nlkit and leaves out the words nlkit does not take: status and stdout only
    for (const args of [["link", "help"], ["link", "set", "dev", "p1", "bogus"], ["link", "set", "dev", "p1", "self"]]) {
      const r = ours(args);
      expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: bridge(args).code, stdout: "" });
    }
  });

  it("changes ports as bridge does", () => {
    // [the line, the bridge line that undoes it]
    const cases: Array<[string, string?]> = [
      ["link set dev p1 cost 5", "link set dev p1 cost 2"],
      ["link change dev p1 cost 4294967295", "link set dev p1 cost 2"],
      ["link set dev p1 cost -1", "link set dev p1 cost 2"],
      ["link set dev p1 priority 7", "link set dev p1 priority 32"],
      ["link set dev p1 priority 63", "link set dev p1 priority 32"],
      ["link set dev p1 state blocking", "link set dev p1 state forwarding"],
      ["link set dev p1 state 1", "link set dev p1 state 3"],
      ["link set dev p1 state disabled", "link set dev p1 state 3"],
      ["link set dev p1 guard on hairpin on fastleave on root_block on", "link set dev p1 guard off hairpin off fastleave off root_block off"],
      ["link set dev p1 learning off flood off", "link set dev p1 learning on flood on"],
      ["link set dev p1 mcast_flood off bcast_flood of mcast_to_unicast o", "link set dev p1 mcast_flood on bcast_flood on"],
      ["link set dev p1 mcast_to_unicast on", "link set dev p1 mcast_to_unicast off"],
      ["link set dev p1 neigh_suppress on", "link set dev p1 neigh_suppress off"],
      ["link set dev p1 vlan_tunnel on", "link set dev p1 vlan_tunnel off"],
      ["link set dev p1 isolated on", "link set dev p1 isolated off"],
      ["link set dev p1 locked on", "link set dev p1 locked off"],
      ["link set dev p1 mcast_router 2", "link set dev p1 mcast_router 1"],
      ["link set dev p1 backup_port p3", "link set dev p1 nobackup_port"],
      ["link set dev p2 nobackup_port", "link set dev p2 backup_port p1"],
      ["link set dev p2 hairpin off guard off learning on cost 2 priority 32", "link set dev p2 hairpin on guard on learning off cost 9 priority 5"],
      ["link set dev p3 cost 100 dev p1 priority 9", "link set dev p1 priority 32"],
      // nothing sent but an empty IFLA_PROTINFO: a cost of 0, a priority past a short, a word atoi reads as 0
      ["link set dev p1"], ["link set dev p1 cost 0"], ["link set dev p1 cost x"], ["link set dev p1 priority 99999"],
    ];
    sameChanges(cases, SHOWS);
  });
});
