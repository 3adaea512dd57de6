// The bridge plugin's work, step by step as the reference does it (../shared/cni/README.md
// section 2), over nlkit's Rtnl: one handle in the host namespace, one opened on CNI_NETNS.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { invalidConfig } from "./errors.js";
import type { Attachment } from "./config.js";
import { Rtnl, sysctl, type Link, type NetnsRef } from "./deps.js";
import { addToAddr, formatAddr, formatNet, inNet, networkAddr, parseAddr, parseNet, type IpNet } from "./ip.js";
import { checkBridgeSpec, EEXIST, fail, findLink, isErrno, sleep, trySysctl } from "./link-util.js";
import { openNetnsPath, refuseHostNamespace } from "./netns-path.js";
import type { CniDns, CniInterface, CniResult, CniRoute } from "./result.js";
import { settled } from "./settled.js";

/**
 * The bridge plugin's settings (the configuration's `bridge`, `mtu`, `isGateway`, `isDefaultGateway`,
 * `hairpinMode`, `promiscMode`, `forceAddress`, `enableDad`).
 *
 * @example
 * ```ts
 * // jumbo frames, the container's default route via the bridge, traffic back through the same port allowed
 * const opts: BridgeOptions = { bridge: "br0", mtu: 9000, isDefaultGateway: true, hairpinMode: true, forceAddress: true };
 * const att = { network: "lab", containerId: "ctr1", ifname: "eth0" };
 * const cfg = hostLocal.parseConfig({ ipam: { type: "host-local", subnet: "10.22.0.0/24" } });
 * await bridgeAttach({ ...att, ...opts, netnsPath: "/run/netns/ctr1", ipam: () => hostLocal.allocate(att, cfg) });
 * ```
 */
export interface BridgeOptions {
  /** Default "cni0". */
  bridge?: string;
  /** MTU of the bridge (when created) and of both veth ends; default the kernel's (1500). */
  mtu?: number;
  /**
   * Hairpin mode on the host veth's bridge port (`ip link set VETH type bridge_slave hairpin on`):
   * frames may leave by the port they came in on, so the container reaches itself through a port
   * forward. Default false; not with promiscMode.
   */
  hairpinMode?: boolean;
  /**
   * Put the bridge in promiscuous mode (`ip link set BR promisc on`; ADD never turns it off); CHECK
   * expects the bridge's promiscuity to equal it. Default false; not with hairpinMode.
   */
  promiscMode?: boolean;
  /** Gateway addresses on the bridge, forwarding on. */
  isGateway?: boolean;
  /** isGateway, plus a default route via the gateway in the container. */
  isDefaultGateway?: boolean;
  /** Replace another address of the gateway's subnet on the bridge instead of failing. */
  forceAddress?: boolean;
  /** Keep IPv6 DAD on in the container (enhanced_dad); default off, as the reference. */
  enableDad?: boolean;
}

/**
 * What `bridgeAttach()` does for ADD: the attachment, the container's namespace, the bridge settings,
 * and the IPAM result to configure (or a function that allocates it once the veth exists).
 *
 * @example
 * ```ts
 * // a fixed MAC and address, the bridge in namespace "host" rather than this one
 * const spec: BridgeAttachSpec = {
 *   network: "lab", containerId: "ctr1", ifname: "eth0",
 *   netnsPath: "/run/netns/ctr1", hostNetns: { netns: "host" }, bridge: "cni0", isGateway: true,
 *   mac: "02:42:0a:16:00:05",
 *   ipam: { cniVersion: "1.1.0", ips: [{ address: "10.22.0.5/24" }], routes: [{ dst: "0.0.0.0/0" }] },
 * };
 * const result = await bridgeAttach(spec);
 * console.log(result.ips?.[0]?.gateway); // 10.22.0.1 (isGateway: the subnet's first address)
 * ```
 */
export interface BridgeAttachSpec extends Attachment, BridgeOptions {
  /** The container's network namespace (CNI_NETNS). */
  netnsPath: string;
  /** Where the bridge lives; default the current namespace. */
  hostNetns?: NetnsRef;
  /** The container interface's MAC address. */
  mac?: string;
  /**
   * IPAM's result, or how to get it once the veth pair exists (the reference's order). Without
   * one the attachment is layer 2 only: the container end is just brought up.
   */
  ipam?: CniResult | (() => Promise<CniResult>);
  /** Copied into the result, as the bridge plugin's `dns` key. */
  dns?: CniDns;
}

function randomVethName(): string {
  return `veth${randomBytes(4).toString("hex")}`;
}

