import { describe, expect, it } from "vitest";
import { decodeAttrs, encodeAttrs } from "../../../src/netlink/attrs.js";
import { NlkitInputError } from "../../../src/netlink/errors.js";
import { NlWriter } from "../../../src/netlink/writer.js";
import { ruleAttrs } from "../../../src/nft/attrs.js";
import * as x from "../../../src/nft/build.js";
import { sameExpressions } from "../../../src/nft/equal.js";
import { formatPriority, parsePriority } from "../../../src/nft/priority.js";
import { renderExpressions } from "../../../src/nft/render.js";
import { encodeElements, formatElements } from "../../../src/nft/setelem.js";
import { Transaction } from "../../../src/nft/tx.js";

const roundTrip = (attrs: Record<string, unknown>) => {
  const w = new NlWriter();
  encodeAttrs(w, ruleAttrs, attrs);
  const bytes = w.take();
  const back = decodeAttrs(bytes, 0, bytes.length, ruleAttrs);
  const w2 = new NlWriter();
  encodeAttrs(w2, ruleAttrs, back);
  return { bytes, back, again: w2.take() };
};

describe("expressions", () => {
  it("an unknown expression is kept raw and written back unchanged", () => {
    // osf: NFTA_OSF_DREG=1, NFTA_OSF_TTL=2 (not in nlkit's registry)
    const data = Buffer.from("0800010000000001050002000100000000", "hex");
    const { back, bytes, again } = roundTrip({ table: "t", chain: "c", expressions: [{ name: "osf", data }, x.accept()] });
    expect((back.expressions as any[])[0]).toEqual({ name: "osf", data });
    expect(again.equals(bytes)).toBe(true);
    // like nft with an expression it cannot parse: left out of the text, never a placeholder
    expect(renderExpressions(back.expressions as any, { family: "ip" })).toBe("accept");
  });

  it("big-endian integers: payload offset, verdict codes, counters", () => {
    const { bytes, back } = roundTrip({ expressions: [x.payload("network", 12, 4), x.jump("sub")] });
    // NFTA_PAYLOAD_OFFSET 12 as __be32
    expect(bytes.includes(Buffer.from("080003000000000c", "hex"))).toBe(true);
    // NFTA_VERDICT_CODE NFT_JUMP (-3) as __be32
    expect(bytes.includes(Buffer.from("08000100fffffffd", "hex"))).toBe(true);
    expect((back.expressions as any[])[1].data.data.verdict).toEqual({ code: "jump", chain: "sub" });
  });

  it("renders rules as nft lists them", () => {
    const r = (...e: Parameters<typeof x.flattenExprs>[0]) => renderExpressions(x.flattenExprs(e), { family: "ip" });
    expect(r(x.ipSaddr("10.0.0.0/24"), x.oifname("br0", "neq"), x.masquerade())).toBe('ip saddr 10.0.0.0/24 oifname != "br0" masquerade');
    expect(r(x.ipSaddr("172.16.0.0/12"), x.goto("x"))).toBe("ip saddr 172.16.0.0/12 goto x");
    expect(r(x.tcpDport(8080), x.dnat("10.0.0.2:80"))).toBe("tcp dport 8080 dnat to 10.0.0.2:80");
    expect(r(x.ctState("established", "related"), x.accept())).toBe("ct state established,related accept");
    expect(r(x.limit(10), x.log({ prefix: "x " }), x.drop())).toBe('limit rate 10/second log prefix "x " drop');
    expect(r(x.l4proto("tcp"), x.accept())).toBe("meta l4proto tcp accept");
    expect(r(x.ipDaddrField(), x.lookup("blocked"), x.drop())).toBe("ip daddr @blocked drop");
    expect(r(x.redirect({ port: 5353 }))).toBe("redirect to :5353");
    expect(renderExpressions(x.flattenExprs([x.nfproto("ipv6"), x.ip6Saddr("2001:db8::/64"), x.accept()]), { family: "inet" }))
      .toBe("ip6 saddr 2001:db8::/64 accept");
    // what nft 1.0.6 lists for these (inet table)
    const inet = (...e: Parameters<typeof x.flattenExprs>[0]) => renderExpressions(x.flattenExprs(e), { family: "inet" });
    expect(inet(x.nfproto("ipv4"), x.tcpDport(22), x.accept())).toBe("meta nfproto ipv4 tcp dport 22 accept");
    expect(inet(x.nfproto("ipv4"), x.l4proto("icmp"), x.payload("transport", 0, 1), x.cmp("eq", Buffer.from([8])), x.accept()))
      .toBe("icmp type echo-request accept");
    expect(inet([x.meta("iifname"), x.cmp("eq", Buffer.from("eth"))], x.accept())).toBe('iifname "eth*" accept');
    expect(inet([x.meta("oifname"), x.cmp("neq", Buffer.from("veth"))], x.drop())).toBe('oifname != "veth*" drop');
    expect(inet(x.iifname("eth0"), x.accept())).toBe('iifname "eth0" accept');
  });

  it("semantic equality ignores counter totals and the kernel's nat normalisation", () => {
    const built = x.flattenExprs([x.counter(), x.dnat("10.0.0.2:80")]);
    const dumped = x.flattenExprs([x.counter(), x.dnat("10.0.0.2:80")]) as any[];
    dumped[0].data = { bytes: 99n, packets: 1n };
    Object.assign(dumped[3].data, { regAddrMax: 1, regProtoMax: 2, flags: 3 });
    expect(sameExpressions(built, dumped)).toBe(true);
    dumped[1].data.data.value = Buffer.from([10, 0, 0, 3]);
    expect(sameExpressions(built, dumped)).toBe(false);
  });
});

