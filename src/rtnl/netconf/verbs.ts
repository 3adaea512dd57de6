import { decodeParts } from "../../netlink/compiled.js";
import type { Decoder } from "../../netlink/decoder.js";
import { NetlinkError, NlkitInputError } from "../../netlink/errors.js";
import type { IpFamily } from "../../netlink/ip.js";
import { tableRequest, type CallOptions } from "../../netlink/socket.js";
import { checkKeys, familyNumber, objectIn } from "../input.js";
import { nameOf } from "../names.js";
import { AF_INET, AF_INET6, AF_MPLS, AF_UNSPEC, RTM_DELNETCONF, RTM_GETNETCONF, RTM_NEWNETCONF } from "../types.js";
import { ObjectVerbs } from "../verb.js";
import { NETCONF_IFINDEX_ALL, NETCONF_IFINDEX_DEFAULT, netconfDef, RP_FILTER_NAMES } from "./table.js";

/**
 * A device, or the "all" / "default" entries of /proc/sys/net/ipv{4,6}/conf.
 *
 * @example
 * ```ts
 * const devs: NetconfDev[] = ["all", "default", "eth0", 1];
 * for (const dev of devs) console.log(dev, (await rt.netconf.get({ dev, family: 4 })).rpFilter);
 * ```
 */
export type NetconfDev = string | number;

/**
 * Which device's (or "all"'s, "default"'s) per-family configuration `rt.netconf.get()` asks for, as
 * `ip netconf show dev X` does.
 *
 * @example
 * ```ts
 * const spec: NetconfGetSpec = { dev: "default", family: 6 };
 * const conf = await rt.netconf.get(spec);   // what new devices get: net.ipv6.conf.default.*
 * console.log(conf.forwarding, conf.proxyNeigh);
 * ```
 */
export interface NetconfGetSpec {
  /** The device by name or index, or "all" / "default" for those conf entries (required, as ip netconf show dev). */
  dev: NetconfDev;
  /** The kernel answers one family per request. */
  family: IpFamily | "mpls";
}

/**
 * What `rt.netconf.list()` dumps: one family, or every family the kernel reports.
 *
 * @example
 * ```ts
 * const filter: NetconfListFilter = { family: 4, dev: "veth0" };
 * const [conf] = await rt.netconf.list(filter);
 * console.log(conf?.rpFilter, conf?.ignoreRoutesWithLinkdown);
 * ```
 */
export interface NetconfListFilter {
  /** Left out: every family the kernel reports (inet, inet6, and mpls where enabled). */
  family?: IpFamily | "mpls";
  /** Keep only this device's entries (or "all" / "default"'s), by name or index; matched here, the dump is of every device. */
  dev?: NetconfDev;
}

/**
 * One family's configuration of one device, as `ip netconf` shows it. Absent: not reported for that family.
 *
 * @example
 * ```ts
 * const all: Netconf = await rt.netconf.get({ dev: "all", family: 4 });
 * if (!all.forwarding) console.log("IPv4 forwarding is off (net.ipv4.conf.all.forwarding = 0)");
 * ```
 */
export interface Netconf {
  /** 4, 6, or the address family number (28 for MPLS). */
  family: IpFamily | number;
  /** The device index; -1 for "all", -2 for "default". */
  index: number;
  /** The device name, or "all" / "default". */
  dev: string;
  /** IP forwarding on this device. */
  forwarding?: boolean;
  /** "off", "strict", "loose" (or the number the kernel keeps beyond those). */
  rpFilter?: string | number;
  /** Multicast forwarding. */
  mcForwarding?: boolean;
  /** Proxy ARP / NDP. */
  proxyNeigh?: boolean;
  /** Routes through a device without carrier are ignored. */
  ignoreRoutesWithLinkdown?: boolean;
  /** MPLS: the device accepts labelled packets. */
  input?: boolean;
  /** IPv4 broadcast forwarding. */
  bcForwarding?: boolean;
}

const EOPNOTSUPP = 95;
const BOOLEAN_KEYS = ["forwarding", "mcForwarding", "proxyNeigh", "ignoreRoutesWithLinkdown", "input", "bcForwarding"] as const;

function familyIn(f: NetconfGetSpec["family"] | undefined): number {
  return f === "mpls" ? AF_MPLS : familyNumber(f, "family");
}

interface NcmHeader { family?: number }

