import { describe, expect, it } from "vitest";
import { decodeAttrs, type AttrValues } from "../../../src/netlink/attrs.js";
import { NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REQUEST } from "../../../src/netlink/constants.js";
import { NlkitInputError } from "../../../src/netlink/errors.js";
import { decodeMessage } from "../../../src/netlink/message.js";
import { NlWriter } from "../../../src/netlink/writer.js";
import { buildAddRequest, buildSetRequest, encodeLinkRequest, linkMessage, type LinkAddSpec, type LinkRequest, type LinkSetOptions } from "../../../src/rtnl/link/index.js";
import type { KindContext } from "../../../src/rtnl/link/kinds/kind.js";
import { hexdiff, loadGolden, normalizeNl } from "../../helpers/golden.js";

const RTM_NEWLINK = 16;
const RTM_DELLINK = 17;
const ADD = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
const SET = NLM_F_REQUEST | NLM_F_ACK;

/**
 * Device lookups answer with the indexes the capture's namespace had (ip looked them up with
 * RTM_GETLINK first); IFLA_NET_NS_FD carries whatever fd number ip had open (4 in every capture).
 */
function fakeCtx(indexes: Record<string, number> = {}, nsfd = 4): KindContext & { opened: unknown[] } {
  const opened: unknown[] = [];
  return {
    opened,
    ifindex: (dev) => {
      if (typeof dev === "number") return dev;
      const i = indexes[dev];
      if (i === undefined) throw new Error(`unexpected lookup of ${dev}`);
      return i;
    },
    netnsFd: (ref) => {
      opened.push(ref);
      return nsfd;
    },
  };
}

function message(type: number, flags: number, req: LinkRequest): Buffer {
  const w = new NlWriter(64);
  const s = w.beginMessage(type, flags);
  encodeLinkRequest(w, req);
  w.endMessage(s);
  return w.take();
}

/** The fixture's last request: the one that changes something (earlier ones are ip's name lookups). */
function lastRequest(name: string): Buffer {
  return normalizeNl(loadGolden(name).requests.at(-1)!);
}

const ADD_CASES: Array<[fixture: string, spec: LinkAddSpec, indexes?: Record<string, number>]> = [
  ["seed/link-add-veth", { name: "veth1", kind: "veth", peer: { name: "veth2" } }],
  ["seed/link-add-veth0", { name: "veth0", kind: "veth", peer: { name: "veth1" } }],
  ["seed/link-add-bridge", { name: "br0", kind: "bridge" }],
  ["rtnl/link-add-exists", { name: "veth0", kind: "veth", peer: { name: "veth9" } }],
  ["rtnl/link-add-veth-peer-opts", {
    name: "va", kind: "veth", address: "02:00:00:00:01:01",
    peer: { name: "vb", address: "02:00:00:00:01:02", mtu: 1400, netns: "nlkit-golden-18124-17-b" },
  }],
  ["rtnl/link-add-bridge-stp", { name: "br0", kind: "bridge", bridge: { stp: true, forwardDelay: 400 } }],
  ["rtnl/link-add-bridge-opts", { name: "br0", kind: "bridge", bridge: { stp: true, forwardDelay: 400, vlanFiltering: true, vlanDefaultPvid: 1 } }],
  ["rtnl/link-add-vxlan", {
    name: "vx0", kind: "vxlan",
    vxlan: { id: 42, remote: "192.0.2.1", local: "192.0.2.2", port: 4789, dev: "veth0", ttl: 64, learning: false },
  }, { veth0: 3 }],
  ["rtnl/link-add-vxlan-group", { name: "vx1", kind: "vxlan", vxlan: { id: 43, group: "239.1.1.1", dev: "veth0" } }, { veth0: 3 }],
  ["rtnl/link-add-macvlan", { name: "mv0", kind: "macvlan", link: "veth0", macvlan: { mode: "bridge" } }, { veth0: 3 }],
  ["rtnl/link-add-macvtap", { name: "mvt0", kind: "macvtap", link: "veth0", macvtap: { mode: "vepa" } }, { veth0: 3 }],
  ["rtnl/link-add-vlan", { name: "veth0.100", kind: "vlan", link: "veth0", vlan: { id: 100 } }, { veth0: 3 }],
  ["rtnl/link-add-ipvlan", { name: "ipv0", kind: "ipvlan", link: "veth0", ipvlan: { mode: "l2" } }, { veth0: 3 }],
  ["rtnl/link-add-vrf", { name: "vrf10", kind: "vrf", vrf: { table: 10 } }],
  ["rtnl/link-add-bond", { name: "bond0", kind: "bond", bond: { mode: "802.3ad" } }],
  ["rtnl/link-add-dummy", { name: "dum0", kind: "dummy" }],
  ["rtnl/link-add-wireguard", { name: "wg0", kind: "wireguard" }],
  ["rtnl/link-add-geneve", { name: "gnv0", kind: "geneve", geneve: { id: 5, remote: "192.0.2.9" } }],
];

