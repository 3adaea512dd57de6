import { describe, expect, it } from "vitest";
import { NetlinkError, NlkitInputError } from "../../../src/netlink/errors.js";
import type { NetlinkSocket } from "../../../src/netlink/socket.js";
import { applyText, compileText } from "../../../src/nft/apply.js";
import type { NftRuleset } from "../../../src/nft/ruleset.js";
import { locateKernelError } from "../../../src/nft/text/errors.js";
import { NFT_MSG_NAMES } from "../../../src/nft/types.js";

/** A host with an empty ruleset whose socket fails the test if anything is sent. */
function host() {
  const sent: unknown[] = [];
  const socket = new Proxy({}, { get: (_t, p) => () => { sent.push(p); throw new Error(`socket.${String(p)} called`); } }) as NetlinkSocket;
  return { sent, socket, ruleset: async (): Promise<NftRuleset> => ({ tables: [] }), linkNames: () => new Map([[1, "lo"]]) };
}

async function refused(text: string, filename = "rules.nft"): Promise<NlkitInputError & { location: any }> {
  const h = host();
  const e = await applyText(h, text, { filename }).catch((x: unknown) => x);
  expect(h.sent).toEqual([]);
  expect(e).toBeInstanceOf(NlkitInputError);
  return e as NlkitInputError & { location: any };
}

const names = async (text: string) => (await compileText(host(), text, "<input>")).messages.map((m) => `${NFT_MSG_NAMES.get(m.type)}:0x${m.flags.toString(16)}`);

describe("apply() refuses bad text before anything is sent, located and worded as nft", () => {
  it("a syntax error names line, columns and the token", async () => {
    const e = await refused("table ip t {\n\tchain c {\n\t\ttcp dport 22 acept\n\t}\n}\n");
    // as nft: an unknown word is read as the start of an expression, so the newline after it is unexpected
    expect(e.message.split("\n")[0]).toBe("rules.nft:3:21-21: Error: syntax error, unexpected newline");
    const e2 = await refused("table ip t {\n\tchain c {\n\t\ttcp dport 22 counter ,\n\t}\n}\n");
    expect(e2.message).toBe("rules.nft:3:24-24: Error: syntax error, unexpected comma, expecting newline or semicolon\n\t\ttcp dport 22 counter ,\n\t\t                     ^");
    expect(e2.location).toEqual({ file: "rules.nft", line: 3, column: 24, endColumn: 24, token: "," });
    const e3 = await refused("table ip t {\n\tchain c {\n\t\ttcp dport 22 drop accept\n\t}\n}\n");
    expect(e3.message).toBe("rules.nft:3:21-26: Error: Statement after terminal statement has no effect\n\t\ttcp dport 22 drop accept\n\t\t             ~~~~ ^^^^^^");
    // nft 1.0.6 wants a newline or ";" after every block member, closing braces included
    expect((await refused("table ip t { chain c { accept; } }\n")).message.split("\n")[0])
      .toBe("rules.nft:1:34-34: Error: syntax error, unexpected '}', expecting newline or semicolon");
  });

  it("a value the type cannot take: nft's words, the value underlined", async () => {
    const e = await refused("table ip t {\n\tchain c {\n\t\tip saddr 10.0.0.300 drop\n\t}\n}\n");
    expect(e.message).toBe("rules.nft:3:12-21: Error: Could not resolve hostname: Name or service not known\n\t\tip saddr 10.0.0.300 drop\n\t\t         ^^^^^^^^^^");
    const e2 = await refused("table ip t {\n\tchain c {\n\t\ticmp type bogus accept\n\t}\n}\n");
    expect(e2.message.split("\n")[0]).toBe("rules.nft:3:13-17: Error: Could not parse ICMP type");
  });

  it("an unknown chain type or hook: nft's words, the word underlined, the type judged first", async () => {
    const e = await refused("add table inet fw\nadd chain inet fw input { type filter hook nope priority 0; }\n");
    expect(e.message).toBe("rules.nft:2:44-47: Error: unknown chain hook\nadd chain inet fw input { type filter hook nope priority 0; }\n                                           ^^^^");
    const e2 = await refused("add table inet fw\nadd chain inet fw input { type filtr hook nope priority 0; }\n");
    expect(e2.message.split("\n")[0]).toBe("rules.nft:2:32-36: Error: unknown chain type");
  });

  it("an undefined variable, an include, a missing brace", async () => {
    const e = await refused("define X = 1\ntable ip t {\n\tchain c {\n\t\ttcp dport $Y accept\n\t}\n}\n");
    expect(e.message.split("\n")[0]).toBe("rules.nft:4:14-14: Error: unknown identifier 'Y'");
    expect((await refused('include "other.nft"\n')).message).toMatch(/include is not supported/);
    expect((await refused("table ip t {\n\tchain c {\n\t\ttcp dport 22 accept\n\t}\n")).message).toMatch(/unexpected end of file/);
  });

  it("conflicting protocols and nat ports without a transport protocol", async () => {
    expect((await refused("table ip t {\n\tchain c {\n\t\ttcp dport 22 udp dport 53 accept\n\t}\n}\n")).message).toMatch(/conflicting protocols specified: tcp vs. udp/);
    expect((await refused("table ip t {\n\tchain c {\n\t\ttype nat hook postrouting priority srcnat;\n\t\tsnat to 192.0.2.1:1024\n\t}\n}\n")).message)
      .toMatch(/transport protocol mapping is only valid after transport protocol match/);
  });
});

