// Interface names for iif/oif values: nft resolves them in its own namespace (libnftables' iface
// cache, an RTM_GETLINK dump), so a listing of the same kernel state shows "lo", not 1.
import { attrSet } from "../netlink/attrs.js";
import { NETLINK_ROUTE, NLM_F_DUMP } from "../netlink/constants.js";
import { decodeMessage, type MessageDef } from "../netlink/message.js";
import { NetlinkSocket, type SocketOptions } from "../netlink/socket.js";
import { encodeStruct, struct } from "../netlink/struct.js";

const RTM_GETLINK = 18;
const ifinfomsg = struct("ifinfomsg", [["family", "u8"], ["pad", "u8"], ["type", "u16"], ["index", "s32"], ["flags", "u32"], ["change", "u32"]]);
const linkNameAttrs = attrSet("link (names only)", "IFLA_", { ifname: [3, "string"] });
const linkMsg: MessageDef = { name: "link", header: ifinfomsg, attrs: linkNameAttrs };

/** index -> name for every link of a namespace. */
export function readLinkNames(opts: Pick<SocketOptions, "netnsPath" | "netnsFd">): Map<number, string> {
  const sock = NetlinkSocket.open({ protocol: NETLINK_ROUTE, ...opts });
  try {
    const rows = sock.dumpSync({
      type: RTM_GETLINK, flags: NLM_F_DUMP, def: linkMsg,
      encode: (w) => encodeStruct(w, ifinfomsg, { family: 0 }),
    }, (buf, start, len) => {
      const m = decodeMessage(buf, start, len, linkMsg);
      return [Number(m.header.index), String(m.attrs.ifname ?? "")] as const;
    });
    return new Map(rows);
  } finally {
    sock.close();
  }
}

/** Whether any rule loads an interface index (meta iif/oif, fib ... oif): only then are names needed. */
export function needsLinkNames(rules: ReadonlyArray<{ attrs: Record<string, any> }>): boolean {
  return rules.some((r) => (Array.isArray(r.attrs.expressions) ? r.attrs.expressions : []).some((e: { name?: string; data?: any }) =>
    (e.name === "meta" && ["iif", "oif", "sdif"].includes(e.data?.key)) || (e.name === "fib" && e.data?.result === "oif")));
}
