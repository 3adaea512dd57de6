// sock_diag against the kernel, with ss (iproute2) as the oracle. The sockets belong to plain node
// processes in a fresh namespace (test/helpers/sockdiag-peers.mjs): listeners v4/v6, connections
// with bytes queued on both sides, UDP (bound, connected, with datagrams queued), UNIX (a path and
// an abstract name, pending connections), a listener owned by another uid. Every field of
// tcp()/udp()/unix() must equal what `ss -tanHe`/`-uanHe`/`-xanHe` prints at the same moment;
// kernel-side filters return exactly ss's subset; destroy() resets the peer; the CLI prints ss's text.
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NetlinkError } from "../../src/netlink/errors.js";
import { SockDiag, type InetFilter, type InetSocket, type UnixSocket } from "../../src/sockdiag/verbs.js";
import { waitListening } from "../../src/sockdiag/wait.js";
import { silentReporter } from "../../src/lab/report.js";
import { LabSession } from "../../src/lab/session.js";
import { describeLive, hasCommand, TestNamespaces } from "../helpers/live.js";
import { nlkit } from "../helpers/nlkit-cli.js";
import { Peers, PEERS_SCRIPT } from "../helpers/sockdiag-proc.js";
import { NOBODY, unprivilegedUnavailable } from "../helpers/unprivileged.js";

