// nft's file syntax: "table F N { ... }" blocks with chains, sets, maps and objects, and the
// add/insert/replace/delete/flush/create command forms, "define" variables, "#" comments.
// "include" is refused: apply() takes one text and reads no files.
import type { Loc, Node } from "../ast.js";
import type { NftFamily } from "../types.js";
import type { ChainDecl, Command, ObjectDecl, RuleDecl, SetDecl, TableDecl, Verb } from "./commands.js";
import { Cursor, NftSyntaxError } from "./cursor.js";
import { setElements, timeValue, valueAtom } from "./expr.js";
import { lex, LexError, type Token } from "./lexer.js";
import { limitBody, parseStatements, quotaBody } from "./stmt.js";

const FAMILIES = new Set(["ip", "ip6", "inet", "arp", "bridge", "netdev"]);
const VERBS = new Set(["add", "create", "insert", "replace", "delete", "destroy", "flush"]);
const OBJECTS = new Set(["counter", "quota", "limit"]);

export { NftSyntaxError };

export interface ParseResult {
  commands: Command[];
  lines: string[];
}

/** Parses nft text; throws NftSyntaxError (with the location) at the first error, as nft stops. */
export function parseNft(text: string): ParseResult {
  let toks: Token[];
  try {
    toks = lex(text);
  } catch (e) {
    if (e instanceof LexError) throw new NftSyntaxError(e.message, e.loc);
    throw e;
  }
  const p = new Parser(new Cursor(toks, new Map()), text.split("\n"));
  return { commands: p.file(), lines: p.lines };
}

/** Set elements in nft's syntax, one per string ("10.0.0.0/8", "tcp . 22 : accept"). */
export function parseElements(texts: readonly string[]): import("../ast.js").Elem[] {
  let toks: Token[];
  const text = `{ ${texts.join(", ")} }`;
  try {
    toks = lex(text);
  } catch (e) {
    if (e instanceof LexError) throw new NftSyntaxError(e.message, e.loc);
    throw e;
  }
  const c = new Cursor(toks, new Map());
  const elems = setElements(c);
  if (c.peek().kind !== "eof") c.fail("end of the elements");
  return elems;
}

/** What nft's grammar expects after a block item that must end its line. */
const SEP = "newline or semicolon";

class Parser {
  constructor(private readonly c: Cursor, readonly lines: string[]) {}

  private line(loc: Loc): string {
    return this.lines[loc.line - 1] ?? "";
  }

  file(): Command[] {
    const out: Command[] = [];
    for (;;) {
      this.c.skipSeparators();
      const t = this.c.peek();
      if (t.kind === "eof") return out;
      out.push(...this.command());
      if (!this.c.atEnd() || this.c.isPunct("}")) this.c.fail("end of file or newline or semicolon");
    }
  }

  private family(): NftFamily {
    if (this.c.isWord() && FAMILIES.has(this.c.peek().text) && this.c.peek(1).kind !== "punct") return this.c.next().text as NftFamily;
    // "table ip {": a family name is also a valid table name
    if (this.c.isWord() && FAMILIES.has(this.c.peek().text) && this.c.isPunct("{", 1)) return "ip";
    return "ip";
  }

  /** [family] table (the table name after an optional family). */
  private tableRef(): { family: NftFamily; table: string } {
    const family = this.family();
    return { family, table: this.c.name("table name").text };
  }

