// ipMasq over nftables netlink: the upstream nftables backend's layout, so that both read and GC
// the same rules. One rule per container address, keyed by attachment in its comment:
//
//   table inet cni_plugins_masquerade {
//     chain masq_checks {
//       ip saddr 10.22.0.2 ip daddr != 10.22.0.0/24 masquerade comment "<key>, net: N, if: eth0, id: C"
//     }
//     chain postrouting {
//       type nat hook postrouting priority srcnat; policy accept;
//       ip daddr 224.0.0.0/4 return
//       ip6 daddr ff00::/8 return
//       goto masq_checks
//     }
//   }
//
// Removal goes by the comment, so it needs neither the container's namespace nor its addresses
// (the reference's iptables chains leak when the namespace is gone: plugins#810).
import { CNI_ERR, CniError } from "./errors.js";
import type { Attachment, GcAttachment } from "./config.js";
import { nftExpr as x, type Expr, type Transaction } from "./deps.js";
import { formatAddr, network as networkOfNet, formatNet, parseNet } from "./ip.js";
import { attachmentComment, attachmentKey, deleteRules, networkKey, openNft, readInet, rulesByComment, sameRule, type NftTarget, gcRules } from "./nft-util.js";

/**
 * The nftables table (family inet) holding ipMasq rules, named as the reference plugins name it.
 *
 * @example
 * ```ts
 * import { Nft } from "nlkit";
 * const nft = await Nft.open();
 * // table inet cni_plugins_masquerade { chain masq_checks { ip saddr 10.22.0.2 ip daddr != 10.22.0.0/24 masquerade comment "..." } ... }
 * console.log(await nft.renderTable("inet", MASQ_TABLE));
 * nft.close();
 * ```
 */
export const MASQ_TABLE = "cni_plugins_masquerade";
const MASQ_CHAIN = "masq_checks";

/**
 * The rule for one container address ("10.22.0.2/24"): masquerade towards outside its subnet.
 *
 * @example
 * ```ts
 * import { Nft } from "nlkit";
 * // the same rule in a table of one's own: ip saddr 10.22.0.2 ip daddr != 10.22.0.0/24 masquerade
 * const nft = await Nft.open();
 * await nft.transaction((tx) => {
 *   tx.addTable({ family: "inet", name: "lab_nat" });
 *   tx.addChain({ family: "inet", table: "lab_nat", name: "postrouting", type: "nat", hook: "postrouting", priority: "srcnat" });
 *   tx.addRule({ family: "inet", table: "lab_nat", chain: "postrouting", expressions: masqueradeExprs("10.22.0.2/24") });
 * });
 * nft.close();
 * ```
 */
export function masqueradeExprs(cidr: string): Expr[] {
  const n = parseNet(cidr);
  if (!n) throw new CniError(CNI_ERR.invalidConfig, `"${cidr}" is not an address with a prefix length`);
  const v6 = n.addr.family === 6;
  const self = formatAddr(n.addr);
  const subnet = formatNet(networkOfNet(n));
  return x.flattenExprs([
    x.nfproto(v6 ? "ipv6" : "ipv4"),
    v6 ? x.ip6Saddr(self) : x.ipSaddr(self),
    v6 ? x.ip6Daddr(subnet, "neq") : x.ipDaddr(subnet, "neq"),
    x.masquerade(),
  ]);
}

function ensureSkeleton(tx: Transaction): void {
  const family = "inet", table = MASQ_TABLE;
  tx.addTable({ family, name: table });
  tx.addChain({ family, table, name: MASQ_CHAIN });
  tx.addChain({ family, table, name: "postrouting", type: "nat", hook: "postrouting", priority: "srcnat" });
  // flushed and refilled in the same transaction: concurrent ADDs always leave exactly these
  tx.flushChain({ family, table, name: "postrouting" });
  tx.addRule({ family, table, chain: "postrouting", expressions: [x.nfproto("ipv4"), x.ipDaddr("224.0.0.0/4"), x.ret()] });
  tx.addRule({ family, table, chain: "postrouting", expressions: [x.nfproto("ipv6"), x.ip6Daddr("ff00::/8"), x.ret()] });
  tx.addRule({ family, table, chain: "postrouting", expressions: [x.goto(MASQ_CHAIN)] });
}

