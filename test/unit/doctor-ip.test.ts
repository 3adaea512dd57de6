import { describe, expect, it } from "vitest";
import { contains, freeHost, isPrivate, parseTarget, subnetText } from "../../src/doctor/ip.js";

describe("doctor ip helpers", () => {
  it("parseTarget: address, v4:port, [v6]:port; junk refused", () => {
    expect(parseTarget("10.0.0.2")).toEqual({ address: "10.0.0.2" });
    expect(parseTarget("198.51.100.1:7007")).toEqual({ address: "198.51.100.1", port: 7007 });
    expect(parseTarget("2001:db8::1")).toEqual({ address: "2001:db8::1" });
    expect(parseTarget("[2001:db8::1]:53")).toEqual({ address: "2001:db8::1", port: 53 });
    expect(parseTarget("host:80")).toBeUndefined();
    expect(parseTarget("10.0.0.300")).toBeUndefined();
  });

  it("subnetText and contains", () => {
    expect(subnetText({ address: "10.0.0.254", prefixlen: 24 })).toBe("10.0.0.0/24");
    expect(subnetText({ address: "2001:db8::5", prefixlen: 64 })).toBe("2001:db8::/64");
    expect(contains({ address: "10.0.0.254", prefixlen: 24 }, "10.0.0.1")).toBe(true);
    expect(contains({ address: "10.0.0.254", prefixlen: 24 }, "10.0.1.1")).toBe(false);
    expect(contains({ address: "10.0.0.254", prefixlen: 24 }, "2001:db8::1")).toBe(false);
  });

  it("freeHost: lowest unused host, never network or broadcast; none for IPv6 or /31", () => {
    expect(freeHost({ address: "10.0.0.254", prefixlen: 24 }, ["10.0.0.254", "10.0.0.2"])).toBe("10.0.0.1");
    expect(freeHost({ address: "10.0.0.254", prefixlen: 24 }, ["10.0.0.1", "10.0.0.2"])).toBe("10.0.0.3");
    expect(freeHost({ address: "192.0.2.1", prefixlen: 30 }, ["192.0.2.1", "192.0.2.2"])).toBeUndefined();
    expect(freeHost({ address: "2001:db8::1", prefixlen: 64 }, [])).toBeUndefined();
  });

  it("isPrivate: RFC 1918, CGNAT, link-local, ULA; TEST-NETs are treated as the routable world", () => {
    for (const a of ["10.1.2.3", "172.20.0.1", "192.168.1.1", "100.64.0.1", "fd00::1"]) expect(isPrivate(a)).toBe(true);
    for (const a of ["198.51.100.1", "203.0.113.5", "8.8.8.8", "2001:db8::1"]) expect(isPrivate(a)).toBe(false);
  });
});