  private command(): Command[] {
    const c = this.c;
    const t = c.peek();
    if (t.kind !== "word") return c.fail("command");
    const loc = t.loc;
    const line = this.line(loc);
    switch (t.text) {
      case "define": case "redefine": {
        c.next();
        const name = c.word("variable name");
        c.expect("=");
        const def = c.takeDefinition();
        if (!def.length) c.fail("value");
        if (t.text === "define" && c.defines.has(name.text)) throw new NftSyntaxError(`variable '${name.text}' already defined`, name.loc);
        c.defines.set(name.text, def);
        return [];
      }
      case "undefine": {
        c.next();
        c.defines.delete(c.word("variable name").text);
        return [];
      }
      case "include":
        throw new NftSyntaxError("include is not supported: apply() reads no files; pass the included text instead", loc);
      default: break;
    }
    let verb: Verb = "add";
    if (VERBS.has(t.text)) verb = c.next().text as Verb;
    else if (["list", "reset", "rename", "describe", "monitor", "export", "import", "get"].includes(t.text)) {
      throw new NftSyntaxError(`"${t.text}" commands change nothing and are not supported here`, loc);
    }
    const base = { verb, loc, line };
    const what = c.peek();
    if (what.kind !== "word") return c.fail("table, chain, rule, set, map, element, counter, quota, limit or ct");
    switch (what.text) {
      case "ruleset": {
        c.next();
        if (verb !== "flush") c.fail(undefined, what);
        const fam = c.isWord() && FAMILIES.has(c.peek().text) ? (c.next().text as NftFamily) : undefined;
        return [{ ...base, obj: "ruleset", ...(fam ? { family: fam } : {}) }];
      }
      case "table": {
        c.next();
        const family = this.family();
        if ((verb === "delete" || verb === "destroy") && c.accept("handle")) {
          return [{ ...base, obj: "table", table: emptyTable(family, "", loc), body: false, handle: Number(c.word("number").text) }];
        }
        const name = c.name("table name");
        const table = emptyTable(family, name.text, name.loc);
        const body = c.isPunct("{");
        if (body) this.tableBody(table);
        return [{ ...base, obj: "table", table, body }];
      }
      case "chain": {
        c.next();
        const { family, table } = this.tableRef();
        const name = c.name("chain name");
        const chain: ChainDecl = { name: name.text, loc: name.loc, rules: [] };
        const body = c.isPunct("{");
        if (body) this.chainBody(chain);
        return [{ ...base, obj: "chain", family, table, chain, body }];
      }
      case "rule": {
        c.next();
        return [this.rule(base)];
      }
      case "set": case "map": {
        c.next();
        const { family, table } = this.tableRef();
        const name = c.name("set name");
        const set: SetDecl = { kind: what.text, name: name.text, loc: name.loc, flags: [] };
        const body = c.isPunct("{");
        if (body) this.setBody(set);
        return [{ ...base, obj: "set", family, table, set, body }];
      }
      case "element": {
        c.next();
        const { family, table } = this.tableRef();
        const set = c.name("set name").text;
        return [{ ...base, obj: "element", family, table, set, elements: setElements(c) }];
      }
      case "counter": case "quota": case "limit": case "ct": {
        c.next();
        let type = what.text as ObjectDecl["type"];
        if (what.text === "ct") {
          const k = c.word("helper");
          if (k.text !== "helper") throw new NftSyntaxError(`ct ${k.text} objects are not supported`, k.loc);
          type = "ct helper";
        }
        const { family, table } = this.tableRef();
        const name = c.name("object name");
        const object: ObjectDecl = { type, name: name.text, loc: name.loc };
        const body = c.isPunct("{");
        if (body) this.objectBody(object);
        return [{ ...base, obj: "object", family, table, object, body }];
      }
      case "flowtable":
        throw new NftSyntaxError("flowtables are not supported (this kernel has no nf_flow_table)", what.loc);
      default:
        // "add ip filter input tcp dport 22 accept": nft lets "rule" be left out
        return [this.rule(base)];
    }
  }

