import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { parseResult, printResult, resultJson, type CniResult } from "../../../src/cni/result.js";
import { CniError } from "../../../src/cni/errors.js";

const fixture = (f: string) => JSON.parse(fs.readFileSync(new URL(`../../fixtures/cni/${f}`, import.meta.url), "utf8"));
/** The reference bridge's 1.0.0 result for the public scenario's first container. */
const ref100 = fixture("pub-add-c1.json").plugins[0].stdout;

const dual: CniResult = {
  cniVersion: "1.1.0",
  interfaces: [
    { name: "cni0", mac: "0a:00:00:00:00:01", mtu: 1500 },
    { name: "veth01234567", mac: "0a:00:00:00:00:02", mtu: 1500 },
    { name: "eth0", mac: "0a:00:00:00:00:03", mtu: 1500, sandbox: "/run/netns/c1" },
  ],
  ips: [
    { interface: 2, address: "10.22.0.2/24", gateway: "10.22.0.1" },
    { interface: 2, address: "fd00::2/64", gateway: "fd00::1" },
  ],
  routes: [{ dst: "0.0.0.0/0" }, { dst: "::/0", gw: "fd00::1", mtu: 1400, priority: 5 }],
  dns: { nameservers: ["10.22.0.1"], search: ["cluster.test"] },
};

describe("result conversion", () => {
  it("a 1.0.0 result read and printed again is the reference's, key for key and in libcni's key order", () => {
    const r = parseResult(ref100, "1.0.0");
    expect(resultJson(r, "1.0.0")).toEqual(ref100);
    expect(Object.keys(resultJson(r, "1.0.0"))).toEqual(["cniVersion", "interfaces", "ips", "routes", "dns"]);
    expect(Object.keys((resultJson(r, "1.0.0").ips as object[])[0]!)).toEqual(["interface", "address", "gateway"]);
  });

  it("1.1.0 carries interface mtu and route attributes; 1.0.0 drops them", () => {
    expect(resultJson(dual, "1.1.0")).toEqual({
      cniVersion: "1.1.0",
      interfaces: [
        { name: "cni0", mac: "0a:00:00:00:00:01", mtu: 1500 },
        { name: "veth01234567", mac: "0a:00:00:00:00:02", mtu: 1500 },
        { name: "eth0", mac: "0a:00:00:00:00:03", mtu: 1500, sandbox: "/run/netns/c1" },
      ],
      ips: [{ interface: 2, address: "10.22.0.2/24", gateway: "10.22.0.1" }, { interface: 2, address: "fd00::2/64", gateway: "fd00::1" }],
      routes: [{ dst: "0.0.0.0/0" }, { dst: "::/0", gw: "fd00::1", mtu: 1400, priority: 5 }],
      dns: { nameservers: ["10.22.0.1"], search: ["cluster.test"] },
    });
    const v100 = resultJson(dual, "1.0.0");
    expect((v100.interfaces as Array<Record<string, unknown>>).every((i) => !("mtu" in i))).toBe(true);
    expect(v100.routes).toEqual([{ dst: "0.0.0.0/0" }, { dst: "::/0", gw: "fd00::1" }]);
  });

  it("0.4.0 and 0.3.1 results carry ips[].version first", () => {
    for (const v of ["0.4.0", "0.3.1", "0.3.0"]) {
      const j = resultJson(dual, v);
      expect(j.cniVersion).toBe(v);
      expect(j.ips).toEqual([
        { version: "4", interface: 2, address: "10.22.0.2/24", gateway: "10.22.0.1" },
        { version: "6", interface: 2, address: "fd00::2/64", gateway: "fd00::1" },
      ]);
      expect(Object.keys((j.ips as object[])[0]!)[0]).toBe("version");
    }
  });

  it("0.2.0 and 0.1.0 results are the ip4/ip6 form with each family's routes", () => {
    expect(resultJson(dual, "0.2.0")).toEqual({
      cniVersion: "0.2.0",
      ip4: { ip: "10.22.0.2/24", gateway: "10.22.0.1", routes: [{ dst: "0.0.0.0/0" }] },
      ip6: { ip: "fd00::2/64", gateway: "fd00::1", routes: [{ dst: "::/0", gw: "fd00::1" }] },
      dns: { nameservers: ["10.22.0.1"], search: ["cluster.test"] },
    });
    expect(() => resultJson({ cniVersion: "1.0.0", interfaces: [{ name: "lo" }] }, "0.2.0")).toThrow(CniError);
  });

  it("reads prevResults of every version back into the same addresses and routes", () => {
    for (const v of ["0.2.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"]) {
      const back = parseResult(resultJson(dual, v), v);
      expect(back.ips!.map((i) => [i.address, i.gateway])).toEqual([["10.22.0.2/24", "10.22.0.1"], ["fd00::2/64", "fd00::1"]]);
      expect(back.routes!.map((r) => r.dst)).toEqual(["0.0.0.0/0", "::/0"]);
      expect(back.dns).toEqual(dual.dns);
    }
    // a result without its own cniVersion is in the configuration's
    expect(parseResult({ ips: [{ version: "4", address: "10.0.0.2/24" }] }, "0.4.0").cniVersion).toBe("0.4.0");
  });

  it("refuses malformed prevResults with code 6 naming the field", () => {
    for (const [bad, field] of [
      [{ ips: [{ address: "10.0.0.300/24" }] }, "ips[0].address"],
      [{ ips: "x" }, "ips"],
      [{ routes: [{ dst: 5 }] }, "routes[0].dst"],
      [{ interfaces: [{ mac: "x" }] }, "interfaces[0].name"],
      [[], "not an object"],
    ] as const) {
      let err: unknown;
      try { parseResult(bad, "1.0.0"); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(CniError);
      expect((err as CniError).code).toBe(6);
      expect((err as CniError).message).toContain(field);
    }
  });

  it("prints with libcni's four-space indentation", () => {
    expect(printResult({ cniVersion: "1.0.0", dns: {} }, "1.0.0")).toBe('{\n    "cniVersion": "1.0.0",\n    "dns": {}\n}');
  });
});