describe("transactions refuse bad input before sending", () => {
  const tx = () => new Transaction();
  it.each([
    ["a hook the family lacks", () => tx().addChain({ family: "netdev", table: "t", name: "c", type: "filter", hook: "input" })],
    ["a priority name the family lacks", () => tx().addChain({ family: "netdev", table: "t", name: "c", type: "filter", hook: "ingress", priority: "srcnat", device: "lo" })],
    ["policy on a regular chain", () => tx().addChain({ family: "ip", table: "t", name: "c", policy: "drop" })],
    ["jump without a chain", () => x.verdict("jump")],
    ["an unknown table flag", () => tx().addTable({ family: "ip", name: "t", flags: ["sleepy" as "dormant"] })],
    ["an interface name too long", () => x.iifname("a-very-long-interface-name")],
    ["a bad set element", () => tx().addSet({ family: "ip", table: "t", name: "s", type: "ipv4_addr", elements: ["2001:db8::1"] })],
    ["elements of a set made earlier whose text does not parse", () => tx().addElements({ family: "ip", table: "t", set: "s", elements: ["1.2.3.4 :"] })],
    ["elements with a type given as arrays", () => tx().addElements({ family: "ip", table: "t", set: "s", type: "ipv4_addr", elements: [["1.2.3.4", "80"]] })],
  ])("%s", (_name, fn) => {
    expect(fn).toThrow(NlkitInputError);
  });
});

describe("priorities and intervals", () => {
  it("maps names per family and prints them as nft does", () => {
    expect(parsePriority("ip", "srcnat")).toBe(100);
    expect(parsePriority("ip", "dstnat")).toBe(-100);
    expect(parsePriority("bridge", "dstnat")).toBe(-300);
    expect(parsePriority("inet", "mangle - 5")).toBe(-155);
    expect(formatPriority("ip", "postrouting", 100)).toBe("srcnat");
    expect(formatPriority("ip", "input", 5)).toBe("filter + 5");
    expect(formatPriority("bridge", "forward", 0)).toBe("0");
    expect(formatPriority("bridge", "forward", -200)).toBe("filter");
    // what nft 1.0.6 printed for these on this machine
    expect(formatPriority("ip", "input", 42)).toBe("security - 8");
    expect(formatPriority("ip", "forward", -95)).toBe("-95");
    expect(formatPriority("ip", "forward", 30)).toBe("30");
    expect(formatPriority("ip", "output", 100)).toBe("100");
    expect(formatPriority("ip", "postrouting", -100)).toBe("-100");
  });

  it("interval elements: start keys and the key after each range, flagged INTERVAL_END", () => {
    const els = encodeElements("ipv4_addr", ["10.0.0.0/8", "192.0.2.10-192.0.2.20"], true) as any[];
    expect(els.map((e) => [e.key.value.toString("hex"), e.flags ?? 0])).toEqual([
      ["0a000000", 0], ["0b000000", 1], ["c000020a", 0], ["c0000215", 1],
    ]);
    const back = formatElements("ipv4_addr", els.map((e) => ({ key: e.key.value, flags: e.flags })), true);
    expect(back).toEqual(["10.0.0.0/8", "192.0.2.10-192.0.2.20"]);
  });

  it("adjacent ranges: one range's end key is the next one's start key", () => {
    const els = encodeElements("ipv4_addr", ["10.0.1.0/24", "10.0.0.0/24", "10.0.2.5"], true) as any[];
    // the kernel dumps in its own order
    const dumped = els.map((e) => ({ key: e.key.value, flags: e.flags })).reverse();
    expect(formatElements("ipv4_addr", dumped, true)).toEqual(["10.0.0.0/24", "10.0.1.0/24", "10.0.2.5"]);
  });
});

