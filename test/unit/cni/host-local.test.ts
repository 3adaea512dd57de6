import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hostLocal, parseHostLocalConfig, parseResolvConf } from "../../../src/cni/ipam/host-local.js";
import { candidates, canonicalRangeSet } from "../../../src/cni/ipam/ranges.js";
import { formatAddr, parseAddr } from "../../../src/cni/ip.js";
import { CniError } from "../../../src/cni/errors.js";
import { flock, LOCK_EX, LOCK_NB } from "../../../src/syscalls/index.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nlkit-hostlocal-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const dataDir = () => path.join(tmp, `d${++n}`);
const fixture = (f: string) => JSON.parse(fs.readFileSync(new URL(`../../fixtures/cni/${f}`, import.meta.url), "utf8"));

function conf(ipam: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return parseHostLocalConfig({ ipam: { type: "host-local", ...ipam }, ...extra });
}
const att = (id: string, ifname = "eth0") => ({ network: "net1", containerId: id, ifname });
const addrs = (r: { ips?: Array<{ address: string }> }) => r.ips!.map((i) => i.address);
const files = (dir: string, net = "net1") => Object.fromEntries(fs.readdirSync(path.join(dir, net)).sort().map((f) => [f, fs.readFileSync(path.join(dir, net, f), "latin1")]));

async function code(p: Promise<unknown> | (() => unknown)): Promise<{ code: number; msg: string }> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    if (e instanceof CniError) return { code: e.code, msg: e.message };
    throw e;
  }
  throw new Error("did not fail");
}

