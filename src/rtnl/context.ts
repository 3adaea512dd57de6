import * as fs from "node:fs";
import { NetlinkError, NlkitInputError } from "../netlink/errors.js";
import { netnsRefPath, type NetnsRef } from "../netlink/netns-ref.js";
import type { Batch, Decoder, NetlinkSocket, Request } from "../netlink/socket.js";
import { ifinfomsg } from "./headers.js";
import { linkAttrs, RTEXT_FILTER_SKIP_STATS } from "./link/attrs.js";
import { RTM_GETLINK } from "./types.js";

/** How a verb reaches the kernel: at once, or queued in a batch that is sent later. */
export interface Executor {
  readonly batched: boolean;
  /**
   * The socket, when requests go out at once (undefined in a batch): a verb may then send with
   * its requestSync and skip run()'s promise chain, a few microseconds per call of cold code.
   */
  readonly direct?: NetlinkSocket;
  run<T = never>(req: Request, decode?: Decoder<T>): Promise<T[]>;
  /** A verb whose request could not even be built: a rejection, recorded in a batch's outcome. */
  fail(error: unknown): Promise<never>;
}

export function immediateExecutor(sock: NetlinkSocket): Executor {
  return { batched: false, direct: sock, run: (req, decode) => sock.request(req, decode), fail: (e) => Promise.reject(e) };
}

export function batchExecutor(batch: Batch): Executor {
  return { batched: true, run: (req, decode) => batch.add(req, decode), fail: (e) => batch.fail(e) };
}

// the numbers come from the link table, which the UAPI test checks
const IFLA_IFNAME = linkAttrs.byKey.get("ifname")!.type;
const IFLA_EXT_MASK = linkAttrs.byKey.get("extMask")!.type;
const IFNAMSIZ = 16;

/** Checks an interface name the way the kernel's dev_valid_name does, before any request. */
export function validateIfname(name: string, field = "name"): void {
  if (typeof name !== "string" || name.length === 0) throw new NlkitInputError("interface name is empty", field);
  // every verb call checks one or two names: plain ASCII ones without the regex or byteLength
  if (name.length < IFNAMSIZ && plainAsciiName(name)) return;
  if (Buffer.byteLength(name) >= IFNAMSIZ) {
    throw new NlkitInputError(`interface name "${name}" is longer than ${IFNAMSIZ - 1} bytes`, field);
  }
  // a NUL would end the name early in the kernel, which would then act on another device
  if (name === "." || name === ".." || /[/:\s\0]/.test(name)) {
    throw new NlkitInputError(`invalid interface name ${JSON.stringify(name)}: no '/', ':', NUL or whitespace, and not '.' or '..'`, field);
  }
}

/** True for printable ASCII without '/' or ':' (whitespace and NUL are below '!'), other than "." and "..". */
function plainAsciiName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x2f || c === 0x3a) return false;
  }
  return name !== "." && name !== "..";
}

/** A lookup's reply: ifinfomsg.ifi_index, after the 16-byte nlmsghdr. */
const readIfindex: Decoder<number> = (buf, start) => buf.readInt32LE(start + 16 + 4);

/** What the verbs of every object share: the socket, and device lookups in its namespace. */
export class RtnlContext {
  /** The name being looked up: the lookup request is built once and reads it from here. */
  private lookupName = "";
  private readonly lookup: Request;

  constructor(readonly socket: NetlinkSocket) {
    this.lookup = {
      type: RTM_GETLINK,
      reply: true,
      encode: (w) => {
        w.zeros(ifinfomsg.size); // an ifinfomsg of zeros: the device is named by IFLA_IFNAME
        w.attrString(IFLA_IFNAME, this.lookupName);
        // only the index is read: the kernel then skips summing per-CPU counters and the
        // reply shrinks by a quarter (~25 us less per lookup of a veth)
        w.attrU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
      },
    };
  }

  /** A device by name or index, to its index. Indexes are taken as given. */
  ifindex(dev: string | number, field = "dev"): number {
    if (typeof dev === "number") {
      if (!Number.isInteger(dev) || dev <= 0) throw new NlkitInputError(`invalid interface index ${dev}`, field);
      return dev;
    }
    validateIfname(dev, field);
    try {
      this.lookupName = dev;
      const found = this.socket.requestSync(this.lookup, readIfindex);
      if (found.length) return found[0]!;
    } catch (e) {
      if (!(e instanceof NetlinkError) || e.errno !== 19) throw e;
    }
    throw new NetlinkError(19, { message: `Cannot find device "${dev}"` });
  }
}

/**
 * Opens a namespace given the ways users name one and returns an fd the caller must close
 * (for IFLA_NET_NS_FD). An fd given by the caller is duplicated, so closing is always right.
 */
export function openNetnsFd(ref: NetnsRef): number {
  if (ref.netnsFd !== undefined) return fs.openSync(`/proc/self/fd/${ref.netnsFd}`, "r");
  const path = netnsRefPath(ref);
  if (!path) throw new NlkitInputError("no namespace given", "netns");
  try {
    return fs.openSync(path, "r");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "ENOENT") {
      throw new NlkitInputError(`Cannot open network namespace "${ref.netns ?? path}": No such file or directory`, "netns", "ENOENT");
    }
    throw e;
  }
}
