import * as fs from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ping } from "../../src/probe/ping.js";
import { UdpSourceReporter, udpAsk } from "../../src/probe/udp.js";
import { socketIn } from "../../src/probe/netns-socket.js";
import { waitReadable } from "../../src/probe/wait.js";
import * as sys from "../../src/syscalls/index.js";
import { describeLive, ip, TestNamespaces } from "../helpers/live.js";

describeLive("reachability probes without ping or nc (live)", () => {
  const ns = new TestNamespaces("probe");
  let a = "", b = "";
  beforeAll(() => {
    a = ns.create("a");
    b = ns.create("b");
    ip(["link", "add", "pa", "type", "veth", "peer", "name", "pb", "netns", b], a);
    ip(["addr", "add", "10.9.0.1/24", "dev", "pa"], a);
    ip(["addr", "add", "fd09::1/64", "dev", "pa", "nodad"], a);
    ip(["link", "set", "pa", "up"], a);
    ip(["addr", "add", "10.9.0.2/24", "dev", "pb"], b);
    ip(["addr", "add", "fd09::2/64", "dev", "pb", "nodad"], b);
    ip(["link", "set", "pb", "up"], b);
  });
  afterAll(() => ns.cleanup());

  it("pings across a veth pair in both directions, v4 and v6, with round-trip times", async () => {
    const r = await ping("10.9.0.2", { netns: a, count: 3, timeoutMs: 2000 });
    expect(r).toMatchObject({ sent: 3, received: 3 });
    expect(r.rtts).toHaveLength(3);
    expect(r.min!).toBeGreaterThan(0);
    expect((await ping("10.9.0.1", { netns: b })).received).toBe(1);
    expect((await ping("fd09::2", { netns: a, timeoutMs: 2000 })).received).toBe(1);
  });

  it("reports loss for an address nobody has, and refuses bad input", async () => {
    const r = await ping("10.9.0.77", { netns: a, timeoutMs: 300 });
    expect(r).toMatchObject({ sent: 1, received: 0 });
    expect(r.avg).toBeUndefined();
    const unroutable = await ping("192.0.2.1", { netns: a, timeoutMs: 300 });
    expect(unroutable.received).toBe(0);
    await expect(ping("10.9.0.300")).rejects.toMatchObject({ code: "EINVAL" });
    await expect(ping("10.9.0.2", { netns: "nlkit-test-no-such-ns" })).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("a UDP responder reports the source address it saw", async () => {
    const server = new UdpSourceReporter({ netns: b, address: "10.9.0.2", port: 7007 });
    try {
      const r = await udpAsk({ netns: a, to: "10.9.0.2", port: 7007, timeoutMs: 2000 });
      expect(r?.reply).toMatch(/^seen 10\.9\.0\.1:\d+$/);
      expect(server.seen).toHaveLength(1);
      expect(await udpAsk({ netns: a, to: "10.9.0.2", port: 7008, timeoutMs: 300 })).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it("an abort ends a ping or a UDP ask in its wait at once, its socket closed", async () => {
    const fds = () => fs.readdirSync("/proc/self/fd").length;
    const before = fds();
    // nobody answers and the timeouts outlast the test: only the abort can end these waits
    const stopPing = new AbortController();
    const pinging = ping("10.9.0.77", { netns: a, count: 5, timeoutMs: 600_000, signal: stopPing.signal });
    stopPing.abort();
    await expect(pinging).rejects.toMatchObject({ name: "AbortError" });
    const stopAsk = new AbortController();
    const asking = udpAsk({ netns: a, to: "10.9.0.77", port: 7007, timeoutMs: 600_000, signal: stopAsk.signal });
    stopAsk.abort(new Error("stopped by the test"));
    await expect(asking).rejects.toThrow("stopped by the test");
    expect(fds()).toBe(before);
    // an already aborted signal sends nothing
    await expect(ping("10.9.0.2", { netns: a, signal: AbortSignal.abort() })).rejects.toMatchObject({ name: "AbortError" });
  });

  it("a datagram already queued is never a timeout, however late the timer runs", async () => {
    // timeout 0: the timer comes due before the poll loop's wake-up is delivered, as both do on a
    // starved event loop; the reply is there all the same
    const rx = socketIn(a, sys.AF_INET, sys.SOCK_DGRAM, 0);
    const tx = socketIn(a, sys.AF_INET, sys.SOCK_DGRAM, 0);
    try {
      sys.bind(rx, sys.sockaddrIn("127.0.0.1", 7101));
      sys.sendto(tx, Buffer.from("x"), 0, sys.sockaddrIn("127.0.0.1", 7101));
      for (let i = 0; i < 20; i++) expect(await waitReadable(rx, 0)).toBe("readable");
    } finally {
      sys.close(rx);
      sys.close(tx);
    }
  });
});
