// Text to typed constants: what nft's datatype parsers accept ("10.0.0.1", "tcp", "0x10",
// "established", "1h", "1:2", "lo"), as the bytes the kernel compares.
import { readFileSync } from "node:fs";
import { parseIPv4, parseIPv6, parseLladdr } from "../../netlink/ip.js";
import { byteLen, fromBigInt, parseClassid, TYPES, type Const, type DataType } from "../datatype.js";
import { protocolNumber } from "../protocols.js";
import { parseDuration } from "./expr.js";

export class ValueError extends Error {}

/** Names nft's grammar turns into protocol numbers itself (even without /etc/protocols). */
const BUILTIN_PROTOCOLS: Record<string, number> = {
  tcp: 6, udp: 17, udplite: 136, esp: 50, ah: 51, icmp: 1, igmp: 2, icmpv6: 58, comp: 108, dccp: 33, sctp: 132,
};

export interface ValueEnv {
  /** Interface name -> index, for iif/oif values (nft resolves them when it reads the file). */
  ifindex?(name: string): number | undefined;
}

let services: Map<string, number> | undefined;
function serviceNumber(name: string): number | undefined {
  if (!services) {
    services = new Map();
    try {
      for (const line of readFileSync("/etc/services", "utf8").split("\n")) {
        const w = line.replace(/#.*/, "").trim().split(/\s+/);
        const m = /^(\d+)\/(tcp|udp)$/.exec(w[1] ?? "");
        if (!m) continue;
        for (const n of [w[0]!, ...w.slice(2)]) if (!services.has(n)) services.set(n, Number(m[1]));
      }
    } catch { /* no netbase: numbers only */ }
  }
  return services.get(name);
}

/** nft reads integers as C's strtoull with base 0: decimal, 0x hex, 0 octal. */
export function parseInteger(text: string): bigint | undefined {
  if (/^0x[0-9a-f]+$/i.test(text)) return BigInt(text);
  if (/^0[0-7]+$/.test(text)) return BigInt(`0o${text.slice(1)}`);
  if (/^\d+$/.test(text)) return BigInt(text);
  return undefined;
}

function intBytes(n: bigint, t: DataType, bits: number): Buffer {
  const len = Math.ceil(bits / 8);
  if (n >= 1n << BigInt(bits)) throw new ValueError(`Value ${n} exceeds valid range 0-${(1n << BigInt(bits)) - 1n}`);
  return fromBigInt(n, len, t.byteorder);
}

function symbolOrInteger(text: string, t: DataType, bits: number): Buffer {
  const sym = t.symbols?.find(([n]) => n === text);
  if (sym) return intBytes(BigInt(sym[1]), t, bits);
  const n = parseInteger(text);
  if (n === undefined) throw new ValueError(`Could not parse ${t.desc}`);
  return intBytes(n, t, bits);
}

/**
 * One constant of type `t`. `bits` is the width of what it is compared with (the type's size, or
 * the field's for integer fields); strings are zero-padded to it unless they end in "*".
 */
export function parseValue(text: string, quoted: boolean, t: DataType, bits: number, env: ValueEnv = {}): Const {
  const w = bits || t.bits;
  switch (t.kind) {
    case "ipv4": {
      const b = parseIPv4(text);
      if (!b) throw new ValueError("Could not resolve hostname: Name or service not known");
      return { type: t, bytes: b };
    }
    case "ipv6": {
      const b = parseIPv6(text);
      if (!b) throw new ValueError("Could not resolve hostname: Name or service not known");
      return { type: t, bytes: b };
    }
    case "lladdr": {
      const b = parseLladdr(text);
      if (!b) throw new ValueError(`Could not parse ${t.desc}`);
      return { type: t, bytes: Buffer.from(b) };
    }
    case "string": {
      const len = Math.ceil(w / 8);
      if (!quoted && text.endsWith("\\*")) text = text.slice(0, -2) + "*";
      else if (text.endsWith("*") && !text.endsWith("\\*")) {
        // a wildcard: only the prefix is compared, without a terminating NUL
        const prefix = Buffer.from(text.slice(0, -1));
        if (prefix.length >= len) throw new ValueError(`String exceeds maximum length of ${len - 1}`);
        return { type: t, bytes: prefix };
      }
      const s = Buffer.from(text.replace(/\\\*$/, "*"));
      if (s.length >= len && len > 0) throw new ValueError(`String exceeds maximum length of ${len - 1}`);
      const b = Buffer.alloc(len || s.length + 1);
      s.copy(b);
      return { type: t, bytes: b };
    }
    case "inet_proto": {
      const n = BUILTIN_PROTOCOLS[text] ?? protocolNumber(text) ?? (/^\d+$/.test(text) ? Number(text) : undefined);
      if (n === undefined) throw new ValueError("Could not resolve protocol name");
      if (n > 255) throw new ValueError("Protocol out of range");
      return { type: t, bytes: Buffer.from([n]) };
    }
    case "time": {
      const ms = parseDuration(text);
      if (ms === undefined) throw new ValueError("wrong time format");
      return { type: t, bytes: intBytes(BigInt(ms), t, w) };
    }
    case "classid": {
      const n = parseClassid(text) ?? (parseInteger(text) !== undefined ? Number(parseInteger(text)) : undefined);
      if (n === undefined) throw new ValueError(`Could not parse ${t.desc}`);
      return { type: t, bytes: intBytes(BigInt(n), t, 32) };
    }
    case "ifindex": {
      const idx = /^\d+$/.test(text) ? Number(text) : env.ifindex?.(text);
      if (idx === undefined) throw new ValueError(`Interface does not exist`);
      return { type: t, bytes: intBytes(BigInt(idx), t, 32) };
    }
    case "verdict": case "invalid":
      throw new ValueError(`Could not parse ${t.desc}`);
    default: {
      if (t === TYPES.inet_service || t.name === "inet_service") {
        const n = /^\d+$/.test(text) ? Number(text) : serviceNumber(text);
        if (n === undefined) throw new ValueError(`Could not resolve service: Servname not supported for ai_socktype`);
        if (n > 65535) throw new ValueError("Service out of range");
        return { type: t, bytes: intBytes(BigInt(n), t, 16) };
      }
      const bytes = symbolOrInteger(text, t, w);
      return w % 8 ? { type: t, bytes, bits: w } : { type: t, bytes };
    }
  }
}

export { byteLen };
