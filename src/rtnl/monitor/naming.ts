// Device names for events, from the monitor's own table of links: it follows the link
// notifications in order, so an address deleted just before its device still gets the device's
// name (the kernel no longer knows it by the time the event is read).
import type { CallOptions } from "../../netlink/socket.js";
import { nameOf, type LinkNames } from "../names.js";
import { nameNeighs, neighIndexes } from "../neigh/verbs.js";
import { nameRoutes, routeIndexes } from "../route/verbs.js";
import type { Notification } from "./events.js";

function indexesOf(n: Notification): number[] {
  switch (n.object) {
    case "addr": return [n.data.index];
    case "route": return routeIndexes([n.data]);
    case "neigh": return neighIndexes([n.data]);
    default: return [];
  }
}

function nameOne(n: Notification, names: ReadonlyMap<number, string>): void {
  if (n.object === "addr") n.data.dev = nameOf(names, n.data.index);
  else if (n.object === "route") nameRoutes([n.data], names);
  else if (n.object === "neigh") nameNeighs([n.data], names);
}

export class EventNames {
  private readonly names = new Map<number, string>();

  constructor(private readonly fallback: LinkNames) {}

  /** Starts again from a link dump. */
  reset(links: ReadonlyArray<{ index: number; name: string }>): void {
    this.names.clear();
    for (const l of links) this.names.set(l.index, l.name);
  }

  /**
   * Names the devices of a batch of notifications in their order, links updating the table as
   * they come. An index the table does not know (its link notification was lost) is asked of
   * the handle's own name cache; one the kernel does not know either stays "if<index>".
   */
  async name(batch: readonly Notification[], opts: CallOptions): Promise<void> {
    const late: Array<{ n: Notification; known: Map<number, string> }> = [];
    const missing = new Set<number>();
    for (const n of batch) {
      if (n.object === "link") {
        if (n.action === "new") this.names.set(n.data.index, n.data.name);
        else this.names.delete(n.data.index);
        continue;
      }
      const indexes = indexesOf(n);
      if (indexes.every((i) => this.names.has(i))) {
        nameOne(n, this.names);
        continue;
      }
      const known = new Map<number, string>();
      for (const i of indexes) {
        const name = this.names.get(i);
        if (name !== undefined) known.set(i, name);
        else missing.add(i);
      }
      nameOne(n, known);
      late.push({ n, known });
    }
    if (late.length === 0) return;
    const found = await this.fallback.resolve(missing, opts);
    for (const { n, known } of late) nameOne(n, new Map([...found, ...known]));
  }
}
