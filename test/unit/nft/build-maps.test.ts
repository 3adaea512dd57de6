import { describe, expect, it } from "vitest";
import { NlkitInputError } from "../../../src/netlink/errors.js";
import { compileText } from "../../../src/nft/apply.js";
import { nftExpr as x } from "../../../src/nft/index.js";
import { encodeBatch } from "../../../src/nft/batch.js";
import type { Expr } from "../../../src/nft/expr/index.js";
import { Transaction } from "../../../src/nft/tx.js";
import { NFT_MSG_NEWRULE, NFT_MSG_NEWSET, NFT_MSG_NEWSETELEM, NFT_MSG_NEWOBJ } from "../../../src/nft/types.js";

const host = { ruleset: async () => ({ tables: [] }), linkNames: () => new Map<number, string>() };

/** The expressions nft's text compiles to for `rule`, after `decls` in table ip t (set ids 1, 2, ... in order). */
async function compiled(decls: string, rule: string, family = "ip"): Promise<Expr[]> {
  const text = `table ${family} t {\n${decls}\n\tchain c {\n\t\t${rule}\n\t}\n}\n`;
  const { messages } = await compileText(host, text, "<t>");
  const r = messages.filter((m) => m.type === NFT_MSG_NEWRULE);
  expect(r).toHaveLength(1);
  return r[0]!.attrs.expressions as Expr[];
}

const json = (e: unknown) => JSON.stringify(e);

describe("expression builders for maps and objects are what nft generates for the same text", () => {
  it.each<[string, string, () => Array<Expr | Expr[]>]>([
    ["map m { type ipv4_addr : verdict; }", "ip daddr vmap @m", () => [x.vmap(x.field("ip daddr"), "m", { setId: 1 })]],
    ["map m { type ipv4_addr . inet_service : verdict; }", "ip daddr . tcp dport vmap @m",
      () => [x.l4proto("tcp"), x.vmap([x.field("ip daddr"), x.field("tcp dport")], "m", { setId: 1 })]],
    ["map m { type ipv4_addr . inet_proto . inet_service : verdict; }", "ip daddr . meta l4proto . th dport vmap @m",
      () => [x.vmap([x.field("ip daddr"), x.field("meta l4proto"), x.field("th dport")], "m", { setId: 1 })]],
    ["map m { type ifname . ipv4_addr : verdict; }", "iifname . ip saddr vmap @m",
      () => [x.vmap([x.field("iifname"), x.field("ip saddr")], "m", { setId: 1 })]],
    ["map m { type ipv4_addr : mark; }", "meta mark set ip saddr map @m",
      () => [x.mapLookup(x.field("ip saddr"), "m", { setId: 1 }), x.metaSet("mark")]],
    ["map m { type inet_service : ipv4_addr; }", "dnat to tcp dport map @m",
      () => [x.l4proto("tcp"), x.natMap("dnat", x.field("tcp dport"), "m", { setId: 1 })]],
    ["map m { type ipv4_addr . inet_service : ipv4_addr . inet_service; }", "dnat ip to ip daddr . tcp dport map @m",
      () => [x.l4proto("tcp"), x.natMap("dnat", [x.field("ip daddr"), x.field("tcp dport")], "m", { port: true, setId: 1 })]],
    ["counter c { }", "counter name \"c\"", () => [x.objref("counter", "c")]],
    ["quota q { over 10 mbytes }", "quota name \"q\" drop", () => [x.objref("quota", "q"), x.drop()]],
    ["limit l { rate 10/second }", "limit name \"l\" accept", () => [x.objref("limit", "l"), x.accept()]],
    ["counter a { }\n\tmap m { type ipv4_addr : counter; }", "counter name ip saddr map @m",
      () => [x.objrefMap("counter", x.field("ip saddr"), "m", { setId: 1 })]],
  ])("%s / %s", async (decls, rule, build) => {
    const want = await compiled(decls, rule);
    expect(json(x.flattenExprs(build()))).toBe(json(want));
  });

  it("refuses what is not a field, a load or an object type", () => {
    expect(() => x.field("ip nosuch")).toThrow(NlkitInputError);
    expect(() => x.field("meta nosuch")).toThrow(NlkitInputError);
    expect(() => x.concat(x.accept())).toThrow(NlkitInputError);
    expect(() => x.objref("bogus" as never, "c")).toThrow(NlkitInputError);
  });
});

