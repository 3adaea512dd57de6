import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Nft } from "../../src/nft/index.js";
import { describeLive, TestNamespaces } from "../helpers/live.js";

const sh = (args: string[]) => execFileSync(args[0]!, args.slice(1), { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

/** Connects from `ns` and prints what the server answered (the peer address it saw), or "" on failure. */
function connectFrom(ns: string): string {
  const code = "const s=require('net').connect(7777,'198.51.100.1');let o='';s.on('data',d=>o+=d);" +
    "s.on('end',()=>{process.stdout.write(o);process.exit(0)});s.on('error',()=>process.exit(1));setTimeout(()=>process.exit(2),1500)";
  try {
    return sh(["ip", "netns", "exec", ns, process.execPath, "-e", code]);
  } catch {
    return "";
  }
}

describeLive("nft: masquerade really rewrites the source address", () => {
  const ns = new TestNamespaces("nft-masq");
  let c1 = "", host = "", out = "";
  let server: ChildProcess | undefined;
  let rootBefore = "";

  beforeAll(async () => {
    rootBefore = sh(["nft", "list", "ruleset"]);
    c1 = ns.create("c1"); host = ns.create("host"); out = ns.create("out");
    // links are created inside the namespaces: the root namespace never sees them
    sh(["ip", "-n", host, "link", "add", "vh0", "type", "veth", "peer", "name", "vc0", "netns", c1]);
    sh(["ip", "-n", host, "link", "add", "vh1", "type", "veth", "peer", "name", "vo0", "netns", out]);
    for (const [n, dev, addr] of [[c1, "vc0", "10.0.0.2/24"], [host, "vh0", "10.0.0.1/24"], [host, "vh1", "198.51.100.2/24"], [out, "vo0", "198.51.100.1/24"]] as const) {
      sh(["ip", "-n", n, "addr", "add", addr, "dev", dev]);
      sh(["ip", "-n", n, "link", "set", dev, "up"]);
    }
    sh(["ip", "-n", c1, "route", "add", "default", "via", "10.0.0.1"]);
    sh(["ip", "netns", "exec", host, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward"]);
    server = spawn("ip", ["netns", "exec", out, process.execPath, "-e",
      "require('net').createServer(s=>s.end(s.remoteAddress)).listen(7777,'198.51.100.1',()=>console.log('ready'))"], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve, reject) => {
      server!.stdout!.on("data", (d: Buffer) => { if (d.toString().includes("ready")) resolve(); });
      server!.on("exit", () => reject(new Error("server exited")));
    });
  });

  afterAll(() => {
    server?.kill();
    ns.cleanup();
    expect(sh(["nft", "list", "ruleset"])).toBe(rootBefore);
  });

  it("without the rule the server never sees 198.51.100.2; with it, it does", async () => {
    // no route back to 10.0.0.0/24 in "out": without NAT the handshake cannot complete
    const before = connectFrom(c1);
    expect(["", "10.0.0.2", "::ffff:10.0.0.2"]).toContain(before);
    const nft = await Nft.open({ netns: host });
    try {
      await nft.masquerade({ saddr: "10.0.0.0/24", notOifname: "vh0" });
    } finally {
      nft.close();
    }
    expect(connectFrom(c1).replace(/^::ffff:/, "")).toBe("198.51.100.2");
  });
});
