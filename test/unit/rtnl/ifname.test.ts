import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NlkitInputError } from "../../../src/netlink/errors.js";
import { validateIfname } from "../../../src/rtnl/context.js";

/** The kernel's dev_valid_name as a reference: < 16 bytes, not "."/"..", no '/', ':', NUL or whitespace. */
function reference(name: string): boolean {
  return name.length > 0 && Buffer.byteLength(name) < 16 && name !== "." && name !== ".." && !/[/:\s\0]/.test(name);
}

const accepts = (name: string): boolean => {
  try {
    validateIfname(name, "dev");
    return true;
  } catch (e) {
    expect(e).toBeInstanceOf(NlkitInputError);
    expect((e as NlkitInputError).field).toBe("dev");
    return false;
  }
};

describe("validateIfname", () => {
  it("agrees with dev_valid_name on ASCII, control, Unicode-space and multibyte names", () => {
    const ch = fc.oneof(
      fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)),
      fc.constantFrom("\u00a0", "\u2003", "\u3000", "\ufeff", "é", "€", "😀", "."),
    );
    fc.assert(fc.property(fc.array(ch, { maxLength: 18 }).map((a) => a.join("")), (name) => {
      expect(accepts(name)).toBe(reference(name));
    }), { numRuns: 5000 });
    for (const name of ["eth0", "vethA1000", "a".repeat(15), ".", "..", "...", "a/b", "a:b", "a b", "a\0", "a\x7f", "ééééééé", "éééééééé"]) {
      expect(accepts(name)).toBe(reference(name));
    }
    expect(accepts("a".repeat(16))).toBe(false);
  });
});
