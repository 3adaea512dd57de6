import { NETLINK_NETFILTER } from "../netlink/constants.js";
import { NetlinkError, NlkitInputError } from "../netlink/errors.js";
import { netnsRefPath, type NetnsRef } from "../netlink/netns-ref.js";
import { NetlinkSocket } from "../netlink/socket.js";
import { applyText, knownSets, type ApplyOptions, type ApplyResult } from "./apply.js";
import type { KnownSet } from "./text/compile.js";
import { commitBatch } from "./batch.js";
import { needsLinkNames, readLinkNames } from "./iface.js";
import { renderTable } from "./render.js";
import * as x from "./build.js";
import { sameExpressions } from "./equal.js";
import type { Expr } from "./expr/index.js";
import { readRuleset, readSetInfo, renderRuleset, type NftRule, type NftRuleset } from "./ruleset.js";
import type { SocketOptions } from "../netlink/socket.js";
import type { Transport } from "../netlink/transport.js";
import { Transaction, type SetInfo } from "./tx.js";
import { NFT_MSG_GETTABLE, type NftFamily } from "./types.js";

/**
 * Where `Nft.open()` creates its socket (a namespace), how large its receive buffer is, and how long a
 * call waits; or a `transport` (a `ScriptedTransport`) to talk to instead of the kernel.
 *
 * @example
 * ```ts
 * const opts: NftOptions = { netns: "ns1", receiveBufferSize: 16 * 1024 * 1024, timeoutMs: 5000 };
 * const fw = await Nft.open(opts);
 * console.log(await fw.renderRuleset());   // what `ip netns exec ns1 nft list ruleset` prints
 * fw.close();
 * ```
 */
export interface NftOptions extends NetnsRef {
  /** SO_RCVBUF in bytes: every message of a transaction is acked, so big ones want room. */
  receiveBufferSize?: number;
  /** How long a call waits for the kernel's answer before it rejects with NlkitTimeoutError, in ms; default 30000. */
  timeoutMs?: number;
  /**
   * Talk to this transport instead of the kernel: a `ScriptedTransport` tests code that uses Nft
   * without root. Interface indexes are then left unnamed (there is no rtnetlink socket to ask).
   */
  transport?: Transport;
}

/**
 * What `nft.masquerade()` adds: masquerading of a source prefix, optionally except traffic leaving
 * through one interface (iptables' `-s NET ! -o IF -j MASQUERADE`).
 *
 * @example
 * ```ts
 * const opts: MasqueradeOptions = { saddr: "10.0.0.0/24", notOifname: "br0" };
 * await nft.masquerade(opts);
 * // table ip nat, chain postrouting: ip saddr 10.0.0.0/24 oifname != "br0" masquerade
 * ```
 */
export interface MasqueradeOptions {
  /** Source prefix, e.g. "10.0.0.0/24". */
  saddr: string;
  /** Leave traffic that goes out through this interface alone (oifname != ...). */
  notOifname?: string;
  /** Only traffic that goes out through this interface. */
  oifname?: string;
  /** The table the rule goes in, created when missing; default "nat". */
  table?: string;
  /** The chain, created when missing as a nat postrouting base chain (priority srcnat); default "postrouting". */
  chain?: string;
  /** The table's family; default "ip6" for an IPv6 saddr, else "ip". With "inet", the rule also matches the protocol (`meta nfproto`). */
  family?: "ip" | "ip6" | "inet";
}

/**
 * What `nft.portForward()` adds: a dnat of a local port to another address and port.
 *
 * @example
 * ```ts
 * const opts: PortForwardOptions = { dport: 8080, to: "10.0.0.2:80", iifname: "eth0" };
 * await nft.portForward(opts);
 * // table ip nat, chain prerouting: iifname "eth0" tcp dport 8080 dnat to 10.0.0.2:80
 * ```
 */
