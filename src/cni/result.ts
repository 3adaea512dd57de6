// CNI results: one internal form (the newest spec's), converted to whatever version a request is
// in, with the fields and key order libcni's types print (so the JSON matches the reference's).
import { CNI_ERR, CniError } from "./errors.js";
import { parseAddr, parseNet } from "./ip.js";
import { versionAtLeast } from "./version.js";

/**
 * An interface in a CNI result: its name, MAC and, for the container's, its namespace path.
 *
 * @example
 * ```ts
 * const result = await bridgeAttach({ network: "lab", containerId: "ctr1", ifname: "eth0", netnsPath: "/run/netns/ctr1" });
 * // the container's interface is the one with a sandbox; the others are the bridge and the host veth
 * const ctr: CniInterface | undefined = result.interfaces?.find((i) => i.sandbox !== undefined);
 * console.log(ctr?.name, ctr?.mac, ctr?.mtu, ctr?.sandbox); // eth0 9e:.. 1500 /run/netns/ctr1
 * ```
 */
export interface CniInterface {
  /** The interface's name, in the container's namespace for one with a `sandbox` ("eth0", "cni0", "veth1a2b3c4d"). */
  name: string;
  /** Its hardware address, "9e:3b:..."; absent when not known. */
  mac?: string;
  /** 1.1.0 */
  mtu?: number;
  /** The CNI_NETNS value, for interfaces inside the container. */
  sandbox?: string;
  /** 1.1.0 */
  socketPath?: string;
  /** 1.1.0 */
  pciID?: string;
}

/**
 * An address in a CNI result, with its gateway and the interface it is on.
 *
 * @example
 * ```ts
 * const prev = parseResult({
 *   cniVersion: "1.0.0",
 *   interfaces: [{ name: "cni0" }, { name: "veth1a2b3c4d" }, { name: "eth0", sandbox: "/run/netns/ctr1" }],
 *   ips: [{ interface: 2, address: "10.22.0.5/24", gateway: "10.22.0.1" }],
 * }, "1.0.0");
 * for (const ip of prev.ips ?? []) {
 *   const on = ip.interface !== undefined ? prev.interfaces?.[ip.interface]?.name : undefined;
 *   console.log(ip.address, "gateway", ip.gateway, "on", on); // 10.22.0.5/24 gateway 10.22.0.1 on eth0
 * }
 * ```
 */
export interface CniIpConfig {
  /** Index into interfaces. */
  interface?: number;
  /** "10.22.0.2/24" */
  address: string;
  /**
   * The gateway for this address's family ("10.22.0.1"): the next hop of routes that give no `gw`;
   * absent when there is none.
   */
  gateway?: string;
}

/**
 * A route in a CNI result or IPAM configuration.
 *
 * @example
 * ```ts
 * // routes the container gets; a route without gw goes via the gateway of its family
 * const routes: CniRoute[] = [
 *   { dst: "0.0.0.0/0" },
 *   { dst: "198.51.100.0/24", gw: "10.22.0.254", priority: 100 },
 * ];
 * const cfg = hostLocal.parseConfig({ ipam: { type: "host-local", subnet: "10.22.0.0/24", routes } });
 * console.log(cfg.routes);
 * ```
 */
export interface CniRoute {
  /** "0.0.0.0/0" */
  dst: string;
  /** The next hop ("10.22.0.254"); absent: the first `gateway` of the same family in `ips`, else none (an on-link route). */
  gw?: string;
  /** 1.1.0 route attributes */
  mtu?: number;
  /** 1.1.0: the MSS to advertise on the route, in bytes (ip route's `advmss`). */
  advmss?: number;
  /** 1.1.0: the route's metric (ip route's `metric`/`priority`, RTA_PRIORITY); absent or 0: none. */
  priority?: number;
  /** 1.1.0: the routing table's number (ip route's `table`); absent or 0: main. */
  table?: number;
  /** 1.1.0: the route's scope as a number (0 universe, 253 link, 254 host); absent: chosen as ip route chooses it. */
  scope?: number;
}

