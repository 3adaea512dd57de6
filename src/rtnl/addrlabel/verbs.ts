import { decodeParts } from "../../netlink/compiled.js";
import type { Decoder } from "../../netlink/decoder.js";
import { NetlinkError, NlkitInputError } from "../../netlink/errors.js";
import type { IpFamily } from "../../netlink/ip.js";
import { tableRequest, type CallOptions, type Request } from "../../netlink/socket.js";
import type { StructValue } from "../../netlink/struct.js";
import type { BuildContext } from "../context.js";
import { addressIn, checkKeys, cidrIn, ipFamilyNumber, objectIn, u32 } from "../input.js";
import { nameOf } from "../names.js";
import { AF_INET6, RTM_DELADDRLABEL, RTM_GETADDRLABEL, RTM_NEWADDRLABEL } from "../types.js";
import { addFlags, ObjectVerbs, type AddOptions } from "../verb.js";
import { ADDRLABEL_DEFAULT, ifaddrlblDef } from "./table.js";

/**
 * `ip addrlabel add|del prefix PREFIX [dev DEV] label LABEL`.
 *
 * @example
 * ```ts
 * const spec: AddrlabelSpec = { prefix: "2001:db8:2::/48", dev: "eth0", label: 7 };
 * await rt.addrlabel.replace(spec);   // ip addrlabel add prefix 2001:db8:2::/48 dev eth0 label 7
 * ```
 */
export interface AddrlabelSpec {
  /** An IPv6 prefix ("2001:db8::/32"); a plain address is its /128. */
  prefix: string;
  /** Only for source addresses on this device. */
  dev?: string | number;
  /** 0..4294967294; the kernel keeps 4294967295 for "no label". */
  label: number;
}

/**
 * What `rt.addrlabel.list()` keeps (`ip addrlabel list`).
 *
 * @example
 * ```ts
 * const filter: AddrlabelListFilter = { dev: "eth0" };
 * const bound = await rt.addrlabel.list(filter);   // only the entries bound to eth0
 * const removed = await rt.addrlabel.flush(filter);
 * ```
 */
export interface AddrlabelListFilter {
  /** Entries bound to this device (entries for every device are left out). */
  dev?: string | number;
}

/**
 * `get()`: the entry the kernel applies to one address (its own longest-match lookup).
 *
 * @example
 * ```ts
 * const spec: AddrlabelGetSpec = { address: "2001:db8:2::10", dev: "eth0" };
 * const { prefix, label } = await rt.addrlabel.get(spec);
 * console.log(`source 2001:db8:2::10 on eth0 has label ${label} (from ${prefix})`);
 * ```
 */
export interface AddrlabelGetSpec {
  /** The IPv6 address to look up, as a source address would be (a single address, no prefix length). */
  address: string;
  /** The device the address would be used on, by name or index: entries bound to it can match too. Absent: only entries for every device match. */
  dev?: string | number;
}

/**
 * One entry of the address label table.
 *
 * @example
 * ```ts
 * const labels: Addrlabel[] = await rt.addrlabel.list();   // ip addrlabel list
 * for (const l of labels) console.log(l.prefix, l.dev ?? "(any device)", l.label);
 * ```
 */
export interface Addrlabel {
  /** Always 6 on Linux (labels are IPv6 only). */
  family: IpFamily | number;
  /** "prefix/len" as ip prints it after "prefix". */
  prefix: string;
  /** The prefix's address. */
  address: string;
  /** The prefix length. */
  prefixlen: number;
  /** 0 for entries that apply to every device. */
  index: number;
  /** The device the label is bound to, if any. */
  dev?: string;
  /** The label. */
  label: number;
}

interface Parts {
  header: StructValue;
  attrs: Record<string, unknown>;
}

const SPEC_KEYS: ReadonlySet<string> = new Set(["prefix", "dev", "label"]);

function labelIn(v: unknown): number {
  if (v === undefined) throw new NlkitInputError("label is required", "label");
  const n = u32(v, "label");
  if (n === ADDRLABEL_DEFAULT) throw new NlkitInputError("label 4294967295 is the kernel's \"no label\" and cannot be set", "label");
  return n;
}

/** The request of add and del, attributes in ip's order (label, then address). */
export function addrlabelParts(spec: AddrlabelSpec, b: BuildContext): Parts {
  const s = objectIn(spec, "addrlabel spec", "prefix") as unknown as AddrlabelSpec;
  checkKeys(s, SPEC_KEYS, "");
  if (s.prefix === undefined) throw new NlkitInputError("prefix is required", "prefix");
  const c = cidrIn(s.prefix, "prefix");
  const label = labelIn(s.label);
  const header: StructValue = { family: ipFamilyNumber(c.family), prefixlen: c.prefixlen, index: 0 };
  if (s.dev !== undefined) header.index = b.ifindex(s.dev, "dev");
  return { header, attrs: { label, address: c.bytes } };
}

interface IfalHeader { family?: number; prefixlen?: number; index?: number }

