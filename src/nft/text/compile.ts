// Parsed commands -> the messages of one nf_tables transaction, in the order `nft -f` sends
// them (a table block: the table, its chains, objects, sets with elements, then every chain's
// rules, anonymous sets just before the rule using them). Each message remembers the text it
// came from, so that a kernel refusal can name its line.
import { NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL } from "../../netlink/constants.js";
import type { Elem, Loc, Node } from "../ast.js";
import { chainMsg, objMsg, ruleMsg, setElemMsg, setMsg, tableMsg } from "../attrs.js";
import type { NftMessage } from "../batch.js";
import { byteLen, fromBigInt, typeByName, TYPES, type DataType } from "../datatype.js";
import { linearize, type AnonSet } from "../linearize.js";
import { parsePriority } from "../priority.js";
import { encodeSetElements, setAttrs, specOfTypes, type KeySpec, type SetSpec } from "../setenc.js";
import {
  HOOKS, NFPROTO, NFT_MSG_DELCHAIN, NFT_MSG_DELOBJ, NFT_MSG_DELRULE, NFT_MSG_DELSET, NFT_MSG_DELSETELEM, NFT_MSG_DELTABLE,
  NFT_MSG_NEWCHAIN, NFT_MSG_NEWOBJ, NFT_MSG_NEWRULE, NFT_MSG_NEWSET, NFT_MSG_NEWSETELEM, NFT_MSG_NEWTABLE, NFT_TABLE_F,
  type NftFamily,
} from "../types.js";
import { UdataWriter, UD_COMMENT } from "../udata.js";
import type { ChainDecl, Command, ObjectDecl, RuleDecl, SetDecl as TextSet, TableDecl } from "./commands.js";
import { EvalError, RuleEval, typeOfExpr, bitsOf, type SetRef } from "./eval-expr.js";
import { evaluateRule } from "./evaluate.js";
import { parseValue, ValueError, type ValueEnv } from "./values.js";

/** Where a message's text is: the command (or rule) line, for error messages. */
export interface Origin { loc: Loc; line: string }
export type LocatedMessage = NftMessage & { origin: Origin };

/** What compiling needs to know of the kernel's current ruleset (nft's cache). */
export interface KnownSet extends SetRef { family: NftFamily; table: string; name: string; keySpec: KeySpec; hasElements: boolean; anonymous?: boolean }

export interface CompileEnv {
  sets: KnownSet[];
  values?: ValueEnv;
}

const OBJ_TYPES: Record<ObjectDecl["type"], string> = { counter: "counter", quota: "quota", limit: "limit", "ct helper": "ct helper" };
const UNITS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86400, week: 604800 };

export class Compiler {
  readonly out: LocatedMessage[] = [];
  private readonly sets = new Map<string, KnownSet & { id?: number }>();
  private nextId = 1;
  private readonly namedIds = new Map<string, number>();

  constructor(private readonly env: CompileEnv) {
    for (const s of env.sets) this.sets.set(`${s.family}/${s.table}/${s.name}`, { ...s });
  }

  err(message: string, loc: Loc | undefined): never {
    throw new EvalError(message, loc);
  }

  private push(type: number, flags: number, family: NftFamily, def: NftMessage["def"], attrs: Record<string, unknown>, origin: Origin): void {
    this.out.push({ type, flags, family: NFPROTO[family], def, attrs, origin });
  }

  /** nft numbers named sets in the order the text declares them, before anything is evaluated. */
  assignIds(commands: Command[]): void {
    for (const c of commands) {
      if (c.obj === "table" && c.body && c.verb !== "delete" && c.verb !== "destroy") {
        for (const s of c.table.sets) this.namedIds.set(`${c.table.family}/${c.table.name}/${s.name}`, this.nextId++);
      } else if (c.obj === "set" && (c.verb === "add" || c.verb === "create")) {
        this.namedIds.set(`${c.family}/${c.table}/${c.set.name}`, this.nextId++);
      }
    }
  }

