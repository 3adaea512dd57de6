// The meaning of a rule, between the kernel's expression list and nft's text: statements made
// of expressions, as nft itself models them. Reading goes kernel -> AST -> text
// (delinearize.ts, print.ts); writing goes text -> AST -> kernel (text/*, linearize.ts).
import type { Const, DataType } from "./datatype.js";
import type { Base } from "./proto.js";

/** Where a node came from in nft text (1-based line and column), for error messages. */
export interface Loc { line: number; col: number; end: number }

export type Node =
  /** A header field; `proto`/`field` unset for a raw load ("@nh,96,32"). */
  | { t: "payload"; base: Base; offset: number; bits: number; proto?: string; field?: string; type: DataType; loc?: Loc }
  | { t: "meta"; key: string; type: DataType; loc?: Loc }
  | { t: "ct"; key: string; dir?: "original" | "reply"; type: DataType; loc?: Loc }
  | { t: "numgen"; mode: "inc" | "random"; mod: number; offset: number; type: DataType; loc?: Loc }
  | { t: "hash"; kind: "jhash" | "symhash"; expr?: Node; mod: number; seed?: number; offset: number; type: DataType; loc?: Loc }
  | { t: "fib"; flags: string[]; result: "oif" | "oifname" | "type"; type: DataType; loc?: Loc }
  | { t: "rt"; key: string; type: DataType; loc?: Loc }
  | { t: "concat"; items: Node[]; loc?: Loc }
  /** A host/network byte order conversion nft puts before ranges and lookups of host-order keys. */
  | { t: "byteorder"; op: "hton" | "ntoh"; arg: Node; loc?: Loc }
  | { t: "binop"; op: "&" | "|" | "^" | "<<" | ">>"; left: Node; right: Node; loc?: Loc }
  /** "tcp dport map @m" / "ip saddr map { ... }": a value looked up by key. */
  | { t: "map"; key: Node; set: Node; loc?: Loc }
  | { t: "value"; c: Const; loc?: Loc }
  /** Parser output not yet given a type ("tcp", "22", "10.0.0.1"); `quoted` for "...". */
  | { t: "symbol"; text: string; quoted?: boolean; loc?: Loc }
  | { t: "variable"; name: string; loc?: Loc }
  | { t: "prefix"; value: Node; len: number; loc?: Loc }
  | { t: "range"; lo: Node; hi: Node; loc?: Loc }
  /** Flag lists: "established,related", "syn,ack". */
  | { t: "list"; items: Node[]; loc?: Loc }
  /** An anonymous set or map: "{ 22, 80 }", "{ 1 : accept }". */
  | { t: "set"; elems: Elem[]; loc?: Loc }
  | { t: "setref"; name: string; loc?: Loc }
  | { t: "verdict"; code: VerdictCode; chain?: string; loc?: Loc }
  /** A map's data that names an object ("c_web"). */
  | { t: "objname"; name: string; loc?: Loc };

export type VerdictCode = "accept" | "drop" | "continue" | "return" | "jump" | "goto" | "queue" | "stolen" | "repeat" | "stop" | "break";

export interface Elem {
  key: Node;
  data?: Node;
  /** Milliseconds. */
  timeout?: number;
  expires?: number;
  comment?: string;
  /** Per-element statements ("counter packets 0 bytes 0"). */
  stmts?: Stmt[];
  loc?: Loc;
}

export type RelOp = "==" | "!=" | "<" | "<=" | ">" | ">=" | "implicit" | "neg";

export type Stmt =
  | { s: "match"; op: RelOp; left: Node; right: Node; loc?: Loc }
  /** "tcp flags syn / fin,syn,rst,ack": (left & mask) op value, printed as value / mask. */
  | { s: "flagcmp"; op: RelOp; left: Node; mask: Node; value: Node; loc?: Loc }
  | { s: "verdict"; v: Extract<Node, { t: "verdict" }>; loc?: Loc }
  | { s: "vmap"; key: Node; map: Node; loc?: Loc }
  | { s: "counter"; packets?: number; bytes?: number; loc?: Loc }
  | { s: "log"; prefix?: string; level?: string; group?: number; snaplen?: number; qthreshold?: number; flags?: string[]; loc?: Loc }
  | { s: "limit"; rate: number; unit: string; burst?: number; bytes: boolean; over: boolean; loc?: Loc }
  | { s: "quota"; bytes: number; used: number; over: boolean; loc?: Loc }
  | { s: "reject"; type?: "icmp" | "icmpv6" | "icmpx" | "tcp reset"; code?: number; codeName?: string; loc?: Loc }
  | { s: "nat"; type: "snat" | "dnat" | "masquerade" | "redirect"; family?: "ip" | "ip6"; addr?: Node; proto?: Node; flags: string[]; loc?: Loc }
  | { s: "meta set"; key: string; value: Node; loc?: Loc }
  | { s: "ct set"; key: string; dir?: "original" | "reply"; value: Node; loc?: Loc }
  | { s: "payload set"; left: Extract<Node, { t: "payload" }>; value: Node; loc?: Loc }
  | { s: "notrack"; loc?: Loc }
  | { s: "dynset"; op: "add" | "update" | "delete"; set: string; key: Node; timeout?: number; stmts?: Stmt[]; loc?: Loc }
  /** "counter name c", "quota name q", "ct helper set h", or through a map ("counter name tcp dport map @m"). */
  | { s: "objref"; type: string; name?: string; key?: Node; map?: Node; loc?: Loc }
  | { s: "connlimit"; count: number; over: boolean; loc?: Loc }
  | { s: "queue"; num?: number; total?: number; flags: string[]; loc?: Loc }
  /** Something nlkit could not turn into nft text (kept so that nothing is silently lost). */
  | { s: "unknown"; name: string; loc?: Loc };

export const isConst = (n: Node): n is Extract<Node, { t: "value" }> => n.t === "value";
