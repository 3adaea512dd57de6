// The seed's lab for doctor tests, built with `ip` (an oracle tool) inside this file's namespaces:
// host: br0 10.0.0.254/24 with ports veth1-br, veth2-br; c1 veth1 10.0.0.1/24, c2 veth2 10.0.0.2/24,
// both default via 10.0.0.254; host eth0 198.51.100.2/24 <-> out eth0 198.51.100.1/24;
// ip_forward=1 and "ip saddr 10.0.0.0/24 oifname != br0 masquerade" in host. out has no route
// back to 10.0.0.0/24, so leaving without NAT fails.
import { execFileSync } from "node:child_process";
import { Nft } from "../../src/nft/nft.js";
import { ip, TestNamespaces } from "./live.js";
import { NLKIT_BIN } from "./nlkit-cli.js";

export interface DoctorLab {
  ns: TestNamespaces;
  host: string;
  c1: string;
  c2: string;
  out: string;
}

export async function buildLab(tag: string): Promise<DoctorLab> {
  const ns = new TestNamespaces(tag);
  const host = ns.create("host"), c1 = ns.create("c1"), c2 = ns.create("c2"), out = ns.create("out");
  ip(["link", "add", "br0", "type", "bridge"], host);
  ip(["addr", "add", "10.0.0.254/24", "dev", "br0"], host);
  ip(["link", "set", "br0", "up"], host);
  for (const [i, c] of [[1, c1], [2, c2]] as const) {
    ip(["link", "add", `veth${i}-br`, "type", "veth", "peer", "name", `veth${i}`, "netns", c], host);
    ip(["link", "set", `veth${i}-br`, "master", "br0", "up"], host);
    ip(["addr", "add", `10.0.0.${i}/24`, "dev", `veth${i}`], c);
    ip(["link", "set", `veth${i}`, "up"], c);
    ip(["route", "add", "default", "via", "10.0.0.254"], c);
  }
  ip(["link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", out], host);
  ip(["addr", "add", "198.51.100.2/24", "dev", "eth0"], host);
  ip(["link", "set", "eth0", "up"], host);
  ip(["addr", "add", "198.51.100.1/24", "dev", "eth0"], out);
  ip(["link", "set", "eth0", "up"], out);
  execFileSync("ip", ["netns", "exec", host, "sysctl", "-qw", "net.ipv4.ip_forward=1"], { stdio: "pipe" });
  const nft = await Nft.open({ netns: host });
  try {
    await nft.masquerade({ saddr: "10.0.0.0/24", notOifname: "br0" });
  } finally {
    nft.close();
  }
  // STP is off on a fresh bridge, but a port still spends forward_delay... only with STP; wait for forwarding anyway
  await waitForwarding(host, ["veth1-br", "veth2-br"]);
  return { ns, host, c1, c2, out };
}

/**
 * Polls until `ready` is true; throws, naming `what`, when it is still false after `ms` (a loaded
 * machine is slow, not broken: the bound only stops a wait that will never end).
 */
export async function waitFor(what: string, ready: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`still not ${what} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitForwarding(host: string, ports: string[]): Promise<void> {
  await waitFor(`forwarding on ${ports.join(", ")}`, () =>
    ports.map((p) => ip(["-d", "-j", "link", "show", p], host)).every((t) => JSON.parse(t)[0]?.linkinfo?.info_slave_data?.state === "forwarding"));
}

/** Runs a doctor fix ("nlkit -n NS link set veth1 up", or several joined by " && ") through the CLI. */
export async function applyFix(fix: string): Promise<void> {
  for (const command of fix.split(" && ")) {
    const words = command.trim().split(/\s+/);
    if (words[0] !== "nlkit") throw new Error(`not an nlkit command: ${command}`);
    try {
      execFileSync(process.execPath, [NLKIT_BIN, ...words.slice(1)], { stdio: "pipe", encoding: "utf8" });
    } catch (e) {
      const err = e as { status?: number; stderr?: string };
      throw new Error(`${command}: exit ${err.status}: ${err.stderr}`);
    }
  }
}

import { expect } from "vitest";
import { diagnose, type Check, type DiagnoseOptions, type Report } from "../../src/doctor/index.js";

/** The first check that is not fine: what the doctor names as the cause. */
export function firstProblem(r: Report): Check | undefined {
  return r.checks.find((c) => c.status === "failure" || c.status === "warning");
}

/** Applies every failing check's fix, in report (path) order, each once. */
export async function applyAllFixes(r: Report): Promise<string[]> {
  const done: string[] = [];
  for (const c of r.checks) {
    if (c.status !== "failure" || !c.fix || done.includes(c.fix)) continue;
    await applyFix(c.fix);
    done.push(c.fix);
  }
  return done;
}

/** Compact "id:status" lines for assertion messages. */
export function statusLines(r: Report): string {
  return r.checks.map((c) => `${c.id}:${c.status} ${c.evidence}${c.fix ? ` [fix: ${c.fix}]` : ""}`).join("\n");
}

/**
 * The doctor names `id` first, as a failure with exactly `fix`; applying the report's fixes (in
 * path order) makes every check ok or skipped, with no warning, and the probe answered.
 */
export async function faultThenRepair(opts: DiagnoseOptions, id: string, fix: string): Promise<Report> {
  const before = await diagnose(opts);
  const first = firstProblem(before);
  expect(first?.id, statusLines(before)).toBe(id);
  expect(first?.status).toBe("failure");
  expect(first?.fix).toBe(fix);
  expect(before.ok).toBe(false);
  expect(before.checks.find((c) => c.id === "probe")?.status).toBe("failure");
  await applyAllFixes(before);
  // carrier and bridge port state follow a link change through linkwatch, which batches events
  // (for up to a second, longer on a busy machine): until then a probe can still be dropped at
  // the port. Wait for the path to be healthy, then check everything about it.
  let after = before;
  await waitFor("healthy after the fixes", async () => {
    after = await diagnose(opts);
    return firstProblem(after) === undefined;
  }).catch(() => undefined);
  expect(firstProblem(after), statusLines(after)).toBeUndefined();
  expect(after.ok).toBe(true);
  expect(after.checks.find((c) => c.id === "probe")?.evidence).toMatch(/[1-9]\/\d replies/);
  return before;
}
