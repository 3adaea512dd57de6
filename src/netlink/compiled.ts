import { decodeAttrs, keepRaw, storeDecoded, type AttrDef, type AttrSet, type AttrValues } from "./attrs.js";
import { NLA_F_NET_BYTEORDER, NLMSG_HDRLEN } from "./constants.js";
import { NetlinkParseError } from "./errors.js";
import { formatIPv4, formatIPv6 } from "./ip.js";
import type { MessageDef } from "./message.js";
import { decodeStruct, type StructValue } from "./struct.js";

/**
 * Attribute decoders generated from the tables, for messages read by the thousand (dumps). The
 * generic decodeAttrs is the reference: a generated decoder gives the same values (see
 * test/unit/netlink/compiled.test.ts), reads the common scalar kinds (little-endian integers,
 * addresses, strings, flags) in straight-line code, builds its result as one object literal with
 * every key of the set (V8 gives all of them one shape; absent keys are undefined), and hands
 * every other kind, odd length or byte-order flag to the generic per-attribute path.
 *
 * Sets with sub-messages (whose table depends on a sibling decoded later) are not compiled:
 * their decoder is decodeAttrs itself. Names and numbers come from the table, never from input.
 *
 * @example
 * ```ts
 * const addr = attrSet("addr", "IFA_", { address: [1, "ip"], label: [3, "string"] });
 * const decode: AttrDecoder = compiledDecoder(addr);
 * const w = new NlWriter();
 * encodeAttrs(w, addr, { address: "10.0.0.1", label: "eth0" });
 * console.log(decode(w.buf, 0, w.pos));   // { address: "10.0.0.1", label: "eth0", unknown: undefined }
 * ```
 */
export type AttrDecoder = (buf: Buffer, start: number, end: number) => AttrValues;

const compiled = new WeakMap<AttrSet, AttrDecoder>();
const projected = new WeakMap<AttrSet, Map<string, AttrDecoder>>();

/**
 * The set's generated decoder. With `keys`, a projection: only those attributes are decoded,
 * every other one is skipped (not even kept raw), and the walk stops once each of them has been
 * seen (none may be `multi`): listing thousands of links for their names then costs little more
 * than the kernel's own work.
 *
 * @example
 * ```ts
 * const link = attrSet("link", "IFLA_", { ifname: [3, "string"], mtu: [4, "u32"], operstate: [16, "u8"] });
 * const w = new NlWriter();
 * encodeAttrs(w, link, { ifname: "eth0", mtu: 1500, operstate: 6 });
 * console.log(compiledDecoder(link)(w.buf, 0, w.pos).mtu);   // 1500
 * const names = compiledDecoder(link, ["ifname"]);   // reads IFLA_IFNAME, stops there
 * console.log(names(w.buf, 0, w.pos));   // { ifname: "eth0" }
 * ```
 */
export function compiledDecoder(set: AttrSet, keys?: readonly string[]): AttrDecoder {
  if (keys === undefined) {
    let d = compiled.get(set);
    if (!d) {
      d = compile(set, undefined);
      compiled.set(set, d);
    }
    return d;
  }
  let bySet = projected.get(set);
  if (!bySet) projected.set(set, bySet = new Map());
  const id = keys.join(",");
  let d = bySet.get(id);
  if (!d) {
    d = compile(set, keys);
    bySet.set(id, d);
  }
  return d;
}

/** What a generated case may do inline, by kind. */
const INLINE = new Set(["u8", "u16", "u32", "s32", "ip", "string", "flag"]);

