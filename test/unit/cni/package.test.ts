// The built nlkit-cni: the nlkit/cni export and the executable bundle (skipped when dist/ is
// missing or older than src/, like test/unit/package.test.ts).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as cni from "../../../src/cni/index.js";

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const files = ["dist/bundle/cni.js", "dist/bundle/cni-bin/nlkit-cni.cjs", "dist/bundle/cni-shell.js", "dist/cni/index.d.ts"];
const built = files.every((f) => existsSync(f)) && Math.min(...files.map((f) => statSync(f).mtimeMs)) >= newestSource("src");
const describeBuilt = built ? describe : describe.skip;

describeBuilt("the built nlkit-cni (npm run build; skipped when dist/ is missing or older than src/)", () => {
  it('import("nlkit/cni") exposes exactly the sources\' API, and uses nlkit\'s own bundle instead of a copy of it', () => {
    const out = execFileSync("node", ["--input-type=module", "-e",
      'const m = await import("nlkit/cni"); console.log(JSON.stringify(Object.keys(m).sort()))'], { encoding: "utf8" });
    expect(JSON.parse(out)).toEqual(Object.keys(cni).sort());
    // the split bundle: the engine lives in a shared chunk that nlkit's entry imports too
    for (const entry of ["dist/bundle/cni.js", "dist/bundle/cni-shell.js"]) {
      const text = readFileSync(entry, "utf8");
      expect(text).toMatch(/from "\.\/chunks\/chunk-[A-Z0-9]+\.js"/);
      expect(text).not.toMatch(/class Rtnl\b|class NetlinkSocket\b/);
    }
  });

  it("the library allocates with host-local next to nlkit in one process (the FFI layer loaded once by each bundle)", () => {
    const out = execFileSync("node", ["--input-type=module", "-e", `
      import * as fs from "node:fs"; import * as os from "node:os"; import * as path from "node:path";
      const nlkit = await import("nlkit"); const { hostLocal } = await import("nlkit/cni");
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nlkit-cni-pkg-"));
      try {
        const cfg = hostLocal.parseConfig({ ipam: { type: "host-local", subnet: "10.77.0.0/24", dataDir: dir } });
        const r = await hostLocal.allocate({ network: "n", containerId: "c", ifname: "eth0" }, cfg);
        console.log(JSON.stringify({ ips: r.ips, rtnl: typeof nlkit.Rtnl.open }));
      } finally { fs.rmSync(dir, { recursive: true, force: true }); }`], { encoding: "utf8" });
    expect(JSON.parse(out)).toEqual({ ips: [{ address: "10.77.0.2/24", gateway: "10.77.0.1" }], rtnl: "function" });
  });

  it("the executable answers VERSION from its entry alone, through the bin launcher too", () => {
    for (const cmd of [["dist/bundle/cni-bin/nlkit-cni.cjs"], ["bin/nlkit-cni.js"]]) {
      const out = execFileSync(process.execPath, cmd, { encoding: "utf8", input: '{"cniVersion":"1.0.0"}', env: { CNI_COMMAND: "VERSION" } });
      expect(JSON.parse(out)).toEqual({ cniVersion: "1.0.0", supportedVersions: ["0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"] });
    }
    // the entry does not carry the plugins: they are the split bundle's cni-shell.js, imported for other commands
    expect(statSync("dist/bundle/cni-bin/nlkit-cni.cjs").size).toBeLessThan(32 * 1024);
    expect(readFileSync("dist/bundle/cni-bin/nlkit-cni.cjs", "utf8")).toMatch(/import\("\.\.\/cni-shell\.js"\)/);
  });

  it("ships type declarations for nlkit/cni", () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8"));
    expect(pkg.exports["./cni"]).toEqual({ types: "./dist/cni/index.d.ts", default: "./dist/bundle/cni.js" });
    expect(pkg.bin["nlkit-cni"]).toBe("./bin/nlkit-cni.js");
  });
});
