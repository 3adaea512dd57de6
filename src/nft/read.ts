// Reading the ruleset from the kernel: one dump per object kind, repeated until the ruleset
// generation is the same before and after, so that the pieces belong together.
import { encodeAttrs } from "../netlink/attrs.js";
import { DumpInterruptedError } from "../netlink/errors.js";
import { decodeMessage, type MessageDef } from "../netlink/message.js";
import type { NetlinkSocket, Request } from "../netlink/socket.js";
import { encodeStruct } from "../netlink/struct.js";
import { chainMsg, genMsg, objMsg, ruleMsg, setElemMsg, setMsg, tableMsg } from "./attrs.js";
import { assembleRuleset, type AssembleOptions, type DumpMsg, type NftRuleset, type RulesetMessages } from "./ruleset.js";
import {
  NFPROTO, NFT_MSG_GETCHAIN, NFT_MSG_GETGEN, NFT_MSG_GETOBJ, NFT_MSG_GETRULE, NFT_MSG_GETSET, NFT_MSG_GETSETELEM,
  NFT_MSG_GETTABLE, NFNETLINK_V0, type NftFamily,
} from "./types.js";

function dumpReq(type: number, family: number, def: MessageDef, attrs?: Record<string, unknown>): Request {
  return {
    type, def,
    encode: (w) => {
      encodeStruct(w, def.header, { family, version: NFNETLINK_V0, resId: 0 });
      if (attrs) encodeAttrs(w, def.attrs, attrs);
    },
  };
}

function decoder(def: MessageDef) {
  return (buf: Buffer, start: number, len: number): DumpMsg => {
    const m = decodeMessage(buf, start, len, def);
    return { family: Number(m.header.family), attrs: m.attrs as Record<string, any> };
  };
}

const num = (v: unknown) => (typeof v === "bigint" ? Number(v) : (v as number | undefined) ?? 0);

/**
 * The ruleset changed under every read (its generation moved between the first and the last
 * dump each time). `ruleset` is the last read, possibly a mix of two generations.
 *
 * @example
 * ```ts
 * const rs = await nft.ruleset().catch((e: unknown) => {
 *   if (!(e instanceof RulesetChangedError)) throw e;
 *   console.warn(e.generations);   // [ [ 41, 42 ], [ 42, 43 ], [ 43, 44 ] ]: three reads, each raced by a commit
 *   return e.ruleset;
 * });
 * console.log(renderRuleset(rs));
 * ```
 */
export class RulesetChangedError extends DumpInterruptedError<NftRuleset> {
  override readonly name: string = "RulesetChangedError";
  /** Each read's ruleset generation before and after its dumps (NFT_MSG_GETGEN), one pair per attempt. */
  readonly generations: Array<[number, number]>;
  constructor(ruleset: NftRuleset, generations: Array<[number, number]>) {
    super([ruleset], generations.length);
    this.message = `the nf_tables ruleset changed while it was read, ${generations.length} times in a row (generations ${generations.map(([a, b]) => `${a}->${b}`).join(", ")})`;
    this.generations = generations;
  }
  /** The last read's ruleset, whose parts may come from two generations. */
  get ruleset(): NftRuleset { return this.messages[0]!; }
}

/** The ruleset generation: every committed transaction moves it on (NFT_MSG_GETGEN). */
export async function readGeneration(sock: NetlinkSocket): Promise<number> {
  const [m] = await sock.request({ ...dumpReq(NFT_MSG_GETGEN, 0, genMsg), reply: true }, decoder(genMsg));
  return num(m?.attrs.id);
}

export interface ReadOptions extends AssembleOptions {
  attempts?: number;
  /** Called with the messages before they are assembled (to fetch what rendering needs, e.g. link names). */
  prepare?(parts: RulesetMessages): Promise<AssembleOptions | void> | AssembleOptions | void;
}

/**
 * Reads tables, chains, sets with their elements, objects and rules; `family` limits it to one
 * family. They come from separate dumps, so the read is repeated (up to `attempts` times) until
 * the ruleset generation is the same before and after.
 */
export async function readRuleset(sock: NetlinkSocket, family?: NftFamily, opts: ReadOptions = {}): Promise<NftRuleset> {
  const attempts = opts.attempts ?? 3;
  const seen: Array<[number, number]> = [];
  for (;;) {
    const before = await readGeneration(sock);
    const parts = await readOnce(sock, family);
    const after = await readGeneration(sock);
    const extra = (await opts.prepare?.(parts)) ?? {};
    const rs = assembleRuleset(parts, { ...opts, ...extra });
    if (before === after) return rs;
    seen.push([before, after]);
    if (seen.length >= attempts) throw new RulesetChangedError(rs, seen);
  }
}

async function readOnce(sock: NetlinkSocket, family?: NftFamily): Promise<RulesetMessages> {
  const f = family ? NFPROTO[family] : 0;
  const tables = await sock.dump(dumpReq(NFT_MSG_GETTABLE, f, tableMsg), decoder(tableMsg));
  const chains = await sock.dump(dumpReq(NFT_MSG_GETCHAIN, f, chainMsg), decoder(chainMsg));
  const sets = await sock.dump(dumpReq(NFT_MSG_GETSET, f, setMsg), decoder(setMsg));
  const elements: DumpMsg[] = [];
  for (const s of sets) {
    // element dumps are per set
    elements.push(...await sock.dump(
      dumpReq(NFT_MSG_GETSETELEM, s.family, setElemMsg, { table: s.attrs.table, set: s.attrs.name }), decoder(setElemMsg)));
  }
  const objects = await sock.dump(dumpReq(NFT_MSG_GETOBJ, f, objMsg), decoder(objMsg));
  const rules = await sock.dump(dumpReq(NFT_MSG_GETRULE, f, ruleMsg), decoder(ruleMsg));
  return { tables, chains, sets, elements, objects, rules };
}

/** One set's flags and key type (NFT_MSG_GETSET without NLM_F_DUMP is answered by one message). */
export async function readSetInfo(sock: NetlinkSocket, family: NftFamily, table: string, set: string): Promise<{ flags: number; keyType: number }> {
  const [m] = await sock.request({ ...dumpReq(NFT_MSG_GETSET, NFPROTO[family], setMsg, { table, name: set }), reply: true }, decoder(setMsg));
  return { flags: num(m?.attrs.flags), keyType: num(m?.attrs.keyType) };
}