/** One RTM_NEWNETCONF as a Netconf, the device named "if<index>" until resolved. */
export const decodeNetconf: Decoder<Netconf | undefined> = (buf, start, len) => {
  const m = decodeParts<NcmHeader>(buf, start, len, netconfDef);
  if (m.type !== RTM_NEWNETCONF && m.type !== RTM_DELNETCONF) return undefined;
  const a = m.attrs as Record<string, number | undefined>;
  const af = m.header.family ?? 0;
  const index = a.ifindex ?? 0;
  const n: Netconf = {
    family: af === AF_INET ? 4 : af === AF_INET6 ? 6 : af,
    index,
    dev: index === NETCONF_IFINDEX_ALL ? "all" : index === NETCONF_IFINDEX_DEFAULT ? "default" : `if${index}`,
  };
  for (const k of BOOLEAN_KEYS) if (a[k] !== undefined) n[k] = a[k] !== 0;
  if (a.rpFilter !== undefined) n.rpFilter = RP_FILTER_NAMES[a.rpFilter] ?? a.rpFilter;
  return n;
};

/**
 * ip netconf show, over RTM_GETNETCONF: read-only, the values are the sysctls'.
 *
 * @example
 * ```ts
 * const c = await rt.netconf.get({ dev: "eth0", family: 4 });   // ip -4 netconf show dev eth0
 * console.log(c.forwarding, c.rpFilter);   // true "loose"
 * for (const d of await rt.netconf.list({ family: 6 })) console.log(d.dev, d.forwarding);
 * ```
 */
export class NetconfApi extends ObjectVerbs {
  /** One family's configuration of one device (or "all" / "default"), asked of the kernel directly. */
  async get(spec: NetconfGetSpec, opts?: CallOptions): Promise<Netconf> {
    const s = objectIn(spec, "netconf get spec", "dev") as unknown as NetconfGetSpec;
    checkKeys(s, new Set(["dev", "family"]), "");
    if (s.family === undefined) throw new NlkitInputError("family is required (4, 6 or \"mpls\"): the kernel answers one family per request", "family");
    const family = familyIn(s.family);
    if (s.dev === undefined) throw new NlkitInputError("dev is required (a device, \"all\" or \"default\")", "dev");
    const ifindex = await this.index(s.dev, opts);
    // asked with NLM_F_ACK, as ip asks: the answer is the configuration message, then the ack
    const req = tableRequest(netconfDef, RTM_GETNETCONF, 0, { family }, { ifindex });
    const rows = await this.ctx.socket.request(req, decodeNetconf, opts);
    const found = rows.filter((n): n is Netconf => n !== undefined);
    if (!found.length) throw new NetlinkError(2, { message: "netconf lookup returned nothing" });
    await this.name(found, opts);
    return found[0]!;
  }

  /** Every device's configuration (and "all", "default"), family by family as the kernel dumps them. */
  async list(filter: NetconfListFilter = {}, opts?: CallOptions): Promise<Netconf[]> {
    const f = objectIn(filter, "list filter", "filter") as NetconfListFilter;
    checkKeys(f, new Set(["family", "dev"]), "filter");
    const family = f.family === undefined ? AF_UNSPEC : familyIn(f.family);
    const index = f.dev !== undefined ? await this.index(f.dev, opts) : undefined;
    const rows = await this.dumpFamily(family, opts).catch(async (e: unknown) => {
      // kernels before 4.x cannot dump every family at once: ask inet and inet6 in turn, as ip does
      if (family !== AF_UNSPEC || !(e instanceof NetlinkError) || e.errno !== EOPNOTSUPP) throw e;
      return [...await this.dumpFamily(AF_INET, opts), ...await this.dumpFamily(AF_INET6, opts)];
    });
    const found = rows.filter((n): n is Netconf => n !== undefined && (index === undefined || n.index === index));
    await this.name(found, opts);
    return found;
  }

  private dumpFamily(family: number, opts?: CallOptions): Promise<Array<Netconf | undefined>> {
    return this.readDump(tableRequest(netconfDef, RTM_GETNETCONF, 0, { family }), decodeNetconf, opts);
  }

  private index(dev: NetconfDev, opts?: CallOptions): Promise<number> | number {
    if (dev === "all") return NETCONF_IFINDEX_ALL;
    if (dev === "default") return NETCONF_IFINDEX_DEFAULT;
    return this.ctx.ifindex(dev, "dev", opts);
  }

  private async name(list: Netconf[], opts?: CallOptions): Promise<void> {
    const devices = list.filter((n) => n.index > 0);
    if (!devices.length) return;
    const names = await this.ctx.names.resolve(devices.map((n) => n.index), opts);
    for (const n of devices) n.dev = nameOf(names, n.index);
  }
}
