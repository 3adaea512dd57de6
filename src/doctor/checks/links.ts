// 2. Links along the path: lo, the egress device, its veth peer, the bridge the peer is a port of.
import type { Link } from "../../rtnl/link/types.js";
import { because, check, ok, skipped } from "../check.js";
import { cmd, nsName, type DoctorContext, type Endpoint } from "../context.js";
import { contains, usable } from "../ip.js";

const where = (e: Endpoint) => `${e.link.name} in ${nsName(e.netns)}`;
const carrier = (l: Link) => l.flags.includes("LOWER_UP");

/** Picks the egress device; returns false when there is none (nothing further along can be checked). */
export async function linkChecks(ctx: DoctorContext): Promise<boolean> {
  const f = ctx.facts;
  const rt = ctx.rt(ctx.subject);
  f.links = await rt.link.list();

  const lo = f.links.find((l) => l.name === "lo");
  if (!lo) ctx.add(check("link.lo", "loopback", "warning", "no lo device"));
  else if (!lo.up) ctx.add(check("link.lo", "loopback", "failure", "lo is down: local sockets and the namespace's own addresses are unreachable", { fix: cmd(ctx.subject, "link set lo up") }));
  else ctx.add(ok("link.lo", "loopback", "lo is up"));

  try {
    f.route = await rt.route.get(f.dst);
    // the resolved route hides a gateway that is a local address; the FIB entry still shows it
    f.fib = await rt.route.get(f.dst, { fibmatch: true }).catch(() => undefined);
  } catch (e) {
    // the kernel's own words ("Network is unreachable"); the code is shown beside them
    const err = e as { code?: string; message: string; kernelMessage?: string };
    f.routeError = { ...(err.code ? { code: err.code } : {}), message: err.kernelMessage ?? err.message };
  }

  const others = f.links.filter((l) => l.name !== "lo");
  if (f.route?.dev) {
    f.egress = f.links.find((l) => l.name === f.route!.dev);
    f.egressWhy = `the kernel's route to ${f.dst} leaves through it`;
  } else if (others.length === 1) {
    f.egress = others[0];
    f.egressWhy = "the only link besides lo (the kernel has no route to follow)";
  } else if (others.length > 1) {
    // several candidates and no route: the one with an address, else the first veth
    f.egress = others.find((l) => l.up && l.kind === "veth") ?? others[0];
    f.egressWhy = `a guess among ${others.map((l) => l.name).join(", ")} (the kernel has no route to follow)`;
  }
  const e = f.egress;
  if (!e) {
    ctx.add(check("link.egress", "egress link", "failure",
      `${nsName(ctx.subject)} has no link besides lo: nothing connects it to anything (create a veth pair with one end in it)`));
    return false;
  }
  if (e.name === "lo") {
    ctx.add(ok("link.egress", "egress link", `${f.dst} is an address of this namespace: the path is lo`));
    return true;
  }
  const guessed = !f.route?.dev && others.length > 1;
  ctx.add(check("link.egress", "egress link", guessed ? "warning" : "ok",
    `${e.name} (${e.kind ?? e.linkType}, index ${e.index}): ${f.egressWhy}`, { details: { index: e.index, kind: e.kind } }));
  f.egressAddrs = (await rt.addr.list({ dev: e.index, family: f.family })).filter(usable);

  if (!e.up) ctx.add(check("link.egress.up", "egress link up", "failure", `${e.name} is down (flags ${e.flags.join(",")})`, { fix: cmd(ctx.subject, `link set ${e.name} up`) }));
  else ctx.add(ok("link.egress.up", "egress link up", `${e.name} is up`));

  await peerChecks(ctx, e);

  if (!e.up) ctx.add(skipped("link.egress.carrier", "carrier", because("link.egress.up")));
  else if (carrier(e)) ctx.add(ok("link.egress.carrier", "carrier", `${e.name} has carrier (LOWER_UP, operstate ${e.operstate ?? "?"})`));
  else {
    const peerDown = f.peer && !f.peer.link.up;
    ctx.add(check("link.egress.carrier", "carrier", "failure",
      peerDown ? `${e.name} has no carrier because its peer ${where(f.peer!)} is down` : `${e.name} is up but has no carrier (NO-CARRIER, operstate ${e.operstate ?? "?"})`));
  }

  await bridgeCheck(ctx);
  return true;
}

