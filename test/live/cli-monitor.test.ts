// `nlkit monitor` next to `ip monitor` in one namespace, both listening while the same changes
// are made: the same lines. `nlkit -j monitor` prints one JSON object per event.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeLive, ip, ipJson, TestNamespaces } from "../helpers/live.js";

const NLKIT = join(process.cwd(), "bin", "nlkit.js");

class Listener {
  out = "";
  private readonly waiters: Array<() => void> = [];
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (s: string) => {
      this.out += s;
      for (const w of this.waiters.splice(0)) w();
    });
    this.exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  }

  /** Resolves true when the output has a line containing `text`, or false after `ms`. */
  async has(text: string, ms: number): Promise<boolean> {
    const found = () => this.out.split("\n").some((l) => l.includes(text));
    const end = Date.now() + ms;
    while (!found()) {
      const left = end - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return true;
  }

  /** The lines between the first that starts with `from` and the first after it that starts with `to`. */
  between(from: string, to: string): string {
    const lines = this.out.split("\n");
    const a = lines.findIndex((l) => l.startsWith(from));
    const b = lines.findIndex((l, i) => i > a && l.startsWith(to));
    return lines.slice(a + 1, b).join("\n");
  }
}

describeLive("nlkit monitor (live, next to ip monitor)", () => {
  const ns = new TestNamespaces("mon-cli");
  let name: string;
  const listeners: Listener[] = [];

  beforeAll(() => {
    name = ns.create("a");
    for (const k of ["all", "default"]) ip(["netns", "exec", name, "sysctl", "-qw", `net.ipv6.conf.${k}.accept_dad=0`]);
  });
  afterAll(() => {
    for (const l of listeners) l.child.kill("SIGKILL");
    ns.cleanup();
  });

  const listen = (cmd: string, args: string[]) => {
    const l = new Listener(spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] }));
    listeners.push(l);
    return l;
  };

  /**
   * Adds marker routes until every listener has printed the same one (a retry is no failure: a
   * listener may not have subscribed yet): from then on all of them hear the same notifications.
   * Returns the start of the marker's text line.
   */
  async function synced(text: Listener[], json: Listener[], prefix: string): Promise<string> {
    for (let i = 1; i < 250; i++) {
      const line = `${prefix}.${i} dev lo `;
      ip(["route", "add", `${prefix}.${i}/32`, "dev", "lo"], name);
      const seen = await Promise.all([
        ...text.map((l) => l.has(line, 500)),
        ...json.map((l) => l.has(`"dst":"${prefix}.${i}",`, 500)),
      ]);
      if (seen.every(Boolean)) return line;
    }
    throw new Error("the monitors never printed a marker route");
  }

  it("prints what ip monitor prints for the same changes, and JSON lines with -j; exits 0 on SIGINT", async () => {
    // ip with no objects follows netconf, nexthops and more as well: the five nlkit follows, by name
    const theirs = listen("ip", ["-n", name, "monitor", "link", "address", "route", "neigh", "rule"]);
    const ours = listen(process.execPath, [NLKIT, "-n", name, "monitor"]);
    const json = listen(process.execPath, [NLKIT, "-n", name, "-j", "monitor", "route", "addr"]);
    const all = [theirs, ours, json];
    const start = await synced([theirs, ours], [json], "192.0.2");

    const run = (...args: string[]) => ip(args, name);
    run("link", "add", "ca", "address", "02:00:00:00:00:0a", "type", "veth", "peer", "name", "cb", "address", "02:00:00:00:00:0b");
    run("link", "set", "ca", "up");
    run("link", "set", "cb", "up");
    run("addr", "add", "10.1.0.1/24", "dev", "ca");
    run("addr", "add", "fd00::1/64", "dev", "ca");
    run("route", "add", "10.2.0.0/16", "via", "10.1.0.2", "metric", "5");
    const shownRoute = ipJson<unknown[]>(["route", "show", "10.2.0.0/16"], name)[0];
    run("-6", "route", "add", "fd05::/64", "via", "fd00::2");
    run("neigh", "add", "10.1.0.9", "lladdr", "02:00:00:00:00:09", "dev", "ca", "nud", "permanent");
    run("neigh", "del", "10.1.0.9", "dev", "ca");
    run("rule", "add", "from", "10.9.0.0/16", "lookup", "100", "prio", "100");
    run("rule", "del", "prio", "100");
    run("route", "del", "10.2.0.0/16");
    run("addr", "del", "10.1.0.1/24", "dev", "ca");
    run("link", "set", "ca", "mtu", "1400");
    const end = await synced([theirs, ours], [json], "198.51.100");

    for (const l of all) l.child.kill(l === theirs ? "SIGTERM" : "SIGINT");
    expect(await ours.exited).toBe(0);
    expect(await json.exited).toBe(0);
    await theirs.exited;

    const theirText = theirs.between(start, end);
    expect(theirText).toContain("10.2.0.0/16 via 10.1.0.2 dev ca metric 5");
    expect(ours.between(start, end)).toBe(theirText);

    const events = json.out.trim().split("\n").map((l) => JSON.parse(l) as { object: string; action: string; data: Record<string, unknown> });
    expect(events.every((e) => (e.object === "route" || e.object === "addr") && (e.action === "new" || e.action === "del"))).toBe(true);
    const added = events.find((e) => e.object === "route" && e.action === "new" && e.data.dst === "10.2.0.0/16");
    expect(added?.data).toEqual(shownRoute);
    expect(events.find((e) => e.object === "route" && e.action === "del" && e.data.dst === "10.2.0.0/16")?.data).toEqual(shownRoute);
    expect(events.some((e) => e.object === "addr" && e.action === "new" && e.data.local === "10.1.0.1")).toBe(true);
  });
});
