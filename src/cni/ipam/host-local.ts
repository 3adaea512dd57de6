// host-local, in process: the reference's allocator (same order, same files, same lock) as
// library functions keyed by attachment (network, container ID, interface name).
import * as fs from "node:fs";
import { CNI_ERR, CniError, invalidConfig } from "../errors.js";
import { isObject, optStr, type Attachment, type GcAttachment, type Json } from "../config.js";
import { formatAddr, formatNet, parseAddr, parseNet, sameAddr, type IpAddr } from "../ip.js";
import type { CniDns, CniResult, CniRoute } from "../result.js";
import { canonicalRangeSet, candidates, rangeSetFor, rangeSetsOverlap, rangeSetText, type RangeSet, type RangeSpec } from "./ranges.js";
import { DiskStore } from "./store.js";
import { DEFAULT_LOCK_TIMEOUT_MS, withDirLock } from "./lock.js";

/**
 * The host-local IPAM configuration after defaults: the ranges to allocate from, routes, the addresses
 * the runtime asked for, the resolv.conf to read DNS from, and where allocations are recorded.
 *
 * @example
 * ```ts
 * const cfg: HostLocalConfig = hostLocal.parseConfig({
 *   ipam: { type: "host-local", subnet: "10.22.0.0/24", routes: [{ dst: "0.0.0.0/0" }], resolvConf: "/etc/resolv.conf" },
 * });
 * console.log(cfg.dataDir ?? DEFAULT_DATA_DIR); // /var/lib/cni/networks
 * console.log(cfg.routes, cfg.resolvConf);       // [ { dst: '0.0.0.0/0' } ] /etc/resolv.conf
 * ```
 */
export interface HostLocalConfig {
  /** Range sets: one address is allocated from each (two sets for dual stack). */
  ranges: RangeSet[];
  /** `ipam.routes`, copied into every allocation's result; [] when none are configured. */
  routes: CniRoute[];
  /** Default /var/lib/cni/networks. */
  dataDir?: string;
  /** `ipam.resolvConf`: a resolv.conf whose nameserver, domain, search and options lines become the result's dns; absent: no dns. */
  resolvConf?: string;
  /** Specific addresses asked for (CNI_ARGS IP=, args.cni.ips, runtimeConfig.ips). */
  requestedIps: IpAddr[];
}

/**
 * How `hostLocal.allocate()`, `release()` and `gc()` wait for the data directory's lock, which other plugin
 * processes may hold.
 *
 * @example
 * ```ts
 * const att = { network: "lab", containerId: "ctr1", ifname: "eth0" };
 * const cfg = hostLocal.parseConfig({ ipam: { type: "host-local", subnet: "10.22.0.0/24" } });
 * const opts: HostLocalOptions = { lockTimeoutMs: 5_000 };
 * try {
 *   await hostLocal.allocate(att, cfg, opts);
 * } catch (e) {
 *   // another plugin held the data directory's lock for 5 s: the runtime may retry
 *   if (e instanceof CniError && e.code === CNI_ERR.tryAgainLater) console.log(e.message);
 *   else throw e;
 * }
 * ```
 */
export interface HostLocalOptions {
  /** How long to wait for another plugin's lock on the data directory (default 30 s; then code 11). */
  lockTimeoutMs?: number;
}

function rangeSpecs(v: unknown, where: string): RangeSpec[][] {
  if (!Array.isArray(v)) throw invalidConfig(`${where} must be a list of range sets (lists of ranges)`);
  return v.map((set, i) => {
    if (!Array.isArray(set)) throw invalidConfig(`${where}[${i}] must be a list of ranges`);
    return set.map((r, j) => {
      if (!isObject(r) || typeof r.subnet !== "string") throw invalidConfig(`${where}[${i}][${j}] must be an object with a subnet`);
      const spec: RangeSpec = { subnet: r.subnet };
      for (const k of ["rangeStart", "rangeEnd", "gateway"] as const) {
        const s = optStr(r, k, `${where}[${i}][${j}].`);
        if (s) spec[k] = s;
      }
      return spec;
    });
  });
}

