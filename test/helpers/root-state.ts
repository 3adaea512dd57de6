import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { hasCommand, ipJson } from "./live.js";

/**
 * What a test must leave as it found in the root namespace: links (name, flags, master), routes
 * and rules of both families in every table, the nftables ruleset and the forwarding sysctls.
 * Counters and timers are left out: they move by themselves.
 */
export function rootState(): string {
  const links = ipJson<Array<{ ifname: string; flags: string[]; master?: string; operstate: string }>>(["link", "show"])
    .map((l) => `${l.ifname}:${[...l.flags].sort().join(",")}:${l.master ?? ""}:${l.operstate}`);
  const routes = ["-4", "-6"].flatMap((f) =>
    ipJson<Array<Record<string, unknown>>>([f, "route", "show", "table", "all"]).map((r) => {
      // an IPv6 route's "expires" counts down on its own
      const { expires: _expires, ...rest } = r;
      return JSON.stringify(rest);
    }),
  );
  const rules = ["-4", "-6"].flatMap((f) => ipJson<unknown[]>([f, "rule", "show"]).map((r) => JSON.stringify(r)));
  const nft = hasCommand("nft") ? execFileSync("nft", ["list", "ruleset"], { encoding: "utf8" }) : "";
  const sysctls = ["ipv4/ip_forward", "ipv6/conf/all/forwarding", "ipv4/conf/all/forwarding"].map(
    (k) => `${k}=${fs.readFileSync(`/proc/sys/net/${k}`, "utf8").trim()}`,
  );
  return JSON.stringify({ links, routes, rules, nft, sysctls }, null, 1);
}
