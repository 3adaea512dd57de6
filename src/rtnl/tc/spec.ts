import { NlkitInputError } from "../../netlink/errors.js";
import type { StructValue } from "../../netlink/struct.js";
import type { BuildContext } from "../context.js";
import { checkKeys, objectIn } from "../input.js";
import { encodeActions } from "./action/index.js";
import { filterKinds } from "./filter/index.js";
import { classid, ETH_P_ALL, filterParent, htons, protocolNumber, qdiscHandle, qdiscParent, TC_H_INGRESS, TC_H_ROOT } from "./handle.js";
import type { TcBuild } from "./kind.js";
import { qdiscKinds } from "./qdisc/index.js";
import type { ClassSpec, FilterSpec, QdiscSpec } from "./types.js";
import type { Psched } from "./units.js";
import { shown } from "./shown.js";

// Specs to tcmsg + TCA_* values, in the order tc writes them, so that requests equal its bytes.

export interface Parts {
  header: StructValue;
  attrs: Record<string, unknown>;
}

/** What a build needs besides device lookups: the clock, and the pinned programs already opened. */
export interface TcEnv {
  readonly psched: Psched;
  readonly pinned: ReadonlyMap<string, number>;
}

function tcBuild(b: BuildContext, env: TcEnv): TcBuild {
  return {
    psched: env.psched,
    ifindex: (dev, field) => b.ifindex(dev, field),
    pinnedFd: (path, field) => {
      const fd = env.pinned.get(path);
      if (fd === undefined) throw new NlkitInputError(`pinned program ${path} was not opened`, field);
      return fd;
    },
  };
}

const QDISC_KEYS = new Set(["dev", "parent", "handle", "kind", "ingressBlock", "egressBlock", ...qdiscKinds.keys()]);
const CLASSFUL = [...qdiscKinds.values()].filter((k) => k.encodeClass).map((k) => k.kind);
const CLASS_KEYS = new Set(["dev", "parent", "classid", "kind", ...CLASSFUL]);
const FILTER_KEYS = new Set(["dev", "parent", "protocol", "pref", "handle", "chain", "kind", "actions", ...filterKinds.keys()]);

/** The options under `kind`, refusing options given under another kind's name. */
function kindOptions(spec: Record<string, unknown>, kind: string | undefined, kinds: Iterable<string>, what: string): unknown {
  for (const k of kinds) {
    if (k !== kind && spec[k] !== undefined) {
      throw new NlkitInputError(kind === undefined ? `${k} options given without kind: "${k}"` : `${k} options given for a ${kind} ${what}`, k);
    }
  }
  return kind === undefined ? undefined : spec[kind];
}

function kindName(v: unknown, field = "kind"): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || v === "" || v.length > 15) throw new NlkitInputError(`invalid ${field} ${shown(v)}`, field);
  return v;
}

function u32In(v: unknown, field: string, max = 0xffffffff, min = 0): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) throw new NlkitInputError(`invalid ${field} ${shown(v)}`, field);
  return v;
}

/** `tc qdisc add|replace|change|del`: ingress and clsact get TC_H_INGRESS and handle ffff:, as tc gives them. */
export function qdiscParts(spec: QdiscSpec, b: BuildContext, env: TcEnv, del: boolean): Parts {
  const s = objectIn(spec, "qdisc spec", "dev") as unknown as Record<string, unknown>;
  checkKeys(s, QDISC_KEYS, "");
  if (s.dev === undefined) throw new NlkitInputError("dev is required", "dev");
  const kind = kindName(s.kind);
  const def = kind === undefined ? undefined : qdiscKinds.get(kind);
  if (kind !== undefined && !def && !del) {
    throw new NlkitInputError(`nlkit cannot encode qdisc kind "${kind}" (${[...qdiscKinds.keys()].join(", ")})`, "kind");
  }
  if (!del && kind === undefined) throw new NlkitInputError("kind is required", "kind");
  const opts = kindOptions(s, kind, qdiscKinds.keys(), "qdisc");
  if (del && opts !== undefined) throw new NlkitInputError("a qdisc delete takes no options", kind ?? "kind");
  const hook = kind === "ingress" || kind === "clsact";
  const header: StructValue = { family: 0, ifindex: 0, handle: 0, parent: 0, info: 0 };
  header.parent = s.parent !== undefined ? qdiscParent(s.parent as string, "parent") : hook ? TC_H_INGRESS : TC_H_ROOT;
  if (hook) {
    if (header.parent !== TC_H_INGRESS) throw new NlkitInputError(`a ${kind} qdisc hangs from "ingress" only`, "parent");
    header.handle = 0xffff0000;
  } else if (s.handle !== undefined) header.handle = qdiscHandle(s.handle as string, "handle");
  const attrs: Record<string, unknown> = {};
  if (kind !== undefined) attrs.kind = kind;
  if (s.ingressBlock !== undefined) attrs.ingressBlock = u32In(s.ingressBlock, "ingressBlock", 0xffffffff, 1);
  if (s.egressBlock !== undefined) attrs.egressBlock = u32In(s.egressBlock, "egressBlock", 0xffffffff, 1);
  if (def && !del) {
    const value = def.encode ? def.encode(opts, tcBuild(b, env)) : undefined;
    if (value !== undefined) attrs.options = value;
  }
  header.ifindex = b.ifindex(s.dev as string | number, "dev");
  return { header, attrs };
}

