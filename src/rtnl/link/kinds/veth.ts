import { attrSet, decodeAttrs, encodeAttrs, type CustomCodec } from "../../../netlink/attrs.js";
import { decodeStruct, encodeStruct, type StructValue } from "../../../netlink/struct.js";
import type { NlWriter } from "../../../netlink/writer.js";
import { ifinfomsg } from "../../headers.js";
import { linkAttrs } from "../attrs.js";
import { defineKind } from "./kind.js";

/** VETH_INFO_PEER: a whole ifinfomsg followed by IFLA_* attributes describing the peer. */
export interface VethPeerMsg {
  header?: StructValue;
  attrs: Record<string, unknown>;
}

const peerCodec: CustomCodec = {
  encode(w: NlWriter, value: unknown) {
    const v = value as VethPeerMsg;
    encodeStruct(w, ifinfomsg, v.header);
    encodeAttrs(w, linkAttrs, v.attrs);
  },
  decode(buf: Buffer, start: number, end: number): VethPeerMsg {
    const header = decodeStruct(buf, start, Math.min(ifinfomsg.size, end - start), ifinfomsg);
    const attrs = start + ifinfomsg.size < end ? decodeAttrs(buf, start + ifinfomsg.size, end, linkAttrs) : {};
    return { header, attrs };
  },
};

export const vethAttrs = attrSet("veth", "VETH_INFO_", {
  peer: [1, "custom", { codec: peerCodec }],
});

// The peer's own options are encoded by the link verbs (they are ordinary link attributes);
// this kind only wraps them.
export const veth = defineKind({ kind: "veth", data: vethAttrs });
