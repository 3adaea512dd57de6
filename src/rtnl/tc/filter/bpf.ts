import { attrSet, type AttrValues } from "../../../netlink/attrs.js";
import { NlkitInputError } from "../../../netlink/errors.js";
import { decodeStruct, encodeStruct, struct } from "../../../netlink/struct.js";
import { NlWriter } from "../../../netlink/writer.js";
import { actAttrs } from "../action/index.js";
import { classid, formatClassid, type Handle } from "../handle.js";
import { boolOpt, checkOptions, hexOf, intOpt, type TcBuild } from "../kind.js";
import { clsFlags, clsFlagsView, defineFilter, hexHandle, plainHandle, type FilterEncodeContext } from "./kind.js";

/** struct sock_filter: one classic BPF instruction (TCA_BPF_OPS holds TCA_BPF_OPS_LEN of them). */
export const sockFilter = struct("sock_filter", [["code", "u16"], ["jt", "u8"], ["jf", "u8"], ["k", "u32"]]);

export const bpfAttrs = attrSet("bpf", "TCA_BPF_", {
  act: [1, "array", { set: actAttrs }],
  police: [2, "binary"],
  classid: [3, "u32"],
  opsLen: [4, "u16"],
  ops: [5, "binary"],
  fd: [6, "u32"],
  name: [7, "string"],
  flags: [8, "u32"],
  flagsGen: [9, "u32"],
  tag: [10, "binary"],
  id: [11, "u32"],
});

const TCA_BPF_FLAG_ACT_DIRECT = 1;

/**
 * Options of the bpf classifier: a pinned or already loaded program (nlkit never loads programs),
 * direct-action mode and the class to send packets to.
 *
 * @example
 * ```ts
 * const bpf: BpfOptions = { pinned: "/sys/fs/bpf/tc/ingress_prog", directAction: true };
 * await rt.tc.qdisc.add({ dev: "eth0", kind: "clsact" });
 * await rt.tc.filter.add({ dev: "eth0", parent: "ingress", pref: 1, handle: 1, kind: "bpf", bpf });   // tc filter add dev eth0 ingress pref 1 handle 1 bpf object-pinned /sys/fs/bpf/tc/ingress_prog da
 * const [f] = await rt.tc.filter.list({ dev: "eth0", parent: "ingress", kind: "bpf", handle: 1 });
 * console.log(f?.options?.name, f?.options?.directAction, f?.options?.id);   // "ingress_prog:[*fsobj]" true 42
 * ```
 */
export interface BpfOptions {
  /** a program pinned in a bpffs: opened with bpf(BPF_OBJ_GET) and sent by fd (nlkit never loads programs) */
  pinned?: string;
  /** an fd of a loaded SCHED_CLS program the caller owns */
  fd?: number;
  /** the annotation tc shows (default for pinned: "<file>:[*fsobj]", as tc) */
  name?: string;
  /** classic BPF: [code, jt, jf, k] per instruction */
  bytecode?: Array<[number, number, number, number]>;
  /** the program's return code is the verdict (TC_ACT_*), not a class */
  directAction?: boolean;
  /** The class packets go to when the program returns -1 (tc's classid/flowid); other non-zero returns name the class themselves; in direct-action mode its major joins the skb tc_classid the program sets. */
  classid?: Handle;
  /** Do not offload the filter to hardware (TCA_CLS_FLAGS_SKIP_HW, tc's skip_hw); excludes skipSw. */
  skipHw?: boolean;
  /** Run the filter only in hardware (TCA_CLS_FLAGS_SKIP_SW, tc's skip_sw); excludes skipHw. */
  skipSw?: boolean;
}

/** tc's annotation of a pinned program: the file's base name and "[*fsobj]". */
export function pinnedName(path: string): string {
  return `${path.replace(/\/+$/, "").split("/").pop()}:[*fsobj]`;
}