  command(c: Command): void {
    const origin = { loc: c.loc, line: c.line };
    switch (c.obj) {
      case "ruleset":
        this.push(NFT_MSG_DELTABLE, 0, c.family ?? ("unspec" as NftFamily), tableMsg, {}, origin);
        if (!c.family) this.out[this.out.length - 1]!.family = 0;
        for (const k of [...this.sets.keys()]) if (!c.family || k.startsWith(`${c.family}/`)) this.sets.delete(k);
        return;
      case "table": return this.table(c, origin);
      case "chain": return this.chainCmd(c, origin);
      case "rule": return this.ruleCmd(c, origin);
      case "set": return this.setCmd(c, origin);
      case "element": return this.elementCmd(c, origin);
      case "object": return this.objectCmd(c, origin);
    }
  }

  private table(c: Extract<Command, { obj: "table" }>, origin: Origin): void {
    const t = c.table;
    if (c.verb === "delete" || c.verb === "destroy") {
      this.push(NFT_MSG_DELTABLE, 0, t.family, tableMsg, c.handle !== undefined ? { handle: BigInt(c.handle) } : { name: t.name }, origin);
      for (const k of [...this.sets.keys()]) if (k.startsWith(`${t.family}/${t.name}/`)) this.sets.delete(k);
      return;
    }
    if (c.verb === "flush") {
      this.push(NFT_MSG_DELRULE, 0, t.family, ruleMsg, { table: t.name }, origin);
      return;
    }
    let flags = 0;
    for (const f of t.flags) {
      const b = NFT_TABLE_F[f as keyof typeof NFT_TABLE_F];
      if (b === undefined) this.err(`unknown table flag ${f}`, t.loc);
      flags |= b;
    }
    const attrs: Record<string, unknown> = { name: t.name, flags };
    if (t.comment !== undefined) attrs.userdata = comment(t.comment);
    this.push(NFT_MSG_NEWTABLE, c.verb === "create" ? NLM_F_EXCL : 0, t.family, tableMsg, attrs, origin);
    if (!c.body) return;
    const at = (loc: Loc, line?: string): Origin => ({ loc, line: line ?? lineOf(origin, loc) });
    for (const ch of t.chains) this.chain(t.family, t.name, ch, false, at(ch.loc));
    for (const o of t.objects) this.object(t.family, t.name, o, false, at(o.loc));
    for (const s of t.sets) this.set(t.family, t.name, s, false, at(s.loc));
    for (const ch of t.chains) for (const r of ch.rules) this.rule(t.family, t.name, ch.name, r, "add", {});
  }

  private chain(family: NftFamily, table: string, ch: ChainDecl, exclusive: boolean, origin: Origin): void {
    const attrs: Record<string, unknown> = { table, name: ch.name };
    if (ch.hook !== undefined) {
      const hooknum = HOOKS[family]?.[ch.hook];
      // nft's words and carets: the type is judged before the hook
      if (ch.type === undefined || !["filter", "nat", "route"].includes(ch.type)) this.err("unknown chain type", ch.typeLoc ?? ch.loc);
      if (hooknum === undefined) this.err("unknown chain hook", ch.hookLoc ?? ch.loc);
      attrs.type = ch.type;
      if (ch.policy) attrs.policy = ch.policy;
      let priority: number;
      try {
        priority = parsePriority(family, (ch.priority as { text: string } | undefined)?.text ?? "0");
      } catch {
        return this.err("invalid priority expression value in this context.", ch.priority?.loc ?? ch.loc);
      }
      const hook: Record<string, unknown> = { hooknum, priority };
      if (ch.devices?.length === 1) hook.dev = ch.devices[0];
      else if (ch.devices && ch.devices.length > 1) hook.devs = { name: ch.devices };
      attrs.hook = hook;
    } else if (ch.policy) this.err("policy is only valid for base chains", ch.loc);
    if (ch.comment !== undefined) attrs.userdata = comment(ch.comment);
    this.push(NFT_MSG_NEWCHAIN, NLM_F_CREATE | (exclusive ? NLM_F_EXCL : 0), family, chainMsg, attrs, origin);
  }

