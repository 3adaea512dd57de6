// Runs fuzz cases: the mutated bytes go through the framing functions, then every target that
// takes their message type (and one other, whatever the type), each result read in full and
// serialised. Findings are what was thrown other than NetlinkParseError while decoding, and
// anything thrown while reading or serialising a result.
import { forEachMessage, splitMessages } from "../../src/netlink/message.js";
import { NetlinkParseError } from "../../src/netlink/errors.js";
import { decodeLink } from "../../src/rtnl/link/decode.js";
import type { Link } from "../../src/rtnl/link/types.js";
import { decodeNftMessage, type RulesetMessages } from "../../src/nft/ruleset.js";
import type { Corpus } from "./corpus.js";
import { removeBytes } from "./frames.js";
import { mutateCase, type FuzzInput } from "./mutate.js";
import { caseRng, Rng } from "./rng.js";
import { TARGETS, type Target, type TargetContext } from "./targets.js";

export interface Finding {
  /** "rtnl.decodeAddr > decodeAddr", "rtnl.decodeLink > linkToIpJson"... */
  target: string;
  /** decode: the call threw; read: reading a property threw; json: JSON.stringify threw. */
  phase: "decode" | "read" | "json";
  error: string;
  message: string;
  /** The first stack frame in the library: where it went wrong. */
  where: string;
  /** How the target was called on the input. */
  call: string;
}

export interface Outcome {
  findings: Finding[];
  parseErrors: number;
  /** Values read (properties, array items...): a check that results were really looked at. */
  values: number;
}

export interface CaseResult extends Outcome {
  index: number;
  input: FuzzInput;
}

/** Same target, same kind of failure, same place: one finding however often it shows. */
export function signature(f: Finding): string {
  return `${f.target} | ${f.phase} | ${f.error} | ${f.where}`;
}

function whereOf(e: unknown): string {
  const stack = e instanceof Error ? e.stack ?? "" : "";
  for (const line of stack.split("\n").slice(1)) {
    const m = /(src\/[^\s:()]+):(\d+)/.exec(line);
    if (m) return `${m[1]}:${m[2]}`;
  }
  return "?";
}

function errorName(e: unknown): string {
  if (e instanceof Error) return e.constructor.name;
  return typeof e;
}

/** Where JSON.stringify meets a BigInt: ".other.map.memStart". */
function bigintPath(v: unknown, path = "", seen = new Set<object>()): string | undefined {
  if (typeof v === "bigint") return path || "(the value)";
  if (v === null || typeof v !== "object" || seen.has(v) || ArrayBuffer.isView(v)) return undefined;
  seen.add(v);
  for (const [k, x] of Object.entries(v)) {
    const p = bigintPath(x, Array.isArray(v) ? `${path}[]` : `${path}.${k}`, seen);
    if (p) return p;
  }
  return undefined;
}

/** Reads every own property (getters, symbols, non-enumerable state included), depth-first. */
function readAll(v: unknown, seen: Set<object>, depth: number): number {
  if (v === null || typeof v !== "object") return 1;
  if (seen.has(v) || depth > 64) return 0;
  seen.add(v);
  if (ArrayBuffer.isView(v)) return 1;
  let n = 1;
  if (v instanceof Map) {
    for (const [k, x] of v) n += readAll(k, seen, depth + 1) + readAll(x, seen, depth + 1);
    return n;
  }
  for (const key of Reflect.ownKeys(v)) n += readAll((v as Record<PropertyKey, unknown>)[key], seen, depth + 1);
  return n;
}

export interface FuzzerOptions {
  /** Target names (or prefixes, "nft.") left out. */
  exclude?: readonly string[];
  /** Targets (or prefixes) whose results may hold BigInt: JSON.stringify gets a replacer for them. */
  bigintJson?: readonly string[];
  /** Instead of TARGETS (the harness's own tests). */
  targets?: readonly Target[];
}

const matches = (name: string, list: readonly string[]) => list.some((e) => name === e || (e.endsWith(".") && name.startsWith(e)));

export class Fuzzer {
  readonly targets: readonly Target[];
  private readonly names: ReadonlyMap<number, string>;
  private readonly ruleset: RulesetMessages;
  private readonly bigintJson: readonly string[];

  constructor(readonly corpus: Corpus, opts: FuzzerOptions = {}) {
    const ex = opts.exclude ?? [];
    this.targets = (opts.targets ?? TARGETS).filter((t) => !matches(t.name, ex));
    this.bigintJson = opts.bigintJson ?? [];
    const names = new Map<number, string>();
    const ruleset: RulesetMessages = { tables: [], chains: [], sets: [], elements: [], rules: [], objects: [] };
    for (const m of corpus.messages) {
      if (m.type === 16 && m.fixture === "link-stats") {
        const l = decodeLink(m.bytes, 0, m.bytes.length);
        names.set(l.index, l.name);
      }
    }
    for (const b of corpus.nftRuleset) {
      const d = decodeNftMessage(b, 0, b.length);
      if (d) (ruleset[d.kind] ??= []).push(d.msg);
    }
    this.names = names;
    this.ruleset = ruleset;
  }

