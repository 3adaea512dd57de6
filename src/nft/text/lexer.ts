// Tokens of nft's ruleset language. Words are runs of anything but blanks and punctuation, so
// that addresses ("10.0.0.0/8", "fe80::1"), ranges ("1000-2000"), rates ("5/second") and
// kube-proxy's chain names ("service-X/ns/tcp/p80") are one word; the parser splits them where
// the grammar needs it. A lone "." is the concatenation operator.
import type { Loc } from "../ast.js";

export type TokenKind = "word" | "string" | "punct" | "variable" | "newline" | "eof";

export interface Token {
  kind: TokenKind;
  text: string;
  loc: Loc;
}

const PUNCT2 = ["==", "!=", "<=", ">=", "<<", ">>"];
const PUNCT1 = new Set(["{", "}", ";", ",", "=", "(", ")", "[", "]", "@", "<", ">", "!", "|", "&", "^"]);

export class LexError extends Error {
  constructor(message: string, readonly loc: Loc) {
    super(message);
  }
}

/** Splits nft text into tokens with 1-based line/column positions; "#" starts a comment. */
export function lex(text: string): Token[] {
  const out: Token[] = [];
  let line = 1, lineStart = 0, i = 0;
  const loc = (start: number, end: number): Loc => ({ line, col: start - lineStart + 1, end: end - lineStart });
  const push = (kind: TokenKind, t: string, start: number) => out.push({ kind, text: t, loc: loc(start, start + Math.max(t.length, 1)) });
  while (i < text.length) {
    const c = text[i]!;
    if (c === "\n") {
      push("newline", "\n", i);
      i++; line++; lineStart = i;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r") { i++; continue; }
    if (c === "\\" && text[i + 1] === "\n") { i += 2; line++; lineStart = i; continue; }
    if (c === "#") {
      while (i < text.length && text[i] !== "\n") i++;
      continue;
    }
    if (c === '"') {
      const end = text.indexOf('"', i + 1);
      const nl = text.indexOf("\n", i + 1);
      if (end < 0 || (nl >= 0 && nl < end)) throw new LexError("unterminated quoted string", loc(i, i + 1));
      out.push({ kind: "string", text: text.slice(i + 1, end), loc: loc(i, end + 1) });
      i = end + 1;
      continue;
    }
    if (c === "$") {
      let j = i + 1;
      while (j < text.length && /[A-Za-z0-9_]/.test(text[j]!)) j++;
      // nft points at the name, not the "$"
      out.push({ kind: "variable", text: text.slice(i + 1, j), loc: loc(i + 1, j) });
      i = j;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (PUNCT2.includes(two)) { push("punct", two, i); i += 2; continue; }
    if (PUNCT1.has(c)) { push("punct", c, i); i++; continue; }
    let j = i;
    while (j < text.length && !/[\s{};,=()[\]@<>!|&^"#$]/.test(text[j]!)) j++;
    // ":" and "/" and "-" stay inside words; a word of only ":" or "/" or "." or "-" is an operator
    push("word", text.slice(i, j), i);
    i = j;
  }
  out.push({ kind: "eof", text: "", loc: loc(i, i + 1) });
  return out;
}
