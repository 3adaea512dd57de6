// Pure IP/MAC address text <-> bytes conversion. Formatting follows glibc's inet_ntop so that
// output matches what iproute2 prints.

/**
 * The IP version: 4 or 6, the words nlkit uses where iproute2 says `-4`/`-6`.
 *
 * @example
 * ```ts
 * const family: IpFamily = 6;
 * for (const r of await rt.route.list({ family, table: "main" })) console.log(r.dst);   // ip -6 route show: "fe80::/64"...
 * console.log(parseCidr("default", family)?.address);   // "::"
 * ```
 */
export type IpFamily = 4 | 6;

/**
 * An address with its prefix length, as `parseCidr` reads "10.0.0.1/24".
 *
 * @example
 * ```ts
 * const c: Cidr | undefined = parseCidr("192.168.1.10/24");
 * if (c) console.log(c.family, c.address, c.prefixlen, c.bytes);   // 4 "192.168.1.10" 24 <Buffer c0 a8 01 0a>
 * ```
 */
export interface Cidr {
  /** 4 for IPv4 (AF_INET), 6 for IPv6 (AF_INET6). */
  family: IpFamily;
  /** 4 or 16 bytes, network byte order. */
  bytes: Buffer;
  /** The address as text, host bits kept ("10.0.0.1" of "10.0.0.1/24"); IPv6 compressed. */
  address: string;
  /** The prefix length; 32 or 128 when the text had none. */
  prefixlen: number;
}

/** Dotted quad only ("10.0.0.1"): no shorthand, no leading zeros (inet_aton would read octal). */
export function parseIPv4(text: string): Buffer | undefined {
  const v = ipv4Value(text);
  if (v < 0) return undefined;
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32BE(v, 0);
  return out;
}

/**
 * parseIPv4 as a number (the address in host order, -1 when invalid), for hot callers that
 * write the address themselves and need no Buffer per address.
 */
export function ipv4Value(text: string, from = 0, to = text.length): number {
  // a hand-written scanner: this runs for every address of every route in a batch
  const n = to - from;
  if (n < 7 || n > 15) return -1;
  let acc = 0, part = 0, value = 0, digits = 0;
  for (let i = from; i <= to; i++) {
    const c = i < to ? text.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || part > 3) return -1;
      acc = acc * 256 + value;
      part++;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) return -1;
      value = value * 10 + (c - 48);
      if (++digits > 3 || value > 255) return -1;
    } else {
      return -1;
    }
  }
  return part === 4 ? acc : -1;
}

export function parseIPv6(text: string): Buffer | undefined {
  if (text.length < 2 || text.length > 45) return undefined;
  const zone = text.indexOf("%");
  if (zone >= 0) text = text.slice(0, zone);
  const out = Buffer.alloc(16);
  const dbl = text.indexOf("::");
  if (dbl >= 0 && text.indexOf("::", dbl + 1) >= 0) return undefined;
  const head = dbl >= 0 ? text.slice(0, dbl) : text;
  const tail = dbl >= 0 ? text.slice(dbl + 2) : "";
  const headParts = head === "" ? [] : head.split(":");
  const tailParts = tail === "" ? [] : tail.split(":");
  const words: number[] = [];
  const tailWords: number[] = [];
  if (!pushWords(headParts, words, dbl < 0 && tailParts.length === 0)) return undefined;
  if (!pushWords(tailParts, tailWords, true)) return undefined;
  const total = words.length + tailWords.length;
  if (dbl >= 0 ? total > 7 : total !== 8) return undefined;
  for (let i = 0; i < words.length; i++) out.writeUInt16BE(words[i]!, i * 2);
  const start = 8 - tailWords.length;
  for (let i = 0; i < tailWords.length; i++) out.writeUInt16BE(tailWords[i]!, (start + i) * 2);
  return out;
}

function pushWords(parts: string[], into: number[], lastMayBeV4: boolean): boolean {
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (lastMayBeV4 && i === parts.length - 1 && p.includes(".")) {
      const v4 = parseIPv4(p);
      if (!v4) return false;
      into.push(v4.readUInt16BE(0), v4.readUInt16BE(2));
      continue;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return false;
    into.push(parseInt(p, 16));
  }
  return true;
}

/**
 * Reads an IPv4 or IPv6 address in text form into its family and network-order bytes; `undefined` when
 * the text is not an address (no throw, so callers can word their own error).
 *
 * @example
 * ```ts
 * import { parseIp } from "nlkit";
 * parseIp("10.0.0.1");   // { family: 4, bytes: <Buffer 0a 00 00 01> }
 * ```
 */
export function parseIp(text: string): {
  /** 4 for IPv4 (AF_INET), 6 for IPv6 (AF_INET6). */
  family: IpFamily;
  /** The address: 4 or 16 bytes, network byte order. */
  bytes: Buffer;
} | undefined {
  const v4 = parseIPv4(text);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = text.includes(":") ? parseIPv6(text) : undefined;
  return v6 ? { family: 6, bytes: v6 } : undefined;
}

export function formatIPv4(buf: Buffer, off = 0): string {
  return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
}

export function formatIPv6(buf: Buffer, off = 0): string {
  const w = new Array<number>(8);
  for (let i = 0; i < 8; i++) w[i] = buf.readUInt16BE(off + i * 2);
  // longest run of zero words (length >= 2), first one wins: RFC 5952 / glibc
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  // glibc prints an embedded IPv4 for ::a.b.c.d (not ::1 / ::) and ::ffff:a.b.c.d
  const embedV4 = bestStart === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff));
  let s = "";
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += i === 0 ? "::" : ":";
      i += bestLen - 1;
      continue;
    }
    if (embedV4 && i === 6) {
      s += formatIPv4(buf, off + 12);
      break;
    }
    s += w[i]!.toString(16);
    if (i < 7) s += ":";
  }
  return s;
}