function compile(set: AttrSet, only: readonly string[] | undefined): AttrDecoder {
  let defs = set.defs();
  if (only !== undefined) {
    for (const k of only) {
      const d = set.byKey.get(k);
      if (!d) throw new Error(`${set.name} has no attribute "${k}"`);
      if (d.multi) throw new Error(`${set.name}.${k} repeats: a projection cannot stop early`);
    }
    defs = defs.filter((d) => only.includes(d.key));
  }
  if (only === undefined && defs.some((d) => d.kind === "submsg")) return (buf, start, end) => decodeAttrs(buf, start, end, set);
  // a projection stops at the last attribute it wants; each case counts the first sighting
  const count = only === undefined ? "" : "if (o[KEY] === undefined) seen++; ";
  const keys = defs.map((d) => JSON.stringify(d.key));
  const cases: string[] = [];
  defs.forEach((d, i) => {
    const key = `o[${keys[i]}]`;
    const store = d.multi ? `(${key} ??= []).push(v)` : `${count.replace("KEY", keys[i]!)}${key} = v`;
    const slow = `slow(buf, o, defs[${i}], p, e, rt);`;
    if (d.multi || !INLINE.has(d.kind) || d.be || d.enum) {
      cases.push(`case ${d.type}: ${count.replace("KEY", keys[i]!)}${slow} break;`);
      return;
    }
    let read: string;
    switch (d.kind) {
      case "u8": read = `if (n < 1) { ${slow} break; } v = buf[p];`; break;
      case "u16": read = `if (n < 2) { ${slow} break; } v = buf[p] | (buf[p + 1] << 8);`; break;
      case "u32": read = `if (n < 4) { ${slow} break; } v = (buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16)) + buf[p + 3] * 0x1000000;`; break;
      case "s32": read = `if (n < 4) { ${slow} break; } v = buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16) | (buf[p + 3] << 24);`; break;
      case "ip": read = `if (n === 4) v = ip4(buf, p); else if (n === 16) v = ip6(buf, p); else { ${slow} break; }`; break;
      case "string": read = "z = e; while (z > p && buf[z - 1] === 0) z--; v = buf.toString(\"utf8\", p, z);"; break;
      default: read = "v = true;"; break; // flag
    }
    // a scalar the sender marked big-endian takes the generic path, which honours the flag
    const guard = d.kind === "ip" || d.kind === "string" || d.kind === "flag" ? "" : `if (rt & ${NLA_F_NET_BYTEORDER}) { ${slow} break; } `;
    cases.push(`case ${d.type}: ${guard}${read} ${store}; break;`);
  });
  const literal = defs.map((d) => `${JSON.stringify(d.key)}: undefined`).concat(only === undefined ? ["unknown: undefined"] : []).join(", ");
  const stop = only === undefined ? "" : `if (seen === ${defs.length}) break;`;
  const fallback = only === undefined ? "raw(o, buf, p, e, rt);" : "";
  const body = `
return (buf, start, end) => {
  const o = { ${literal} };
  let off = start, v, z, seen = 0;
  while (off + 4 <= end) {
    ${stop}
    const len = buf[off] | (buf[off + 1] << 8);
    const rt = buf[off + 2] | (buf[off + 3] << 8);
    if (len < 4 || off + len > end) throw new ParseError(setName + ": bad attribute length " + len, off);
    const p = off + 4, e = off + len, n = len - 4;
    off += (len + 3) & ~3;
    switch (rt & 0x3fff) {
      ${cases.join("\n      ")}
      default: ${fallback}
    }
  }
  return o;
};`;
  const make = new Function("defs", "slow", "raw", "ip4", "ip6", "ParseError", "setName", body) as (...a: unknown[]) => AttrDecoder;
  return make(defs, slowPath, keepRaw, formatIPv4, formatIPv6, NetlinkParseError, set.name);
}

/** The generic path for one attribute: exactly what decodeAttrs stores for it. */
function slowPath(buf: Buffer, out: AttrValues, def: AttrDef, ps: number, pe: number, rawType: number): void {
  storeDecoded(out, buf, def, ps, pe, rawType);
}

