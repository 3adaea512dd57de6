import { describe, expect, it } from "vitest";
import { addToAddr, formatAddr, formatNet, inNet, lastAddr, network, parseAddr, parseNet } from "../../../src/cni/ip.js";

describe("cni ip arithmetic", () => {
  it("prints addresses as Go's net.IP.String() does (file names and results)", () => {
    for (const [t, want] of [
      ["10.0.0.1", "10.0.0.1"], ["fd00:0:0:1::a", "fd00:0:0:1::a"], ["2001:DB8::1", "2001:db8::1"],
      ["1:0:0:1:0:0:0:1", "1:0:0:1::1"], ["1:0:1:0:1:0:1:0", "1:0:1:0:1:0:1:0"], ["::", "::"], ["::1", "::1"],
      // Go prints no dotted quad inside IPv6 (glibc and ip do for ::a.b.c.d)
      ["::1.2.3.4", "::102:304"],
      // an IPv4-mapped address is its IPv4 address, as Go's To4() makes it
      ["::ffff:10.1.2.3", "10.1.2.3"],
    ] as const) expect(formatAddr(parseAddr(t)!)).toBe(want);
    expect(parseAddr("10.0.0.1/24")).toBeUndefined();
    expect(parseAddr("300.0.0.1")).toBeUndefined();
  });

  it("networks, last addresses, membership and stepping", () => {
    const n = parseNet("10.22.0.7/29")!;
    expect(formatNet(network(n))).toBe("10.22.0.0/29");
    expect(formatAddr(lastAddr(n))).toBe("10.22.0.7");
    expect(inNet(n, parseAddr("10.22.0.1")!)).toBe(true);
    expect(inNet(n, parseAddr("10.22.0.8")!)).toBe(false);
    expect(inNet(n, parseAddr("fd00::1")!)).toBe(false);
    expect(formatAddr(addToAddr(parseAddr("10.0.0.255")!, 1))).toBe("10.0.1.0");
    expect(formatAddr(addToAddr(parseAddr("fd00::ffff")!, 1))).toBe("fd00::1:0");
    expect(parseNet("10.0.0.0/33")).toBeUndefined();
    expect(parseNet("10.0.0.0")).toBeUndefined();
  });
});