/**
 * Prints address bytes as iproute2 does: 4 bytes as IPv4, 16 as IPv6 (compressed), anything else as a
 * link-layer address ("02:00:00:00:00:01").
 *
 * @example
 * ```ts
 * formatIp(Buffer.from([10, 0, 0, 1]));   // "10.0.0.1"
 * formatIp(Buffer.from("fd000000000000000000000000000001", "hex"));   // "fd00::1"
 * formatIp(Buffer.from("00000000000000000000ffff0a000001", "hex"));   // "::ffff:10.0.0.1"
 * formatIp(Buffer.from("020000000001", "hex"));   // "02:00:00:00:00:01"
 * ```
 */
export function formatIp(buf: Buffer, off = 0, len = buf.length - off): string {
  if (len === 4) return formatIPv4(buf, off);
  if (len === 16) return formatIPv6(buf, off);
  return formatLladdr(buf, off, len);
}

/**
 * Reads "10.0.0.1/24", "fd00::1/64", "10.0.0.1" (a host prefix: /32 or /128) or "default"/"any"/"all"
 * (the zero prefix of `defaultFamily`, IPv4 when it is not given); `undefined` for anything else
 * (no throw). The address keeps its host bits; an IPv6 one comes back compressed.
 *
 * @example
 * ```ts
 * parseCidr("10.0.0.1/24");   // { family: 4, bytes: <Buffer 0a 00 00 01>, address: "10.0.0.1", prefixlen: 24 }
 * parseCidr("fd00:0::1/64")?.address;   // "fd00::1"
 * parseCidr("10.0.0.1")?.prefixlen;   // 32
 * parseCidr("default", 6);   // { family: 6, bytes: <16 zero bytes>, address: "::", prefixlen: 0 }
 * parseCidr("10.0.0.1/33");   // undefined
 * ```
 */
export function parseCidr(text: string, defaultFamily?: IpFamily): Cidr | undefined {
  if (text === "default" || text === "any" || text === "all") {
    const family = defaultFamily ?? 4;
    const bytes = Buffer.alloc(family === 4 ? 4 : 16);
    return { family, bytes, address: family === 4 ? "0.0.0.0" : "::", prefixlen: 0 };
  }
  const slash = text.indexOf("/");
  const end = slash >= 0 ? slash : text.length;
  // IPv4 without slicing or formatting (this runs for every address a verb is given): a dotted
  // quad that ipv4Value accepts is already in the form formatIPv4 would print
  const v4 = ipv4Value(text, 0, end);
  let family: IpFamily = 4;
  let bytes: Buffer;
  let address: string;
  if (v4 >= 0) {
    bytes = Buffer.allocUnsafe(4);
    bytes.writeUInt32BE(v4, 0);
    address = slash >= 0 ? text.slice(0, slash) : text;
  } else {
    const addrText = slash >= 0 ? text.slice(0, slash) : text;
    const v6 = addrText.includes(":") ? parseIPv6(addrText) : undefined;
    if (!v6) return undefined;
    family = 6;
    bytes = v6;
    address = formatIPv6(v6);
  }
  const max = family === 4 ? 32 : 128;
  let prefixlen = max;
  if (slash >= 0) {
    // one to three ASCII digits
    const digits = text.length - slash - 1;
    if (digits < 1 || digits > 3) return undefined;
    prefixlen = 0;
    for (let i = slash + 1; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) return undefined;
      prefixlen = prefixlen * 10 + (c - 48);
    }
    if (prefixlen > max) return undefined;
  }
  return { family, bytes, address, prefixlen };
}

/** The network address of a CIDR (host bits cleared). */
export function networkOf(c: Cidr): Buffer {
  const out = Buffer.from(c.bytes);
  for (let bit = c.prefixlen; bit < out.length * 8; bit++) out[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return out;
}

export function inSubnet(addr: Buffer, net: Buffer, prefixlen: number): boolean {
  if (addr.length !== net.length) return false;
  for (let bit = 0; bit < prefixlen; bit++) {
    const mask = 0x80 >> (bit & 7);
    if ((addr[bit >> 3]! & mask) !== (net[bit >> 3]! & mask)) return false;
  }
  return true;
}

const HEX = Buffer.from("0123456789abcdef", "latin1");
let llText = Buffer.allocUnsafe(96);

/**
 * Written as ASCII into a scratch buffer and read back as one string: built by `+=`, a 6-byte
 * address left ~17 intermediate cons strings (~430 bytes of garbage), which added up in dumps.
 */
export function formatLladdr(buf: Buffer, off = 0, len = buf.length - off): string {
  if (len <= 0) return "";
  if (len * 3 > llText.length) llText = Buffer.allocUnsafe(len * 3);
  const t = llText;
  let j = 0;
  for (let i = 0; i < len; i++) {
    const b = buf[off + i]!;
    if (i) t[j++] = 0x3a; // ':'
    t[j++] = HEX[b >> 4]!;
    t[j++] = HEX[b & 15]!;
  }
  return t.toString("latin1", 0, j);
}

/** "02:00:00:00:00:01" (also accepts '-' separators); any length of 1..32 octets. */
export function parseLladdr(text: string): Buffer | undefined {
  const parts = text.split(/[:-]/);
  if (parts.length < 1 || parts.length > 32) return undefined;
  const out = Buffer.allocUnsafe(parts.length);
  for (let i = 0; i < parts.length; i++) {
    if (!/^[0-9a-fA-F]{1,2}$/.test(parts[i]!)) return undefined;
    out[i] = parseInt(parts[i]!, 16);
  }
  return out;
}
