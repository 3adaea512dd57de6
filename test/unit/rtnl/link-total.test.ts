import { describe, expect, it } from "vitest";
import { NetlinkParseError } from "../../../src/netlink/errors.js";
import { decodeLink, decodeLinkRetaining } from "../../../src/rtnl/link/decode.js";
import { decodeLinkFields, linkFieldPlan, LINK_FIELDS } from "../../../src/rtnl/link/fields.js";
import { linksToIpJson, linkToIpJson } from "../../../src/rtnl/link/json.js";
import { loadCorpus } from "../../fuzz/corpus.js";
import { insertBytes, lengthFields, removeBytes, type LenField } from "../../fuzz/frames.js";

// Links from a real dump of veth, bridge (and ports), vxlan, macvlan, macvtap, tun and tap, as the
// fuzz corpus has them: whatever the bytes, a Link reads and serialises without throwing.
const corpus = loadCorpus();
const linkMessages = corpus.messages.filter((m) => m.fixture === "link-stats" && m.type === 16).map((m) => m.bytes);
const byName = new Map(linkMessages.map((b) => [decodeLink(b, 0, b.length).name, b] as const));

/** The attribute of type `type` (flags ignored) directly under `parent` (-1: the message). */
function attr(buf: Buffer, type: number, parent = 0): LenField & { index: number } {
  const fields = lengthFields(buf);
  const i = fields.findIndex((f) => f.kind === "nla" && f.parent === parent && (f.type & 0x3fff) === type);
  if (i < 0) throw new Error(`no attribute ${type}`);
  return { ...fields[i]!, index: i };
}

describe("links are total and JSON-safe", () => {
  it("every link of a real dump serialises, 64-bit values as numbers", () => {
    expect([...byName.keys()]).toEqual(expect.arrayContaining(["br0", "vx0", "mv0", "mvt0", "tun0", "tap0", "veth0", "p1"]));
    const links = linkMessages.map((b) => decodeLink(b, 0, b.length));
    for (const l of links) {
      const back = JSON.parse(JSON.stringify(l));
      expect(typeof back.other.map.memStart, l.name).toBe("number");
    }
    const br = JSON.parse(JSON.stringify(links.find((l) => l.name === "br0")));
    expect(typeof br.infoData.helloTimer).toBe("number");
    expect(typeof br.infoData.mcastQueryIntvl).toBe("number");
    expect(() => JSON.stringify(linksToIpJson(links))).not.toThrow();
  });

  it("an IFLA_AF_SPEC broken inside reads as its raw bytes, with the reason, instead of throwing", () => {
    const good = byName.get("veth0")!;
    const bad = Buffer.from(good);
    const af = attr(bad, 26);
    bad.writeUInt16LE(2, af.payload); // the first family nest's nla_len: shorter than a header
    for (const link of [decodeLink(bad, 0, bad.length), decodeLinkRetaining(Buffer.from(bad), 0, bad.length)]) {
      expect(link.afSpec?.unknown).toEqual([expect.objectContaining({ type: 26, nested: false, reason: expect.stringMatching(/bad attribute length 2/) })]);
      expect(link.afSpec?.unknown?.[0]?.data.equals(bad.subarray(af.payload, af.end))).toBe(true);
      expect(() => JSON.stringify(link)).not.toThrow();
      // the rest of the link is all there
      expect(link.name).toBe("veth0");
      expect(link.stats64?.rxPackets).toBeTypeOf("number");
    }
  });

  it("a broken linkinfo costs that attribute only", () => {
    const good = byName.get("vx0")!;
    const bad = Buffer.from(good);
    const li = attr(bad, 18);
    bad.writeUInt16LE(0xfff0, li.payload); // IFLA_INFO_KIND claims far more than linkinfo holds
    const link = decodeLink(bad, 0, bad.length);
    expect(link.kind).toBeUndefined();
    expect(link.unknown).toEqual(expect.arrayContaining([expect.objectContaining({ type: 18, reason: expect.stringMatching(/IFLA_LINKINFO: .*bad attribute length/) })]));
    expect(link.name).toBe("vx0");
    expect(decodeLinkFields(linkFieldPlan(LINK_FIELDS), bad, 0, bad.length)).toMatchObject({ name: "vx0", mtu: link.mtu });
  });

  it("an IFLA_INFO_KIND naming an Object.prototype member finds no table", () => {
    for (const kind of ["constructor", "__proto__", "toString"]) {
      const good = byName.get("vx0")!;
      const li = attr(good, 18);
      const fields = lengthFields(good);
      const kindAttr = fields.find((f) => f.parent === li.index && (f.type & 0x3fff) === 1)!;
      // a linkinfo whose kind is `kind`, data kept: IFLA_INFO_KIND's payload (and padding) replaced
      const name = Buffer.from(`${kind}\0`);
      const padded = Buffer.concat([name, Buffer.alloc((4 - (name.length % 4)) % 4)]);
      const alignedEnd = kindAttr.at + ((kindAttr.end - kindAttr.at + 3) & ~3);
      const bad: Buffer = insertBytes(removeBytes(good, kindAttr.payload, alignedEnd, fields), kindAttr.payload, padded);
      bad.writeUInt16LE(4 + name.length, kindAttr.at);
      const link = decodeLink(bad, 0, bad.length);
      expect(link.kind).toBe(kind);
      expect(Buffer.isBuffer(link.infoData)).toBe(true);
      expect(() => JSON.stringify(linkToIpJson(link))).not.toThrow();
    }
  });

  it("a bridge id shorter than struct ifla_bridge_id leaves bridge_id out of ip -j", () => {
    const good = byName.get("br0")!;
    const li = attr(good, 18);
    const fields = lengthFields(good);
    const data = fields.find((f) => f.parent === li.index && (f.type & 0x3fff) === 2)!;
    const idIndex = fields.findIndex((f) => f.parent === fields.indexOf(data) && (f.type & 0x3fff) === 11);
    const id = fields[idIndex]!;
    // 3 of its 8 bytes (prio and one byte of the address), then padding: the framing stays sound
    const bad = removeBytes(good, id.payload + 4, id.payload + 8, fields);
    bad.writeUInt16LE(4 + 3, id.at);
    const link = decodeLink(bad, 0, bad.length);
    const json = linkToIpJson(link) as { linkinfo: { info_data: Record<string, unknown> } };
    expect(json.linkinfo.info_data).not.toHaveProperty("bridge_id");
    expect(json.linkinfo.info_data.root_id).toMatch(/^[0-9a-f]{4}\./);
  });

  it("bounds outside the buffer are a NetlinkParseError", () => {
    const b = byName.get("lo")!;
    for (const [s, l] of [[0, b.length + 1], [0, 8], [4, b.length], [-1, 20]]) {
      expect(() => decodeLink(b, s!, l!)).toThrow(NetlinkParseError);
      expect(() => decodeLinkFields(linkFieldPlan(["mtu"]), b, s!, l!)).toThrow(NetlinkParseError);
    }
  });
});
