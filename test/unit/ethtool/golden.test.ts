// `nlkit ethtool` against ethtool 6.1's own captures: every request nlkit sends must equal one
// ethtool sent (the replay answers nothing else), and what nlkit prints from the kernel's
// answers must equal what ethtool printed from the same bytes.
import { describe, expect, it } from "vitest";
import { ethtoolCommand } from "../../../src/cli/ethtool.js";
import { Ethtool, FeatureChangeError } from "../../../src/ethtool/index.js";
import { ETHTOOL_MSG, ETHTOOL_MSG_KERNEL, featuresAttrs } from "../../../src/ethtool/table.js";
import { encodeBody, decodeMessage } from "../../../src/netlink/message.js";
import { reply, type ScriptedRequest } from "../../../src/netlink/scripted.js";
import { NlWriter } from "../../../src/netlink/writer.js";
import { genlmsghdr } from "../../../src/genl/table.js";
import { loadGolden, splitNl, type Golden } from "../../helpers/golden.js";
import { replay, requestKey } from "../genl/replay.js";

async function runCli(argv: string[], pool: Golden[]) {
  const transport = replay(pool);
  const et = await Ethtool.open({ transport });
  let out = "";
  let err = "";
  const code = await ethtoolCommand(et, argv, { out: (s) => void (out += s), err: (s) => void (err += s) });
  et.close();
  return { code, out, err, sent: transport.sent.map((r) => requestKey(r.bytes)), misses: transport.misses };
}

const features = loadGolden("ethtool/features");

/** [fixture, fixtures that also answer]. */
const CASES: Array<[string, Golden[]]> = [
  ["show", []],
  ["features", []],
  ["features-json", []],
  ["features-set", []],
  ["features-set-legacy", []],
  ["features-set-fixed", []],
  ["channels", []],
  ["channels-set", []],
  ["channels-set-too-many", []],
  ["features-missing-dev", [features]],
  ["tsinfo", []],
];

describe("nlkit ethtool replays ethtool's captures", () => {
  it.each(CASES)("%s: same requests, same output, same exit status", async (name, extra) => {
    const g = loadGolden(`ethtool/${name}`);
    const argv = g.command.split(" ").slice(1);
    const r = await runCli(argv, [g, ...extra]);
    expect(r.misses).toEqual([]);
    expect(r.out).toBe(g.output);
    expect(r.err).toBe(g.stderr ?? "");
    expect(r.code).toBe(g.exitCode);
    for (const q of g.requests.map(requestKey)) expect(r.sent).toContain(q);
  });

  it("features-json's output parses to what ethtool printed", async () => {
    const g = loadGolden("ethtool/features-json");
    const r = await runCli(["--json", "-k", "veth1"], [g]);
    expect(JSON.parse(r.out)).toEqual(g.json);
  });
});

/** The FEATURES_GET reply of `g`, changed by `edit` (decoded, edited, encoded again). */
function editedFeaturesReply(g: Golden, edit: (attrs: Record<string, any>) => void): Buffer {
  for (const d of g.replies) {
    const m = splitNl(d)[0]!;
    if (m.readUInt16LE(4) !== 0x15 || m[16] !== ETHTOOL_MSG_KERNEL.FEATURES_GET_REPLY) continue;
    const def = { name: "genlmsghdr", header: genlmsghdr, attrs: featuresAttrs };
    const msg = decodeMessage(m, 0, m.length, def);
    edit(msg.attrs);
    const w = new NlWriter(512);
    encodeBody(w, def, msg.header, msg.attrs);
    return reply.message(0x15, w.take());
  }
  throw new Error("no FEATURES_GET_REPLY");
}

describe("the kernel's own refusal of a feature (its FEATURES_SET_REPLY)", () => {
  it("rejects with FeatureChangeError carrying the kernel's answer when the feature looked changeable", async () => {
    const fixed = loadGolden("ethtool/features-set-fixed");
    // pretend tx-checksum-ipv4 (bit 1) were changeable: nlkit then sends ethtool's request, and the kernel's reply refuses it
    const doctored = editedFeaturesReply(features, (a) => { a.hw.value[0] |= 0b10; });
    const isFeaturesGet = (r: ScriptedRequest) => r.type === 0x15 && r.payload[0] === ETHTOOL_MSG.FEATURES_GET;
    const base = replay([fixed, features], (r) => (isFeaturesGet(r) ? [doctored, reply.ack(r)] : undefined));
    const et = await Ethtool.open({ transport: base });
    const e = await et.setFeatures("veth1", { "tx-checksum-ipv4": true }).catch((x) => x);
    expect(e).toBeInstanceOf(FeatureChangeError);
    expect(e.refused).toEqual([{ feature: "tx-checksum-ipv4", active: false, requested: true }]);
    expect(e.nothingChanged).toBe(true);
    expect(base.misses).toEqual([]);
    expect(base.sent.map((r) => requestKey(r.bytes))).toContain(requestKey(fixed.requests.at(-1)!));
    et.close();
  });
});