describe("set elements follow the set's own interval flag", () => {
  const t = { family: "ip", table: "t" } as const;
  const keys = (tx: Transaction, i: number) =>
    (tx.messages[i]!.attrs.elements as Array<Record<string, any>>).map((e) => `${(e.key.value as Buffer).toString("hex")}${e.flags ? "!" : ""}`);

  it("a set created in the same transaction: its declared flags win over the element spec's default", () => {
    const tx = new Transaction()
      .addSet({ ...t, name: "s", type: "ipv4_addr", flags: ["interval"] })
      .addElements({ ...t, set: "s", elements: ["10.0.0.0/24"] });
    // nft sends a leading interval-end element at 0.0.0.0 before the first range that does
    // not start at zero (the kernel's rbtree needs it); the builder sends the same
    expect(keys(tx, 1)).toEqual(["00000000!", "0a000000", "0a000100!"]);
    expect(() => tx.addElements({ ...t, set: "s", interval: false, elements: ["10.0.0.1"] })).toThrow(NlkitInputError);
    expect(() => tx.addElements({ ...t, set: "s", type: "inet_service", elements: ["80"] })).toThrow(NlkitInputError);
  });

  it("a set created earlier: encoded at commit from the flags read back (interval -> start and end keys)", () => {
    const tx = new Transaction().addElements({ ...t, set: "old", type: "ipv4_addr", elements: ["10.0.2.0/24", "10.0.0.0/24"] });
    expect(tx.pendingSets).toHaveLength(1);
    tx.resolveSet(tx.pendingSets[0]!, { flags: 0x4, keyType: 7 });
    expect(keys(tx, 0)).toEqual(["0a000000", "0a000100!", "0a000200", "0a000300!"]);
    // a prefix cannot go into a plain set, and the key type must be the set's
    expect(() => tx.resolveSet(tx.pendingSets[0]!, { flags: 0, keyType: 7 })).toThrow(NlkitInputError);
    expect(() => tx.resolveSet(tx.pendingSets[0]!, { flags: 0x4, keyType: 13 })).toThrow(NlkitInputError);
  });

  it("refuses bad element text before anything is read or sent", () => {
    expect(() => new Transaction().addElements({ ...t, set: "old", type: "ipv4_addr", elements: ["10.0.0.300"] })).toThrow(NlkitInputError);
  });
});

describe("nat targets: address and port", () => {
  it.each([
    ["10.0.0.2:80", { address: "10.0.0.2", port: 80 }],
    ["10.0.0.2", { address: "10.0.0.2" }],
    ["[2001:db8::1]:80", { address: "2001:db8::1", port: 80 }],
    ["[2001:db8::1]", { address: "2001:db8::1" }],
    ["2001:db8::1", { address: "2001:db8::1" }],
    ["10.0.0.2:65535", { address: "10.0.0.2", port: 65535 }],
  ])("%s", (text, want) => {
    expect(x.parseHostPort(text)).toEqual(want);
  });

  it.each([
    "10.0.0.2:", "10.0.0.2:0", "10.0.0.2:65536", "10.0.0.2:x", "10.0.0.2:8 0", ":80",
    "[2001:db8::1]:", "[2001:db8::1]:0", "[2001:db8::1]:65536", "[2001:db8::1]:x", "[2001:db8::1", "[10.0.0.2]:80", "[]:80",
  ])("refuses %s, naming the field", (text) => {
    expect(() => x.parseHostPort(text)).toThrow(expect.objectContaining({ constructor: NlkitInputError, field: "to" }));
    expect(() => x.dnat(text)).toThrow(expect.objectContaining({ constructor: NlkitInputError, field: "to" }));
  });

  it("an IPv6 target with a port renders as nft shows it", () => {
    expect(renderExpressions(x.flattenExprs([x.dnat("[2001:db8::1]:80")]), { family: "ip6" })).toBe("dnat to [2001:db8::1]:80");
  });
});
