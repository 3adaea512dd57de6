// What the monitor last reported of every object it watches, by key: what a resync compares the
// kernel's answer with, and what tells a repeated notification from a change.
import type { Route } from "../route/verbs.js";
import { MONITOR_OBJECTS, type MonitorAction, type MonitorObject, type ObjectData } from "./events.js";
import { objectKey, routeBase, significance } from "./keys.js";

/** Objects of each kind, as a dump returns them. */
export type Snapshot = { [O in MonitorObject]?: Array<ObjectData[O]> };

export interface Change {
  object: MonitorObject;
  action: MonitorAction;
  data: ObjectData[MonitorObject];
}

export class ReportedState {
  private readonly maps = new Map<MonitorObject, Map<string, ObjectData[MonitorObject]>>(MONITOR_OBJECTS.map((o) => [o, new Map()]));
  /** Route keys by routeBase: the routes a replace, an append or a partial delete may touch. */
  private readonly routeBases = new Map<string, Set<string>>();

  private map(object: MonitorObject): Map<string, ObjectData[MonitorObject]> {
    return this.maps.get(object)!;
  }

  get(object: MonitorObject, key: string): ObjectData[MonitorObject] | undefined {
    return this.map(object).get(key);
  }

  /** Whether applying this would change nothing: a new object equal to the one reported, or a delete of one never reported. */
  isNoop(object: MonitorObject, action: MonitorAction, data: ObjectData[MonitorObject]): boolean {
    const have = this.map(object).get(objectKey(object, data));
    if (action === "del") return have === undefined;
    return have !== undefined && significance(object, have) === significance(object, data);
  }

  apply(object: MonitorObject, action: MonitorAction, data: ObjectData[MonitorObject]): void {
    const key = objectKey(object, data);
    if (action === "new") this.map(object).set(key, data);
    else this.map(object).delete(key);
    if (object === "route") {
      const base = routeBase(data as Route);
      let keys = this.routeBases.get(base);
      if (action === "new") {
        if (!keys) this.routeBases.set(base, keys = new Set());
        keys.add(key);
      } else if (keys) {
        keys.delete(key);
        if (keys.size === 0) this.routeBases.delete(base);
      }
    }
  }

  /** The other routes reported with the same table, destination, source, tos and metric as `r`. */
  sameBase(r: Route): Route[] {
    const key = objectKey("route", r);
    const keys = this.routeBases.get(routeBase(r));
    if (!keys) return [];
    return [...keys].filter((k) => k !== key).map((k) => this.map("route").get(k) as Route);
  }

  /**
   * Makes `snap` the reported state of the kinds it holds, and returns what differs from before:
   * deletions first (the last kind first), then new and changed objects (links first).
   */
  replace(snap: Snapshot): Change[] {
    const dels: Change[][] = [];
    const news: Change[] = [];
    for (const object of MONITOR_OBJECTS) {
      const list = snap[object] as Array<ObjectData[MonitorObject]> | undefined;
      if (!list) continue;
      const before = this.map(object);
      const after = new Map<string, ObjectData[MonitorObject]>();
      for (const data of list) after.set(objectKey(object, data), data);
      const gone: Change[] = [];
      for (const [key, data] of before) if (!after.has(key)) gone.push({ object, action: "del", data });
      dels.unshift(gone);
      for (const [key, data] of after) {
        const had = before.get(key);
        if (had === undefined || significance(object, had) !== significance(object, data)) news.push({ object, action: "new", data });
      }
      before.clear();
      if (object === "route") this.routeBases.clear();
      for (const data of after.values()) this.apply(object, "new", data);
    }
    return dels.flat().concat(news);
  }
}
