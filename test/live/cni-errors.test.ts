// The error cases of ../shared/cni/README.md's table, on nlkit-cni and the reference in one run:
// same exit status, error code and (where the texts are the reference's) message; and what a
// failed ADD leaves behind once the runtime has run its DEL: no veth, no allocation.
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { TestNamespaces } from "../helpers/live.js";
import { Runtime, type Container, type NetworkList, type PluginRun } from "./cni-runtime.js";
import { buildNlkitCni, describeCni, dataDirState, linkState, REFERENCE_DIR, Side } from "./cni-topology.js";

const ns = new TestNamespaces("cni-err");
let built: Awaited<ReturnType<typeof buildNlkitCni>> | undefined;
const sides = {} as Record<"nl" | "ref", { side: Side; rt: Runtime; list: NetworkList; dataDir: string }>;

function list(dataDir: string): NetworkList {
  return {
    cniVersion: "1.0.0", name: "errnet",
    plugins: [{ type: "bridge", bridge: "cni1", isGateway: true, ipam: { type: "host-local", subnet: "10.23.0.0/29", rangeStart: "10.23.0.2", rangeEnd: "10.23.0.3", dataDir } }],
  };
}


async function both(fn: (k: "nl" | "ref") => Promise<PluginRun>): Promise<Record<"nl" | "ref", PluginRun>> {
  const [nl, ref] = await Promise.all([fn("nl"), fn("ref")]);
  return { nl, ref };
}

/** What to compare of an error: exit status, code, message; and that the output is one JSON object. */
const shape = (r: PluginRun) => ({ exit: r.code, code: r.json?.code, msg: r.json?.msg });

