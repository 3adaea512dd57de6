// What the masquerade and port-forward tables share: rules keyed by attachment through their
// comment, the ruleset read that tolerates concurrent plugins, and a fib expression.
import { createHash } from "node:crypto";
import type { Attachment, GcAttachment } from "./config.js";
import { DumpInterruptedError, Nft, RulesetChangedError, sameExpressions, type Expr, type NetnsRef, type NftRule, type NftRuleset } from "./deps.js";

/** The first 16 hex digits of SHA-512, as the reference's MustFormatHashWithPrefix(16, "", s). */
export function hash16(s: string): string {
  return createHash("sha512").update(s).digest("hex").slice(0, 16);
}

export function networkKey(network: string): string {
  return hash16(network);
}

/**
 * The prefix every rule of one attachment's comment starts with: network hash, attachment hash.
 *
 * @example
 * ```ts
 * import { Nft } from "nlkit";
 * // every inet rule of one attachment: its comment starts with the key
 * const key = attachmentKey({ network: "lab", containerId: "ctr1", ifname: "eth0" });
 * const nft = await Nft.open();
 * const rs = await nft.ruleset({ family: "inet" });
 * const mine = rs.tables.flatMap((t) => t.chains).flatMap((c) => c.rules).filter((r) => r.comment?.startsWith(key));
 * for (const r of mine) console.log(r.table, r.chain, r.handle); // cni_plugins_masquerade masq_checks 4 ...
 * nft.close();
 * ```
 */
export function attachmentKey(att: Attachment): string {
  return `${hash16(att.network)}-${hash16(`${att.ifname}:${att.containerId}`)}`;
}

const COMMENT_MAX = 127;

/**
 * "<key>, net: <network>, if: <ifname>, id: <containerID>" cut to what a rule comment holds: the
 * upstream nftables backend's format, so that its GC and nlkit's read the same rules.
 *
 * @example
 * ```ts
 * import { Nft, nftExpr as x } from "nlkit";
 * const att = { network: "lab", containerId: "ctr1", ifname: "eth0" };
 * console.log(attachmentComment(att)); // <16 hex digits>-<16 hex digits>, net: lab, if: eth0, id: ctr1
 * // a rule of one's own, tagged like the plugins' rules (in an existing table inet fw)
 * const nft = await Nft.open();
 * await nft.transaction((tx) => {
 *   tx.addRule({ family: "inet", table: "fw", chain: "forward", expressions: [x.ipDaddr("10.22.0.2"), x.accept()], comment: attachmentComment(att) });
 * });
 * nft.close();
 * ```
 */
export function attachmentComment(att: Attachment): string {
  const clean = (s: string) => s.replaceAll('"', "");
  const text = `${attachmentKey(att)}, net: ${clean(att.network)}, if: ${clean(att.ifname)}, id: ${clean(att.containerId)}`;
  const buf = Buffer.from(text);
  if (buf.length <= COMMENT_MAX) return text;
  // never cut a UTF-8 sequence in half
  let end = COMMENT_MAX;
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.toString("utf8", 0, end);
}

/**
 * Where CNI's nftables rules go: the namespace, the current one by default.
 *
 * @example
 * ```ts
 * // the bridge and the NAT rules live in namespace "host", not in the program's own
 * const target: NftTarget = { netns: { netns: "host" } };
 * const att = { network: "lab", containerId: "ctr1", ifname: "eth0" };
 * await masquerade.add(att, ["10.22.0.2/24"], target);
 * await portForward.add(att, { mappings: [{ hostPort: 8080, containerPort: 80 }], addresses: ["10.22.0.2/24"] }, target);
 * ```
 */
export interface NftTarget {
  /** The namespace the rules live in (default: the current one). */
  netns?: NetnsRef;
}

export function openNft(t: NftTarget): Promise<Nft> {
  return Nft.open(t.netns ?? {});
}