export interface PortForwardOptions {
  /** The local port to forward. */
  dport: number;
  /** "10.0.0.2:80", "10.0.0.2", or "[2001:db8::2]:80". */
  to: string;
  /** Default "tcp". */
  protocol?: "tcp" | "udp";
  /** Only packets arriving on this interface. */
  iifname?: string;
  /** Only packets to this local address. */
  daddr?: string;
  /** Default "nat". */
  table?: string;
  /** Default "prerouting". */
  chain?: string;
  /** Default "ip". */
  family?: "ip" | "ip6" | "inet";
}

/**
 * What `nft.masquerade()`/`nft.portForward()` resolve with: whether a rule was added (false when an
 * equal one was already there) and its handle.
 *
 * @example
 * ```ts
 * const r: EnsureResult = await nft.masquerade({ saddr: "10.0.0.0/24", notOifname: "br0" });
 * console.log(r);   // { added: true, handle: 2 }; run again: { added: false, handle: 2 }
 * ```
 */
export interface EnsureResult {
  /** false when an equal rule was already there and nothing was sent. */
  added: boolean;
  /** The rule's handle (`nft -a`); undefined only when the rule was no longer there to read back after adding it. */
  handle: number | undefined;
}

/**
 * An nf_tables handle bound to one network namespace: `apply()` takes what `nft -f` reads and
 * `renderRuleset()` prints what `nft list ruleset` prints; `ruleset()` gives the same as typed data;
 * `transaction()` builds one atomic batch from code. A syntax error is an `NlkitInputError` placed as
 * nft places it (`error.location`); a kernel refusal is a `NetlinkError` naming the message and line
 * at fault, and leaves nothing of the transaction applied.
 *
 * @example
 * ```ts
 * import { Nft, nftExpr as x } from "nlkit";
 * const nft = await Nft.open({ netns: "host" });
 * await nft.apply(`table inet fw {
 * 	chain input {
 * 		type filter hook input priority filter; policy drop;
 * 		ct state established,related accept
 * 	}
 * }`, { filename: "fw.nft" });
 * await nft.masquerade({ saddr: "10.0.0.0/24", notOifname: "br0" });
 * console.log(await nft.renderRuleset());
 * nft.close();
 * ```
 */
export class Nft {
  /** The nfnetlink socket this handle sends through. */
  readonly socket: NetlinkSocket;

  /** Opens a handle in the namespace `opts` names (default the current one). */
  static async open(opts: NftOptions = {}): Promise<Nft> {
    return Nft.openSync(opts);
  }

