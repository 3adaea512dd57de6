// Ethtool's verbs on ethtool's own captures: bad input is refused before anything that changes a
// device is sent, and every reply decoder is total (NetlinkParseError, never RangeError).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Ethtool, FeatureChangeError } from "../../../src/ethtool/index.js";
import { readBitset } from "../../../src/ethtool/features.js";
import { ETHTOOL_FAMILY, ETHTOOL_MSG } from "../../../src/ethtool/table.js";
import { genlDecoder } from "../../../src/genl/verbs.js";
import { NetlinkParseError, NlkitInputError } from "../../../src/netlink/errors.js";
import { loadGolden, splitNl } from "../../helpers/golden.js";
import { replay } from "../genl/replay.js";

const features = loadGolden("ethtool/features");
const channels = loadGolden("ethtool/channels");

/** ethtool's family id in the captures. */
const ETHTOOL_ID = 0x15;

/** Commands sent to the ethtool family (nlctrl's lookups aside). */
function ethtoolCmds(t: ReturnType<typeof replay>): number[] {
  return t.sent.filter((r) => r.type === ETHTOOL_ID).map((r) => r.payload[0]!);
}

async function refused(p: Promise<unknown>, field?: string): Promise<NlkitInputError> {
  const e = await p.catch((x: unknown) => x);
  expect(e).toBeInstanceOf(NlkitInputError);
  if (field !== undefined) expect((e as NlkitInputError).field).toBe(field);
  return e as NlkitInputError;
}