/**
 * The inet family's ruleset. Other plugins commit while it is read (a dump then ends with
 * NLM_F_DUMP_INTR, or the generation moves between dumps), so reads are repeated; when every one
 * saw the generation move, the last is still right about this attachment's own rules (no other
 * operation on the same attachment runs concurrently, per SPEC), so it is used.
 */
export async function readInet(nft: Nft, attempts = 12): Promise<NftRuleset> {
  for (let i = 1; ; i++) {
    try {
      return await nft.ruleset({ family: "inet" });
    } catch (e) {
      if (!(e instanceof DumpInterruptedError)) throw e;
      if (i >= attempts) {
        if (e instanceof RulesetChangedError) return e.ruleset;
        throw e;
      }
      await new Promise<void>((r) => setTimeout(r, Math.random() * 4 * i));
    }
  }
}

/** The rules of table/chains whose comment starts with `prefix`. */
export function rulesByComment(rs: NftRuleset, table: string, chains: readonly string[] | undefined, prefix: string): NftRule[] {
  const t = rs.tables.find((x) => x.family === "inet" && x.name === table);
  if (!t) return [];
  return t.chains
    .filter((c) => chains === undefined || chains.includes(c.name))
    .flatMap((c) => c.rules.filter((r) => r.comment !== undefined && r.comment.startsWith(prefix)));
}

/** Deletes rules by handle in one transaction; false when there was nothing to delete. */
export async function deleteRules(nft: Nft, rules: readonly NftRule[]): Promise<boolean> {
  if (rules.length === 0) return false;
  await nft.transaction((tx) => {
    for (const r of rules) tx.deleteRule({ family: r.family, table: r.table, chain: r.chain, handle: r.handle });
  });
  return true;
}

/**
 * `fib daddr type local`: a FIB lookup of the destination address into register 1, then a compare
 * of the address type with RTN_LOCAL (linux/netfilter/nf_tables.h, linux/rtnetlink.h).
 */
export function fibDaddrLocal(): Expr[] {
  const NFTA_FIB_F_DADDR = 0x2, RTN_LOCAL = 2;
  return [
    { name: "fib", data: { dreg: 1, result: "type", flags: NFTA_FIB_F_DADDR } },
    { name: "cmp", data: { sreg: 1, op: "eq", data: { value: hostU32(RTN_LOCAL) } } },
  ];
}

/** A u32 in host byte order: how registers hold marks and fib results. */
export function hostU32(n: number): Buffer {
  return Buffer.from(Uint32Array.of(n >>> 0).buffer);
}

/**
 * sameExpressions, except that a bitwise's op "bool" (NFT_BITWISE_BOOL, 0, which the kernel dumps
 * and a built expression leaves out) counts as absent: nlkit's comparison takes an absent attribute
 * for zero, but not an enum's name for zero.
 */
export function sameRule(a: readonly Expr[], b: readonly Expr[]): boolean {
  const norm = (l: readonly Expr[]): Expr[] => l.map((e) => {
    if (e.name !== "bitwise" || !e.data || Buffer.isBuffer(e.data) || e.data.op !== "bool") return e;
    const { op: _op, ...rest } = e.data;
    return { name: e.name, data: rest };
  });
  return sameExpressions(norm(a), norm(b));
}

/**
 * GC of one plugin's rules: removes, from `chains` of `table`, the network's rules whose attachment
 * is not in `valid`; returns how many.
 */
export async function gcRules(
  network: string, valid: readonly GcAttachment[], target: NftTarget, table: string, chains: readonly string[],
): Promise<number> {
  const keep = new Set(valid.map((v) => attachmentKey({ network, containerId: v.containerID, ifname: v.ifname })));
  const keyOf = (comment: string) => comment.slice(0, attachmentKey({ network, containerId: "", ifname: "" }).length);
  const nft = await openNft(target);
  try {
    const rules = rulesByComment(await readInet(nft), table, chains, `${networkKey(network)}-`).filter((r) => !keep.has(keyOf(r.comment!)));
    await deleteRules(nft, rules);
    return rules.length;
  } finally {
    nft.close();
  }
}
