// `ip monitor`'s lines for typed events, and nlkit's JSON line per event (ip 6.1 has no JSON
// monitor). The text of each object is its `show` text with ip monitor's differences.
import type { Link } from "../../rtnl/link/types.js";
import { linkToIpJson } from "../../rtnl/link/json.js";
import { addrToIpJson } from "../../rtnl/json/addr.js";
import { neighToIpJson } from "../../rtnl/json/neigh.js";
import { routeToIpJson } from "../../rtnl/json/route.js";
import { ruleToIpJson } from "../../rtnl/json/rule.js";
import type { MonitorEvent } from "../../rtnl/monitor/index.js";
import { addrInfoText } from "./addr.js";
import { linkText } from "./link.js";
import { neighText } from "./neigh.js";
import { stripDetails } from "./records.js";
import { routeText } from "./route.js";
import { ruleText } from "./rule.js";

export interface MonitorPrintOptions {
  json: boolean;
  /** `ip monitor all` / `label`: each event starts with [LINK], [ADDR]... */
  banners: boolean;
  nsName?: (nsid: number) => string | undefined;
}

const BANNERS = { link: "[LINK]", addr: "[ADDR]", route: "[ROUTE]", neigh: "[NEIGH]", rule: "[RULE]" } as const;

// iproute2's link_events[] (IFLA_EVENT)
const LINK_EVENTS = ["NONE", "REBOOT", "FEATURE CHANGE", "BONDING FAILOVER", "NOTIFY PEERS", "RESEND IGMP", "BONDING OPTION"];

/**
 * Prints events one after the other. Like ip, it keeps a table of links fed by the link events
 * themselves (and a listing taken when it starts): peers and masters are named from it, and a
 * link whose lower device is down there is flagged M-DOWN.
 */
export class MonitorPrinter {
  private readonly links: Map<number, Link>;

  constructor(links: readonly Link[], private readonly o: MonitorPrintOptions) {
    this.links = new Map(links.map((l) => [l.index, l]));
  }

  /** One event's lines, newline-terminated. */
  format(ev: MonitorEvent): string {
    if (ev.object === "link") {
      if (ev.action === "new") this.links.set(ev.data.index, ev.data);
      else this.links.delete(ev.data.index);
    }
    if (this.o.json) {
      const line: Record<string, unknown> = { object: ev.object, action: ev.action };
      if (ev.resynced) line.resynced = true;
      line.data = this.record(ev);
      return JSON.stringify(line) + "\n";
    }
    // ip prints what the kernel said and nothing else: what nlkit found out itself is marked
    return (ev.resynced ? "[RESYNC]" : "") + (this.o.banners ? BANNERS[ev.object] : "") + (ev.action === "del" ? "Deleted " : "") + this.text(ev) + "\n";
  }

  /** The data as `ip -j ... show` prints the object. */
  private record(ev: MonitorEvent): Record<string, unknown> {
    switch (ev.object) {
      case "link": return stripDetails(linkToIpJson(ev.data, this.links), false);
      case "addr": return { index: ev.data.index, dev: ev.data.dev, ...addrToIpJson(ev.data) };
      case "route": return routeToIpJson(ev.data);
      case "neigh": return neighToIpJson(ev.data);
      default: return ruleToIpJson(ev.data);
    }
  }

  private text(ev: MonitorEvent): string {
    switch (ev.object) {
      case "link": return this.linkLines(ev.data);
      // ip monitor reads addresses "oneline": each starts with its device
      case "addr": return `${ev.data.index}: ${ev.data.dev}${addrInfoText(addrToIpJson(ev.data))}`;
      case "route": return routeText(routeToIpJson(ev.data));
      case "neigh": return neighText(neighToIpJson(ev.data));
      default: return ruleText(ruleToIpJson(ev.data));
    }
  }

  /**
   * `ip link show`'s lines as print_linkinfo writes them outside `ip link`: no mode, qlen, alias
   * or altnames, "@NONE" for a peer not linked yet, IFLA_EVENT named, and the first line ends
   * with a space.
   */
  private linkLines(l: Link): string {
    const j = stripDetails(linkToIpJson(l, this.links), false);
    for (const k of ["linkmode", "txqlen", "ifalias", "altnames"]) delete j[k];
    if (l.link === 0) j.link = "NONE";
    const lines = linkText(j, { details: false, mode: false, ...(this.o.nsName ? { nsName: this.o.nsName } : {}) }).split("\n");
    const event = (l.other as { event?: number } | undefined)?.event;
    lines[0] += " " + (event ? `event ${LINK_EVENTS[event] ?? event} ` : "");
    return lines.join("\n");
  }
}
