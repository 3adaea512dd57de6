// 1. The namespace exists and this process may enter it.
import * as fs from "node:fs";
import { netns } from "../../netns/index.js";
import { check, ok } from "../check.js";
import { cmd, type DoctorContext } from "../context.js";

const CAP_NET_ADMIN = 12, CAP_SYS_ADMIN = 21;

/** The effective capability set of this process (from /proc/self/status). */
function effectiveCaps(): bigint | undefined {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(fs.readFileSync("/proc/self/status", "utf8"));
    return m ? BigInt(`0x${m[1]}`) : undefined;
  } catch {
    return undefined;
  }
}

/** Names close to the one asked for (typos: "contianer1"). */
function similar(name: string, names: string[]): string[] {
  const norm = (s: string) => [...s.toLowerCase()].sort().join("");
  return names.filter((n) => n !== name && (n.includes(name) || name.includes(n) || norm(n) === norm(name)));
}

/** Returns false when nothing else can be checked. */
export async function namespaceChecks(ctx: DoctorContext, argvForSudo: string): Promise<boolean> {
  const caps = effectiveCaps();
  const has = (bit: number) => caps !== undefined && (caps & (1n << BigInt(bit))) !== 0n;
  const root = process.getuid?.() === 0;
  const needsEnter = ctx.subject !== undefined;
  if (!(root || (has(CAP_NET_ADMIN) && (!needsEnter || has(CAP_SYS_ADMIN))))) {
    const missing = [!has(CAP_NET_ADMIN) && "CAP_NET_ADMIN", needsEnter && !has(CAP_SYS_ADMIN) && "CAP_SYS_ADMIN"].filter(Boolean).join(" and ");
    ctx.add(check("netns.access", "permissions", "failure",
      `uid ${process.getuid?.()} without ${missing}: entering a namespace (setns) needs CAP_SYS_ADMIN, ` +
      `and reading its nftables ruleset CAP_NET_ADMIN`,
      { fix: `sudo ${argvForSudo}` }));
    return false;
  }
  ctx.add(ok("netns.access", "permissions", root ? "running as root" : `capabilities CapEff=${caps!.toString(16)} include CAP_NET_ADMIN${needsEnter ? " and CAP_SYS_ADMIN" : ""}`));

  if (ctx.subject === undefined) {
    ctx.add(ok("netns.exists", "namespace", `the current namespace (inode ${netns.current()})`));
    return true;
  }
  const name = ctx.subject;
  if (!(await netns.exists(name))) {
    const names = await netns.list();
    const near = similar(name, names);
    const listed = names.length ? `namespaces under /run/netns: ${names.join(", ")}` : "no namespace is named under /run/netns";
    ctx.add(check("netns.exists", "namespace", "failure",
      `network namespace "${name}" does not exist (${listed})${near.length ? `; did you mean ${near.map((n) => `"${n}"`).join(" or ")}?` : ""}`,
      { fix: `nlkit netns add ${name}`, details: { names } }));
    return false;
  }
  try {
    await ctx.rt(name).link.list();
  } catch (e) {
    ctx.add(check("netns.exists", "namespace", "failure", `namespace "${name}" exists but cannot be entered: ${(e as Error).message}`));
    return false;
  }
  ctx.add(ok("netns.exists", "namespace", `namespace "${name}" exists (inode ${netns.identify(name)}) and answers rtnetlink`));
  return true;
}

