// Bad input to rt.tc is an NlkitInputError before anything is sent: each of a set of good specs,
// with any one value replaced by anything at all, is either sent or refused that way (never a
// TypeError or RangeError from an encoder, a rate table or a handle).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NetlinkError, NlkitInputError } from "../../../src/netlink/errors.js";
import { TcApi } from "../../../src/rtnl/tc/verbs.js";
import { captureRtnl } from "../../helpers/rtnl-capture.js";
import { TC_DEVICES } from "../../helpers/tc-golden.js";

const CLOCK = { tickInUsec: 15.625, clockFactor: 1000, hz: 1000 };

const SPECS: Array<["qdisc" | "class" | "filter", Record<string, unknown>]> = [
  ["qdisc", { dev: "va", parent: "root", handle: "1:", kind: "htb", htb: { default: 0x10, r2q: 5, directQlen: 100 } }],
  ["qdisc", { dev: "va", kind: "tbf", tbf: { rate: "1mbit", burst: "32kb", latency: "400ms", peakrate: "2mbit", mtu: "2kb", mpu: 64, overhead: 4, linklayer: "atm" } }],
  ["qdisc", { dev: "va", kind: "netem", netem: { limit: 2000, delay: "100ms", jitter: "10ms", delayCorrelation: "25%", loss: "1%", duplicate: "2%", reorder: "10%", corrupt: "0.5%", rate: "1mbit" } }],
  ["qdisc", { dev: "va", kind: "fq_codel", fq_codel: { limit: 1000, flows: 512, target: "5ms", interval: "100ms", ecn: true, memoryLimit: "32mb" } }],
  ["qdisc", { dev: "va", kind: "cake", cake: { bandwidth: "100mbit", rtt: "50ms", diffserv: "diffserv4", flowmode: "dual-dsthost", overhead: 18, atm: "atm" } }],
  ["qdisc", { dev: "va", kind: "prio", prio: { bands: 4, priomap: [1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0] } }],
  ["class", { dev: "va", parent: "1:", classid: "1:20", kind: "htb", htb: { rate: "1mbit", ceil: "2mbit", burst: "15k", cburst: "20k/16", prio: 2, quantum: 1500, mtu: 9000 } }],
  ["filter", {
    dev: "va", parent: "1:", protocol: "ip", pref: 10, kind: "u32",
    u32: { match: [{ ip: { dst: "10.0.0.2/32" } }, { u16: { value: 0x0800, mask: 0xffff, at: -2 } }, { tcp: { dst: 443 } }], classid: "1:10", hashkey: { mask: 0xff, at: 20 } },
    actions: [{ kind: "mirred", mirred: { direction: "egress", action: "mirror", dev: "lo" } }, { kind: "police", police: { rate: "1mbit", burst: "10k", exceed: "drop" } }],
  }],
  ["filter", {
    dev: "va", parent: "ingress", protocol: "ip", pref: 1, kind: "flower",
    flower: { dstMac: "02:00:00:00:00:01", ipProto: "tcp", ipTos: "0x10/0xfc", dstIp: "10.0.0.0/8", dstPort: 80, srcPort: "1000-2000" },
    actions: [{ kind: "gact", gact: { action: "pass", random: { type: "determ", action: "drop", value: 10 } } }],
  }],
];

/** Every path to a value in the spec (the values to replace). */
function paths(v: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  if (v === null || typeof v !== "object") return [at];
  const keys = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
  return [at, ...keys.flatMap((k) => paths((v as Record<string | number, unknown>)[k], [...at, k]))];
}

function replaced(spec: unknown, path: Array<string | number>, value: unknown): unknown {
  if (path.length === 0) return value;
  const copy: any = Array.isArray(spec) ? [...spec] : { ...(spec as object) };
  copy[path[0]!] = replaced(copy[path[0]!], path.slice(1), value);
  return copy;
}

const CASES = SPECS.flatMap(([obj, spec]) => paths(spec).filter((p) => p.length > 0 && p[0] !== "dev").map((p) => [obj, spec, p] as const));

describe("rt.tc refuses bad input with NlkitInputError, before sending", () => {
  it("the base specs are sent as they are", async () => {
    for (const [obj, spec] of SPECS) {
      const { ctx, exec, sent } = captureRtnl(TC_DEVICES);
      await new TcApi(ctx, exec, () => CLOCK)[obj].add(spec as never);
      expect(sent.length).toBe(1);
    }
  });

  it("any one value replaced by anything", async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...CASES), fc.anything({ withBigInt: true, withNullPrototype: true }), async ([obj, spec, p], junk) => {
      const { ctx, exec, sent } = captureRtnl(TC_DEVICES);
      const tc = new TcApi(ctx, exec, () => CLOCK);
      const bad = replaced(spec, p, junk);
      try {
        await tc[obj].add(bad as never);
      } catch (e) {
        // a device name that names no device is the lookup's ENODEV, as everywhere in rtnl
        const refused = e instanceof NlkitInputError || (e instanceof NetlinkError && e.errno === 19);
        expect(refused, `${p.join(".")} = ${fc.stringify(junk)}: ${(e as Error).stack}`).toBe(true);
        expect(sent).toEqual([]);
      }
    }), { numRuns: 3000 });
  });
});
