import { describe, expect, it } from "vitest";
import { DumpInterruptedError } from "../../../src/netlink/errors.js";
import type { NetlinkSocket, Request } from "../../../src/netlink/socket.js";
import { readRuleset, RulesetChangedError } from "../../../src/nft/ruleset.js";
import { NFT_MSG_GETGEN, NFT_MSG_GETTABLE } from "../../../src/nft/types.js";

/**
 * A socket that answers GETGEN with the current generation and GETTABLE with one table named
 * after it; `commitsDuringRead` transactions land between the table dump and the rule dump.
 */
function fakeSocket(commitsDuringRead: number) {
  let gen = 7, pending = commitsDuringRead;
  const asked: number[] = [];
  const sock = {
    request: async (req: Request) => {
      asked.push(req.type);
      if (req.type !== NFT_MSG_GETGEN) throw new Error(`unexpected request ${req.type}`);
      return [{ family: 0, attrs: { id: gen } }];
    },
    dump: async (req: Request) => {
      asked.push(req.type);
      if (req.type === NFT_MSG_GETTABLE) {
        const tables = [{ family: 2, attrs: { name: `gen${gen}`, handle: 1n, flags: 0 } }];
        if (pending > 0) { pending--; gen++; }
        return tables;
      }
      return [];
    },
  };
  return { sock: sock as unknown as NetlinkSocket, asked };
}

describe("readRuleset reads one generation", () => {
  it("reads once when nothing changes, framed by two GETGEN", async () => {
    const { sock, asked } = fakeSocket(0);
    const rs = await readRuleset(sock);
    expect(rs.tables.map((t) => t.name)).toEqual(["gen7"]);
    expect(asked.filter((t) => t === NFT_MSG_GETGEN)).toHaveLength(2);
    expect(asked[0]).toBe(NFT_MSG_GETGEN);
    expect(asked.at(-1)).toBe(NFT_MSG_GETGEN);
  });

  it("reads again when a commit landed during the read", async () => {
    const { sock } = fakeSocket(2);
    const rs = await readRuleset(sock);
    expect(rs.tables.map((t) => t.name)).toEqual(["gen9"]);
  });

  it("gives up with a typed error after 3 changed reads", async () => {
    const { sock } = fakeSocket(10);
    const err = await readRuleset(sock).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RulesetChangedError);
    expect(err).toBeInstanceOf(DumpInterruptedError);
    const e = err as RulesetChangedError;
    expect(e.attempts).toBe(3);
    expect(e.generations).toEqual([[7, 8], [8, 9], [9, 10]]);
    expect(e.ruleset.tables[0]!.name).toBe("gen9");
    expect(e.message).toMatch(/changed while it was read, 3 times/);
  });
});
