import { diagnose, renderText, summary } from "../doctor/index.js";
import { netns, sysctl } from "../netns/index.js";
import { Nft } from "../nft/index.js";
import { ping, type PingResult } from "../probe/ping.js";
import { UdpSourceReporter, udpAsk } from "../probe/udp.js";
import { sleep } from "../probe/wait.js";
import type { Rtnl } from "../rtnl/rtnl.js";
import type { LabSession } from "./session.js";

/** One line of the final summary. */
export interface LabCheck {
  lab: number;
  what: string;
  ok: boolean;
  detail: string;
}

function rttText(r: PingResult): string {
  if (!r.received) return `${r.sent} sent, 0 received`;
  return `${r.received}/${r.sent} replies, rtt min/avg/max ${r.min!.toFixed(3)}/${r.avg!.toFixed(3)}/${r.max!.toFixed(3)} ms`;
}

/**
 * The kernel activates a device's queueing only when linkwatch runs (up to a second after the
 * carrier comes up); until then packets are dropped. Wait for operstate UP before probing.
 */
async function waitOperUp(s: LabSession, rt: Rtnl, dev: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await rt.link.get(dev)).operstate !== "UP" && Date.now() < deadline) {
    await sleep(20, s.signal);
  }
}

async function pingCheck(s: LabSession, lab: number, from: string, to: string, checks: LabCheck[]): Promise<boolean> {
  // The first packet waits for ARP, whose retry comes a second later if the first request is
  // lost (a busy kernel activates new links late): warm the path up, then measure.
  for (let i = 0; i < 3; i++) {
    if ((await ping(to, { netns: s.nsName(from), count: 1, timeoutMs: 1500, signal: s.signal })).received) break;
  }
  const r = await ping(to, { netns: s.nsName(from), count: 3, timeoutMs: 2000, signal: s.signal });
  const ok = r.received === r.sent;
  const line = `${from} → ${to}: ${rttText(r)}`;
  if (ok) s.report.ok(line);
  else s.report.fail(line);
  checks.push({ lab, what: `ping ${from} → ${to}`, ok, detail: rttText(r) });
  return ok;
}

/** Lab 1: namespaces are created, listed and deleted, and each has its own links and routes. */
export async function lab1(s: LabSession, checks: LabCheck[]): Promise<void> {
  s.checkpoint();
  s.report.section("Lab 1: create, list and delete network namespaces");
  for (const n of ["ns1", "ns2"]) {
    s.report.step(`netns add ${s.nsName(n)}`);
    await s.addNetns(n);
  }
  const listed = (await netns.list()).filter((n) => n.startsWith(`${s.prefix}-`));
  s.report.ok(`netns list shows: ${listed.join(", ")}`);
  checks.push({ lab: 1, what: "namespaces listed", ok: listed.length === 2, detail: listed.join(", ") });
  for (const n of ["ns1", "ns2"]) {
    const rt = await s.rtnl(n);
    const links = await rt.link.list();
    const routes = await rt.route.list({ family: 4, table: "all" });
    s.report.detail(`${s.nsName(n)}: links [${links.map((l) => `${l.name} ${l.up ? "UP" : "DOWN"}`).join(", ")}], ${routes.length} IPv4 routes`);
    checks.push({ lab: 1, what: `${n} is isolated`, ok: links.length === 1 && links[0]!.name === "lo", detail: `${links.length} link(s)` });
  }
  for (const n of ["ns1", "ns2"]) {
    s.report.step(`netns del ${s.nsName(n)}`);
    await netns.del(s.nsName(n));
  }
  const after = (await netns.list()).filter((n) => n.startsWith(`${s.prefix}-`));
  checks.push({ lab: 1, what: "namespaces deleted", ok: after.length === 0, detail: `${after.length} left` });
  s.report.ok(`after deletion: ${after.length} lab namespaces left`);
}

