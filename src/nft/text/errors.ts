// Errors in nft's own format: "FILE:LINE:COL-END: Error: MESSAGE", the line, and carets under
// the offending part (tabs kept, so the carets line up in a terminal).
import { NetlinkError, NlkitInputError } from "../../netlink/errors.js";
import type { Loc } from "../ast.js";

/**
 * Where in the nft text an error is (`error.location` of the `NlkitInputError` or `NetlinkError`
 * `nft.apply()` throws): file, line, columns and the token (syntax and type errors only).
 *
 * @example
 * ```ts
 * const err = await nft.apply("add rule inet fw input tcp dprt 22 accept", { filename: "fw.nft" }).catch((e: unknown) => e);
 * const loc = (err as { location?: NftSourceLocation }).location;
 * console.log(loc);   // { file: 'fw.nft', line: 1, column: 28, endColumn: 31, token: 'dprt' }
 * ```
 */
export interface SourceLocation {
  /** The file name the error names: ApplyOptions' `filename`, or "<input>". */
  file: string;
  /** The line, from 1. */
  line: number;
  /** The first column marked, from 1 (a tab counts as one column). */
  column: number;
  /** The last column marked, inclusive (equal to `column` for a one-character mark). */
  endColumn: number;
  /** The offending token's text, when there is one. */
  token?: string;
}

/** The three lines nft prints for an error at `loc` (and "~" under `also`, on the same line). */
export function formatAt(file: string, loc: Loc, source: string, message: string, also?: Loc): string {
  const marks: string[] = [];
  const mark = (l: Loc, ch: string) => {
    for (let i = 0; i < l.col - 1; i++) marks[i] ??= source[i] === "\t" ? "\t" : " ";
    for (let i = l.col - 1; i < Math.max(l.col, l.end); i++) marks[i] = ch;
  };
  if (also && also.line === loc.line) mark(also, "~");
  mark(loc, "^");
  const under = Array.from(marks, (m, i) => m ?? (source[i] === "\t" ? "\t" : " ")).join("");
  return `${file}:${loc.line}:${loc.col}-${loc.end}: Error: ${message}\n${source}\n${under}`;
}

export type LocatedInputError = NlkitInputError & { location: SourceLocation };
export type LocatedNetlinkError = NetlinkError & { location: SourceLocation };

export function inputError(file: string, loc: Loc | undefined, lines: string[], message: string, also?: Loc): LocatedInputError {
  const l = loc ?? { line: 1, col: 1, end: 1 };
  const source = lines[l.line - 1] ?? "";
  const e = new NlkitInputError(formatAt(file, l, source, message, also), "text") as LocatedInputError;
  const token = source.slice(l.col - 1, l.end);
  e.location = { file, line: l.line, column: l.col, endColumn: l.end, ...(token ? { token } : {}) };
  return e;
}

/**
 * A kernel refusal, reworded as nft words it and pointed at the text the message came from: the
 * name the refused attribute carries (a table or chain that does not exist, as nft points at it)
 * when `word` is found on the line, else the whole command or rule.
 */
export function locateKernelError(err: NetlinkError, file: string, loc: Loc, source: string, word?: string, wording?: string): LocatedNetlinkError {
  const end = source.replace(/\s+$/, "").length;
  let l: Loc = { line: loc.line, col: loc.col, end: Math.max(loc.col, end) };
  if (word) {
    const re = new RegExp(`(^|[\\s{])(${word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")})(?=$|[\\s;{}])`, "g");
    re.lastIndex = Math.max(0, loc.col - 1);
    const m = re.exec(source);
    if (m) {
      const col = m.index + m[1]!.length + 1;
      l = { line: loc.line, col, end: col + word.length - 1 };
    }
  }
  const e = err as LocatedNetlinkError;
  // nft's own wording when it has one, followed by the library's "(ENOENT, NFT_MSG_..., ...)" detail
  const detail = / \(E[A-Z0-9]+(, [^)]*)?\)$/.exec(err.message)?.[0] ?? "";
  e.message = formatAt(file, l, source, wording ? wording + detail : err.message.replace(/^Error: /, ""));
  e.location = { file, line: l.line, column: l.col, endColumn: l.end };
  return e;
}
