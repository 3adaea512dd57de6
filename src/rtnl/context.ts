import * as fs from "node:fs";
import type { Decoder } from "../netlink/decoder.js";
import { NetlinkError, NlkitInputError } from "../netlink/errors.js";
import { netnsRefPath, type NetnsRef } from "../netlink/netns-ref.js";
import type { Batch, CallOptions, NetlinkSocket, Request } from "../netlink/socket.js";
import { encodeStruct } from "../netlink/struct.js";
import { encodeAttrs } from "../netlink/attrs.js";
import { ifinfomsg } from "./headers.js";
import { linkAttrs, linkMessage, RTEXT_FILTER_SKIP_STATS } from "./link/attrs.js";
import type { LinkNames } from "./names.js";
import { RTM_GETLINK } from "./types.js";

const ENODEV = 19;
const NO_FDS: number[] = [];

/** How a verb reaches the kernel: at once, or queued in a batch that is sent later. */
export interface Executor {
  readonly batched: boolean;
  /** A request still being built (its devices looked up first) is queued in its place all the same. */
  run<T = never>(req: Request | Promise<Request>, decode?: Decoder<T>, opts?: CallOptions): Promise<T[]>;
  /** A verb whose request could not even be built: a rejection, recorded in a batch's outcome. */
  fail(error: unknown): Promise<never>;
  /** Work that queues more requests later (a flush lists first): a batch waits for it before sending. */
  defer?(work: Promise<unknown>): void;
}

export function immediateExecutor(sock: NetlinkSocket): Executor {
  return {
    batched: false,
    run: (req, decode, opts) => (req instanceof Promise ? req.then((r) => sock.request(r, decode, opts)) : sock.request(req, decode, opts)),
    fail: (e) => Promise.reject(e),
  };
}

export function batchExecutor(batch: Batch): Executor {
  return { batched: true, run: (req, decode) => batch.add(req, decode), fail: (e) => batch.fail(e), defer: (w) => batch.defer(w) };
}

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

/** An index checked as the kernel would take it. */
export function checkIndex(dev: number, field: string): number {
  if (!Number.isInteger(dev) || dev <= 0 || dev > 0x7fffffff) throw new NlkitInputError(`invalid interface index ${dev}`, field);
  return dev;
}

/** A namespace as users name one: a name under /run/netns, or a NetnsRef. */
export type NetnsRefLike = string | NetnsRef;

/** What a request builder may ask for: device indexes and namespace fds, both synchronously. */
export interface BuildContext {
  /** A device in the handle's namespace, by name or index, to its index. */
  ifindex(dev: string | number, field: string): number;
  /** An fd of a namespace, closed by the verb once the request is answered. */
  netnsFd(ref: NetnsRefLike, field: string): number;
}

/** A built request and the namespace fds it refers to (IFLA_NET_NS_FD), to close once answered. */
export interface Built<T> {
  value: T;
  fds: number[];
}

/** What the verbs of every object share: the socket, device lookups and names in its namespace. */
export class RtnlContext {
  constructor(readonly socket: NetlinkSocket, readonly names: LinkNames) {}

  /** A device by name or index, to its index: one RTM_GETLINK by name. Indexes are taken as given. */
  async ifindex(dev: string | number, field = "dev", opts?: CallOptions): Promise<number> {
    if (typeof dev === "number") return checkIndex(dev, field);
    validateIfname(dev, field);
    try {
      const found = await this.socket.request({
        type: RTM_GETLINK,
        reply: true,
        def: linkMessage,
        encode: (w) => {
          encodeStruct(w, ifinfomsg, {}); // the device is named by IFLA_IFNAME
          // only the index is read: the kernel then skips summing per-CPU counters and the
          // reply shrinks by a quarter (~25 us less per lookup of a veth)
          encodeAttrs(w, linkAttrs, { ifname: dev, extMask: RTEXT_FILTER_SKIP_STATS });
        },
      }, readIfindex, opts);
      if (found.length && found[0]! > 0) return found[0]!;
    } catch (e) {
      if (!(e instanceof NetlinkError) || e.errno !== ENODEV) throw e;
    }
    throw new NetlinkError(ENODEV, { message: `Cannot find device "${dev}"` });
  }

  /**
   * Runs a synchronous request builder with the devices it names already resolved. The builder
   * is first run with stand-in indexes to learn which names it needs (and to refuse bad input
   * before anything is sent); the names are then looked up, and the builder runs again with
   * them, so that every error comes out exactly where the builder meets it. A builder that names
   * no device and opens no namespace is run once, synchronously.
   */
  build<T>(builder: (b: BuildContext) => T, opts?: CallOptions): Built<T> | Promise<Built<T>> {
    // the first run's context is one object per handle (builds are synchronous and never nest):
    // most verbs name no device, and then this is all a build costs
    const wanted = new Map<string, string>();
    this.probeWanted = wanted;
    this.probeNetns = false;
    let first: T;
    try {
      first = builder(this.probe);
    } catch (e) {
      if (wanted.size === 0) throw e;
      return this.buildResolved(builder, wanted, opts);
    }
    if (wanted.size === 0 && !this.probeNetns) return { value: first, fds: NO_FDS };
    return this.buildResolved(builder, wanted, opts);
  }

  private probeWanted = new Map<string, string>();
  private probeNetns = false;
  private readonly probe: BuildContext = {
    ifindex: (dev, field) => {
      if (typeof dev === "number") return checkIndex(dev, field);
      validateIfname(dev, field);
      if (!this.probeWanted.has(dev)) this.probeWanted.set(dev, field);
      return 1;
    },
    netnsFd: () => {
      this.probeNetns = true;
      return -1;
    },
  };

  private async buildResolved<T>(builder: (b: BuildContext) => T, wanted: Map<string, string>, opts: CallOptions | undefined): Promise<Built<T>> {
    const found = new Map<string, { index?: number; error?: unknown }>();
    await Promise.all([...wanted].map(async ([dev, field]) => {
      try {
        found.set(dev, { index: await this.ifindex(dev, field, opts) });
      } catch (error) {
        found.set(dev, { error });
      }
    }));
    const fds: number[] = [];
    try {
      const value = builder({
        ifindex: (dev, field) => {
          if (typeof dev === "number") return checkIndex(dev, field);
          const r = found.get(dev);
          if (r?.index !== undefined) return r.index;
          if (r?.error !== undefined) throw r.error;
          // a name the first run did not reach (it stopped at an input error): its error stands
          throw new NlkitInputError(`device "${dev}" was not looked up`, field);
        },
        netnsFd: (ref, field) => {
          const fd = openNetnsFdField(ref, field);
          fds.push(fd);
          return fd;
        },
      });
      return { value, fds };
    } catch (e) {
      closeFds(fds);
      throw e;
    }
  }
}

/** A lookup's reply: ifinfomsg.ifi_index, after the 16-byte nlmsghdr; 0 when the reply is short. */
const readIfindex: Decoder<number> = (buf, start, len) => (len >= 24 ? buf.readInt32LE(start + 16 + 4) : 0);

export function closeFds(fds: readonly number[]): void {
  for (const fd of fds) {
    try { fs.closeSync(fd); } catch { /* already closed */ }
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

export function openNetnsFdField(ref: NetnsRefLike, field: string): number {
  try {
    return openNetnsFd(typeof ref === "string" ? { netns: ref } : ref);
  } catch (e) {
    if (e instanceof NlkitInputError) throw new NlkitInputError(e.message, field, e.code);
    throw e;
  }
}