const ssRun = (netns: string, args: string[]) => {
  const r = spawnSync("ip", ["netns", "exec", netns, "ss", ...args], { encoding: "utf8", timeout: 30_000 });
  if (r.status !== 0) throw new Error(`ss ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
};

/** ss's timers count down: two snapshots of the same state differ only in the time left. */
const timeless = (text: string) => text.replace(/timer:\((\w+),[^,]+,/g, "timer:($1,");

/**
 * Reads ss and nlkit at the same moment: ss before and after the nlkit read, until the two ss
 * snapshots agree (the state did not move while nlkit looked).
 */
async function sameMoment<T>(ss: () => string, ours: () => Promise<T> | T): Promise<{ text: string; value: T }> {
  for (let i = 0; i < 50; i++) {
    const before = ss();
    const value = await ours();
    const after = ss();
    if (timeless(before) === timeless(after)) return { text: before, value };
  }
  throw new Error("the sockets never held still long enough to compare");
}

/** Polls a real condition (what ss shows) until it holds. */
async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// ---------------------------------------------------------------- ss's text, parsed

function endpoint(text: string): { v6: boolean; address: string; port: number } {
  const i = text.lastIndexOf(":");
  const a = text.slice(0, i), p = text.slice(i + 1);
  return {
    v6: a.startsWith("[") || a === "*",
    address: a === "*" ? "::" : a.replace(/^\[|\]$/g, ""),
    port: p === "*" ? 0 : Number(p),
  };
}

const shutdownOf = (arrows: string) => ({ read: arrows[0] === "-", write: arrows[2] === "-" });

/** ss prints a cgroup by its path when it finds the cgroup2 mount, else as unreachable:ID (hex). */
function cgroupId(v: string): number {
  const m = /^unreachable:([0-9a-f]+)$/.exec(v);
  return m ? parseInt(m[1]!, 16) : statSync(`/sys/fs/cgroup${v}`).ino;
}

/**
 * One line of `ss -tanHe` / `-uanHe` as the fields of an InetSocket; `state` when ss was asked for
 * one state only (it leaves the State column out then).
 */
function inetRow(line: string, only?: string): Record<string, unknown> {
  const [state, rq, sq, local, peer, ...ext] = [...(only ? [only] : []), ...line.trim().split(/\s+/)];
  const l = endpoint(local!), r = endpoint(peer!);
  const row: Record<string, unknown> = {
    family: l.v6 || r.v6 ? 6 : 4, state, recvQ: Number(rq), sendQ: Number(sq),
    local: { address: l.address, port: l.port }, remote: { address: r.address, port: r.port }, uid: 0,
  };
  for (const tok of ext) {
    const m = /^([a-z0-9]+):(.*)$/.exec(tok);
    if (/^[<-][->][>-]$/.test(tok)) row.shutdown = shutdownOf(tok);
    else if (!m) throw new Error(`unexpected ss token ${tok} in ${line}`);
    else if (m[1] === "timer") {
      const t = /^\((\w+),[^,]+,(\d+)\)$/.exec(m[2]!)!;
      row.timer = { name: t[1], retrans: Number(t[2]) };
    } else if (m[1] === "uid") row.uid = Number(m[2]);
    else if (m[1] === "ino") row.inode = Number(m[2]);
    else if (m[1] === "sk") row.cookie = m[2];
    else if (m[1] === "cgroup") row.cgroupId = cgroupId(m[2]!);
    else if (m[1] === "v6only") row.v6only = m[2] === "1";
    else throw new Error(`unexpected ss field ${tok} in ${line}`);
  }
  return row;
}

/** The same fields of one of ours (ss shows a timer's kind and retransmits; the time left moves on). */
function inetFields(s: InetSocket, like: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(like)) out[k] = (s as unknown as Record<string, unknown>)[k];
  if (s.timer) out.timer = { name: s.timer.name, retrans: s.timer.retrans };
  return out;
}

const UNIX_NETID: Record<string, string> = { u_str: "stream", u_dgr: "dgram", u_seq: "seqpacket" };

/** One line of `ss -xanHe` as the fields of a UnixSocket (`only`: see inetRow). */
function unixRow(line: string, only?: string): Record<string, unknown> {
  const words = line.trim().split(/\s+/);
  if (only) words.splice(1, 0, only);
  const [netid, state, rq, sq, name, ino, , peer, ...ext] = words;
  const row: Record<string, unknown> = {
    type: UNIX_NETID[netid!], state, recvQ: Number(rq), sendQ: Number(sq), inode: Number(ino), peer: Number(peer),
  };
  if (name !== "*") row.name = name;
  for (let i = 0; i < ext.length; i++) {
    const tok = ext[i]!;
    if (/^[<-][->][>-]$/.test(tok)) row.shutdown = shutdownOf(tok);
    else if (tok.startsWith("ino:")) {
      // ss splits the kernel's dev_t with glibc's major()/minor(), made for the user-space
      // encoding; gnu_dev_makedev() gives back the kernel's number, which the library keeps
      const [maj, min] = ext[++i]!.replace(/^dev:/, "").split("/").map(Number) as [number, number];
      const dev = (maj & 0xfff) * 2 ** 8 + Math.floor(maj / 0x1000) * 2 ** 44 + (min & 0xff) + Math.floor(min / 0x100) * 2 ** 20;
      row.vfs = { ino: Number(tok.slice(4)), dev };
    } else if (tok === "peers:") {
      row.icons = ext.slice(i + 1).map(Number);
      break;
    } else throw new Error(`unexpected ss token ${tok} in ${line}`);
  }
  return row;
}

function unixFields(s: UnixSocket, like: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(like)) out[k] = (s as unknown as Record<string, unknown>)[k];
  return out;
}

const lines = (text: string) => text.split("\n").filter((l) => l.trim() !== "");

// ---------------------------------------------------------------- the tests

const describeSd = hasCommand("ss")
  ? describeLive
  : (n: string, f: () => void) => describe.skip(`${n} (skipped: needs ss from iproute2 as the oracle)`, f);

describeSd("sock_diag against ss", () => {
  const ns = new TestNamespaces("sd");
  const peers: Peers[] = [];
  let n = "";
  let sd: SockDiag;
  let sockPath = "";
  let abstract = "";
  /** Sockets of another user need setpriv and a node that user can run; without them, none. */
  let nobodyDir: string | undefined;

  beforeAll(async () => {
    n = ns.create("a");
    sockPath = `/tmp/${n}.sock`;
    abstract = `\u0000${n}-abs`;
    // frozen once ready: nothing it owns reads, so every byte sent to it stays queued
    const held = new Peers(n, [
      { kind: "tcp-listen", name: "l4", host: "0.0.0.0", port: 2222 },
      { kind: "tcp-listen", name: "l6", host: "::", port: 8080, ipv6Only: true },
      { kind: "tcp-listen", name: "ld", host: "::", port: 8081 },
      { kind: "tcp-connect", name: "c4", host: "127.0.0.1", port: 2222, write: 1000 },
      // more than the receiver's window: the sender keeps a Send-Q too
      { kind: "tcp-connect", name: "c6", host: "::1", port: 8080, write: 1_000_000 },
      { kind: "unix-listen", name: "x1", path: sockPath },
      { kind: "unix-listen", name: "xa", path: abstract },
      { kind: "unix-connect", name: "xc", path: sockPath, write: 100 },
      { kind: "udp-bind", name: "u4", type: "udp4", host: "127.0.0.1", port: 5353 },
      { kind: "udp-bind", name: "u6", type: "udp6", host: "::", port: 5354 },
      { kind: "udp-connect", name: "uc", type: "udp4", host: "127.0.0.1", port: 5353, send: 3 },
      { kind: "hold", seconds: 600 },
    ]);
    peers.push(held);
    await held.ready();
    // connections the frozen listeners never accept: a listener's Recv-Q, a UNIX listener's peers
    const late = new Peers(n, [
      { kind: "tcp-connect", name: "p4", host: "127.0.0.1", port: 2222 },
      { kind: "unix-connect", name: "pa", path: abstract },
    ]);
    peers.push(late);
    await late.ready();
    // sockets of another user (ss -e prints uid:), from a copy of the script that user can read
    if (unprivilegedUnavailable() === undefined) {
      nobodyDir = mkdtempSync(join(tmpdir(), `${ns.prefix}-`));
      chmodSync(nobodyDir, 0o755);
      const script = join(nobodyDir, "peers.mjs");
      copyFileSync(PEERS_SCRIPT, script);
      chmodSync(script, 0o644);
      const nobody = new Peers(n, [
        { kind: "tcp-listen", name: "ln", host: "127.0.0.1", port: 9000 },
        { kind: "udp-bind", name: "un", type: "udp4", host: "0.0.0.0", port: 9001 },
      ], { prefix: ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups"], script, cwd: nobodyDir });
      peers.push(nobody);
      await nobody.ready();
    }
    await until("the queues to fill", () => {
      const t = ssRun(n, ["-tanH"]);
      return /LISTEN\s+1\s+128\s+0\.0\.0\.0:2222/.test(t) && /ESTAB\s+0\s+[1-9]\d*\s+\[::1\]:\d+\s+\[::1\]:8080/.test(t)
        && /ESTAB\s+[1-9]\d*\s+0\s+\[::1\]:8080/.test(t);
    });
    await until("the datagrams to be queued", () => /UNCONN\s+[1-9]\d*\s+0\s+127\.0\.0\.1:5353/.test(ssRun(n, ["-uanH"])));
    sd = await SockDiag.open({ netns: n });
  });

  afterAll(() => {
    sd?.close();
    for (const p of peers) p.stop();
    rmSync(sockPath, { force: true });
    if (nobodyDir) rmSync(nobodyDir, { recursive: true, force: true });
    ns.cleanup();
  });

  it("tcp(): every socket and field equals ss -tanHe", async () => {
    const { text, value } = await sameMoment(() => ssRun(n, ["-tanHe"]), () => sd.tcp());
    const rows = lines(text).map((l) => inetRow(l));
    expect(rows.length).toBe(nobodyDir ? 10 : 9);
    expect(value.map((s) => s.cookie)).toEqual(rows.map((r) => r.cookie));
    for (const row of rows) {
      const s = value.find((x) => x.cookie === row.cookie)!;
      expect(inetFields(s, row), JSON.stringify(row)).toEqual(row);
      expect(s.proto).toBe("tcp");
    }
    // what the setup promised is really there
    expect(rows.some((r) => r.state === "LISTEN" && r.recvQ === 1)).toBe(true);
    expect(rows.some((r) => r.state === "ESTAB" && (r.sendQ as number) > 0)).toBe(true);
    if (nobodyDir) expect(rows.some((r) => r.uid === NOBODY)).toBe(true);
    expect(rows.some((r) => r.v6only === true) && rows.some((r) => r.v6only === false)).toBe(true);
  });

  it("udp(): every socket and field equals ss -uanHe", async () => {
    const { text, value } = await sameMoment(() => ssRun(n, ["-uanHe"]), () => sd.udp());
    const rows = lines(text).map((l) => inetRow(l));
    expect(rows.length).toBe(nobodyDir ? 4 : 3);
    expect(value.map((s) => s.cookie)).toEqual(rows.map((r) => r.cookie));
    for (const row of rows) {
      const s = value.find((x) => x.cookie === row.cookie)!;
      expect(inetFields(s, row), JSON.stringify(row)).toEqual(row);
      expect(s.proto).toBe("udp");
    }
    expect(rows.some((r) => r.state === "UNCONN" && (r.recvQ as number) > 0)).toBe(true);
    expect(rows.some((r) => r.state === "ESTAB")).toBe(true);
  });

  it("unix(): every socket and field equals ss -xanHe", async () => {
    const { text, value } = await sameMoment(() => ssRun(n, ["-xanHe"]), () => sd.unix({ details: true }));
    const rows = lines(text).map((l) => unixRow(l));
    // the connection the frozen listener never accepted is in its queue (icons), not in the table
    expect(rows.length).toBe(5);
    expect(value.map((s) => s.inode)).toEqual(rows.map((r) => r.inode));
    for (const row of rows) {
      const s = value.find((x) => x.inode === row.inode)!;
      expect(unixFields(s, row), JSON.stringify(row)).toEqual(row);
    }
    // node binds an abstract name with all of sun_path: NULs ss shows as @ pad it
    const abs = rows.find((r) => String(r.name).startsWith(`@${n}-abs`))!;
    expect(abs.state).toBe("LISTEN");
    // the pending connection, named by its client's inode
    expect(abs.icons).toHaveLength(1);
    expect(rows.filter((r) => r.state === "ESTAB" && r.inode === (abs.icons as number[])[0])).toHaveLength(1);
    expect(rows.some((r) => r.recvQ === 100)).toBe(true);
  });

  /** [name, proto, filter, ss's arguments, the one state asked for (ss prints no State column then)] */
  const FILTERS: Array<[string, "tcp" | "udp", InetFilter, string[], string?]> = [
    ["listening", "tcp", { states: ["listening"] }, ["-tnH", "state", "listening"], "LISTEN"],
    ["established sport", "tcp", { states: ["established"], sport: 2222 }, ["-tnH", "state", "established", "sport", "=", ":2222"], "ESTAB"],
    ["dport", "tcp", { dport: 8080 }, ["-tanH", "dport", "=", ":8080"]],
    ["src address", "tcp", { src: "127.0.0.1" }, ["-tanH", "src", "127.0.0.1"]],
    ["dst prefix and dport", "tcp", { dst: "::1/128", dport: 8080 }, ["-tanH", "dst", "::1/128", "dport", "=", ":8080"]],
    ["src prefix and sport", "tcp", { src: "127.0.0.0/8", sport: 2222 }, ["-tanH", "src", "127.0.0.0/8", "sport", "=", ":2222"]],
    ["family 6", "tcp", { family: 6 }, ["-6tanH"]],
    ["family 4, listening", "tcp", { family: 4, states: ["listening"] }, ["-4tnH", "state", "listening"], "LISTEN"],
    ["udp sport", "udp", { sport: 5353 }, ["-uanH", "sport", "=", ":5353"]],
    ["udp connected", "udp", { states: ["established"] }, ["-unH", "state", "established"], "ESTAB"],
    ["udp family 6", "udp", { family: 6 }, ["-6uanH"]],
  ];

  it.each(FILTERS)("the kernel-side filter %s returns exactly ss's subset", async (_name, proto, filter, args, only) => {
    const all = await sd[proto]();
    const { text, value } = await sameMoment(() => ssRun(n, args), () => sd[proto](filter));
    const key = (local: unknown, remote: unknown) => JSON.stringify([local, remote]);
    const rows = lines(text).map((l) => inetRow(l, only));
    expect(value.map((s) => key(s.local, s.remote))).toEqual(rows.map((r) => key(r.local, r.remote)));
    // a filter that lets everything or nothing through proves nothing
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(all.length);
  });

  it("unix({ states }) returns exactly ss's subset", async () => {
    const { text, value } = await sameMoment(() => ssRun(n, ["-xnH", "state", "listening"]), () => sd.unix({ states: ["listening"] }));
    const rows = lines(text).map((l) => unixRow(l, "LISTEN"));
    expect(value.map((s) => s.inode)).toEqual(rows.map((r) => r.inode));
    expect(rows.map((r) => r.state)).toEqual(["LISTEN", "LISTEN"]);
  });

  it("tcp({ info: true }): tcp_info and the congestion algorithm, as ss -ti shows them", async () => {
    const ours = await sd.tcp({ states: ["established"], info: true });
    const text = ssRun(n, ["-tinH", "state", "established"]);
    const ssLines = text.split("\n").filter((l) => l !== "");
    // ss -i: each socket's line, then its details on a tab-indented line that starts with the algorithm
    const cong = ssLines.filter((l) => l.startsWith("\t")).map((l) => l.trim().split(/\s+/)[0]);
    expect(ours.length).toBe(cong.length);
    expect(ours.length).toBeGreaterThan(0);
    ours.forEach((s, i) => {
      expect(s.cong).toBe(cong[i]);
      expect(s.tcpInfo!.state).toBe("ESTAB");
      expect(s.tcpInfo!.rtt).toBeGreaterThan(0);
      expect(s.tcpInfo!.sndMss).toBeGreaterThan(0);
      expect(s.tcpInfo!.sndCwnd).toBeGreaterThan(0);
      expect(s.tcpInfo!.options).toContain("sack");
    });
    const sender = ours.find((s) => s.remote.port === 8080)!;
    expect(sender.tcpInfo!.bytesSent).toBeGreaterThan(0);
    const receiver = ours.find((s) => s.local.port === 2222 && s.recvQ === 1000)!;
    expect(receiver.tcpInfo!.bytesReceived).toBe(1000);
    expect(JSON.parse(JSON.stringify(ours))).toEqual(ours);
  });

  const CLI: string[][] = [
    ["-tan"], ["-tln"], ["-uan"], ["-xa"], ["-t", "state", "established"], ["-tan", "sport", "=", ":2222"],
    ["-tn", "dport", "=", ":8080"], ["-un", "state", "established"], ["-xl"], ["-4tln"],
  ];

  it.each(CLI)("nlkit ss %j prints ss's text", async (...args) => {
    const { text, value } = await sameMoment(() => ssRun(n, args), () => nlkit(["-n", n, "ss", ...args]));
    expect(value.stderr).toBe("");
    expect(value.code).toBe(0);
    expect(value.stdout).toBe(text);
  });
});

describeSd("sock_diag destroy against a live peer", () => {
  const ns = new TestNamespaces("sd");
  let n = "";
  let peer: Peers;
  let sd: SockDiag;

  beforeAll(async () => {
    n = ns.create("k");
    peer = new Peers(n, [
      { kind: "tcp-listen", name: "srv", host: "127.0.0.1", port: 7000, read: true },
      { kind: "tcp-connect", name: "cli", host: "127.0.0.1", port: 7000, read: true },
      { kind: "tcp-listen", name: "srv2", host: "::1", port: 7001, read: true },
      { kind: "tcp-connect", name: "cli2", host: "::1", port: 7001, read: true },
    ]);
    await peer.ready();
    await peer.next((l) => l.event === "accepted" && l.name === "srv2", "the second accept");
    sd = await SockDiag.open({ netns: n });
  });

  afterAll(() => {
    sd?.close();
    peer?.stop();
    ns.cleanup();
  });

  it("destroy() aborts the socket: its owner sees ECONNABORTED, the peer a reset, ss sees it gone", async () => {
    const [client] = await sd.tcp({ states: ["established"], dport: 7000 });
    expect(client).toBeDefined();
    await sd.destroy(client!);
    const owner = await peer.next((l) => l.event === "error" && l.name === "cli", "the client's error");
    const other = await peer.next((l) => (l.event === "error" || l.event === "end") && l.name === "srv:accepted", "the server's reset");
    expect(owner.code).toBe("ECONNABORTED");
    expect(other.event === "end" || other.code === "ECONNRESET").toBe(true);
    expect(ssRun(n, ["-tanH", "dport", "=", ":7000"])).toBe("");
    expect(await sd.tcp({ dport: 7000 })).toEqual([]);
    // the cookie names that very socket: gone now
    await expect(sd.destroy(client!)).rejects.toSatisfy((e) => e instanceof NetlinkError && e.code === "ENOENT");
  });

  it("nlkit ss -K kills what matches and prints it, as ss -K does", async () => {
    const before = ssRun(n, ["-tnH", "dport", "=", ":7001"]);
    expect(lines(before).length).toBe(1);
    const r = nlkit(["-n", n, "ss", "-tnHK", "dport", "=", ":7001"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(before);
    const owner = await peer.next((l) => l.event === "error" && l.name === "cli2", "the second client's error");
    expect(owner.code).toBe("ECONNABORTED");
    await until("the killed socket to leave", () => ssRun(n, ["-tnH", "dport", "=", ":7001"]) === "");
  });
});

describeSd("waitListening against a server that starts later", () => {
  const ns = new TestNamespaces("sd");
  let n = "";
  let sd: SockDiag;
  const peers: Peers[] = [];

  beforeAll(async () => {
    n = ns.create("w");
    sd = await SockDiag.open({ netns: n });
  });

  afterAll(() => {
    sd?.close();
    for (const p of peers) p.stop();
    ns.cleanup();
  });

  it("resolves once the port listens, with the socket ss sees", async () => {
    const waiting = waitListening(sd, { port: 7100, timeoutMs: 30_000 });
    const udpWaiting = waitListening(sd, { port: 7101, proto: "udp", family: 6, timeoutMs: 30_000 });
    // the waits are under way (they asked already) before anything listens
    expect(ssRun(n, ["-tulnH"])).toBe("");
    const server = new Peers(n, [
      { kind: "tcp-listen", name: "s", host: "::", port: 7100 },
      { kind: "udp-bind", name: "u", type: "udp6", host: "::", port: 7101 },
    ]);
    peers.push(server);
    const [found] = await waiting;
    const [udp] = await udpWaiting;
    const tcpRow = inetRow(lines(ssRun(n, ["-tlnHe"]))[0]!);
    expect(found).toMatchObject({ state: "LISTEN", local: { port: 7100 }, inode: tcpRow.inode, cookie: tcpRow.cookie });
    expect(udp).toMatchObject({ state: "UNCONN", family: 6, local: { address: "::", port: 7101 } });
  });

  it("stops on its signal while nothing listens, and times out with NlkitTimeoutError", async () => {
    const ac = new AbortController();
    const stopped = waitListening(sd, { port: 7200, signal: ac.signal });
    ac.abort(new Error("no longer needed"));
    await expect(stopped).rejects.toThrow("no longer needed");
    await expect(waitListening(sd, { port: 7200, timeoutMs: 50 })).rejects.toMatchObject({ name: "NlkitTimeoutError" });
  });
});

describeSd("a lab session waits for its servers", () => {
  const ns = new TestNamespaces("sd");
  const ac = new AbortController();
  const session = new LabSession(silentReporter, ns.name("lab"), ac.signal);
  const peers: Peers[] = [];

  afterAll(async () => {
    for (const p of peers) p.stop();
    await session.cleanup();
    ns.cleanup();
  });

  it("waitListening(name, { port }) resolves when the server in that namespace listens; the session's stop ends it", async () => {
    const full = await session.addNetns("srv");
    const waiting = session.waitListening("srv", { port: 7300, timeoutMs: 30_000 });
    const server = new Peers(full, [{ kind: "tcp-listen", name: "s", host: "0.0.0.0", port: 7300 }]);
    peers.push(server);
    const [found] = await waiting;
    expect(found).toMatchObject({ state: "LISTEN", local: { address: "0.0.0.0", port: 7300 } });
    const stopped = session.waitListening("srv", { port: 7301 });
    ac.abort(new Error("lab stopped"));
    await expect(stopped).rejects.toThrow("lab stopped");
    await expect(session.waitListening("srv", { port: 7300 })).rejects.toThrow("lab stopped");
  });
});
