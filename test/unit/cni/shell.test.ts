// The executable's protocol handling, in process: every error case of the reference's table
// that needs no namespace, with the reference's codes and words (test/fixtures/cni/errors-raw.json).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { pluginName, runShell } from "../../../src/cni/shell.js";
import { aboutText, versionReply } from "../../../src/cni/fast.js";
import { installLinks } from "../../../src/cni/install.js";

const fixture = (f: string) => JSON.parse(fs.readFileSync(new URL(`../../fixtures/cni/${f}`, import.meta.url), "utf8"));
const refErrors: Array<{ CNI_COMMAND: string; rc: number; stdout: any; type: string }> = fixture("errors-raw.json");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nlkit-cni-shell-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const bridgeConf = {
  cniVersion: "1.0.0", name: "errnet", type: "bridge", bridge: "cni1", isGateway: true,
  ipam: { type: "host-local", subnet: "10.23.0.0/29", dataDir: path.join(tmp, "ipam") },
};
const env = (over: Record<string, string | undefined> = {}) => ({
  CNI_COMMAND: "ADD", CNI_CONTAINERID: "ctr1", CNI_NETNS: "/run/netns/nlkit-unit-does-not-exist", CNI_IFNAME: "eth0", CNI_PATH: "/opt/cni/bin", ...over,
});

async function run(invoked: string | undefined, e: Record<string, string | undefined>, stdin: unknown) {
  let out = "", err = "";
  const status = await runShell(invoked, { env: e, stdin: typeof stdin === "string" ? stdin : JSON.stringify(stdin), stdout: (t) => { out += t; }, stderr: (t) => { err += t; } });
  return { status, json: out ? JSON.parse(out) : undefined, out, err };
}

const refMsg = (pred: (e: (typeof refErrors)[number]) => boolean) => refErrors.find(pred)!.stdout;