function routeList(v: unknown): CniRoute[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalidConfig("ipam.routes must be a list");
  return v.map((r, i) => {
    if (!isObject(r)) throw invalidConfig(`ipam.routes[${i}] must be an object`);
    const dst = parseNet(r.dst);
    if (!dst) throw invalidConfig(`ipam.routes[${i}].dst ${JSON.stringify(r.dst)} is not a CIDR`);
    const route: CniRoute = { dst: formatNet(dst) };
    if (r.gw !== undefined && r.gw !== null && r.gw !== "") {
      const gw = parseAddr(r.gw);
      if (!gw) throw invalidConfig(`ipam.routes[${i}].gw ${JSON.stringify(r.gw)} is not an address`);
      route.gw = formatAddr(gw);
    }
    for (const k of ["mtu", "advmss", "priority", "table", "scope"] as const) {
      const n = r[k];
      if (n === undefined || n === null) continue;
      if (typeof n !== "number" || !Number.isInteger(n) || n < 0) throw invalidConfig(`ipam.routes[${i}].${k} must be a non-negative integer`);
      route[k] = n;
    }
    return route;
  });
}

function ipList(v: unknown, where: string): IpAddr[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalidConfig(`${where} must be a list of addresses`);
  return v.map((t) => {
    // the reference takes "10.0.0.5" and "10.0.0.5/24" alike
    const a = typeof t === "string" ? parseAddr(t.split("/")[0]) : undefined;
    if (!a) throw invalidConfig(`${where}: ${JSON.stringify(t)} is not an IP address`);
    return a;
  });
}

/**
 * The `ipam` section of a network configuration (with the network's runtimeConfig and args), as
 * the reference's LoadIPAMConfig reads it: a single old-style range goes first, then runtime
 * ipRanges, then `ranges`.
 *
 * @example
 * ```ts
 * // dual stack, and the address CNI_ARGS asks for
 * const cfg = parseHostLocalConfig({
 *   ipam: {
 *     type: "host-local",
 *     ranges: [[{ subnet: "10.22.0.0/24" }], [{ subnet: "2001:db8:22::/64" }]],
 *     routes: [{ dst: "0.0.0.0/0" }, { dst: "::/0" }],
 *   },
 * }, parseCniArgs("IgnoreUnknown=1;IP=10.22.0.50"));
 * console.log(cfg.ranges.length, cfg.requestedIps.length); // 2 1
 * ```
 */
export function parseHostLocalConfig(net: { ipam?: Json; runtimeConfig?: Json; args?: Json }, cniArgs?: Map<string, string>): HostLocalConfig {
  const ipam = net.ipam;
  if (!ipam) throw invalidConfig("IPAM config missing 'ipam' key");
  const specs: RangeSpec[][] = [];
  const runtime = net.runtimeConfig ?? {};
  if (runtime.ipRanges !== undefined && runtime.ipRanges !== null) specs.push(...rangeSpecs(runtime.ipRanges, "runtimeConfig.ipRanges"));
  if (typeof ipam.subnet === "string" && ipam.subnet !== "") {
    const single: RangeSpec = { subnet: ipam.subnet };
    for (const k of ["rangeStart", "rangeEnd", "gateway"] as const) {
      const s = optStr(ipam, k, "ipam.");
      if (s) single[k] = s;
    }
    specs.unshift([single]);
  } else if (ipam.subnet !== undefined && ipam.subnet !== null && ipam.subnet !== "") {
    throw invalidConfig("ipam.subnet must be a string");
  }
  if (ipam.ranges !== undefined && ipam.ranges !== null) specs.push(...rangeSpecs(ipam.ranges, "ipam.ranges"));
  if (specs.length === 0) throw invalidConfig("no IP ranges specified");
  const ranges = specs.map((s, i) => canonicalRangeSet(s, i));
  for (let i = 0; i < ranges.length; i++) {
    for (let j = i + 1; j < ranges.length; j++) {
      if (rangeSetsOverlap(ranges[i]!, ranges[j]!)) throw invalidConfig(`range set ${i} overlaps with ${j}`);
    }
  }
  const requested: IpAddr[] = [];
  const envIp = cniArgs?.get("IP");
  if (envIp) requested.push(...ipList(envIp.split(","), "CNI_ARGS IP"));
  const cniSection = isObject(net.args?.cni) ? net.args.cni : undefined;
  if (cniSection) requested.push(...ipList(cniSection.ips, "args.cni.ips"));
  requested.push(...ipList(runtime.ips, "runtimeConfig.ips"));
  const cfg: HostLocalConfig = { ranges, routes: routeList(ipam.routes), requestedIps: requested };
  const dataDir = optStr(ipam, "dataDir", "ipam.");
  if (dataDir) cfg.dataDir = dataDir;
  const resolvConf = optStr(ipam, "resolvConf", "ipam.");
  if (resolvConf) cfg.resolvConf = resolvConf;
  return cfg;
}