/**
 * A message read by `decodeParts`: its nlmsghdr type and flags, the family header struct and the
 * attributes as the set's compiled decoder gives them (only the projected keys, when `keys` was
 * given); unlike `DecodedMessage` it carries no seq or pid.
 *
 * @example
 * ```ts
 * const ifaddrmsg = struct("ifaddrmsg", [["family", "u8"], ["prefixlen", "u8"], ["flags", "u8"], ["scope", "u8"], ["index", "u32"]]);
 * const def: MessageDef = { name: "addr", header: ifaddrmsg, attrs: attrSet("addr", "IFA_", { address: [1, "ip"], label: [3, "string"] }) };
 * const w = new NlWriter();
 * encodeMessage(w, def, 20, 0, { family: 2, prefixlen: 24, index: 2 }, { address: "10.0.0.1", label: "eth0" });   // RTM_NEWADDR
 * const m: DecodedParts<{ prefixlen: number; index: number }> = decodeParts(w.buf, 0, w.pos, def);
 * console.log(m.type, `${String(m.attrs.address)}/${m.header.prefixlen}`, m.header.index);   // 20 "10.0.0.1/24" 2
 * ```
 */
export interface DecodedParts<H = StructValue> {
  /** The nlmsghdr's nlmsg_type, e.g. RTM_NEWLINK (16). */
  type: number;
  /** The nlmsghdr's NLM_F_* flags. */
  flags: number;
  /** The family header struct (ifinfomsg, genlmsghdr...); a short one yields only the fields it holds. */
  header: H;
  /** The attributes after the header, by table key (only the projected keys when `keys` was given). */
  attrs: AttrValues;
}

/**
 * One message of a family: its header struct (read tolerantly: a short one yields the fields it
 * holds) and its attributes by the generated decoder (only `keys`, when given). Framing is checked against `len`, never
 * against the buffer: bytes past the message are never read.
 *
 * @example
 * ```ts
 * const ifinfomsg = struct("ifinfomsg", [["family", "u8"], ["_", "pad", 1], ["type", "u16"], ["index", "s32"], ["flags", "u32"], ["change", "u32"]]);
 * const def: MessageDef = { name: "link", header: ifinfomsg, attrs: attrSet("link", "IFLA_", { ifname: [3, "string"], mtu: [4, "u32"] }) };
 * const sock = NetlinkSocket.open({ protocol: constants.NETLINK_ROUTE });
 * const names = await sock.dump({ type: 18, def, encode: (w) => w.zeros(16) },   // RTM_GETLINK
 *   (buf, s, l) => decodeParts<{ index: number }>(buf, s, l, def, ["ifname"]));
 * for (const l of names) console.log(l.header.index, l.attrs.ifname);   // 1 "lo", 2 "eth0"...
 * sock.close();
 * ```
 */
export function decodeParts<H = StructValue>(
  buf: Buffer, start: number, len: number, def: MessageDef, keys?: readonly string[],
): DecodedParts<H> {
  if (len < NLMSG_HDRLEN || start + len > buf.length) throw new NetlinkParseError(`${def.name}: message of ${len} bytes`, start);
  const end = start + len;
  const hs = start + NLMSG_HDRLEN;
  const type = buf[start + 4]! | (buf[start + 5]! << 8);
  // A family message (type >= 16) cut inside its fixed header is malformed; a control message
  // (DONE, ERROR...) handed to a family decoder has no such header and is simply not one of its.
  if (type >= 16 && end - hs < def.header.size) {
    throw new NetlinkParseError(`${def.name}: a message of ${len} bytes cannot hold its ${def.header.name} (${def.header.size} bytes)`, start);
  }
  const header = decodeStruct(buf, hs, Math.min(def.header.size, end - hs), def.header);
  if (header.tail) delete header.tail;
  const attrStart = hs + ((def.header.size + 3) & ~3);
  const attrs = attrStart < end ? compiledDecoder(def.attrs, keys)(buf, attrStart, end) : {};
  return { type, flags: buf[start + 6]! | (buf[start + 7]! << 8), header: header as H, attrs };
}
