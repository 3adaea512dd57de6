// Shared by the live CNI tests: the nlkit-cni executable built from the current sources, the
// "host"/"outside"/container namespaces of one side (nlkit's or the reference's), normalisers
// that make the two sides comparable, and TCP probes from inside namespaces.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { netns } from "../../src/index.js";
import * as sys from "../../src/syscalls/index.js";
import { describe } from "vitest";
import { ipJson, isRoot, type TestNamespaces } from "../helpers/live.js";
import { buildCniExecutable } from "../../scripts/build-cni.mjs";

const root = path.resolve(import.meta.dirname, "..", "..");
export const REFERENCE_DIR = "/usr/lib/cni";
export const hasReference = ["bridge", "host-local", "portmap", "loopback"].every((p) => fs.existsSync(path.join(REFERENCE_DIR, p)));
export const hasIptables = ["/usr/sbin/iptables", "/sbin/iptables"].some((p) => fs.existsSync(p));

/** A describe block that needs root and the reference plugins (with iptables, which they run); the skip says which is missing. */
export function describeCni(name: string, fn: () => void): void {
  if (!isRoot) describe.skip(`${name} (skipped: needs root for network namespaces)`, fn);
  else if (!hasReference || !hasIptables) describe.skip(`${name} (skipped: the reference plugins in ${REFERENCE_DIR} (containernetworking-plugins) or iptables are not installed)`, fn);
  else describe(name, fn);
}

/**
 * Builds the executable from the sources into a private directory below node_modules (so that
 * ffi-rs resolves) and installs its plugin links into `<work>/bin` with `nlkit-cni install`.
 */
export async function buildNlkitCni(tag: string, opts: { prefix?: string } = {}): Promise<{ binDir: string; entry: string; work: string; cleanup: () => void }> {
  const outdir = path.join(root, "node_modules", ".cache", `nlkit-cni-test-${process.pid}-${tag}`);
  const entry = await buildCniExecutable(outdir);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `nlkit-cni-${tag}-`));
  const binDir = path.join(work, "bin");
  execFileSync(process.execPath, [entry, "install", binDir, ...(opts.prefix ? ["--prefix", opts.prefix] : [])], { stdio: "pipe" });
  return {
    binDir, entry, work,
    cleanup: () => {
      fs.rmSync(outdir, { recursive: true, force: true });
      fs.rmSync(work, { recursive: true, force: true });
    },
  };
}

export const UPLINK = { host4: "198.51.100.2", out4: "198.51.100.1", host6: "2001:db8:51::2", out6: "2001:db8:51::1" };

/** One side: a host namespace (where the runtime and plugins run), an outside namespace on its uplink, and containers. */
export class Side {
  readonly host: string;
  readonly outside: string;
  readonly containers: string[] = [];

  constructor(private readonly ns: TestNamespaces, readonly tag: string) {
    this.host = ns.name(`${tag}-host`);
    this.outside = ns.name(`${tag}-out`);
  }

  setup(containers: number): this {
    this.ns.create(`${this.tag}-host`);
    this.ns.create(`${this.tag}-out`);
    const ip = (args: string[]) => execFileSync("ip", args, { stdio: "pipe" });
    ip(["-n", this.host, "link", "add", "up0", "type", "veth", "peer", "name", "out0", "netns", this.outside]);
    ip(["-n", this.host, "addr", "add", `${UPLINK.host4}/24`, "dev", "up0"]);
    ip(["-n", this.host, "addr", "add", `${UPLINK.host6}/64`, "dev", "up0", "nodad"]);
    ip(["-n", this.outside, "addr", "add", `${UPLINK.out4}/24`, "dev", "out0"]);
    ip(["-n", this.outside, "addr", "add", `${UPLINK.out6}/64`, "dev", "out0", "nodad"]);
    ip(["-n", this.host, "link", "set", "up0", "up"]);
    ip(["-n", this.outside, "link", "set", "out0", "up"]);
    for (let i = 1; i <= containers; i++) this.addContainer(`c${i}`);
    return this;
  }

  addContainer(suffix: string): string {
    // containers come with lo down: the loopback plugin brings it up
    const name = this.ns.name(`${this.tag}-${suffix}`);
    execFileSync("ip", ["netns", "add", name], { stdio: "pipe" });
    this.ns.adopt(name);
    this.containers.push(name);
    return name;
  }

  path(container: string): string {
    return `/run/netns/${container}`;
  }
}

