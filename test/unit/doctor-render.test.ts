import { describe, expect, it } from "vitest";
import { renderJson, renderText, summary, type Report } from "../../src/doctor/index.js";

const report: Report = {
  ok: false,
  netns: "c1",
  to: "198.51.100.1",
  checks: [
    { id: "netns.exists", title: "namespace", status: "ok", evidence: `namespace "c1" exists` },
    { id: "link.egress.up", title: "egress link up", status: "ok", evidence: "veth1 is up" },
    { id: "link.peer.up", title: "veth peer up", status: "failure", evidence: "veth1-br in host is down", fix: "nlkit -n host link set veth1-br up" },
    { id: "addr.dad", title: "duplicate address detection", status: "skipped", evidence: "IPv4 addresses have no DAD" },
    { id: "neigh.nexthop", title: "next hop neighbour", status: "warning", evidence: "INCOMPLETE", details: { big: 1n, raw: Buffer.from([0xde, 0xad]) } },
    { id: "nat.masquerade", title: "source NAT", status: "failure", evidence: "no rule", fix: "nlkit -n host nat masquerade --saddr 10.0.0.0/24" },
    { id: "probe", title: "reachability", status: "failure", evidence: "0/1 replies" },
  ],
};

describe("doctor render", () => {
  it("text: one branch per stage in path order, marks, fixes under failures, the root cause last", () => {
    expect(renderText(report)).toBe([
      "nlkit doctor: c1 -> 198.51.100.1",
      "├─ namespace",
      `│  └─ ✓ namespace [netns.exists]: namespace "c1" exists`,
      "├─ links",
      "│  ├─ ✓ egress link up [link.egress.up]: veth1 is up",
      "│  └─ ✗ veth peer up [link.peer.up]: veth1-br in host is down",
      "│        fix: nlkit -n host link set veth1-br up",
      "├─ addresses",
      "│  └─ - duplicate address detection [addr.dad]: IPv4 addresses have no DAD",
      "├─ neighbours",
      "│  └─ ! next hop neighbour [neigh.nexthop]: INCOMPLETE",
      "├─ forwarding",
      "│  └─ ✗ source NAT [nat.masquerade]: no rule",
      "│        fix: nlkit -n host nat masquerade --saddr 10.0.0.0/24",
      "└─ probe",
      "   └─ ✗ reachability [probe]: 0/1 replies",
      "3 failures, 1 warning; first failure (the root cause): link.peer.up",
      "",
    ].join("\n"));
  });

  it("text: a fix inside a stage that is not the last keeps the tree's bar", () => {
    const r: Report = { ok: false, checks: [report.checks[2]!, report.checks[1]!] };
    expect(renderText(r).split("\n").slice(1, 5)).toEqual([
      "└─ links",
      "   ├─ ✗ veth peer up [link.peer.up]: veth1-br in host is down",
      "   │     fix: nlkit -n host link set veth1-br up",
      "   └─ ✓ egress link up [link.egress.up]: veth1 is up",
    ]);
    expect(renderText(r).split("\n")[0]).toBe("nlkit doctor: current namespace");
  });

  it("summary: healthy, warnings only, failures", () => {
    expect(summary({ ok: true, checks: [report.checks[0]!] })).toBe("0 failures, 0 warnings: the path is healthy");
    expect(summary({ ok: true, checks: [report.checks[4]!] })).toBe("0 failures, 1 warning: the path is healthy");
  });

  it("json: the report round-trips; bigints become strings and Buffers hex", () => {
    const parsed = JSON.parse(renderJson(report));
    expect(parsed.ok).toBe(false);
    expect(parsed.checks.map((c: { id: string }) => c.id)).toEqual(report.checks.map((c) => c.id));
    expect(parsed.checks[2]).toEqual({ id: "link.peer.up", title: "veth peer up", status: "failure", evidence: "veth1-br in host is down", fix: "nlkit -n host link set veth1-br up" });
    expect(parsed.checks[4].details).toEqual({ big: "1", raw: "dead" });
    expect(renderJson(report, false)).not.toContain("\n  ");
  });
});