describe("command forms", () => {
  it("add, insert, replace, delete, flush, create: nft's message types and flags", async () => {
    expect(await names([
      "add table ip t", "create table ip u", "add chain ip t c", "add rule ip t c accept", "insert rule ip t c drop",
      "replace rule ip t c handle 4 accept", "add rule ip t c position 4 accept", "delete rule ip t c handle 4",
      "flush chain ip t c", "flush table ip t", "delete chain ip t c", "delete table ip u", "flush ruleset",
    ].join("\n"))).toEqual([
      "NFT_MSG_NEWTABLE:0x0", "NFT_MSG_NEWTABLE:0x200", "NFT_MSG_NEWCHAIN:0x400", "NFT_MSG_NEWRULE:0xc00", "NFT_MSG_NEWRULE:0x400",
      "NFT_MSG_NEWRULE:0x100", "NFT_MSG_NEWRULE:0xc00", "NFT_MSG_DELRULE:0x0", "NFT_MSG_DELRULE:0x0", "NFT_MSG_DELRULE:0x0",
      "NFT_MSG_DELCHAIN:0x0", "NFT_MSG_DELTABLE:0x0", "NFT_MSG_DELTABLE:0x0",
    ]);
  });

  it("sets, elements and objects", async () => {
    expect(await names([
      "add table inet f", "add set inet f s { type ipv4_addr; flags interval; }", "add element inet f s { 10.0.0.0/8 }",
      "delete element inet f s { 10.0.0.0/8 }", "flush set inet f s", "add counter inet f c", "add quota inet f q { 10 mbytes }",
      "add limit inet f l { rate 1/second }", "delete counter inet f c", "delete set inet f s",
    ].join("\n"))).toEqual([
      "NFT_MSG_NEWTABLE:0x0", "NFT_MSG_NEWSET:0x400", "NFT_MSG_NEWSETELEM:0x400", "NFT_MSG_DELSETELEM:0x0", "NFT_MSG_DELSETELEM:0x0",
      "NFT_MSG_NEWOBJ:0x400", "NFT_MSG_NEWOBJ:0x400", "NFT_MSG_NEWOBJ:0x400", "NFT_MSG_DELOBJ:0x0", "NFT_MSG_DELSET:0x0",
    ]);
  });

  it("define variables expand where they are used, sets included", async () => {
    const withVars = await compileText(host(), 'define IF = "eth0"\ndefine PORTS = { 22, 80 }\ntable ip t {\n\tchain c {\n\t\tiifname $IF tcp dport $PORTS accept\n\t}\n}\n', "x");
    const plain = await compileText(host(), 'table ip t {\n\tchain c {\n\t\tiifname "eth0" tcp dport { 22, 80 } accept\n\t}\n}\n', "x");
    expect(withVars.messages.map((m) => m.attrs)).toEqual(plain.messages.map((m) => m.attrs));
  });

  it("every message remembers the line it came from", async () => {
    const { messages } = await compileText(host(), "table ip t {\n\tchain c {\n\t\tip saddr { 10.0.0.1, 10.0.0.2 } accept\n\t}\n}\n", "x");
    expect(messages.map((m) => [NFT_MSG_NAMES.get(m.type), m.origin.loc.line])).toEqual([
      ["NFT_MSG_NEWTABLE", 1], ["NFT_MSG_NEWCHAIN", 2], ["NFT_MSG_NEWSET", 3], ["NFT_MSG_NEWSETELEM", 3], ["NFT_MSG_NEWRULE", 3],
    ]);
  });
});

describe("a kernel refusal names its line", () => {
  it("nft's wording, the command underlined", () => {
    const err = new NetlinkError(2, {}, { type: 0xa06, typeName: "NFT_MSG_NEWRULE", index: 4 });
    const e = locateKernelError(err, "rules.nft", { line: 3, col: 3, end: 14 }, "\t\tjump nowhere");
    expect(e).toBeInstanceOf(NetlinkError);
    expect(e.message.split("\n")).toEqual([
      "rules.nft:3:3-14: Error: Could not process rule: No such file or directory (ENOENT, NFT_MSG_NEWRULE, batch message 4)",
      "\t\tjump nowhere", "\t\t^^^^^^^^^^^^",
    ]);
    expect(e.location).toMatchObject({ line: 3, column: 3 });
  });
});
