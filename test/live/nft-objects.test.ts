import { execFileSync } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { NetlinkError, NlkitInputError } from "../../src/netlink/errors.js";
import { Nft, nftExpr as x, renderRule } from "../../src/nft/index.js";
import { describeLive, hasCommand, TestNamespaces } from "../helpers/live.js";

const nftCmd = (ns: string, args: string[], input?: string) =>
  execFileSync("ip", ["netns", "exec", ns, "nft", ...args], { encoding: "utf8", stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"], ...(input !== undefined ? { input } : {}) });
const nftJson = (ns: string) => (JSON.parse(nftCmd(ns, ["-j", "list", "ruleset"])) as { nftables: Array<Record<string, any>> }).nftables;
/** Rule lines of `nft list ruleset`, by chain, in order. */
function listedRules(ns: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let table = "", chain = "";
  for (const line of nftCmd(ns, ["list", "ruleset"]).split("\n")) {
    const t = /^table (\S+) (\S+) \{/.exec(line);
    if (t) { table = `${t[1]} ${t[2]}`; continue; }
    const c = /^\tchain (\S+) \{/.exec(line);
    if (c) { chain = `${table} ${c[1]}`; out.set(chain, []); continue; }
    if (/^\t\t/.test(line) && chain && !/^\t\ttype /.test(line)) out.get(chain)!.push(line.trim());
    if (/^\t}/.test(line)) chain = "";
  }
  return out;
}

describeLive("nft: objects and expressions against the nft oracle", () => {
  const ns = new TestNamespaces("nft-obj");
  let rootBefore = "";
  let a = "", b = "", c = "";
  beforeAll(() => {
    if (!hasCommand("nft")) throw new Error("nft is needed as the oracle");
    rootBefore = execFileSync("nft", ["list", "ruleset"], { encoding: "utf8" });
    a = ns.create("a"); b = ns.create("b"); c = ns.create("c");
    execFileSync("ip", ["-n", a, "link", "add", "veth0", "type", "veth", "peer", "name", "veth1"]);
  });
  afterAll(() => {
    ns.cleanup();
    // the root namespace's ruleset was never touched
    expect(execFileSync("nft", ["list", "ruleset"], { encoding: "utf8" })).toBe(rootBefore);
  });

  it("tables of every family, chains of every kind, and the expressions listed as nft lists them", async () => {
    const nft = await Nft.open({ netns: a });
    try {
      await nft.transaction((tx) => {
        for (const family of ["ip", "ip6", "inet", "arp", "bridge", "netdev"] as const) tx.addTable({ family, name: `t${family}` });
        const t = { family: "ip", table: "tip" } as const;
        tx.addChain({ ...t, name: "post", type: "nat", hook: "postrouting", priority: "srcnat", policy: "accept" });
        tx.addChain({ ...t, name: "pre", type: "nat", hook: "prerouting", priority: "dstnat" });
        tx.addChain({ ...t, name: "in", type: "filter", hook: "input", priority: "filter + 5", policy: "drop" });
        tx.addChain({ ...t, name: "fwd", type: "filter", hook: "forward", priority: "mangle - 5" });
        tx.addChain({ ...t, name: "out", type: "route", hook: "output", priority: "mangle" });
        tx.addChain({ ...t, name: "rawpre", type: "filter", hook: "prerouting", priority: "raw" });
        tx.addChain({ ...t, name: "sec", type: "filter", hook: "input", priority: "security" });
        tx.addChain({ ...t, name: "sub" });
        tx.addChain({ family: "inet", table: "tinet", name: "ingress", type: "filter", hook: "ingress", device: "veth0", priority: 0 });
        tx.addChain({ family: "netdev", table: "tnetdev", name: "ing", type: "filter", hook: "ingress", device: "veth0", priority: "filter", policy: "accept" });
        tx.addChain({ family: "netdev", table: "tnetdev", name: "egr", type: "filter", hook: "egress", device: "veth0", priority: 10 });
        tx.addChain({ family: "bridge", table: "tbridge", name: "fwd", type: "filter", hook: "forward", priority: "filter" });
        tx.addChain({ family: "arp", table: "tarp", name: "in", type: "filter", hook: "input", priority: 0 });
        tx.addChain({ family: "ip6", table: "tip6", name: "out", type: "filter", hook: "output", priority: 0 });
        tx.addSet({ ...t, name: "blocked", type: "ipv4_addr", elements: ["192.0.2.1", "198.51.100.7"] });
        const r = (chain: string, ...e: Parameters<typeof x.flattenExprs>[0]) => tx.addRule({ ...t, chain, expressions: e });
        r("post", x.ipSaddr("10.0.0.0/24"), x.oifname("br0", "neq"), x.masquerade());
        r("post", x.ipSaddr("10.1.0.0/16"), x.snat("198.51.100.2"));
        r("post", x.ipSaddr("10.2.0.0/23"), x.masquerade({ fullyRandom: true }));
        r("pre", x.tcpDport(8080), x.dnat("10.0.0.2:80"));
        r("pre", x.udpDport(53), x.redirect({ port: 5353 }));
        r("in", x.ctState("established", "related"), x.accept());
        r("in", x.iifname("lo"), x.accept());
        r("in", x.tcpDport(22), x.counter(), x.accept());
        r("in", x.limit(10, "second"), x.log({ prefix: "x " }), x.accept());
        r("in", x.ipDaddrField(), x.lookup("blocked"), x.drop());
        r("in", x.ipSaddr("172.16.0.0/12"), x.jump("sub"));
        r("in", x.l4proto("icmp"), x.accept());
        r("in", x.tcpSport(1024, "gte"), x.reject(true));
        r("in", x.ipSaddr("203.0.113.7", "neq"), x.goto("sub"));
        r("sub", x.ipSaddr("10.0.0.1"), x.ret());
        r("sub", x.counter());
        tx.addRule({ family: "netdev", table: "tnetdev", chain: "ing", expressions: [x.meta("protocol"), x.cmp("eq", x.be16(0x0800)), x.ipSaddr("192.0.2.0/24"), x.drop()] });
        tx.addRule({ family: "ip6", table: "tip6", chain: "out", expressions: [x.ip6Daddr("2001:db8::/32"), x.counter(), x.accept()] });
        tx.addRule({ family: "inet", table: "tinet", chain: "ingress", expressions: [x.nfproto("ipv4"), x.ipSaddr("192.0.2.0/24"), x.drop()] });
      });

      // structure: nft -j lists what nlkit created, field by field
      const items = nftJson(a);
      const ours = await nft.ruleset();
      const tables = items.filter((i) => i.table).map((i) => i.table);
      expect(ours.tables.map((t) => ({ family: t.family, name: t.name, handle: t.handle, ...(t.flags.length ? { flags: t.flags } : {}) })))
        .toEqual(tables.map((t) => ({ family: t.family, name: t.name, handle: t.handle, ...(t.flags ? { flags: [t.flags].flat() } : {}) })));
      const chains = items.filter((i) => i.chain).map((i) => i.chain);
      expect(ours.tables.flatMap((t) => t.chains).map((ch) => ({
        family: ch.family, table: ch.table, name: ch.name, handle: ch.handle,
        ...(ch.hook ? { type: ch.type, hook: ch.hook, prio: ch.priority, policy: ch.policy } : {}),
      }))).toEqual(chains.map(({ dev: _d, ...rest }) => rest));
      expect(chains.find((ch) => ch.name === "in" && ch.table === "tip")).toMatchObject({ prio: 5, policy: "drop" });
      expect(chains.find((ch) => ch.name === "fwd" && ch.table === "tip")).toMatchObject({ prio: -155 });
      const rules = items.filter((i) => i.rule).map((i) => i.rule);
      expect(ours.tables.flatMap((t) => t.chains.flatMap((ch) => ch.rules)).map((r) => [r.family, r.table, r.chain, r.handle]))
        .toEqual(rules.map((r) => [r.family, r.table, r.chain, r.handle]));
      const sets = items.filter((i) => i.set).map((i) => i.set);
      expect(sets).toEqual([{ family: "ip", name: "blocked", table: "tip", type: "ipv4_addr", handle: ours.tables[0]!.sets[0]!.handle, elem: ["192.0.2.1", "198.51.100.7"] }]);

      // text: every rule renders as nft prints it, and the whole listing matches
      const listed = listedRules(a);
      for (const t of ours.tables) for (const ch of t.chains) {
        expect(ch.rules.map((r) => r.text), `${t.family} ${t.name} ${ch.name}`).toEqual(listed.get(`${t.family} ${t.name} ${ch.name}`));
        for (const r of ch.rules) if (!r.text.includes("@")) expect(renderRule(r)).toBe(r.text);
      }
      expect(await nft.renderRuleset()).toBe(nftCmd(a, ["list", "ruleset"]));

      // nft 1.0.6 cannot print table flags as JSON (its output stops at "flags":), so text only
      await nft.transaction((tx) => { tx.addTable({ family: "ip", name: "sleepy", flags: ["dormant"] }); });
      expect(nftCmd(a, ["list", "table", "ip", "sleepy"])).toBe("table ip sleepy {\n\tflags dormant\n}\n");
      expect((await nft.ruleset({ family: "ip" })).tables.find((t) => t.name === "sleepy")!.flags).toEqual(["dormant"]);
      expect(await nft.renderRuleset()).toBe(nftCmd(a, ["list", "ruleset"]));
    } finally {
      nft.close();
    }
  });

  it("decodes what nft -f created, and renders it as nft list ruleset does", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nlkit-nft-"));
    const file = join(dir, "in.nft");
    writeFileSync(file, `
table inet fw {
  set ports { type inet_service; elements = { 22, 80, 443, 8080, 8443, 9000 } }
  set nets { type ipv4_addr; flags interval; elements = { 10.0.0.0/8, 192.0.2.10-192.0.2.20, 198.51.100.7 } }
  set ifs { type ifname; elements = { "lo", "veth0" } }
  chain input {
    type filter hook input priority filter; policy accept;
    ct state established,related accept
    ct state invalid drop
    iifname "lo" accept
    meta l4proto { tcp, udp } th dport 53 accept
    tcp dport @ports counter accept
    ip saddr @nets drop
    iifname @ifs accept
    ip6 saddr 2001:db8::/64 accept
    meta nfproto ipv6 icmpv6 type nd-neighbor-solicit accept
    limit rate 5/minute log prefix "in: " drop
    tcp dport 1000 reject with tcp reset
    jump other
  }
  chain other {
    udp sport 123 accept
    meta mark 0x00000001 return
  }
}
table ip nat {
  chain pre { type nat hook prerouting priority dstnat; policy accept; iifname "eth0" tcp dport 8080 dnat to 10.0.0.2:80; }
  chain post { type nat hook postrouting priority srcnat; policy accept; ip saddr 10.0.0.0/24 oifname != "br0" masquerade; ip saddr 10.9.0.0/16 snat to 198.51.100.2; }
}
`);
    execFileSync("ip", ["netns", "exec", b, "nft", "-f", file]);
    const nft = await Nft.open({ netns: b });
    try {
      expect(await nft.renderRuleset()).toBe(nftCmd(b, ["list", "ruleset"]));
      const rs = await nft.ruleset({ family: "inet" });
      expect(rs.tables.map((t) => t.name)).toEqual(["fw"]);
      const nets = rs.tables[0]!.sets.find((s) => s.name === "nets")!;
      expect(nets).toMatchObject({ keyType: "ipv4_addr", flags: ["interval"], elements: ["10.0.0.0/8", "192.0.2.10-192.0.2.20", "198.51.100.7"] });
      // the same rules built with nlkit's builders compare equal to nft's
      const nat = (await nft.ruleset({ family: "ip" })).tables[0]!;
      const post = nat.chains.find((ch) => ch.name === "post")!;
      expect((await import("../../src/nft/equal.js")).sameExpressions(post.rules[0]!.expressions,
        x.flattenExprs([x.ipSaddr("10.0.0.0/24"), x.oifname("br0", "neq"), x.masquerade()]))).toBe(true);
    } finally {
      nft.close();
    }
  });

  it("masquerade is idempotent; portForward too", async () => {
    const nft = await Nft.open({ netns: c });
    try {
      const first = await nft.masquerade({ saddr: "10.0.0.0/24", notOifname: "br0" });
      const second = await nft.masquerade({ saddr: "10.0.0.0/24", notOifname: "br0" });
      expect(first.added).toBe(true);
      expect(second).toEqual({ added: false, handle: first.handle });
      const pf1 = await nft.portForward({ dport: 8080, to: "10.0.0.2:80" });
      const pf2 = await nft.portForward({ dport: 8080, to: "10.0.0.2:80" });
      expect([pf1.added, pf2.added, pf2.handle]).toEqual([true, false, pf1.handle]);
      expect(listedRules(c)).toEqual(new Map([
        ["ip nat postrouting", ['ip saddr 10.0.0.0/24 oifname != "br0" masquerade']],
        ["ip nat prerouting", ["tcp dport 8080 dnat to 10.0.0.2:80"]],
      ]));
      const post = nftJson(c).find((i) => i.chain?.name === "postrouting")!.chain;
      expect(post).toMatchObject({ type: "nat", hook: "postrouting", prio: 100, policy: "accept" });
    } finally {
      nft.close();
    }
  });

  it("a batch with one bad rule changes nothing and names the failing message", async () => {
    const nft = await Nft.open({ netns: c });
    try {
      const before = nftCmd(c, ["list", "ruleset"]);
      const err = await nft.transaction((tx) => {
        tx.addTable({ family: "inet", name: "fw" });
        tx.addChain({ family: "inet", table: "fw", name: "in", type: "filter", hook: "input", priority: 0 });
        tx.addRule({ family: "inet", table: "fw", chain: "in", expressions: [x.iifname("lo"), x.accept()] });
        tx.addRule({ family: "inet", table: "fw", chain: "in", expressions: [x.jump("missing")] });
        tx.addRule({ family: "ip", table: "nat", chain: "postrouting", expressions: [x.counter()] });
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetlinkError);
      const ne = err as NetlinkError;
      expect(ne.code).toBe("ENOENT");
      expect(ne.request).toMatchObject({ index: 3, typeName: "NFT_MSG_NEWRULE" });
      expect(ne.message).toContain("NFT_MSG_NEWRULE");
      expect(ne.message).toContain("batch message 3");
      // the kernel points at the offending attribute
      expect(ne.extack.attribute).toMatch(/^NFTA_RULE_EXPRESSIONS/);
      expect(nftCmd(c, ["list", "ruleset"])).toBe(before);
      // a refusal with the kernel's own words
      const err2 = await nft.transaction((tx) => {
        tx.addTable({ family: "ip", name: "x" });
        tx.addChain({ family: "ip", table: "x", name: "c", type: "nat", hook: "forward", priority: 0 });
      }).catch((e: unknown) => e as NetlinkError);
      expect(err2).toBeInstanceOf(NetlinkError);
      expect((err2 as NetlinkError).request).toMatchObject({ index: 1, typeName: "NFT_MSG_NEWCHAIN" });
      expect(nftCmd(c, ["list", "ruleset"])).toBe(before);
    } finally {
      nft.close();
    }
  });

  it("insert at position, add after position, delete by handle, flush chain, delete table", async () => {
    const d = ns.create("d");
    const nft = await Nft.open({ netns: d });
    const t = { family: "ip", table: "f", chain: "c" } as const;
    try {
      await nft.transaction((tx) => {
        tx.addTable({ family: "ip", name: "f" });
        tx.addChain({ family: "ip", table: "f", name: "c", type: "filter", hook: "input", priority: 0 });
        tx.addRule({ ...t, expressions: [x.tcpDport(1), x.accept()] });
        tx.addRule({ ...t, expressions: [x.tcpDport(3), x.accept()] });
      });
      const rules = () => listedRules(d).get("ip f c");
      const h = async (port: number) => (await nft.ruleset()).tables[0]!.chains[0]!.rules.find((r) => r.text === `tcp dport ${port} accept`)!.handle;
      const h3 = await h(3);
      await nft.transaction((tx) => { tx.addRule({ ...t, position: h3, insert: true, expressions: [x.tcpDport(2), x.accept()] }); });
      await nft.transaction((tx) => { tx.addRule({ ...t, position: h3, expressions: [x.tcpDport(4), x.accept()] }); });
      await nft.transaction((tx) => { tx.insertRule({ ...t, expressions: [x.tcpDport(0), x.accept()] }); });
      expect(rules()).toEqual([0, 1, 2, 3, 4].map((p) => `tcp dport ${p} accept`));
      // by index, like nft's `add rule ... index 1` / `insert rule ... index 0`
      await nft.transaction((tx) => {
        tx.addRule({ ...t, index: 1, expressions: [x.udpDport(11), x.accept()] });
        tx.addRule({ ...t, index: 0, insert: true, expressions: [x.udpDport(10), x.accept()] });
      });
      expect(rules()).toEqual(["udp dport 10 accept", "tcp dport 0 accept", "tcp dport 1 accept", "udp dport 11 accept",
        ...[2, 3, 4].map((p) => `tcp dport ${p} accept`)]);
      const noRule = await nft.transaction((tx) => { tx.addRule({ ...t, index: 40, expressions: [x.accept()] }); }).catch((e: unknown) => e as Error);
      expect(noRule).toBeInstanceOf(NlkitInputError);
      await nft.transaction(async (tx) => {
        const rs = (await nft.ruleset()).tables[0]!.chains[0]!.rules;
        for (const r of rs.filter((r) => r.text.startsWith("udp"))) tx.deleteRule({ ...t, handle: r.handle });
      });
      expect(rules()).toEqual([0, 1, 2, 3, 4].map((p) => `tcp dport ${p} accept`));
      await nft.transaction(async (tx) => { tx.deleteRule({ ...t, handle: await h(2) }); });
      expect(rules()).toEqual([0, 1, 3, 4].map((p) => `tcp dport ${p} accept`));
      await nft.transaction((tx) => { tx.flushChain({ family: "ip", table: "f", name: "c" }); });
      expect(rules()).toEqual([]);
      await nft.deleteTable({ family: "ip", name: "f" });
      expect(nftCmd(d, ["list", "ruleset"])).toBe("");
      const gone = await nft.deleteTable({ family: "ip", name: "f" }).catch((e: unknown) => e as NetlinkError);
      expect(gone).toBeInstanceOf(NetlinkError);
      expect((gone as NetlinkError).code).toBe("ENOENT");
      expect((gone as NetlinkError).extack.attribute).toBe("NFTA_TABLE_NAME");
    } finally {
      nft.close();
    }
  });

  it("sets: named, interval, timeout; elements added and deleted; lookup matches", async () => {
    const e = ns.create("e");
    const nft = await Nft.open({ netns: e });
    const t = { family: "inet", table: "s" } as const;
    try {
      await nft.transaction((tx) => {
        tx.addTable({ family: "inet", name: "s" });
        tx.addChain({ ...t, name: "in", type: "filter", hook: "input", priority: 0 });
        tx.addSet({ ...t, name: "ports", type: "inet_service", elements: ["22", "80"] });
        tx.addSet({ ...t, name: "nets", type: "ipv4_addr", flags: ["interval"], elements: ["10.0.0.0/8", "192.0.2.10-192.0.2.20", "198.51.100.7"] });
        tx.addSet({ ...t, name: "tmp", type: "ipv4_addr", timeout: 3600 });
        tx.addSet({ ...t, name: "macs", type: "ether_addr", elements: ["02:00:00:00:00:01"] });
        tx.addSet({ ...t, name: "ifs", type: "ifname", elements: ["lo"] });
        tx.addSet({ ...t, name: "marks", type: "mark", flags: ["constant"], elements: ["1", "2"] });
        tx.addRule({ ...t, chain: "in", expressions: [x.l4proto("tcp"), x.payload("transport", 2, 2), x.lookup("ports"), x.accept()] });
        tx.addRule({ ...t, chain: "in", expressions: [x.nfproto("ipv4"), x.ipSaddrField(), x.lookup("nets", { invert: true }), x.drop()] });
      });
      await nft.transaction((tx) => {
        tx.addElements({ ...t, set: "ports", type: "inet_service", elements: ["443"] });
        tx.deleteElements({ ...t, set: "ports", type: "inet_service", elements: ["80"] });
        tx.addElements({ ...t, set: "tmp", type: "ipv4_addr", elements: ["203.0.113.1"], timeout: 60 });
      });
      const sets = nftJson(e).filter((i) => i.set).map((i) => i.set);
      const ours = (await nft.ruleset()).tables[0]!.sets;
      expect(sets.find((s) => s.name === "ports")).toMatchObject({ type: "inet_service", elem: [22, 443] });
      expect(ours.find((s) => s.name === "ports")!.elements).toEqual(["22", "443"]);
      expect(ours.find((s) => s.name === "nets")!.elements).toEqual(["10.0.0.0/8", "192.0.2.10-192.0.2.20", "198.51.100.7"]);
      expect(sets.find((s) => s.name === "nets")).toMatchObject({ flags: ["interval"], elem: [{ prefix: { addr: "10.0.0.0", len: 8 } }, { range: ["192.0.2.10", "192.0.2.20"] }, "198.51.100.7"] });
      expect(sets.find((s) => s.name === "tmp")).toMatchObject({ flags: ["timeout"], timeout: 3600 });
      expect(ours.find((s) => s.name === "tmp")!.timeout).toBe(3600);
      expect(sets.find((s) => s.name === "macs")).toMatchObject({ type: "ether_addr", elem: ["02:00:00:00:00:01"] });
      expect(sets.find((s) => s.name === "ifs")).toMatchObject({ type: "ifname", elem: ["lo"] });
      expect(sets.find((s) => s.name === "marks")).toMatchObject({ type: "mark", flags: ["constant"], elem: [1, 2] });
      expect(listedRules(e).get("inet s in")).toEqual(["tcp dport @ports accept", "ip saddr != @nets drop"]);
      expect((await nft.ruleset()).tables[0]!.chains[0]!.rules.map((r) => r.text)).toEqual(["tcp dport @ports accept", "ip saddr != @nets drop"]);
    } finally {
      nft.close();
    }
  });
});
