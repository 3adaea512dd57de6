// Named stateful objects (counter, quota, limit, ct helper): decoded from NFT_MSG_NEWOBJ and
// printed as nft prints them in a table.
import { byteRate } from "./print.js";
import { protocolName } from "./protocols.js";
import { FAMILY_NAMES, type NftFamily } from "./types.js";
import { parseUdata, udataString, UD_COMMENT } from "./udata.js";
import { jsonNumber, type U64 } from "./json.js";

interface ObjectBase {
  family: NftFamily;
  table: string;
  name: string;
  handle: number;
  comment?: string;
}
export interface CounterObject extends ObjectBase { type: "counter"; packets: U64; bytes: U64 }
export interface QuotaObject extends ObjectBase { type: "quota"; bytes: U64; used: U64; over: boolean }
export interface LimitObject extends ObjectBase {
  type: "limit";
  rate: U64;
  unit: "second" | "minute" | "hour" | "day" | "week";
  burst: number;
  /** Byte-rate limit ("1 mbytes/second") rather than packets. */
  bytes: boolean;
  over: boolean;
}
export interface CtHelperObject extends ObjectBase { type: "ct helper"; helper: string; protocol: number; l3proto: NftFamily | number }
/** An object type nlkit does not decode: its attributes as the kernel sent them. */
export interface OtherObject extends ObjectBase { type: string; data?: unknown }
/**
 * A named stateful object as `nft.ruleset()` returns it (counter, quota, limit, ct helper, or another
 * type kept raw).
 *
 * @example
 * ```ts
 * const rs = await nft.ruleset({ family: "inet" });
 * for (const o of rs.tables.flatMap((t) => t.objects)) {
 *   if ("packets" in o) console.log(`counter ${o.name}: packets ${o.packets} bytes ${o.bytes}`);   // counter web: packets 0 bytes 0
 * }
 * ```
 */
export type NftObject = CounterObject | QuotaObject | LimitObject | CtHelperObject | OtherObject;

type Attrs = Record<string, any>;
const num = (v: unknown): number => (typeof v === "bigint" ? Number(v) : typeof v === "number" ? v : 0);
const UNITS: Record<number, LimitObject["unit"]> = { 1: "second", 60: "minute", 3600: "hour", 86400: "day", 604800: "week" };

export function decodeObject(a: Attrs, family: NftFamily): NftObject {
  const base: ObjectBase = { family, table: String(a.table ?? ""), name: String(a.name ?? ""), handle: num(a.handle) };
  const comment = udataString(parseUdata(Buffer.isBuffer(a.userdata) ? a.userdata : undefined).get(UD_COMMENT));
  if (comment !== undefined) base.comment = comment;
  const d: Attrs = a.data && !Buffer.isBuffer(a.data) ? a.data : {};
  switch (a.type) {
    case "counter": return { ...base, type: "counter", packets: jsonNumber(d.packets), bytes: jsonNumber(d.bytes) };
    case "quota": return { ...base, type: "quota", bytes: jsonNumber(d.bytes), used: jsonNumber(d.consumed), over: (num(d.flags) & 1) !== 0 };
    case "limit":
      return {
        ...base, type: "limit", rate: jsonNumber(d.rate), unit: UNITS[num(d.unit)] ?? "second", burst: num(d.burst),
        bytes: d.type === "bytes", over: (num(d.flags) & 1) !== 0,
      };
    case "ct helper": {
      const l3 = num(d.l3proto);
      return { ...base, type: "ct helper", helper: String(d.name ?? ""), protocol: num(d.l4proto), l3proto: FAMILY_NAMES.get(l3) ?? l3 };
    }
    default: {
      const o: OtherObject = { ...base, type: typeof a.type === "string" ? a.type : `type ${num(a.type)}` };
      if (a.data !== undefined) o.data = a.data;
      return o;
    }
  }
}

const big = (v: U64): number => (typeof v === "string" ? Number(v) : v);

/** The lines nft prints for an object, from "\tcounter name {" to "\t}". */
export function renderObject(o: NftObject): string[] {
  const out = [`\t${o.type} ${o.name} {`];
  if (o.comment !== undefined) out.push(`\t\tcomment "${o.comment}"`);
  switch (o.type) {
    case "counter": {
      const c = o as CounterObject;
      out.push(`\t\tpackets ${c.packets} bytes ${c.bytes}`);
      break;
    }
    case "quota": {
      const q = o as QuotaObject;
      const [b, u] = byteRate(big(q.bytes));
      let line = `\t\t${q.over ? "over " : ""}${b} ${u}`;
      if (big(q.used)) { const [x, xu] = byteRate(big(q.used)); line += ` used ${x} ${xu}`; }
      out.push(line);
      break;
    }
    case "limit": {
      const l = o as LimitObject;
      const over = l.over ? "over " : "";
      if (!l.bytes) out.push(`\t\trate ${over}${l.rate}/${l.unit}${l.burst > 0 && l.burst !== 5 ? ` burst ${l.burst} packets` : ""}`);
      else {
        const [r, u] = byteRate(big(l.rate));
        let line = `\t\trate ${over}${r} ${u}/${l.unit}`;
        if (l.burst > 0) { const [b, bu] = byteRate(l.burst); line += ` burst ${b} ${bu}`; }
        out.push(line);
      }
      break;
    }
    case "ct helper": {
      const h = o as CtHelperObject;
      out.push(`\t\ttype "${h.helper}" protocol ${protocolName(h.protocol) ?? h.protocol}`);
      out.push(`\t\tl3proto ${h.l3proto}`);
      break;
    }
    default:
      break;
  }
  out.push("\t}");
  return out;
}