/** One RTM_NEWADDRLABEL as an Addrlabel, the device named "if<index>" until resolved. */
export const decodeAddrlabel: Decoder<Addrlabel | undefined> = (buf, start, len) => {
  const m = decodeParts<IfalHeader>(buf, start, len, ifaddrlblDef);
  if (m.type !== RTM_NEWADDRLABEL && m.type !== RTM_DELADDRLABEL) return undefined;
  const a = m.attrs as { address?: string; label?: number };
  if (a.address === undefined) return undefined;
  const family = m.header.family === AF_INET6 ? 6 : m.header.family === 2 ? 4 : m.header.family ?? 0;
  const prefixlen = m.header.prefixlen ?? 0;
  const index = m.header.index ?? 0;
  const out: Addrlabel = { family, prefix: `${a.address}/${prefixlen}`, address: a.address, prefixlen, index, label: a.label ?? ADDRLABEL_DEFAULT };
  if (index) out.dev = `if${index}`;
  return out;
};

/**
 * ip addrlabel add/del/list/flush, over RTM_NEWADDRLABEL/DELADDRLABEL/GETADDRLABEL.
 *
 * @example
 * ```ts
 * await rt.addrlabel.add({ prefix: "2001:db8:1::/48", label: 100 });
 * const hit = await rt.addrlabel.get({ address: "2001:db8:1::5" });
 * console.log(hit.prefix, hit.label);   // "2001:db8:1::/48" 100
 * await rt.addrlabel.del({ prefix: "2001:db8:1::/48", label: 100 });
 * ```
 */
export class AddrlabelApi extends ObjectVerbs {
  /** `ip addrlabel add`: EEXIST when the prefix (and device) has a label, unless { replace }. */
  add(spec: AddrlabelSpec, opts?: AddOptions): Promise<void> {
    let flags: number;
    try {
      flags = addFlags(opts, false);
    } catch (e) {
      return this.exec.fail(e);
    }
    return this.change((b) => this.request(RTM_NEWADDRLABEL, flags, addrlabelParts(spec, b)), opts);
  }

  /** `ip addrlabel add` over an existing prefix: overwrites its label. */
  replace(spec: AddrlabelSpec, opts?: CallOptions): Promise<void> {
    return this.add(spec, { ...opts, replace: true });
  }

  /** `ip addrlabel del`: the kernel matches prefix and device, and wants the label given too. */
  del(spec: AddrlabelSpec, opts?: CallOptions): Promise<void> {
    return this.change((b) => this.request(RTM_DELADDRLABEL, 0, addrlabelParts(spec, b)), opts);
  }

  /** The entry that labels `address` (as source selection sees it), found by the kernel. */
  async get(spec: AddrlabelGetSpec, opts?: CallOptions): Promise<Addrlabel> {
    const s = objectIn(spec, "addrlabel get spec", "address") as unknown as AddrlabelGetSpec;
    checkKeys(s, new Set(["address", "dev"]), "");
    const ip = addressIn(s.address, "address", 6);
    const index = s.dev !== undefined ? await this.ctx.ifindex(s.dev, "dev", opts) : 0;
    const header = { family: AF_INET6, prefixlen: 128, index };
    const rows = await this.readOne(tableRequest(ifaddrlblDef, RTM_GETADDRLABEL, 0, header, { address: ip.bytes }), decodeAddrlabel, opts);
    const found = rows.filter((r): r is Addrlabel => r !== undefined);
    if (!found.length) throw new NetlinkError(2, { message: "address label lookup returned nothing" });
    await this.name(found, opts);
    return found[0]!;
  }

  /** The IPv6 address label table in the kernel's order (most specific first). */
  async list(filter: AddrlabelListFilter = {}, opts?: CallOptions): Promise<Addrlabel[]> {
    const f = objectIn(filter, "list filter", "filter") as AddrlabelListFilter;
    checkKeys(f, new Set(["dev"]), "filter");
    const index = f.dev !== undefined ? await this.ctx.ifindex(f.dev, "dev", opts) : undefined;
    const rows = await this.readDump(tableRequest(ifaddrlblDef, RTM_GETADDRLABEL, 0, { family: AF_INET6 }), decodeAddrlabel, opts);
    const found = rows.filter((r): r is Addrlabel => r !== undefined && (index === undefined || r.index === index));
    await this.name(found, opts);
    return found;
  }

  /** `ip addrlabel flush`: deletes every listed entry, the kernel's defaults included. Resolves with how many. */
  flush(filter: AddrlabelListFilter = {}, opts?: CallOptions): Promise<number> {
    return this.flushAll(() => this.list(filter, opts), (r) => this.change(() => {
      const header = { family: AF_INET6, prefixlen: r.prefixlen, index: r.index };
      const address = addressIn(r.address, "address").bytes;
      return this.request(RTM_DELADDRLABEL, 0, { header, attrs: { label: r.label, address } });
    }, opts));
  }

  private async name(list: Addrlabel[], opts?: CallOptions): Promise<void> {
    const bound = list.filter((r) => r.index);
    if (!bound.length) return;
    const names = await this.ctx.names.resolve(bound.map((r) => r.index), opts);
    for (const r of bound) r.dev = nameOf(names, r.index);
  }

  private request(type: number, flags: number, p: Parts): Request {
    return tableRequest(ifaddrlblDef, type, flags, p.header, p.attrs);
  }
}
