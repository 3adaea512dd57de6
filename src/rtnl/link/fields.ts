import { decodeAttrValue, INVALID, type AttrValues } from "../../netlink/attrs.js";
import { NLA_HDRLEN, NLMSG_HDRLEN } from "../../netlink/constants.js";
import { NetlinkParseError, NlkitInputError } from "../../netlink/errors.js";
import { checkMessageBounds } from "../../netlink/message.js";
import { ifinfomsg } from "../headers.js";
import { linkAttrs } from "./attrs.js";
import { flagNames, linkTypeName } from "./decode.js";
import type { Link } from "./types.js";

/**
 * Projected link decoding for `link.list({ fields })`: only the named properties of each Link are
 * built, the other attributes are stepped over by their headers. A 2001-link dump is mostly bytes
 * nobody asked for (statistics, af_spec, queue sizes...); building complete Links costs several
 * times what the kernel takes to produce them, and a caller that wants four fields should not
 * pay for forty. Values are exactly what the full decoder gives for the same property (a unit
 * test compares the two on real dumps).
 */

/**
 * Properties a projection may name. `other` and `unknown` depend on every attribute: not here;
 * nor `protinfo`, which only the AF_BRIDGE dump carries.
 *
 * @example
 * ```ts
 * const fields: LinkField[] = ["operstate", "mtu", "master"];
 * for (const l of await rt.link.list({ fields })) console.log(l.index, l.name, l.operstate, l.mtu);
 * ```
 */
export type LinkField = Exclude<keyof Link, "other" | "unknown" | "protinfo">;

/**
 * What a projected list() resolves with: the fields asked for, plus index and name always.
 *
 * @example
 * ```ts
 * const ports: LinkFields<"operstate" | "carrier">[] = await rt.link.list({ master: "br0", fields: ["operstate", "carrier"] });
 * for (const p of ports) console.log(p.name, p.operstate, p.carrier);   // only these, plus index and name
 * ```
 */
export type LinkFields<F extends LinkField> = Pick<Link, F | "index" | "name">;

const FLAGS = 1, IFI_FLAGS = 2, UP = 4, LINK_TYPE = 8, IFI_TYPE = 16;
const HEADER_FIELDS: Readonly<Record<string, number>> = {
  index: 0, flags: FLAGS, ifiFlags: IFI_FLAGS, up: UP, linkType: LINK_TYPE, ifiType: IFI_TYPE,
};

// How an attribute's decoded value becomes properties (the full decoder's switch, as data).
const AS_IS = 0, AS_BOOL = 1, LINKINFO = 2, PROP_LIST = 3, ALT_NAME = 4;

/** Link property -> the key of the IFLA_* attribute (in linkAttrs) it comes from, and how. */
const ATTR_FIELDS: Readonly<Record<string, readonly [attr: string, how: number]>> = {
  address: ["address", AS_IS], broadcast: ["broadcast", AS_IS], name: ["ifname", AS_IS], mtu: ["mtu", AS_IS],
  link: ["link", AS_IS], qdisc: ["qdisc", AS_IS], master: ["master", AS_IS], txqlen: ["txqlen", AS_IS],
  operstate: ["operstate", AS_IS], linkmode: ["linkmode", AS_IS],
  kind: ["linkinfo", LINKINFO], infoData: ["linkinfo", LINKINFO], slaveKind: ["linkinfo", LINKINFO],
  infoSlaveData: ["linkinfo", LINKINFO],
  alias: ["ifalias", AS_IS], numVf: ["numVf", AS_IS], stats64: ["stats64", AS_IS], afSpec: ["afSpec", AS_IS],
  group: ["group", AS_IS], promiscuity: ["promiscuity", AS_IS], numTxQueues: ["numTxQueues", AS_IS],
  numRxQueues: ["numRxQueues", AS_IS], carrier: ["carrier", AS_BOOL], physPortId: ["physPortId", AS_IS],
  carrierChanges: ["carrierChanges", AS_IS], physSwitchId: ["physSwitchId", AS_IS],
  linkNetnsid: ["linkNetnsid", AS_IS], physPortName: ["physPortName", AS_IS], protoDown: ["protoDown", AS_BOOL],
  gsoMaxSegs: ["gsoMaxSegs", AS_IS], gsoMaxSize: ["gsoMaxSize", AS_IS], xdp: ["xdp", AS_IS],
  carrierUpCount: ["carrierUpCount", AS_IS], carrierDownCount: ["carrierDownCount", AS_IS],
  minMtu: ["minMtu", AS_IS], maxMtu: ["maxMtu", AS_IS], altNames: ["propList", PROP_LIST],
  permAddress: ["permAddress", AS_IS], parentDevName: ["parentDevName", AS_IS],
  parentDevBusName: ["parentDevBusName", AS_IS], groMaxSize: ["groMaxSize", AS_IS],
  tsoMaxSize: ["tsoMaxSize", AS_IS], tsoMaxSegs: ["tsoMaxSegs", AS_IS], allmulti: ["allmulti", AS_IS],
  gsoIpv4MaxSize: ["gsoIpv4MaxSize", AS_IS], groIpv4MaxSize: ["groIpv4MaxSize", AS_IS],
};

