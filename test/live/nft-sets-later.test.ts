import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, expect, it } from "vitest";
import { NlkitInputError } from "../../src/netlink/errors.js";
import { Nft } from "../../src/nft/index.js";
import { readGeneration } from "../../src/nft/ruleset.js";
import { describeLive, hasCommand, TestNamespaces } from "../helpers/live.js";

const nftCmd = (ns: string, args: string[], input?: string) =>
  execFileSync("ip", ["netns", "exec", ns, "nft", ...args], {
    encoding: "utf8", stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"], ...(input !== undefined ? { input } : {}),
  });
/** The elements of a set as `nft -j list set` gives them: prefixes as "addr/len", ranges as "a-b". */
function listedElements(ns: string, table: string, set: string): string[] {
  const out = JSON.parse(nftCmd(ns, ["-j", "list", "set", "ip", table, set])) as { nftables: Array<Record<string, any>> };
  const s = out.nftables.find((o) => o.set)!.set;
  return ((s.elem ?? []) as any[]).map((e) =>
    typeof e === "string" ? e : e.prefix ? `${e.prefix.addr}/${e.prefix.len}` : e.range ? `${e.range[0]}-${e.range[1]}` : JSON.stringify(e));
}
const contains = (ns: string, table: string, set: string, key: string) => {
  try { nftCmd(ns, ["get", "element", "ip", table, set, `{ ${key} }`]); return true; } catch { return false; }
};

describeLive("nft: elements added to a set created in an earlier transaction", () => {
  const ns = new TestNamespaces("nfx-sets");
  let a = "";
  beforeAll(() => {
    if (!hasCommand("nft")) throw new Error("nft is needed as the oracle");
    a = ns.create("a");
  });
  afterAll(() => ns.cleanup());

  it("an interval set made by nft gets whole ranges, not open-ended start keys", async () => {
    nftCmd(a, ["-f", "-"], "table ip t {\n set nets { type ipv4_addr; flags interval; }\n chain c { ip daddr @nets drop; }\n}\n");
    const nft = await Nft.open({ netns: a });
    try {
      await nft.transaction((tx) => { tx.addElements({ family: "ip", table: "t", set: "nets", type: "ipv4_addr", elements: ["10.0.0.0/24", "10.0.2.0/24"] }); });
      expect(listedElements(a, "t", "nets")).toEqual(["10.0.0.0/24", "10.0.2.0/24"]);
      expect(contains(a, "t", "nets", "10.0.0.7")).toBe(true);
      expect(contains(a, "t", "nets", "10.0.1.5")).toBe(false);
      expect(contains(a, "t", "nets", "10.0.3.1")).toBe(false);
      // single addresses were the silent case: a start key alone covered everything above it
      await nft.transaction((tx) => { tx.addElements({ family: "ip", table: "t", set: "nets", type: "ipv4_addr", elements: ["192.0.2.1"] }); });
      expect(listedElements(a, "t", "nets")).toEqual(["10.0.0.0/24", "10.0.2.0/24", "192.0.2.1"]);
      expect(contains(a, "t", "nets", "192.0.2.2")).toBe(false);
      await nft.transaction((tx) => { tx.deleteElements({ family: "ip", table: "t", set: "nets", type: "ipv4_addr", elements: ["192.0.2.1"] }); });
      // deleting needs the end keys as well, or the kernel finds no such element
      await nft.transaction((tx) => { tx.deleteElements({ family: "ip", table: "t", set: "nets", type: "ipv4_addr", elements: ["10.0.0.0/24"] }); });
      expect(listedElements(a, "t", "nets")).toEqual(["10.0.2.0/24"]);
      expect((await nft.ruleset()).tables[0]!.sets[0]!.elements).toEqual(["10.0.2.0/24"]);
    } finally { nft.close(); }
  });

  it("a set made by nlkit in one transaction and filled in the next", async () => {
    const nft = await Nft.open({ netns: a });
    try {
      await nft.transaction((tx) => {
        tx.addTable({ family: "ip", name: "u" });
        tx.addSet({ family: "ip", table: "u", name: "ports", type: "inet_service", flags: ["interval"] });
      });
      await nft.transaction((tx) => { tx.addElements({ family: "ip", table: "u", set: "ports", type: "inet_service", elements: ["1000-2000", "22"] }); });
      expect(listedElements(a, "u", "ports")).toEqual(["22", "1000-2000"]);
      expect(contains(a, "u", "ports", "2001")).toBe(false);
    } finally { nft.close(); }
  });

  it("a key type or interval flag that disagrees with the set is refused before sending", async () => {
    const nft = await Nft.open({ netns: a });
    try {
      await expect(nft.transaction((tx) => { tx.addElements({ family: "ip", table: "t", set: "nets", type: "inet_service", elements: ["80"] }); }))
        .rejects.toMatchObject({ constructor: NlkitInputError, field: "type" });
      await expect(nft.transaction((tx) => { tx.addElements({ family: "ip", table: "t", set: "nets", type: "ipv4_addr", interval: false, elements: ["10.9.0.1"] }); }))
        .rejects.toMatchObject({ constructor: NlkitInputError, field: "interval" });
      expect(listedElements(a, "t", "nets")).toEqual(["10.0.2.0/24"]);
    } finally { nft.close(); }
  });

  it("without a type: a concatenated verdict map made by nft, filled and emptied by its own declaration", async () => {
    nftCmd(a, ["-f", "-"], "table ip m {\n map svc { type ipv4_addr . inet_proto . inet_service : verdict; }\n chain a { }\n chain c { ip daddr . meta l4proto . th dport vmap @svc; }\n}\n");
    const nft = await Nft.open({ netns: a });
    try {
      await nft.transaction((tx) => {
        tx.addElements({ family: "ip", table: "m", set: "svc", elements: [[["10.96.0.1", "tcp", "443"], "jump a"], "10.96.0.10 . udp . 53 : drop"] });
      });
      const listed = nftCmd(a, ["list", "map", "ip", "m", "svc"]);
      // a hash map: nft lists its elements in the kernel's order
      expect(listed).toContain("10.96.0.1 . tcp . 443 : jump a");
      expect(listed).toContain("10.96.0.10 . udp . 53 : drop");
      const map = (await nft.ruleset({ family: "ip" })).tables.find((t) => t.name === "m")!.maps[0]!;
      expect(map.elements).toHaveLength(2);
      await nft.transaction((tx) => { tx.deleteElements({ family: "ip", table: "m", set: "svc", elements: [[["10.96.0.1", "tcp", "443"], "jump a"]] }); });
      expect(nftCmd(a, ["list", "map", "ip", "m", "svc"])).not.toContain("10.96.0.1 ");
      await expect(nft.transaction((tx) => { tx.addElements({ family: "ip", table: "m", set: "nosuch", elements: ["1"] }); }))
        .rejects.toMatchObject({ constructor: NlkitInputError, code: "ENOENT" });
      await expect(nft.transaction((tx) => { tx.addElements({ family: "ip", table: "m", set: "svc", elements: ["10.0.0.1 : accept"] }); }))
        .rejects.toBeInstanceOf(NlkitInputError);
    } finally { nft.close(); }
  });

  it("the ruleset generation read before and after each ruleset read moves with every commit", async () => {
    const nft = await Nft.open({ netns: a });
    try {
      const g0 = await readGeneration(nft.socket);
      nftCmd(a, ["add", "table", "ip", "gen"]);
      expect(await readGeneration(nft.socket)).toBe(g0 + 1);
      expect((await nft.ruleset({ family: "ip" })).tables.map((t) => t.name)).toContain("gen");
    } finally { nft.close(); }
  });
});
