// Errors in nft's own format: "FILE:LINE:COL-END: Error: MESSAGE", the line, and carets under
// the offending part (tabs kept, so the carets line up in a terminal).
import { NetlinkError, NlkitInputError } from "../../netlink/errors.js";
import type { Loc } from "../ast.js";

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  endColumn: number;
  /** The offending token's text, when there is one. */
  token?: string;
}

/** The three lines nft prints for an error at `loc`. */
export function formatAt(file: string, loc: Loc, source: string, message: string): string {
  const prefix = source.slice(0, Math.max(0, loc.col - 1)).replace(/[^\t]/g, " ");
  const width = Math.max(1, loc.end - loc.col + 1);
  return `${file}:${loc.line}:${loc.col}-${loc.end}: Error: ${message}\n${source}\n${prefix}${"^".repeat(width)}`;
}

export type LocatedInputError = NlkitInputError & { location: SourceLocation };
export type LocatedNetlinkError = NetlinkError & { location: SourceLocation };

export function inputError(file: string, loc: Loc | undefined, lines: string[], message: string): LocatedInputError {
  const l = loc ?? { line: 1, col: 1, end: 1 };
  const source = lines[l.line - 1] ?? "";
  const e = new NlkitInputError(formatAt(file, l, source, message), "text") as LocatedInputError;
  const token = source.slice(l.col - 1, l.end);
  e.location = { file, line: l.line, column: l.col, endColumn: l.end, ...(token ? { token } : {}) };
  return e;
}

/** A kernel refusal, reworded as nft words it and pointed at the text the message came from. */
export function locateKernelError(err: NetlinkError, file: string, loc: Loc, source: string): LocatedNetlinkError {
  // the whole command or rule, from its first word to the end of the line
  const end = source.replace(/\s+$/, "").length;
  const l: Loc = { line: loc.line, col: loc.col, end: Math.max(loc.col, end) };
  const e = err as LocatedNetlinkError;
  e.message = formatAt(file, l, source, err.message.replace(/^Error: /, ""));
  e.location = { file, line: l.line, column: l.col, endColumn: l.end };
  return e;
}