describeCni("nlkit-cni error cases next to the reference", () => {

  beforeAll(async () => {
    built = await buildNlkitCni("err");
    for (const k of ["nl", "ref"] as const) {
      const side = new Side(ns, k).setup(4);
      const dataDir = path.join(built.work, `ipam-${k}`);
      sides[k] = { side, rt: new Runtime({ hostNetns: side.host, binDir: k === "nl" ? built.binDir : REFERENCE_DIR, cacheDir: path.join(built.work, `cache-${k}`) }), list: list(dataDir), dataDir };
    }
  });

  afterAll(() => {
    ns.cleanup();
    built?.cleanup();
  });

  const c = (k: "nl" | "ref", i: number): Container => ({ containerId: `ctr${i}`, netns: sides[k].side.path(sides[k].side.containers[i - 1]!), ifname: "eth0" });
  const req = (k: "nl" | "ref", i: number) => sides[k].rt.request(sides[k].list, sides[k].list.plugins[0]!, c(k, i));

  it("truncated JSON on stdin: code 6, the same message", async () => {
    const r = await both((k) => sides[k].rt.exec("bridge", "ADD", c(k, 1), JSON.stringify(req(k, 1)).slice(0, 40)));
    expect(shape(r.nl)).toEqual(shape(r.ref));
    expect(shape(r.nl)).toEqual({ exit: 1, code: 6, msg: "error unmarshall network config: unexpected end of JSON input" });
    expect(r.nl.json.cniVersion).toBeTypeOf("string");
  });

  it("an unknown cniVersion: code 1, details listing the supported versions", async () => {
    const r = await both((k) => sides[k].rt.exec("bridge", "ADD", c(k, 1), { ...req(k, 1), cniVersion: "9.9.9" }));
    expect(shape(r.nl)).toEqual(shape(r.ref));
    expect(r.nl.json.details).toBe('config is "9.9.9", plugin supports ["0.1.0" "0.2.0" "0.3.0" "0.3.1" "0.4.0" "1.0.0" "1.1.0"]');
  });

  it("CNI_NETNS or CNI_IFNAME missing on ADD, and an unknown CNI_COMMAND: code 4 naming them", async () => {
    for (const [cmd, drop, msg] of [["ADD", "CNI_NETNS", "required env variables [CNI_NETNS] missing"], ["ADD", "CNI_IFNAME", "required env variables [CNI_IFNAME] missing"], ["FROB", "", "unknown CNI_COMMAND: FROB"]] as const) {
      const r = await both((k) => {
        const cont = c(k, 1);
        const withoutNetns = drop === "CNI_NETNS" ? { ...cont, netns: undefined } : drop === "CNI_IFNAME" ? { ...cont, ifname: undefined } : cont;
        return sides[k].rt.exec("bridge", cmd, withoutNetns as Container, req(k, 1));
      });
      expect(shape(r.nl)).toEqual(shape(r.ref));
      expect(shape(r.nl)).toEqual({ exit: 1, code: 4, msg });
    }
  });

  it("a netns path that does not exist: code 999, the reference's message, nothing created", async () => {
    const r = await both((k) => sides[k].rt.exec("bridge", "ADD", { ...c(k, 1), netns: `/run/netns/${sides[k].side.host}-nonexistent` }, req(k, 1)));
    expect(shape(r.nl)).toEqual({ ...shape(r.ref), msg: shape(r.ref).msg.replaceAll(sides.ref.side.host, sides.nl.side.host) });
    expect(r.nl.json.code).toBe(999);
    expect(linkState(sides.nl.side.host).map((l) => l.ifname)).toEqual(["lo", "up0"]);
  });

  it("range exhausted on the third ADD: code 999 with the reference's message; after the runtime's DEL no veth and no allocation is left", async () => {
    for (const i of [1, 2]) {
      const r = await both((k) => sides[k].rt.add(sides[k].list, c(k, i)).then((a) => a.runs[0]!));
      expect([r.nl.code, r.ref.code]).toEqual([0, 0]);
    }
    const r = await both((k) => sides[k].rt.add(sides[k].list, c(k, 3)).then((a) => a.runs[0]!));
    expect(shape(r.nl)).toEqual(shape(r.ref));
    expect(shape(r.nl)).toEqual({ exit: 1, code: 999, msg: "failed to allocate for range 0: no IP addresses available in range set: 10.23.0.2-10.23.0.3" });
    const del = await both((k) => sides[k].rt.del(sides[k].list, c(k, 3)).then((d) => d.runs[0]!));
    expect([del.nl.code, del.ref.code]).toEqual([0, 0]);
    for (const k of ["nl", "ref"] as const) {
      expect(linkState(sides[k].side.containers[2]!).map((l) => l.ifname)).toEqual(["lo"]);
      expect(Object.keys(dataDirState(path.join(sides[k].dataDir, "errnet")))).toEqual(["10.23.0.2", "10.23.0.3", "last_reserved_ip.0", "lock"]);
      expect(linkState(sides[k].side.host).filter((l) => /^veth/.test(l.ifname))).toHaveLength(2);
    }
  });

  it("CNI_IFNAME already taken in the container: code 999, nothing created; the runtime's DEL leaves nlkit's foreign eth0 alone", async () => {
    for (const k of ["nl", "ref"] as const) {
      // a veth pair inside the container: an eth0 that is not paired with the host
      execFileSync("ip", ["-n", sides[k].side.containers[3]!, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0p"]);
      await sides[k].rt.del(sides[k].list, c(k, 1));
    }
    const r = await both((k) => sides[k].rt.add(sides[k].list, c(k, 4)).then((a) => a.runs[0]!));
    expect(shape(r.nl)).toEqual(shape(r.ref));
    expect(shape(r.nl)).toEqual({ exit: 1, code: 999, msg: "container veth name provided (eth0) already exists" });
    const del = await both((k) => sides[k].rt.del(sides[k].list, c(k, 4)).then((d) => d.runs[0]!));
    expect([del.nl.code, del.ref.code]).toEqual([0, 0]);
    for (const k of ["nl", "ref"] as const) {
      expect(Object.keys(dataDirState(path.join(sides[k].dataDir, "errnet")))).toEqual(["10.23.0.3", "last_reserved_ip.0", "lock"]);
      expect(linkState(sides[k].side.host).filter((l) => /^veth/.test(l.ifname))).toHaveLength(1);
    }
    // the reference's DEL deletes whatever is named CNI_IFNAME; nlkit's only a veth paired with the host
    expect(linkState(sides.nl.side.containers[3]!).map((l) => l.ifname)).toEqual(["eth0", "eth0p", "lo"]);
    expect(linkState(sides.ref.side.containers[3]!).map((l) => l.ifname)).toEqual(["lo"]);
  });

  it("portmap without prevResult: code 999 'must be called as chained plugin'", async () => {
    const pm = { type: "portmap", capabilities: { portMappings: true } };
    const r = await both((k) => sides[k].rt.exec("portmap", "ADD", c(k, 2), sides[k].rt.request(sides[k].list, pm, { ...c(k, 2), capabilityArgs: { portMappings: [{ hostPort: 1, containerPort: 2, protocol: "tcp" }] } })));
    expect(shape(r.nl)).toEqual(shape(r.ref));
    expect(shape(r.nl)).toEqual({ exit: 1, code: 999, msg: "must be called as chained plugin" });
  });

  it("a key the reference implements and nlkit-cni does not (vlan) is code 2 naming it; a default value is accepted", async () => {
    const r = await sides.nl.rt.exec("bridge", "ADD", c("nl", 2), { ...req("nl", 2), vlan: 100 });
    expect(shape(r)).toEqual({ exit: 1, code: 2, msg: 'unsupported field "vlan": nlkit-cni does not implement it' });
    expect(r.json.details).toBe("vlan: 100");
    const ok = await sides.nl.rt.exec("bridge", "CHECK", c("nl", 2), { ...req("nl", 2), vlan: 0, macspoofchk: false, prevResult: sides.nl.rt.cachedResult(sides.nl.list, c("nl", 2)) });
    expect(shape(ok)).toEqual({ exit: 0, code: undefined, msg: undefined });
  });

  it("VERSION echoes the asked cniVersion and lists 0.1.0 to 1.1.0", async () => {
    const r = await sides.nl.rt.exec("bridge", "VERSION", {}, { cniVersion: "0.4.0" });
    expect(r.code).toBe(0);
    expect(r.json).toEqual({ cniVersion: "0.4.0", supportedVersions: ["0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"] });
  });
});
