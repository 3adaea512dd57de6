import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { formatIPv4, formatIPv6, formatLladdr, inSubnet, ipv4Value, networkOf, parseCidr, parseIp, parseIPv4, parseIPv6, parseLladdr } from "../../../src/netlink/ip.js";

describe("ip text", () => {
  it("parses and refuses IPv4", () => {
    expect([...parseIPv4("10.0.0.1")!]).toEqual([10, 0, 0, 1]);
    for (const bad of ["10.0.0", "256.1.1.1", "1.2.3.4.5", "01.2.3.4", "a.b.c.d", ""]) expect(parseIPv4(bad)).toBeUndefined();
  });

  it("ipv4Value accepts what parseIPv4 accepts, as the same number", () => {
    const octet = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom("", "00", "01", "007", "a", " 1", "1 "));
    const text = fc.oneof(
      fc.array(octet, { minLength: 1, maxLength: 6 }).map((p) => p.join(".")),
      fc.string({ maxLength: 16 }),
    );
    fc.assert(fc.property(text, (t) => {
      const b = parseIPv4(t);
      expect(ipv4Value(t)).toBe(b ? b.readUInt32BE(0) : -1);
      // a slice of a longer string, as route prefixes use it
      expect(ipv4Value(`x${t}/24`, 1, t.length + 1)).toBe(b ? b.readUInt32BE(0) : -1);
    }), { numRuns: 2000 });
    expect(ipv4Value("255.255.255.255")).toBe(0xffffffff);
  });

  it("formats IPv6 as glibc inet_ntop does", () => {
    const cases: Array<[string, string]> = [
      ["::", "::"], ["::1", "::1"], ["fe80::1", "fe80::1"], ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
      ["2001:db8::", "2001:db8::"], ["::ffff:10.0.0.1", "::ffff:10.0.0.1"], ["::10.0.0.1", "::10.0.0.1"],
      ["1:0:2:0:3:0:4:0", "1:0:2:0:3:0:4:0"], ["fd00:0:0:0:0:0:0:0", "fd00::"], ["0:0:1::", "0:0:1::"],
    ];
    for (const [input, want] of cases) expect(formatIPv6(parseIPv6(input)!)).toBe(want);
    for (const bad of [":::", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "g::1"]) expect(parseIPv6(bad)).toBeUndefined();
  });

  it("round-trips every IPv6 address through text", () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
      const b = Buffer.from(bytes);
      expect(parseIPv6(formatIPv6(b))).toEqual(b);
    }));
  });

  it("parses CIDRs and defaults", () => {
    expect(parseCidr("10.0.0.1/24")).toMatchObject({ family: 4, address: "10.0.0.1", prefixlen: 24 });
    expect(parseCidr("fd00::1/64")).toMatchObject({ family: 6, address: "fd00::1", prefixlen: 64 });
    expect(parseCidr("10.0.0.1")!.prefixlen).toBe(32);
    expect(parseCidr("default", 6)).toMatchObject({ family: 6, prefixlen: 0, address: "::" });
    for (const bad of ["10.0.0.1/33", "10.0.0.1/", "fd00::/129", "x/8", "10.0.0.1/2a"]) expect(parseCidr(bad)).toBeUndefined();
    const c = parseCidr("10.1.2.3/16")!;
    expect([...networkOf(c)]).toEqual([10, 1, 0, 0]);
    expect(inSubnet(parseIPv4("10.1.200.1")!, networkOf(c), 16)).toBe(true);
    expect(inSubnet(parseIPv4("10.2.0.1")!, networkOf(c), 16)).toBe(false);
  });

  it("parseCidr agrees with parsing address and prefix separately (parseIp + /^\\d{1,3}$/)", () => {
    const reference = (text: string) => {
      const slash = text.indexOf("/");
      const ip = parseIp(slash >= 0 ? text.slice(0, slash) : text);
      if (!ip) return undefined;
      const max = ip.family === 4 ? 32 : 128;
      const p = slash >= 0 ? text.slice(slash + 1) : String(max);
      if (!/^\d{1,3}$/.test(p) || Number(p) > max) return undefined;
      return { family: ip.family, bytes: ip.bytes, address: ip.family === 4 ? formatIPv4(ip.bytes) : formatIPv6(ip.bytes), prefixlen: Number(p) };
    };
    const addr = fc.oneof(
      fc.ipV4(), fc.ipV6(), fc.constantFrom("01.2.3.4", "1.2.3", "::ffff:1.2.3.4", "fd00::1", "1.2.3.4.5", "", "x", "1:2"),
      fc.string({ maxLength: 8 }),
    );
    const prefix = fc.oneof(
      fc.constant(""), fc.integer({ min: 0, max: 200 }).map((n) => `/${n}`),
      fc.constantFrom("/", "/0032", "/3a", "/٣", "/ 8", "/8 ", "/-1", "/+8", "/1e1", "/8/8", "/:"),
    );
    fc.assert(fc.property(addr, prefix, (a, p) => {
      expect(parseCidr(a + p)).toEqual(reference(a + p));
    }), { numRuns: 3000 });
  });

  it("link-layer addresses", () => {
    expect(formatLladdr(parseLladdr("02:00:0A:0b:00:01")!)).toBe("02:00:0a:0b:00:01");
    expect(parseLladdr("02:00:0g:00:00:01")).toBeUndefined();
  });
});

describe("IPv4 scanner", () => {
  it("agrees with a strict dotted-quad reference on arbitrary text", () => {
    const reference = (t: string) => {
      const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(t);
      if (!m) return undefined;
      const parts = m.slice(1).map((p) => ({ p, v: Number(p) }));
      if (parts.some(({ p, v }) => v > 255 || (p.length > 1 && p[0] === "0"))) return undefined;
      return Buffer.from(parts.map(({ v }) => v));
    };
    const octet = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom("00", "01", "007", "", "a", "1a"));
    fc.assert(fc.property(fc.oneof(fc.array(octet, { minLength: 3, maxLength: 5 }).map((a) => a.join(".")), fc.string()), (t) => {
      expect(parseIPv4(t)).toEqual(reference(t));
    }), { numRuns: 5000 });
  });
});
