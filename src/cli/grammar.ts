// The shape of ip's command lines: words matched by prefix in a fixed order, keywords followed by
// values, and ip's own words for the ways a line can be wrong.
import { parseCidr, parseIp, parseLladdr, type Cidr } from "../netlink/ip.js";
import { rtProtocol } from "../rtnl/enums.js";

/** A line ip would refuse before talking to the kernel: exit status 255, as ip's exit(-1). */
export class UsageError extends Error {
  override readonly name = "UsageError";
  readonly exitCode = 255;
}

/** A command that failed after parsing (device missing, file unreadable...): ip's exit status 1 (2 for the kernel's refusals). */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

/** ip's matches(): the word is a prefix of the keyword (an empty word matches nothing). */
export function matches(word: string | undefined, keyword: string): boolean {
  return word !== undefined && word.length > 0 && word.length <= keyword.length && keyword.startsWith(word);
}

/**
 * The first keyword (in ip's order, which settles ambiguous prefixes like `a` = address) that
 * `word` abbreviates; each entry is the canonical name or [canonical, ...aliases].
 */
export function pick<T extends string>(word: string | undefined, table: ReadonlyArray<T | readonly [T, ...string[]]>): T | undefined {
  if (word === undefined) return undefined;
  for (const entry of table) {
    const names = typeof entry === "string" ? [entry] : entry;
    if (names.some((n) => matches(word, n))) return names[0] as T;
  }
  return undefined;
}

export const INCOMPLETE = 'Command line is not complete. Try option "help"';

/** A cursor over one command's words, with ip's error wording for each way of going wrong. */
export class Args {
  private i = 0;
  constructor(private readonly words: readonly string[]) {}

  get done(): boolean {
    return this.i >= this.words.length;
  }
  peek(): string | undefined {
    return this.words[this.i];
  }
  /** The next word, or undefined at the end. */
  shift(): string | undefined {
    return this.words[this.i++];
  }
  /** The rest, consumed. */
  rest(): string[] {
    const r = this.words.slice(this.i);
    this.i = this.words.length;
    return r;
  }
  /** The value after a keyword; missing is "Command line is not complete". */
  value(): string {
    const v = this.words[this.i++];
    if (v === undefined) throw new UsageError(INCOMPLETE);
    return v;
  }
  /** True (and consumed) when the next word abbreviates `keyword`. */
  take(keyword: string): boolean {
    if (!matches(this.peek(), keyword)) return false;
    this.i++;
    return true;
  }
}

export const BOTH_NAME_AND_DEV = 'both "name" and "dev" cannot be used when creating devices.';

export function duplicate(key: string, word: string): never {
  throw new UsageError(`Error: either "${key}" is duplicate, or "${word}" is a garbage.`);
}

export function invalidArg(word: string, what: string): never {
  throw new UsageError(`Error: argument "${word}" is wrong: ${what}`);
}

export function unknownCommand(cmd: string, object: string): never {
  throw new UsageError(`Command "${cmd}" is unknown, try "nlkit ${object} help".`);
}

/** Sets `obj[key]` once; a second time is ip's "duplicate or garbage". */
export function once<T extends object, K extends keyof T>(obj: T, key: K, value: T[K], word: string, label = String(key)): void {
  if (obj[key] !== undefined) duplicate(label, word);
  obj[key] = value;
}

/** An unsigned integer as ip's get_unsigned/get_u32 take it: decimal, 0x hex or 0 octal. */
export function parseUnsigned(text: string, what: string, max = 0xffffffff): number {
  let n: number;
  if (/^0x[0-9a-f]+$/i.test(text)) n = parseInt(text.slice(2), 16);
  else if (/^0[0-7]+$/.test(text)) n = parseInt(text, 8);
  else if (/^[0-9]+$/.test(text)) n = parseInt(text, 10);
  else n = NaN;
  if (!Number.isSafeInteger(n) || n > max) invalidArg(text, `"${what}" value is invalid\n`);
  return n;
}

/** ip's parse_on_off (exit status 1 when it is neither). */
export function parseOnOff(text: string, what: string): boolean {
  if (text === "on") return true;
  if (text === "off") return false;
  throw new CliError(`Error: argument of "${what}" must be one of "off", "on", not "${text}"`);
}

/** An address or prefix, with ip's refusal text when it is neither. */
export function prefixArg(text: string, family?: 4 | 6): Cidr {
  const c = text.includes("/") ? parseCidr(text) : hostCidr(text);
  if (!c || (family && c.family !== family)) throw new CliError(`Error: any valid prefix is expected rather than "${text}".`);
  return c;
}

export function addressArg(text: string, what = "inet address", family?: 4 | 6): string {
  const a = parseIp(text);
  if (!a || (family && a.family !== family)) throw new CliError(`Error: ${what} is expected rather than "${text}".`);
  return text;
}

function hostCidr(text: string): Cidr | undefined {
  const a = parseIp(text);
  if (!a) return undefined;
  return parseCidr(`${text}/${a.family === 4 ? 32 : 128}`) ?? undefined;
}

/** ip's table names (rt_tables) and numbers. */
export const TABLE_NAMES: Readonly<Record<string, number>> = { unspec: 0, default: 253, main: 254, local: 255 };

export function parseTable(text: string): number {
  if (text in TABLE_NAMES) return TABLE_NAMES[text]!;
  return parseUnsigned(text, "table");
}

/** A number as ip's get_unsigned reads it, or undefined when the word is not a number. */
function numberWord(text: string): number | undefined {
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(text)) return undefined;
  return parseUnsigned(text, "");
}

/**
 * A name from `names` or a number up to `max`, as ip reads scope and protocol words (rt_scopes,
 * rt_protos); anything else is ip's refusal with its wording for that place (`what`).
 */
export function namedNumber(text: string, names: ReadonlyMap<string, number>, what: string, max = 255): string | number {
  if (names.has(text)) return text;
  const n = numberWord(text);
  if (n === undefined || n > max) invalidArg(text, what);
  return n;
}

const IFNAMSIZ = 16;
const ALTIFNAMSIZ = 128;

/**
 * ip's check on an interface name it will send: not empty, no '/' or whitespace, and shorter than
 * IFNAMSIZ after `name` (a new name) or ALTIFNAMSIZ after `dev` (an existing name or altname).
 */
export function ifnameArg(text: string, key: "dev" | "name"): string {
  const limit = key === "name" ? IFNAMSIZ : ALTIFNAMSIZ;
  if (text === "" || Buffer.byteLength(text) >= limit || /[/\s]/.test(text)) invalidArg(text, `"${key}" not a valid ifname`);
  return text;
}

/** iproute2's rt_scopes names (the library also knows "universe", which ip does not take). */
export const SCOPE_NAMES: ReadonlyMap<string, number> = new Map([["global", 0], ["nowhere", 255], ["host", 254], ["link", 253], ["site", 200]]);

/** rt_protos names: who installed a route, rule or address. */
export const PROTOCOL_NAMES: ReadonlyMap<string, number> = rtProtocol.values;

/** A link-layer address; a bad one is exit status 1 in ip, with its own wording. */
export function lladdrArg(text: string): string {
  if (!parseLladdr(text)) throw new CliError(`"${text}" is invalid lladdr.`);
  return text;
}
