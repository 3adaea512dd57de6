import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { attrSet } from "../../src/netlink/attrs.js";
import { NETLINK_ROUTE } from "../../src/netlink/constants.js";
import { DumpInterruptedError, NetlinkError } from "../../src/netlink/errors.js";
import { decodeMessage, type MessageDef } from "../../src/netlink/message.js";
import { MonitorOverrun, NetlinkMonitor } from "../../src/netlink/monitor.js";
import { NetlinkSocket, retainingDecoder, type Request } from "../../src/netlink/socket.js";
import { KernelTransport } from "../../src/netlink/transport.js";
import { NlWriter } from "../../src/netlink/writer.js";
import { encodeStruct } from "../../src/netlink/struct.js";
import * as sys from "../../src/syscalls/index.js";
import { currentNetnsInode } from "../../src/syscalls/index.js";
import { ifinfomsg } from "../../src/rtnl/headers.js";
import { RTM_NAMES } from "../../src/rtnl/types.js";
import { describeLive, ip, TestNamespaces } from "../helpers/live.js";

// A deliberately tiny link table: the engine is tested here, not the rtnetlink family.
const infoSet = attrSet("linkinfo", "IFLA_INFO_", { kind: [1, "string"] });
const linkSet = attrSet("link", "IFLA_", { ifname: [3, "string"], mtu: [4, "u32"], linkinfo: [18, "nest", { set: infoSet }] });
const linkDef: MessageDef = { name: "link", header: ifinfomsg, attrs: linkSet, typeNames: RTM_NAMES };

const getLinks: Request = { type: 18, def: linkDef, encode: (w) => encodeStruct(w, ifinfomsg, {}) };
const decodeName = (buf: Buffer, start: number, len: number) =>
  decodeMessage<Record<string, unknown>, { ifname: string }>(buf, start, len, linkDef).attrs.ifname;

function newLink(name: string, kind: string, extraFlags = 0x600): Request {
  return {
    type: 16, flags: 0x400 | extraFlags, def: linkDef,
    encode: (w) => {
      encodeStruct(w, ifinfomsg, {});
      w.attrString(3, name);
      const li = w.beginNest(18);
      w.attrString(1, kind);
      w.endNest(li);
    },
  };
}

const nsfds = () => fs.readdirSync("/proc/self/fd").length;

