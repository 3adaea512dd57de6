// doctor --tcp and --target: a TCP handshake from c1 to the outside host (through the lab's NAT),
// and the listener check in the destination's namespace, against sockets ss sees there.
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, expect, it } from "vitest";
import { diagnose } from "../../src/doctor/index.js";
import { NlkitInputError } from "../../src/netlink/errors.js";
import { tcpConnect } from "../../src/probe/index.js";
import { buildLab, type DoctorLab } from "../helpers/doctor-lab.js";
import { describeLive } from "../helpers/live.js";
import { nlkit } from "../helpers/nlkit-cli.js";
import { Peers } from "../helpers/sockdiag-proc.js";

const OUT = "198.51.100.1";

describeLive("nlkit doctor --tcp --target", () => {
  let lab: DoctorLab;
  let server: Peers;
  const opts = (port: number, extra: object = {}) => ({ netns: lab.c1, to: `${OUT}:${port}`, tcp: true, target: lab.out, count: 1, timeoutMs: 1000, ...extra });
  const ssIno = (port: number) => /ino:(\d+)/.exec(spawnSync("ip", ["netns", "exec", lab.out, "ss", "-tlnHe", "sport", "=", `:${port}`], { encoding: "utf8" }).stdout)?.[1];

  beforeAll(async () => {
    lab = await buildLab("dtcp");
    server = new Peers(lab.out, [
      { kind: "tcp-listen", name: "any", host: "0.0.0.0", port: 8080 },
      { kind: "tcp-listen", name: "lo", host: "127.0.0.1", port: 8082 },
      { kind: "udp-bind", name: "u", type: "udp6", host: "::", port: 7009 },
    ]);
    await server.ready();
  });

  afterAll(() => {
    server?.stop();
    lab?.ns.cleanup();
  });

  it("a listener on the port: the handshake completes with its round trip, the listener check names the socket", async () => {
    const r = await diagnose(opts(8080));
    const probe = r.checks.find((c) => c.id === "probe")!;
    const listener = r.checks.find((c) => c.id === "target.listener")!;
    expect(r.ok, JSON.stringify(r.checks)).toBe(true);
    expect(probe.status).toBe("ok");
    expect(probe.evidence).toMatch(/^tcp 198\.51\.100\.1:8080 connected \(handshake in \d+\.\d{3} ms\)/);
    expect((probe.details as { tcp: { rttMs: number } }).tcp.rttMs).toBeGreaterThan(0);
    expect(listener.status).toBe("ok");
    expect(listener.evidence).toBe(`LISTEN 0.0.0.0:8080 (inode ${ssIno(8080)}, uid 0)`);
  });

  it("nothing on the port: the reset is a warning, the listener check fails and says so", async () => {
    const r = await diagnose(opts(8081));
    expect(r.ok).toBe(false);
    expect(r.checks.find((c) => c.status === "failure")?.id).toBe("target.listener");
    expect(r.checks.find((c) => c.id === "target.listener")!.evidence).toBe(`nothing listens on tcp port 8081 in ${lab.out} (ss -tln shows no such socket)`);
    const probe = r.checks.find((c) => c.id === "probe")!;
    expect(probe.status).toBe("warning");
    expect(probe.evidence).toMatch(/^tcp 198\.51\.100\.1:8081 refused the connection/);
  });

  it("a listener bound to another address: the check names where it listens", async () => {
    const r = await diagnose(opts(8082));
    const listener = r.checks.find((c) => c.id === "target.listener")!;
    expect(listener.status).toBe("failure");
    expect(listener.evidence).toBe(`tcp port 8082 in ${lab.out} is bound to LISTEN 127.0.0.1:8082 (inode ${ssIno(8082)}, uid 0), not to ${OUT} or a wildcard`);
  });

  it("without --tcp the listener check looks for a bound UDP socket (a dual-stack wildcard takes IPv4)", async () => {
    const r = await diagnose({ ...opts(7009), tcp: false });
    const listener = r.checks.find((c) => c.id === "target.listener")!;
    expect(listener.title).toBe(`something listens on udp port 7009 in ${lab.out}`);
    expect(listener.status).toBe("ok");
    expect(listener.evidence).toMatch(/^UNCONN \[::\]:7009 \(inode \d+, uid 0\)$/);
  });

  it("tcpConnect on its own: connected, refused, and bad input refused before any socket", async () => {
    expect(await tcpConnect({ netns: lab.c1, to: OUT, port: 8080 })).toMatchObject({ outcome: "connected" });
    expect(await tcpConnect({ netns: lab.c1, to: OUT, port: 8081 })).toMatchObject({ outcome: "refused" });
    await expect(tcpConnect({ netns: lab.c1, to: "nope", port: 1 })).rejects.toBeInstanceOf(NlkitInputError);
    await expect(tcpConnect({ netns: lab.c1, to: OUT, port: 0 })).rejects.toBeInstanceOf(NlkitInputError);
    const ac = new AbortController();
    ac.abort(new Error("stop"));
    await expect(tcpConnect({ netns: lab.c1, to: OUT, port: 8080, signal: ac.signal })).rejects.toThrow("stop");
  });

  it("the CLI: exit 0 and both lines; --tcp without a port is a usage error", async () => {
    const r = nlkit(["-n", lab.c1, "doctor", "--to", `${OUT}:8080`, "--tcp", "--target", lab.out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`├─ target\n│  └─ ✓ something listens on tcp port 8080 in ${lab.out} [target.listener]: LISTEN 0.0.0.0:8080 (inode ${ssIno(8080)}, uid 0)\n└─ probe\n`);
    expect(r.stdout).toMatch(/tcp 198\.51\.100\.1:8080 connected \(handshake in/);
    const bad = nlkit(["-n", lab.c1, "doctor", "--to", OUT, "--tcp"]);
    expect(bad.code).toBe(255);
    expect(bad.stderr).toMatch(/a TCP probe needs a port/);
    await expect(diagnose({ netns: lab.c1, to: OUT, target: lab.out })).rejects.toBeInstanceOf(NlkitInputError);
  });
});
