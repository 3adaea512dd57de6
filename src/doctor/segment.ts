// Who is on the other end of the egress link: the veth peer, the bridge it is a port of (or
// should be), and the far ends of that bridge's other veth ports. Their addresses tell the
// subnet this link belongs to, the gateway, duplicates and free addresses.
import type { Addr } from "../rtnl/addr/verbs.js";
import type { DoctorContext, Ns, SegmentHost } from "./context.js";
import { usable } from "./ip.js";

export async function discoverSegment(ctx: DoctorContext): Promise<void> {
  const f = ctx.facts;
  const peer = f.peer;
  if (!peer) return;
  const addrsOf = async (ns: Ns, index: number): Promise<Addr[]> =>
    (await ctx.rt(ns).addr.list({ dev: index, family: f.family })).filter(usable);
  const hosts: SegmentHost[] = [{
    netns: peer.netns, dev: peer.link.name, lladdr: peer.link.address, role: "peer",
    addrs: await addrsOf(peer.netns, peer.link.index),
  }];
  const br = f.bridge ?? f.bridgeCandidate;
  if (br) {
    hosts.push({ netns: br.netns, dev: br.link.name, lladdr: br.link.address, role: "bridge", addrs: await addrsOf(br.netns, br.link.index) });
    for (const port of await ctx.rt(br.netns).link.list({ master: br.link.index })) {
      if (port.index === peer.link.index || port.kind !== "veth") continue;
      const { peer: far } = await ctx.vethPeer(br.netns, port);
      if (!far) continue;
      hosts.push({ netns: far.netns, dev: far.link.name, lladdr: far.link.address, role: "port-peer", addrs: await addrsOf(far.netns, far.link.index) });
    }
  }
  f.segment = hosts;
}

/** Every address on the segment, with who holds it. */
export function segmentAddrs(ctx: DoctorContext): { host: SegmentHost; addr: Addr }[] {
  return ctx.facts.segment.flatMap((host) => host.addrs.map((addr) => ({ host, addr })));
}

/** The addresses that define the segment's subnet: the bridge's or the peer's, else anyone's. */
export function referenceAddrs(ctx: DoctorContext): { host: SegmentHost; addr: Addr }[] {
  const all = segmentAddrs(ctx);
  const own = all.filter((x) => x.host.role !== "port-peer");
  return own.length ? own : all;
}

export const holderText = (h: SegmentHost) => `${h.dev} in ${h.netns ?? "the current namespace"}`;
