import { encodeAttrs } from "../netlink/attrs.js";
import { decodeParts } from "../netlink/compiled.js";
import type { Decoder } from "../netlink/decoder.js";
import { NetlinkError } from "../netlink/errors.js";
import type { CallOptions, NetlinkSocket, Request } from "../netlink/socket.js";
import { encodeStruct } from "../netlink/struct.js";
import { ifinfomsg } from "./headers.js";
import { linkAttrs, linkMessage, RTEXT_FILTER_SKIP_STATS } from "./link/attrs.js";
import { RTM_DELLINK, RTM_GETLINK, RTM_NEWLINK, RTNLGRP } from "./types.js";

const ENODEV = 19;
const NAME_ONLY = ["ifname"] as const;

/** ifindex, IFLA_IFNAME and the message type of an RTM_NEWLINK/DELLINK, and nothing else. */
const readName: Decoder<[number, string, number] | undefined> = (buf, start, len) => {
  const m = decodeParts<{ index?: number }>(buf, start, len, linkMessage, NAME_ONLY);
  const index = m.header.index;
  if (index === undefined) return undefined;
  return [index, (m.attrs.ifname as string | undefined) ?? "", m.type];
};

/**
 * Device names for indexes, per handle, for addresses, routes and neighbours (which carry only
 * indexes). Cached names are kept fresh by the kernel's own answers: a second socket in the
 * handle's namespace, joined to RTNLGRP_LINK and drained before the cache is used, reports every
 * new link, rename and removal (an overrun of it empties the cache). A name not cached costs one
 * RTM_GETLINK by index, never a dump of every link.
 */
export class LinkNames {
  private readonly cache = new Map<number, string>();
  private watch: NetlinkSocket | undefined;
  private watchFailed = false;

  /** `openWatch` makes the notification socket in the handle's namespace; without one, names last one call. */
  constructor(private readonly socket: NetlinkSocket, private readonly openWatch?: (groups: number[]) => NetlinkSocket) {}

  /** The names of `indexes`; an index with no device (gone, or in another namespace) is left out. */
  async resolve(indexes: Iterable<number>, opts?: CallOptions): Promise<ReadonlyMap<number, string>> {
    this.refresh();
    const out = new Map<number, string>();
    for (const i of indexes) {
      if (out.has(i) || !(i > 0)) continue;
      const cached = this.cache.get(i);
      if (cached !== undefined) {
        out.set(i, cached);
        continue;
      }
      const name = await this.lookup(i, opts);
      if (name === undefined) continue;
      out.set(i, name);
      if (this.watch) this.cache.set(i, name);
    }
    return out;
  }

  private async lookup(index: number, opts: CallOptions | undefined): Promise<string | undefined> {
    const req: Request = {
      type: RTM_GETLINK,
      reply: true,
      def: linkMessage,
      encode: (w) => {
        encodeStruct(w, ifinfomsg, { index });
        // no VF or stats extras: only the name is wanted
        encodeAttrs(w, linkAttrs, { extMask: RTEXT_FILTER_SKIP_STATS });
      },
    };
    try {
      const [row] = await this.socket.request(req, readName, opts);
      return row?.[1];
    } catch (e) {
      if (e instanceof NetlinkError && e.errno === ENODEV) return undefined;
      throw e;
    }
  }

  /** Applies the link notifications queued since the last use, opening the watch on first use. */
  private refresh(): void {
    if (!this.watch) {
      this.cache.clear();
      if (this.watchFailed || !this.openWatch) return;
      try {
        this.watch = this.openWatch([RTNLGRP.link]);
      } catch {
        // no way to hear about renames: names then last one call
        this.watchFailed = true;
      }
      return;
    }
    const seen: Array<[number, string, number] | undefined> = [];
    let overrun: boolean;
    try {
      overrun = this.watch.readAvailable(readName, seen);
    } catch {
      overrun = true;
    }
    if (overrun) {
      this.cache.clear();
      return;
    }
    for (const row of seen) {
      if (!row) continue;
      const [index, name, type] = row;
      if (type === RTM_DELLINK) this.cache.delete(index);
      else if (type === RTM_NEWLINK && name) this.cache.set(index, name);
    }
  }

  close(): void {
    this.watch?.close();
    this.watch = undefined;
    this.cache.clear();
  }
}

/** The name of an index, or "if<index>" like iproute2 when the link is gone or elsewhere. */
export function nameOf(names: ReadonlyMap<number, string>, index: number): string {
  return names.get(index) ?? `if${index}`;
}