/** The attribute number of a linkAttrs key: numbers live in the table only. */
function attrType(key: string): number {
  const def = linkAttrs.byKey.get(key);
  if (!def) throw new Error(`linkAttrs has no "${key}"`);
  return def.type;
}
const IFLA_IFNAME = attrType("ifname");
// alternative names come inside IFLA_PROP_LIST, and also as bare IFLA_ALT_IFNAME
const IFLA_ALT_IFNAME = attrType("altIfname");

/** Every property a projection may name, for error messages and tests. */
export const LINK_FIELDS: readonly LinkField[] = [...Object.keys(HEADER_FIELDS), ...Object.keys(ATTR_FIELDS)] as LinkField[];

interface Plan {
  header: number;
  /** attribute type -> how, or undefined: skipped */
  byType: (number | undefined)[];
  /** linkinfo parts wanted */
  info: { kind: boolean; data: boolean; slaveKind: boolean; slaveData: boolean };
  /**
   * How many distinct single-valued attributes the plan reads, or 0 when it also wants a
   * repeated one (alternative names): once that many were seen, the rest of the message is not
   * walked. The kernel sends the common ones (name, mtu, operstate, ...) first and the bulky
   * statistics and af_spec last, so a small projection reads a handful of headers per link.
   */
  stopAfter: number;
}

const plans = new Map<string, Plan>();

/** The decoding plan for a list of properties; unknown names are an input error. */
export function linkFieldPlan(fields: readonly string[]): Plan {
  if (!Array.isArray(fields)) throw new NlkitInputError("fields must be an array of Link property names", "fields");
  const key = fields.join(",");
  let plan = plans.get(key);
  if (plan) return plan;
  plan = { header: 0, byType: [], info: { kind: false, data: false, slaveKind: false, slaveData: false }, stopAfter: 0 };
  plan.byType[IFLA_IFNAME] = AS_IS; // name, always
  for (const f of fields) {
    const h = typeof f === "string" && Object.hasOwn(HEADER_FIELDS, f) ? HEADER_FIELDS[f] : undefined;
    if (h !== undefined) {
      plan.header |= h;
      continue;
    }
    const src = typeof f === "string" && Object.hasOwn(ATTR_FIELDS, f) ? ATTR_FIELDS[f] : undefined;
    if (!src) {
      throw new NlkitInputError(`unknown link field ${JSON.stringify(f)} (one of: ${LINK_FIELDS.join(", ")})`, "fields");
    }
    plan.byType[attrType(src[0])] = src[1];
    if (src[1] === PROP_LIST) plan.byType[IFLA_ALT_IFNAME] = ALT_NAME;
    if (f === "kind") plan.info.kind = true;
    else if (f === "infoData") plan.info.data = true;
    else if (f === "slaveKind") plan.info.slaveKind = true;
    else if (f === "infoSlaveData") plan.info.slaveData = true;
  }
  const wanted = plan.byType.filter((how) => how !== undefined);
  plan.stopAfter = plan.byType[IFLA_ALT_IFNAME] === undefined ? wanted.length : 0;
  // a few distinct projections per program; bounded anyway, since `fields` is caller data
  if (plans.size >= 64) plans.clear();
  plans.set(key, plan);
  return plan;
}