describe("host-local allocator", () => {
  it("the public scenario: three containers get .2, .3, .4 and leave the reference's files (CRLF inside), DEL leaves last_reserved_ip.0 and lock", async () => {
    const d = dataDir();
    const cfg = conf({ subnet: "10.22.0.0/24", dataDir: d, routes: [{ dst: "0.0.0.0/0" }] });
    for (const id of ["ctr1", "ctr2", "ctr3"]) {
      const r = await hostLocal.allocate({ network: "cnistudy", containerId: id, ifname: "eth0" }, cfg);
      expect(r.routes).toEqual([{ dst: "0.0.0.0/0" }]);
    }
    const want = fixture("pub-after-add-ipam-files.json");
    const got = files(d, "cnistudy");
    // the capture read the files as text: its "\n" is the "\r\n" on disk
    expect(Object.fromEntries(Object.entries(got).map(([k, v]) => [k, k === "lock" ? "(lock)" : v.replace("\r\n", "\n")]))).toEqual(want);
    expect(got["10.22.0.2"]).toBe("ctr1\r\neth0");
    expect((fs.statSync(path.join(d, "cnistudy", "lock")).mode & 0o777).toString(8)).toBe("750");
    for (const id of ["ctr1", "ctr2", "ctr3"]) await hostLocal.release({ network: "cnistudy", containerId: id, ifname: "eth0" }, cfg);
    expect(Object.fromEntries(Object.entries(files(d, "cnistudy")).map(([k, v]) => [k, k === "lock" ? "(lock)" : v]))).toEqual(fixture("pub-after-del-ipam-files.json"));
  });

  it("allocates after the last reserved address, wraps around, skips the gateway, never the network or broadcast address", async () => {
    const d = dataDir();
    const cfg = conf({ subnet: "10.9.0.0/29", dataDir: d }); // .1 gateway, .2-.6 usable, .7 broadcast
    const got: string[] = [];
    for (let i = 0; i < 5; i++) got.push(...addrs(await hostLocal.allocate(att(`c${i}`), cfg)));
    expect(got).toEqual(["10.9.0.2/29", "10.9.0.3/29", "10.9.0.4/29", "10.9.0.5/29", "10.9.0.6/29"]);
    expect(await code(hostLocal.allocate(att("c5"), cfg))).toEqual({ code: 999, msg: "failed to allocate for range 0: no IP addresses available in range set: 10.9.0.1-10.9.0.6" });
    // a failed allocation changes nothing
    expect(Object.keys(files(d))).toEqual(["10.9.0.2", "10.9.0.3", "10.9.0.4", "10.9.0.5", "10.9.0.6", "last_reserved_ip.0", "lock"]);
    await hostLocal.release(att("c1"), cfg); // frees .3
    await hostLocal.release(att("c3"), cfg); // frees .5
    // after .6 (the last reserved) the search wraps to .1 (the gateway, skipped), .2 (taken), .3
    expect(addrs(await hostLocal.allocate(att("x"), cfg))).toEqual(["10.9.0.3/29"]);
    expect(addrs(await hostLocal.allocate(att("y"), cfg))).toEqual(["10.9.0.5/29"]);
    expect(fs.readFileSync(path.join(d, "net1", "last_reserved_ip.0"), "utf8")).toBe("10.9.0.5");
  });

  it("walks every range of a set in order, honouring rangeStart, rangeEnd and gateway", () => {
    const set = canonicalRangeSet([
      { subnet: "10.1.0.0/24", rangeStart: "10.1.0.10", rangeEnd: "10.1.0.12", gateway: "10.1.0.11" },
      { subnet: "10.2.0.0/30" },
    ], 0);
    const walk = (last?: string) => [...candidates(set, last ? parseAddr(last) : undefined)].map((c) => formatAddr(c.addr));
    expect(walk()).toEqual(["10.1.0.10", "10.1.0.12", "10.2.0.2"]);
    expect(walk("10.1.0.12")).toEqual(["10.2.0.2", "10.1.0.10", "10.1.0.12"]);
    // a last reserved address outside the set starts from the beginning
    expect(walk("192.0.2.1")).toEqual(["10.1.0.10", "10.1.0.12", "10.2.0.2"]);
  });

  it("dual stack: one address from each range set; IPv6 files named as Go prints addresses", async () => {
    const d = dataDir();
    const cfg = conf({ ranges: [[{ subnet: "10.3.0.0/24" }], [{ subnet: "fd00:0:0:1::/64", rangeStart: "fd00:0:0:1::a" }]], dataDir: d });
    const r = await hostLocal.allocate(att("c1"), cfg);
    expect(r.ips).toEqual([{ address: "10.3.0.2/24", gateway: "10.3.0.1" }, { address: "fd00:0:0:1::a/64", gateway: "fd00:0:0:1::1" }]);
    expect(Object.keys(files(d))).toEqual(["10.3.0.2", "fd00:0:0:1::a", "last_reserved_ip.0", "last_reserved_ip.1", "lock"]);
    expect(await hostLocal.release(att("c1"), cfg)).toEqual(["10.3.0.2", "fd00:0:0:1::a"]);
  });

  it("a second ADD of the same attachment is refused; another interface of the container is not", async () => {
    const d = dataDir();
    const cfg = conf({ subnet: "10.4.0.0/24", dataDir: d });
    await hostLocal.allocate(att("c1"), cfg);
    expect(await code(hostLocal.allocate(att("c1"), cfg))).toEqual({ code: 999, msg: "failed to allocate for range 0: 10.4.0.2 has been allocated to c1, duplicate allocation is not allowed" });
    expect(addrs(await hostLocal.allocate(att("c1", "eth1"), cfg))).toEqual(["10.4.0.3/24"]);
  });

  it("a range set exhausted after another succeeded releases what was taken", async () => {
    const d = dataDir();
    const cfg = conf({ ranges: [[{ subnet: "10.5.0.0/24" }], [{ subnet: "10.6.0.0/30" }]], dataDir: d });
    await hostLocal.allocate(att("a"), cfg);
    expect((await code(hostLocal.allocate(att("b"), cfg))).msg).toBe("failed to allocate for range 1: no IP addresses available in range set: 10.6.0.1-10.6.0.2");
    expect(Object.keys(files(d)).filter((f) => f.startsWith("10."))).toEqual(["10.5.0.2", "10.6.0.2"]);
  });

  it("requested addresses (CNI_ARGS IP, args.cni.ips, runtimeConfig.ips) are given or refused", async () => {
    const d = dataDir();
    const ipam = { subnet: "10.7.0.0/24", dataDir: d };
    const r = await hostLocal.allocate(att("a"), parseHostLocalConfig({ ipam, runtimeConfig: { ips: ["10.7.0.50/24"] } }));
    expect(addrs(r)).toEqual(["10.7.0.50/24"]);
    expect((await code(hostLocal.allocate(att("b"), parseHostLocalConfig({ ipam }, new Map([["IP", "10.7.0.50"]]))))).msg).toBe("failed to allocate for range 0: requested IP address 10.7.0.50 is not available in range set 10.7.0.1-10.7.0.254");
    expect((await code(hostLocal.allocate(att("c"), parseHostLocalConfig({ ipam, args: { cni: { ips: ["10.7.0.1"] } } })))).msg).toBe("failed to allocate for range 0: requested ip 10.7.0.1 is subnet's gateway");
    expect((await code(hostLocal.allocate(att("d"), parseHostLocalConfig({ ipam, runtimeConfig: { ips: ["192.0.2.9"] } })))).msg).toBe("failed to allocate all requested IPs: 192.0.2.9");
    expect(Object.keys(files(d)).filter((f) => f.startsWith("10."))).toEqual(["10.7.0.50"]);
  });

  it("reads files the reference wrote before interface names were recorded (ID only) as the container's", async () => {
    const d = dataDir();
    const cfg = conf({ subnet: "10.8.0.0/24", dataDir: d });
    fs.mkdirSync(path.join(d, "net1"), { recursive: true });
    fs.writeFileSync(path.join(d, "net1", "10.8.0.9"), "old\n");
    expect(hostLocal.check(att("old"), cfg)).toEqual(["10.8.0.9"]);
    expect(await hostLocal.release(att("old"), cfg)).toEqual(["10.8.0.9"]);
    expect((await code(() => hostLocal.check(att("old"), cfg))).msg).toBe("host-local: Failed to find address added by container old");
  });

  it("GC releases the reservations of attachments not listed; STATUS is code 50 only when a range set is full", async () => {
    const d = dataDir();
    const cfg = conf({ subnet: "10.10.0.0/29", dataDir: d });
    for (const id of ["a", "b", "c"]) await hostLocal.allocate(att(id), cfg);
    expect(await hostLocal.gc("net1", cfg, [{ containerID: "b", ifname: "eth0" }, { containerID: "a", ifname: "eth9" }])).toEqual(["10.10.0.2", "10.10.0.4"]);
    expect(hostLocal.check(att("b"), cfg)).toEqual(["10.10.0.3"]);
    expect(() => hostLocal.status("net1", cfg)).not.toThrow();
    for (const id of ["d", "e", "f", "g"]) await hostLocal.allocate(att(id), cfg);
    expect(await code(() => hostLocal.status("net1", cfg))).toEqual({ code: 50, msg: "no IP addresses available in range set 0: 10.10.0.1-10.10.0.6" });
  });

  it("waits for the data directory's lock and gives up with code 11 (try again later) after the timeout", async () => {
    const d = dataDir();
    const cfg = conf({ subnet: "10.11.0.0/24", dataDir: d });
    await hostLocal.allocate(att("a"), cfg);
    const fd = fs.openSync(path.join(d, "net1", "lock"), "r");
    try {
      flock(fd, LOCK_EX | LOCK_NB);
      expect((await code(hostLocal.allocate(att("b"), cfg, { lockTimeoutMs: 50 }))).code).toBe(11);
      expect(Object.keys(files(d)).filter((f) => f.startsWith("10."))).toEqual(["10.11.0.2"]);
    } finally {
      fs.closeSync(fd);
    }
    expect(addrs(await hostLocal.allocate(att("b"), cfg, { lockTimeoutMs: 50 }))).toEqual(["10.11.0.3/24"]);
  });

  it("refuses configurations the reference refuses, with code 7 and its words", async () => {
    for (const [ipam, msg] of [
      [{}, "no IP ranges specified"],
      [{ subnet: "10.0.0.1/24" }, "invalid range set 0: Network has host bits set. For a subnet mask of length 24 the network address is 10.0.0.0"],
      [{ subnet: "10.0.0.0/31" }, "invalid range set 0: Network 10.0.0.0/31 too small to allocate from"],
      [{ subnet: "10.0.0.0/24", rangeStart: "10.0.1.5" }, "invalid range set 0: RangeStart 10.0.1.5 not in network 10.0.0.0/24"],
      [{ ranges: [[{ subnet: "10.0.0.0/24" }, { subnet: "fd00::/64" }]] }, "invalid range set 0: mixed address families"],
      [{ ranges: [[{ subnet: "10.0.0.0/24" }], [{ subnet: "10.0.0.0/25" }]] }, "range set 0 overlaps with 1"],
      [{ subnet: "bogus" }, "invalid range set 0: subnet \"bogus\" is not a CIDR"],
      [{ subnet: "10.0.0.0/24", routes: [{ dst: "x" }] }, "ipam.routes[0].dst \"x\" is not a CIDR"],
    ] as const) {
      expect(await code(() => conf(ipam as Record<string, unknown>))).toEqual({ code: 7, msg });
    }
    expect(await code(() => parseHostLocalConfig({}))).toEqual({ code: 7, msg: "IPAM config missing 'ipam' key" });
  });

  it("reads resolvConf as the reference does", () => {
    expect(parseResolvConf("# c\nnameserver 10.0.0.1\nnameserver 10.0.0.2\n; x\ndomain example.test\nsearch a.test b.test\noptions ndots:5 rotate\nbogus\n")).toEqual({
      nameservers: ["10.0.0.1", "10.0.0.2"], domain: "example.test", search: ["a.test", "b.test"], options: ["ndots:5", "rotate"],
    });
  });
});