/** Step 1: the bridge, created with the kernel's defaults when absent, promiscuous if asked, up. */
async function ensureBridge(host: Rtnl, name: string, spec: BridgeOptions, where: NetnsRef): Promise<Link> {
  try {
    await host.link.add({ name, kind: "bridge", ...(spec.mtu ? { mtu: spec.mtu } : {}) });
  } catch (e) {
    if (!isErrno(e, EEXIST)) fail(`failed to create bridge "${name}": could not add "${name}": ${(e as Error).message}`);
  }
  let br = await findLink(host, name);
  if (!br) return fail(`failed to create bridge "${name}": could not lookup "${name}"`);
  if (br.kind !== "bridge") fail(`failed to create bridge "${name}": "${name}" already exists but is not a bridge`);
  if (spec.promiscMode && !br.flags.includes("PROMISC")) await host.link.set(br.index, { promisc: true });
  // the plugin owns this interface's routes
  await trySysctl(`net/ipv6/conf/${name}/accept_ra`, "0", where);
  if (!br.up) {
    await host.link.set(br.index, { up: true });
    br = (await findLink(host, br.index)) ?? br;
  }
  return br;
}

interface VethPair { hostName: string; hostIndex: number; host: Link; cont: Link }

/** Step 2: the pair, its container end created directly in the container as CNI_IFNAME. */
async function createVeth(host: Rtnl, cont: Rtnl, nsfd: number, spec: BridgeAttachSpec, br: Link): Promise<VethPair> {
  if (await findLink(cont, spec.ifname)) fail(`container veth name provided (${spec.ifname}) already exists`);
  // txqueuelen 0 on both ends, as the reference's veths get (its netlink library sends the unset field)
  const mtu = { ...(spec.mtu ? { mtu: spec.mtu } : {}), txqueuelen: 0 };
  for (let i = 0; i < 10; i++) {
    const hostName = randomVethName();
    try {
      await host.link.add({
        name: hostName, kind: "veth", ...mtu, master: br.index, up: true,
        peer: { name: spec.ifname, netns: { netnsFd: nsfd }, ...mtu, ...(spec.mac ? { address: spec.mac } : {}) },
      });
    } catch (e) {
      if (!isErrno(e, EEXIST)) fail(`failed to make veth pair: ${(e as Error).message}`);
      if (await findLink(host, hostName)) continue;
      fail(`container veth name provided (${spec.ifname}) already exists`);
    }
    const h = await findLink(host, hostName);
    const c = await findLink(cont, spec.ifname);
    if (!h || !c) fail(`failed to look up the veth pair ${hostName}/${spec.ifname} after creating it`);
    return { hostName, hostIndex: h!.index, host: h!, cont: c! };
  }
  return fail("failed to find a unique veth name");
}

interface Gateways { v4: IpNet[]; v6: IpNet[] }

/** The reference's calcGateways: gateways default to the subnet's first address; isDefaultGateway adds default routes. */
function gateways(result: CniResult, spec: BridgeOptions): Gateways {
  const isGw = spec.isGateway || spec.isDefaultGateway;
  const out: Gateways = { v4: [], v6: [] };
  const routes = (result.routes ??= []);
  const defaultDone = { 4: false, 6: false };
  for (const ip of result.ips ?? []) {
    const n = parseNet(ip.address)!;
    const fam = n.addr.family;
    ip.interface = 2;
    if (!ip.gateway && isGw) ip.gateway = formatAddr(addToAddr(networkAddr(n), 1));
    if (spec.isDefaultGateway && !defaultDone[fam]) {
      const dflt = fam === 4 ? "0.0.0.0/0" : "::/0";
      if (!routes.some((r) => r.gw !== undefined && formatNet(parseNet(r.dst)!) === dflt)) {
        routes.push(ip.gateway ? { dst: dflt, gw: ip.gateway } : { dst: dflt });
      }
      defaultDone[fam] = true;
    }
    if (isGw && ip.gateway) (fam === 4 ? out.v4 : out.v6).push({ addr: parseAddr(ip.gateway)!, prefixlen: n.prefixlen });
  }
  if (routes.length === 0) delete result.routes;
  return out;
}

