import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, expect, it } from "vitest";
import { NlkitInputError } from "../../src/netlink/errors.js";
import { netns, NetnsError } from "../../src/netns/index.js";
import { addFaults } from "../../src/netns/named.js";
import { describeLive, ip, ipJson, TestNamespaces } from "../helpers/live.js";

const ns = new TestNamespaces("nns-named");
afterAll(() => ns.cleanup());
afterEach(() => {
  delete addFaults.beforeBind;
  delete addFaults.afterBind;
});

/** Mount points of this test file's namespaces, from the kernel's own table. */
function ourMounts(): string[] {
  return fs.readFileSync("/proc/self/mountinfo", "utf8").split("\n")
    .map((l) => l.split(" ")[4] ?? "")
    .filter((mp) => mp.startsWith(`/run/netns/${ns.prefix}`));
}

function ipNames(): string[] {
  return ipJson<{ name: string }[]>(["netns", "list"]).map((e) => e.name).filter((n) => n.startsWith(ns.prefix));
}

function ipExecNetLink(name: string): string {
  return execFileSync("ip", ["netns", "exec", name, "readlink", "/proc/self/ns/net"], { encoding: "utf8" }).trim();
}

describeLive("named network namespaces (ip netns add/del/list)", () => {
  const home = netns.current();
  afterAll(() => expect(netns.current()).toBe(home));

  it("ip sees what nlkit adds, and ip netns exec enters that very namespace", async () => {
    const name = ns.adopt(ns.name("mine"));
    await netns.add(name);
    expect(ipNames()).toContain(name);
    expect(await netns.exists(name)).toBe(true);
    const ino = netns.identify(name);
    expect(ino).not.toBe(home);
    expect(ipExecNetLink(name)).toBe(`net:[${ino}]`);
    // a fresh namespace: lo only
    expect(ipJson<{ ifname: string }[]>(["link", "show"], name).map((l) => l.ifname)).toEqual(["lo"]);
    expect(netns.current()).toBe(home);
    // the file is an nsfs bind mount, as ip makes it
    expect(ourMounts()).toContain(`/run/netns/${name}`);
    await netns.del(name);
    expect(ipNames()).not.toContain(name);
    expect(fs.existsSync(`/run/netns/${name}`)).toBe(false);
    expect(ourMounts()).not.toContain(`/run/netns/${name}`);
  });

  it("nlkit sees what ip adds, in the order ip lists it", async () => {
    const names = ["c", "a", "b", "d"].map((s) => ns.create(`ip${s}`));
    const mine = (await netns.list()).filter((n) => n.startsWith(ns.prefix));
    expect(mine).toEqual(ipNames());
    for (const n of names) expect(mine).toContain(n);
    for (const n of names) {
      expect(await netns.exists(n)).toBe(true);
      expect(`net:[${netns.identify(n)}]`).toBe(ipExecNetLink(n));
    }
    await netns.del(names[0]!);
    expect(ipNames()).not.toContain(names[0]);
  });

  it("add of an existing name is EEXIST and leaves the existing namespace intact", async () => {
    const name = ns.create("dup");
    ip(["link", "add", "keep0", "type", "veth", "peer", "name", "keep1"], name);
    const ino = netns.identify(name);
    const err = await netns.add(name).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetnsError);
    expect(err).toMatchObject({ code: "EEXIST", errno: 17 });
    expect(String((err as Error).message)).toContain(`/run/netns/${name}`);
    expect(netns.identify(name)).toBe(ino);
    expect(ipJson<{ ifname: string }[]>(["link", "show"], name).map((l) => l.ifname).sort()).toEqual(["keep0", "keep1", "lo"]);
  });

  it("del of a missing name is ENOENT", async () => {
    const err = await netns.del(ns.name("never")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetnsError);
    expect(err).toMatchObject({ code: "ENOENT", errno: 2, syscall: "unlink" });
    expect(await netns.exists(ns.name("never"))).toBe(false);
  });

  it("invalid names are refused and nothing is created", async () => {
    const before = fs.readdirSync("/run/netns");
    for (const bad of ["", `${ns.prefix}/x`, "..", ".", "x".repeat(256), `${ns.prefix}\0x`]) {
      await expect(netns.add(bad)).rejects.toBeInstanceOf(NlkitInputError);
    }
    expect(fs.existsSync(`/run/netns/${ns.prefix}`)).toBe(false);
    expect(fs.readdirSync("/run/netns").filter((n) => n.startsWith(ns.prefix))).toEqual(before.filter((n) => n.startsWith(ns.prefix)));
  });

  it("a failure after the bind mount leaves no file, no mount, and the thread at home", async () => {
    const name = ns.adopt(ns.name("fail-after"));
    let seenMounted = false;
    addFaults.afterBind = (path) => {
      seenMounted = ourMounts().includes(path);
      throw new Error("injected after bind");
    };
    await expect(netns.add(name)).rejects.toThrow("injected after bind");
    expect(seenMounted).toBe(true);
    expect(fs.existsSync(`/run/netns/${name}`)).toBe(false);
    expect(ourMounts().some((m) => m.endsWith(name))).toBe(false);
    expect(netns.current()).toBe(home);
    // the name is free again
    delete addFaults.afterBind;
    await netns.add(name);
    expect(await netns.exists(name)).toBe(true);
    await netns.del(name);
  });

  it("a failed mount leaves no empty file", async () => {
    const name = ns.adopt(ns.name("fail-before"));
    let seenFile = false;
    addFaults.beforeBind = (path) => {
      seenFile = fs.existsSync(path);
      throw new Error("injected before bind");
    };
    await expect(netns.add(name)).rejects.toThrow("injected before bind");
    expect(seenFile).toBe(true);
    expect(fs.existsSync(`/run/netns/${name}`)).toBe(false);
    expect(ourMounts().some((m) => m.endsWith(name))).toBe(false);
    expect(netns.current()).toBe(home);
  });

  it("attach names the namespace of a process; a non-namespace target is refused without a file", async () => {
    const src = ns.create("attach-src");
    const child = execFileSync("sh", ["-c", `ip netns exec ${src} sh -c 'sleep 30 >/dev/null 2>&1 & echo $!'`], { encoding: "utf8" }).trim();
    const pid = Number(child);
    try {
      const name = ns.adopt(ns.name("attached"));
      await netns.attach(name, pid);
      expect(netns.identify(name)).toBe(netns.identify(src));
      expect(ipExecNetLink(name)).toBe(ipExecNetLink(src));
      const bogus = ns.adopt(ns.name("bogus"));
      await expect(netns.attach(bogus, "/etc/hostname")).rejects.toThrow(/not a network namespace/);
      expect(fs.existsSync(`/run/netns/${bogus}`)).toBe(false);
    } finally {
      process.kill(pid, "SIGKILL");
    }
  });

  it("a /run/netns removed after the first add is made again (and shared) by the next add", () => {
    // in a private mount namespace with its own tmpfs on /run: the machine's /run/netns stays
    const child = fileURLToPath(new URL("../helpers/netns-rundir-child.ts", import.meta.url));
    const tsx = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));
    const r = spawnSync("unshare", ["-m", "--propagation", "private", tsx, child], { encoding: "utf8", timeout: 60_000 });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout.trim())).toEqual({ first: true, again: true, shared: true });
  });

  it("1000 add/del cycles leak no fd and leave no mount", async () => {
    const name = ns.adopt(ns.name("cycle"));
    const fds = () => fs.readdirSync("/proc/self/fd").length;
    await netns.add(name);
    await netns.del(name);
    const before = fds();
    const mountsBefore = ourMounts().length;
    for (let i = 0; i < 1000; i++) {
      await netns.add(name);
      await netns.del(name);
    }
    expect(fds()).toBe(before);
    expect(ourMounts().length).toBe(mountsBefore);
    expect(fs.existsSync(`/run/netns/${name}`)).toBe(false);
    expect(netns.current()).toBe(home);
  }, 120_000);
});
