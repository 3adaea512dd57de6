// The kernel's multicast messages as `ip monitor` received them (strace, test/fixtures/golden/
// monitor): decoded by the monitor's decoder, named by its naming and printed by `nlkit
// monitor`'s printer, they give back the lines ip printed for the same datagrams.
import { describe, expect, it } from "vitest";
import { MonitorPrinter } from "../../../src/cli/print/monitor.js";
import { decodeLink } from "../../../src/rtnl/link/decode.js";
import type { Link } from "../../../src/rtnl/link/types.js";
import { decodeNotification, MONITOR_OBJECTS, type MonitorEvent, type MonitorObject } from "../../../src/rtnl/monitor/index.js";
import type { Notification } from "../../../src/rtnl/monitor/events.js";
import { EventNames } from "../../../src/rtnl/monitor/naming.js";
import type { LinkNames } from "../../../src/rtnl/names.js";
import { listGolden, loadGolden, splitNl, type Golden } from "../../helpers/golden.js";

const RTM_NEWLINK = 16;

/**
 * ip's link cache as it started (its RTM_GETLINK dump) and the notifications after it, in
 * order. Answers to ip's own requests carry its port id (the first reply is one); a notification
 * carries the port id and sequence number of whoever caused it, or 0 when the kernel did.
 */
function split(g: Golden): { links: Link[]; notifications: Buffer[] } {
  const links: Link[] = [];
  const notifications: Buffer[] = [];
  const own = splitNl(g.replies[0]!)[0]!.readUInt32LE(12);
  for (const d of g.replies) {
    for (const m of splitNl(d)) {
      if (m.readUInt32LE(12) !== own) notifications.push(m);
      else if (m.readUInt16LE(4) === RTM_NEWLINK && notifications.length === 0) links.push(decodeLink(m, 0, m.length));
    }
  }
  return { links, notifications };
}

/**
 * ip 6.1's link cache keeps a renamed device's old name (ll_remember_index rehashes the entry
 * but never copies the new name), so after a rename ip names the device's addresses, routes and
 * neighbours by the name it had. nlkit names them as the device is called.
 */
function withRenamesApplied(output: string, renames: ReadonlyArray<readonly [from: string, to: string]>): string {
  const lines = output.split("\n");
  const isLinkLine = (l: string) => /^(Deleted )?(\[LINK\])?\d+: [^ ]+@?[^ ]*: </.test(l) || l.startsWith("    link/");
  for (const [from, to] of renames) {
    const at = lines.findIndex((l) => new RegExp(`^(\\[LINK\\])?\\d+: ${to}[@:]`).test(l));
    if (at < 0) continue;
    for (let i = at + 1; i < lines.length; i++) {
      if (isLinkLine(lines[i]!)) continue;
      lines[i] = lines[i]!.replace(new RegExp(`(dev |^(Deleted )?(\\[\\w+\\])?\\d+: )${from}( |$)`), `$1${to}$4`);
    }
  }
  return lines.join("\n");
}

/** `ip link set A name B` among a fixture's actions. */
function renames(g: Golden): Array<[string, string]> {
  const actions = g.actions ?? [];
  return actions.flatMap((a) => {
    const m = /^ip link set (\S+) name (\S+)$/.exec(a);
    return m ? [[m[1]!, m[2]!] as [string, string]] : [];
  });
}

/** The objects and options the fixture's ip monitor command line asked for. */
function commandOptions(command: string): { objects: Set<MonitorObject>; banners: boolean; family?: 4 | 6 } {
  const words = command.split(/\s+/);
  const map: Record<string, MonitorObject> = { link: "link", address: "addr", route: "route", neigh: "neigh", rule: "rule" };
  const objects = new Set(words.map((w) => map[w]).filter((o): o is MonitorObject => o !== undefined));
  return {
    objects: objects.size ? objects : new Set(MONITOR_OBJECTS),
    banners: words.includes("label") || words.includes("all"),
    ...(words.includes("-4") ? { family: 4 as const } : words.includes("-6") ? { family: 6 as const } : {}),
  };
}

// a fallback that must not be needed: every device is named by the link messages of the stream
const noLookups = { resolve: () => Promise.reject(new Error("a device was not named by the stream")) } as unknown as LinkNames;

const fixtures = listGolden("monitor");

describe("golden: ip monitor's notifications", () => {
  it("were captured", () => {
    expect(fixtures).toEqual(expect.arrayContaining(["all-objects", "label-v4"]));
  });

  it.each(fixtures)("%s: decode to the objects ip printed", async (name) => {
    const g = loadGolden(`monitor/${name}`);
    const { links, notifications } = split(g);
    const o = commandOptions(g.command);
    const decoded: Notification[] = [];
    for (const m of notifications) {
      const n = decodeNotification(m, 0, m.length);
      if (n === undefined) continue;
      if ("malformed" in n) throw n.malformed;
      decoded.push(n);
    }
    const names = new EventNames(noLookups);
    names.reset(links);
    await names.name(decoded, {});
    const printer = new MonitorPrinter(links, { json: false, banners: o.banners });
    let text = "";
    for (const n of decoded) {
      const family = n.object === "link" ? undefined : (n.data as { family: number }).family;
      if (!o.objects.has(n.object) || (o.family !== undefined && family !== undefined && family !== o.family)) continue;
      text += printer.format({ object: n.object, action: n.action, data: n.data, resynced: false } as MonitorEvent);
    }
    expect(text).toBe(withRenamesApplied(g.output, renames(g)));
  });
});