// --- normalising the two sides -------------------------------------------------------------------

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** A result with what differs by nature (MACs, the random veth name, the side's namespace names) replaced. */
export function normalizeResult(r: any, side: Side): any {
  const text = JSON.stringify(r ?? null).replaceAll(side.host, "<host>").replaceAll(`${side.tag}-c`, "<side>-c");
  return JSON.parse(text, function (k, v) {
    if (k === "mac" && typeof v === "string" && MAC.test(v) && v !== "00:00:00:00:00:00") return "<mac>";
    if (k === "name" && typeof v === "string" && /^veth[0-9a-f]{8}$/.test(v)) return "<veth>";
    return v;
  });
}

/** Host veths are named at random: hostVethNames labels them by the container their peer is in. */
function vethLabel(name: string, vethNames: Map<string, string>): string {
  return vethNames.get(name) ?? name;
}

/** The comparable part of `ip -j -d link` of a namespace. */
export function linkState(nsName: string, vethNames = new Map<string, string>()): any[] {
  const links = ipJson<any[]>(["-d", "link", "show"], nsName);
  const byIndex = new Map(links.map((l) => [l.ifindex, l.ifname]));
  return links.map((l) => {
    const li = l.linkinfo ?? {};
    const d = li.info_data ?? {};
    const s = li.info_slave_data ?? {};
    return {
      ifname: vethLabel(l.ifname, vethNames),
      flags: l.flags, mtu: l.mtu, operstate: l.operstate, link_type: l.link_type, promiscuity: l.promiscuity,
      master: l.master !== undefined ? vethLabel(l.master, vethNames) : byIndex.get(l.master_index),
      kind: li.info_kind, slave_kind: li.info_slave_kind,
      ...(li.info_kind === "bridge" ? { stp_state: d.stp_state, forward_delay: d.forward_delay, vlan_filtering: d.vlan_filtering, mcast_snooping: d.mcast_snooping, ageing_time: d.ageing_time } : {}),
      ...(li.info_slave_kind === "bridge" ? { hairpin: s.hairpin, state: s.state, learning: s.learning, flood: s.flood, isolated: s.isolated } : {}),
      addr_gen_mode: l.inet6_addr_gen_mode, qdisc: l.qdisc, txqlen: l.txqlen,
    };
  }).sort((a, b) => String(a.ifname).localeCompare(String(b.ifname)));
}

/** Addresses per interface, without link-local IPv6 (derived from the random MACs). */
export function addrState(nsName: string, vethNames = new Map<string, string>()): any[] {
  return ipJson<any[]>(["addr", "show"], nsName).map((l) => ({
    ifname: vethLabel(l.ifname, vethNames),
    addrs: (l.addr_info ?? [])
      .filter((a: any) => !(a.family === "inet6" && String(a.local).startsWith("fe80:")))
      .map((a: any) => ({ family: a.family, local: a.local, prefixlen: a.prefixlen, broadcast: a.broadcast, scope: a.scope, flags: [a.noprefixroute && "noprefixroute", a.nodad && "nodad"].filter(Boolean) })),
  })).sort((a, b) => String(a.ifname).localeCompare(String(b.ifname)));
}

/** Routes of every table, without the host routes of link-local addresses. */
export function routeState(nsName: string, vethNames = new Map<string, string>()): any[] {
  const rows: any[] = [];
  for (const fam of ["-4", "-6"]) {
    for (const r of ipJson<any[]>([fam, "route", "show", "table", "all"], nsName)) {
      if (String(r.dst).startsWith("fe80::") && r.dst !== "fe80::/64") continue;
      rows.push({ ...r, dev: r.dev !== undefined ? vethLabel(r.dev, vethNames) : undefined, expires: undefined });
    }
  }
  return rows.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** The host veths of a side's containers, named <veth:cN> by the container their peer is in. */
export function hostVethNames(side: Side): Map<string, string> {
  const out = new Map<string, string>();
  const hostLinks = ipJson<any[]>(["link", "show"], side.host);
  side.containers.forEach((c, i) => {
    let peers: any[];
    try { peers = ipJson<any[]>(["link", "show", "type", "veth"], c); } catch { return; }
    for (const p of peers) {
      const h = hostLinks.find((l) => l.ifindex === p.link_index && /^veth/.test(l.ifname));
      if (h) out.set(h.ifname, `<veth:c${i + 1}>`);
    }
  });
  return out;
}

export function readSysctl(nsName: string, key: string): string | undefined {
  try {
    return netns.runSync(nsName, () => fs.readFileSync(`/proc/sys/${key}`, "utf8").trim());
  } catch {
    return undefined;
  }
}

/** host-local's data directory: every file's bytes and mode ("lock" by mode only). */
export function dataDirState(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fs.existsSync(dir)) return out;
  for (const f of fs.readdirSync(dir).sort()) {
    const st = fs.statSync(path.join(dir, f));
    out[f] = `${(st.mode & 0o777).toString(8)} ${JSON.stringify(fs.readFileSync(path.join(dir, f), "latin1"))}`;
  }
  return out;
}

// --- TCP from inside namespaces ----------------------------------------------------------------

/** A TCP server inside a namespace that answers "seen <peer address>" and closes. */
export async function tcpServe(nsName: string, port: number): Promise<net.Server> {
  const server = net.createServer((s) => {
    s.on("error", () => undefined);
    s.end(`seen ${String(s.remoteAddress).replace(/^::ffff:/, "")}`);
  });
  // listen() without a host binds synchronously: the socket is created inside the namespace
  netns.runSync(nsName, () => server.listen(port));
  await new Promise<void>((resolve, reject) => {
    server.once("listening", () => resolve());
    server.once("error", reject);
  });
  return server;
}

/** Connects from inside a namespace; what the server said, or undefined when it could not connect in time. */
export function tcpAsk(nsName: string, host: string, port: number, timeoutMs = 3000): Promise<string | undefined> {
  const family = host.includes(":") ? sys.AF_INET6 : sys.AF_INET;
  const fd = netns.runSync(nsName, () => sys.socket(family, sys.SOCK_STREAM | sys.SOCK_CLOEXEC, 0));
  const sock = new net.Socket({ fd, readable: true, writable: true });
  return new Promise((resolve) => {
    let data = "";
    const timer = setTimeout(() => { sock.destroy(); resolve(undefined); }, timeoutMs);
    sock.on("data", (b) => { data += b.toString(); });
    sock.on("end", () => { clearTimeout(timer); sock.destroy(); resolve(data); });
    sock.on("error", () => { clearTimeout(timer); sock.destroy(); resolve(undefined); });
    sock.connect(port, host);
  });
}
