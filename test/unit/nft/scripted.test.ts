// Nft over a scripted kernel: code that uses Nft is testable without root, as rtnetlink code is.
import { describe, expect, it } from "vitest";
import { NetlinkError, Nft, ScriptedTransport, reply } from "../../../src/index.js";

const NFNL_MSG_BATCH_BEGIN = 0x10, NFNL_MSG_BATCH_END = 0x11;
const NEWTABLE = 0xa00, NEWCHAIN = 0xa03, NEWRULE = 0xa06;
const GETGEN = 0xa10, NEWGEN = 0xa0f;
const ENOENT = 2;

/** The kernel's NEWGEN answer to GETGEN: nfgenmsg, then NFTA_GEN_ID (big-endian) = 7. */
const newgen = () => reply.message(NEWGEN, Buffer.from("00000007" + "0800010000000007", "hex"));

/** A scripted nf_tables that holds nothing: dumps end at once, GETGEN answers, members are taken. */
function emptyKernel(refuse?: number) {
  return new ScriptedTransport((req) => {
    if (req.type === GETGEN) return [newgen()];
    if (refuse !== undefined && req.type === refuse) return [reply.error(ENOENT, req)];
    return undefined;
  });
}

const RULESET = `table ip nat {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr 10.0.0.0/24 oifname != "br0" masquerade
	}
}
`;

describe("Nft.open({ transport })", () => {
  it("apply() sends one batch: begin, the table, its chain, its rule, end; only the last member asks for an ack", async () => {
    const t = emptyKernel();
    const nft = await Nft.open({ transport: t });
    expect(nft.socket.fd).toBe(-1);   // never the kernel: a real socket here would be the root namespace's
    await nft.apply(RULESET);
    const begin = t.sent.findIndex((r) => r.type === NFNL_MSG_BATCH_BEGIN);
    const end = t.sent.findIndex((r) => r.type === NFNL_MSG_BATCH_END);
    expect(begin).toBeGreaterThanOrEqual(0);
    const batch = t.sent.slice(begin, end + 1);
    expect(batch.map((r) => r.type)).toEqual([NFNL_MSG_BATCH_BEGIN, NEWTABLE, NEWCHAIN, NEWRULE, NFNL_MSG_BATCH_END]);
    // nothing is written after the batch: apply() ends with the kernel's ack of its last member
    expect(t.sent.length).toBe(end + 1);
    const acked = batch.filter((r) => r.flags & 0x4);
    expect(acked.map((r) => r.type)).toEqual([NEWRULE]);
    nft.close();
  });

  it("a refusal of a member is the NetlinkError of that member", async () => {
    const t = emptyKernel(NEWCHAIN);
    const nft = await Nft.open({ transport: t });
    expect(nft.socket.fd).toBe(-1);   // never the kernel: a real socket here would be the root namespace's
    const err = await nft.apply(RULESET).catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe("ENOENT");
    nft.close();
  });

  it("ruleset() of an empty scripted kernel is empty, and renders as nothing", async () => {
    const nft = await Nft.open({ transport: emptyKernel() });
    expect(nft.socket.fd).toBe(-1);
    expect((await nft.ruleset()).tables).toEqual([]);
    expect(await nft.renderRuleset()).toBe("");
    nft.close();
  });
});
