// The CLI's text views against ip's own output for the same kernel state: each fixture holds
// the kernel's replies to ip and what ip printed from them; nlkit's command line is run against
// those replies (test/helpers/cli-replay.ts) and must print the same bytes.
import { describe, expect, it } from "vitest";
import { replayCli } from "../../helpers/cli-replay.js";
import { loadGolden } from "../../helpers/golden.js";

/** fixture -> the nlkit arguments (ip's own, without "ip"). */
const VIEWS: Array<[string, string]> = [
  ["rtnl-ext/link-show-stats2", "-s -s link show dev veth0"],
  ["rtnl-ext/link-show-stats", "-s link show"],
  ["rtnl-ext/link-show-details", "-d link show dev veth0"],
  ["rtnl-ext/link-show-brief", "-br link show"],
  ["rtnl-ext/link-show-oneline", "-o link show"],
  ["rtnl-ext/addr-show-brief", "-br addr show"],
  ["rtnl-ext/addr-show-oneline", "-o addr show"],
  ["rtnl-ext/addr-show-stats", "-s addr show dev veth0"],
  ["rtnl-ext/neigh-show-brief", "-br neigh show"],
  ["rtnl-ext/netconf-get", "-4 netconf show dev veth0"],
  ["rtnl-ext/route-get-iif", "route get 10.0.0.2 from 10.0.0.9 iif veth0"],
  ["rtnl-ext/route-get-tos-mark", "route get 10.0.0.5 from 10.0.0.2 tos 0x10 mark 0x1"],
  ["rtnl-ext/neigh-get", "neigh get 10.0.0.5 dev veth0"],
];

const JSON_VIEWS: Array<[string, string]> = [
  ["rtnl-ext/link-show-brief-json", "-br -j link show"],
  ["rtnl-ext/link-show-stats-json", "-j -s -s link show dev veth0"],
  ["rtnl-ext/addrlabel-list-json", "-j addrlabel list"],
  ["rtnl-ext/netconf-show-dev-json", "-j netconf show dev veth0"],
  ["rtnl-ext/rule-show-dsfield-json", "-j rule show dsfield 0x10"],
  ["rtnl-ext/route-get-iif-json", "-j route get 10.0.0.2 from 10.0.0.9 iif veth0"],
];

describe("nlkit prints what ip printed from the same kernel replies", () => {
  for (const [fixture, args] of VIEWS) {
    it(`nlkit ${args}`, async () => {
      const g = loadGolden(fixture);
      const r = await replayCli(g, args.split(" "));
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(g.output);
    });
  }
  for (const [fixture, args] of JSON_VIEWS) {
    it(`nlkit ${args}`, async () => {
      const g = loadGolden(fixture);
      const r = await replayCli(g, args.split(" "));
      expect(r.stderr).toBe("");
      expect(JSON.parse(r.stdout)).toEqual(g.json);
    });
  }
});