/**
 * resolv.conf's nameserver, domain, search and options lines, as the reference reads them.
 *
 * @example
 * ```ts
 * import { readFileSync } from "node:fs";
 * const dns = parseResolvConf(readFileSync("/etc/resolv.conf", "utf8"));
 * console.log(dns.nameservers, dns.search); // [ '192.0.2.53' ] [ 'lab.example' ]
 * ```
 */
export function parseResolvConf(text: string): CniDns {
  const dns: CniDns = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const f = line.split(/\s+/);
    if (f.length < 2) continue;
    if (f[0] === "nameserver") (dns.nameservers ??= []).push(f[1]!);
    else if (f[0] === "domain") dns.domain = f[1]!;
    else if (f[0] === "search") (dns.search ??= []).push(...f.slice(1));
    else if (f[0] === "options") (dns.options ??= []).push(...f.slice(1));
  }
  return dns;
}

function store(att: Pick<Attachment, "network">, cfg: HostLocalConfig): DiskStore {
  return new DiskStore(att.network, cfg.dataDir);
}

/** One address from each range set for the attachment: IPAM's result (ips without interface, routes, dns). */
async function allocate(att: Attachment, cfg: HostLocalConfig, opts: HostLocalOptions = {}): Promise<CniResult> {
  const result: CniResult = { cniVersion: "1.1.0" };
  if (cfg.resolvConf) {
    let text: string;
    try {
      text = fs.readFileSync(cfg.resolvConf, "utf8");
    } catch (e) {
      throw new CniError(CNI_ERR.ioFailure, `cannot read resolvConf ${cfg.resolvConf}: ${(e as Error).message}`);
    }
    result.dns = parseResolvConf(text);
  }
  const st = store(att, cfg);
  st.ensureDir();
  const ips = await withDirLock(st.lockPath, () => {
    const left = [...cfg.requestedIps];
    const out: NonNullable<CniResult["ips"]> = [];
    cfg.ranges.forEach((set, idx) => {
      const reqIdx = left.findIndex((a) => rangeSetFor(set, a) !== undefined);
      const requested = reqIdx >= 0 ? left.splice(reqIdx, 1)[0] : undefined;
      try {
        out.push(allocateFromSet(st, att, set, idx, requested));
      } catch (e) {
        st.releaseOwner(att.containerId, att.ifname);
        const msg = `failed to allocate for range ${idx}: ${(e as Error).message}`;
        throw e instanceof CniError ? new CniError(e.code, msg, e.details) : new CniError(CNI_ERR.internal, msg);
      }
    });
    if (left.length) {
      st.releaseOwner(att.containerId, att.ifname);
      throw new CniError(CNI_ERR.internal, `failed to allocate all requested IPs: ${left.map(formatAddr).join(" ")}`);
    }
    return out;
  }, opts.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
  result.ips = ips;
  if (cfg.routes.length) result.routes = cfg.routes.map((r) => ({ ...r }));
  return result;
}

function allocateFromSet(st: DiskStore, att: Attachment, set: RangeSet, idx: number, requested: IpAddr | undefined): { address: string; gateway: string } {
  const id = att.containerId;
  const pick = (addr: IpAddr, gw: IpAddr, prefixlen: number) => ({ address: `${formatAddr(addr)}/${prefixlen}`, gateway: formatAddr(gw) });
  if (requested) {
    const r = rangeSetFor(set, requested)!;
    if (sameAddr(requested, r.gateway)) throw new CniError(CNI_ERR.internal, `requested ip ${formatAddr(requested)} is subnet's gateway`);
    if (!st.reserve(id, att.ifname, requested, idx)) {
      throw new CniError(CNI_ERR.internal, `requested IP address ${formatAddr(requested)} is not available in range set ${rangeSetText(set)}`);
    }
    return pick(requested, r.gateway, r.subnet.prefixlen);
  }
  // an attachment gets one address per range set: a second ADD without a DEL is refused
  for (const e of st.byOwner(id, att.ifname)) {
    if (rangeSetFor(set, e.addr)) {
      throw new CniError(CNI_ERR.internal, `${formatAddr(e.addr)} has been allocated to ${id}, duplicate allocation is not allowed`);
    }
  }
  for (const { addr, range } of candidates(set, st.lastReserved(idx))) {
    if (st.reserve(id, att.ifname, addr, idx)) return pick(addr, range.gateway, range.subnet.prefixlen);
  }
  throw new CniError(CNI_ERR.internal, `no IP addresses available in range set: ${rangeSetText(set)}`);
}

/** Releases every address of the attachment (none is not an error); returns them. */
async function release(att: Attachment, cfg: Pick<HostLocalConfig, "dataDir">, opts: HostLocalOptions = {}): Promise<string[]> {
  const st = new DiskStore(att.network, cfg.dataDir);
  if (!fs.existsSync(st.dir)) return [];
  const released = await withDirLock(st.lockPath, () => st.releaseOwner(att.containerId, att.ifname), opts.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
  return released.map(formatAddr);
}

/** The attachment's reserved addresses (CHECK): code 999 when there are none, as the reference. */
function check(att: Attachment, cfg: Pick<HostLocalConfig, "dataDir">): string[] {
  const found = new DiskStore(att.network, cfg.dataDir).byOwner(att.containerId, att.ifname);
  if (found.length === 0) throw new CniError(CNI_ERR.internal, `host-local: Failed to find address added by container ${att.containerId}`);
  return found.map((e) => formatAddr(e.addr));
}

/** GC: releases every reservation of the network whose attachment is not in `valid`; returns them. */
async function gc(network: string, cfg: Pick<HostLocalConfig, "dataDir">, valid: readonly GcAttachment[], opts: HostLocalOptions = {}): Promise<string[]> {
  const st = new DiskStore(network, cfg.dataDir);
  if (!fs.existsSync(st.dir)) return [];
  const keep = new Set(valid.map((a) => `${a.containerID.trim()}\n${a.ifname}`));
  const ids = new Set(valid.map((a) => a.containerID.trim()));
  return withDirLock(st.lockPath, () => {
    const released: string[] = [];
    for (const e of st.entries()) {
      const kept = e.ifname === undefined ? ids.has(e.id) : keep.has(`${e.id}\n${e.ifname}`);
      if (kept) continue;
      st.release(e.file);
      released.push(formatAddr(e.addr));
    }
    return released;
  }, opts.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
}

/** STATUS: code 50 when a range set has no free address left (an ADD would fail). */
function status(network: string, cfg: HostLocalConfig): void {
  const st = new DiskStore(network, cfg.dataDir);
  const taken = new Set(st.entries().map((e) => `${e.addr.family}/${e.addr.value}`));
  cfg.ranges.forEach((set, idx) => {
    for (const { addr } of candidates(set, undefined)) if (!taken.has(`${addr.family}/${addr.value}`)) return;
    throw new CniError(CNI_ERR.pluginNotAvailable, `no IP addresses available in range set ${idx}: ${rangeSetText(set)}`);
  });
}

/**
 * host-local as functions; `allocate` holds the data directory's lock for the whole allocation.
 *
 * @example
 * ```ts
 * const att = { network: "lab", containerId: "ctr1", ifname: "eth0" };
 * const cfg = hostLocal.parseConfig({ ipam: { type: "host-local", subnet: "10.22.0.0/24", dataDir: "/run/lab-ipam" } });
 * const result = await hostLocal.allocate(att, cfg);
 * console.log(result.ips); // [ { address: '10.22.0.2/24', gateway: '10.22.0.1' } ]
 * console.log(hostLocal.check(att, cfg)); // [ '10.22.0.2' ]
 * await hostLocal.release(att, cfg);
 * ```
 */
export const hostLocal = Object.freeze({
  /** Reads a configuration's `ipam` section (with runtimeConfig, args and CNI_ARGS) into a HostLocalConfig: as `parseHostLocalConfig`. */
  parseConfig: parseHostLocalConfig,
  /** ADD: one address from each range set for the attachment, recorded in the data directory; the IPAM result (ips, routes, dns). */
  allocate,
  /** DEL: releases every address the attachment holds (none is not an error); returns them ("10.22.0.2"). */
  release,
  /** CHECK: the addresses the attachment holds; a CniError (code 999) when it holds none. */
  check,
  /** GC: releases the network's addresses whose attachment is not in the valid list; returns them. */
  gc,
  /** STATUS: a CniError (code 50, pluginNotAvailable) when a range set has no free address left. */
  status,
});
