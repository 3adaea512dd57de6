// `nlkit -j X show` against `ip -j X show` on a topology built by ip, and the same topology
// built by nlkit's command lines against the one built by ip, read back by ip.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, expect, it } from "vitest";
import { jsonDiff } from "../helpers/json-diff.js";
import { describeLive, ipJson, TestNamespaces } from "../helpers/live.js";
import { nlkit, nlkitJson } from "../helpers/nlkit-cli.js";

const ns = new TestNamespaces("cli-parity");

/** One topology as command lines both tools take; {P} is the namespace the veth peer moves to. */
const TOPOLOGY = [
  "link add veth0 address 02:00:00:00:00:01 type veth peer name veth1 address 02:00:00:00:00:02 netns {P}",
  "link add br0 address 02:00:00:00:00:10 type bridge",
  "link add p1 address 02:00:00:00:00:11 type veth peer name p1p address 02:00:00:00:00:12",
  "link add p2 address 02:00:00:00:00:13 type veth peer name p2p address 02:00:00:00:00:14",
  "link set p1 master br0",
  "link set p2 master br0",
  "link set br0 up",
  "link set p1 up",
  "link set p2 up",
  "link set p1p up",
  "link set veth0 up",
  "link add vx0 address 02:00:00:00:00:20 type vxlan id 42 remote 192.0.2.9 local 10.0.0.1 dstport 4789",
  "link add mv0 link p1p address 02:00:00:00:00:30 type macvlan mode bridge",
  "link set dev p2p mtu 1400",
  "link set p2p promisc on allmulticast on",
  "link set p1p arp off multicast off",
  "link set p1p arp on",
  "link add p3 address 02:00:00:00:00:15 promisc on up type veth peer name p3p address 02:00:00:00:00:16",
  "addr add 10.0.0.1/24 dev veth0",
  "addr add 10.1.0.1/24 brd + dev br0",
  "addr add 10.1.0.100/24 dev br0 label br0:sec",
  "addr add 2001:db8::1/64 dev veth0 nodad",
  "addr add 2001:db8:1::1/64 dev br0",
  "route add 10.2.0.0/24 via 10.0.0.2",
  "route add 10.3.0.0/24 dev br0 table 100",
  "route add 10.4.0.0/24 via 10.0.0.2 table 1000 metric 7",
  "route add 10.5.0.0/24 nexthop via 10.0.0.2 weight 1 nexthop via 10.1.0.2 weight 2",
  "route add 10.6.0.0/24 via 10.1.0.3 dev br0 mtu 1400 advmss 1300 proto static onlink",
  "route add blackhole 10.8.0.0/24",
  "route add 2001:db8:2::/64 via 2001:db8::2",
  "neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev veth0 nud permanent",
  "neigh add 2001:db8::2 lladdr 02:00:00:00:00:02 dev veth0 nud permanent",
  "neigh add 10.1.0.9 lladdr 02:00:00:00:00:99 dev br0 nud noarp",
  "rule add from 10.0.0.0/8 lookup 100 pref 1000",
  "rule add fwmark 0x10/0xff iif br0 lookup 1000 pref 1100",
  "rule add to 10.7.0.0/16 prohibit pref 1200",
];

/** The shows compared; ip's own args. */
const VIEWS = [
  "link show", "-d link show", "link show type veth", "link show master br0", "link show dev veth0",
  "addr show", "addr show dev br0", "-4 addr show", "-6 addr show",
  "route show", "route show table all", "route show table 100", "-6 route show", "route get 10.2.0.5",
  "neigh show", "neigh show dev veth0", "rule show", "-6 rule show",
];

/** Values that move by themselves (bridge timers count down) are not compared. */
const VOLATILE = ["hello_timer", "tcn_timer", "topology_change_timer", "gc_timer", "hold_timer", "message_age_timer", "forward_delay_timer"];

/**
 * Keys ip prints that nlkit does not, as "VIEW: path". This list may only shrink: the test fails
 * when one of them is no longer a gap.
 */
const KNOWN_GAPS: string[] = [];

function build(tool: "ip" | "nlkit", target: string, peer: string): void {
  for (const line of TOPOLOGY) {
    const args = line.replace("{P}", peer).split(" ");
    if (tool === "ip") execFileSync("ip", ["-n", target, ...args], { stdio: "pipe" });
    else {
      const r = nlkit(["-n", target, ...args]);
      if (r.code !== 0) throw new Error(`nlkit -n ${target} ${line}: exit ${r.code}: ${r.stderr}`);
    }
  }
}