/** Step 4: DAD and arp_notify sysctls, addresses, link up, routes: inside the container. */
async function configureContainer(cont: Rtnl, nsfd: number, index: number, spec: BridgeAttachSpec, result: CniResult): Promise<void> {
  const where = { netnsFd: nsfd };
  const ifn = spec.ifname;
  if (spec.enableDad) {
    await trySysctl(`net/ipv6/conf/${ifn}/enhanced_dad`, "1", where);
    await trySysctl(`net/ipv6/conf/${ifn}/accept_dad`, "1", where);
  } else {
    await trySysctl(`net/ipv6/conf/${ifn}/accept_dad`, "0", where);
  }
  await trySysctl(`net/ipv4/conf/${ifn}/arp_notify`, "1", where);
  const mine = (result.ips ?? []).filter((ip) => ip.interface === 2);
  if (mine.some((ip) => ip.address.includes(":"))) {
    for (const dev of ["lo", ifn]) {
      const key = `net/ipv6/conf/${dev}/disable_ipv6`;
      if ((await sysctl.get(key, where)) !== "0") await sysctl.set(key, "0", where);
    }
  }
  let gw4: string | undefined, gw6: string | undefined;
  for (const ip of mine) {
    const v6 = ip.address.includes(":");
    try {
      await cont.addr.add(index, ip.address, v6 ? {} : { broadcast: "+" });
    } catch (e) {
      fail(`failed to add IP addr ${ip.address} to "${ifn}": ${(e as Error).message}`);
    }
    if (v6) gw6 ??= ip.gateway;
    else gw4 ??= ip.gateway;
  }
  await cont.link.set(index, { up: true });
  if (gw6) await settleAddresses(cont, index);
  for (const r of result.routes ?? []) {
    const v6 = r.dst.includes(":");
    const gw = r.gw ?? (v6 ? gw6 : gw4);
    try {
      await cont.route.add({
        dst: r.dst, dev: index, ...(gw ? { gateway: gw } : {}),
        ...(r.mtu ? { mtu: r.mtu } : {}), ...(r.advmss ? { advmss: r.advmss } : {}),
        ...(r.priority ? { metric: r.priority } : {}), ...(r.table ? { table: r.table } : {}),
        ...(r.scope !== undefined ? { scope: r.scope as never } : {}),
        // CREATE without EXCL, as the reference's RouteAddEcmp: a second attachment's default
        // route joins the first instead of failing
      }, { append: true });
    } catch (e) {
      fail(`failed to add route '${r.dst} via ${gw ?? "<nil>"} dev ${ifn}': ${(e as Error).message}`);
    }
  }
}

/** Waits (up to 10 s) until no IPv6 address of the interface is tentative, as the reference's SettleAddresses. */
async function settleAddresses(cont: Rtnl, index: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
    const addrs = await settled(() => cont.addr.list({ dev: index, family: 6 }));
    if (!addrs.some((a) => a.flags.includes("tentative"))) return;
    if (addrs.some((a) => a.flags.includes("dadfailed"))) fail("link-local address is in DADFAILED state");
    if (Date.now() > deadline) fail("link address still tentative after 10 s");
    await sleep(wait);
  }
}

/** Step 5: the host end must be operationally up before the ADD returns (the reference retries ~2.5 s). */
async function waitPortUp(host: Rtnl, index: number): Promise<void> {
  const deadline = Date.now() + 3000;
  for (let wait = 2; ; wait = Math.min(wait * 2, 250)) {
    const l = await findLink(host, index);
    if (!l) fail(`the host end of the veth pair (index ${index}) disappeared`);
    if (l!.operstate === "UP") return;
    if (Date.now() > deadline) fail(`bridge port in error state: ${l!.operstate ?? "unknown"}`);
    await sleep(wait);
  }
}

/** Step 6: the gateway address on the bridge (the reference's ensureAddr), its MAC pinned. */
async function ensureGatewayAddr(host: Rtnl, br: Link, gw: IpNet, force: boolean): Promise<void> {
  const want = formatNet(gw);
  const fam = gw.addr.family;
  for (const a of await settled(() => host.addr.list({ dev: br.index, family: fam }))) {
    const have: IpNet = { addr: parseAddr(a.local)!, prefixlen: a.prefixlen };
    if (formatNet(have) === want) return;
    if (fam === 4 || inNet(have, gw.addr) || inNet(gw, have.addr)) {
      if (!force) fail(`failed to set bridge addr: "${br.name}" already has an IP address different from ${want}`);
      await host.addr.del(br.index, formatNet(have));
    }
  }
  try {
    await host.addr.add(br.index, want, fam === 4 ? { broadcast: "+" } : {});
  } catch (e) {
    if (!isErrno(e, EEXIST)) fail(`failed to set bridge addr: could not add IP address to "${br.name}": ${(e as Error).message}`);
  }
  // a bridge takes the lowest MAC of its ports unless its own is set: pin the one it had. A
  // bridge whose last port left has none (all zeros, which cannot be set; the reference then
  // fails): it pins the MAC it took from its new port.
  let mac = br.address;
  if (!mac || mac === "00:00:00:00:00:00") mac = (await findLink(host, br.index))?.address;
  if (mac && mac !== "00:00:00:00:00:00") await host.link.set(br.index, { address: mac });
}