/** `tc class add|replace|change|del`. */
export function classParts(spec: ClassSpec, b: BuildContext, env: TcEnv, del: boolean): Parts {
  const s = objectIn(spec, "class spec", "dev") as unknown as Record<string, unknown>;
  checkKeys(s, CLASS_KEYS, "");
  if (s.dev === undefined) throw new NlkitInputError("dev is required", "dev");
  const kind = kindName(s.kind);
  const def = kind === undefined ? undefined : qdiscKinds.get(kind);
  if (!del) {
    if (kind === undefined) throw new NlkitInputError("kind is required", "kind");
    if (!def?.encodeClass) throw new NlkitInputError(`nlkit cannot encode classes of qdisc kind "${kind}" (classful: htb)`, "kind");
    if (s.classid === undefined) throw new NlkitInputError("classid is required", "classid");
  }
  const opts = kindOptions(s, kind, CLASSFUL, "class");
  if (del && opts !== undefined) throw new NlkitInputError("a class delete takes no options", kind ?? "kind");
  const header: StructValue = {
    family: 0, ifindex: 0,
    handle: s.classid === undefined ? 0 : classid(s.classid as string, "classid"),
    parent: s.parent === undefined ? 0 : classid(s.parent as string, "parent"),
    info: 0,
  };
  const attrs: Record<string, unknown> = {};
  if (kind !== undefined) attrs.kind = kind;
  if (def?.encodeClass && !del) {
    const value = def.encodeClass(opts, tcBuild(b, env));
    if (value !== undefined) attrs.options = value;
  }
  header.ifindex = b.ifindex(s.dev as string | number, "dev");
  return { header, attrs };
}

export type FilterOp = "add" | "replace" | "change" | "del" | "get";

/** `tc filter add|replace|change|del|get`: tcm_info is pref << 16 | the protocol in network order. */
export function filterParts(spec: FilterSpec, b: BuildContext, env: TcEnv, op: FilterOp): Parts {
  const s = objectIn(spec, "filter spec", "dev") as unknown as Record<string, unknown>;
  checkKeys(s, FILTER_KEYS, "");
  if (s.dev === undefined) throw new NlkitInputError("dev is required", "dev");
  const kind = kindName(s.kind);
  const def = kind === undefined ? undefined : filterKinds.get(kind);
  const change = op === "add" || op === "replace" || op === "change";
  if (kind !== undefined && !def && change) {
    throw new NlkitInputError(`nlkit cannot encode classifier "${kind}" (${[...filterKinds.keys()].join(", ")})`, "kind");
  }
  if (change && kind === undefined) throw new NlkitInputError("kind is required", "kind");
  if (s.handle !== undefined && kind === undefined) throw new NlkitInputError("a filter handle needs the filter's kind", "kind");
  if (op !== "get" && s.parent === undefined) throw new NlkitInputError("parent is required (a qdisc/class, or ingress/egress)", "parent");
  const opts = kindOptions(s, kind, filterKinds.keys(), "filter");
  if (!change && (opts !== undefined || s.actions !== undefined)) throw new NlkitInputError(`a filter ${op} takes no options or actions`, kind ?? "actions");
  const pref = s.pref === undefined ? 0 : u32In(s.pref, "pref", 0xffff);
  // tc sends ETH_P_ALL for filters it creates, and no protocol otherwise unless told
  const protocol = s.protocol !== undefined ? protocolNumber(s.protocol as string, "protocol") : op === "add" || op === "replace" ? ETH_P_ALL : 0;
  const header: StructValue = {
    family: 0, ifindex: 0, handle: 0,
    parent: s.parent === undefined ? 0 : filterParent(s.parent as string, "parent"),
    info: (pref * 0x10000 + htons(protocol)) >>> 0,
  };
  const attrs: Record<string, unknown> = {};
  if (s.chain !== undefined) attrs.chain = u32In(s.chain, "chain");
  if (kind !== undefined) attrs.kind = kind;
  if (def) {
    const tb = tcBuild(b, env);
    const actions = s.actions === undefined ? undefined : encodeActions(s.actions, tb);
    if (change) {
      const r = def.encode(opts, tb, { protocol, actions, handle: s.handle as string | number | undefined });
      header.handle = r.handle;
      if (Object.keys(r.attrs).length) attrs.options = r.attrs;
    } else if (s.handle !== undefined) {
      header.handle = def.parseHandle(s.handle as string | number, "handle");
    }
  }
  header.ifindex = b.ifindex(s.dev as string | number, "dev");
  return { header, attrs };
}
