import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { netns, sysctl, SysctlError } from "../../src/netns/index.js";
import { describeLive, ip, TestNamespaces } from "../helpers/live.js";

const ns = new TestNamespaces("nns-sysctl");
afterAll(() => ns.cleanup());

/** The sysctl binary inside the namespace: an independent oracle. */
function oracle(name: string, key: string): string {
  return execFileSync("ip", ["netns", "exec", name, "sysctl", "-n", key], { encoding: "utf8" }).trim();
}

const rootValue = (path: string) => fs.readFileSync(path, "utf8").trim();

describeLive("sysctl per namespace", () => {
  const home = netns.current();
  let a = "";
  let b = "";
  // read before anything runs: the root namespace's values must never change
  const rootForward = rootValue("/proc/sys/net/ipv4/ip_forward");
  const rootV6Forward = rootValue("/proc/sys/net/ipv6/conf/all/forwarding");

  beforeAll(() => {
    a = ns.create("a");
    b = ns.create("b");
    ip(["link", "add", "v.1", "type", "veth", "peer", "name", "v.2"], a);
  });

  afterAll(() => {
    expect(rootValue("/proc/sys/net/ipv4/ip_forward")).toBe(rootForward);
    expect(rootValue("/proc/sys/net/ipv6/conf/all/forwarding")).toBe(rootV6Forward);
    expect(netns.current()).toBe(home);
  });

  it("reads a namespace's value the way sysctl(8) inside it does", async () => {
    expect(await sysctl.get("net.ipv4.ip_forward", { netns: a })).toBe(oracle(a, "net.ipv4.ip_forward"));
    // a multi-field value, trimmed but kept whole
    expect(await sysctl.get("net.ipv4.ping_group_range", { netns: a })).toBe(oracle(a, "net.ipv4.ping_group_range"));
  });

  it("set changes one namespace, not another and not the root", async () => {
    const flip = (await sysctl.get("net.ipv4.ip_forward", { netns: a })) === "1" ? "0" : "1";
    const bBefore = oracle(b, "net.ipv4.ip_forward");
    await sysctl.set("net.ipv4.ip_forward", flip, { netns: a });
    expect(oracle(a, "net.ipv4.ip_forward")).toBe(flip);
    expect(await sysctl.get("net.ipv4.ip_forward", { netns: a })).toBe(flip);
    expect(oracle(b, "net.ipv4.ip_forward")).toBe(bBefore);
    expect(await sysctl.get("net.ipv4.ip_forward", { netns: b })).toBe(bBefore);
    expect(rootValue("/proc/sys/net/ipv4/ip_forward")).toBe(rootForward);
    expect(netns.current()).toBe(home);
  });

  it("handles dots inside components like sysctl(8): veth named v.1", async () => {
    await sysctl.set("net.ipv6.conf.v/1.forwarding", 1, { netns: a });
    expect(oracle(a, "net/ipv6/conf/v.1/forwarding")).toBe("1");
    expect(oracle(a, "net/ipv6/conf/v.2/forwarding")).toBe("0");
    expect(await sysctl.get("net/ipv6/conf/v.1/forwarding", { netns: a })).toBe("1");
    await sysctl.set("net/ipv6/conf/v.1/forwarding", false, { netns: a });
    expect(oracle(a, "net.ipv6.conf.v/1.forwarding")).toBe("0");
  });

  it("takes any NetnsRef, and without one reads the current namespace", async () => {
    expect(await sysctl.get("net.ipv4.ip_forward", { netnsPath: `/run/netns/${b}` })).toBe(oracle(b, "net.ipv4.ip_forward"));
    expect(await sysctl.get("net.ipv4.ip_forward")).toBe(rootForward);
    // a namespace-only value proves which namespace answered: v.1 exists only in a
    await expect(sysctl.get("net.ipv4.conf.v/1.forwarding")).rejects.toMatchObject({ code: "ENOENT" });
    await expect(sysctl.get("net.ipv4.conf.v/1.forwarding", { netns: b })).rejects.toMatchObject({ code: "ENOENT" });
    expect(await sysctl.get("net.ipv4.conf.v/1.forwarding", { netns: a })).toMatch(/^[01]$/);
  });

  it("reports the kernel's refusal and missing keys as SysctlError", async () => {
    const bad = await sysctl.set("net.ipv4.ip_forward", "not-a-number", { netns: a }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(SysctlError);
    expect(bad).toMatchObject({ code: "EINVAL", syscall: "write", key: "net.ipv4.ip_forward" });
    const missing = await sysctl.get("net.ipv4.no_such_key", { netns: a }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(SysctlError);
    expect(missing).toMatchObject({ code: "ENOENT", path: "/proc/sys/net/ipv4/no_such_key" });
    await expect(sysctl.get("net.ipv4.ip_forward", { netns: ns.name("missing") })).rejects.toMatchObject({ code: "ENOENT", name: "NetnsError" });
    expect(netns.current()).toBe(home);
  });
});
