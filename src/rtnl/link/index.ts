import * as fs from "node:fs";
import { encodeAttrs } from "../../netlink/attrs.js";
import { NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from "../../netlink/constants.js";
import { NetlinkError, NlkitInputError } from "../../netlink/errors.js";
import type { Decoder, Request } from "../../netlink/socket.js";
import { encodeStruct, type StructValue } from "../../netlink/struct.js";
import type { NlWriter } from "../../netlink/writer.js";
import { openNetnsFd, validateIfname, type Executor, type RtnlContext } from "../context.js";
import { ifinfomsg } from "../headers.js";
import { RTM_DELLINK, RTM_GETLINK, RTM_NEWLINK } from "../types.js";
import { linkAttrs, linkMessage, RTEXT_FILTER_VF } from "./attrs.js";
import { decodeLinkRetaining } from "./decode.js";
import { decodeLinkFields, linkFieldPlan, type LinkField, type LinkFields } from "./fields.js";
import type { KindContext, NetnsRefLike } from "./kinds/kind.js";
import { buildAddRequest, buildSetRequest, type LinkRequest } from "./request.js";
import { createTuntap, validateTuntap } from "./tuntap.js";
import type { Link, LinkAddOptions, LinkAddSpec, LinkListFilter, LinkRef, LinkSetOptions } from "./types.js";

export * from "./types.js";
export { decodeLink, flagNames, linkTypeName } from "./decode.js";
export { decodeLinkFields, linkFieldPlan, LINK_FIELDS, type LinkField, type LinkFields } from "./fields.js";
export { linkToIpJson, linksToIpJson } from "./json.js";
export { buildAddRequest, buildSetRequest, type LinkRequest } from "./request.js";
export { linkKinds } from "./kinds/index.js";
export { linkAttrs, linkInfoAttrs, linkMessage } from "./attrs.js";

const ENODEV = 19;
const EEXIST = 17;

/** Writes ifinfomsg + IFLA_* attributes: the payload of every link request. */
export function encodeLinkRequest(w: NlWriter, req: LinkRequest): void {
  encodeStruct(w, ifinfomsg, req.header);
  encodeAttrs(w, linkAttrs, req.attrs);
}

const noValue = (): undefined => undefined;
const DONE: Promise<undefined> = Promise.resolve(undefined);

function closeFds(fds: number[]): void {
  for (const fd of fds) fs.closeSync(fd);
}

/** ENODEV for a device addressed by name says which name, as ip does. */
function byNameError(e: unknown, dev: string): unknown {
  if (e instanceof NetlinkError && e.errno === ENODEV && !e.extack.message) {
    return new NetlinkError(ENODEV, { message: `Cannot find device "${dev}"` }, e.request);
  }
  return e;
}

/** ip link add/set/del/show, over RTM_NEWLINK/DELLINK/GETLINK. */
export class LinkApi {
  /**
   * Request building is synchronous, so one KindContext per handle serves every call; the
   * namespace fds a build opens collect in `buildFds` until the verb takes them over.
   */
  private readonly kctx: KindContext;
  private readonly buildFds: number[];

  constructor(protected readonly ctx: RtnlContext, protected readonly exec: Executor) {
    const fds: number[] = [];
    this.buildFds = fds;
    this.kctx = {
      ifindex: (dev, field) => ctx.ifindex(dev, field),
      netnsFd: (ref: NetnsRefLike, field: string) => {
        const fd = openNetnsFdField(ref, field);
        fds.push(fd);
        return fd;
      },
    };
  }

  /**
   * Creates a link in one RTM_NEWLINK carrying everything (master, up, mtu, the veth peer...), so
   * that a refused request leaves nothing behind. Fails with EEXIST when the name is taken, unless
   * `replace` (NLM_F_REPLACE, as `ip link replace`). tun/tap devices are made with the
   * /dev/net/tun ioctls; a non-persistent one resolves with its fd, which the caller then owns.
   */
  add(spec: LinkAddSpec, opts: LinkAddOptions = {}): Promise<number | undefined> {
    if (spec?.kind === "tun" || spec?.kind === "tap") return this.handled(this.addTuntap(spec));
    const flags = NLM_F_CREATE | (opts.replace ? NLM_F_REPLACE : NLM_F_EXCL);
    let req: LinkRequest;
    try {
      req = buildAddRequest(spec, this.kctx);
    } catch (e) {
      return this.buildFailed(e);
    }
    return this.submit(RTM_NEWLINK, flags, req, undefined);
  }

  /** A request that cannot be built is the executor's failure, which a batch records in its outcome. */
  private buildFailed(e: unknown): Promise<never> {
    if (this.buildFds.length) closeFds(this.buildFds.splice(0));
    return this.exec.fail(e);
  }

  /**
   * Hands a built request to the executor; `byName` is the device name the request addresses,
   * for the ENODEV message. Namespace fds stay open until the kernel has answered (in a batch:
   * until it is sent).
   */
  private submit(type: number, flags: number, req: LinkRequest, byName: string | undefined): Promise<undefined> {
    const fds = this.buildFds.length ? this.buildFds.splice(0) : undefined;
    const sock = this.exec.direct;
    if (sock !== undefined) {
      try {
        sock.requestSync(this.request(type, flags, req));
        return DONE;
      } catch (e) {
        return Promise.reject(byName === undefined ? e : byNameError(e, byName));
      } finally {
        if (fds) closeFds(fds);
      }
    }
    const p = this.exec.run(this.request(type, flags, req));
    if (fds) p.then(() => closeFds(fds), () => closeFds(fds));
    return this.handled(byName === undefined ? p.then(noValue) : p.then(noValue, (e: unknown) => { throw byNameError(e, byName); }));
  }

  /**
   * Inside a batch the outcome reports every failure, so a verb's own promise may go unread:
   * it must not count as an unhandled rejection. Callers who await it still see the error.
   */
  private handled<T>(p: Promise<T>): Promise<T> {
    if (this.exec.batched) p.catch(() => undefined);
    return p;
  }

  /**
   * The ifi_index of a change request for `dev`: 0 when it goes by name (IFLA_IFNAME with
   * ifi_index 0; the kernel finds the device itself, which saves the lookup round trip ip makes),
   * the looked-up index otherwise. A rename has to address the device by index, since IFLA_IFNAME
   * then carries the new name.
   */
  private changeIndex(dev: LinkRef, byName: boolean): number {
    if (!byName) return this.ctx.ifindex(dev, "dev");
    validateIfname(dev as string, "dev");
    return 0;
  }

  /**
   * Creates the link unless one with that name exists; resolves true when it created it. An
   * existing link of another kind is an EEXIST error rather than silently accepted.
   */
  async ensure(spec: LinkAddSpec): Promise<boolean> {
    if ((spec?.kind === "tun" || spec?.kind === "tap") && spec.tuntap?.persist === false) {
      // add() would hand back the fd that keeps the device alive, and ensure() cannot
      throw new NlkitInputError("ensure() makes persistent tun/tap devices only; use add() for one that lives with its fd", "tuntap.persist");
    }
    try {
      await this.add(spec);
      return true;
    } catch (e) {
      if (!(e instanceof NetlinkError) || e.errno !== EEXIST) throw e;
    }
    const existing = await this.get(spec.name);
    const wantKind = spec.kind === "tap" || spec.kind === "tun" ? "tun" : spec.kind;
    const tunType = (existing.infoData as { type?: string } | undefined)?.type;
    if (existing.kind !== wantKind || (wantKind === "tun" && tunType !== undefined && tunType !== spec.kind)) {
      throw new NetlinkError(EEXIST, { message: `link "${spec.name}" exists with kind ${existing.kind === "tun" ? tunType : existing.kind ?? "(none)"}, not ${spec.kind}` });
    }
    return false;
  }

  /** Changes a link in one RTM_NEWLINK, as `ip link set` does. */
  set(dev: LinkRef, opts: LinkSetOptions): Promise<void> {
    if (!opts || typeof opts !== "object") return this.exec.fail(new NlkitInputError("link set options must be an object", "options"));
    const byName = typeof dev === "string" && opts.name === undefined;
    let req: LinkRequest;
    try {
      req = buildSetRequest(this.changeIndex(dev, byName), opts, this.kctx);
      if (byName) req.attrs.ifname = dev;
    } catch (e) {
      return this.buildFailed(e);
    }
    return this.submit(RTM_NEWLINK, 0, req, byName ? dev as string : undefined);
  }

  del(dev: LinkRef): Promise<void> {
    const byName = typeof dev === "string";
    let req: LinkRequest;
    try {
      req = { header: { index: this.changeIndex(dev, byName) }, attrs: byName ? { ifname: dev } : {} };
    } catch (e) {
      return this.buildFailed(e);
    }
    return this.submit(RTM_DELLINK, 0, req, byName ? dev : undefined);
  }

  /** One link by name or index. Reads go straight to the socket, even from a batch. */
  async get(dev: LinkRef): Promise<Link> {
    let header: StructValue = {};
    const attrs: Record<string, unknown> = {};
    if (typeof dev === "number") {
      if (!Number.isInteger(dev) || dev <= 0) throw new NlkitInputError(`invalid interface index ${dev}`, "dev");
      header = { index: dev };
    } else {
      validateIfname(dev, "dev");
      attrs.ifname = dev;
    }
    attrs.extMask = RTEXT_FILTER_VF;
    try {
      const found = await this.ctx.socket.request({ ...this.request(RTM_GETLINK, 0, { header, attrs }), reply: true }, decodeLinkRetaining);
      if (found.length) return found[0]!;
    } catch (e) {
      if (!(e instanceof NetlinkError) || e.errno !== ENODEV) throw e;
    }
    throw new NetlinkError(ENODEV, { message: `Cannot find device "${dev}"` });
  }

  /**
   * Every link, or those of a kind / enslaved to a master. The filter goes to the kernel in the
   * dump request (honoured with strict checking); it is applied here again because the kernel
   * ignores a kind whose module is not loaded and would return every link.
   *
   * With `fields`, only those properties are decoded (plus index and name): listing thousands of
   * links for a few of their properties then costs little more than the kernel's own work.
   */
  list(filter?: LinkListFilter): Promise<Link[]>;
  list<F extends LinkField>(filter: LinkListFilter & { fields: readonly F[] }): Promise<LinkFields<F>[]>;
  async list(filter: LinkListFilter & { fields?: readonly LinkField[] } = {}): Promise<Partial<Link>[]> {
    if (!filter || typeof filter !== "object") throw new NlkitInputError("list filter must be an object", "filter");
    let decode: Decoder<Partial<Link>> = decodeLinkRetaining;
    if (filter.fields !== undefined) {
      const fields: string[] = [...filter.fields];
      // the filters below read these
      if (filter.kind !== undefined) fields.push("kind");
      if (filter.master !== undefined) fields.push("master");
      const plan = linkFieldPlan(fields);
      decode = (buf, start, len) => decodeLinkFields(plan, buf, start, len);
    }
    const attrs: Record<string, unknown> = { extMask: RTEXT_FILTER_VF };
    let master: number | undefined;
    if (filter.master !== undefined) attrs.master = master = this.ctx.ifindex(filter.master, "master");
    if (filter.kind !== undefined) {
      if (typeof filter.kind !== "string" || filter.kind === "") throw new NlkitInputError("kind must be a non-empty string", "kind");
      attrs.linkinfo = { kind: filter.kind };
    }
    const links = await this.ctx.socket.dump(this.request(RTM_GETLINK, 0, { header: {}, attrs }), decode);
    if (filter.kind === undefined && master === undefined) return links;
    const kind = filter.kind === "tap" ? "tun" : filter.kind;
    return links.filter((l) => (kind === undefined || l.kind === kind) && (master === undefined || l.master === master));
  }

  private request(type: number, flags: number, req: LinkRequest): Request {
    return { type, flags, def: linkMessage, encode: (w) => encodeLinkRequest(w, req) };
  }

  /** Runs fn with device lookups in this handle's namespace and namespace fds closed afterwards. */
  private async withKindContext<T>(fn: (k: KindContext) => Promise<T>): Promise<T> {
    const fds: number[] = [];
    const kctx: KindContext = {
      ifindex: (dev, field) => this.ctx.ifindex(dev, field),
      netnsFd: (ref: NetnsRefLike, field: string) => {
        const fd = openNetnsFdField(ref, field);
        fds.push(fd);
        return fd;
      },
    };
    try {
      return await fn(kctx);
    } finally {
      for (const fd of fds) fs.closeSync(fd);
    }
  }

  private async addTuntap(spec: LinkAddSpec): Promise<number | undefined> {
    if (this.exec.batched) throw new NlkitInputError("tun/tap devices are created with ioctls and cannot be batched", "kind");
    const mode = spec.kind as "tun" | "tap";
    const { tuntap, index, name, kind: _kind, ...rest } = spec;
    validateIfname(name, "name");
    validateTuntap(tuntap);
    if (rest.netns !== undefined) {
      throw new NlkitInputError("tun/tap devices cannot change namespace: open the Rtnl handle in the target namespace", "netns");
    }
    for (const k of Object.keys(rest)) {
      if (!["mtu", "address", "broadcast", "txqueuelen", "master", "up", "alias", "group"].includes(k)) {
        throw new NlkitInputError(`option "${k}" does not apply to kind ${mode}`, k);
      }
    }
    // validate the follow-up changes before creating anything (index 1 is a stand-in)
    const needSet = Object.values(rest).some((v) => v !== undefined);
    if (needSet) await this.withKindContext(async (k) => buildSetRequest(1, rest, k));
    // TUNSETIFF would attach to an existing persistent device instead of failing
    if (this.exists(name)) throw new NetlinkError(EEXIST, { message: `link "${name}" already exists` });
    const fd = createTuntap(this.ctx.socket.fd, name, mode, tuntap, index);
    if (!needSet) return fd;
    try {
      await this.set(name, rest);
    } catch (e) {
      // the device must not outlive a failed add
      if (fd !== undefined) fs.closeSync(fd);
      else await this.del(name).catch(() => undefined);
      throw e;
    }
    return fd;
  }

  private exists(name: string): boolean {
    try {
      this.ctx.ifindex(name, "name");
      return true;
    } catch (e) {
      if (e instanceof NetlinkError && e.errno === ENODEV) return false;
      throw e;
    }
  }
}

function openNetnsFdField(ref: NetnsRefLike, field: string): number {
  try {
    return openNetnsFd(typeof ref === "string" ? { netns: ref } : ref);
  } catch (e) {
    if (e instanceof NlkitInputError) throw new NlkitInputError(e.message, field, e.code);
    throw e;
  }
}