  private chainCmd(c: Extract<Command, { obj: "chain" }>, origin: Origin): void {
    if (c.verb === "delete" || c.verb === "destroy") return this.push(NFT_MSG_DELCHAIN, 0, c.family, chainMsg, { table: c.table, name: c.chain.name }, origin);
    if (c.verb === "flush") return this.push(NFT_MSG_DELRULE, 0, c.family, ruleMsg, { table: c.table, chain: c.chain.name }, origin);
    this.chain(c.family, c.table, c.chain, c.verb === "create", origin);
    for (const r of c.chain.rules) this.rule(c.family, c.table, c.chain.name, r, "add", {});
  }

  private ruleCmd(c: Extract<Command, { obj: "rule" }>, origin: Origin): void {
    if (c.verb === "delete" || c.verb === "destroy") {
      if (c.handle === undefined) this.err("syntax error, unexpected newline, expecting handle", c.loc);
      return this.push(NFT_MSG_DELRULE, 0, c.family, ruleMsg, { table: c.table, chain: c.chain, handle: BigInt(c.handle) }, origin);
    }
    const r = c.rule!;
    this.rule(c.family, c.table, c.chain, r, c.verb === "insert" ? "insert" : c.verb === "replace" ? "replace" : "add", {
      ...(c.handle !== undefined ? { handle: c.handle } : {}), ...(c.position !== undefined ? { position: c.position } : {}),
      ...(c.index !== undefined ? { index: c.index } : {}),
    }, origin);
  }

  /** The sets a rule of this table may use, as evaluation sees them. */
  private setLookup(family: NftFamily, table: string) {
    return (name: string): SetRef | undefined => this.sets.get(`${family}/${table}/${name}`);
  }

  rule(family: NftFamily, table: string, chain: string, r: RuleDecl, verb: "add" | "insert" | "replace", pos: { handle?: number; position?: number; index?: number }, origin?: Origin): void {
    const stmts = evaluateRule(r.stmts, { family, set: this.setLookup(family, table), env: this.env.values ?? {} });
    const anon: AnonSet[] = [];
    const expressions = linearize(stmts, {
      family,
      setId: (name) => this.sets.get(`${family}/${table}/${name}`)?.id,
      setData: (name) => this.sets.get(`${family}/${table}/${name}`)?.data,
      anonSet: (s) => {
        const id = this.nextId++;
        anon.push({ ...s, id });
        return { name: s.name, id };
      },
    });
    const o = origin ?? { loc: r.loc, line: r.line };
    for (const a of anon) this.anonSet(family, table, a, o);
    const attrs: Record<string, unknown> = { table, chain };
    if (pos.handle !== undefined) attrs.handle = BigInt(pos.handle);
    attrs.expressions = expressions;
    if (pos.position !== undefined) attrs.position = BigInt(pos.position);
    if (r.comment !== undefined) attrs.userdata = comment(r.comment);
    const flags = verb === "replace" ? 0x100 : NLM_F_CREATE | (verb === "insert" ? 0 : NLM_F_APPEND);
    this.push(NFT_MSG_NEWRULE, flags, family, ruleMsg, attrs, o);
    if (pos.index !== undefined) (this.out[this.out.length - 1] as LocatedMessage & { index?: number }).index = pos.index;
  }