describe("nlkit-cni shell: errors as the reference reports them", () => {
  it("undecodable configuration: code 6, the reference's message", async () => {
    const r = await run("bridge", env(), JSON.stringify(bridgeConf).slice(0, 30));
    const ref = refMsg((e) => e.stdout.code === 6);
    expect(r).toMatchObject({ status: 1, json: { code: 6, msg: ref.msg } });
    expect(Object.keys(r.json)).toEqual(["cniVersion", "code", "msg", "details"]);
  });

  it("an unknown cniVersion: code 1, the supported versions in the details", async () => {
    const r = await run("bridge", env(), { ...bridgeConf, cniVersion: "9.9.9" });
    expect(r.json).toEqual({ cniVersion: "9.9.9", code: 1, msg: "incompatible CNI versions", details: 'config is "9.9.9", plugin supports ["0.1.0" "0.2.0" "0.3.0" "0.3.1" "0.4.0" "1.0.0" "1.1.0"]' });
    expect(r.json.msg).toBe(refMsg((e) => e.stdout.code === 1).msg);
  });

  it("missing environment variables and an unknown command: code 4 naming them", async () => {
    expect((await run("bridge", env({ CNI_NETNS: undefined }), bridgeConf)).json).toMatchObject(refMsg((e) => e.stdout.msg?.includes("CNI_NETNS")));
    expect((await run("bridge", env({ CNI_IFNAME: undefined }), bridgeConf)).json).toMatchObject(refMsg((e) => e.stdout.msg?.includes("CNI_IFNAME")));
    expect((await run("bridge", env({ CNI_COMMAND: "FROB" }), bridgeConf)).json).toMatchObject(refMsg((e) => e.CNI_COMMAND === "FROB"));
    expect((await run("bridge", env({ CNI_IFNAME: undefined, CNI_CONTAINERID: undefined, CNI_PATH: undefined }), bridgeConf)).json.msg)
      .toBe("required env variables [CNI_CONTAINERID,CNI_IFNAME,CNI_PATH] missing");
    expect((await run("bridge", env({ CNI_CONTAINERID: "-bad" }), bridgeConf)).json).toMatchObject({ code: 4, msg: "invalid characters in containerID" });
    expect((await run("bridge", env({ CNI_IFNAME: "a/b" }), bridgeConf)).json).toMatchObject({ code: 4 });
    // the error is in the configuration's version, although the configuration was not read yet
    expect((await run("bridge", env({ CNI_NETNS: undefined }), { ...bridgeConf, cniVersion: "0.4.0" })).json.cniVersion).toBe("0.4.0");
    // DEL needs no CNI_NETNS
    expect((await run("bridge", env({ CNI_COMMAND: "DEL", CNI_NETNS: undefined, CNI_IFNAME: undefined }), bridgeConf)).json.msg).toBe("required env variables [CNI_IFNAME] missing");
  });

  it("VERSION in process answers as the executable does, with nothing else set and any stdin", async () => {
    const r = await run("bridge", { CNI_COMMAND: "VERSION" }, { cniVersion: "0.4.0" });
    expect(r).toMatchObject({ status: 0, json: { cniVersion: "0.4.0", supportedVersions: ["0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"] } });
    expect(r.out).toBe(versionReply(JSON.stringify({ cniVersion: "0.4.0" })));
    expect((await run(undefined, { CNI_COMMAND: "VERSION" }, "{bad")).json.cniVersion).toBe("1.1.0");
  });

  it("a netns path that does not exist: code 999 worded as the reference", async () => {
    const r = await run("bridge", env(), bridgeConf);
    const ref = refMsg((e) => String(e.stdout.msg).startsWith("failed to open netns"));
    const refPath = /"([^"]+)"/.exec(ref.msg)![1]!;
    expect(r.json).toMatchObject({ code: 999, msg: ref.msg.replaceAll(refPath, "/run/netns/nlkit-unit-does-not-exist") });
  });

  it("portmap without prevResult: code 999", async () => {
    const r = await run("portmap", env(), { cniVersion: "1.0.0", name: "n", type: "portmap", runtimeConfig: { portMappings: [{ hostPort: 1, containerPort: 1 }] } });
    expect(r.json).toMatchObject(refMsg((e) => e.type === "portmap"));
  });

  it("network names and commands newer than the configuration", async () => {
    expect((await run("bridge", env(), { ...bridgeConf, name: undefined })).json).toMatchObject({ code: 7, msg: "missing network name" });
    expect((await run("bridge", env(), { ...bridgeConf, name: "a b" })).json).toMatchObject({ code: 7, msg: "invalid characters found in network name", details: "a b" });
    expect((await run("bridge", env({ CNI_COMMAND: "CHECK" }), { ...bridgeConf, cniVersion: "0.3.1" })).json).toMatchObject({ code: 1, msg: "config version does not allow CHECK" });
    expect((await run("bridge", env({ CNI_COMMAND: "GC" }), bridgeConf)).json).toMatchObject({ code: 1, msg: "config version does not allow GC" });
    expect((await run("bridge", env({ CNI_COMMAND: "STATUS" }), bridgeConf)).json).toMatchObject({ code: 1, msg: "config version does not allow STATUS" });
  });

  it("keys the reference implements and nlkit-cni does not: code 2 naming key and value; a default value asks for nothing", async () => {
    for (const [plugin, conf, key] of [
      ["bridge", { ...bridgeConf, vlan: 100 }, "vlan"],
      ["bridge", { ...bridgeConf, macspoofchk: true }, "macspoofchk"],
      ["bridge", { ...bridgeConf, vlanTrunk: [{ id: 5 }] }, "vlanTrunk"],
      ["bridge", { ...bridgeConf, ipMasqBackend: "iptables" }, "ipMasqBackend"],
      ["portmap", { cniVersion: "1.0.0", name: "n", type: "portmap", externalSetMarkChain: "KUBE-MARK-MASQ" }, "externalSetMarkChain"],
      ["portmap", { cniVersion: "1.0.0", name: "n", type: "portmap", backend: "iptables" }, "backend"],
    ] as const) {
      const r = await run(plugin, env(), conf);
      expect(r.json).toMatchObject({ code: 2, msg: `unsupported field "${key}": nlkit-cni does not implement it` });
      expect(r.json.details).toBe(`${key}: ${JSON.stringify((conf as Record<string, unknown>)[key])}`);
    }
    // with the defaults spelt out, the ADD gets as far as the namespace
    expect((await run("bridge", env(), { ...bridgeConf, vlan: 0, macspoofchk: false, ipMasqBackend: "nftables" })).json.msg).toMatch(/^failed to open netns/);
    const cond = await run("portmap", env(), {
      cniVersion: "1.0.0", name: "n", type: "portmap", conditionsV4: ["-m", "addrtype"],
      runtimeConfig: { portMappings: [{ hostPort: 80, containerPort: 80 }] },
      prevResult: { cniVersion: "1.0.0", ips: [{ address: "10.0.0.2/24" }] },
    });
    expect(cond.json).toMatchObject({ code: 2, msg: expect.stringContaining('unsupported field "conditionsV4": "-m" is not a condition') });
  });

  it("values of the wrong type or out of range: code 7 naming the key", async () => {
    expect((await run("bridge", env(), { ...bridgeConf, mtu: "1500" })).json).toMatchObject({ code: 7, msg: 'mtu must be an integer from 0 to 65535, not "1500"' });
    expect((await run("bridge", env(), { ...bridgeConf, isGateway: "yes" })).json).toMatchObject({ code: 7, msg: 'isGateway must be true or false, not "yes"' });
    expect((await run("bridge", env(), { ...bridgeConf, bridge: "a/b" })).json).toMatchObject({ code: 7, msg: 'invalid bridge name "a/b"' });
    expect((await run("bridge", env(), { ...bridgeConf, hairpinMode: true, promiscMode: true })).json).toMatchObject({ code: 7 });
    expect((await run("bridge", env(), { ...bridgeConf, runtimeConfig: { mac: "zz" } })).json).toMatchObject({ code: 7, msg: 'invalid MAC address "zz"' });
    expect((await run("portmap", env(), { cniVersion: "1.0.0", name: "n", type: "portmap", runtimeConfig: { portMappings: [{ hostPort: 0, containerPort: 1 }] } })).json)
      .toMatchObject({ code: 7, msg: "Invalid host port number: 0" });
    expect((await run("portmap", env(), { cniVersion: "1.0.0", name: "n", type: "portmap", markMasqBit: 40 })).json).toMatchObject({ code: 7 });
  });

  it("as nlkit-cni, acts on the configuration's type, with or without an installed prefix; other types are code 2", async () => {
    expect((await run(undefined, env(), { ...bridgeConf, type: "nlkit-bridge" })).json.msg).toMatch(/^failed to open netns/);
    expect((await run(undefined, env(), { ...bridgeConf, type: "macvlan" })).json).toMatchObject({ code: 2, msg: expect.stringContaining('not "macvlan"') });
    expect(pluginName("nlkit-host-local")).toEqual({ name: "host-local", prefix: "nlkit-" });
    expect(pluginName("portmap")).toEqual({ name: "portmap", prefix: "" });
    expect(pluginName("nlkit-cni")).toBeUndefined();
  });
});

