// The README's nlkit/cni library example, run as written but inside throwaway namespaces.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { bridgeAttach, bridgeDetach, hostLocal, loopbackUp, masquerade, portForward } from "../../src/cni/index.js";
import { describeLive, ipJson, TestNamespaces } from "../helpers/live.js";

describeLive("README: the nlkit/cni library example (live)", () => {
  const ns = new TestNamespaces("cni-readme");
  let hostName = "", ctr1 = "", dataDir = "";
  beforeAll(() => {
    hostName = ns.create("host");
    ctr1 = ns.create("ctr1");
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "nlkit-cni-readme-"));
  });
  afterAll(() => {
    ns.cleanup();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("attaches, masquerades, forwards a port, and takes it all down again", async () => {
    const nft = () => execFileSync("ip", ["netns", "exec", hostName, "nft", "list", "ruleset"], { encoding: "utf8" });
    const att = { network: "lab", containerId: "ctr1", ifname: "eth0" };
    const host = { netns: hostName };
    const ipam = hostLocal.parseConfig({ ipam: { type: "host-local", subnet: "10.88.0.0/16", dataDir } });
    const result = await bridgeAttach({ ...att, hostNetns: host, netnsPath: `/run/netns/${ctr1}`, bridge: "cni0", isGateway: true,
      ipam: () => hostLocal.allocate(att, ipam) });
    const addresses = result.ips!.map((i) => i.address);
    expect(addresses).toEqual(["10.88.0.2/16"]);
    expect(result.interfaces!.map((i) => i.name)).toEqual(["cni0", expect.stringMatching(/^veth/), "eth0"]);
    await masquerade.add(att, addresses, { netns: host });
    await portForward.add(att, { mappings: [{ hostPort: 8080, containerPort: 80 }], addresses }, { netns: host });
    await loopbackUp(`/run/netns/${ctr1}`);
    expect(nft()).toMatch(/ip saddr 10\.88\.0\.2 ip daddr != 10\.88\.0\.0\/16 masquerade comment/);
    expect(nft()).toMatch(/tcp dport 8080 dnat ip to 10\.88\.0\.2:80/);
    expect(ipJson<any[]>(["addr", "show", "dev", "eth0"], ctr1)[0].addr_info.map((a: any) => a.local)).toContain("10.88.0.2");
    expect(await portForward.remove(att, { netns: host })).toBeGreaterThan(0);
    expect(await masquerade.remove(att, { netns: host })).toBe(1);
    await bridgeDetach({ ...att, hostNetns: host, netnsPath: `/run/netns/${ctr1}`, bridge: "cni0", prevResult: result });
    expect(await hostLocal.release(att, ipam)).toEqual(["10.88.0.2"]);
    expect(nft()).not.toMatch(/comment/);
    expect(ipJson<any[]>(["link", "show"], ctr1).map((l) => l.ifname)).toEqual(["lo"]);
  });
});