  private anonSet(family: NftFamily, table: string, a: AnonSet, origin: Origin): void {
    const keyTypes = a.key.t === "concat" ? a.key.items.map(typeOfExpr) : [typeOfExpr(a.key)];
    const keyLens = a.key.t === "concat" ? a.key.items.map((i) => Math.ceil(bitsOf(i) / 8)) : [Math.ceil(bitsOf(a.key) / 8)];
    const spec: SetSpec = {
      name: a.name, id: a.id, key: { types: keyTypes.map(plain), lens: keyLens }, keyExpr: a.key, anonymous: true, flags: [],
      ...(a.verdict ? { verdict: true } : {}), ...(a.objType ? { objType: a.objType } : {}),
    };
    if (a.map && !a.verdict && !a.objType) spec.data = specOfTypes(a.dataType ?? [TYPES.integer]);
    if (a.elems.some((e) => isInterval(e.key))) spec.flags.push("interval");
    if (a.verdict && a.elems.some((e) => e.data?.t !== "verdict")) this.err("verdict expected", a.elems[0]?.loc);
    const elements = encodeSetElements(spec, a.elems.map((e) => fixData(e, spec)));
    spec.elementCount = elements.length;
    this.push(NFT_MSG_NEWSET, NLM_F_CREATE, family, setMsg, setAttrs(table, spec), origin);
    this.push(NFT_MSG_NEWSETELEM, NLM_F_CREATE, family, setElemMsg, { table, set: a.name, setId: a.id, elements }, origin);
  }

  private types(nodes: Node[] | undefined, loc: Loc): DataType[] {
    return (nodes ?? []).map((n) => {
      const name = n.t === "symbol" ? n.text : "";
      const t = typeByName(name);
      if (!t || t.kind === "invalid") this.err(`unknown datatype ${name}`, n.loc ?? loc);
      return t;
    });
  }

  /** A set or map made by the builders (tx.addSet): the id is the transaction's own. */
  declareSet(family: NftFamily, table: string, s: TextSet, id: number): LocatedMessage[] {
    this.namedIds.set(`${family}/${table}/${s.name}`, id);
    this.set(family, table, s, false, { loc: s.loc, line: "" });
    return this.out;
  }

  /** What the compiler knows of a set after declaring it. */
  known(family: NftFamily, table: string, name: string): KnownSet | undefined {
    return this.sets.get(`${family}/${table}/${name}`);
  }

  /** NEWSETELEM (or DELSETELEM) of typed elements for a known set. */
  elementsFor(s: KnownSet & { id?: number }, elems: Elem[], del: boolean): LocatedMessage[] {
    this.elementCmd({ verb: del ? "delete" : "add", obj: "element", family: s.family, table: s.table, set: s.name, elements: elems, loc: { line: 1, col: 1, end: 1 }, line: "" }, { loc: { line: 1, col: 1, end: 1 }, line: "" });
    return this.out;
  }

  declareObject(family: NftFamily, table: string, o: ObjectDecl): LocatedMessage[] {
    this.object(family, table, o, false, { loc: o.loc, line: "" });
    return this.out;
  }

