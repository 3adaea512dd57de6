import type { AttrSet } from "../../../netlink/attrs.js";
import { tcaAttrs, tcMessage } from "../table.js";
import { bpf } from "./bpf.js";
import { flower } from "./flower.js";
import type { FilterKindDef } from "./kind.js";
import { matchall } from "./matchall.js";
import { u32 } from "./u32.js";

/** Every classifier nlkit encodes and decodes, by TCA_KIND. */
export const filterKinds: ReadonlyMap<string, FilterKindDef> = new Map([u32, bpf, matchall, flower].map((k) => [k.kind, k]));

const choices: Record<string, AttrSet> = {};
for (const k of filterKinds.values()) choices[k.kind] = k.options;

export const filterAttrs = tcaAttrs("filter", choices);
export const filterMessage = tcMessage("tcmsg filter", filterAttrs);
