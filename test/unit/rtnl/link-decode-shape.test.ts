import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { forEachMessage } from "../../../src/netlink/message.js";
import { decodeLink } from "../../../src/rtnl/link/decode.js";
import type { Link } from "../../../src/rtnl/link/types.js";
import { loadGolden } from "../../helpers/golden.js";

// decodeLink builds Links with a constructor (for V8's in-object room); what comes out must
// still be indistinguishable from an object literal.
const g = loadGolden("dump/link-show-all");
const links: Link[] = [];
for (const d of g.replies) forEachMessage(d, d.length, (s, l) => { if (d.readUInt16LE(s + 4) === 16) links.push(decodeLink(d, s, l)); });

describe("decoded links are plain objects", () => {
  it("have Object.prototype, the Object constructor and print as a literal", () => {
    expect(links.length).toBeGreaterThan(3);
    for (const link of links) {
      expect(Object.getPrototypeOf(link)).toBe(Object.prototype);
      expect(link.constructor).toBe(Object);
      expect(inspect(link, { depth: 0 }).startsWith("{")).toBe(true);
      expect(link).toStrictEqual({ ...link });
    }
  });

  it("survive structuredClone with their lazy parts", () => {
    const link = links.find((l) => l.name === "veth0")!;
    const clone = structuredClone(link);
    expect(clone.afSpec).toEqual(link.afSpec);
    expect(clone.name).toBe("veth0");
  });
});