/**
 * DNS settings in a CNI result, as resolv.conf would hold them.
 *
 * @example
 * ```ts
 * const dns: CniDns = { nameservers: ["10.22.0.1"], domain: "lab.example", search: ["lab.example"], options: ["ndots:2"] };
 * const result = await bridgeAttach({
 *   network: "lab", containerId: "ctr1", ifname: "eth0", netnsPath: "/run/netns/ctr1", dns,
 *   ipam: { cniVersion: "1.1.0", ips: [{ address: "10.22.0.5/24" }] },
 * });
 * console.log(result.dns?.nameservers); // [ '10.22.0.1' ]
 * ```
 */
export interface CniDns {
  /** Name server addresses, in order (resolv.conf's `nameserver` lines). */
  nameservers?: string[];
  /** The local domain name (resolv.conf's `domain`). */
  domain?: string;
  /** Domains to search for short names, in order (resolv.conf's `search`). */
  search?: string[];
  /** Resolver options such as "ndots:2" (resolv.conf's `options`). */
  options?: string[];
}

/**
 * A CNI result (the JSON a plugin prints on ADD and receives as `prevResult`): interfaces, IPs, routes
 * and DNS.
 *
 * @example
 * ```ts
 * // static addressing: the result an IPAM plugin would have returned, given directly
 * const ipam: CniResult = {
 *   cniVersion: "1.1.0",
 *   ips: [{ address: "10.22.0.5/24", gateway: "10.22.0.1" }],
 *   routes: [{ dst: "0.0.0.0/0" }],
 * };
 * const result = await bridgeAttach({ network: "lab", containerId: "ctr1", ifname: "eth0", netnsPath: "/run/netns/ctr1", isGateway: true, ipam });
 * console.log(result.interfaces?.map((i) => i.name)); // [ 'cni0', 'veth1a2b3c4d', 'eth0' ]
 * ```
 */
export interface CniResult {
  /** The spec version the result was written in; one parsed without it gets the configuration's. */
  cniVersion: string;
  /** The interfaces the plugins created or configured; `ips[].interface` indexes into this list. */
  interfaces?: CniInterface[];
  /** The addresses assigned, with their gateways. */
  ips?: CniIpConfig[];
  /** The routes to set up in the container. */
  routes?: CniRoute[];
  /** DNS settings for the runtime to give the container (plugins do not write resolv.conf). */
  dns?: CniDns;
}

/** Puts present keys in order, dropping undefined ones (Go's omitempty for the fields nlkit sets). */
function pick<T extends object>(o: T, keys: readonly (keyof T)[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = o[k];
    if (v === undefined || v === "" || (Array.isArray(v) && v.length === 0)) continue;
    out[k as string] = v;
  }
  return out;
}

function dnsJson(d: CniDns | undefined): Record<string, unknown> {
  return pick(d ?? {}, ["nameservers", "domain", "search", "options"]);
}

const isV6 = (cidrOrIp: string): boolean => cidrOrIp.includes(":");

/**
 * The result as `version` prints it: 1.1.0 with its interface and route additions; 1.0.0 without
 * them; 0.3.x/0.4.0 with `ips[].version`; 0.1.0/0.2.0 in the old ip4/ip6 form.
 *
 * @example
 * ```ts
 * const r: CniResult = { cniVersion: "1.1.0", ips: [{ address: "10.22.0.5/24", gateway: "10.22.0.1" }], routes: [{ dst: "0.0.0.0/0" }] };
 * console.log(resultJson(r, "0.4.0").ips); // [ { version: '4', address: '10.22.0.5/24', gateway: '10.22.0.1' } ]
 * console.log(resultJson(r, "0.2.0").ip4); // { ip: '10.22.0.5/24', gateway: '10.22.0.1', routes: [ { dst: '0.0.0.0/0' } ] }
 * ```
 */