  /** Case `index` of `seed`: the input is made and run. */
  runCase(seed: number, index: number): CaseResult {
    const rng = caseRng(seed, index);
    const input = mutateCase(rng, this.corpus);
    return { index, input, ...this.runInput(input.bytes, rng) };
  }

  /**
   * Runs one input. `thorough`: every target on every message and every way of calling it (the
   * minimizer's predicate, which must not depend on the random choices of a case).
   */
  runInput(bytes: Buffer, rng: Rng, thorough = false): Outcome {
    const out: Outcome = { findings: [], parseErrors: 0, values: 0 };
    const links = new Map<number, Link>();
    let call = "";
    let targetName = "";
    const fail = (label: string, phase: Finding["phase"], e: unknown, where = whereOf(e)) => {
      out.findings.push({
        target: `${targetName} > ${label}`, phase, error: errorName(e), message: e instanceof Error ? e.message : String(e), where, call,
      });
    };
    const bigintOk = (v: unknown) => (typeof v === "bigint" ? `${v}n` : v);
    const ctx: TargetContext = {
      rng, names: this.names, links, ruleset: this.ruleset,
      step: <T>(label: string, fn: () => T): T | undefined => {
        let v: T;
        try {
          v = fn();
        } catch (e) {
          if (e instanceof NetlinkParseError) out.parseErrors++;
          else fail(label, "decode", e);
          return undefined;
        }
        try {
          out.values += readAll(v, new Set(), 0);
        } catch (e) {
          fail(label, "read", e);
          return v;
        }
        try {
          JSON.stringify(v, matches(targetName, this.bigintJson) ? bigintOk : undefined);
        } catch (e) {
          const path = bigintPath(v);
          fail(label, "json", e, path ? `BigInt at ${path}` : whereOf(e));
        }
        return v;
      },
    };
    // framing: the messages forEachMessage finds before it gives up are still decoded
    const messages: Array<[number, number]> = [];
    targetName = "codec";
    call = `forEachMessage(buf, ${bytes.length})`;
    ctx.step("forEachMessage", () => forEachMessage(bytes, bytes.length, (s, l) => { messages.push([s, l]); }));
    ctx.step("splitMessages", () => splitMessages(bytes));
    const calls: Array<[number, number, string]> = messages.slice(0, 4).map(([s, l], i) => [s, l, `message ${i} at (buf, ${s}, ${l})`]);
    // as a caller with its own idea of the length would: the whole buffer, or what nlmsg_len claims
    if (thorough || !messages.length || rng.chance(0.25)) calls.push([0, bytes.length, `(buf, 0, ${bytes.length})`]);
    if (bytes.length >= 4 && (thorough || rng.chance(0.05))) {
      const claimed = bytes.readUInt32LE(0);
      if (claimed <= 0x10000) calls.push([0, claimed, `(buf, 0, ${claimed}) as nlmsg_len says`]);
    }
    for (const [start, len, how] of calls) {
      call = how;
      const type = start >= 0 && bytes.length >= start + 6 ? bytes.readUInt16LE(start + 4) : -1;
      const chosen = thorough ? [...this.targets] : this.targets.filter((t) => t.accepts(type));
      if (!thorough && this.targets.length) {
        const other = rng.pick(this.targets);
        if (!chosen.includes(other)) chosen.push(other);
      }
      for (const t of chosen) {
        targetName = t.name;
        try {
          t.run(bytes, start, len, ctx);
        } catch (e) {
          // the harness's own code between steps (reading a decoded value's fields)
          fail("(between steps)", "decode", e);
        }
      }
    }
    return out;
  }

  /**
   * The smallest input (by removing byte ranges, with and without keeping the lengths that
   * enclose them consistent) that still gives a finding of the same signature.
   */
  minimize(bytes: Buffer, sig: string, budget = 3000): Buffer {
    const reproduces = (b: Buffer) => {
      if (budget-- <= 0) return false;
      return this.runInput(b, new Rng(1), true).findings.some((f) => signature(f) === sig);
    };
    if (!reproduces(bytes)) return bytes;
    let cur = bytes;
    for (let chunk = Math.max(1, cur.length >> 1); chunk >= 1; chunk >>= 1) {
      let i = 0;
      while (i < cur.length && budget > 0) {
        const to = Math.min(cur.length, i + chunk);
        const framed = removeBytes(cur, i, to);
        if (reproduces(framed)) { cur = framed; continue; }
        const raw = Buffer.concat([cur.subarray(0, i), cur.subarray(to)]);
        if (reproduces(raw)) { cur = raw; continue; }
        i += chunk;
      }
    }
    return cur;
  }
}
