// Namespace ids (RTM_NEWNSID / RTM_GETNSID): the number one namespace uses to refer to another,
// e.g. in IFLA_LINK_NETNSID of a veth whose peer lives elsewhere. `ip netns set NAME ID`.
import { attrSet, encodeAttrs } from "../netlink/attrs.js";
import { NETLINK_ROUTE } from "../netlink/constants.js";
import { NlkitInputError } from "../netlink/errors.js";
import { decodeMessage, type MessageDef } from "../netlink/message.js";
import { NetlinkSocket } from "../netlink/socket.js";
import { encodeStruct } from "../netlink/struct.js";
import { rtgenmsg } from "../rtnl/headers.js";
import { AF_UNSPEC, RTM_GETNSID, RTM_NAMES, RTM_NEWNSID } from "../rtnl/types.js";
import { closeNetns, openNetns, resolve, type NetnsLike } from "./ref.js";

/** linux/net_namespace.h */
export const netnsaAttrs = attrSet("netnsa", "NETNSA_", {
  nsid: [1, "s32"],
  pid: [2, "u32"],
  fd: [3, "u32"],
  targetNsid: [4, "s32"],
  currentNsid: [5, "s32"],
});

export const NETNSA_NSID_NOT_ASSIGNED = -1;

export const nsidMessage: MessageDef = { name: "nsid", header: rtgenmsg, attrs: netnsaAttrs, typeNames: RTM_NAMES };

interface NsidAttrs {
  nsid?: number;
  targetNsid?: number;
  currentNsid?: number;
}

export interface NsidOptions {
  /** Whose table: the namespace in which the id is valid. Default: the caller's current namespace. */
  in?: NetnsLike;
}

/** A socket in the namespace whose nsid table is read or written. */
export function openNsidSocket(opts: NsidOptions = {}): NetlinkSocket {
  if (opts.in === undefined) return NetlinkSocket.open({ protocol: NETLINK_ROUTE });
  const r = resolve(opts.in);
  return NetlinkSocket.open({ protocol: NETLINK_ROUTE, ...(r.fd !== undefined ? { netnsFd: r.fd } : { netnsPath: r.path! }) });
}

/** One RTM_NEWNSID to its nsid (NETNSA_NSID_NOT_ASSIGNED when it carries none). */
export function decodeNsid(buf: Buffer, start: number, len: number): number {
  const v = decodeMessage<unknown, NsidAttrs>(buf, start, len, nsidMessage).attrs.nsid;
  return v ?? NETNSA_NSID_NOT_ASSIGNED;
}

/** The nsid `ref` has in the socket's namespace, or undefined when none is assigned. */
export function getIdOn(sock: NetlinkSocket, ref: NetnsLike): number | undefined {
  const o = openNetns(ref);
  try {
    const [id] = sock.requestSync({
      type: RTM_GETNSID,
      reply: true,
      def: nsidMessage,
      encode: (w) => {
        encodeStruct(w, rtgenmsg, { family: AF_UNSPEC });
        encodeAttrs(w, netnsaAttrs, { fd: o.fd });
      },
    }, decodeNsid);
    return id === undefined || id < 0 ? undefined : id;
  } finally {
    closeNetns(o);
  }
}

export async function getId(ref: NetnsLike, opts: NsidOptions = {}): Promise<number | undefined> {
  const sock = openNsidSocket(opts);
  try {
    return getIdOn(sock, ref);
  } finally {
    sock.close();
  }
}

/**
 * Assigns an nsid (`ip netns set NAME ID`); "auto" lets the kernel pick. The kernel refuses to
 * change an assigned id (EEXIST). Resolves with the id now assigned.
 */
export async function setId(ref: NetnsLike, nsid: number | "auto", opts: NsidOptions = {}): Promise<number> {
  const id = nsid === "auto" ? NETNSA_NSID_NOT_ASSIGNED : nsid;
  if (!Number.isInteger(id) || id < -1 || id > 0x7fffffff) {
    throw new NlkitInputError(`invalid nsid ${String(nsid)}: an integer 0..2147483647 or "auto"`, "nsid");
  }
  const o = openNetns(ref);
  try {
    const sock = openNsidSocket(opts);
    try {
      sock.requestSync({
        type: RTM_NEWNSID,
        def: nsidMessage,
        encode: (w) => {
          encodeStruct(w, rtgenmsg, { family: AF_UNSPEC });
          encodeAttrs(w, netnsaAttrs, { fd: o.fd, nsid: id });
        },
      });
      return getIdOn(sock, { netnsFd: o.fd })!;
    } finally {
      sock.close();
    }
  } finally {
    closeNetns(o);
  }
}

/** Every nsid assigned in a namespace (`ip netns list-id`). */
export async function dumpIds(opts: NsidOptions = {}): Promise<number[]> {
  const sock = openNsidSocket(opts);
  try {
    const ids = await sock.dump({
      type: RTM_GETNSID,
      def: nsidMessage,
      encode: (w) => encodeStruct(w, rtgenmsg, { family: AF_UNSPEC }),
    }, decodeNsid);
    return ids.filter((id) => id >= 0);
  } finally {
    sock.close();
  }
}
