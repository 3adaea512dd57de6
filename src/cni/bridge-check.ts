// The bridge plugin's CHECK: what ADD made, compared with prevResult, as the reference compares it.
import * as fs from "node:fs";
import type { Attachment } from "./config.js";
import { Rtnl, type Link, type NetnsRef } from "./deps.js";
import { formatAddr, formatNet, networkAddr, parseAddr, parseNet, sameAddr } from "./ip.js";
import { checkBridgeSpec, fail, findLink } from "./link-util.js";
import { openNetnsPath } from "./netns-path.js";
import type { CniResult } from "./result.js";
import { settled } from "./settled.js";
import type { BridgeOptions } from "./bridge.js";

/**
 * What `bridgeCheck()` verifies for CHECK: that the attachment still matches `prevResult`.
 *
 * @example
 * ```ts
 * const att = { network: "lab", containerId: "ctr1", ifname: "eth0" };
 * const cfg = hostLocal.parseConfig({ ipam: { type: "host-local", subnet: "10.22.0.0/24" } });
 * const prevResult = await bridgeAttach({ ...att, netnsPath: "/run/netns/ctr1", bridge: "cni0", ipam: () => hostLocal.allocate(att, cfg) });
 * const spec: BridgeCheckSpec = { ...att, netnsPath: "/run/netns/ctr1", bridge: "cni0", promiscMode: false, prevResult };
 * await bridgeCheck(spec); // throws a CniError naming the first thing that differs
 * ```
 */
export interface BridgeCheckSpec extends Attachment, Pick<BridgeOptions, "bridge" | "promiscMode"> {
  /** The container's network namespace (CNI_NETNS); prevResult's container interface must name it as its `sandbox`. */
  netnsPath: string;
  /** Where the bridge and the host veth live; default the current namespace. */
  hostNetns?: NetnsRef;
  /** The ADD result to compare with (CNI's prevResult): bridge, container interface, host veth, addresses, routes. */
  prevResult: CniResult;
}

/**
 * CHECK, as the reference's: the bridge (kind, MAC, promiscuity), the container interface (a veth
 * in the sandbox, MAC), the host veth paired with it on the bridge, then the addresses and routes
 * of prevResult inside the container. Throws a CniError naming the first thing that differs.
 *
 * @example
 * ```ts
 * import { readFileSync } from "node:fs";
 * // the result libcni cached at ADD
 * const cached = JSON.parse(readFileSync("/var/lib/cni/results/lab-ctr1-eth0", "utf8"));
 * const prevResult = parseResult(cached.result, "1.0.0");
 * try {
 *   await bridgeCheck({ network: "lab", containerId: "ctr1", ifname: "eth0", netnsPath: "/run/netns/ctr1", bridge: "cni0", prevResult });
 * } catch (e) {
 *   if (!(e instanceof CniError)) throw e;
 *   console.log("CHECK failed:", e.message); // e.g. Failed to match addr 10.22.0.2/24 on interface eth0
 * }
 * ```
 */
export async function bridgeCheck(spec: BridgeCheckSpec): Promise<void> {
  const brName = checkBridgeSpec(spec);
  const r = spec.prevResult;
  const brIf = r.interfaces?.find((i) => i.name === brName);
  const contIf = r.interfaces?.find((i) => i.name === spec.ifname && i.sandbox === spec.netnsPath);
  if (!brIf) fail(`Interface name missing: prevResult has no interface ${brName} (the bridge)`);
  if (brIf!.sandbox) fail(`Interface ${brIf!.name} should not be in sandbox`);
  if (!contIf) fail(`Sandbox in prevResult doesn't match configured netns: ${spec.netnsPath}`);
  const nsfd = openNetnsPath(spec.netnsPath);
  let host: Rtnl | undefined, cont: Rtnl | undefined;
  try {
    host = await Rtnl.open(spec.hostNetns ?? {});
    cont = await Rtnl.open({ netnsFd: nsfd });
    const br = await findLink(host, brName);
    if (!br) fail(`Interface name ${brName} not found`);
    if (br!.kind !== "bridge") fail(`Interface ${brName} does not have link type of bridge`);
    if (brIf!.mac && brIf!.mac !== br!.address) fail(`Bridge interface ${brName} Mac doesn't match: ${brIf!.mac}`);
    const promisc = br!.flags.includes("PROMISC");
    if (promisc !== (spec.promiscMode ?? false)) {
      fail(`Bridge interface ${brName} configured Promisc Mode ${spec.promiscMode ?? false} doesn't match current state: ${promisc} `);
    }
    const c = await findLink(cont, spec.ifname);
    if (!c) fail(`Interface name ${spec.ifname} not found`);
    if (c!.kind !== "veth") fail(`Error: Container interface ${spec.ifname} not of type veth`);
    if (contIf!.mac && contIf!.mac !== c!.address) fail(`Interface ${spec.ifname} Mac ${contIf!.mac} doesn't match container Mac: ${c!.address}`);
    let vethFound = false;
    for (const i of r.interfaces ?? []) {
      if (i.name === brName || i.name === contIf!.name || i.sandbox) continue;
      const h = await findLink(host, i.name);
      if (!h) fail(`Interface name ${i.name} not found`);
      if (h!.kind !== "veth") continue;
      if (h!.index !== c!.link || h!.link !== c!.index || h!.master !== br!.index) continue;
      if (i.mac && i.mac !== h!.address) fail(`Interface ${i.name} Mac doesn't match: ${i.mac} not found`);
      vethFound = true;
      break;
    }
    if (!vethFound) fail(`CNI veth created for bridge ${brName} was not found`);
    await checkAddresses(cont, c!, r);
    await checkRoutes(cont, r);
  } finally {
    host?.close();
    cont?.close();
    fs.closeSync(nsfd);
  }
}

async function checkAddresses(cont: Rtnl, link: Link, r: CniResult): Promise<void> {
  const have = (await settled(() => cont.addr.list({ dev: link.index }))).map((a) => `${formatAddr(parseAddr(a.local)!)}/${a.prefixlen}`);
  for (const ip of r.ips ?? []) {
    const itf = ip.interface !== undefined ? r.interfaces?.[ip.interface] : undefined;
    if (itf && itf.name !== link.name) continue;
    const n = parseNet(ip.address)!;
    if (!have.includes(formatNet(n))) fail(`Failed to match addr ${formatNet(n)} on interface ${link.name}`);
  }
}

async function checkRoutes(cont: Rtnl, r: CniResult): Promise<void> {
  for (const rt of r.routes ?? []) {
    const dst = parseNet(rt.dst)!;
    const fam = dst.addr.family;
    const routes = await settled(() => cont.route.list({ family: fam, table: rt.table ?? "main" }));
    const found = routes.some((x) => {
      if (x.dstLen !== dst.prefixlen) return false;
      const addr = x.dstLen === 0 ? { family: fam, value: 0n } : parseAddr(x.dst.split("/")[0]);
      if (!addr || !sameAddr(networkAddr({ addr, prefixlen: x.dstLen }), networkAddr(dst))) return false;
      return rt.gw === undefined || sameAddr(parseAddr(x.gateway), parseAddr(rt.gw));
    });
    if (!found) fail(`Failed to match route ${rt.dst}${rt.gw ? ` via ${rt.gw}` : ""}`);
  }
}