function prepare(suffix: string): [string, string] {
  const target = ns.create(suffix);
  const peer = ns.create(`${suffix}p`);
  // no DAD: addresses are not "tentative" in one read and settled in the next
  for (const k of ["all", "default"]) {
    execFileSync("ip", ["netns", "exec", target, "sysctl", "-qw", `net.ipv6.conf.${k}.accept_dad=0`], { stdio: "pipe" });
  }
  return [target, peer];
}

describeLive("nlkit -j show = ip -j show", () => {
  let byIp = "";
  let byNlkit = "";

  beforeAll(async () => {
    const [a, ap] = prepare("ip");
    const [b, bp] = prepare("nl");
    build("ip", a, ap);
    build("nlkit", b, bp);
    byIp = a;
    byNlkit = b;
    // links coming up add link-local addresses, routes and operstates for a while after: compare
    // once two reads in a row are the same (the bridge timers, which never stop, aside)
    const snapshot = () => JSON.stringify([a, b].map((n) => VIEWS.map((v) => ipJson(v.split(" "), n))), (k, v: unknown) => (VOLATILE.includes(k) ? undefined : v));
    const deadline = Date.now() + 30_000;
    for (let last = snapshot(), now = ""; (now = snapshot()) !== last; last = now) {
      if (Date.now() > deadline) throw new Error("the topologies never settled");
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 120_000);
  afterAll(() => ns.cleanup());

  it("every view: same values, and ip's extra keys only the known gaps", () => {
    const gaps: string[] = [];
    const problems: string[] = [];
    for (const view of VIEWS) {
      const args = view.split(" ");
      const theirs = ipJson(args, byIp);
      const ours = nlkitJson(["-n", byIp, ...args]);
      const d = jsonDiff(ours, theirs, { ignore: VOLATILE });
      gaps.push(...d.gaps.map((g) => `${view}: ${g}`));
      problems.push(...d.mismatches.map((m) => `${view}: ${m}`), ...d.extras.map((x) => `${view}: nlkit-only key ${x}`));
    }
    expect(problems).toEqual([]);
    expect(gaps.filter((g) => !KNOWN_GAPS.includes(g))).toEqual([]);
    expect(KNOWN_GAPS.filter((g) => !gaps.includes(g))).toEqual([]);
  }, 120_000);

  it("-p output is ip's -p layout", () => {
    for (const view of ["rule show", "link show dev veth0", "route show"]) {
      const args = view.split(" ");
      const theirs = execFileSync("ip", ["-n", byIp, "-j", "-p", ...args], { encoding: "utf8" });
      const ours = nlkit(["-n", byIp, "-j", "-p", ...args]).stdout;
      expect(ours).toBe(theirs);
    }
  }, 60_000);

  it("text output is ip's text for link, addr, route, neigh and rule", () => {
    for (const view of ["link show", "addr show", "-4 addr show", "-6 addr show", "route show", "route show table all", "-6 route show", "neigh show", "rule show", "route get 10.2.0.5"]) {
      const args = view.split(" ");
      const theirs = execFileSync("ip", ["-n", byIp, ...args], { encoding: "utf8" });
      const ours = nlkit(["-n", byIp, ...args]);
      expect(ours.code).toBe(0);
      expect(ours.stdout, view).toBe(theirs);
    }
  }, 60_000);

  it("-d text keeps ip's header and link lines and names the kind on its own line", () => {
    const theirs = execFileSync("ip", ["-n", byIp, "-d", "link", "show", "dev", "vx0"], { encoding: "utf8" }).split("\n");
    const ours = nlkit(["-n", byIp, "-d", "link", "show", "dev", "vx0"]).stdout.split("\n");
    expect(ours[0]).toBe(theirs[0]);
    expect(ours[1]!.replace(/ +/g, " ")).toBe(theirs[1]!.replace(/ +/g, " "));
    expect(ours[2]).toMatch(/^    vxlan id 42 remote 192\.0\.2\.9 local 10\.0\.0\.1 .* addrgenmode eui64 numtxqueues 1 /);
  }, 60_000);

  it("the topology built by nlkit's command lines reads back (ip -j -d) equal to the one ip built", () => {
    const problems: string[] = [];
    for (const view of ["-d link show", "-d addr show", "route show table all", "-6 route show table all", "neigh show", "rule show", "-6 rule show"]) {
      const args = view.split(" ");
      const d = jsonDiff(ipJson(args, byNlkit), ipJson(args, byIp), { ignore: VOLATILE });
      problems.push(...[...d.mismatches, ...d.gaps, ...d.extras].map((m) => `${view}: ${m}`));
    }
    expect(problems).toEqual([]);
  }, 60_000);
});