describe("nlkit-cni fast path and install", () => {
  it("VERSION echoes the input's cniVersion (the reference answers 1.0.0 whatever it is asked) and lists 0.1.0 to 1.1.0", () => {
    const ref = fixture("version.json")["1.0.0"][1];
    const mine = JSON.parse(versionReply('{"cniVersion":"0.4.0"}'));
    expect(mine.cniVersion).toBe("0.4.0");
    expect(mine.supportedVersions).toEqual([...ref.supportedVersions, "1.1.0"]);
    expect(JSON.parse(versionReply("")).cniVersion).toBe("1.1.0");
    expect(versionReply("{bad")).toMatch(/"supportedVersions"/);
    expect(aboutText("nlkit-bridge")).toMatch(/^CNI plugin nlkit-bridge \(nlkit-cni .*\)\nCNI protocol versions supported: 0\.1\.0, .*1\.1\.0\n$/);
  });

  it("install makes one link per plugin (with the prefix), replaces its own links and refuses regular files without --force", () => {
    const dir = path.join(tmp, "bin");
    const target = path.join(tmp, "nlkit-cni.cjs");
    fs.writeFileSync(target, "");
    expect(installLinks(dir, target, { prefix: "nlkit-" }).map((l) => path.basename(l))).toEqual(["nlkit-bridge", "nlkit-host-local", "nlkit-portmap", "nlkit-loopback"]);
    expect(fs.readlinkSync(path.join(dir, "nlkit-bridge"))).toBe(target);
    installLinks(dir, target, { prefix: "nlkit-" });
    fs.writeFileSync(path.join(dir, "portmap"), "a reference binary");
    expect(() => installLinks(dir, target)).toThrow(/portmap exists and is not a symbolic link: give --force/);
    expect(() => installLinks(dir, target)).toThrow(expect.objectContaining({ name: "NlkitInputError", code: "EEXIST", field: "force" }));
    expect(() => installLinks(dir, target, { prefix: "a/b" })).toThrow(expect.objectContaining({ name: "NlkitInputError", code: "EINVAL", field: "prefix" }));
    expect(fs.readFileSync(path.join(dir, "portmap"), "utf8")).toBe("a reference binary");
    // refused before anything changed
    expect(fs.existsSync(path.join(dir, "bridge"))).toBe(false);
    installLinks(dir, target, { force: true });
    expect(fs.readlinkSync(path.join(dir, "portmap"))).toBe(target);
    expect(fs.readdirSync(dir).sort()).toEqual(["bridge", "host-local", "loopback", "nlkit-bridge", "nlkit-host-local", "nlkit-loopback", "nlkit-portmap", "portmap"]);
  });
});
