// The nftables rules planned for masquerade and port forwards, and the comments that key them.
// (Their text as nft(8) prints it is checked by the live tests, against nft itself.)
import { describe, expect, it } from "vitest";
import { attachmentComment, attachmentKey, fibDaddrLocal, sameRule } from "../../../src/cni/nft-util.js";
import { masqueradeExprs } from "../../../src/cni/masquerade.js";
import { conditionExprs, portForward } from "../../../src/cni/portmap.js";
import { nftExpr as x } from "../../../src/index.js";
import { encodeAttrs } from "../../../src/netlink/attrs.js";
import { NlWriter } from "../../../src/netlink/writer.js";
import { fibAttrs } from "../../../src/nft/expr/fib.js";
import { CniError } from "../../../src/cni/errors.js";

const att = { network: "cnistudy", containerId: "ctr1", ifname: "eth0" };

describe("attachment keys", () => {
  it("are the upstream nftables backend's: SHA-512 prefixes of the network and of ifname:containerID (vectors from Python's hashlib)", () => {
    expect(attachmentKey(att)).toBe("163327f01c097678-7883a6f9ce71eedb");
    expect(attachmentComment(att)).toBe("163327f01c097678-7883a6f9ce71eedb, net: cnistudy, if: eth0, id: ctr1");
  });

  it("fit a rule comment (127 bytes), quotes removed, never cutting a UTF-8 character", () => {
    const long = attachmentComment({ network: 'n"et', containerId: "c".repeat(64) + "é".repeat(20), ifname: "eth0" });
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(127);
    expect(long).toMatch(/^[0-9a-f]{16}-[0-9a-f]{16}, net: net, if: eth0, id: c+é*$/);
    expect(long.endsWith("\uFFFD")).toBe(false);
  });
});

describe("masquerade rules", () => {
  it("match the container's own address and anything outside its subnet, per family", () => {
    expect(sameRule(masqueradeExprs("10.22.0.2/24"), x.flattenExprs([x.nfproto("ipv4"), x.ipSaddr("10.22.0.2"), x.ipDaddr("10.22.0.0/24", "neq"), x.masquerade()]))).toBe(true);
    expect(sameRule(masqueradeExprs("fd00::2/64"), x.flattenExprs([x.nfproto("ipv6"), x.ip6Saddr("fd00::2"), x.ip6Daddr("fd00::/64", "neq"), x.masquerade()]))).toBe(true);
    expect(() => masqueradeExprs("10.22.0.2")).toThrow(CniError);
  });
});

describe("port forward plan", () => {
  const spec = {
    mappings: [
      { hostPort: 18080, containerPort: 80, protocol: "tcp" },
      { hostPort: 15353, containerPort: 53, protocol: "udp", hostIP: "198.51.100.2" },
      { hostPort: 9000, containerPort: 9000, protocol: "tcp", hostIP: "2001:db8::2" },
      { hostPort: 9001, containerPort: 9001, protocol: "sctp", hostIP: "0.0.0.0" },
    ],
    addresses: ["10.22.0.2/24", "10.22.0.9/24", "fd00::2/64"],
  };

  it("per mapping: hairpin and loopback marks, then the DNAT; hostIP mappings in their own chain; one masquerade per family", () => {
    const plan = portForward.plan(spec);
    expect(plan.map((r) => r.chain)).toEqual([
      // IPv4: tcp 18080, udp 15353 (hostIP), sctp 9001 (unspecified hostIP: any); the IPv6 hostIP skipped
      "hostports", "hostports", "hostports",
      "hostip_hostports", "hostip_hostports", "hostip_hostports",
      "hostports", "hostports", "hostports",
      "masquerading",
      // IPv6: tcp 18080 (no loopback mark: ::1 cannot be routed), tcp 9000 (hostIP), no udp (IPv4 hostIP)
      "hostports", "hostports", "hostip_hostports", "hostip_hostports", "masquerading",
    ]);
    const dnat = plan[2]!.expressions;
    expect(sameRule(dnat, x.flattenExprs([x.nfproto("ipv4"), x.l4proto("tcp"), x.payload("transport", 2, 2), x.cmp("eq", x.be16(18080)), x.dnat("10.22.0.2:80")]))).toBe(true);
    // the first address of a family is the container's
    expect(JSON.stringify(plan)).not.toContain("10.22.0.9");
    const v6dnat = plan[11]!.expressions;
    expect(sameRule(v6dnat.slice(-3), x.dnat("[fd00::2]:80"))).toBe(true);
  });

  it("without snat there are no marks and no masquerade; the mark bit moves with markMasqBit", () => {
    expect(portForward.plan({ ...spec, snat: false }).every((r) => r.chain !== "masquerading" && !JSON.stringify(r.expressions).includes('"mark"'))).toBe(true);
    const bit4 = portForward.plan({ ...spec, markMasqBit: 4 });
    const mark = bit4.find((r) => r.chain === "masquerading")!.expressions.find((e) => e.name === "cmp" && (e.data as any).data.value.length === 4 && (e.data as any).data.value.readUInt32LE(0) === 16);
    expect(mark).toBeDefined();
    expect(() => portForward.plan({ ...spec, markMasqBit: 32 })).toThrow(CniError);
  });

  it("conditions are iptables-style -s/-d/-i/-o with an optional '!'; anything else is code 2", () => {
    expect(sameRule(conditionExprs(["!", "-d", "192.0.2.0/24", "-i", "eth0"], 4, "conditionsV4"), x.flattenExprs([x.ipDaddr("192.0.2.0/24", "neq"), x.iifname("eth0")]))).toBe(true);
    expect(sameRule(conditionExprs(["--source", "fd00::1"], 6, "conditionsV6"), x.ip6Saddr("fd00::1"))).toBe(true);
    for (const bad of [["-m", "x"], ["-s"], ["-s", "fd00::/8"], ["!"]]) {
      let e: unknown;
      try { conditionExprs(bad, 4, "conditionsV4"); } catch (err) { e = err; }
      expect((e as CniError).code).toBe(2);
    }
  });

  it("fib daddr type local is written as the kernel dumps it (dreg, result, flags) and compares with itself", () => {
    const [fib] = fibDaddrLocal();
    const w = new NlWriter(64);
    encodeAttrs(w, fibAttrs, fib!.data as Record<string, unknown>);
    expect(w.take().toString("hex")).toBe("0800010000000001" + "0800020000000003" + "0800030000000002");
    expect(sameRule(fibDaddrLocal(), fibDaddrLocal())).toBe(true);
  });

  it("a bitwise's op 'bool' as the kernel dumps it equals an expression that leaves it out", () => {
    const built = x.bitwise(Buffer.from([0, 0x20, 0, 0]));
    const dumped = { ...built, data: { ...(built.data as object), op: "bool" } };
    expect(sameRule([built], [dumped])).toBe(true);
    expect(sameRule([built], [{ ...built, data: { ...(built.data as object), op: "lshift" } }])).toBe(false);
  });
});
