// Kinds nlkit cannot read (a newer kernel's qdisc, classifier or action) come back with their
// options as raw hex and everything else decoded, and print without failing, as tc prints them.
import { describe, expect, it } from "vitest";
import { filterText, qdiscText } from "../../../src/cli/print/tc.js";
import { filterToTcJson, qdiscToTcJson } from "../../../src/rtnl/tc/json.js";
import { TcApi } from "../../../src/rtnl/tc/verbs.js";
import { loadGolden } from "../../helpers/golden.js";
import { captureRtnl } from "../../helpers/rtnl-capture.js";
import { commandReplies, fixturePsched, TC_DEVICES } from "../../helpers/tc-golden.js";

/** The fixture's replies with every TCA_KIND-like string `from` renamed to `to` (same length). */
function renamed(name: string, from: string, to: string) {
  const g = loadGolden(`tc/${name}`);
  const a = Buffer.from(`${from}\0`), b = Buffer.from(`${to}\0`);
  const replies = commandReplies(g).map((d) => {
    const c = Buffer.from(d);
    for (let i = c.indexOf(a); i >= 0; i = c.indexOf(a, i + 1)) b.copy(c, i);
    return c;
  });
  const { ctx, exec } = captureRtnl(TC_DEVICES, [replies]);
  return new TcApi(ctx, exec, () => fixturePsched(g));
}

describe("unknown kinds stay raw", () => {
  it("a qdisc kind nlkit does not know: options as hex, counters decoded", async () => {
    const list = await renamed("qdisc-show-json", "htb", "zzz").qdisc.list({ dev: "va" });
    const q = list.find((x) => x.kind === "zzz")!;
    expect(q).toMatchObject({ handle: "1:", parent: "root", options: {} });
    expect(q.raw).toMatch(/^[0-9a-f]+$/);
    expect(q.stats!.packets).toBeGreaterThan(0);
    expect(qdiscText(q, { devFiltered: true })).toContain(`[Unknown qdisc, optlen=${q.raw!.length / 2}]`);
    expect(qdiscToTcJson(q, { devFiltered: true })).toMatchObject({ kind: "zzz", options: {} });
  });

  it("an action kind nlkit does not know: raw, in its place among the filter's actions", async () => {
    const list = await renamed("filter-show-json", "mirred", "zirred").filter.list({ dev: "va", parent: "1:" });
    const actions = list.flatMap((f) => f.actions ?? []);
    expect(actions.length).toBeGreaterThan(0);
    for (const a of actions) {
      expect(a.kind).toBe("zirred");
      expect(a.raw).toMatch(/^[0-9a-f]+$/);
      expect(a.order).toBe(1);
    }
    const f = list.find((x) => x.actions?.length)!;
    expect(filterText(f, { devFiltered: true, parent: "1:" })).toContain("zirred [unknown action]");
    expect(() => filterToTcJson(f, { devFiltered: true, parent: "1:" })).not.toThrow();
  });

  it("a classifier nlkit does not know: raw, with its header decoded", async () => {
    const list = await renamed("filter-show-json", "u32", "z32").filter.list({ dev: "va", parent: "1:" });
    expect(list.length).toBeGreaterThan(0);
    for (const f of list) expect(f).toMatchObject({ kind: "z32", protocol: "ip", parent: "1:" });
    expect(list.some((f) => typeof f.raw === "string")).toBe(true);
    for (const f of list) {
      expect(() => filterText(f, { devFiltered: true })).not.toThrow();
      expect(JSON.parse(JSON.stringify(filterToTcJson(f)))).toMatchObject({ kind: "z32" });
    }
  });
});