/** f_bpf.c: classid and actions where given, then the program (fd and name, or the ops), then the flags. */
function encode(o: BpfOptions, b: TcBuild, f: FilterEncodeContext) {
  const v = checkOptions(o, ["pinned", "fd", "name", "bytecode", "directAction", "classid", "skipHw", "skipSw"], "bpf");
  const modes = ["pinned", "fd", "bytecode"].filter((k) => v[k] !== undefined);
  if (modes.length !== 1) throw new NlkitInputError("bpf needs exactly one of pinned, fd or bytecode", "bpf.pinned");
  const attrs: Record<string, unknown> = {};
  if (v.classid !== undefined) attrs.classid = classid(v.classid, "bpf.classid");
  if (f.actions) attrs.act = f.actions;
  if (v.bytecode !== undefined) {
    if (!Array.isArray(v.bytecode) || v.bytecode.length === 0 || v.bytecode.length > 4096) throw new NlkitInputError("bpf.bytecode must hold 1 to 4096 instructions", "bpf.bytecode");
    const w = new NlWriter(v.bytecode.length * sockFilter.size);
    v.bytecode.forEach((ins: unknown, i: number) => {
      if (!Array.isArray(ins) || ins.length !== 4) throw new NlkitInputError(`bpf.bytecode[${i}] must be [code, jt, jf, k]`, "bpf.bytecode");
      const f2 = `bpf.bytecode[${i}]`;
      encodeStruct(w, sockFilter, { code: intOpt(ins[0], f2, 0xffff), jt: intOpt(ins[1], f2, 0xff), jf: intOpt(ins[2], f2, 0xff), k: intOpt(ins[3], f2) });
    });
    attrs.opsLen = v.bytecode.length;
    attrs.ops = w.take();
  } else {
    const pinned = v.pinned !== undefined;
    if (pinned && (typeof v.pinned !== "string" || v.pinned === "")) throw new NlkitInputError("bpf.pinned must be a path", "bpf.pinned");
    attrs.fd = pinned ? b.pinnedFd!(v.pinned, "bpf.pinned") : intOpt(v.fd, "bpf.fd", 0x7fffffff);
    const name = v.name ?? (pinned ? pinnedName(v.pinned) : undefined);
    if (name !== undefined) {
      if (typeof name !== "string" || name.length > 255) throw new NlkitInputError("bpf.name must be a string", "bpf.name");
      attrs.name = name;
    }
  }
  const gen = clsFlags(v, "bpf");
  if (gen) attrs.flagsGen = gen;
  if (v.directAction !== undefined && boolOpt(v.directAction, "bpf.directAction")) attrs.flags = TCA_BPF_FLAG_ACT_DIRECT;
  return { attrs, handle: plainHandle(f.handle) };
}

function view(a: AttrValues) {
  const out: Record<string, unknown> = {};
  if (a.classid !== undefined) out.classid = formatClassid(a.classid as number);
  if (a.name !== undefined) out.name = a.name;
  out.directAction = typeof a.flags === "number" && (a.flags & TCA_BPF_FLAG_ACT_DIRECT) !== 0;
  Object.assign(out, clsFlagsView(a.flagsGen));
  if (Buffer.isBuffer(a.ops)) {
    const ops: number[][] = [];
    for (let at = 0; at + sockFilter.size <= a.ops.length; at += sockFilter.size) {
      const s = decodeStruct(a.ops, at, sockFilter.size, sockFilter) as Record<string, number>;
      ops.push([s.code!, s.jt!, s.jf!, s.k!]);
    }
    out.bytecode = ops;
  }
  if (a.id !== undefined) out.id = a.id;
  if (Buffer.isBuffer(a.tag)) out.tag = hexOf(a.tag);
  return out;
}

export const bpf = defineFilter({ kind: "bpf", options: bpfAttrs, encode, parseHandle: plainHandle, formatHandle: hexHandle, view, actionsKey: "act" });