describe("link add: golden bytes (ip link add ...)", () => {
  for (const [fixture, spec, indexes] of ADD_CASES) {
    it(`${fixture}: ${loadGolden(fixture).command}`, () => {
      const got = normalizeNl(message(RTM_NEWLINK, ADD, buildAddRequest(spec, fakeCtx(indexes))));
      expect(hexdiff(lastRequest(fixture), got)).toBe("");
    });
  }

  it("opens the peer's namespace through the context, by name", () => {
    const ctx = fakeCtx();
    buildAddRequest({ name: "va", kind: "veth", peer: { name: "vb", netns: "ns2" } }, ctx);
    expect(ctx.opened).toEqual(["ns2"]);
  });
});

// ip writes every ip_tunnel attribute with its default value; nlkit sends only what was asked.
// Same meaning: each attribute nlkit sends equals ip's, and each one it leaves out is at the
// kernel's default (pmtudisc on when absent, IFLA_IPTUN_PROTO 0 = IPPROTO_IPIP, others 0).
const TUNNEL_DEFAULTS: Record<string, unknown> = { pmtudisc: 1 };

describe("ip tunnels: same meaning as ip's request, fewer attributes", () => {
  const cases: Array<[string, LinkAddSpec]> = [
    ["rtnl/link-add-gre", { name: "gre1", kind: "gre", gre: { local: "192.0.2.2", remote: "192.0.2.1", ttl: 64 } }],
    ["rtnl/link-add-gretap", { name: "gretap1", kind: "gretap", gretap: { local: "192.0.2.2", remote: "192.0.2.1" } }],
    ["rtnl/link-add-ipip", { name: "ipip1", kind: "ipip", ipip: { local: "192.0.2.2", remote: "192.0.2.1" } }],
  ];
  for (const [fixture, spec] of cases) {
    it(`${fixture}: ${loadGolden(fixture).command}`, () => {
      const ipMsg = lastRequest(fixture);
      const mine = normalizeNl(message(RTM_NEWLINK, ADD, buildAddRequest(spec, fakeCtx())));
      const a = decodeMessage(ipMsg, 0, ipMsg.length, linkMessage);
      const b = decodeMessage(mine, 0, mine.length, linkMessage);
      expect(b.flags).toBe(a.flags);
      expect(b.header).toEqual(a.header);
      const ipAttrs = a.attrs as AttrValues;
      const myAttrs = b.attrs as AttrValues;
      expect(myAttrs.ifname).toBe(ipAttrs.ifname);
      const ipData = (ipAttrs.linkinfo as { kind: string; data: AttrValues });
      const myData = (myAttrs.linkinfo as { kind: string; data: AttrValues });
      expect(myData.kind).toBe(ipData.kind);
      expect(ipData.data.unknown).toBeUndefined();
      for (const [k, v] of Object.entries(myData.data)) expect(v, k).toEqual(ipData.data[k]);
      for (const [k, v] of Object.entries(ipData.data)) {
        if (!(k in myData.data)) expect(v, `${k} left out: must be the kernel default`).toEqual(TUNNEL_DEFAULTS[k] ?? 0);
      }
      expect(Object.keys(myData.data).length).toBeLessThan(Object.keys(ipData.data).length);
    });
  }
});

