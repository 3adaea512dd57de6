import type { AttrSet, AttrValues } from "../../netlink/attrs.js";
import { NlkitInputError } from "../../netlink/errors.js";
import type { Psched } from "./units.js";
import { shown } from "./shown.js";

// What every tc kind (qdisc, classifier, action) is: a TCA_OPTIONS table, typed options in tc's
// words turned into attribute values in the order tc writes them, and a view of what the kernel
// dumps back. A kind without a table travels as bytes: its encoder builds them from its struct
// tables and its view reads them with the same tables.

/** What an encoder may ask for: the kernel's clock (rate tables) and device indexes. */
export interface TcBuild {
  readonly psched: Psched;
  ifindex(dev: string | number, field: string): number;
  /** The fd of a pinned BPF object the verb opened before building (closed once answered). */
  pinnedFd?(path: string, field: string): number;
}

/** What a view may ask for: the clock, and names of devices an option refers to. */
export interface TcView {
  readonly psched: Psched;
  devName(index: number): string;
}

/** TCA_OPTIONS as a kind encodes it: attribute values by table key, or ready bytes. */
export type OptionsValue = Record<string, unknown> | Buffer;

export interface QdiscKindDef {
  readonly kind: string;
  /** TCA_OPTIONS of the qdisc; without it the options are bytes. */
  readonly options?: AttrSet;
  /** TCA_OPTIONS of its classes (htb). */
  readonly classOptions?: AttrSet;
  /** Typed options (the spec's `[kind]` object) to TCA_OPTIONS; undefined sends none. */
  encode?(o: any, b: TcBuild): OptionsValue | undefined;
  encodeClass?(o: any, b: TcBuild): OptionsValue | undefined;
  /** Decoded TCA_OPTIONS to options in tc's words (camelCase). */
  view?(v: AttrValues | Buffer, ctx: TcView): Record<string, unknown>;
  classView?(v: AttrValues | Buffer, ctx: TcView): Record<string, unknown>;
  /** TCA_STATS_APP of the qdisc (or of a class) to named numbers. */
  xstats?(app: Buffer, isClass: boolean): Record<string, unknown> | undefined;
}

export function defineQdisc(def: QdiscKindDef): QdiscKindDef {
  return def;
}

/** Refuses option names a kind does not know: a typo must not be silently ignored. */
export function checkOptions(o: unknown, allowed: readonly string[], where: string): Record<string, any> {
  if (o === undefined) return {};
  if (!o || typeof o !== "object" || Array.isArray(o)) throw new NlkitInputError(`${where} options must be an object`, where);
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new NlkitInputError(`unknown ${where} option "${k}" (expected ${allowed.join(", ")})`, `${where}.${k}`);
  }
  return o as Record<string, any>;
}

/** An integer option in [min, max]. */
export function intOpt(v: unknown, field: string, max = 0xffffffff, min = 0): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) throw new NlkitInputError(`invalid ${field} ${shown(v)} (an integer ${min}..${max})`, field);
  return v;
}

export function boolOpt(v: unknown, field: string): boolean {
  if (typeof v !== "boolean") throw new NlkitInputError(`${field} must be true or false`, field);
  return v;
}

/** A word out of a fixed list, to its number. */
export function wordOpt<T extends Record<string, number>>(v: unknown, words: T, field: string): number {
  if (typeof v === "string" && Object.prototype.hasOwnProperty.call(words, v)) return words[v]!;
  throw new NlkitInputError(`invalid ${field} ${shown(v)} (expected ${Object.keys(words).join(", ")})`, field);
}

/** The word for a number in a fixed list, or the number. */
export function wordOf(words: Record<string, number>, n: number): string | number {
  for (const [k, v] of Object.entries(words)) if (v === n) return k;
  return n;
}

/** Counters and 64-bit values as JSON-safe numbers. */
export function num(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  return typeof v === "bigint" ? Number(v) : (v as number);
}

export function hexOf(b: Buffer): string {
  return b.toString("hex");
}