/** Lab 2: two namespaces joined by a veth pair, addressed and up, pinging both ways. */
export async function lab2(s: LabSession, checks: LabCheck[]): Promise<void> {
  s.checkpoint();
  s.report.section("Lab 2: two namespaces joined by a veth pair");
  const host = await s.addNetns("host2");
  await s.addNetns("ns1");
  await s.addNetns("ns2");
  s.report.step(`in ${host} (the chapter's host): link add veth1 type veth peer name veth2`);
  const rt = await s.rtnl("host2");
  await rt.link.add({ name: "veth1", kind: "veth", peer: { name: "veth2" } });
  s.report.step(`link set veth1 netns ${s.nsName("ns1")}; link set veth2 netns ${s.nsName("ns2")}`);
  await rt.link.set("veth1", { netns: s.nsName("ns1") });
  await rt.link.set("veth2", { netns: s.nsName("ns2") });
  const ends: Array<[Rtnl, string]> = [];
  for (const [n, dev, addr] of [["ns1", "veth1", "10.0.0.1/24"], ["ns2", "veth2", "10.0.0.2/24"]] as const) {
    const nrt = await s.rtnl(n);
    s.report.step(`${s.nsName(n)}: addr add ${addr} dev ${dev}; link set ${dev} up; link set lo up`);
    await nrt.addr.add(dev, addr);
    await nrt.link.set(dev, { up: true });
    await nrt.link.set("lo", { up: true });
    ends.push([nrt, dev]);
  }
  // a veth is operationally up only once both ends are: waiting after the first would time out
  for (const [nrt, dev] of ends) await waitOperUp(s, nrt, dev);
  await pingCheck(s, 2, "ns1", "10.0.0.2", checks);
  await pingCheck(s, 2, "ns2", "10.0.0.1", checks);
}

export const BRIDGE_ADDR = "10.0.0.254";

/** Lab 3: three "containers" on a bridge in the host namespace, every pair pinging. */
export async function lab3(s: LabSession, checks: LabCheck[]): Promise<void> {
  s.checkpoint();
  s.report.section("Lab 3: three containers on a bridge");
  const host = await s.addNetns("host");
  const rt = await s.rtnl("host");
  await rt.link.set("lo", { up: true });
  s.report.step(`in ${host}: link add br0 type bridge; link set br0 up`);
  await rt.link.add({ name: "br0", kind: "bridge" });
  await rt.link.set("br0", { up: true });
  for (const i of [1, 2, 3]) {
    const c = `container${i}`;
    await s.addNetns(c);
    s.report.step(`veth${i} ↔ veth${i}-br: veth${i}-br master br0 up; veth${i} into ${s.nsName(c)} as 10.0.0.${i}/24`);
    await rt.link.add({ name: `veth${i}`, kind: "veth", peer: { name: `veth${i}-br` } });
    await rt.link.set(`veth${i}-br`, { master: "br0", up: true });
    await rt.link.set(`veth${i}`, { netns: s.nsName(c) });
    const crt = await s.rtnl(c);
    await crt.addr.add(`veth${i}`, `10.0.0.${i}/24`);
    await crt.link.set(`veth${i}`, { up: true });
    await crt.link.set("lo", { up: true });
    await waitOperUp(s, crt, `veth${i}`);
  }
  await waitOperUp(s, rt, "br0");
  const ports = (await rt.link.list({ master: "br0" })).map((l) => l.name).sort();
  s.report.ok(`br0 ports: ${ports.join(", ")}`);
  checks.push({ lab: 3, what: "bridge has 3 ports", ok: ports.length === 3, detail: ports.join(", ") });
  for (const [a, b] of [[1, 2], [1, 3], [2, 3]] as const) {
    await pingCheck(s, 3, `container${a}`, `10.0.0.${b}`, checks);
  }
}

export const OUTSIDE_ADDR = "198.51.100.1";
export const UPLINK_ADDR = "198.51.100.2";
const REPORTER_PORT = 7007;

/**
 * Lab 4: NAT egress. The host namespace gets an uplink to an "outside" namespace (TEST-NET-2,
 * never a real network), forwards, and masquerades the containers' subnet; a responder outside
 * reports which source address it saw.
 */