const SET_CASES: Array<[fixture: string, opts: LinkSetOptions, indexes?: Record<string, number>]> = [
  ["rtnl/link-set-up", { up: true }],
  ["rtnl/link-set-down", { up: false }],
  ["rtnl/link-set-mtu", { mtu: 1400 }],
  ["rtnl/link-set-txqueuelen", { txqueuelen: 500 }],
  ["rtnl/link-set-multi", { up: true, mtu: 1400, txqueuelen: 500 }],
  ["rtnl/link-set-name", { name: "lan0" }],
  ["rtnl/link-set-alias", { alias: "uplink" }],
  ["rtnl/link-set-group", { group: 5 }],
  ["rtnl/link-set-address", { address: "02:00:00:00:00:aa" }],
  ["rtnl/link-set-master", { master: "br0" }, { br0: 4 }],
  ["rtnl/link-set-nomaster", { master: null }],
  ["rtnl/link-set-netns", { netns: "nlkit-golden-18124-46-b" }],
  ["rtnl/link-set-netns-pid", { netns: { netnsPid: 0x4c82 } }],
];

describe("link set: golden bytes (ip link set ...)", () => {
  for (const [fixture, opts, indexes] of SET_CASES) {
    it(`${fixture}: ${loadGolden(fixture).command}`, () => {
      const want = lastRequest(fixture);
      const index = want.readInt32LE(16 + 4);
      const got = normalizeNl(message(RTM_NEWLINK, SET, buildSetRequest(index, opts, fakeCtx(indexes))));
      expect(hexdiff(want, got)).toBe("");
    });
  }

  it("seed fixtures (up, master, netns) too", () => {
    const seeds: Array<[string, LinkSetOptions, Record<string, number>?]> = [
      ["seed/link-set-up", { up: true }],
      ["seed/link-set-netns", { netns: "x" }],
    ];
    for (const [fixture, opts] of seeds) {
      const want = lastRequest(fixture);
      const got = normalizeNl(message(RTM_NEWLINK, SET, buildSetRequest(want.readInt32LE(20), opts, fakeCtx())));
      expect(hexdiff(want, got), fixture).toBe("");
    }
    const want = lastRequest("seed/link-set-master");
    const master = decodeAttrs(want, 32, want.length, linkMessage.attrs).master as number;
    const got = normalizeNl(message(RTM_NEWLINK, SET, buildSetRequest(want.readInt32LE(20), { master: "br0" }, fakeCtx({ br0: master }))));
    expect(hexdiff(want, got)).toBe("");
  });
});

describe("link del: golden bytes", () => {
  for (const fixture of ["rtnl/link-del", "seed/link-del-veth0"]) {
    it(fixture, () => {
      const want = lastRequest(fixture);
      const got = normalizeNl(message(RTM_DELLINK, SET, { header: { index: want.readInt32LE(20) }, attrs: {} }));
      expect(hexdiff(want, got)).toBe("");
    });
  }
});