async function peerChecks(ctx: DoctorContext, e: Link): Promise<void> {
  const f = ctx.facts;
  if (e.kind !== "veth") {
    ctx.add(skipped("link.peer", "veth peer", `${e.name} is ${e.kind ? `a ${e.kind}` : `an ${e.linkType}`} link, not a veth: no peer to follow`));
    return;
  }
  const { peer, unnamedNsid } = await ctx.vethPeer(ctx.subject, e);
  if (!peer) {
    const why = unnamedNsid !== undefined
      ? `its peer (index ${e.link}) is in the namespace with nsid ${unnamedNsid}, which has no name under /run/netns (the root namespace, or a container runtime's)`
      : `its peer (index ${e.link}) could not be found`;
    f.peerNsidUnnamed = unnamedNsid;
    ctx.add(check("link.peer", "veth peer", "warning", `${e.name}: ${why}; the path cannot be followed past it${ctx.routerHint ? "" : " (name it with --router)"}`));
    return;
  }
  f.peer = peer;
  ctx.add(ok("link.peer", "veth peer", `${e.name}'s peer is ${peer.link.name} (index ${peer.link.index}) in ${nsName(peer.netns)}`,
    { netns: peer.netns ?? null, dev: peer.link.name, index: peer.link.index }));
  if (!peer.link.up) {
    ctx.add(check("link.peer.up", "veth peer up", "failure", `${where(peer)} is down: ${e.name} has no carrier until it is up`,
      { fix: cmd(peer.netns, `link set ${peer.link.name} up`) }));
  } else {
    ctx.add(ok("link.peer.up", "veth peer up", `${where(peer)} is up`));
  }
}

async function bridgeCheck(ctx: DoctorContext): Promise<void> {
  const f = ctx.facts;
  const id = "link.bridge", title = "bridge port";
  const peer = f.peer;
  if (!peer) {
    ctx.add(skipped(id, title, "no veth peer to follow"));
    return;
  }
  const prt = ctx.rt(peer.netns);
  if (peer.link.master) {
    const m = await prt.link.get(peer.link.master);
    if (m.kind !== "bridge") {
      ctx.add(ok(id, title, `${where(peer)} is enslaved to ${m.name} (${m.kind ?? m.linkType}), not a bridge`));
      return;
    }
    f.bridge = { netns: peer.netns, link: m };
    const state = (peer.link.infoSlaveData as Record<string, unknown> | undefined)?.state;
    if (!m.up) {
      ctx.add(check(id, title, "failure", `${where(peer)} is a port of ${m.name}, but ${m.name} is down`, { fix: cmd(peer.netns, `link set ${m.name} up`) }));
    } else if (state !== undefined && state !== "forwarding") {
      const transient = state === "listening" || state === "learning";
      ctx.add(check(id, title, transient || !peer.link.up ? "warning" : "failure",
        `${where(peer)} is a port of ${m.name} in state ${String(state)}${!peer.link.up ? " (the port is down)" : transient ? " (STP is still converging)" : ": it forwards nothing"}`));
    } else {
      ctx.add(ok(id, title, `${where(peer)} is a port of ${m.name} (up${state ? `, state ${String(state)}` : ""})`));
    }
    return;
  }
  const peerAddrs = (await prt.addr.list({ dev: peer.link.index, family: f.family })).filter(usable);
  if (peerAddrs.length) {
    ctx.add(ok(id, title, `${where(peer)} holds ${peerAddrs.map((a) => `${a.local}/${a.prefixlen}`).join(", ")} itself: a routed link, no bridge needed`));
    return;
  }
  // Not a port and no address: look for the bridge it was meant to join (one whose subnet is ours).
  const bridges = await prt.link.list({ kind: "bridge" });
  const subnetOf = async (b: Link) => (await prt.addr.list({ dev: b.index, family: f.family })).filter(usable);
  let candidate: Link | undefined;
  for (const b of bridges) {
    const addrs = await subnetOf(b);
    if (addrs.some((a) => f.egressAddrs.some((o) => contains(a, o.local)) || contains(a, f.dst))) { candidate = b; break; }
  }
  if (!candidate && bridges.length === 1) candidate = bridges[0];
  if (candidate) {
    f.bridgeCandidate = { netns: peer.netns, link: candidate };
    ctx.add(check(id, title, "failure",
      `${where(peer)} is not a port of any bridge and holds no address: frames from ${f.egress!.name} stop there (${candidate.name} in ${nsName(peer.netns)} is the bridge of this subnet)`,
      { fix: cmd(peer.netns, `link set ${peer.link.name} master ${candidate.name}`) }));
  } else {
    ctx.add(check(id, title, "warning", `${where(peer)} is not a port of any bridge and holds no address: frames from ${f.egress!.name} reach nothing there`));
  }
}
