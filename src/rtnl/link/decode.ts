import type { AttrValues, RawAttr } from "../../netlink/attrs.js";
import { decodeMessage } from "../../netlink/message.js";
import { linkMessage } from "./attrs.js";
import "./kinds/index.js";
import type { Link, LinkAfSpec, LinkStats64 } from "./types.js";

// ip's print order for ifi_flags (iproute2 print_link_flags), RUNNING folded into NO-CARRIER.
const IFF_UP = 0x1;
const IFF_RUNNING = 0x40;
const FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [0x8, "LOOPBACK"], [0x2, "BROADCAST"], [0x10, "POINTOPOINT"], [0x1000, "MULTICAST"], [0x80, "NOARP"],
  [0x200, "ALLMULTI"], [0x100, "PROMISC"], [0x400, "MASTER"], [0x800, "SLAVE"], [0x4, "DEBUG"],
  [0x8000, "DYNAMIC"], [0x4000, "AUTOMEDIA"], [0x2000, "PORTSEL"], [0x20, "NOTRAILERS"], [0x1, "UP"],
  [0x10000, "LOWER_UP"], [0x20000, "DORMANT"], [0x40000, "ECHO"],
];

export function flagNames(flags: number): string[] {
  const out: string[] = [];
  if (flags & IFF_UP && !(flags & IFF_RUNNING)) out.push("NO-CARRIER");
  let rest = flags & ~IFF_RUNNING;
  for (const [bit, name] of FLAG_NAMES) {
    if (rest & bit) {
      out.push(name);
      rest &= ~bit;
    }
  }
  if (rest) out.push(rest.toString(16));
  return out;
}

/** ARPHRD_* to ip's link_type names (iproute2 ll_types.c). */
const LINK_TYPES = new Map<number, string>([
  [0, "netrom"], [1, "ether"], [2, "eether"], [3, "ax25"], [4, "pronet"], [5, "chaos"], [6, "ieee802"],
  [7, "arcnet"], [8, "atalk"], [15, "dlci"], [19, "atm"], [23, "metricom"], [24, "ieee1394"], [27, "eui64"],
  [32, "infiniband"], [256, "slip"], [257, "cslip"], [258, "slip6"], [259, "cslip6"], [260, "rsrvd"],
  [264, "adapt"], [270, "rose"], [271, "x25"], [272, "hwx25"], [280, "can"], [290, "mctp"], [512, "ppp"],
  [513, "hdlc"], [516, "lapb"], [517, "ddcmp"], [518, "rawhdlc"], [519, "rawip"], [768, "ipip"],
  [769, "tunnel6"], [770, "frad"], [771, "skip"], [772, "loopback"], [773, "localtlk"], [774, "fddi"],
  [775, "bif"], [776, "sit"], [777, "ip/ddp"], [778, "gre"], [779, "pimreg"], [780, "hippi"], [781, "ash"],
  [782, "econet"], [783, "irda"], [784, "fcpp"], [785, "fcal"], [786, "fcpl"], [787, "fcfb"], [800, "tr"],
  [801, "tr+rh"], [802, "ieee802.11/fcs"], [803, "ieee802.11/radiotap"], [804, "ieee802.15.4"],
  [805, "ieee802.15.4/monitor"], [820, "phonet"], [821, "phonet_pipe"], [822, "caif"], [823, "gre6"],
  [824, "netlink"], [825, "6lowpan"], [826, "vsockmon"], [0xfffe, "none"], [0xffff, "void"],
]);

export function linkTypeName(type: number): string {
  return LINK_TYPES.get(type) ?? `[${type}]`;
}

interface LinkInfoValues {
  kind?: string;
  data?: Record<string, unknown> | Buffer;
  slaveKind?: string;
  slaveData?: Record<string, unknown> | Buffer;
}

/**
 * One RTM_NEWLINK message to a Link. Runs inside the socket's receive buffer: decodeMessage copies
 * what it keeps, and the mapping below reads each attribute once.
 */
export function decodeLink(buf: Buffer, start: number, len: number): Link {
  const m = decodeMessage(buf, start, len, linkMessage);
  const h = m.header as { type?: number; index?: number; flags?: number };
  const a = m.attrs as AttrValues;
  const flags = h.flags ?? 0;
  const type = h.type ?? 0;
  const link: Link = {
    index: h.index ?? 0,
    name: (a.ifname as string | undefined) ?? "",
    flags: flagNames(flags),
    ifiFlags: flags,
    up: (flags & IFF_UP) !== 0,
    linkType: linkTypeName(type),
    ifiType: type,
  };
  for (const key in a) {
    const v = a[key];
    switch (key) {
      case "ifname": break;
      case "txqlen": case "mtu": case "minMtu": case "maxMtu": case "qdisc": case "operstate": case "linkmode":
      case "address": case "broadcast": case "permAddress": case "group": case "master": case "link":
      case "linkNetnsid": case "numTxQueues": case "numRxQueues": case "gsoMaxSize": case "gsoMaxSegs":
      case "tsoMaxSize": case "tsoMaxSegs": case "groMaxSize": case "gsoIpv4MaxSize": case "groIpv4MaxSize":
      case "promiscuity": case "allmulti": case "carrierChanges": case "carrierUpCount": case "carrierDownCount":
      case "parentDevName": case "parentDevBusName": case "physPortName": case "physPortId": case "physSwitchId":
      case "numVf": case "xdp": case "unknown":
        (link as unknown as Record<string, unknown>)[key] = v;
        break;
      case "ifalias": link.alias = v as string; break;
      case "altIfname": link.altNames = v as string[]; break;
      case "propList": {
        const names = (v as { altIfname?: string[] }).altIfname;
        if (names) link.altNames = names;
        break;
      }
      case "carrier": link.carrier = v === 1; break;
      case "protoDown": link.protoDown = v === 1; break;
      case "stats64": link.stats64 = v as LinkStats64; break;
      case "afSpec": link.afSpec = v as LinkAfSpec; break;
      case "linkinfo": {
        const li = v as LinkInfoValues;
        if (li.kind !== undefined) link.kind = li.kind;
        if (li.data !== undefined) link.infoData = li.data;
        if (li.slaveKind !== undefined) link.slaveKind = li.slaveKind;
        if (li.slaveData !== undefined) link.infoSlaveData = li.slaveData;
        break;
      }
      default:
        // decoded but not part of the Link shape (stats, map, event...): keep it reachable
        ((link as unknown as { other?: Record<string, unknown> }).other ??= {})[key] = v;
    }
  }
  return link;
}

export type { RawAttr };
