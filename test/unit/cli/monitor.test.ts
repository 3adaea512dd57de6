// `nlkit monitor`'s words, and its JSON lines.
import { describe, expect, it } from "vitest";
import { parseMonitorWords } from "../../../src/cli/monitor.js";
import { Args, UsageError } from "../../../src/cli/grammar.js";
import { MonitorPrinter } from "../../../src/cli/print/monitor.js";
import type { MonitorEvent } from "../../../src/rtnl/monitor/index.js";
import type { Route } from "../../../src/rtnl/route/verbs.js";

const words = (...w: string[]) => parseMonitorWords(new Args(w));

describe("nlkit monitor", () => {
  it("reads ip's words, abbreviated as ip abbreviates them", () => {
    expect(words()).toEqual({ objects: undefined, banners: false });
    expect(words("all")).toEqual({ objects: undefined, banners: true });
    expect(words("l")).toEqual({ objects: undefined, banners: true });
    expect(words("li", "a", "r", "n", "ru")).toEqual({ objects: ["link", "addr", "route", "neigh", "rule"], banners: false });
    expect(words("route", "label")).toEqual({ objects: ["route"], banners: true });
  });

  it("refuses what it does not follow, and unknown words", () => {
    for (const w of [["all-nsid"], ["mroute"], ["netconf"], ["nexthop"], ["file", "x"], ["dev", "eth0"], ["bogus"]]) {
      expect(() => words(...w), w.join(" ")).toThrow(UsageError);
    }
  });

  it("-j prints one object per event, ip -j's keys in data, resynced only when it is", () => {
    const route = {
      family: 4, dstLen: 16, srcLen: 0, tos: 0, table: 254, protocol: "boot", scope: "link", type: "unicast", flags: [],
      dst: "10.2.0.0/16", index: 3, dev: "va",
    } as unknown as Route;
    const p = new MonitorPrinter([], { json: true, banners: false });
    const line = p.format({ object: "route", action: "new", data: route, resynced: false } as MonitorEvent);
    expect(line.endsWith("\n")).toBe(true);
    expect(JSON.parse(line)).toEqual({ object: "route", action: "new", data: { dst: "10.2.0.0/16", dev: "va", scope: "link", flags: [] } });
    const again = JSON.parse(p.format({ object: "route", action: "del", data: route, resynced: true } as MonitorEvent));
    expect(again).toMatchObject({ object: "route", action: "del", resynced: true });
    const text = new MonitorPrinter([], { json: false, banners: true });
    expect(text.format({ object: "route", action: "del", data: route, resynced: true } as MonitorEvent))
      .toBe("[RESYNC][ROUTE]Deleted 10.2.0.0/16 dev va scope link \n");
  });
});
