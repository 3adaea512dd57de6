import { attrSet } from "../netlink/attrs.js";
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