export function resultJson(r: CniResult, version: string): Record<string, unknown> {
  if (versionAtLeast(version, "0.3.0") === false) return legacyJson(r, version);
  const v11 = versionAtLeast(version, "1.1.0") === true;
  const v1 = versionAtLeast(version, "1.0.0") === true;
  const out: Record<string, unknown> = { cniVersion: version };
  if (r.interfaces?.length) {
    out.interfaces = r.interfaces.map((i) => pick(i, v11 ? ["name", "mac", "mtu", "sandbox", "socketPath", "pciID"] : ["name", "mac", "sandbox"]));
  }
  if (r.ips?.length) {
    out.ips = r.ips.map((ip) => {
      const o = pick(ip, ["interface", "address", "gateway"]);
      return v1 ? o : { version: isV6(ip.address) ? "6" : "4", ...o };
    });
  }
  if (r.routes?.length) {
    out.routes = r.routes.map((rt) => pick(rt, v11 ? ["dst", "gw", "mtu", "advmss", "priority", "table", "scope"] : ["dst", "gw"]));
  }
  out.dns = dnsJson(r.dns);
  return out;
}

/** 0.1.0/0.2.0: the first address of each family, with the routes of that family. */
function legacyJson(r: CniResult, version: string): Record<string, unknown> {
  const out: Record<string, unknown> = { cniVersion: version };
  for (const fam of [4, 6] as const) {
    const ip = r.ips?.find((i) => isV6(i.address) === (fam === 6));
    if (!ip) continue;
    const routes = (r.routes ?? []).filter((rt) => isV6(rt.dst) === (fam === 6)).map((rt) => pick(rt, ["dst", "gw"]));
    out[`ip${fam}`] = pick({ ip: ip.address, gateway: ip.gateway, routes }, ["ip", "gateway", "routes"]);
  }
  if (!out.ip4 && !out.ip6) {
    throw new CniError(CNI_ERR.incompatibleVersion, `cannot convert the result to version ${version}: it has no IP address`);
  }
  out.dns = dnsJson(r.dns);
  return out;
}

/**
 * The text a plugin prints: libcni indents results with four spaces.
 *
 * @example
 * ```ts
 * const result = await loopbackUp("/run/netns/ctr1");
 * // an ADD answers in the configuration's version, indented as libcni does
 * process.stdout.write(printResult(result, "1.0.0") + "\n");
 * ```
 */
export function printResult(r: CniResult, version: string): string {
  return JSON.stringify(resultJson(r, version), null, 4);
}

const bad = (why: string): never => {
  throw new CniError(CNI_ERR.decodingFailure, `could not parse prevResult: ${why}`);
};

function str(v: unknown, what: string, optional = false): string | undefined {
  if (v === undefined || v === null || (optional && v === "")) {
    if (optional) return undefined;
    return bad(`${what} is missing`);
  }
  if (typeof v !== "string") return bad(`${what} is not a string`);
  return v;
}

function int(v: unknown, what: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v)) return bad(`${what} is not an integer`);
  return v;
}

function strList(v: unknown, what: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) return bad(`${what} is not a list of strings`);
  return v as string[];
}

function parseDns(v: unknown): CniDns | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v)) return bad("dns is not an object");
  const d = v as Record<string, unknown>;
  const out: CniDns = {};
  const ns = strList(d.nameservers, "dns.nameservers"); if (ns) out.nameservers = ns;
  const dom = str(d.domain, "dns.domain", true); if (dom) out.domain = dom;
  const se = strList(d.search, "dns.search"); if (se) out.search = se;
  const op = strList(d.options, "dns.options"); if (op) out.options = op;
  return out;
}

function parseRoute(v: unknown, i: number): CniRoute {
  if (typeof v !== "object" || v === null) return bad(`routes[${i}] is not an object`);
  const r = v as Record<string, unknown>;
  const dst = str(r.dst, `routes[${i}].dst`)!;
  if (!parseNet(dst)) bad(`routes[${i}].dst "${dst}" is not a CIDR`);
  const out: CniRoute = { dst };
  const gw = str(r.gw, `routes[${i}].gw`, true);
  if (gw !== undefined) {
    if (!parseAddr(gw)) bad(`routes[${i}].gw "${gw}" is not an address`);
    out.gw = gw;
  }
  for (const k of ["mtu", "advmss", "priority", "table", "scope"] as const) {
    const n = int(r[k], `routes[${i}].${k}`);
    if (n !== undefined) out[k] = n;
  }
  return out;
}