  private rule(base: { verb: Verb; loc: Loc; line: string }): Command {
    const c = this.c;
    const { family, table } = this.tableRef();
    // a keyword is no chain name ("tabel ip t": the table is "tabel", then "ip" is unexpected)
    const ct = c.peek();
    if (ct.kind === "word" && (FAMILIES.has(ct.text) || VERBS.has(ct.text) || ["table", "chain", "rule", "set", "map"].includes(ct.text))) c.fail("string");
    const chain = c.name("string").text;
    const cmd: Extract<Command, { obj: "rule" }> = { ...base, obj: "rule", family, table, chain };
    for (;;) {
      if (c.accept("handle")) cmd.handle = Number(c.word("number").text);
      else if (c.accept("position")) cmd.position = Number(c.word("number").text);
      else if (c.accept("index")) cmd.index = Number(c.word("number").text);
      else break;
    }
    if (base.verb !== "delete" && base.verb !== "destroy") {
      const start = c.peek().loc;
      const { stmts, comment } = parseStatements(c, "end of file or newline or semicolon");
      cmd.rule = { stmts, loc: start, line: base.line, ...(comment !== undefined ? { comment } : {}) };
    }
    return cmd;
  }

  /**
   * "{ items }". An item returns what nft's grammar expects after it when it must end with a
   * newline or ";" (rules, chains and sets in a table, set properties), nothing when not.
   */
  private block(item: () => string | void): void {
    const c = this.c;
    c.expect("{");
    for (;;) {
      c.skipSeparators();
      if (c.accept("}")) return;
      if (c.peek().kind === "eof") c.fail();
      const sep = item();
      if (sep) {
        const t = c.peek();
        if (t.kind !== "newline" && !(t.kind === "punct" && t.text === ";")) c.fail(sep);
      }
    }
  }

  private tableBody(t: TableDecl): void {
    const c = this.c;
    this.block(() => {
      const w = c.word("chain, set, map, flags, comment or an object");
      switch (w.text) {
        case "chain": {
          const name = c.name("chain name");
          const chain: ChainDecl = { name: name.text, loc: name.loc, rules: [] };
          this.chainBody(chain);
          t.chains.push(chain);
          return SEP;
        }
        case "set": case "map": {
          const name = c.name("set name");
          const set: SetDecl = { kind: w.text, name: name.text, loc: name.loc, flags: [] };
          this.setBody(set);
          t.sets.push(set);
          return SEP;
        }
        case "counter": case "quota": case "limit": case "ct": {
          let type = w.text as ObjectDecl["type"];
          if (w.text === "ct") {
            const k = c.word("helper");
            if (k.text !== "helper") throw new NftSyntaxError(`ct ${k.text} objects are not supported`, k.loc);
            type = "ct helper";
          }
          const name = c.name("object name");
          const o: ObjectDecl = { type, name: name.text, loc: name.loc };
          if (c.isPunct("{")) this.objectBody(o);
          t.objects.push(o);
          return SEP;
        }
        case "flags":
          do { t.flags.push(c.word("table flag").text); } while (c.accept(","));
          return SEP;
        case "comment":
          t.comment = c.name("quoted string").text;
          return SEP;
        case "flowtable":
          throw new NftSyntaxError("flowtables are not supported (this kernel has no nf_flow_table)", w.loc);
        default:
          c.fail("chain, set, map, flags, comment or an object", w);
      }
    });
  }

  private chainBody(ch: ChainDecl): void {
    const c = this.c;
    this.block(() => {
      if (c.isWord("type") && c.peek(2).text === "hook") {
        c.next();
        const type = c.word("chain type");
        ch.type = type.text;
        ch.typeLoc = type.loc;
        c.expect("hook");
        const hook = c.word("hook");
        ch.hook = hook.text;
        ch.hookLoc = hook.loc;
        if (c.accept("device")) ch.devices = [c.name("device name").text];
        else if (c.accept("devices")) {
          c.expect("=");
          ch.devices = setElements(c).map((e) => (e.key.t === "symbol" ? e.key.text : ""));
        }
        c.expect("priority");
        ch.priority = this.priority();
        return SEP;
      }
      if (c.isWord("policy") && !c.isPunct("{", 1)) {
        c.next();
        const p = c.word("accept or drop");
        if (p.text !== "accept" && p.text !== "drop") c.fail("accept or drop or '$'", p);
        ch.policy = p.text as "accept" | "drop";
        return SEP;
      }
      if (c.isWord("comment") && c.peek(1).kind === "string" && (c.peek(2).kind === "newline" || c.isPunct(";", 2) || c.isPunct("}", 2))) {
        c.next();
        ch.comment = c.next().text;
        return SEP;
      }
      const start = c.peek().loc;
      const { stmts, comment } = parseStatements(c);
      const rule: RuleDecl = { stmts, loc: start, line: this.line(start), ...(comment !== undefined ? { comment } : {}) };
      ch.rules.push(rule);
      return SEP;
    });
  }

