// What a parsed nft file says: commands in order, each with the source location it came from.
import type { Elem, Loc, Node, Stmt } from "../ast.js";
import type { NftFamily } from "../types.js";

export type Verb = "add" | "create" | "insert" | "replace" | "delete" | "destroy" | "flush";

export interface ChainDecl {
  name: string;
  loc: Loc;
  /** Base chains: */
  type?: string;
  typeLoc?: Loc;
  hook?: string;
  hookLoc?: Loc;
  devices?: string[];
  priority?: Node;
  policy?: "accept" | "drop";
  comment?: string;
  rules: RuleDecl[];
}

export interface RuleDecl {
  stmts: Stmt[];
  comment?: string;
  loc: Loc;
  /** The source line, for error messages. */
  line: string;
}

export interface SetDecl {
  kind: "set" | "map";
  name: string;
  loc: Loc;
  key?: Node[];
  /** Map data: types, "verdict", or an object type. */
  data?: Node[];
  dataInterval?: boolean;
  flags: string[];
  timeout?: number;
  gcInterval?: number;
  size?: number;
  policy?: "performance" | "memory";
  comment?: string;
  autoMerge?: boolean;
  elements?: Elem[];
  elementsLoc?: Loc;
}

export interface ObjectDecl {
  type: "counter" | "quota" | "limit" | "ct helper";
  name: string;
  loc: Loc;
  comment?: string;
  counter?: { packets: number; bytes: number };
  quota?: { bytes: number; used: number; over: boolean };
  limit?: { rate: number; unit: string; burst: number; bytes: boolean; over: boolean };
  helper?: { name: string; protocol: string; l3proto?: string };
}

export interface TableDecl {
  family: NftFamily;
  name: string;
  loc: Loc;
  flags: string[];
  comment?: string;
  chains: ChainDecl[];
  sets: SetDecl[];
  objects: ObjectDecl[];
}

interface Base { verb: Verb; loc: Loc; line: string }

export type Command =
  | (Base & { obj: "ruleset"; family?: NftFamily })
  | (Base & { obj: "table"; table: TableDecl; body: boolean; handle?: number })
  | (Base & { obj: "chain"; family: NftFamily; table: string; chain: ChainDecl; body: boolean })
  | (Base & { obj: "rule"; family: NftFamily; table: string; chain: string; rule?: RuleDecl; handle?: number; position?: number; index?: number })
  | (Base & { obj: "set"; family: NftFamily; table: string; set: SetDecl; body: boolean })
  | (Base & { obj: "element"; family: NftFamily; table: string; set: string; elements: Elem[] })
  | (Base & { obj: "object"; family: NftFamily; table: string; object: ObjectDecl; body: boolean });
