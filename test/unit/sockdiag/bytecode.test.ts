// The filter compiler: ss's bytes for the same filters, and programs that a model of the
// kernel's checker (inet_diag_bc_audit) accepts and whose verdicts (inet_diag_bc_run) are the
// conjunction of the conditions.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NlkitInputError } from "../../../src/netlink/errors.js";
import { compileFilter, type InetConditions } from "../../../src/sockdiag/bytecode.js";
import { sockdiagGolden, zeroHostcondPadding } from "../../helpers/sockdiag-golden.js";

const S_COND = 7, D_COND = 8, JMP = 1, NOP = 0;
const AF_INET = 2, AF_INET6 = 10;

/** The INET_DIAG_REQ_BYTECODE payload of a captured request (after nlmsghdr and inet_diag_req_v2). */
function capturedBytecode(name: string, i = 0): Buffer {
  const req = zeroHostcondPadding(sockdiagGolden(name).requests[i]!);
  const at = 16 + 56;
  expect(req.readUInt16LE(at + 2)).toBe(1);
  return req.subarray(at + 4, at + req.readUInt16LE(at));
}

/** inet_diag_bc_audit: every op valid, every jump landing on an op or just past the end. */
function audit(bc: Buffer): boolean {
  const starts = new Set<number>();
  let len = bc.length, off = 0;
  while (len > 0) {
    starts.add(off);
    const code = bc[off]!, yes = bc[off + 1]!, no = bc.readUInt16LE(off + 2);
    let min = 4;
    if (code === S_COND || code === D_COND) {
      if (len < 12) return false;
      const family = bc[off + 4]!, plen = bc[off + 5]!;
      const alen = family === 0 ? 0 : family === AF_INET ? 4 : family === AF_INET6 ? 16 : -1;
      if (alen < 0 || plen > 8 * alen) return false;
      min = 12 + alen;
      if (len < min) return false;
    } else if (code !== JMP && code !== NOP) return false;
    if (code !== NOP && (no < min || no > len + 4 || no & 3)) return false;
    if (yes < min || yes > len + 4 || yes & 3) return false;
    off += yes;
    len -= yes;
  }
  return len === 0;
}

interface Entry { family: number; saddr: Buffer; daddr: Buffer; sport: number; dport: number }

function bitsMatch(a: Buffer, b: Buffer, bits: number): boolean {
  for (let i = 0; i < bits; i++) if (((a[i >> 3]! >> (7 - (i & 7))) & 1) !== ((b[i >> 3]! >> (7 - (i & 7))) & 1)) return false;
  return true;
}

/** inet_diag_bc_run over one socket: true when the program accepts it. */
function runBc(bc: Buffer, e: Entry): boolean {
  let len = bc.length, off = 0;
  while (len > 0) {
    const code = bc[off]!, yesLen = bc[off + 1]!, noLen = bc.readUInt16LE(off + 2);
    let yes = true;
    if (code === JMP) yes = false;
    else if (code === S_COND || code === D_COND) {
      const family = bc[off + 4]!, plen = bc[off + 5]!, port = bc.readInt32LE(off + 8);
      const addr = code === S_COND ? e.saddr : e.daddr;
      const want = bc.subarray(off + 12);
      if (port !== -1 && port !== (code === S_COND ? e.sport : e.dport)) yes = false;
      else if (family !== 0 && family !== e.family) {
        const mapped = e.family === AF_INET6 && family === AF_INET && addr.subarray(0, 10).every((b) => b === 0) && addr[10] === 0xff && addr[11] === 0xff;
        yes = mapped && bitsMatch(addr.subarray(12), want, plen);
      } else if (plen !== 0) yes = bitsMatch(addr, want, plen);
    }
    const step = yes ? yesLen : noLen;
    if (step <= 0) return false;
    off += step;
    len -= step;
  }
  return len === 0;
}

const v4 = (a: number[]) => Buffer.from(a);