  /** "filter", "-100", "dstnat - 10", "srcnat + 5". */
  private priority(): Node {
    const c = this.c;
    const first = valueAtom(c);
    if ((c.isWord("+") || c.isWord("-")) && c.peek(1).kind === "word") {
      const op = c.next().text;
      const n = c.word("number");
      return { t: "symbol", text: `${(first as { text: string }).text} ${op} ${n.text}`, ...(first.loc ? { loc: first.loc } : {}) };
    }
    return first;
  }

  private setBody(s: SetDecl): void {
    const c = this.c;
    this.block(() => {
      const w = c.word("set property");
      switch (w.text) {
        case "type": {
          s.key = this.typeList();
          if (c.accept(":")) {
            if (s.kind !== "map") c.fail("newline or semicolon");
            if (c.accept("interval")) s.dataInterval = true;
            s.data = this.typeList();
          }
          return "newline or semicolon or .";
        }
        case "typeof":
          throw new NftSyntaxError("typeof set declarations are not supported; declare the type (\"type ipv4_addr\")", w.loc);
        case "flags":
          do { s.flags.push(c.word("set flag").text); } while (c.accept(","));
          return "newline or semicolon or comma";
        case "timeout": s.timeout = timeValue(c); return SEP;
        case "gc-interval": s.gcInterval = timeValue(c); return SEP;
        case "size": s.size = Number(c.word("number").text); return SEP;
        case "policy": {
          const p = c.word("performance or memory");
          if (p.text !== "performance" && p.text !== "memory") c.fail("performance or memory", p);
          s.policy = p.text as "performance" | "memory";
          return SEP;
        }
        case "comment": s.comment = c.name("quoted string").text; return SEP;
        case "auto-merge": s.autoMerge = true; return;
        case "elements": {
          c.expect("=");
          s.elementsLoc = c.peek().loc;
          s.elements = setElements(c);
          return;
        }
        default: c.fail("set property", w);
      }
    });
  }

  /** "ipv4_addr . inet_service" as symbols, one per component. */
  private typeList(): Node[] {
    const c = this.c;
    const atom = (): Node => {
      const t = c.name("type");
      return { t: "symbol", text: t.text, loc: t.loc };
    };
    const out: Node[] = [atom()];
    while (c.accept(".")) out.push(atom());
    return out;
  }

  private objectBody(o: ObjectDecl): void {
    const c = this.c;
    this.block(() => {
      if (c.accept("comment")) { o.comment = c.name("quoted string").text; return; }
      switch (o.type) {
        case "counter":
          c.expect("packets");
          o.counter = { packets: Number(c.word("number").text), bytes: 0 };
          c.expect("bytes");
          o.counter.bytes = Number(c.word("number").text);
          return;
        case "quota": o.quota = quotaBody(c); return;
        case "limit":
          c.expect("rate");
          o.limit = limitBody(c);
          return;
        case "ct helper": {
          if (c.accept("type")) {
            const name = c.name("helper name").text;
            c.expect("protocol");
            o.helper = { ...o.helper, name, protocol: c.word("protocol").text };
            return;
          }
          if (c.accept("l3proto")) {
            o.helper = { name: "", protocol: "", ...o.helper, l3proto: c.word("family").text };
            return;
          }
          c.fail("type or l3proto");
        }
      }
    });
  }
}

function emptyTable(family: NftFamily, name: string, loc: Loc): TableDecl {
  return { family, name, loc, flags: [], chains: [], sets: [], objects: [] };
}

