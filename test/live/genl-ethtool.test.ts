// Genl and Ethtool against the kernel, with genl(8) and ethtool(8) as the oracles: families as
// `genl ctrl list` lists them, features as `ethtool --json -k` shows them, sets that ethtool then
// reads back, and `nlkit ethtool`'s text against ethtool's own, all on a veth in a namespace of ours.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ethtool, FeatureChangeError, featuresToEthtoolJson, Genl } from "../../src/index.js";
import { NetlinkError } from "../../src/netlink/errors.js";
import { asGenlPrints, parseGenlCtrlList } from "../helpers/genl-text.js";
import { describeLive, hasCommand, isRoot, TestNamespaces } from "../helpers/live.js";
import { nlkit } from "../helpers/nlkit-cli.js";

const ns = new TestNamespaces("genl");
let netns = "";

/** A tool run inside our namespace (never the root one). */
function inNs(cmd: string, args: string[]): string {
  return execFileSync("ip", ["netns", "exec", netns, cmd, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** A tool's exit status, stdout and stderr, even when it fails. */
function runInNs(cmd: string, args: string[]): { code: number; stdout: string; stderr: string } {
  try {
    return { code: 0, stdout: inNs(cmd, args), stderr: "" };
  } catch (e) {
    const x = e as { status?: number; stdout?: string; stderr?: string };
    return { code: x.status ?? -1, stdout: x.stdout ?? "", stderr: x.stderr ?? "" };
  }
}

const ethtoolJson = (dev: string) => JSON.parse(inNs("ethtool", ["--json", "-k", dev]))[0];

/** `ethtool -l`'s numbers ("n/a" as 0, as the kernel reports absent kinds). */
function ethtoolChannels(dev: string): Record<string, number> {
  const text = inNs("ethtool", ["-l", dev]);
  const [max, cur] = text.split("Current hardware settings:");
  const read = (part: string) => Object.fromEntries(
    [...part!.matchAll(/^(RX|TX|Other|Combined):\s+(\S+)/gm)].map((m) => [m[1]!.toLowerCase(), m[2] === "n/a" ? 0 : Number(m[2])]),
  );
  const m = read(max!);
  const c = read(cur!);
  return { rxMax: m.rx!, txMax: m.tx!, otherMax: m.other!, combinedMax: m.combined!, rx: c.rx!, tx: c.tx!, other: c.other!, combined: c.combined! };
}

const tools = hasCommand("ethtool") && hasCommand("genl");
const describeTools = tools || !isRoot ? describeLive : (name: string, fn: () => void) => describe.skip(`${name} (skipped: needs ethtool and genl)`, fn);

describeTools("genl and ethtool", () => {
  let genl: Genl;
  let et: Ethtool;

  beforeAll(async () => {
    netns = ns.create("a");
    // four queues each way so that channel counts can go down and back up
    execFileSync("ip", ["-n", netns, "link", "add", "veth1", "numtxqueues", "4", "numrxqueues", "4", "type", "veth", "peer", "name", "veth2", "numtxqueues", "4", "numrxqueues", "4"]);
    genl = await Genl.open({ netns });
    et = await Ethtool.open({ netns });
  });

  afterAll(() => {
    et?.close();
    genl?.close();
    ns.cleanup();
  });

  it("families() equals genl ctrl list; family() by name and id", async () => {
    // a module loaded meanwhile by another test (wireguard...) registers a family in every
    // namespace: compare again when the two reads straddled that
    let fams = await genl.families();
    let theirs = parseGenlCtrlList(inNs("genl", ["ctrl", "list"]));
    for (let i = 0; i < 2 && fams.length !== theirs.length; i++) {
      fams = await genl.families();
      theirs = parseGenlCtrlList(inNs("genl", ["ctrl", "list"]));
    }
    expect(fams.map(asGenlPrints)).toEqual(theirs);
    const ethtool = await genl.family("ethtool");
    expect(ethtool).toEqual(fams.find((f) => f.name === "ethtool"));
    expect(ethtool.mcastGroups.map((g) => g.name)).toContain("monitor");
    expect(await genl.family(ethtool.id)).toEqual(ethtool);
  });

  it("a family the namespace lacks is the kernel's ENOENT", async () => {
    const e = await genl.family("nosuch").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NetlinkError);
    expect((e as NetlinkError).code).toBe("ENOENT");
  });

  it("features() equals ethtool --json -k", async () => {
    expect(featuresToEthtoolJson("veth1", await et.features("veth1"))).toEqual(ethtoolJson("veth1"));
  });

  it("setFeatures() takes effect as ethtool -k reads it, by kernel and legacy names", async () => {
    const changes = await et.setFeatures("veth1", { "tx-checksum-ip-generic": false, gro: true });
    expect(changes).toContainEqual({ feature: "tx-checksum-ip-generic", active: false, requested: false });
    let j = ethtoolJson("veth1");
    expect(j["tx-checksum-ip-generic"]).toEqual({ active: false, fixed: false, requested: false });
    expect(j["generic-receive-offload"].active).toBe(true);
    await et.setFeatures("veth1", { "tx-checksum-ip-generic": true, "rx-gro": false });
    j = ethtoolJson("veth1");
    expect(j["tx-checksum-ip-generic"].active).toBe(true);
    expect(j["generic-receive-offload"].active).toBe(false);
    expect(featuresToEthtoolJson("veth1", await et.features("veth1"))).toEqual(j);
  });

  it("a fixed feature is refused and nothing changes", async () => {
    const before = ethtoolJson("veth1");
    expect(before["tx-checksum-ipv4"].fixed).toBe(true);
    const e = await et.setFeatures("veth1", { "tx-checksum-ipv4": !before["tx-checksum-ipv4"].active, "rx-gro": !before["generic-receive-offload"].active }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(FeatureChangeError);
    expect((e as FeatureChangeError).refused.map((c) => c.feature)).toEqual(["tx-checksum-ipv4"]);
    expect(ethtoolJson("veth1")).toEqual(before);
  });

  it("channels() equals ethtool -l; setChannels() takes effect; too many is the kernel's EINVAL", async () => {
    expect(await et.channels("veth1")).toEqual(ethtoolChannels("veth1"));
    await et.setChannels("veth1", { rx: 1, tx: 1 });
    expect(ethtoolChannels("veth1")).toMatchObject({ rx: 1, tx: 1 });
    await et.setChannels("veth1", { rx: 2, tx: 3 });
    expect(ethtoolChannels("veth1")).toMatchObject({ rx: 2, tx: 3 });
    expect(await et.channels("veth1")).toEqual(ethtoolChannels("veth1"));
    const e = await et.setChannels("veth1", { rx: 64 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NetlinkError);
    expect((e as NetlinkError).code).toBe("EINVAL");
    expect(ethtoolChannels("veth1")).toMatchObject({ rx: 2, tx: 3 });
  });

  it("linkInfo, linkModes and linkState answer on veth", async () => {
    const text = inNs("ethtool", ["veth1"]);
    const modes = await et.linkModes("veth1");
    expect(modes.speed).toBe(Number(/Speed: (\d+)Mb\/s/.exec(text)?.[1]));
    expect(modes.autoneg).toBe(/Auto-negotiation: on/.test(text));
    expect((await et.linkState("veth1")).link).toBe(/Link detected: yes/.test(text));
    expect(await et.linkInfo("veth1")).toHaveProperty("port");
  });

  it("the ethtool monitor group yields the kernel's notification of a change", async () => {
    const mon = et.monitor();
    try {
      await mon.ready;
      await et.setChannels("veth1", { rx: 1 });
      for (;;) {
        const m = await mon.next({ signal: AbortSignal.timeout(10_000) });
        if (m && "name" in m && m.name === "ETHTOOL_MSG_CHANNELS_NTF") {
          expect((m.attrs as Record<string, any>).rxCount).toBe(1);
          break;
        }
      }
    } finally {
      mon.close();
    }
  });

  it("stats() equals ethtool -S, by name or index, in the handle's namespace; {} for lo; ENODEV for a device not there", async () => {
    const theirs = Object.fromEntries([...inNs("ethtool", ["-S", "veth1"]).matchAll(/^ {5}(\S+): (\d+)$/gm)].map((m) => [m[1]!, Number(m[2])]));
    const ours = await et.stats("veth1");
    expect(Object.keys(ours)).toEqual(Object.keys(theirs));
    expect(ours).toEqual(theirs);
    // the peer's ifindex, in this namespace: what finds a container interface's host end
    const index = JSON.parse(inNs("ip", ["-j", "link", "show", "veth2"]))[0].ifindex;
    expect(ours.peer_ifindex).toBe(index);
    expect(await et.stats(index)).toMatchObject({ peer_ifindex: JSON.parse(inNs("ip", ["-j", "link", "show", "veth1"]))[0].ifindex });
    expect(await et.stats("lo")).toEqual({});
    await expect(et.stats("nosuch0")).rejects.toMatchObject({ name: "SyscallError", code: "ENODEV" });
    await expect(et.stats(99999)).rejects.toMatchObject({ name: "SyscallError", code: "ENODEV" });
  });

  it("nlkit ethtool prints what ethtool prints, exits as it does", () => {
    inNs("ethtool", ["-L", "veth1", "rx", "2", "tx", "2"]);
    // [ethtool's arguments, the ones that undo them before nlkit runs the same from the same state]
    const cases: Array<[string[], string[]?]> = [
      [["veth1"]], [["-k", "veth1"]], [["--json", "-k", "veth1"]], [["-l", "veth1"]], [["-T", "veth1"]], [["-k", "nosuch0"]],
      [["-L", "veth1", "rx", "1"], ["-L", "veth1", "rx", "2"]], [["-L", "veth1", "rx", "64"]],
      [["-K", "veth1", "tx-checksum-ip-generic", "off"], ["-K", "veth1", "tx-checksum-ip-generic", "on"]],
      [["-K", "veth1", "gro", "on", "tx", "off"], ["-K", "veth1", "gro", "off", "tx", "on"]],
      [["-K", "veth1", "tx-checksum-ipv4", "on"]],
      // a fixed feature among changeable ones: the others still change
      [["-K", "veth1", "tx-checksum-ipv4", "on", "gro", "on"], ["-K", "veth1", "gro", "off"]],
      // ethtool's own refusals of its arguments, and of a device that is not there
      [["-L", "veth1", "foo", "1"]], [["-L", "veth1", "rx"]], [["-L", "veth1", "rx", "x"]], [["-L", "veth1", "rx", "1", "rx", "1"]],
      [["-l", "veth1", "extra"]], [["-l", "nosuch0"]], [["nosuch0"]], [["-L", "veth1"]],
      // driver statistics, a device without any, one that is not there
      [["-S", "veth1"]], [["--statistics", "veth2"]], [["-S", "lo"]], [["-S", "nosuch0"]], [["-S", "veth1", "extra"]], [["--statistics", "veth1", "extra"]],
    ];
    for (const [args, undo] of cases) {
      const theirs = runInNs("ethtool", args);
      if (undo) inNs("ethtool", undo);
      const ours = nlkit(["-n", netns, "ethtool", ...args]);
      expect({ args, code: ours.code, stdout: ours.stdout, stderr: ours.stderr }).toEqual({ args, ...theirs });
      if (undo) inNs("ethtool", undo);
    }
  });

  it("the README's example, through the package's exports", async () => {
    inNs("ethtool", ["-K", "veth1", "tx-checksum-ip-generic", "on", "gro", "off"]);
    const g = await Genl.open({ netns });
    const r = await Ethtool.open({ netns });
    try {
      expect((await g.families()).map((f) => f.name)).toContain("ethtool");
      expect((await g.family("ethtool")).name).toBe("ethtool");
      expect((await r.features("veth1"))["tx-checksum-ip-generic"]).toEqual({ active: true, wanted: true, fixed: false, parent: "tx-checksumming" });
      const mon = g.monitor("ethtool", "monitor");
      await mon.ready;
      await r.setFeatures("veth1", { "tx-checksum-ip-generic": false, gro: true });
      expect(ethtoolJson("veth1")).toMatchObject({ "tx-checksum-ip-generic": { active: false }, "generic-receive-offload": { active: true } });
      for await (const n of mon) {
        if ("name" in n && n.name === "ETHTOOL_MSG_FEATURES_NTF") break;
      }
      await r.setChannels("veth1", { rx: 2, tx: 2 });
      expect(await r.channels("veth1")).toMatchObject({ rx: 2, tx: 2 });
      expect((await r.linkModes("veth1")).speed).toBeTypeOf("number");
      expect(await r.linkInfo("veth1")).toBeTypeOf("object");
      expect((await r.linkState("veth1")).link).toBeTypeOf("boolean");
      expect((await r.tsinfo("veth1")).timestamping).toContain("software-receive");
    } finally {
      r.close();
      g.close();
    }
  });
});
