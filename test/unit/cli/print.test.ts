// Text printers and -p layout, checked against what ip 6.1 printed for the same records.
import { describe, expect, it } from "vitest";
import { addrLinkText } from "../../../src/cli/print/addr.js";
import { formatJson } from "../../../src/cli/print/json.js";
import { linkText } from "../../../src/cli/print/link.js";
import { neighText } from "../../../src/cli/print/neigh.js";
import { routeText } from "../../../src/cli/print/route.js";
import { ruleText } from "../../../src/cli/print/rule.js";
import { jsonDiff } from "../../helpers/json-diff.js";

const a1 = { ifindex: 5, link: "b1", ifname: "a1", flags: ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"], mtu: 1500, qdisc: "noqueue", master: "br0", operstate: "UP", linkmode: "DEFAULT", group: "default", txqlen: 1000, link_type: "ether", address: "be:05:2d:b3:ed:3d", broadcast: "ff:ff:ff:ff:ff:ff" };

describe("ip -j -p layout", () => {
  it("matches iproute2's json_writer byte for byte", () => {
    const lo = { ifindex: 1, ifname: "lo", flags: ["LOOPBACK"], mtu: 65536 };
    expect(formatJson([lo], true)).toBe('[ {\n        "ifindex": 1,\n        "ifname": "lo",\n        "flags": [ "LOOPBACK" ],\n        "mtu": 65536\n    } ]');
    expect(formatJson([{ a: 1 }, { b: [] }], true)).toBe('[ {\n        "a": 1\n    },{\n        "b": [ ]\n    } ]');
    expect(formatJson([{ x: { y: [{ z: 1 }] } }], true)).toBe('[ {\n        "x": {\n            "y": [ {\n                    "z": 1\n                } ]\n        }\n    } ]');
    expect(formatJson([], true)).toBe("[ ]");
    expect(formatJson([{ a: 1 }], false)).toBe('[{"a":1}]');
  });
});

describe("text printers", () => {
  it("link show", () => {
    expect(linkText(a1, { details: false, mode: true })).toBe(
      "5: a1@b1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master br0 state UP mode DEFAULT group default qlen 1000\n" +
        "    link/ether be:05:2d:b3:ed:3d brd ff:ff:ff:ff:ff:ff",
    );
  });

  it("link show with a peer in another namespace names it from its nsid", () => {
    const { link: _l, master: _m, ...rest } = a1;
    const j = { ...rest, link_index: 3, link_netnsid: 0 };
    expect(linkText(j, { details: false, mode: true, nsName: (id) => (id === 0 ? "ns2" : undefined) }))
      .toBe("5: a1@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n" +
        "    link/ether be:05:2d:b3:ed:3d brd ff:ff:ff:ff:ff:ff link-netns ns2");
    expect(linkText(j, { details: false, mode: true })).toMatch(/ link-netnsid 0$/);
  });

  it("addr show", () => {
    const j = {
      ...a1, ifindex: 6, ifname: "br0", link: undefined, master: undefined,
      addr_info: [
        { family: "inet", local: "10.1.0.1", prefixlen: 24, broadcast: "10.1.0.255", scope: "global", label: "br0", valid_life_time: 4294967295, preferred_life_time: 4294967295 },
        { family: "inet6", local: "2001:db8::1", prefixlen: 64, scope: "global", tentative: true, valid_life_time: 4294967295, preferred_life_time: 4294967295 },
      ],
    };
    expect(addrLinkText(j, { details: false })).toBe(
      "6: br0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\n" +
        "    link/ether be:05:2d:b3:ed:3d brd ff:ff:ff:ff:ff:ff\n" +
        "    inet 10.1.0.1/24 brd 10.1.0.255 scope global br0\n" +
        "       valid_lft forever preferred_lft forever\n" +
        "    inet6 2001:db8::1/64 scope global tentative \n" +
        "       valid_lft forever preferred_lft forever",
    );
  });

  it("route show, route get, multipath and metrics", () => {
    expect(routeText({ dst: "10.1.0.0/24", dev: "br0", protocol: "kernel", scope: "link", prefsrc: "10.1.0.1", flags: [] }))
      .toBe("10.1.0.0/24 dev br0 proto kernel scope link src 10.1.0.1 ");
    expect(routeText({ type: "local", dst: "10.1.0.1", dev: "br0", table: "local", protocol: "kernel", scope: "host", prefsrc: "10.1.0.1", flags: [] }))
      .toBe("local 10.1.0.1 dev br0 table local proto kernel scope host src 10.1.0.1 ");
    expect(routeText({ dst: "2001:db8::/64", dev: "br0", protocol: "kernel", metric: 256, flags: [], pref: "medium" }))
      .toBe("2001:db8::/64 dev br0 proto kernel metric 256 pref medium");
    expect(routeText({ dst: "10.7.0.0/16", gateway: "10.1.0.4", dev: "br0", protocol: "static", flags: ["onlink"], metrics: [{ mtu: 1400, advmss: 1300 }] }))
      .toBe("10.7.0.0/16 via 10.1.0.4 dev br0 proto static onlink mtu 1400 advmss 1300 ");
    expect(routeText({ dst: "default", flags: [], nexthops: [{ gateway: "10.1.0.2", dev: "br0", weight: 2, flags: [] }, { gateway: "10.1.0.3", dev: "br0", weight: 1, flags: [] }] }))
      .toBe("default \n\tnexthop via 10.1.0.2 dev br0 weight 2 \n\tnexthop via 10.1.0.3 dev br0 weight 1 ");
    expect(routeText({ dst: "10.2.3.4", gateway: "10.1.0.2", dev: "br0", prefsrc: "10.1.0.1", flags: [], uid: 0, cache: [] }))
      .toBe("10.2.3.4 via 10.1.0.2 dev br0 src 10.1.0.1 uid 0 \n    cache ");
  });

  it("neigh and rule show", () => {
    expect(neighText({ dst: "10.1.0.5", dev: "br0", lladdr: "02:00:00:00:00:05", state: ["PERMANENT"] }))
      .toBe("10.1.0.5 dev br0 lladdr 02:00:00:00:00:05 PERMANENT ");
    expect(ruleText({ priority: 99, src: "all", fwmark: "0x10", fwmask: "0xff", iif: "br0", table: "1000" }))
      .toBe("99:\tfrom all fwmark 0x10/0xff iif br0 lookup 1000");
    expect(ruleText({ priority: 100, src: "10.1.0.0", srclen: 24, table: "100" })).toBe("100:\tfrom 10.1.0.0/24 lookup 100");
  });
});

describe("json-diff helper", () => {
  it("matches arrays by identity, reports gaps, extras and mismatches", () => {
    const ip = [{ ifindex: 2, ifname: "b", mtu: 1500, x: 1 }, { ifindex: 1, ifname: "a", mtu: 9000 }];
    const ours = [{ ifindex: 1, ifname: "a", mtu: 9000, y: 2 }, { ifindex: 2, ifname: "b", mtu: 1400 }];
    const d = jsonDiff(ours, ip);
    expect(d.gaps).toEqual(["[].x"]);
    expect(d.extras).toEqual(["[].y"]);
    expect(d.mismatches).toEqual(["[ifindex=2].mtu: 1400 !== 1500"]);
    expect(jsonDiff(ours, ip, { ignore: ["x", "y", "mtu"] })).toEqual({ gaps: [], extras: [], mismatches: [] });
    expect(jsonDiff([{ ifindex: 1 }], [{ ifindex: 1 }, { ifindex: 3 }]).mismatches).toEqual(["[ifindex=3]: missing in nlkit"]);
  });
});