  /** `open()` without the promise. */
  static openSync(opts: NftOptions = {}): Nft {
    if (opts.transport) {
      const sock = new NetlinkSocket(opts.transport, { protocol: NETLINK_NETFILTER, ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
      return new Nft(sock, undefined);
    }
    const path = netnsRefPath(opts);
    const where: Pick<SocketOptions, "netnsFd" | "netnsPath"> = opts.netnsFd !== undefined ? { netnsFd: opts.netnsFd } : path ? { netnsPath: path } : {};
    const sock = NetlinkSocket.open({
      protocol: NETLINK_NETFILTER,
      ...where,
      receiveBufferSize: opts.receiveBufferSize ?? 4 * 1024 * 1024,
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    });
    return new Nft(sock, where);
  }

  /** `where` is undefined over a given transport: then there is no namespace to read link names in. */
  private constructor(socket: NetlinkSocket, private readonly where: Pick<SocketOptions, "netnsFd" | "netnsPath"> | undefined) {
    this.socket = socket;
  }

  /** index -> name of the namespace's links (for iif/oif values, in both directions). */
  linkNames(): Map<number, string> {
    return this.where ? readLinkNames(this.where) : new Map();
  }

  /**
   * Applies nft's ruleset syntax (what `nft -f` reads) as one atomic transaction: all of it or
   * nothing. A syntax or type error throws NlkitInputError before anything is sent, worded and
   * located as nft words it (error.location has line and column); a kernel refusal throws the
   * NetlinkError, its message pointing at the line the refused message came from.
   */
  async apply(text: string, opts: ApplyOptions = {}): Promise<ApplyResult> {
    return applyText({ socket: this.socket, ruleset: () => this.ruleset(), linkNames: () => this.linkNames() }, text, opts);
  }

  /** nft flush ruleset [family]: every table (of one family) goes, in one transaction. */
  async flushRuleset(opts: { family?: NftFamily } = {}): Promise<void> {
    await this.apply(`flush ruleset${opts.family ? ` ${opts.family}` : ""}`);
  }

  /**
   * Runs `fn` to collect changes, then applies them as one atomic batch: all or nothing. A
   * refusal throws a NetlinkError naming the failing message (request.index, request.typeName).
   */
  async transaction(fn: (tx: Transaction) => void | Promise<void>): Promise<void> {
    const tx = new Transaction();
    await fn(tx);
    await this.commit(tx);
  }

  /** Applies a Transaction built elsewhere. */
  async commit(tx: Transaction): Promise<void> {
    if (tx.pendingIndexes.length) await this.resolveIndexes(tx);
    if (tx.pendingSets.length) await this.resolveSets(tx);
    commitBatch(this.socket, tx.messages);
  }

  /** Turns rule indexes into handles, as nft does from its cache, just before sending. */
  private async resolveIndexes(tx: Transaction): Promise<void> {
    const rulesets = new Map<NftFamily, NftRuleset>();
    for (const p of tx.pendingIndexes) {
      let rs = rulesets.get(p.family);
      if (!rs) { rs = await this.ruleset({ family: p.family }); rulesets.set(p.family, rs); }
      const chain = rs.tables.find((t) => t.name === p.table)?.chains.find((c) => c.name === p.chain);
      const rule = chain?.rules[p.index];
      if (!rule) {
        throw new NlkitInputError(`chain ${p.family} ${p.table} ${p.chain} has no rule at index ${p.index}`, "index", chain ? "EINVAL" : "ENOENT");
      }
      tx.messages[p.message]!.attrs.position = BigInt(rule.handle);
    }
  }

  /** Reads the flags of sets created earlier, so that interval elements get their end keys. */
  private async resolveSets(tx: Transaction): Promise<void> {
    const seen = new Map<string, SetInfo>();
    const declared = new Map<NftFamily, KnownSet[]>();
    for (const p of tx.pendingSets) {
      const { family, table, set } = p.spec;
      if (p.byDeclaration) {
        let sets = declared.get(family);
        if (!sets) { sets = knownSets(await this.ruleset({ family })); declared.set(family, sets); }
        const known = sets.find((s) => s.table === table && s.name === set);
        if (!known) throw new NlkitInputError(`set ${family} ${table} ${set} does not exist`, "set", "ENOENT");
        tx.resolveSetByDeclaration(p, known);
        continue;
      }
      const k = `${family}/${table}/${set}`;
      let info = seen.get(k);
      if (!info) { info = await readSetInfo(this.socket, family, table, set); seen.set(k, info); }
      tx.resolveSet(p, info);
    }
  }

  /** Tables with their chains and rules, sets, maps and objects, typed and JSON-safe. */
  async ruleset(opts: { family?: NftFamily } = {}): Promise<NftRuleset> {
    return readRuleset(this.socket, opts.family, {
      // nft prints interface names for iif/oif values: read them only when a rule needs them
      prepare: (parts) => {
        if (!needsLinkNames(parts.rules)) return;
        const names = this.linkNames();
        return { env: { ifname: (i) => names.get(i) } };
      },
    });
  }

  /** The text `nft list ruleset` prints. */
  async renderRuleset(opts: { family?: NftFamily } = {}): Promise<string> {
    return renderRuleset(await this.ruleset(opts));
  }

  /** The text `nft list table FAMILY NAME` prints; ENOENT (as nft) when there is no such table. */
  async renderTable(family: NftFamily, name: string): Promise<string> {
    const t = (await this.ruleset({ family })).tables.find((x) => x.name === name);
    if (!t) throw new NetlinkError(2, {}, { type: NFT_MSG_GETTABLE, typeName: "NFT_MSG_GETTABLE" });
    return renderTable(t);
  }

  /** `nft delete table FAMILY NAME`, with everything in it; ENOENT when there is none. */
  async deleteTable(t: { family: NftFamily; name: string }): Promise<void> {
    await this.transaction((tx) => { tx.deleteTable(t); });
  }

  /**
   * `ip saddr S [oifname != D] masquerade` in a nat postrouting chain (priority srcnat),
   * creating table and chain as needed. Adds nothing when an equal rule is already there.
   */
  async masquerade(o: MasqueradeOptions): Promise<EnsureResult> {
    const v6 = o.saddr.includes(":");
    const family = o.family ?? (v6 ? "ip6" : "ip");
    sameFamily(family, "saddr", o.saddr, v6);
    const exprs: Expr[] = x.flattenExprs([
      ...(o.family === "inet" ? [x.nfproto(v6 ? "ipv6" : "ipv4")] : []),
      v6 ? x.ip6Saddr(o.saddr) : x.ipSaddr(o.saddr),
      ...(o.oifname ? [x.oifname(o.oifname)] : []),
      ...(o.notOifname ? [x.oifname(o.notOifname, "neq")] : []),
      x.masquerade(),
    ]);
    return this.ensureRule(family, o.table ?? "nat", o.chain ?? "postrouting", "postrouting", "srcnat", exprs);
  }

  /** `[iifname I] [ip daddr A] tcp dport P dnat to T` in a nat prerouting chain (priority dstnat). */
  async portForward(o: PortForwardOptions): Promise<EnsureResult> {
    const family = o.family ?? "ip";
    const toV6 = x.parseHostPort(o.to).address.includes(":");
    sameFamily(family, "to", o.to, toV6);
    const daddrV6 = o.daddr?.includes(":");
    // in inet tables the nat target's family decides which packets can match
    if (o.daddr !== undefined) sameFamily(family === "inet" ? (toV6 ? "ip6" : "ip") : family, "daddr", o.daddr, daddrV6!);
    const exprs: Expr[] = x.flattenExprs([
      ...(o.iifname ? [x.iifname(o.iifname)] : []),
      // in inet tables nft puts the network protocol before an address match
      ...(o.daddr && family === "inet" ? [x.nfproto(daddrV6 ? "ipv6" : "ipv4")] : []),
      ...(o.daddr ? [daddrV6 ? x.ip6Daddr(o.daddr) : x.ipDaddr(o.daddr)] : []),
      x.portMatch(o.protocol ?? "tcp", "dport", o.dport),
      x.dnat(o.to),
    ]);
    return this.ensureRule(family, o.table ?? "nat", o.chain ?? "prerouting", "prerouting", "dstnat", exprs);
  }

  private async ensureRule(
    family: NftFamily, table: string, chain: string, hook: string, priority: string, exprs: Expr[],
  ): Promise<EnsureResult> {
    const found = await this.findRule(family, table, chain, exprs);
    if (found) return { added: false, handle: found.handle };
    await this.transaction((tx) => {
      tx.addTable({ family, name: table });
      // no policy: on an existing chain it would replace the owner's; a new chain defaults to accept
      tx.addChain({ family, table, name: chain, type: "nat", hook, priority });
      tx.addRule({ family, table, chain, expressions: exprs });
    });
    const added = await this.findRule(family, table, chain, exprs);
    return { added: true, handle: added?.handle };
  }

  private async findRule(family: NftFamily, table: string, chain: string, exprs: Expr[]): Promise<NftRule | undefined> {
    const rs = await this.ruleset({ family });
    const c = rs.tables.find((t) => t.name === table)?.chains.find((ch) => ch.name === chain);
    return c?.rules.find((r) => sameExpressions(r.expressions, exprs));
  }

  /** Closes the socket. */
  close(): void {
    this.socket.close();
  }

  /** `close()`, for `using nft = Nft.openSync()`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** An ip table matches only IPv4 addresses and an ip6 table only IPv6 ones; the kernel would take either. */
function sameFamily(family: NftFamily, field: string, text: string, v6: boolean): void {
  if ((family === "ip" && v6) || (family === "ip6" && !v6)) {
    throw new NlkitInputError(`${field} "${text}" is an IPv${v6 ? 6 : 4} address, the ${family} family needs IPv${v6 ? 4 : 6}`, field);
  }
}
