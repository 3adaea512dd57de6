// A token cursor with nft's variables ($NAME expands to what `define NAME = ...` said) and
// nft-like syntax errors: "syntax error, unexpected X, expecting Y" at a line and column.
import type { Loc } from "../ast.js";
import type { Token } from "./lexer.js";

/** Words nft's scanner reads as keywords; an unexpected one is named by its text, other words are "string". */
const KEYWORDS = new Set([
  "table", "chain", "set", "map", "rule", "element", "elements", "counter", "quota", "limit", "ct", "meta", "type", "hook",
  "priority", "policy", "device", "devices", "flags", "comment", "add", "create", "insert", "replace", "delete", "destroy",
  "flush", "list", "define", "include", "accept", "drop", "continue", "return", "jump", "goto", "queue", "log", "reject",
  "snat", "dnat", "masquerade", "redirect", "notrack", "ip", "ip6", "inet", "arp", "bridge", "netdev", "tcp", "udp",
  "icmp", "icmpv6", "ether", "vlan", "th", "to", "with", "prefix", "level", "group", "rate", "burst", "over", "until",
  "timeout", "size", "handle", "position", "index", "vmap", "ruleset", "filter", "nat", "route", "fib", "numgen",
  "saddr", "daddr", "sport", "dport", "state", "mark", "iifname", "oifname", "iif", "oif", "fwd", "dup", "update",
]);

export class NftSyntaxError extends Error {
  /** A second place the error is about, underlined with "~" (nft's binary errors). */
  also?: Loc;
  constructor(message: string, readonly loc: Loc, also?: Loc) {
    super(message);
    if (also) this.also = also;
  }
}

/** Punctuation as nft's grammar names it (its %token aliases; bison strips their quotes). */
const PUNCT_NAMES: Record<string, string> = { ",": "comma", ";": "semicolon", ":": "colon" };
const CHAR_TOKENS = new Set(["{", "}", "(", ")", "[", "]", "=", "|"]);

export function describe(t: Token): string {
  switch (t.kind) {
    case "eof": return "end of file";
    case "newline": return "newline";
    case "string": return "quoted string";
    case "variable": return "variable reference";
    case "punct": return PUNCT_NAMES[t.text] ?? (CHAR_TOKENS.has(t.text) ? `'${t.text}'` : t.text);
    default:
      if (PUNCT_NAMES[t.text]) return PUNCT_NAMES[t.text]!;
      if ([".", "/", "-", "*"].includes(t.text)) return t.text;
      if (/^-?\d+$/.test(t.text)) return "number";
      return KEYWORDS.has(t.text) ? t.text : "string";
  }
}

export class Cursor {
  private pos = 0;
  private depth = 0;

  constructor(private toks: Token[], readonly defines: Map<string, Token[]>) {}

  peek(n = 0): Token {
    this.expand();
    return this.toks[Math.min(this.pos + n, this.toks.length - 1)]!;
  }

  /** The token before the cursor (the last one consumed). */
  prev(): Token | undefined {
    return this.pos > 0 ? this.toks[this.pos - 1] : undefined;
  }

  next(): Token {
    const t = this.peek();
    if (t.kind !== "eof") this.pos++;
    return t;
  }

  /** $NAME is replaced by the tokens of its definition, keeping their own locations. */
  private expand(): void {
    for (let guard = 0; guard < 100; guard++) {
      const t = this.toks[this.pos];
      if (!t || t.kind !== "variable") return;
      const def = this.defines.get(t.text);
      if (!def) throw new NftSyntaxError(`unknown identifier '${t.text}'`, t.loc);
      this.toks = [...this.toks.slice(0, this.pos), ...def.map((d) => ({ ...d, loc: t.loc })), ...this.toks.slice(this.pos + 1)];
    }
    throw new NftSyntaxError("variable definitions refer to each other in a loop", this.toks[this.pos]!.loc);
  }

  /** The tokens of a definition's value, up to the end of the line (braces may span lines). */
  takeDefinition(): Token[] {
    const out: Token[] = [];
    let depth = 0;
    for (;;) {
      const t = this.toks[this.pos]!;
      if (t.kind === "eof") break;
      if (depth === 0 && (t.kind === "newline" || (t.kind === "punct" && t.text === ";"))) break;
      if (t.kind === "punct" && t.text === "{") depth++;
      if (t.kind === "punct" && t.text === "}") depth--;
      this.pos++;
      if (t.kind === "newline") continue;
      out.push(t);
    }
    return out;
  }

  isWord(text?: string, n = 0): boolean {
    const t = this.peek(n);
    return t.kind === "word" && (text === undefined || t.text === text);
  }

  isPunct(text: string, n = 0): boolean {
    const t = this.peek(n);
    return t.kind === "punct" && t.text === text;
  }

  /** End of a statement list: newline, ";", "}" or end of file. */
  atEnd(): boolean {
    const t = this.peek();
    return t.kind === "newline" || t.kind === "eof" || (t.kind === "punct" && (t.text === ";" || t.text === "}"));
  }

  accept(text: string): boolean {
    const t = this.peek();
    if ((t.kind === "word" || t.kind === "punct") && t.text === text) {
      this.pos++;
      return true;
    }
    return false;
  }

  fail(expecting?: string, t: Token = this.peek()): never {
    throw new NftSyntaxError(`syntax error, unexpected ${describe(t)}${expecting ? `, expecting ${expecting}` : ""}`, t.loc);
  }

  expect(text: string, expecting = CHAR_TOKENS.has(text) ? `'${text}'` : PUNCT_NAMES[text] ?? text): Token {
    const t = this.peek();
    if ((t.kind === "word" || t.kind === "punct") && t.text === text) return this.next();
    return this.fail(expecting);
  }

  /** A name: a word or a quoted string. */
  name(expecting = "string"): Token {
    const t = this.peek();
    if (t.kind === "word" || t.kind === "string") return this.next();
    return this.fail(expecting);
  }

  word(expecting = "string"): Token {
    const t = this.peek();
    if (t.kind === "word") return this.next();
    return this.fail(expecting);
  }

  skipSeparators(): void {
    for (;;) {
      const t = this.peek();
      if (t.kind === "newline" || (t.kind === "punct" && t.text === ";")) this.pos++;
      else return;
    }
  }

  /** Nested braces, for block bodies. */
  enter(): void { this.depth++; }
  leave(): void { this.depth--; }
}