describeLive("netlink socket engine (live)", () => {
  const ns = new TestNamespaces("sock");
  let a = "", big = "";
  let sock: NetlinkSocket;

  beforeAll(() => {
    a = ns.create("a");
    big = ns.create("big");
    const cmds = Array.from({ length: 1000 }, (_, i) => `link add va${i} type veth peer name vb${i}`).join("\n");
    execFileSync("ip", ["-n", big, "-batch", "-"], { input: cmds });
    sock = NetlinkSocket.open({ protocol: NETLINK_ROUTE, netnsPath: `/run/netns/${a}` });
  });
  afterAll(() => {
    sock?.close();
    ns.cleanup();
  });

  it("a socket made inside a namespace sees that namespace, while the process stays home", async () => {
    const home = currentNetnsInode();
    ip(["link", "add", "s0", "type", "veth", "peer", "name", "s1"], a);
    expect((await sock.dump(getLinks, decodeName)).sort()).toEqual(["lo", "s0", "s1"]);
    expect(currentNetnsInode()).toBe(home);
    expect(sock.portId).toBeGreaterThan(0);
  });

  it("errors carry errno, code, the kernel's extack text and the request type", async () => {
    const dup = await sock.request(newLink("lo", "veth")).catch((e) => e);
    expect(dup).toBeInstanceOf(NetlinkError);
    expect(dup).toMatchObject({ errno: 17, code: "EEXIST", request: { type: 16, typeName: "RTM_NEWLINK" } });
    const unknown = await sock.request(newLink("x0", "dummy")).catch((e) => e);
    expect(unknown).toMatchObject({ code: "EOPNOTSUPP", extack: { message: "Unknown device type" } });
    expect(String(unknown.message)).toContain("Error: Unknown device type");
    expect(unknown.request.bytes.length).toBeGreaterThan(32);
  });

  it("names the attribute the kernel's extack offset points at", async () => {
    // an interface name longer than IFNAMSIZ is refused by the policy with an offset
    const err = await sock.request({
      type: 16, flags: 0x600, def: linkDef,
      encode: (w) => { encodeStruct(w, ifinfomsg, {}); w.attrString(3, "x".repeat(20)); },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.extack.offset).toBe(32);
    expect(err.extack.attribute).toBe("IFLA_IFNAME");
  });

  it("dumps 2001 links, many messages per datagram over many datagrams", async () => {
    const big1 = NetlinkSocket.open({ protocol: NETLINK_ROUTE, netnsPath: `/run/netns/${big}` });
    try {
      const names = await big1.dump(getLinks, decodeName);
      expect(names).toHaveLength(2001);
      expect(new Set(names).size).toBe(2001);
      let n = 0;
      for await (const _ of big1.dumpIter(getLinks, decodeName)) n++;
      expect(n).toBe(2001);
    } finally {
      big1.close();
    }
  });

  it("a dump whose reply outgrows the receive buffer is retried with a larger buffer, transparently", async () => {
    const big1 = NetlinkSocket.open({ protocol: NETLINK_ROUTE, netnsPath: `/run/netns/${big}` });
    try {
      // white-box: a small receive buffer instead of 64 KiB
      const inner = big1 as unknown as { recvBuf: Buffer; recvLimit: number };
      inner.recvBuf = Buffer.alloc(1004);
      inner.recvLimit = 1001;
      const names = await big1.dump(getLinks, decodeName);
      expect(big1.receiveBuffer.length).toBeGreaterThan(1004);
      expect(names).toHaveLength(2001);
      expect(new Set(names).size).toBe(2001);
    } finally {
      big1.close();
    }
  });

  it("a change whose answer is lost to a too small buffer is a typed ENOBUFS, not retried", async () => {
    const s = NetlinkSocket.open({ protocol: NETLINK_ROUTE, netnsPath: `/run/netns/${big}` });
    try {
      const inner = s as unknown as { recvBuf: Buffer; recvLimit: number };
      inner.recvBuf = Buffer.alloc(24);
      inner.recvLimit = 21;
      // an RTM_NEWLINK setting nothing on lo: its ack (36 bytes) does not fit in 21
      const err = await s.request({ type: 16, encode: (w) => { encodeStruct(w, ifinfomsg, { index: 1 }); } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetlinkError);
      expect((err as NetlinkError).code).toBe("ENOBUFS");
      expect((err as NetlinkError).message).toMatch(/retry/);
    } finally {
      s.close();
    }
  });

  it("a retaining decoder gets one private copy per datagram, which later requests leave intact", async () => {
    const big1 = NetlinkSocket.open({ protocol: NETLINK_ROUTE, netnsPath: `/run/netns/${big}` });
    try {
      const seen: Array<{ buf: Buffer; start: number; len: number }> = [];
      await big1.dump(getLinks, retainingDecoder((buf, start, len) => { seen.push({ buf, start, len }); }));
      expect(seen).toHaveLength(2001);
      const copies = new Set(seen.map((s) => s.buf));
      // many links per datagram share one copy; there are many datagrams, none is the receive buffer
      expect(copies.size).toBeGreaterThan(10);
      expect(copies.size).toBeLessThan(1000);
      expect(copies.has(big1.receiveBuffer)).toBe(false);
      const before = seen.map((s) => decodeName(s.buf, s.start, s.len));
      await big1.dump(getLinks, decodeName); // reuses the receive buffer
      expect(seen.map((s) => decodeName(s.buf, s.start, s.len))).toEqual(before);
      expect(new Set(before).size).toBe(2001);
      // a plain decoder still reads the receive buffer itself
      const plain: Buffer[] = [];
      await big1.request({ ...getLinks, type: 18, reply: true, encode: (w) => { encodeStruct(w, ifinfomsg, { index: 1 }); } },
        (buf) => { plain.push(buf); });
      expect(plain[0]).toBe(big1.receiveBuffer);
    } finally {
      big1.close();
    }
  });

  it("surfaces NLM_F_DUMP_INTR as a typed error when the data changes mid-dump", async () => {
    const s = NetlinkSocket.open({ protocol: NETLINK_ROUTE, netnsPath: `/run/netns/${big}` });
    try {
      let seen = 0;
      const run = async () => {
        for await (const _ of s.dumpIter(getLinks, decodeName)) {
          if (seen++ === 0) ip(["link", "add", "intr0", "type", "veth", "peer", "name", "intr1"], big);
        }
      };
      await expect(run()).rejects.toBeInstanceOf(DumpInterruptedError);
      // the same socket is usable afterwards, and stale datagrams are not mistaken for replies
      expect(await s.dump(getLinks, decodeName)).toHaveLength(2003);
    } finally {
      s.close();
      ip(["link", "del", "intr0"], big);
    }
  });

  it("drops the rest of an abandoned dump instead of mixing it into the next request", async () => {
    const s = NetlinkSocket.open({ protocol: NETLINK_ROUTE, netnsPath: `/run/netns/${big}` });
    try {
      for await (const _ of s.dumpIter(getLinks, decodeName)) break;
      const lo = await s.request({ type: 18, reply: true, encode: (w) => encodeStruct(w, ifinfomsg, { index: 1 }) }, decodeName);
      expect(lo).toEqual(["lo"]);
    } finally {
      s.close();
    }
  });

  it("batches: one sendto per chunk, and each failure names exactly its request", async () => {
    const b = sock.batch();
    const results = Array.from({ length: 300 }, (_, i) => b.add(newLink(i === 137 ? "lo" : `bt${i}`, "veth")));
    const outcome = await b.send();
    expect(outcome.ok).toBe(299);
    expect(outcome.errors).toHaveLength(1);
    expect(outcome.errors[0]).toMatchObject({ code: "EEXIST", request: { index: 137, typeName: "RTM_NEWLINK" } });
    expect(outcome.sends).toBeLessThanOrEqual(3);
    await expect(results[137]).rejects.toMatchObject({ code: "EEXIST" });
    await expect(results[0]).resolves.toEqual([]);
    const names = new Set(await sock.dump(getLinks, decodeName));
    expect(names.has("bt0") && names.has("bt299") && names.has("bt136") && !names.has("bt137")).toBe(true);
    const del = sock.batch();
    for (let i = 0; i < 300; i++) if (i !== 137) del.add({ type: 17, def: linkDef, encode: (w) => { encodeStruct(w, ifinfomsg, {}); w.attrString(3, `bt${i}`); } });
    expect((await del.send()).errors).toEqual([]);
  });

  it("batches whose seqs have gaps (requests made while building) still name each failure", async () => {
    const b = sock.batch();
    const results: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      // a request on the same socket takes a seq between two queued ones, as a device lookup by name does
      if (i % 3 === 0) await sock.request({ type: 18, reply: true, encode: (w) => encodeStruct(w, ifinfomsg, { index: 1 }) }, () => 0);
      results.push(b.add(newLink(i === 13 || i === 19 ? "lo" : `gap${i}`, "veth")));
    }
    const outcome = await b.send();
    expect(outcome.ok).toBe(18);
    expect(outcome.errors.map((e) => [e.code, e.request?.index])).toEqual([["EEXIST", 13], ["EEXIST", 19]]);
    await expect(results[13]).rejects.toMatchObject({ code: "EEXIST" });
    await expect(results[14]).resolves.toEqual([]);
    const del = sock.batch();
    for (let i = 0; i < 20; i++) if (i !== 13 && i !== 19) del.add({ type: 17, def: linkDef, encode: (w) => { encodeStruct(w, ifinfomsg, {}); w.attrString(3, `gap${i}`); } });
    expect((await del.send()).errors).toEqual([]);
  });

  it("accepts unicast only from the kernel: another process's port is refused", async () => {
    const other = NetlinkSocket.open({ protocol: NETLINK_ROUTE });
    const raw = sys.socket(sys.AF_NETLINK, sys.SOCK_RAW, NETLINK_ROUTE);
    try {
      sys.bind(raw, sys.sockaddrNl(0, 0));
      const fake = Buffer.alloc(20);
      fake.writeUInt32LE(20, 0);
      fake.writeUInt16LE(2, 4); // an NLMSG_ERROR "ack" for whatever seq comes next
      expect(() => sys.sendto(raw, fake, 0, sys.sockaddrNl(other.portId, 0))).toThrow(/ECONNREFUSED/);
      expect(await other.request({ type: 18, reply: true, encode: (w) => encodeStruct(w, ifinfomsg, { index: 1 }) }, decodeName)).toEqual(["lo"]);
    } finally {
      sys.close(raw);
      other.close();
    }
  });

  it("leaks no fd over 10k requests and 1k sockets", async () => {
    const before = nsfds();
    for (let i = 0; i < 10_000; i++) await sock.request({ type: 18, reply: true, encode: (w) => encodeStruct(w, ifinfomsg, { index: 1 }) }, () => 0);
    for (let i = 0; i < 1000; i++) NetlinkSocket.open({ protocol: NETLINK_ROUTE }).close();
    expect(nsfds()).toBe(before);
  });

  it("monitors multicast groups and reports overruns", async () => {
    const mon = NetlinkMonitor.open({ protocol: NETLINK_ROUTE, netnsPath: `/run/netns/${a}`, groups: [1] }, decodeName);
    try {
      ip(["link", "add", "m0", "type", "veth", "peer", "name", "m1"], a);
      const seen = new Set<unknown>();
      while (!seen.has("m0")) seen.add(await mon.next());
    } finally {
      await mon.close();
    }
    const small = NetlinkMonitor.open({ protocol: NETLINK_ROUTE, netnsPath: `/run/netns/${a}`, groups: [1], receiveBufferSize: 4096 }, decodeName);
    try {
      // many events while nobody reads: the kernel drops some and says so
      execFileSync("ip", ["-n", a, "-batch", "-"], { input: Array.from({ length: 50 }, (_, i) => `link add o${i} type veth peer name p${i}`).join("\n") });
      let overrun = false;
      for (let i = 0; i < 400 && !overrun; i++) {
        const ev = await Promise.race([small.next(), new Promise((r) => setTimeout(() => r("timeout"), 2000))]);
        if (ev instanceof MonitorOverrun) overrun = true;
        if (ev === "timeout") break;
      }
      expect(overrun).toBe(true);
    } finally {
      await small.close();
    }
  });
});

describeLive("multicast forged by user space (live)", () => {
  const ns = new TestNamespaces("mcast");
  afterAll(() => ns.cleanup());

  it("is dropped while a group is joined, even after leaving a group never joined", () => {
    const a = ns.create("a");
    const listener = new KernelTransport({ protocol: NETLINK_ROUTE, netnsPath: `/run/netns/${a}`, groups: [1] });
    const forger = new KernelTransport({ protocol: NETLINK_ROUTE, netnsPath: `/run/netns/${a}` });
    try {
      listener.leaveGroup(2);   // never joined: the kernel keeps group 1's membership
      const w = new NlWriter(64);
      const at = w.beginMessage(16, 0, 1, 0);
      encodeStruct(w, ifinfomsg, {});
      w.attrString(3, "forged");
      w.endMessage(at);
      // sockaddr_nl { AF_NETLINK, pid 0, groups: RTNLGRP_LINK's bit }
      const to = Buffer.alloc(12);
      to.writeUInt16LE(16, 0);
      to.writeUInt32LE(1, 8);
      sys.sendto(forger.fd, w.take(), 0, to);
      ip(["link", "add", "real0", "type", "veth", "peer", "name", "real1"], a);
      const buf = Buffer.alloc(65536);
      const names: string[] = [];
      while (!names.includes("real0") && listener.waitSync(2000)) {
        const n = listener.receive(buf, buf.length);
        if (n > 0) names.push(decodeName(buf, 0, n));
      }
      expect(names).toContain("real0");
      expect(names).not.toContain("forged");
    } finally {
      listener.close();
      forger.close();
    }
  });
});

describeLive("opening a socket in a namespace that does not exist (live)", () => {
  it("is a typed ENOENT error naming the namespace", () => {
    expect(() => NetlinkSocket.open({ protocol: NETLINK_ROUTE, netnsPath: "/run/netns/nlkit-test-no-such-ns" }))
      .toThrow(expect.objectContaining({ code: "ENOENT", name: "NlkitInputError", message: 'Cannot open network namespace "/run/netns/nlkit-test-no-such-ns": No such file or directory' }));
  });
});