/**
 * A prevResult (or any plugin's output) of any version, in the internal form. A result without a
 * cniVersion is taken to be in `configVersion`, as libcni does.
 *
 * @example
 * ```ts
 * // an old plugin's output: ip4/ip6 sections, no interfaces
 * const old = { cniVersion: "0.2.0", ip4: { ip: "10.22.0.5/24", gateway: "10.22.0.1", routes: [{ dst: "0.0.0.0/0" }] } };
 * const r = parseResult(old, "0.2.0");
 * console.log(r.ips, r.routes); // [ { address: '10.22.0.5/24', gateway: '10.22.0.1' } ] [ { dst: '0.0.0.0/0' } ]
 * ```
 */
export function parseResult(raw: unknown, configVersion: string): CniResult {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return bad("not an object");
  const o = raw as Record<string, unknown>;
  const version = (typeof o.cniVersion === "string" && o.cniVersion) || configVersion;
  const out: CniResult = { cniVersion: version };
  if (o.ip4 !== undefined || o.ip6 !== undefined || versionAtLeast(version, "0.3.0") === false) {
    const ips: CniIpConfig[] = [];
    const routes: CniRoute[] = [];
    for (const fam of ["ip4", "ip6"] as const) {
      const c = o[fam];
      if (c === undefined || c === null) continue;
      if (typeof c !== "object") bad(`${fam} is not an object`);
      const cfg = c as Record<string, unknown>;
      const address = str(cfg.ip, `${fam}.ip`)!;
      if (!parseNet(address)) bad(`${fam}.ip "${address}" is not a CIDR`);
      const gateway = str(cfg.gateway, `${fam}.gateway`, true);
      ips.push(gateway ? { address, gateway } : { address });
      if (cfg.routes !== undefined && cfg.routes !== null) {
        if (!Array.isArray(cfg.routes)) bad(`${fam}.routes is not a list`);
        (cfg.routes as unknown[]).forEach((r, i) => routes.push(parseRoute(r, i)));
      }
    }
    if (ips.length) out.ips = ips;
    if (routes.length) out.routes = routes;
  } else {
    if (o.interfaces !== undefined && o.interfaces !== null) {
      if (!Array.isArray(o.interfaces)) bad("interfaces is not a list");
      out.interfaces = (o.interfaces as unknown[]).map((v, i) => {
        if (typeof v !== "object" || v === null) return bad(`interfaces[${i}] is not an object`);
        const x = v as Record<string, unknown>;
        const itf: CniInterface = { name: str(x.name, `interfaces[${i}].name`)! };
        for (const k of ["mac", "sandbox", "socketPath", "pciID"] as const) {
          const s = str(x[k], `interfaces[${i}].${k}`, true);
          if (s !== undefined) itf[k] = s;
        }
        const mtu = int(x.mtu, `interfaces[${i}].mtu`);
        if (mtu) itf.mtu = mtu;
        return itf;
      });
    }
    if (o.ips !== undefined && o.ips !== null) {
      if (!Array.isArray(o.ips)) bad("ips is not a list");
      out.ips = (o.ips as unknown[]).map((v, i) => {
        if (typeof v !== "object" || v === null) return bad(`ips[${i}] is not an object`);
        const x = v as Record<string, unknown>;
        const address = str(x.address, `ips[${i}].address`)!;
        if (!parseNet(address)) bad(`ips[${i}].address "${address}" is not a CIDR`);
        const ip: CniIpConfig = { address };
        const idx = int(x.interface, `ips[${i}].interface`);
        if (idx !== undefined) ip.interface = idx;
        const gw = str(x.gateway, `ips[${i}].gateway`, true);
        if (gw !== undefined) {
          if (!parseAddr(gw)) bad(`ips[${i}].gateway "${gw}" is not an address`);
          ip.gateway = gw;
        }
        return ip;
      });
    }
    if (o.routes !== undefined && o.routes !== null) {
      if (!Array.isArray(o.routes)) bad("routes is not a list");
      out.routes = (o.routes as unknown[]).map(parseRoute);
    }
  }
  const dns = parseDns(o.dns);
  if (dns) out.dns = dns;
  return out;
}
