// 3. Addresses: the egress device has one, in the segment's subnet, held by nobody else; IPv6 DAD.
import { check, ok, skipped, because } from "../check.js";
import { cmd, type DoctorContext } from "../context.js";
import { contains, freeHost, sameSubnet, subnetText } from "../ip.js";
import { discoverSegment, holderText, referenceAddrs, segmentAddrs } from "../segment.js";

export async function addressChecks(ctx: DoctorContext): Promise<void> {
  await discoverSegment(ctx);
  const f = ctx.facts;
  const e = f.egress!;
  const mine = f.egressAddrs;
  const seg = segmentAddrs(ctx);
  const ref = referenceAddrs(ctx)[0];
  const fam = `IPv${f.family}`;
  const refText = ref ? `${subnetText(ref.addr)} (${holderText(ref.host)} holds ${ref.addr.local}/${ref.addr.prefixlen})` : undefined;
  const used = seg.map((x) => x.addr.local);
  const suggest = ref ? freeHost(ref.addr, used) : undefined;
  const addFix = suggest ? cmd(ctx.subject, `address add ${suggest}/${ref!.addr.prefixlen} dev ${e.name}`) : undefined;
  const mineText = mine.map((a) => `${a.local}/${a.prefixlen}`).join(", ");

  if (!mine.length) {
    ctx.add(check("addr.egress", "egress address", "failure",
      `${e.name} has no ${fam} address${refText ? `; the other end of the link is in ${refText}` : ""}`,
      { fix: addFix, details: { suggest } }));
  } else {
    ctx.add(ok("addr.egress", "egress address", `${e.name} holds ${mineText}`));
  }

  if (!mine.length) ctx.add(skipped("addr.subnet", "subnet", because("addr.egress")));
  else if (!seg.length) ctx.add(skipped("addr.subnet", "subnet", "nothing on the other end of the link holds an address to compare with"));
  else {
    const shared = mine.find((m) => seg.some((s) => sameSubnet(m, s.addr) || contains(m, s.addr.local)));
    if (shared) {
      const other = seg.find((s) => contains(shared, s.addr.local))!;
      ctx.add(ok("addr.subnet", "subnet", `${shared.local}/${shared.prefixlen} shares ${subnetText(shared)} with ${holderText(other.host)} (${other.addr.local})`));
    } else {
      const wrong = mine[0]!;
      const fix = suggest
        // add before del: deleting a link's last address flushes every route through it
        ? `${addFix} && ${cmd(ctx.subject, `address del ${wrong.local}/${wrong.prefixlen} dev ${e.name}`)}`
        : undefined;
      ctx.add(check("addr.subnet", "subnet", "failure",
        `${e.name} holds ${mineText} (${subnetText(wrong)}), but the other end of the link is in ${refText}: they cannot reach each other`,
        { fix, details: { suggest } }));
    }
  }

  const dups = mine.flatMap((m) => seg.filter((s) => s.addr.local === m.local).map((s) => ({ m, s })));
  if (dups.length) {
    const { m, s } = dups[0]!;
    const fix = suggest ? `${addFix} && ${cmd(ctx.subject, `address del ${m.local}/${m.prefixlen} dev ${e.name}`)}` : undefined;
    ctx.add(check("addr.duplicate", "duplicate address", "failure",
      `${m.local} is held by ${e.name} here and by ${holderText(s.host)}: ARP answers from both, replies go astray`, { fix }));
  } else if (mine.length) {
    ctx.add(ok("addr.duplicate", "duplicate address", seg.length ? `nobody else on the segment holds ${mine.map((a) => a.local).join(", ")}` : "no other address on the segment"));
  } else {
    ctx.add(skipped("addr.duplicate", "duplicate address", because("addr.egress")));
  }

  if (f.family === 4) {
    ctx.add(skipped("addr.dad", "duplicate address detection", "IPv4 addresses have no DAD"));
    return;
  }
  const failed = mine.filter((a) => a.flags.includes("dadfailed"));
  const tentative = mine.filter((a) => a.flags.includes("tentative") && !a.flags.includes("dadfailed"));
  if (failed.length) {
    const a = failed[0]!;
    ctx.add(check("addr.dad", "duplicate address detection", "failure",
      `${a.local} failed DAD (dadfailed): another node on the link answered for it; the kernel will not use it`,
      { fix: cmd(ctx.subject, `address del ${a.local}/${a.prefixlen} dev ${e.name}`) }));
  } else if (tentative.length) {
    ctx.add(check("addr.dad", "duplicate address detection", "warning",
      `${tentative.map((a) => a.local).join(", ")} still tentative: DAD has not finished (or the link has no carrier)`));
  } else {
    ctx.add(ok("addr.dad", "duplicate address detection", mine.length ? "no tentative or dadfailed address" : "no address to check"));
  }
}
