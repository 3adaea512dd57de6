import { decodeAttrs, encodeAttrs, type AttrSet, type AttrValues } from "../../netlink/attrs.js";
import { NetlinkParseError } from "../../netlink/errors.js";
import { decodeStruct, encodeStruct, type StructDef, type StructValue } from "../../netlink/struct.js";
import { NlWriter } from "../../netlink/writer.js";

// Options that are a C struct rather than attributes (fifo, prio, netem, sfq), and the struct
// followed by attributes some of them carry, written and read with the generic codec: a kind
// gives its struct and attribute tables, nothing here knows a field.

/** The struct's bytes, then (when `attrs` has values) the attributes right after it, as netem sends them. */
export function structBytes(def: StructDef, value: StructValue, attrs?: { set: AttrSet; values: Record<string, unknown> }): Buffer {
  const w = new NlWriter(def.size + 64);
  encodeStruct(w, def, value);
  w.align();
  if (attrs) encodeAttrs(w, attrs.set, attrs.values);
  return w.take();
}

/** A struct at the start of `buf` (read tolerantly) and the attributes that follow it, if any. */
export function readStruct(buf: Buffer, def: StructDef, attrs?: AttrSet): { struct: StructValue; attrs: AttrValues } {
  const struct = decodeStruct(buf, 0, Math.min(buf.length, def.size), def);
  const start = (def.size + 3) & ~3;
  let rest: AttrValues = {};
  if (attrs && buf.length >= start + 4) {
    try {
      rest = decodeAttrs(buf, start, buf.length, attrs);
    } catch (e) {
      if (!(e instanceof NetlinkParseError)) throw e;
    }
  }
  return { struct, attrs: rest };
}