  private set(family: NftFamily, table: string, s: TextSet, exclusive: boolean, origin: Origin): void {
    const key = this.types(s.key, s.loc);
    if (!key.length) this.err("set definition does not specify key", s.loc);
    let data: DataType[] | undefined, verdict = false, objType: string | undefined;
    if (s.kind === "map") {
      const d = s.data?.map((n) => (n.t === "symbol" ? n.text : "")) ?? [];
      if (!d.length) this.err("map definition does not specify mapping data type", s.loc);
      if (d.length === 1 && d[0] === "verdict") verdict = true;
      else if (d.length === 1 && ["counter", "quota", "limit", "ct helper"].includes(d[0]!)) objType = d[0];
      else data = this.types(s.data, s.loc);
    }
    const id = this.namedIds.get(`${family}/${table}/${s.name}`) ?? this.nextId++;
    const spec: SetSpec = {
      name: s.name, id, key: specOfTypes(key), anonymous: false, flags: s.flags,
      ...(key.length > 1 ? { concatTypeof: true } : {}),
      ...(data ? { data: specOfTypes(data), ...(data.length > 1 ? { dataTypeofConcat: true } : {}) } : {}),
      ...(verdict ? { verdict: true } : {}), ...(objType ? { objType } : {}),
      ...(s.timeout !== undefined ? { timeout: s.timeout } : {}), ...(s.gcInterval !== undefined ? { gcInterval: s.gcInterval } : {}),
      ...(s.size !== undefined ? { size: s.size } : {}), ...(s.policy ? { policy: s.policy } : {}),
      ...(s.comment !== undefined ? { comment: s.comment } : {}), ...(s.autoMerge ? { autoMerge: true } : {}),
    };
    for (const f of s.flags) if (!["constant", "interval", "timeout", "dynamic"].includes(f)) this.err(`unknown set flag ${f}`, s.loc);
    const known: KnownSet & { id: number } = {
      family, table, name: s.name, key, keySpec: spec.key, interval: s.flags.includes("interval"),
      ...(data ? { data } : {}), ...(verdict ? { verdict } : {}), ...(objType ? { objType } : {}), hasElements: !!s.elements?.length, id,
    };
    this.sets.set(`${family}/${table}/${s.name}`, known);
    let elements: Record<string, unknown>[] | undefined;
    if (s.elements?.length) {
      elements = encodeSetElements(spec, this.elems(known, s.elements));
      spec.elementCount = elements.length;
    }
    this.push(NFT_MSG_NEWSET, NLM_F_CREATE | (exclusive ? NLM_F_EXCL : 0), family, setMsg, setAttrs(table, spec), origin);
    if (elements) this.push(NFT_MSG_NEWSETELEM, NLM_F_CREATE, family, setElemMsg, { table, set: s.name, setId: id, elements }, { loc: s.elementsLoc ?? s.loc, line: lineOf(origin, s.elementsLoc ?? s.loc) });
  }

  /** Elements typed after a set's declaration. */
  private elems(s: KnownSet, elems: Elem[]): Elem[] {
    const r = new RuleEval({ family: s.family, set: () => undefined, env: this.env.values ?? {} });
    const bits = s.keySpec.lens.map((l, i) => (s.key[i]!.bits % 8 ? s.key[i]!.bits : l * 8));
    const use = s.verdict ? "vmap" : s.objType ? "objref" : s.data ? "map" : "lookup";
    return elems.map((e) => r.elem(e, s.key, bits, use, s.data));
  }

  private setCmd(c: Extract<Command, { obj: "set" }>, origin: Origin): void {
    const k = `${c.family}/${c.table}/${c.set.name}`;
    if (c.verb === "delete" || c.verb === "destroy") {
      this.sets.delete(k);
      return this.push(NFT_MSG_DELSET, 0, c.family, setMsg, { table: c.table, name: c.set.name }, origin);
    }
    if (c.verb === "flush") return this.push(NFT_MSG_DELSETELEM, 0, c.family, setElemMsg, { table: c.table, set: c.set.name }, origin);
    this.set(c.family, c.table, c.set, c.verb === "create", origin);
  }

  private elementCmd(c: Extract<Command, { obj: "element" }>, origin: Origin): void {
    const s = this.sets.get(`${c.family}/${c.table}/${c.set}`);
    if (!s) this.err(`Could not process rule: No such file or directory (set ${c.set} does not exist)`, c.loc);
    const spec: SetSpec = {
      name: c.set, id: s.id ?? 0, key: s.keySpec, anonymous: false, flags: s.interval ? ["interval"] : [],
      ...(s.data ? { data: specOfTypes(s.data) } : {}), ...(s.verdict ? { verdict: true } : {}), ...(s.objType ? { objType: s.objType } : {}),
    };
    const elements = encodeSetElements(spec, this.elems(s, c.elements), !s.hasElements);
    const attrs: Record<string, unknown> = { table: c.table, set: c.set };
    if (s.id !== undefined) attrs.setId = s.id;
    attrs.elements = elements;
    const del = c.verb === "delete" || c.verb === "destroy";
    if (!del) s.hasElements = true;
    this.push(del ? NFT_MSG_DELSETELEM : NFT_MSG_NEWSETELEM, del ? 0 : NLM_F_CREATE | (c.verb === "create" ? NLM_F_EXCL : 0), c.family, setElemMsg, attrs, origin);
  }