/**
 * Masquerades the attachment's addresses (CIDRs as results carry them) in one transaction,
 * replacing rules an earlier ADD of the same attachment left.
 */
async function add(att: Attachment, addresses: readonly string[], target: NftTarget = {}): Promise<void> {
  const exprs = addresses.map(masqueradeExprs);
  const nft = await openNft(target);
  try {
    const stale = rulesByComment(await readInet(nft), MASQ_TABLE, [MASQ_CHAIN], attachmentKey(att));
    const comment = attachmentComment(att);
    await nft.transaction((tx) => {
      ensureSkeleton(tx);
      for (const r of stale) tx.deleteRule({ family: r.family, table: r.table, chain: r.chain, handle: r.handle });
      for (const e of exprs) tx.addRule({ family: "inet", table: MASQ_TABLE, chain: MASQ_CHAIN, expressions: e, comment });
    });
  } finally {
    nft.close();
  }
}

/** Removes the attachment's rules, whatever addresses they name; returns how many. */
async function remove(att: Attachment, target: NftTarget = {}): Promise<number> {
  const nft = await openNft(target);
  try {
    const rules = rulesByComment(await readInet(nft), MASQ_TABLE, [MASQ_CHAIN], attachmentKey(att));
    await deleteRules(nft, rules);
    return rules.length;
  } finally {
    nft.close();
  }
}

/** CHECK: every address has its rule, and the postrouting hook leads to them. */
async function check(att: Attachment, addresses: readonly string[], target: NftTarget = {}): Promise<void> {
  const nft = await openNft(target);
  try {
    const rs = await readInet(nft);
    const post = rs.tables.find((t) => t.family === "inet" && t.name === MASQ_TABLE)?.chains.find((c) => c.name === "postrouting");
    if (!post?.hook || !post.rules.some((r) => sameRule(r.expressions, x.flattenExprs([x.goto(MASQ_CHAIN)])))) {
      throw new CniError(CNI_ERR.internal, `masquerade: table inet ${MASQ_TABLE} has no postrouting chain leading to ${MASQ_CHAIN}`);
    }
    const mine = rulesByComment(rs, MASQ_TABLE, [MASQ_CHAIN], attachmentKey(att));
    for (const a of addresses) {
      const want = masqueradeExprs(a);
      if (!mine.some((r) => sameRule(r.expressions, want))) {
        throw new CniError(CNI_ERR.internal, `masquerade rule for ${a} (${att.containerId}/${att.ifname}) not found in table inet ${MASQ_TABLE}`);
      }
    }
  } finally {
    nft.close();
  }
}

/** GC: removes the network's rules of every attachment not in `valid`; returns how many. */
function gc(network: string, valid: readonly GcAttachment[], target: NftTarget = {}): Promise<number> {
  return gcRules(network, valid, target, MASQ_TABLE, [MASQ_CHAIN]);
}

/**
 * Masquerade rules keyed by attachment, in table inet cni_plugins_masquerade.
 *
 * @example
 * ```ts
 * const att = { network: "lab", containerId: "ctr1", ifname: "eth0" };
 * const addresses = ["10.22.0.2/24", "2001:db8:22::2/64"];
 * await masquerade.add(att, addresses);   // one rule per address, in one transaction
 * await masquerade.check(att, addresses); // throws a CniError when a rule is missing
 * console.log(await masquerade.remove(att)); // 2
 * ```
 */
export const masquerade = Object.freeze({
  /** ADD: one masquerade rule per container address (CIDRs), replacing the attachment's earlier ones, in one transaction. */
  add,
  /** DEL: removes the attachment's rules, found by their comment (no namespace or addresses needed); returns how many. */
  remove,
  /** CHECK: a CniError (code 999) unless every address has its rule and the postrouting hook leads to them. */
  check,
  /** GC: removes the network's rules of every attachment not in the valid list; returns how many. */
  gc,
  /** The table's name, "cni_plugins_masquerade" (family inet): `MASQ_TABLE`. */
  table: MASQ_TABLE,
});
