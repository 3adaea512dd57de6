// host-local's ranges: a range set per address to hand out (dual stack = two sets), each set a list
// of non-overlapping ranges of one family. Defaults and refusals as the reference's allocator.
import { invalidConfig } from "../errors.js";
import {
  addToAddr, compareAddr, formatAddr, formatNet, inNet, lastAddr, networkAddr, parseAddr, parseNet, sameAddr,
  type IpAddr, type IpNet,
} from "../ip.js";

/**
 * One range of a host-local range set after defaults: subnet, first and last allocatable addresses,
 * gateway.
 *
 * @example
 * ```ts
 * const cfg = hostLocal.parseConfig({
 *   ipam: { type: "host-local", subnet: "10.22.0.0/24", rangeStart: "10.22.0.100", rangeEnd: "10.22.0.199" },
 * });
 * const r: IpRange = cfg.ranges[0]![0]!;
 * // addresses are { family, value } with the value a bigint
 * console.log(r.subnet.prefixlen, r.rangeEnd.value - r.rangeStart.value + 1n); // 24 100n
 * ```
 */
export interface IpRange {
  /** The subnet the addresses are in; its prefix length is the allocated addresses'. */
  subnet: IpNet;
  /** The first address handed out; default the subnet's first host address (.1). */
  rangeStart: IpAddr;
  /** The last address handed out (inclusive); default the subnet's last address, below the broadcast address for IPv4. */
  rangeEnd: IpAddr;
  /** The gateway the results name, never handed out; default the subnet's first host address (.1). */
  gateway: IpAddr;
}

/**
 * Ranges of one address family; one address is allocated from the whole set.
 *
 * @example
 * ```ts
 * const cfg = hostLocal.parseConfig({
 *   ipam: { type: "host-local", ranges: [[{ subnet: "10.22.0.0/24" }, { subnet: "10.23.0.0/24" }], [{ subnet: "2001:db8:22::/64" }]] },
 * });
 * // one address comes from each set: here one IPv4 (from either /24) and one IPv6
 * const v4: RangeSet | undefined = cfg.ranges.find((set) => set[0]?.subnet.addr.family === 4);
 * console.log(cfg.ranges.length, v4?.length); // 2 2
 * ```
 */
export type RangeSet = IpRange[];

/**
 * A range as written in the configuration (before defaults).
 *
 * @example
 * ```ts
 * // hand out .100 to .199 only; the gateway is .1
 * const range: RangeSpec = { subnet: "10.22.0.0/24", rangeStart: "10.22.0.100", rangeEnd: "10.22.0.199", gateway: "10.22.0.1" };
 * const cfg = hostLocal.parseConfig({ ipam: { type: "host-local", ranges: [[range]] } });
 * const result = await hostLocal.allocate({ network: "lab", containerId: "ctr1", ifname: "eth0" }, cfg);
 * console.log(result.ips?.[0]?.address); // 10.22.0.100/24
 * ```
 */
export interface RangeSpec {
  /** The subnet in CIDR notation, without host bits ("10.22.0.0/24"); at least four addresses (/30 or /126). */
  subnet: string;
  /** The first address to hand out, within the subnet; default the subnet's first host address. */
  rangeStart?: string;
  /** The last address to hand out, within the subnet; default its last (for IPv4, the one below broadcast). */
  rangeEnd?: string;
  /** The gateway results name ("10.22.0.1"), which is never handed out; default the subnet's first host address. */
  gateway?: string;
}

function addrField(v: unknown, what: string): IpAddr | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  const a = parseAddr(v);
  if (!a) throw invalidConfig(`${what} ${JSON.stringify(v)} is not an IP address`);
  return a;
}