describe("compileFilter", () => {
  it("writes ss's program for `sport = :22`", () => {
    expect(compileFilter({ sport: 22 })!.toString("hex")).toBe(capturedBytecode("tcp-listen-sport").toString("hex"));
    expect(compileFilter({ sport: 22 })!.toString("hex")).toBe(capturedBytecode("tcp-listen-sport", 1).toString("hex"));
  });

  it("writes ss's program for `dst 127.0.0.1 dport = :22`", () => {
    expect(compileFilter({ dst: "127.0.0.1", dport: 22 })!.toString("hex")).toBe(capturedBytecode("tcp-dst-dport").toString("hex"));
  });

  it("has no program without conditions", () => {
    expect(compileFilter({})).toBeUndefined();
  });

  it.each([
    [{ sport: 70000 }, "sport"], [{ dport: -1 }, "dport"], [{ sport: 1.5 }, "sport"], [{ sport: "22" as unknown as number }, "sport"],
    [{ src: "10.0.0.300" }, "src"], [{ dst: "10.0.0.0/33" }, "dst"], [{ src: 5 as unknown as string }, "src"],
  ])("refuses %j before anything is sent", (c, field) => {
    expect(() => compileFilter(c)).toThrow(NlkitInputError);
    try { compileFilter(c); } catch (e) { expect((e as NlkitInputError).field).toBe(field); }
  });

  const addr4 = fc.tuple(fc.constantFrom(10, 192), fc.nat(1), fc.nat(1), fc.nat(3)).map((a) => a.join("."));
  const cond = fc.record({
    src: fc.option(fc.tuple(addr4, fc.integer({ min: 0, max: 32 })).map(([a, l]) => `${a}/${l}`), { nil: undefined }),
    dst: fc.option(fc.oneof(addr4, fc.constant("2001:db8::/32"), fc.constant("::1")), { nil: undefined }),
    sport: fc.option(fc.integer({ min: 20, max: 23 }), { nil: undefined }),
    dport: fc.option(fc.integer({ min: 20, max: 23 }), { nil: undefined }),
  });
  const entry = fc.record({
    v6: fc.boolean(),
    s: fc.tuple(fc.constantFrom(10, 192), fc.nat(1), fc.nat(1), fc.nat(3)),
    d: fc.tuple(fc.constantFrom(10, 192), fc.nat(1), fc.nat(1), fc.nat(3)),
    sport: fc.integer({ min: 20, max: 23 }),
    dport: fc.integer({ min: 20, max: 23 }),
  }).map(({ v6, s, d, sport, dport }): Entry => {
    // IPv6 sockets here carry v4-mapped addresses, which the kernel matches against IPv4 conditions
    const wrap = (a: number[]) => (v6 ? Buffer.concat([Buffer.alloc(10), Buffer.from([0xff, 0xff]), v4(a)]) : v4(a));
    return { family: v6 ? AF_INET6 : AF_INET, saddr: wrap(s), daddr: wrap(d), sport, dport };
  });

  /** What the conditions mean, evaluated directly. */
  function holds(c: InetConditions, e: Entry): boolean {
    const inPrefix = (addr: Buffer, text: string) => {
      const [a, l] = text.split("/");
      if (a!.includes(":")) return false; // no IPv6 socket of this test has a native IPv6 address
      const bytes = v4(a!.split(".").map(Number));
      const bits = l === undefined ? 32 : Number(l);
      return bitsMatch(e.family === AF_INET6 ? addr.subarray(12) : addr, bytes, bits);
    };
    return (c.src === undefined || inPrefix(e.saddr, c.src)) && (c.dst === undefined || inPrefix(e.daddr, c.dst))
      && (c.sport === undefined || c.sport === e.sport) && (c.dport === undefined || c.dport === e.dport);
  }

  it("every program passes the kernel's checks and accepts exactly the sockets that meet all conditions", () => {
    fc.assert(fc.property(cond, fc.array(entry, { minLength: 1, maxLength: 8 }), (c, entries) => {
      const bc = compileFilter(c);
      if (!bc) return;
      expect(audit(bc)).toBe(true);
      for (const e of entries) expect(runBc(bc, e)).toBe(holds(c, e));
    }), { numRuns: 300 });
  });

  it("the model catches a broken program (a reject that lands on the next op)", () => {
    const bc = compileFilter({ sport: 22, dport: 23 })!;
    bc.writeUInt16LE(16, 2);
    expect(audit(bc)).toBe(true);
    const e: Entry = { family: AF_INET, saddr: v4([10, 0, 0, 1]), daddr: v4([10, 0, 0, 2]), sport: 21, dport: 23 };
    expect(runBc(bc, e)).toBe(true);
    expect(holds({ sport: 22, dport: 23 }, e)).toBe(false);
  });
});
