import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { NlkitInputError } from "../../src/netlink/errors.js";
import { NlWriter } from "../../src/netlink/writer.js";
import { encodeAttrs, decodeAttrs } from "../../src/netlink/attrs.js";
import { encodeStruct } from "../../src/netlink/struct.js";
import { netns, sysctl } from "../../src/netns/index.js";
import { netnsaAttrs } from "../../src/netns/nsid.js";
import { rtgenmsg } from "../../src/rtnl/headers.js";

// Names no test creates: refusals must happen before /run/netns is touched at all.
const bad: [string, string][] = [
  ["", "empty"],
  ["a/b", "slash"],
  ["..", "dot-dot"],
  [".", "dot"],
  ["x".repeat(256), "too long"],
  ["a\0b", "NUL"],
];

describe("namespace names", () => {
  for (const [name, why] of bad) {
    it(`refuses ${why} before touching the filesystem`, async () => {
      for (const call of [() => netns.add(name), () => netns.del(name), () => netns.exists(name), () => netns.attach(name, 1)]) {
        await expect(call()).rejects.toBeInstanceOf(NlkitInputError);
      }
      expect(() => netns.resolve(name)).toThrow(NlkitInputError);
    });
  }

  it("accepts the longest valid name without touching anything in resolve", () => {
    expect(netns.resolve("x".repeat(255))).toEqual({ path: `/run/netns/${"x".repeat(255)}` });
  });

  it("resolves names, absolute paths, pids and fds like Rtnl.open does", () => {
    expect(netns.resolve("blue")).toEqual({ path: "/run/netns/blue" });
    expect(netns.resolve("/proc/1/ns/net")).toEqual({ path: "/proc/1/ns/net" });
    expect(netns.resolve({ netns: "blue" })).toEqual({ path: "/run/netns/blue" });
    expect(netns.resolve({ netnsPid: 42 })).toEqual({ path: "/proc/42/ns/net" });
    expect(netns.resolve({ netnsFd: 7 })).toEqual({ fd: 7 });
    expect(() => netns.resolve({ netnsPid: 0 })).toThrow(NlkitInputError);
    expect(() => netns.resolve({ netnsFd: -1 })).toThrow(NlkitInputError);
    expect(() => netns.resolve({ netns: "a", netnsPid: 1 })).toThrow(/only one/);
    expect(() => netns.resolve({})).toThrow(/no namespace/);
  });
});

describe("sysctl key to /proc/sys path (sysctl(8)'s first-separator rule)", () => {
  const cases: [string, string][] = [
    ["net.ipv4.ip_forward", "/proc/sys/net/ipv4/ip_forward"],
    ["net/ipv4/ip_forward", "/proc/sys/net/ipv4/ip_forward"],
    // a slash in dotted form is a dot inside a component (an interface named veth1.2)
    ["net.ipv4.conf.veth1/2.forwarding", "/proc/sys/net/ipv4/conf/veth1.2/forwarding"],
    // in slash form dots are kept
    ["net/ipv4/conf/veth1.2/forwarding", "/proc/sys/net/ipv4/conf/veth1.2/forwarding"],
    // what procps-ng 4.0.2 stats for mixed keys (checked with strace)
    ["net.ipv4/conf.x", "/proc/sys/net/ipv4.conf/x"],
    ["net/ipv4.conf/x", "/proc/sys/net/ipv4.conf/x"],
    ["kernel", "/proc/sys/kernel"],
  ];
  for (const [key, path] of cases) {
    it(`${key} -> ${path}`, () => expect(sysctl.path(key)).toBe(path));
  }

  for (const key of ["", "net..ipv4", "net.ipv4.", ".net", "/proc/sys/net", "net/../../etc/passwd", "net.ipv4/../x", "a\0b"]) {
    it(`refuses ${JSON.stringify(key)}`, async () => {
      expect(() => sysctl.path(key)).toThrow(NlkitInputError);
      await expect(sysctl.get(key)).rejects.toBeInstanceOf(NlkitInputError);
    });
  }
});

describe("runSync and exec input checks", () => {
  it("refuses an async callback before opening or entering any namespace", () => {
    let ran = false;
    // the namespace does not exist: an ENOENT here would mean it tried to open it first
    expect(() => netns.runSync("nlkit-unit-no-such-ns", async () => { ran = true; })).toThrow(NlkitInputError);
    expect(() => netns.runSync("nlkit-unit-no-such-ns", async () => { ran = true; })).toThrow(/async/);
    expect(ran).toBe(false);
  });

  it("refuses a shell and non-argv arguments", async () => {
    expect(() => netns.spawn("x", "ls", [], { shell: true })).toThrow(/never runs a shell/);
    await expect(netns.exec("x", "", [])).rejects.toBeInstanceOf(NlkitInputError);
    await expect(netns.exec("x", "ls", ["a\0b"])).rejects.toBeInstanceOf(NlkitInputError);
    await expect(netns.exec("x", "ls", "-l" as unknown as string[])).rejects.toBeInstanceOf(NlkitInputError);
  });

  it("setId of a missing namespace closes the socket it opened", async () => {
    const fds = () => fs.readdirSync("/proc/self/fd").length;
    const before = fds();
    for (let i = 0; i < 5; i++) await expect(netns.setId("nlkit-unit-no-such-ns", 5)).rejects.toMatchObject({ code: "ENOENT" });
    expect(fds()).toBe(before);
  });

  it("refuses bad nsids before sending", async () => {
    for (const id of [-2, 1.5, 2 ** 31, Number.NaN]) await expect(netns.setId("x", id)).rejects.toBeInstanceOf(NlkitInputError);
  });
});

describe("NETNSA_* table", () => {
  it("matches linux/net_namespace.h", () => {
    const h = fs.readFileSync("/usr/include/linux/net_namespace.h", "utf8");
    const body = /enum\s*{([^}]*)}/.exec(h)![1]!;
    const names = body.split("\n").map((l) => l.trim().replace(/,$/, "")).filter((l) => /^NETNSA_\w+$/.test(l));
    const numbers = new Map(names.map((n, i) => [n, i]));
    expect(numbers.get("NETNSA_NONE")).toBe(0);
    for (const d of netnsaAttrs.defs()) expect([d.uapi, d.type]).toEqual([d.uapi, numbers.get(d.uapi)]);
    expect(netnsaAttrs.defs().length).toBe(names.filter((n) => n !== "NETNSA_NONE" && !n.startsWith("__")).length);
  });

  it("encodes an RTM_NEWNSID payload byte for byte and decodes it back", () => {
    const w = new NlWriter(64);
    encodeStruct(w, rtgenmsg, { family: 0 });
    encodeAttrs(w, netnsaAttrs, { fd: 7, nsid: 5 });
    const bytes = w.take();
    expect(bytes.toString("hex")).toBe(
      "00000000" + // rtgenmsg: family AF_UNSPEC, padded to 4
        "0800" + "0300" + "07000000" + // NETNSA_FD 7
        "0800" + "0100" + "05000000", // NETNSA_NSID 5
    );
    const attrs = decodeAttrs(bytes, 4, bytes.length, netnsaAttrs);
    expect(attrs).toMatchObject({ fd: 7, nsid: 5 });
    const minus = new NlWriter(16);
    encodeAttrs(minus, netnsaAttrs, { nsid: -1 });
    const m = minus.take();
    expect(m.toString("hex")).toBe("08000100ffffffff");
    expect(decodeAttrs(m, 0, m.length, netnsaAttrs).nsid).toBe(-1);
  });
});