export async function lab4(s: LabSession, checks: LabCheck[]): Promise<void> {
  s.checkpoint();
  s.report.section("Lab 4: NAT egress from the containers (ip_forward + masquerade)");
  const rt = await s.rtnl("host");
  await s.addNetns("outside");
  s.report.step(`host: addr add ${BRIDGE_ADDR}/24 dev br0 (the containers' gateway)`);
  await rt.addr.add("br0", `${BRIDGE_ADDR}/24`);
  s.report.step(`uplink: host eth0 ${UPLINK_ADDR}/24 ↔ outside eth0 ${OUTSIDE_ADDR}/24`);
  await rt.link.add({ name: "eth0", kind: "veth", peer: { name: "eth0", netns: s.nsName("outside") } });
  await rt.addr.add("eth0", `${UPLINK_ADDR}/24`);
  await rt.link.set("eth0", { up: true });
  const ort = await s.rtnl("outside");
  await ort.addr.add("eth0", `${OUTSIDE_ADDR}/24`);
  await ort.link.set("eth0", { up: true });
  await ort.link.set("lo", { up: true });
  await waitOperUp(s, ort, "eth0");
  await waitOperUp(s, rt, "eth0");
  for (const i of [1, 2, 3]) {
    const crt = await s.rtnl(`container${i}`);
    await crt.route.add({ dst: "default", gateway: BRIDGE_ADDR });
  }
  s.report.step("containers: route add default via " + BRIDGE_ADDR);

  const reporter = new UdpSourceReporter({ netns: s.nsName("outside"), address: OUTSIDE_ADDR, port: REPORTER_PORT });
  s.onCleanup(() => reporter.close());
  const ask = () => udpAsk({ netns: s.nsName("container1"), to: OUTSIDE_ADDR, port: REPORTER_PORT, timeoutMs: 700, signal: s.signal });

  s.report.step(`sysctl -w net.ipv4.ip_forward=1 in ${s.nsName("host")}`);
  await sysctl.set("net.ipv4.ip_forward", "1", { netns: s.nsName("host") });
  const before = await ask();
  const beforeText = before ? before.reply : "no answer (the outside has no route back to 10.0.0.0/24)";
  s.report.detail(`without masquerade, container1 → ${OUTSIDE_ADDR}: ${beforeText}`);
  checks.push({ lab: 4, what: "no egress without NAT", ok: !before || before.reply.includes("10.0.0.1:"), detail: beforeText });

  s.report.step('nat: ip saddr 10.0.0.0/24 oifname != "br0" masquerade (nftables, over netlink)');
  const nft = await Nft.open({ netns: s.nsName("host") });
  s.onCleanup(() => nft.close());
  await nft.masquerade({ saddr: "10.0.0.0/24", notOifname: "br0" });
  const after = await ask();
  const seen = after?.reply.replace(/^seen /, "") ?? "no answer";
  const masqueraded = after !== undefined && seen.startsWith(`${UPLINK_ADDR}:`);
  (masqueraded ? s.report.ok : s.report.fail)(`with masquerade, the outside saw the source ${seen}${masqueraded ? " (the host's uplink, not 10.0.0.1)" : ""}`);
  checks.push({ lab: 4, what: "masqueraded source seen outside", ok: masqueraded, detail: seen });
  await pingCheck(s, 4, "container1", OUTSIDE_ADDR, checks);
}

/** The chapter's troubleshooting checklist, run by nlkit doctor on the healthy topology. */
export async function doctorOnLab(s: LabSession, checks: LabCheck[]): Promise<void> {
  s.checkpoint();
  s.report.section("Troubleshooting: nlkit doctor on the healthy lab");
  s.report.step(`nlkit -n ${s.nsName("container1")} doctor --to ${OUTSIDE_ADDR} --router ${s.nsName("host")}`);
  const report = await diagnose({ netns: s.nsName("container1"), to: OUTSIDE_ADDR, router: s.nsName("host"), signal: s.signal });
  for (const line of renderText(report).trimEnd().split("\n")) s.report.detail(line);
  const warnings = report.checks.filter((c) => c.status === "warning").length;
  const healthy = report.ok && warnings === 0;
  checks.push({ lab: 4, what: "doctor finds nothing wrong", ok: healthy, detail: summary(report) });
}