describe("tx.addSet / addObject send what nft -f sends for the same declaration", () => {
  const t = { family: "ip" as const, table: "t" };
  async function nftMessages(decl: string) {
    const { messages } = await compileText(host, `table ip t {\n${decl}\n}\n`, "<t>");
    return messages.filter((m) => m.type !== NFT_MSG_NEWRULE).slice(1).map(({ origin: _o, ...m }) => m);
  }
  const bytes = (msgs: Transaction["messages"]) => encodeBatch(msgs, (i) => i + 1).bytes.toString("hex");

  it.each<[string, (tx: Transaction) => Transaction]>([
    ["\tmap svc {\n\t\ttype ipv4_addr . inet_proto . inet_service : verdict\n\t\telements = { 10.96.0.1 . tcp . 443 : jump svc-a, 10.96.0.10 . udp . 53 : goto svc-b }\n\t}",
      (tx) => tx.addSet({ ...t, name: "svc", key: ["ipv4_addr", "inet_proto", "inet_service"], map: "verdict",
        elements: [[["10.96.0.1", "tcp", "443"], "jump svc-a"], [["10.96.0.10", "udp", "53"], x.goto("svc-b")]] })],
    ["\tset allowed {\n\t\ttype ipv4_addr\n\t\tflags interval,timeout\n\t\ttimeout 1h\n\t\tcomment \"hosts\"\n\t\telements = { 10.0.0.0/8, 192.168.1.1 }\n\t}",
      (tx) => tx.addSet({ ...t, name: "allowed", key: "ipv4_addr", flags: ["interval", "timeout"], timeout: 3600, comment: "hosts", elements: ["10.0.0.0/8", "192.168.1.1"] })],
    ["\tmap fwd {\n\t\ttype ipv4_addr . inet_service : ipv4_addr . inet_service\n\t\telements = { 192.0.2.1 . 80 : 10.0.0.2 . 8080 }\n\t}",
      (tx) => tx.addMap({ ...t, name: "fwd", key: ["ipv4_addr", "inet_service"], map: ["ipv4_addr", "inet_service"], elements: [[["192.0.2.1", "80"], ["10.0.0.2", "8080"]]] })],
    ["\tmap marks {\n\t\ttype ipv4_addr : mark\n\t\tflags interval\n\t\telements = { 10.0.0.0/24 : 0x00000001 }\n\t}",
      (tx) => tx.addSet({ ...t, name: "marks", key: "ipv4_addr", map: "mark", flags: ["interval"], elements: ["10.0.0.0/24 : 0x1"] })],
    ["\tcounter c {\n\t\tpackets 5 bytes 600\n\t}", (tx) => tx.addObject({ ...t, type: "counter", name: "c", packets: 5, bytes: 600 })],
    ["\tquota q {\n\t\tover 10 mbytes used 1 kbytes\n\t}", (tx) => tx.addObject({ ...t, type: "quota", name: "q", quota: { bytes: 10485760, used: 1024, over: true } })],
    ["\tlimit l {\n\t\trate over 1 mbytes/second burst 2 kbytes\n\t\tcomment \"x\"\n\t}",
      (tx) => tx.addObject({ ...t, type: "limit", name: "l", comment: "x", limit: { rate: 1048576, bytes: true, burst: 2048, over: true } })],
    ["\tlimit l2 {\n\t\trate 10/minute\n\t}", (tx) => tx.addObject({ ...t, type: "limit", name: "l2", limit: { rate: 10, per: "minute" } })],
  ])("%s", async (decl, build) => {
    const want = await nftMessages(decl);
    const tx = build(new Transaction());
    expect(tx.messages.map((m) => m.type)).toEqual(want.map((m) => m.type));
    expect(bytes(tx.messages)).toBe(bytes(want));
  });

  it("elements added later to a map made in the same transaction", async () => {
    const want = await nftMessages("\tmap m {\n\t\ttype inet_service : verdict\n\t}\n}\nadd element ip t m { 22 : accept, 80 : drop }\ntable ip t {");
    const tx = new Transaction().addSet({ ...t, name: "m", key: "inet_service", map: "verdict" })
      .addElements({ ...t, set: "m", elements: [["22", "accept"], ["80", x.drop()]] });
    expect(tx.messages.map((m) => m.type)).toEqual([NFT_MSG_NEWSET, NFT_MSG_NEWSETELEM]);
    expect(bytes(tx.messages)).toBe(bytes(want.filter((m) => m.type === NFT_MSG_NEWSET || m.type === NFT_MSG_NEWSETELEM)));
  });

  it("refuses unknown types, bad elements and incomplete objects before anything is sent", () => {
    const tx = new Transaction();
    expect(() => tx.addSet({ ...t, name: "s", key: "nosuch_type" })).toThrow(NlkitInputError);
    expect(() => tx.addSet({ ...t, name: "s", key: "ipv4_addr", elements: ["10.0.0.300"] })).toThrow(NlkitInputError);
    expect(() => tx.addSet({ ...t, name: "s", key: "ipv4_addr", map: "verdict", elements: [["10.0.0.1", "jump"]] })).toThrow(NlkitInputError);
    expect(() => tx.addSet({ ...t, name: "s", key: ["ipv4_addr", "inet_service"], elements: ["10.0.0.1"] })).toThrow(NlkitInputError);
    expect(() => tx.addObject({ ...t, type: "quota", name: "q" })).toThrow(NlkitInputError);
    expect(() => tx.addObject({ ...t, type: "nosuch" as never, name: "q" })).toThrow(NlkitInputError);
    expect(tx.messages).toEqual([]);
    void NFT_MSG_NEWOBJ;
  });
});