function iface(l: Link, name: string, sandbox?: string): CniInterface {
  const i: CniInterface = { name, mac: l.address ?? "" };
  if (l.mtu) i.mtu = l.mtu;
  if (sandbox) i.sandbox = sandbox;
  return i;
}

/**
 * ADD: bridge, veth pair, IPAM, container addresses and routes, gateway and forwarding. Returns
 * the result (interfaces: bridge, host veth, container). If any step after the veth pair fails,
 * the pair is removed again; the bridge and the sysctls stay, as the reference leaves them.
 *
 * @example
 * ```ts
 * const att = { network: "lab", containerId: "ctr1", ifname: "eth0" };
 * const cfg = hostLocal.parseConfig({ ipam: { type: "host-local", subnet: "10.22.0.0/24" } });
 * const result = await bridgeAttach({
 *   ...att, netnsPath: "/run/netns/ctr1", bridge: "cni0", isDefaultGateway: true,
 *   ipam: () => hostLocal.allocate(att, cfg), // called once the veth pair exists, as the reference does
 * });
 * console.log(result.ips);    // [ { address: '10.22.0.2/24', gateway: '10.22.0.1', interface: 2 } ]
 * console.log(result.routes); // [ { dst: '0.0.0.0/0', gw: '10.22.0.1' } ]
 * ```
 */
export async function bridgeAttach(spec: BridgeAttachSpec): Promise<CniResult> {
  const brName = checkBridgeSpec(spec);
  if (spec.hairpinMode && spec.promiscMode) throw invalidConfig("cannot set hairpin mode and promiscuous mode at the same time.");
  const hostWhere = spec.hostNetns ?? {};
  const nsfd = openNetnsPath(spec.netnsPath);
  let host: Rtnl | undefined, cont: Rtnl | undefined;
  try {
    refuseHostNamespace(nsfd, hostWhere);
    host = await Rtnl.open(hostWhere);
    cont = await Rtnl.open({ netnsFd: nsfd });
    const br = await ensureBridge(host, brName, spec, hostWhere);
    const veth = await createVeth(host, cont, nsfd, spec, br);
    try {
      await trySysctl(`net/ipv6/conf/${veth.hostName}/accept_ra`, "0", hostWhere);
      if (spec.hairpinMode) await host.link.set(veth.hostIndex, { bridgeSlave: { hairpin: true } });
      const result: CniResult = {
        cniVersion: "1.1.0",
        interfaces: [iface(br, brName), iface(veth.host, veth.hostName), iface(veth.cont, spec.ifname, spec.netnsPath)],
      };
      if (spec.ipam) {
        const ipam = typeof spec.ipam === "function" ? await spec.ipam() : spec.ipam;
        if (!ipam.ips?.length) fail("IPAM plugin returned missing IP config");
        result.ips = ipam.ips!.map((ip) => ({ ...ip }));
        if (ipam.routes?.length) result.routes = ipam.routes.map((r): CniRoute => ({ ...r }));
        const gws = gateways(result, spec);
        await configureContainer(cont, nsfd, veth.cont.index, spec, result);
        await waitPortUp(host, veth.hostIndex);
        for (const gw of [...gws.v4, ...gws.v6]) await ensureGatewayAddr(host, br, gw, spec.forceAddress ?? false);
        if (gws.v4.length) await sysctl.set("net/ipv4/ip_forward", "1", hostWhere);
        if (gws.v6.length) await sysctl.set("net/ipv6/conf/all/forwarding", "1", hostWhere);
      } else {
        await cont.link.set(veth.cont.index, { up: true });
      }
      // re-read last: the bridge's MAC may have moved when its first port came
      const brNow = await findLink(host, br.index);
      if (brNow) result.interfaces![0] = iface(brNow, brName);
      if (spec.dns && Object.keys(spec.dns).length) result.dns = { ...spec.dns };
      else result.dns = {};
      return result;
    } catch (e) {
      await host.link.del(veth.hostIndex).catch(() => undefined);
      throw e;
    }
  } finally {
    host?.close();
    cont?.close();
    fs.closeSync(nsfd);
  }
}

