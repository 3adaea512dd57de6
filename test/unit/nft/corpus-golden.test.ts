import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage, type MessageDef } from "../../../src/netlink/message.js";
import { NlWriter } from "../../../src/netlink/writer.js";
import { chainMsg, objMsg, ruleMsg, setElemMsg, setMsg, tableMsg } from "../../../src/nft/attrs.js";
import { encodeBatch } from "../../../src/nft/batch.js";
import { compile } from "../../../src/nft/text/compile.js";
import { parseNft } from "../../../src/nft/text/parser.js";
import { NFT_MSG_NAMES } from "../../../src/nft/types.js";
import { hexdiff, listGolden, loadGolden, normalizeNl, splitNl } from "../../helpers/golden.js";

// The captures ran in a namespace with lo (1) and the veth pair veth0/veth1 of the setup.
export const CAPTURE_LINKS: Record<string, number> = { lo: 1, veth1: 2, veth0: 3 };
const corpus = listGolden("nft-corpus").filter((n) => n.endsWith("-load")).map((n) => n.slice(0, -5));
const DEFS: Record<string, MessageDef> = { TABLE: tableMsg, CHAIN: chainMsg, RULE: ruleMsg, SET: setMsg, SETELEM: setElemMsg, OBJ: objMsg };
const defOf = (type: number) => DEFS[(NFT_MSG_NAMES.get(type) ?? "").replace(/^NFT_MSG_(NEW|GET|DEL)/, "")];

/** What nft -f put between BATCH_BEGIN and BATCH_END (it also sends cache GETs first). */
function captured(name: string): Buffer[] {
  const reqs = loadGolden(`nft-corpus/${name}-load`).requests;
  const begin = reqs.findIndex((r) => r.readUInt16LE(4) === 0x10);
  const end = reqs.findIndex((r) => r.readUInt16LE(4) === 0x11);
  return reqs.slice(begin + 1, end);
}

function ours(name: string, ack: boolean | "last" = false): Buffer[] {
  const text = loadGolden(`nft-corpus/${name}-load`).input!;
  const p = parseNft(text);
  const messages = compile(p.commands, { sets: [], values: { ifindex: (n) => CAPTURE_LINKS[n] } }, p.lines);
  return splitNl(encodeBatch(messages, (i) => i, ack).bytes).slice(1, -1);
}

describe("corpus: what apply() sends equals what nft -f sent, byte for byte (seq and pid normalised)", () => {
  for (const name of corpus) {
    it(name, () => {
      const want = captured(name), got = ours(name);
      expect(got.length).toBe(want.length);
      want.forEach((w, i) => expect(hexdiff(normalizeNl(w), normalizeNl(got[i]!)), `message ${i} (${NFT_MSG_NAMES.get(w.readUInt16LE(4))})`).toBe(""));
    });
  }

  it("the one deliberate difference: nlkit asks for an ack on the last member only", () => {
    const plain = ours("01-kube-proxy", false), acked = ours("01-kube-proxy", "last");
    expect(acked.length).toBe(plain.length);
    acked.forEach((m, i) => {
      const last = i === acked.length - 1;
      expect(m.readUInt16LE(6), `message ${i}`).toBe(plain[i]!.readUInt16LE(6) | (last ? 0x4 : 0));
    });
  });
});

describe("corpus: every message nft sent decodes completely and re-encodes to the same bytes", () => {
  for (const name of corpus) {
    it(name, () => {
      for (const req of captured(name)) {
        const def = defOf(req.readUInt16LE(4))!;
        const m = decodeMessage(req, 0, req.length, def);
        expect(m.attrs.unknown, NFT_MSG_NAMES.get(m.type)).toBeUndefined();
        const w = new NlWriter();
        encodeMessage(w, def, m.type, m.flags, m.header, m.attrs, m.seq, m.pid);
        expect(hexdiff(req, w.take())).toBe("");
      }
    });
  }
});
