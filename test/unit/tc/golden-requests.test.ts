// Every tc request nlkit builds equals the bytes tc sent for the same command (strace, see
// test/fixtures/golden/tc): rate tables, buckets, cell logs, handles, actions and all.
import { describe, expect, it } from "vitest";
import { TcApi } from "../../../src/rtnl/tc/verbs.js";
import type { ClassSpec, FilterSpec, QdiscSpec } from "../../../src/rtnl/tc/types.js";
import { hexdiff, listGolden, loadGolden, normalizeNl } from "../../helpers/golden.js";
import { captureRtnl } from "../../helpers/rtnl-capture.js";
import { capturedBpfFd, commandRequest, fixturePsched, TC_DEVICES } from "../../helpers/tc-golden.js";

type Call =
  | ["qdisc", "add" | "replace" | "change" | "del", QdiscSpec]
  | ["class", "add" | "replace" | "change" | "del", ClassSpec]
  | ["filter", "add" | "replace" | "change" | "del", FilterSpec];

const va = "va";
const htb10 = { dev: va, parent: "1:", protocol: "ip" } as const;

export const GOLDEN_CALLS: Record<string, Call> = {
  "qdisc-add-pfifo": ["qdisc", "add", { dev: va, parent: "root", handle: "1:", kind: "pfifo", pfifo: { limit: 100 } }],
  "qdisc-add-bfifo": ["qdisc", "add", { dev: va, kind: "bfifo", bfifo: { limit: "64kb" } }],
  "qdisc-add-pfifo-fast": ["qdisc", "add", { dev: va, kind: "pfifo_fast" }],
  "qdisc-add-tbf": ["qdisc", "add", { dev: va, parent: "root", kind: "tbf", tbf: { rate: "1mbit", burst: "32kb", latency: "400ms" } }],
  "qdisc-add-tbf-limit": ["qdisc", "add", { dev: va, handle: "10:", kind: "tbf", tbf: { rate: "10mbit", burst: "10kb/8", limit: 30000, mpu: 64, overhead: 4 } }],
  "qdisc-add-tbf-peakrate": ["qdisc", "add", { dev: va, kind: "tbf", tbf: { rate: "2mbit", burst: "20kb", latency: "50ms", peakrate: "4mbit", mtu: "2kb" } }],
  "qdisc-add-tbf-rate64": ["qdisc", "add", { dev: va, kind: "tbf", tbf: { rate: "40gbit", burst: "1mb", latency: "10ms" } }],
  "qdisc-add-tbf-atm": ["qdisc", "add", { dev: va, kind: "tbf", tbf: { rate: "800kbit", burst: 5000, latency: "70ms", linklayer: "atm" } }],
  "qdisc-add-htb": ["qdisc", "add", { dev: va, parent: "root", handle: "1:", kind: "htb", htb: { default: 0x10 } }],
  "qdisc-add-htb-opts": ["qdisc", "add", { dev: va, handle: "1:", kind: "htb", htb: { default: 0x20, r2q: 5, directQlen: 100 } }],
  "qdisc-add-mq": ["qdisc", "add", { dev: va, handle: "1:", kind: "mq" }],
  "qdisc-add-ingress": ["qdisc", "add", { dev: va, kind: "ingress" }],
  "qdisc-add-clsact": ["qdisc", "add", { dev: va, kind: "clsact" }],
  "qdisc-add-child-tbf": ["qdisc", "add", { dev: va, parent: "1:10", handle: "10:", kind: "tbf", tbf: { rate: "1mbit", burst: "32k", latency: "50ms" } }],
  "qdisc-replace-tbf": ["qdisc", "replace", { dev: va, handle: "1:", kind: "tbf", tbf: { rate: "2mbit", burst: "16kb", latency: "100ms" } }],
  "qdisc-change-tbf": ["qdisc", "change", { dev: va, handle: "1:", kind: "tbf", tbf: { rate: "3mbit", burst: "16kb", latency: "100ms" } }],
  "qdisc-add-exists": ["qdisc", "add", { dev: va, handle: "1:", kind: "pfifo" }],
  "qdisc-del-root": ["qdisc", "del", { dev: va, parent: "root" }],
  "qdisc-del-clsact": ["qdisc", "del", { dev: va, kind: "clsact" }],
  "qdisc-add-netem": ["qdisc", "add", {
    dev: va, kind: "netem",
    netem: { limit: 2000, delay: "100ms", jitter: "10ms", delayCorrelation: "25%", loss: "1%", lossCorrelation: "30%", duplicate: "2%", reorder: "10%", reorderCorrelation: "50%", corrupt: "0.5%", rate: "1mbit" },
  }],
  "qdisc-add-netem-delay": ["qdisc", "add", { dev: va, kind: "netem", netem: { delay: "50ms" } }],
  "qdisc-add-netem-ecn": ["qdisc", "add", { dev: va, handle: "2:", kind: "netem", netem: { loss: "0.1%", ecn: true, gap: 5, reorder: "5%", delay: "10ms" } }],
  "qdisc-add-fq-codel": ["qdisc", "add", {
    dev: va, kind: "fq_codel",
    fq_codel: { limit: 1000, flows: 512, quantum: 1514, target: "5ms", interval: "100ms", ecn: true, ceThreshold: "2ms", memoryLimit: "32mb", dropBatch: 32 },
  }],
  "qdisc-add-fq-codel-noecn": ["qdisc", "add", { dev: va, kind: "fq_codel", fq_codel: { ecn: false } }],
  "qdisc-add-fq": ["qdisc", "add", {
    dev: va, kind: "fq",
    fq: { limit: 5000, flowLimit: 50, quantum: 3028, initialQuantum: 15140, maxrate: "1gbit", buckets: 1024, pacing: true, refillDelay: "40ms", orphanMask: 1023, ceThreshold: "3ms", horizon: "5s", horizonDrop: true, lowRateThreshold: "550kbit" },
  }],
  "qdisc-add-sfq": ["qdisc", "add", { dev: va, kind: "sfq", sfq: { limit: 64, perturb: 10, quantum: 1514, divisor: 1024, flows: 64, depth: 32, headdrop: true } }],
  "qdisc-add-prio": ["qdisc", "add", { dev: va, handle: "1:", kind: "prio", prio: { bands: 4, priomap: [1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0] } }],
  "qdisc-add-prio-default": ["qdisc", "add", { dev: va, kind: "prio" }],
  "qdisc-add-cake": ["qdisc", "add", {
    dev: va, kind: "cake",
    cake: { bandwidth: "100mbit", rtt: "50ms", diffserv: "diffserv4", flowmode: "dual-dsthost", nat: true, wash: true, ackFilter: "filter", overhead: 18, mpu: 64, atm: "atm", ingress: true, memlimit: "32mb", fwmark: 0xff, splitGso: true },
  }],
  "qdisc-add-cake-unlimited": ["qdisc", "add", { dev: va, kind: "cake", cake: { unlimited: true, diffserv: "besteffort", flowmode: "flowblind", nat: false, wash: false, ackFilter: "none", raw: true, ingress: false } }],
  "class-add-htb": ["class", "add", { dev: va, parent: "1:", classid: "1:10", kind: "htb", htb: { rate: "5mbit", ceil: "10mbit" } }],
  "class-add-htb-opts": ["class", "add", {
    dev: va, parent: "1:", classid: "1:20", kind: "htb",
    htb: { rate: "1mbit", ceil: "2mbit", burst: "15k", cburst: "20k/16", prio: 2, quantum: 1500, mtu: 9000, mpu: 64, overhead: 4 },
  }],
  "class-add-htb-rate64": ["class", "add", { dev: va, parent: "1:", classid: "1:30", kind: "htb", htb: { rate: "50gbit", ceil: "60gbit" } }],
  "class-add-htb-child": ["class", "add", { dev: va, parent: "1:10", classid: "1:11", kind: "htb", htb: { rate: "1mbit", ceil: "5mbit", linklayer: "atm" } }],
  "class-change-htb": ["class", "change", { dev: va, parent: "1:", classid: "1:10", kind: "htb", htb: { rate: "6mbit", ceil: "12mbit" } }],
  "class-replace-htb": ["class", "replace", { dev: va, parent: "1:", classid: "1:10", kind: "htb", htb: { rate: "7mbit" } }],
  "class-del": ["class", "del", { dev: va, classid: "1:10" }],
  "filter-add-u32": ["filter", "add", { ...htb10, pref: 10, kind: "u32", u32: { match: [{ ip: { dst: "10.0.0.2/32" } }], classid: "1:10" } }],
  "filter-add-u32-multi": ["filter", "add", {
    ...htb10, pref: 10, kind: "u32",
    u32: { match: [{ ip: { src: "10.0.0.0/24" } }, { ip: { dport: 80 } }, { ip: { protocol: 6 } }, { ip: { tos: { value: 0x10, mask: 0xff } } }], classid: "1:10" },
  }],
  "filter-add-u32-raw": ["filter", "add", {
    dev: va, parent: "1:", protocol: "all", pref: 11, kind: "u32",
    u32: { match: [{ u32: { value: 0x0a000001, mask: 0xffffffff, at: 12 } }, { u16: { value: 0x0800, mask: 0xffff, at: -2 } }, { u8: { value: 0x45, mask: 0xff, at: 0 } }, { tcp: { dst: 443 } }], classid: "1:10" },
  }],
  "filter-add-u32-ip6": ["filter", "add", { dev: va, parent: "1:", protocol: "ipv6", pref: 12, kind: "u32", u32: { match: [{ ip6: { dst: "2001:db8::/64" } }, { ip6: { sport: 53 } }], classid: "1:10" } }],
  "filter-add-u32-mark": ["filter", "add", { ...htb10, pref: 13, kind: "u32", u32: { match: [{ mark: { value: 0x10, mask: 0xff } }], classid: "1:10" } }],
  "filter-add-u32-handle": ["filter", "add", { ...htb10, pref: 14, handle: "800::10", kind: "u32", u32: { match: [{ ip: { dst: "10.0.0.3/32" } }], classid: "1:10" } }],
  "filter-add-u32-divisor": ["filter", "add", { ...htb10, pref: 15, handle: "2:", kind: "u32", u32: { divisor: 256 } }],
  "filter-add-u32-link": ["filter", "add", {
    ...htb10, pref: 15, kind: "u32",
    u32: { ht: "800::", match: [{ ip: { protocol: 6 } }], link: "2:", hashkey: { mask: 0x000000ff, at: 20 }, offset: { at: 0, mask: 0x0f00, shift: 6, eat: true } },
  }],
  "filter-add-u32-mirred": ["filter", "add", {
    ...htb10, pref: 16, kind: "u32", u32: { match: [{ ip: { dst: "10.0.0.2/32" } }] },
    actions: [{ kind: "mirred", mirred: { direction: "egress", action: "mirror", dev: "lo" } }],
  }],
  "filter-add-u32-redirect": ["filter", "add", {
    dev: va, parent: "ingress", protocol: "all", pref: 1, kind: "u32", u32: { match: [{ u32: { value: 0, mask: 0 } }] },
    actions: [{ kind: "mirred", mirred: { direction: "egress", action: "redirect", dev: "vb" } }],
  }],
  "filter-add-u32-ingress-mirred": ["filter", "add", {
    dev: va, parent: "egress", protocol: "ip", pref: 2, kind: "u32", u32: { match: [{ ip: { dst: "10.0.0.0/8" } }], classid: "1:1" },
    actions: [{ kind: "mirred", mirred: { direction: "ingress", action: "mirror", dev: "vb", index: 7 }, cookie: "aabbccdd" }],
  }],
  "filter-add-u32-skip-sw": ["filter", "add", { dev: va, parent: "ingress", protocol: "ip", pref: 3, kind: "u32", u32: { match: [{ ip: { src: "192.0.2.1/32" } }], skipSw: true } }],
  "filter-replace-u32": ["filter", "replace", { ...htb10, pref: 10, handle: "800::800", kind: "u32", u32: { match: [{ ip: { dst: "10.0.0.4/32" } }], classid: "1:10" } }],
  "filter-change-u32": ["filter", "change", { ...htb10, pref: 10, handle: "800::800", kind: "u32", u32: { match: [{ ip: { dst: "10.0.0.5/32" } }], classid: "1:10" } }],
  "filter-del-pref": ["filter", "del", { dev: va, parent: "1:", pref: 10 }],
  "filter-del-handle": ["filter", "del", { ...htb10, pref: 10, handle: "800::800", kind: "u32" }],
  "filter-del-all": ["filter", "del", { dev: va, parent: "ingress" }],
  "filter-add-matchall": ["filter", "add", {
    dev: va, parent: "ingress", pref: 1, kind: "matchall", matchall: { skipHw: true },
    actions: [{ kind: "mirred", mirred: { direction: "egress", action: "redirect", dev: "vb" } }],
  }],
  "filter-add-matchall-classid": ["filter", "add", { dev: va, parent: "1:", pref: 2, kind: "matchall", matchall: { classid: "1:10" } }],
  "filter-add-flower": ["filter", "add", {
    dev: va, parent: "ingress", protocol: "ip", pref: 1, kind: "flower",
    flower: {
      classid: "1:1", skipHw: true, dstMac: "02:00:00:00:00:01", srcMac: "02:00:00:00:00:00/24", ipProto: "tcp", ipTos: "0x10/0xfc", ipTtl: 64,
      dstIp: "10.0.0.0/8", srcIp: "192.0.2.1", dstPort: 80, srcPort: "1000-2000",
    },
    actions: [{ kind: "mirred", mirred: { direction: "egress", action: "redirect", dev: "vb" } }],
  }],
  "filter-add-flower-v6": ["filter", "add", { dev: va, parent: "ingress", protocol: "ipv6", pref: 2, kind: "flower", flower: { skipSw: true, indev: "vb", ipProto: "udp", dstIp: "2001:db8::/32", dstPort: 53 } }],
  "filter-add-flower-vlan": ["filter", "add", { dev: va, parent: "ingress", protocol: "802.1q", pref: 3, kind: "flower", flower: { vlanId: 100, vlanPrio: 3, vlanEthType: "ip", dstIp: "10.1.0.1" } }],
  "filter-add-gact": ["filter", "add", { dev: va, parent: "ingress", protocol: "ip", pref: 4, kind: "u32", u32: { match: [{ ip: { src: "10.0.0.1/32" } }] }, actions: [{ kind: "gact", gact: { action: "drop" } }] }],
  "filter-add-gact-random": ["filter", "add", {
    dev: va, parent: "ingress", protocol: "ip", pref: 5, kind: "u32", u32: { match: [{ ip: { src: "10.0.0.1/32" } }] },
    actions: [{ kind: "gact", gact: { action: "pass", random: { type: "determ", action: "drop", value: 10 }, index: 3 } }],
  }],
  "filter-add-police": ["filter", "add", {
    dev: va, parent: "ingress", protocol: "ip", pref: 6, kind: "u32", u32: { match: [{ ip: { src: "10.0.0.0/8" } }] },
    actions: [{ kind: "police", police: { rate: "1mbit", burst: "10k", exceed: "drop", conform: "pass" } }],
  }],
  "filter-add-police-peak": ["filter", "add", {
    dev: va, parent: "ingress", protocol: "ip", pref: 7, kind: "u32", u32: { match: [{ u32: { value: 0, mask: 0 } }] },
    actions: [{ kind: "police", police: { rate: "2mbit", burst: "20kb", mtu: "2kb", peakrate: "4mbit", overhead: 14, linklayer: "ethernet", exceed: "drop" } }],
  }],
  "filter-add-two-actions": ["filter", "add", {
    dev: va, parent: "ingress", protocol: "all", pref: 8, kind: "u32", u32: { match: [{ u32: { value: 0, mask: 0 } }] },
    actions: [{ kind: "mirred", mirred: { direction: "egress", action: "mirror", dev: "lo" } }, { kind: "gact", gact: { action: "drop" } }],
  }],
  // the pinned program's fd is tc's own: the test sends the same number in fd mode, with tc's name
  "filter-add-bpf": ["filter", "add", { dev: va, parent: "egress", pref: 8, kind: "bpf", bpf: { fd: -1, name: "drop:[*fsobj]", directAction: true } }],
  "filter-add-bpf-classid": ["filter", "add", { dev: va, parent: "1:", protocol: "ip", pref: 9, kind: "bpf", bpf: { fd: -1, name: "drop:[*fsobj]", classid: "1:10" } }],
  "filter-add-bpf-ingress": ["filter", "add", { dev: va, parent: "ingress", protocol: "all", pref: 1, handle: 5, kind: "bpf", bpf: { fd: -1, name: "drop:[*fsobj]", directAction: true, skipSw: true } }],
};