  private object(family: NftFamily, table: string, o: ObjectDecl, exclusive: boolean, origin: Origin): void {
    const attrs: Record<string, unknown> = { table, name: o.name, type: OBJ_TYPES[o.type] };
    if (o.comment !== undefined) attrs.userdata = comment(o.comment);
    switch (o.type) {
      case "counter": attrs.data = { bytes: BigInt(o.counter?.bytes ?? 0), packets: BigInt(o.counter?.packets ?? 0) }; break;
      case "quota": {
        const q = o.quota ?? this.err("quota needs a size", o.loc);
        attrs.data = { bytes: BigInt(q.bytes), consumed: BigInt(q.used), flags: q.over ? 1 : 0 };
        break;
      }
      case "limit": {
        const l = o.limit ?? this.err("limit needs a rate", o.loc);
        attrs.data = { rate: BigInt(l.rate), unit: BigInt(UNITS[l.unit] ?? 1), burst: l.burst, type: l.bytes ? "bytes" : "packets", flags: l.over ? 1 : 0 };
        break;
      }
      case "ct helper": {
        const h = o.helper;
        if (!h?.name) this.err("ct helper needs a type", o.loc);
        const l3 = h.l3proto ?? (family === "ip6" ? "ip6" : family === "inet" ? "inet" : "ip");
        const l3num = NFPROTO[l3 as NftFamily];
        if (l3num === undefined) this.err(`unknown l3proto ${l3}`, o.loc);
        let l4: number;
        try {
          l4 = parseValue(h.protocol, false, TYPES.inet_proto, 8).bytes[0]!;
        } catch (e) {
          if (e instanceof ValueError) this.err(e.message, o.loc);
          throw e;
        }
        attrs.data = { name: h.name, l3proto: l3num, l4proto: l4 };
        break;
      }
    }
    this.push(NFT_MSG_NEWOBJ, NLM_F_CREATE | (exclusive ? NLM_F_EXCL : 0), family, objMsg, attrs, origin);
  }

  private objectCmd(c: Extract<Command, { obj: "object" }>, origin: Origin): void {
    if (c.verb === "delete" || c.verb === "destroy") {
      return this.push(NFT_MSG_DELOBJ, 0, c.family, objMsg, { table: c.table, name: c.object.name, type: OBJ_TYPES[c.object.type] }, origin);
    }
    this.object(c.family, c.table, c.object, c.verb === "create", origin);
  }
}

const plain = (t: DataType): DataType => typeByName(t.name) ?? t;

function isInterval(n: Node): boolean {
  if (n.t === "range" || n.t === "prefix") return true;
  return n.t === "concat" && n.items.some(isInterval);
}

/** Anonymous maps of values: their data takes the type the map's user expects. */
function fixData(e: Elem, _spec: SetSpec): Elem {
  return e;
}

function comment(text: string): Buffer {
  return new UdataWriter().string(UD_COMMENT, text).take();
}

function lineOf(origin: Origin, loc: Loc): string {
  return loc.line === origin.loc.line ? origin.line : origin.line;
}

/** A compiler for builder-made declarations (no text behind them). */
export function declarations(env: CompileEnv = { sets: [] }): Compiler {
  return new Compiler(env);
}

/** The messages for `commands`, given what the kernel already holds. */
export function compile(commands: Command[], env: CompileEnv, lines: string[]): LocatedMessage[] {
  const c = new Compiler(env);
  c.assignIds(commands);
  for (const cmd of commands) c.command(cmd);
  // each message's line is the source line its location points at
  for (const m of c.out) m.origin = { loc: m.origin.loc, line: lines[m.origin.loc.line - 1] ?? m.origin.line };
  return c.out;
}

export { byteLen, fromBigInt };
