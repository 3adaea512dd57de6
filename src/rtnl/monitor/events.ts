// What an rtnetlink notification is to the monitor: which object it is about, new or deleted,
// the object as the verbs' own decoders read it, and what identifies it (its key).
import { NLM_F_REPLACE, NLMSG_HDRLEN } from "../../netlink/constants.js";
import type { Decoder } from "../../netlink/decoder.js";
import { NetlinkParseError } from "../../netlink/errors.js";
import { readHeader } from "../../netlink/message.js";
import { decodeStruct } from "../../netlink/struct.js";
import { decodeAddr, type Addr } from "../addr/verbs.js";
import { ifinfomsg } from "../headers.js";
import { decodeLink } from "../link/decode.js";
import type { Link } from "../link/types.js";
import { decodeNeigh, type Neigh } from "../neigh/verbs.js";
import { decodeRoute, type Route } from "../route/verbs.js";
import { decodeRule, type Rule } from "../rule/verbs.js";
import {
  AF_UNSPEC, RTM_DELADDR, RTM_DELLINK, RTM_DELNEIGH, RTM_DELROUTE, RTM_DELRULE, RTM_NEWADDR, RTM_NEWLINK, RTM_NEWNEIGH,
  RTM_NEWROUTE, RTM_NEWRULE,
} from "../types.js";

/**
 * The rtnetlink objects a monitor can follow (`ip monitor`'s link, address, route, neigh, rule).
 *
 * @example
 * ```ts
 * const objects: MonitorObject[] = process.argv.includes("--routes") ? ["route"] : ["link", "addr"];
 * for await (const ev of rt.monitor({ objects })) console.log(ev.object, ev.action);
 * ```
 */
export type MonitorObject = "link" | "addr" | "route" | "neigh" | "rule";
/**
 * Whether a monitored object appeared or changed ("new") or went away ("del").
 *
 * @example
 * ```ts
 * for await (const ev of rt.monitor({ objects: ["addr"] })) {
 *   const action: MonitorAction = ev.action;   // "new" (added or changed) or "del"
 *   if (ev.object === "addr" && action === "del") console.log(`${ev.data.local} left ${ev.data.dev}`);
 * }
 * ```
 */
export type MonitorAction = "new" | "del";

/**
 * Every object, in the order a resync reports new ones (links first, so that their names are known).
 *
 * @example
 * ```ts
 * const objects = MONITOR_OBJECTS.filter((o) => o !== "neigh");   // everything but the neighbour churn
 * for await (const ev of rt.monitor({ objects })) console.log(ev.object, ev.action);
 * ```
 */
export const MONITOR_OBJECTS: readonly MonitorObject[] = ["link", "addr", "route", "neigh", "rule"];

export interface ObjectData {
  link: Link;
  addr: Addr;
  route: Route;
  neigh: Neigh;
  rule: Rule;
}

interface EventOf<O extends MonitorObject> {
  object: O;
  action: MonitorAction;
  /** The object as rt.link.get / addr.list / route.list / neigh.list / rule.list return it. */
  data: ObjectData[O];
  /**
   * True for events the monitor made up rather than read: what a dump found different after the
   * kernel dropped notifications or changed more than it said (routes a device took along), and
   * routes a replace or an IPv6 append displaced without a delete. See RtnlMonitor.
   */
  resynced: boolean;
}

/**
 * One change reported by `rt.monitor()`: the object kind, "new" or "del", the object as the list verbs
 * return it, and `resynced` when it was found by a dump after the kernel dropped notifications.
 *
 * @example
 * ```ts
 * function describe(ev: MonitorEvent): string {
 *   switch (ev.object) {
 *     case "link": return `${ev.action} link ${ev.data.name} ${ev.data.operstate ?? ""}`;
 *     case "addr": return `${ev.action} addr ${ev.data.local}/${ev.data.prefixlen} dev ${ev.data.dev}`;
 *     case "route": return `${ev.action} route ${ev.data.dst} table ${ev.data.table}`;
 *     case "neigh": return `${ev.action} neigh ${ev.data.dst ?? ""} dev ${ev.data.dev} ${ev.data.state.join(",")}`;
 *     case "rule": return `${ev.action} rule ${ev.data.priority}: from ${ev.data.from} lookup ${ev.data.table}`;
 *   }
 * }
 * for await (const ev of rt.monitor()) console.log(describe(ev));
 * ```
 */
export type MonitorEvent = { [O in MonitorObject]: EventOf<O> }[MonitorObject];

/** A decoded notification before names are filled in; `replace` is NLM_F_REPLACE. */
export type Notification = { [O in MonitorObject]: { object: O; action: MonitorAction; data: ObjectData[O]; replace: boolean } }[MonitorObject];

/** A notification the decoders refused: the monitor cannot know what changed, so it resyncs. */
export interface Malformed {
  malformed: NetlinkParseError;
}

const DEL_TYPES = new Set([RTM_DELLINK, RTM_DELADDR, RTM_DELROUTE, RTM_DELNEIGH, RTM_DELRULE]);

/**
 * One notification as a typed object, or undefined for what no verb lists: link messages of
 * other families (bridge port state), cached routes (ip monitor skips them too), neighbour
 * probes (RTM_GETNEIGH), non-IP routes and rules.
 */
export const decodeNotification: Decoder<Notification | Malformed | undefined> = (buf, start, len) => {
  try {
    const { type, flags } = readHeader(buf, start);
    const action: MonitorAction = DEL_TYPES.has(type) ? "del" : "new";
    const replace = (flags & NLM_F_REPLACE) !== 0;
    switch (type) {
      case RTM_NEWLINK: case RTM_DELLINK: {
        const h = decodeStruct(buf, start + NLMSG_HDRLEN, Math.min(ifinfomsg.size, len - NLMSG_HDRLEN), ifinfomsg);
        if ((h.family ?? AF_UNSPEC) !== AF_UNSPEC) return undefined;
        return { object: "link", action, data: decodeLink(buf, start, len), replace };
      }
      case RTM_NEWADDR: case RTM_DELADDR: {
        const data = decodeAddr(buf, start, len);
        return data && { object: "addr", action, data, replace };
      }
      case RTM_NEWROUTE: case RTM_DELROUTE: {
        const data = decodeRoute(buf, start, len);
        return data && !data.cached ? { object: "route", action, data, replace } : undefined;
      }
      case RTM_NEWNEIGH: case RTM_DELNEIGH: {
        const data = decodeNeigh(buf, start, len);
        return data && { object: "neigh", action, data, replace };
      }
      case RTM_NEWRULE: case RTM_DELRULE: {
        const data = decodeRule(buf, start, len);
        return data && { object: "rule", action, data, replace };
      }
      default:
        return undefined;
    }
  } catch (e) {
    if (e instanceof NetlinkParseError) return { malformed: e };
    throw e;
  }
};

/** The family an event is of, for `family` filters: links have none. */
export function familyOf(n: { object: MonitorObject; data: unknown }): unknown {
  return n.object === "link" ? undefined : (n.data as { family: unknown }).family;
}