/** Runs one call on a scripted handle with the fixture's clock; returns what was sent. */
export async function sendCall(name: string, call: Call): Promise<Buffer> {
  const g = loadGolden(`tc/${name}`);
  const { ctx, exec, sent } = captureRtnl(TC_DEVICES);
  const tc = new TcApi(ctx, exec, () => fixturePsched(g));
  const [obj, verb, spec] = call;
  const fd = capturedBpfFd(commandRequest(g));
  const s = (obj === "filter" && (spec as FilterSpec).bpf?.fd === -1 ? { ...spec, bpf: { ...(spec as FilterSpec).bpf, fd } } : spec) as never;
  await (tc[obj] as unknown as Record<string, (s: unknown) => Promise<void>>)[verb]!(s);
  return sent[sent.length - 1]!.bytes;
}

describe("tc requests equal tc's bytes", () => {
  it("every tc request fixture has a call", () => {
    const requests = listGolden("tc").filter((n) => !n.includes("show"));
    expect(requests.filter((n) => !GOLDEN_CALLS[n])).toEqual([]);
  });

  it.each(Object.entries(GOLDEN_CALLS))("%s", async (name, call) => {
    const g = loadGolden(`tc/${name}`);
    const mine = await sendCall(name, call);
    expect(hexdiff(normalizeNl(commandRequest(g)), normalizeNl(mine))).toBe("");
  });
});
