// What the checks share: one rtnetlink handle per namespace visited, the name behind each nsid,
// and the facts established so far along the path (egress device, peer, segment, gateway...).
import type { IpFamily } from "../netlink/ip.js";
import { netns } from "../netns/index.js";
import type { PingResult, TcpConnectResult, UdpAskResult } from "../probe/index.js";
import type { Addr } from "../rtnl/addr/verbs.js";
import type { Link } from "../rtnl/link/types.js";
import type { Route } from "../rtnl/route/verbs.js";
import { Rtnl } from "../rtnl/rtnl.js";
import type { Check } from "./types.js";

/** A namespace by name; undefined is the caller's current namespace. */
export type Ns = string | undefined;

export interface Endpoint {
  netns: Ns;
  link: Link;
}

/** Something on the other end of the egress link that holds addresses: the peer, its bridge, other ports' peers. */
export interface SegmentHost {
  netns: Ns;
  dev: string;
  lladdr?: string;
  role: "peer" | "bridge" | "port-peer";
  addrs: Addr[];
}

export interface ProbeOutcome {
  ping?: PingResult;
  udp?: UdpAskResult | null;
  tcp?: TcpConnectResult;
  error?: string;
}

export interface Facts {
  dst: string;
  family: IpFamily;
  /** The port is probed over TCP (a handshake) instead of UDP. */
  tcp?: boolean;
  port?: number;
  links: Link[];
  egress?: Link;
  /** How the egress device was chosen ("the kernel's route", "the only link besides lo"). */
  egressWhy?: string;
  route?: Route;
  /** The FIB entry that matched (RTM_F_FIB_MATCH): its dst and gateway as configured. */
  fib?: Route;
  routeError?: { code?: string; message: string };
  peer?: Endpoint;
  /** The peer lives in a namespace with this nsid that has no name under /run/netns. */
  peerNsidUnnamed?: number;
  /** The bridge the peer is a port of. */
  bridge?: Endpoint;
  /** A bridge in the peer's namespace that the peer should be a port of (its subnet is ours). */
  bridgeCandidate?: Endpoint;
  egressAddrs: Addr[];
  segment: SegmentHost[];
  gateway?: string;
  /** Where the gateway (or --router) lives: the namespace that forwards. */
  router?: Ns;
  routerKnown: boolean;
  src?: string;
  probe?: ProbeOutcome;
  /** How the router forwards the packet: the namespace, its output device, where it came in. */
  forwarding?: { router: Ns; out: string; ingress?: string };
  /** The router's flows of the probe's tuple before the probe ran: id -> seconds left. */
  natFlowsBefore?: Map<number, number>;
}

export class DoctorContext {
  private readonly handles = new Map<string, Rtnl>();
  private readonly nsidNames = new Map<string, Map<number, string>>();
  readonly checks: Check[] = [];

  constructor(readonly subject: Ns, readonly facts: Facts, readonly routerHint: Ns, readonly opts: { timeoutMs: number; count: number; signal?: AbortSignal }) {}

  /** The rtnetlink handle bound to a namespace, opened once. */
  rt(ns: Ns): Rtnl {
    const key = ns ?? "";
    let h = this.handles.get(key);
    if (!h) {
      h = Rtnl.openSync(ns === undefined ? {} : { netns: ns });
      this.handles.set(key, h);
    }
    return h;
  }

  /** The name, under /run/netns, of the namespace that `nsid` designates inside `inNs`. */
  async nsidName(inNs: Ns, nsid: number): Promise<string | undefined> {
    const key = inNs ?? "";
    let m = this.nsidNames.get(key);
    if (!m) {
      const entries = await netns.listDetailed(inNs === undefined ? {} : { in: inNs });
      m = new Map(entries.filter((e) => e.nsid !== undefined).map((e) => [e.nsid!, e.name]));
      this.nsidNames.set(key, m);
    }
    return m.get(nsid);
  }

  /** The namespace and link at the other end of a veth (or undefined when it cannot be followed). */
  async vethPeer(ns: Ns, link: Link): Promise<{ peer?: Endpoint; unnamedNsid?: number }> {
    if (link.kind !== "veth" || !link.link) return {};
    let peerNs: Ns = ns;
    if (link.linkNetnsid !== undefined) {
      peerNs = await this.nsidName(ns, link.linkNetnsid);
      if (peerNs === undefined) return { unnamedNsid: link.linkNetnsid };
    }
    try {
      return { peer: { netns: peerNs, link: await this.rt(peerNs).link.get(link.link) } };
    } catch {
      return {};
    }
  }

  add(check: Check): Check {
    this.checks.push(check);
    return check;
  }

  close(): void {
    for (const h of this.handles.values()) h.close();
    this.handles.clear();
  }
}

/** How evidence names a namespace. */
export function nsName(ns: Ns): string {
  return ns ?? "the current namespace";
}

/** `nlkit -n NS ...` (no -n for the current namespace). */
export function cmd(ns: Ns, words: string): string {
  return ns === undefined ? `nlkit ${words}` : `nlkit -n ${ns} ${words}`;
}