describe("Ethtool input", () => {
  it("bad devices are refused before anything is sent", async () => {
    const t = replay([features]);
    const et = await Ethtool.open({ transport: t });
    for (const dev of ["", "x".repeat(16), "a b", "a/b", 0, -1, 1.5, 2 ** 32, null as unknown as string]) {
      await refused(et.features(dev), "dev");
      await refused(et.channels(dev), "dev");
      await refused(et.setChannels(dev, { rx: 1 }), "dev");
    }
    expect(t.sent).toEqual([]);
    et.close();
  });

  it("setFeatures: unknown names, non-booleans and empty requests send no FEATURES_SET", async () => {
    const t = replay([features]);
    const et = await Ethtool.open({ transport: t });
    expect((await refused(et.setFeatures("veth1", { "no-such-feature": true }), "no-such-feature")).code).toBe("EOPNOTSUPP");
    await refused(et.setFeatures("veth1", { "rx-gro": "on" as unknown as boolean }), "rx-gro");
    await refused(et.setFeatures("veth1", {}), "features");
    await refused(et.setFeatures("veth1", null as unknown as Record<string, boolean>), "features");
    // a bad name among good ones: nothing is set
    await refused(et.setFeatures("veth1", { "rx-gro": true, bogus: false }), "bogus");
    expect(ethtoolCmds(t)).not.toContain(ETHTOOL_MSG.FEATURES_SET);
    expect(t.misses).toEqual([]);
    et.close();
  });

  it("setChannels: unknown kinds, bad counts and empty specs are refused before anything is sent", async () => {
    const t = replay([channels]);
    const et = await Ethtool.open({ transport: t });
    await refused(et.setChannels("veth1", { queues: 2 } as never), "queues");
    for (const v of [-1, 1.5, 2 ** 32, NaN, "2" as unknown as number]) await refused(et.setChannels("veth1", { rx: v }), "rx");
    await refused(et.setChannels("veth1", {}), "channels");
    await refused(et.setChannels("veth1", { tx: undefined }), "channels");
    await refused(et.setChannels("veth1", null as never), "channels");
    expect(t.sent).toEqual([]);
    et.close();
  });

  it("a fixed feature is refused from the device's state, with no FEATURES_SET; sendFixed sends it as ethtool does", async () => {
    const fixed = loadGolden("ethtool/features-set-fixed");
    const t = replay([fixed, features]);
    const et = await Ethtool.open({ transport: t });
    const e = await et.setFeatures("veth1", { "tx-checksum-ipv4": true }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(FeatureChangeError);
    expect((e as FeatureChangeError).refused).toEqual([{ feature: "tx-checksum-ipv4", active: false, requested: true }]);
    expect(ethtoolCmds(t)).not.toContain(ETHTOOL_MSG.FEATURES_SET);
    expect((e as FeatureChangeError).nothingChanged).toBe(true);
    // a changeable feature beside the fixed one: still refused before sending, so nothing changed
    const mixed = await et.setFeatures("veth1", { "rx-gro": true, "tx-checksum-ipv4": true }).catch((x: unknown) => x);
    expect((mixed as FeatureChangeError).refused.map((c) => c.feature)).toEqual(["tx-checksum-ipv4"]);
    expect((mixed as FeatureChangeError).nothingChanged).toBe(true);
    expect(ethtoolCmds(t)).not.toContain(ETHTOOL_MSG.FEATURES_SET);
    et.close();

    const t2 = replay([fixed]);
    const et2 = await Ethtool.open({ transport: t2 });
    const e2 = await et2.setFeatures("veth1", { "tx-checksum-ipv4": true }, { sendFixed: true }).catch((x: unknown) => x);
    expect(e2).toBeInstanceOf(FeatureChangeError);
    expect((e2 as FeatureChangeError).refused).toEqual([{ feature: "tx-checksum-ipv4", active: false, requested: true }]);
    expect((e2 as FeatureChangeError).nothingChanged).toBe(true);
    expect(ethtoolCmds(t2)).toEqual([ETHTOOL_MSG.STRSET_GET, ETHTOOL_MSG.FEATURES_SET]);
    expect(t2.misses).toEqual([]);
    et2.close();
  });

  it("stats() needs a kernel socket for its ioctls: refused over a scripted transport, as a bad name is, with nothing sent", async () => {
    const t = replay([]);
    const et = await Ethtool.open({ transport: t });
    await expect(et.stats("veth1")).rejects.toMatchObject({ name: "NlkitInputError", field: "dev", message: expect.stringMatching(/ioctl/) });
    await expect(et.stats("no such/name")).rejects.toMatchObject({ name: "NlkitInputError", field: "dev" });
    expect(t.sent).toEqual([]);
    et.close();
  });

  it("the string set is read once per handle", async () => {
    const t = replay([features]);
    const et = await Ethtool.open({ transport: t });
    const a = await et.features("veth1");
    const b = await et.features("veth1");
    expect(b).toEqual(a);
    expect(ethtoolCmds(t).filter((c) => c === ETHTOOL_MSG.STRSET_GET)).toHaveLength(1);
    et.close();
  });
});

describe("ethtool decoders are total", () => {
  const decode = genlDecoder(ETHTOOL_FAMILY, ETHTOOL_ID);
  const replies = [...features.replies, ...channels.replies].flatMap((d) => splitNl(d)).filter((m) => m.readUInt16LE(4) === ETHTOOL_ID);

  it("any bytes in a reply give a message or NetlinkParseError", () => {
    expect(replies.length).toBeGreaterThan(2);
    fc.assert(fc.property(fc.nat(replies.length - 1), fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(4000), (which, noise, at) => {
      const b = Buffer.from(replies[which]!);
      Buffer.from(noise).copy(b, 20 + (at % Math.max(1, b.length - 20)));
      try {
        const m = decode(b, 0, b.length);
        // what the verbs read from a decoded message must be as total as the decoder
        for (const v of Object.values((m?.attrs ?? {}) as Record<string, unknown>)) {
          if (v && typeof v === "object" && !Buffer.isBuffer(v)) readBitset(v as never);
        }
      } catch (e) {
        if (!(e instanceof NetlinkParseError)) throw e;
      }
    }), { numRuns: 400 });
  });

  it("a bit set's size from the wire never becomes an allocation of that size", () => {
    expect(() => readBitset({ size: 0xffffffff, value: [1] })).toThrow(NetlinkParseError);
    expect(() => readBitset({ size: 0xffffffff, bits: { bit: [{ index: 3 }] } })).toThrow(NetlinkParseError);
    expect(readBitset({ size: 40, value: [0b101] })!.value.slice(0, 3)).toEqual([true, false, true]);
  });
});

describe("tsinfo", () => {
  it("reads ethtool -T's request's answer: names of the set bits, no PHC on veth", async () => {
    const t = replay([loadGolden("ethtool/tsinfo")]);
    const et = await Ethtool.open({ transport: t });
    expect(await et.tsinfo("veth1")).toEqual({
      timestamping: ["software-transmit", "software-receive", "software-system-clock"], txTypes: [], rxFilters: [],
    });
    expect(t.misses).toEqual([]);
    et.close();
  });
});
