// `genl ctrl list`'s text, read back into families: the oracle for Genl.families().
export interface GenlTextFamily {
  name: string;
  id: number;
  version: number;
  hdrsize: number;
  maxAttr: number;
  /** flags only where genl printed them (it prints Capabilities for nlctrl, whose version is 2). */
  ops: Array<{ id: number; flags?: number }>;
  mcastGroups: Array<{ name: string; id: number }>;
}

export function parseGenlCtrlList(text: string): GenlTextFamily[] {
  const out: GenlTextFamily[] = [];
  let cur: GenlTextFamily | undefined;
  let section: "ops" | "groups" | undefined;
  for (const line of text.split("\n")) {
    let m: RegExpExecArray | null;
    if ((m = /^Name: (\S+)/.exec(line))) {
      cur = { name: m[1]!, id: -1, version: -1, hdrsize: -1, maxAttr: -1, ops: [], mcastGroups: [] };
      out.push(cur);
      section = undefined;
    } else if (!cur) {
      continue;
    } else if ((m = /ID: 0x([0-9a-f]+)\s+Version: 0x([0-9a-f]+)\s+header size: (\d+)\s+max attribs: (\d+)/.exec(line))) {
      cur.id = parseInt(m[1]!, 16);
      cur.version = parseInt(m[2]!, 16);
      cur.hdrsize = Number(m[3]);
      cur.maxAttr = Number(m[4]);
    } else if (/commands supported:/.test(line)) {
      section = "ops";
    } else if (/multicast groups:/.test(line)) {
      section = "groups";
    } else if ((m = /^\t\t#\d+:\s+ID-0x([0-9a-f]+)\s+name: (\S+)/.exec(line)) && section === "groups") {
      cur.mcastGroups.push({ name: m[2]!, id: parseInt(m[1]!, 16) });
    } else if ((m = /^\t\t#\d+:\s+ID-0x([0-9a-f]+)\s*$/.exec(line)) && section === "ops") {
      cur.ops.push({ id: parseInt(m[1]!, 16) });
    } else if ((m = /Capabilities \(0x([0-9a-f]+)\)/.exec(line)) && section === "ops" && cur.ops.length) {
      cur.ops[cur.ops.length - 1]!.flags = parseInt(m[1]!, 16);
    }
  }
  return out;
}

/** A family as genl would have printed it: op flags only for families it prints them for. */
export function asGenlPrints(f: { name: string; id: number; version: number; hdrsize: number; maxAttr: number; ops: Array<{ id: number; flags: number }>; mcastGroups: Array<{ name: string; id: number }> }): GenlTextFamily {
  return { ...f, ops: f.ops.map((o) => (f.version >= 2 && o.flags ? { id: o.id, flags: o.flags } : { id: o.id })) };
}