interface LinkInfoValues {
  kind?: string;
  data?: unknown;
  slaveKind?: string;
  slaveData?: unknown;
}

const EMPTY: AttrValues = {};

/** One RTM_NEWLINK to the properties of `plan`. Runs inside the receive buffer; values are copies. */
export function decodeLinkFields(plan: Plan, buf: Buffer, start: number, len: number): Record<string, unknown> {
  checkMessageBounds(buf, start, len);
  let end = start + len;
  const hs = start + NLMSG_HDRLEN;
  const hlen = end - hs;
  const out: Record<string, unknown> = { index: hlen >= 8 ? buf.readInt32LE(hs + 4) : 0, name: "" };
  const header = plan.header;
  if (header !== 0) {
    const type = hlen >= 4 ? buf.readUInt16LE(hs + 2) : 0;
    const flags = hlen >= 12 ? buf.readUInt32LE(hs + 8) : 0;
    if (header & FLAGS) out.flags = flagNames(flags);
    if (header & IFI_FLAGS) out.ifiFlags = flags;
    if (header & UP) out.up = (flags & 1) !== 0;
    if (header & LINK_TYPE) out.linkType = linkTypeName(type);
    if (header & IFI_TYPE) out.ifiType = type;
  }
  const byType = plan.byType;
  const defs = linkAttrs.byType;
  let off = hs + ((ifinfomsg.size + 3) & ~3);
  let toSee = plan.stopAfter;
  // The hot loop of a big dump: ~45 attributes per link, nearly all skipped. Few bytecodes per
  // step matter as much as the optimized code, since the first dumps run in the interpreter.
  while (off + NLA_HDRLEN <= end) {
    const alen = buf[off]! | (buf[off + 1]! << 8);
    if (alen < NLA_HDRLEN || off + alen > end) throw new NetlinkParseError(`link: bad attribute length ${alen}`, off);
    const t = buf[off + 2]! | ((buf[off + 3]! & 0x3f) << 8); // & NLA_TYPE_MASK
    const how = byType[t];
    if (how === undefined) {
      off += (alen + 3) & ~3;
      continue;
    }
    const ps = off + NLA_HDRLEN;
    const pe = off + alen;
    const rawType = buf.readUInt16LE(off + 2);
    off += (alen + 3) & ~3;
    if (--toSee === 0) end = off; // the last attribute asked for: nothing after it is read
    const def = defs[t];
    if (!def) continue;
    let v: any;
    try {
      v = decodeAttrValue(buf, def, ps, pe, rawType, EMPTY);
    } catch (e) {
      // as decodeLink: a nest broken inside is left out (decodeLink keeps it in `unknown`)
      if (!(e instanceof NetlinkParseError)) throw e;
      continue;
    }
    if (v === INVALID) continue;
    switch (how) {
      case AS_IS: out[FIELD_OF[t]!] = v; break;
      case AS_BOOL: out[FIELD_OF[t]!] = v === 1; break;
      case LINKINFO: {
        const li = v as LinkInfoValues;
        if (plan.info.kind && li.kind !== undefined) out.kind = li.kind;
        if (plan.info.data && li.data !== undefined) out.infoData = li.data;
        if (plan.info.slaveKind && li.slaveKind !== undefined) out.slaveKind = li.slaveKind;
        if (plan.info.slaveData && li.slaveData !== undefined) out.infoSlaveData = li.slaveData;
        break;
      }
      case PROP_LIST: {
        const names = (v as { altIfname?: string[] }).altIfname;
        if (names) out.altNames = names;
        break;
      }
      case ALT_NAME: ((out.altNames as string[] | undefined) ??= []).push(v); break;
    }
  }
  return out;
}

/** attribute type -> its Link property, for the one-to-one attributes */
const FIELD_OF: (string | undefined)[] = [];
for (const [field, [attr, how]] of Object.entries(ATTR_FIELDS)) {
  if (how === AS_IS || how === AS_BOOL) FIELD_OF[attrType(attr)] = field;
}
