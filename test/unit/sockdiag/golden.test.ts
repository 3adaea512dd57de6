// sock_diag against what ss sent and received (strace captures, test/fixtures/golden/sockdiag):
// the library's requests are ss's bytes, and `nlkit ss` prints ss's text from ss's replies.
import { describe, expect, it } from "vitest";
import { Cli } from "../../../src/cli/context.js";
import { Args } from "../../../src/cli/grammar.js";
import type { SsEnv } from "../../../src/cli/print/ss.js";
import { run } from "../../../src/cli/ss.js";
import { ScriptedTransport } from "../../../src/netlink/scripted.js";
import { SockDiag, type InetSocket } from "../../../src/sockdiag/verbs.js";
import { goldenScript, sockdiagGolden } from "../../helpers/sockdiag-golden.js";

/** What the capture machine gave ss: /etc/services knows ssh; inside ip netns exec no cgroup2 mount. */
const captureEnv = async (numeric: boolean): Promise<SsEnv> => ({
  numeric,
  service: (port, proto) => (port === 22 && proto === "tcp" ? "ssh" : undefined),
  cgroupPath: (id) => `unreachable:${id.toString(16)}`,
  ifname: (i) => `if${i}`,
});

async function scripted(name: string): Promise<{ sd: SockDiag; t: ScriptedTransport }> {
  const t = new ScriptedTransport(goldenScript(sockdiagGolden(name)));
  return { sd: await SockDiag.open({ transport: t, timeoutMs: 1000 }), t };
}

describe("the library sends ss's requests", () => {
  const cases: Array<[string, (sd: SockDiag) => Promise<unknown>]> = [
    ["tcp-all", (sd) => sd.tcp()],
    ["tcp-listen-sport", (sd) => sd.tcp({ states: ["listening", "closed"], sport: 22 })],
    ["tcp-dst-dport", (sd) => sd.tcp({ dst: "127.0.0.1", dport: 22 })],
    ["tcp-info", (sd) => sd.tcp({ states: ["established"], info: true })],
    ["udp-all", (sd) => sd.udp()],
    ["unix-all", (sd) => sd.unix()],
    ["unix-all-extended", (sd) => sd.unix({ details: true })],
  ];
  it.each(cases)("%s", async (name, call) => {
    const { sd, t } = await scripted(name);
    await call(sd);
    t.assertDone();
    sd.close();
  });

  it("destroy names the socket as ss -K does (its addresses, ports and cookie)", async () => {
    const { sd, t } = await scripted("tcp-kill-dport");
    // ss -t's default states (SS_CONN): connected, but not time-wait or syn-recv
    const states = ["unknown", "established", "syn-sent", "fin-wait-1", "fin-wait-2", "close-wait", "last-ack", "closing"];
    const [victim, ...others] = await sd.tcp({ family: 4, states, dport: 22 });
    expect(others).toEqual([]);
    await sd.destroy(victim!);
    expect(await sd.tcp({ family: 6, states, dport: 22 })).toEqual([]);
    t.assertDone();
  });
});

describe("what the replies decode to", () => {
  it("TCP: listeners, queues on both ends, v4 and v6, JSON-safe", async () => {
    const { sd } = await scripted("tcp-all");
    const socks = await sd.tcp();
    const byPort = (p: number) => socks.filter((s) => s.local.port === p || s.remote.port === p);
    expect(socks).toHaveLength(6);
    expect(byPort(22).map((s) => [s.state, s.recvQ, s.sendQ])).toEqual([["LISTEN", 0, 128], ["ESTAB", 0, 0], ["ESTAB", 1000, 0]]);
    const l6 = socks.find((s) => s.family === 6 && s.state === "LISTEN")!;
    expect(l6).toMatchObject({ proto: "tcp", local: { address: "::", port: 8080 }, remote: { address: "::", port: 0 }, v6only: false });
    const client6 = socks.find((s) => s.family === 6 && s.remote.port === 8080)!;
    expect(client6.sendQ).toBeGreaterThan(0);
    expect(client6.local.address).toBe("::1");
    for (const s of socks) expect(s.cookie).toMatch(/^[0-9a-f]+$/);
    expect(JSON.parse(JSON.stringify(socks))).toEqual(socks);
  });

  it("tcp_info: 64-bit counters as numbers when exact, ~0 as its digits", async () => {
    const { sd } = await scripted("tcp-info");
    const [server] = (await sd.tcp({ states: ["established"], info: true })) as [InetSocket];
    expect(server.cong).toBe("bbr");
    expect(server.tcpInfo).toMatchObject({ state: "ESTAB", sndWscale: 7, rcvWscale: 7, sndMss: 1024, bytesReceived: 1000, maxPacingRate: "18446744073709551615" });
    expect(server.tcpInfo!.options).toEqual(["ts", "sack", "wscale"]);
    expect(server.bbr).toMatchObject({ bw: 0 });
    expect(() => JSON.stringify(server)).not.toThrow();
  });

  it("UNIX: names, inodes, peers, queues; -e's VFS and pending connections", async () => {
    const { sd } = await scripted("unix-all-extended");
    const socks = await sd.unix({ details: true });
    const listener = socks.find((s) => s.state === "LISTEN")!;
    expect(listener).toMatchObject({ type: "stream", recvQ: 0, sendQ: 128, peer: 0, icons: [] });
    expect(listener.name).toMatch(/^\/tmp\/nlkit-golden-.*\.sock$/);
    expect(listener.vfs!.ino).toBeGreaterThan(0);
    const accepted = socks.find((s) => s.name === listener.name && s.state === "ESTAB")!;
    const client = socks.find((s) => s.peer === accepted.inode)!;
    expect([accepted.recvQ, accepted.peer]).toEqual([100, client.inode]);
    expect(client.name).toBeUndefined();
  });
});

describe("nlkit ss prints ss's text from the same replies", () => {
  const names = ["tcp-all", "tcp-all-extended", "tcp-listen-sport", "tcp-dst-dport", "tcp-info", "udp-all", "unix-all", "unix-all-extended", "tcp-kill-dport"];
  it.each(names)("%s", async (name) => {
    const g = sockdiagGolden(name);
    const t = new ScriptedTransport(goldenScript(g));
    let out = "";
    const cli = new Cli({ json: false, pretty: false, details: false, stats: 0, oneline: false, brief: false, force: false }, (s) => { out += s; });
    const words = g.command.split(" ").slice(1);
    const status = await run(cli, new Args(words), { open: () => SockDiag.open({ transport: t, timeoutMs: 1000 }), env: captureEnv });
    expect(status).toBe(0);
    t.assertDone();
    expect(out).toBe(g.output);
  });
});
