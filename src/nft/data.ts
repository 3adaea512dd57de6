import { attrSet, type CustomCodec } from "../netlink/attrs.js";
import type { NlWriter } from "../netlink/writer.js";
import { verdictCode } from "./types.js";

// Every nft attribute set writes NLA_F_NESTED on its nests, as libnftnl does.
const nested = { nestFlag: true };

export const verdictAttrs = attrSet("verdict", "NFTA_VERDICT_", {
  code: [1, "s32", { be: true, enum: verdictCode }],
  chain: [2, "string"],
  chainId: [3, "u32", { be: true }],
}, nested);

/** struct nft_data: a value (up to 64 bytes, in the byte order of the packet field) or a verdict. */
export const dataAttrs = attrSet("data", "NFTA_DATA_", {
  value: [1, "binary"],
  verdict: [2, "nest", { set: verdictAttrs }],
}, nested);

/**
 * A string libnftnl writes without its terminating NUL (mnl_attr_put_str rather than _strz):
 * object names in objref and ct helper names. Read back either way.
 */
export const strNoNul: CustomCodec = {
  encode(w: NlWriter, v: unknown) {
    if (typeof v !== "string") throw new TypeError("expected a string");
    w.bytes(Buffer.from(v, "utf8"));
  },
  decode(buf: Buffer, start: number, end: number) {
    let e = end;
    while (e > start && buf[e - 1] === 0) e--;
    return buf.toString("utf8", start, e);
  },
};
