import { NLA_TYPE_MASK, NLMSG_HDRLEN } from "../netlink/constants.js";
import { encodeStruct } from "../netlink/struct.js";
import type { RtnlContext } from "./context.js";
import { ifinfomsg } from "./headers.js";
import { linkAttrs, RTEXT_FILTER_SKIP_STATS } from "./link/attrs.js";
import { RTM_GETLINK, RTM_NEWLINK } from "./types.js";

// the numbers come from the link table, which the UAPI test checks
const IFLA_IFNAME = linkAttrs.byKey.get("ifname")!.type;
const IFLA_EXT_MASK = linkAttrs.byKey.get("extMask")!.type;
const IFINFOMSG_LEN = 16;

/**
 * Reads ifindex and IFLA_IFNAME of one RTM_NEWLINK, skipping everything else: addresses, routes
 * and neighbours only carry indexes, and this is all they need from the (large) link dump.
 */
export function decodeLinkName(buf: Buffer, start: number, len: number): [number, string] | undefined {
  if (buf.readUInt16LE(start + 4) !== RTM_NEWLINK || len < NLMSG_HDRLEN + IFINFOMSG_LEN) return undefined;
  const index = buf.readInt32LE(start + NLMSG_HDRLEN + 4);
  const end = start + len;
  let off = start + NLMSG_HDRLEN + IFINFOMSG_LEN;
  while (off + 4 <= end) {
    const alen = buf.readUInt16LE(off);
    if (alen < 4 || off + alen > end) break;
    if ((buf.readUInt16LE(off + 2) & NLA_TYPE_MASK) === IFLA_IFNAME) {
      let e = off + alen;
      while (e > off + 4 && buf[e - 1] === 0) e--;
      return [index, buf.toString("utf8", off + 4, e)];
    }
    off += (alen + 3) & ~3;
  }
  return [index, ""];
}

/** index -> name for every link of the handle's namespace: one RTM_GETLINK dump. */
export function linkNames(ctx: RtnlContext): Map<number, string> {
  const rows = ctx.socket.dumpSync({
    type: RTM_GETLINK,
    encode: (w) => {
      encodeStruct(w, ifinfomsg, {});
      // no VF or stats extras: only names are wanted
      w.attrU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
    },
  }, decodeLinkName, { retries: 2 });
  const out = new Map<number, string>();
  for (const r of rows) if (r) out.set(r[0], r[1]);
  return out;
}

/** The name of an index, or "if<index>" like iproute2 when the link is gone or elsewhere. */
export function nameOf(names: ReadonlyMap<number, string>, index: number): string {
  return names.get(index) ?? `if${index}`;
}
