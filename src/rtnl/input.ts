import { NlkitInputError } from "../netlink/errors.js";
import { parseCidr, parseIp, type Cidr, type IpFamily } from "../netlink/ip.js";
import { AF_BRIDGE, AF_INET, AF_INET6, AF_UNSPEC } from "./types.js";

// Input checks every rtnetlink object shares, each naming the field at fault: user input is
// refused here, before anything is sent.

export const U32_MAX = 0xffffffff;

/** An integer in [min, max]. */
export function intIn(v: unknown, field: string, max: number, min = 0): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) throw new NlkitInputError(`invalid ${field} ${String(v)}`, field);
  return v;
}

export function u32(v: unknown, field: string, max = U32_MAX): number {
  return intIn(v, field, max);
}

export function booleanIn(v: unknown, field: string): boolean {
  if (typeof v !== "boolean") throw new NlkitInputError(`${field} must be a boolean`, field);
  return v;
}

/** 4, 6 (or "inet"/"inet6") to AF_INET/AF_INET6; undefined to AF_UNSPEC. */
export function familyNumber(f: IpFamily | "inet" | "inet6" | undefined, field = "family"): number {
  if (f === undefined) return AF_UNSPEC;
  if (f === 4 || f === "inet") return AF_INET;
  if (f === 6 || f === "inet6") return AF_INET6;
  throw new NlkitInputError(`invalid family ${String(f)} (expected 4 or 6)`, field);
}

/** An address family number back to 4, 6, "bridge", or the number itself. */
export function familyOf(af: number | undefined): IpFamily | "bridge" | number {
  return af === AF_INET ? 4 : af === AF_INET6 ? 6 : af === AF_BRIDGE ? "bridge" : af ?? 0;
}

export function ipFamilyNumber(f: IpFamily): number {
  return f === 4 ? AF_INET : AF_INET6;
}

/** "10.0.0.1/24" (or a host address), of `family` when given. */
export function cidrIn(text: unknown, field: string, family?: IpFamily): Cidr {
  if (typeof text !== "string") throw new NlkitInputError(`${field} must be an address string`, field);
  const c = parseCidr(text, family);
  if (!c) throw new NlkitInputError(`invalid ${field} "${text}"`, field);
  if (family && c.family !== family) throw new NlkitInputError(`${field} ${text} is IPv${c.family} but IPv${family} is needed here`, field);
  return c;
}

/** A plain address (no prefix), of `family` when given. */
export function addressIn(text: unknown, field: string, family?: IpFamily): { family: IpFamily; bytes: Buffer } {
  const ip = typeof text === "string" ? parseIp(text) : undefined;
  if (!ip) throw new NlkitInputError(`invalid ${field} address "${String(text)}"`, field);
  if (family && ip.family !== family) throw new NlkitInputError(`${field} ${String(text)} is IPv${ip.family} but IPv${family} is needed here`, field);
  return ip;
}

/** A prefix as ip prints it: "default" (or `zero`) for /0, a host address without /32 (/128). */
export function prefixText(addr: string | undefined, len: number, full: number, zero = "default"): string {
  if (addr === undefined) return len ? `0/${len}` : zero;
  return len === full ? addr : `${addr}/${len}`;
}

/** Refuses keys a spec does not know: a typo must not be silently ignored. */
export function checkKeys(obj: object, allowed: ReadonlySet<string>, where: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.has(k)) throw new NlkitInputError(`unknown option "${k}"${where ? ` in ${where}` : ""}`, where ? `${where}.${k}` : k);
  }
}

export function objectIn(v: unknown, what: string, field: string): Record<string, unknown> {
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new NlkitInputError(`${what} must be an object`, field);
  return v as Record<string, unknown>;
}
