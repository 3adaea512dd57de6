// GC (spec 1.1.0) over a whole chain: bridge with ipMasq, and portmap. Only nlkit: the reference
// 1.1.1 does not know GC.
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeLive, TestNamespaces } from "../helpers/live.js";
import { Runtime, type Container, type NetworkList } from "./cni-runtime.js";
import { buildNlkitCni, dataDirState, Side } from "./cni-topology.js";

const ns = new TestNamespaces("cni-gc");
let built: Awaited<ReturnType<typeof buildNlkitCni>> | undefined;
let side: Side, rt: Runtime, list: NetworkList, dataDir: string;
const ctr = (i: number): Container => ({ containerId: `g${i}`, netns: side.path(side.containers[i - 1]!), ifname: "eth0", capabilityArgs: { portMappings: [{ hostPort: 19000 + i, containerPort: 80, protocol: "tcp" }] } });

describeLive("nlkit-cni GC of a bridge + portmap chain", () => {
  beforeAll(async () => {
    built = await buildNlkitCni("gc");
    side = new Side(ns, "nl").setup(3);
    dataDir = path.join(built.work, "ipam");
    rt = new Runtime({ hostNetns: side.host, binDir: built.binDir, cacheDir: path.join(built.work, "cache") });
    list = {
      cniVersion: "1.1.0", name: "gcnet",
      plugins: [
        { type: "bridge", bridge: "cni0", isGateway: true, ipMasq: true, ipam: { type: "host-local", subnet: "10.62.0.0/24", dataDir } },
        { type: "portmap", capabilities: { portMappings: true } },
      ],
    };
    for (const i of [1, 2, 3]) expect((await rt.add(list, ctr(i))).ok).toBe(true);
  });

  afterAll(() => {
    ns.cleanup();
    built?.cleanup();
  });

  it("keeps the valid attachments' addresses and rules, releases the others', in every plugin of the chain", async () => {
    const rules = () => execFileSync("ip", ["netns", "exec", side.host, "nft", "list", "ruleset"], { encoding: "utf8" });
    expect(rules().match(/id: g[123]"/g)).toHaveLength(3 + 3 * 4);
    const gc = await rt.gc(list, [{ containerID: "g2", ifname: "eth0" }]);
    expect(gc.runs.map((r) => [r.type, r.code, r.stdout])).toEqual([["bridge", 0, ""], ["portmap", 0, ""]]);
    const after = rules();
    expect(after).not.toMatch(/id: g[13]"/);
    expect(after.match(/id: g2"/g)).toHaveLength(1 + 4);
    expect(after).toMatch(/tcp dport 19002 dnat ip to 10\.62\.0\.3:80/);
    expect(Object.keys(dataDirState(path.join(dataDir, "gcnet"))).filter((f) => f.startsWith("10."))).toEqual(["10.62.0.3"]);
    // the survivor is intact
    expect((await rt.check(list, ctr(2))).runs.map((r) => r.code)).toEqual([0, 0]);
    // and CHECK of a collected one says what is missing
    const gone = await rt.check(list, ctr(1));
    expect(gone.runs[0]!.json).toMatchObject({ code: 999, msg: "host-local: Failed to find address added by container g1" });
    for (const i of [1, 2, 3]) expect((await rt.del(list, ctr(i))).ok).toBe(true);
    expect(rules()).not.toMatch(/comment/);
  });
});