describe("input validation happens before anything is sent", () => {
  const bad: Array<[string, LinkAddSpec, string]> = [
    ["16-byte name", { name: "a234567890123456", kind: "bridge" }, "name"],
    ["slash", { name: "a/b", kind: "bridge" }, "name"],
    ["whitespace", { name: "a b", kind: "bridge" }, "name"],
    ["empty", { name: "", kind: "bridge" }, "name"],
    // the kernel stops at the NUL: "lo\0x" would name lo
    ["NUL byte", { name: "lo\0x", kind: "bridge" }, "name"],
    ["peer name", { name: "v0", kind: "veth", peer: { name: "x".repeat(16) } }, "peer.name"],
    ["mtu", { name: "v0", kind: "bridge", mtu: -1 }, "mtu"],
    ["address", { name: "v0", kind: "bridge", address: "zz:00" }, "address"],
    ["peer mtu", { name: "v0", kind: "veth", peer: { name: "v1", mtu: 1.5 } }, "peer.mtu"],
    ["options of another kind", { name: "v0", kind: "bridge", vxlan: { id: 1 } }, "vxlan"],
    ["unknown option", { name: "v0", kind: "bridge", colour: "red" } as unknown as LinkAddSpec, "colour"],
    ["vxlan without id", { name: "v0", kind: "vxlan", vxlan: {} as never }, "vxlan.id"],
    ["vxlan bad remote", { name: "v0", kind: "vxlan", vxlan: { id: 1, remote: "1.2.3" } }, "vxlan.remote"],
    ["vxlan local and remote of two families", { name: "v0", kind: "vxlan", vxlan: { id: 1, remote: "10.0.0.2", local: "fd00::1" } }, "vxlan.local"],
    ["vlan id", { name: "v0", kind: "vlan", link: 2, vlan: { id: 5000 } }, "vlan.id"],
    ["bond mode", { name: "b0", kind: "bond", bond: { mode: "fastest" as never } }, "bond.mode"],
    ["kind", { name: "b0", kind: "no such kind!" }, "kind"],
    ["alias", { name: "b0", kind: "bridge", alias: "x".repeat(256) }, "alias"],
  ];
  for (const [what, spec, field] of bad) {
    it(`rejects ${what} naming field ${field}`, () => {
      const ctx = fakeCtx({});
      let err: unknown;
      try { buildAddRequest(spec, ctx); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(NlkitInputError);
      expect((err as NlkitInputError).field).toBe(field);
      expect(ctx.opened).toEqual([]);
    });
  }

  it("rejects a bad set before opening a namespace", () => {
    const ctx = fakeCtx();
    expect(() => buildSetRequest(3, { netns: "ns", mtu: 2 ** 32 }, ctx)).toThrow(NlkitInputError);
    expect(ctx.opened).toEqual([]);
  });
});

describe("extack attribute naming walks into the kind's table", () => {
  it("names IFLA_VXLAN_PORT inside IFLA_LINKINFO/IFLA_INFO_DATA (kind is selected from IFLA_INFO_KIND)", async () => {
    const { describeAttrAt } = await import("../../../src/netlink/attrs.js");
    const msg = message(RTM_NEWLINK, ADD, buildAddRequest({ name: "vx0", kind: "vxlan", vxlan: { id: 42, port: 4789 } }, fakeCtx()));
    // find IFLA_VXLAN_PORT (type 15, 2 bytes 0x12b5) in the bytes
    const at = msg.indexOf(Buffer.from([6, 0, 15, 0, 0x12, 0xb5]));
    expect(at).toBeGreaterThan(0);
    expect(describeAttrAt(msg, 32, msg.length, linkMessage.attrs, at)).toBe("IFLA_LINKINFO/IFLA_INFO_DATA/IFLA_VXLAN_PORT");
  });
});

describe("link ensure", () => {
  it("refuses a non-persistent tun/tap, whose fd it could not hand back", async () => {
    const { captureRtnl } = await import("../../helpers/rtnl-capture.js");
    const { LinkApi } = await import("../../../src/rtnl/link/index.js");
    const { ctx, exec, sent } = captureRtnl({ tp0: 7 });
    const err = await new LinkApi(ctx, exec).ensure({ name: "tp0", kind: "tap", tuntap: { persist: false } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NlkitInputError);
    expect((err as NlkitInputError).field).toBe("tuntap.persist");
    expect(sent).toEqual([]);
  });
});