/** Fills in start, end and gateway and checks them, as the reference's Range.Canonicalize. */
export function canonicalRange(spec: RangeSpec): IpRange {
  const subnet = parseNet(spec.subnet);
  if (!subnet) throw invalidConfig(`subnet ${JSON.stringify(spec.subnet)} is not a CIDR`);
  const width = subnet.addr.family === 4 ? 32 : 128;
  if (subnet.prefixlen > width - 2) throw invalidConfig(`Network ${formatNet(subnet)} too small to allocate from`);
  const net = networkAddr(subnet);
  if (!sameAddr(net, subnet.addr)) {
    throw invalidConfig(`Network has host bits set. For a subnet mask of length ${subnet.prefixlen} the network address is ${formatAddr(net)}`);
  }
  const r = { subnet } as IpRange;
  const within = (a: IpAddr) => inNet(subnet, a);
  const gw = addrField(spec.gateway, "gateway");
  r.gateway = gw ?? addToAddr(net, 1);
  const start = addrField(spec.rangeStart, "rangeStart");
  if (start && !within(start)) throw invalidConfig(`RangeStart ${formatAddr(start)} not in network ${formatNet(subnet)}`);
  r.rangeStart = start ?? addToAddr(net, 1);
  const end = addrField(spec.rangeEnd, "rangeEnd");
  if (end && !within(end)) throw invalidConfig(`RangeEnd ${formatAddr(end)} not in network ${formatNet(subnet)}`);
  // the IPv4 broadcast address is never handed out; IPv6 has none
  r.rangeEnd = end ?? (subnet.addr.family === 4 ? addToAddr(lastAddr(subnet), -1) : lastAddr(subnet));
  return r;
}

export function rangeContains(r: IpRange, a: IpAddr): boolean {
  return inNet(r.subnet, a) && compareAddr(a, r.rangeStart) >= 0 && compareAddr(a, r.rangeEnd) <= 0;
}

function rangesOverlap(a: IpRange, b: IpRange): boolean {
  if (a.subnet.addr.family !== b.subnet.addr.family) return false;
  return rangeContains(a, b.rangeStart) || rangeContains(a, b.rangeEnd) || rangeContains(b, a.rangeStart) || rangeContains(b, a.rangeEnd);
}

export function rangeText(r: IpRange): string {
  return `${formatAddr(r.rangeStart)}-${formatAddr(r.rangeEnd)}`;
}

export function rangeSetText(s: RangeSet): string {
  return s.map(rangeText).join(",");
}

export function rangeSetFor(s: RangeSet, a: IpAddr): IpRange | undefined {
  return s.find((r) => rangeContains(r, a));
}

export function canonicalRangeSet(specs: RangeSpec[], index: number): RangeSet {
  if (specs.length === 0) throw invalidConfig(`invalid range set ${index}: empty range set`);
  const set = specs.map((s) => {
    try {
      return canonicalRange(s);
    } catch (e) {
      throw invalidConfig(`invalid range set ${index}: ${(e as Error).message}`);
    }
  });
  const fam = set[0]!.subnet.addr.family;
  if (set.some((r) => r.subnet.addr.family !== fam)) throw invalidConfig(`invalid range set ${index}: mixed address families`);
  for (let i = 0; i < set.length; i++) {
    for (let j = i + 1; j < set.length; j++) {
      if (rangesOverlap(set[i]!, set[j]!)) {
        throw invalidConfig(`invalid range set ${index}: subnets ${rangeText(set[i]!)} and ${rangeText(set[j]!)} overlap`);
      }
    }
  }
  return set;
}

export function rangeSetsOverlap(a: RangeSet, b: RangeSet): boolean {
  return a.some((x) => b.some((y) => rangesOverlap(x, y)));
}

/**
 * The reference's round-robin order: from the address after the last one reserved (when it is in
 * the set), range by range, wrapping around, skipping each range's gateway, until back at the
 * first address tried.
 */
export function* candidates(set: RangeSet, lastReserved: IpAddr | undefined): Generator<{ addr: IpAddr; range: IpRange }> {
  let idx = 0;
  let cur: IpAddr | undefined;
  if (lastReserved) {
    const i = set.findIndex((r) => rangeContains(r, lastReserved));
    if (i >= 0) { idx = i; cur = lastReserved; }
  }
  let start: IpAddr | undefined;
  for (;;) {
    let r = set[idx]!;
    if (cur === undefined) {
      cur = r.rangeStart;
    } else if (sameAddr(cur, r.rangeEnd)) {
      idx = (idx + 1) % set.length;
      r = set[idx]!;
      cur = r.rangeStart;
    } else {
      cur = addToAddr(cur, 1);
    }
    if (start === undefined) start = cur;
    else if (sameAddr(cur, start)) return;
    if (sameAddr(cur, r.gateway)) continue;
    yield { addr: cur, range: r };
  }
}
