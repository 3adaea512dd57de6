import * as fs from "node:fs";
import { encodeAttrs } from "../../netlink/attrs.js";
import { NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from "../../netlink/constants.js";
import { NetlinkError, NlkitInputError } from "../../netlink/errors.js";
import type { CallOptions, Decoder, Request } from "../../netlink/socket.js";
import { encodeStruct, type StructValue } from "../../netlink/struct.js";
import type { NlWriter } from "../../netlink/writer.js";
import { checkIndex, closeFds, validateIfname } from "../context.js";
import { ObjectVerbs } from "../verb.js";
import { ifinfomsg } from "../headers.js";
import { AF_BRIDGE, RTM_DELLINK, RTM_GETLINK, RTM_NEWLINK, RTM_SETLINK } from "../types.js";
import { linkAttrs, linkMessage, RTEXT_FILTER_VF } from "./attrs.js";
import { bridgeLinkAttrs, bridgePortProtinfo, type BridgePortOptions } from "./kinds/bridge.js";
import { decodeLinkRetaining } from "./decode.js";
import { decodeLinkFields, linkFieldPlan, type LinkField, type LinkFields } from "./fields.js";
import { buildAddRequest, buildSetRequest, portOptionsKey, type LinkRequest } from "./request.js";
import { createTuntap, validateTuntap } from "./tuntap.js";
import type { Link, LinkAddOptions, LinkAddSpec, LinkListFilter, LinkRef, LinkSetOptions } from "./types.js";

export * from "./types.js";
export { decodeLink, flagNames, linkTypeName } from "./decode.js";
export { decodeLinkFields, linkFieldPlan, LINK_FIELDS, type LinkField, type LinkFields } from "./fields.js";
export { linkToIpJson, linksToIpJson, statsToIpJson, type LinkJsonOptions } from "./json.js";
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

/** ENODEV for a device addressed by name says which name, as ip does. */
function byNameError(e: unknown, dev: string): unknown {
  if (e instanceof NetlinkError && e.errno === ENODEV && !e.extack.message) {
    return new NetlinkError(ENODEV, { message: `Cannot find device "${dev}"` }, e.request);
  }
  return e;
}

function linkRequest(type: number, flags: number, req: LinkRequest): Request {
  return { type, flags, def: linkMessage, encode: (w) => encodeLinkRequest(w, req) };
}

/**
 * ip link add/set/del/show, over RTM_NEWLINK/DELLINK/GETLINK.
 *
 * @example
 * ```ts
 * await rt.link.add({ name: "veth0", kind: "veth", peer: { name: "eth0", netns: "ns1" } });
 * await rt.link.set("veth0", { up: true, mtu: 1400 });
 * const link = await rt.link.get("veth0");
 * console.log(link.index, link.operstate, link.address);
 * await rt.link.del("veth0");   // takes its peer in ns1 along
 * ```
 */
export class LinkApi extends ObjectVerbs {
  /**
   * Creates a link in one RTM_NEWLINK carrying everything (master, up, mtu, the veth peer...), so
   * that a refused request leaves nothing behind. Fails with EEXIST when the name is taken; with
   * `replace` (NLM_F_REPLACE, as `ip link replace`) the kernel answers EOPNOTSUPP instead, since it
   * does not replace an existing link. tun/tap devices are made with the
   * /dev/net/tun ioctls; a non-persistent one resolves with its fd, which the caller then owns.
   */
  add(spec: LinkAddSpec, opts: LinkAddOptions = {}): Promise<number | undefined> {
    if (spec?.kind === "tun" || spec?.kind === "tap") return this.handled(this.addTuntap(spec, opts));
    const flags = NLM_F_CREATE | (opts.replace ? NLM_F_REPLACE : NLM_F_EXCL);
    return this.change((b) => linkRequest(RTM_NEWLINK, flags, buildAddRequest(spec, b)), opts) as Promise<undefined>;
  }

  /** `ip link replace`: creates the link; one of that name already there is refused (EOPNOTSUPP), as the kernel does. */
  replace(spec: LinkAddSpec, opts: CallOptions = {}): Promise<number | undefined> {
    return this.add(spec, { ...opts, replace: true });
  }

  /**
   * Creates the link unless one with that name exists; resolves true when it created it. An
   * existing link of another kind is an EEXIST error rather than silently accepted.
   */
  async ensure(spec: LinkAddSpec, opts?: CallOptions): Promise<boolean> {
    if ((spec?.kind === "tun" || spec?.kind === "tap") && spec.tuntap?.persist === false) {
      // add() would hand back the fd that keeps the device alive, and ensure() cannot
      throw new NlkitInputError("ensure() makes persistent tun/tap devices only; use add() for one that lives with its fd", "tuntap.persist");
    }
    try {
      await this.add(spec, { ...opts });
      return true;
    } catch (e) {
      if (!(e instanceof NetlinkError) || e.errno !== EEXIST) throw e;
    }
    const existing = await this.get(spec.name, opts);
    const wantKind = spec.kind === "tap" || spec.kind === "tun" ? "tun" : spec.kind;
    const tunType = (existing.infoData as { type?: string } | undefined)?.type;
    if (existing.kind !== wantKind || (wantKind === "tun" && tunType !== undefined && tunType !== spec.kind)) {
      throw new NetlinkError(EEXIST, { message: `link "${spec.name}" exists with kind ${existing.kind === "tun" ? tunType : existing.kind ?? "(none)"}, not ${spec.kind}` });
    }
    return false;
  }

  /**
   * Changes a link in one RTM_NEWLINK, as `ip link set` does (two when it is enslaved and given
   * port options at once: see enslaveThenSet). A device given by name is addressed
   * by IFLA_IFNAME with ifi_index 0 (the kernel finds it itself, which saves the lookup round
   * trip ip makes); a rename has to address it by index, since IFLA_IFNAME then carries the new name.
   */
  set(dev: LinkRef, opts: LinkSetOptions, call?: CallOptions): Promise<void> {
    if (!opts || typeof opts !== "object") return this.exec.fail(new NlkitInputError("link set options must be an object", "options"));
    if (opts.master !== undefined && opts.master !== null && portOptionsKey(opts) !== undefined) return this.enslaveThenSet(dev, opts, call);
    const byName = typeof dev === "string" && opts.name === undefined;
    const p = this.change((b) => {
      let index = 0;
      if (byName) validateIfname(dev, "dev");
      else index = b.ifindex(dev, "dev");
      const req = buildSetRequest(index, opts, b);
      if (byName) req.attrs.ifname = dev;
      return linkRequest(RTM_NEWLINK, 0, req);
    }, call);
    return byName ? this.handled(p.catch((e: unknown) => { throw byNameError(e, dev); })) : p;
  }

  /**
   * `{ master, bridgeSlave }` in one set(): the kernel applies port options against the master a
   * link has before the request (none: EOPNOTSUPP; another bridge: options the move then drops),
   * so master goes first, alone, and the rest once the link is a port. Outside a batch, a refusal
   * of the second request gives the link its previous master back (or none), as a new port of it
   * when it had one: a bridge port's options do not survive a move, with or without nlkit. In a
   * batch the two requests count as two in its outcome.
   */
  private enslaveThenSet(dev: LinkRef, opts: LinkSetOptions, call?: CallOptions): Promise<void> {
    const { master, ...rest } = opts;
    if (this.exec.batched) {
      const both = Promise.all([this.set(dev, { master }, call), this.set(dev, rest, call)]);
      return this.handled(both.then(() => undefined));
    }
    return (async () => {
      // bad port options are refused before the link is enslaved (index 1 is a stand-in)
      closeFds((await this.ctx.build((b) => buildSetRequest(1, opts, b), call)).fds);
      const before = await this.get(dev, call);
      await this.set(before.index, { master }, call);
      try {
        await this.set(before.index, rest, call);
      } catch (e) {
        await this.set(before.index, { master: before.master ?? null }, call).catch(() => undefined);
        throw e;
      }
    })();
  }

  /**
   * `bridge link set dev DEV ...`: changes a bridge port's options in place with an AF_BRIDGE
   * RTM_SETLINK carrying IFLA_PROTINFO, the bytes bridge(8) sends. set(dev, { bridgeSlave })
   * changes the same options through IFLA_LINKINFO, as `ip link set DEV type bridge_slave` does;
   * this one also reaches a bridge's own port options without knowing its kind. A device that
   * is no bridge port is refused (EOPNOTSUPP).
   *
   * @example
   * ```ts
   * await rt.link.setBridgePort("veth0", { cost: 10, learning: false, state: "blocking" });   // bridge link set dev veth0 cost 10 learning off state blocking
   * const [port] = await rt.link.list({ family: "bridge", master: "br0" });
   * console.log(port?.name, port?.protinfo?.cost, port?.protinfo?.state);   // "veth0" 10 "blocking"
   * ```
   */
  setBridgePort(dev: LinkRef, opts: BridgePortOptions, call?: CallOptions): Promise<void> {
    return this.change((b) => {
      const protinfo = bridgePortProtinfo(opts, b);
      const index = b.ifindex(dev, "dev");
      return {
        type: RTM_SETLINK, flags: 0, def: linkMessage,
        encode: (w) => {
          encodeStruct(w, ifinfomsg, { family: AF_BRIDGE, index });
          encodeAttrs(w, bridgeLinkAttrs, { protinfo });
        },
      };
    }, call);
  }

  /** `ip link del DEV`: deletes a device (a veth takes its peer with it); ENODEV when there is none. */
  del(dev: LinkRef, call?: CallOptions): Promise<void> {
    const byName = typeof dev === "string";
    const p = this.change((b) => {
      if (byName) validateIfname(dev, "dev");
      const req: LinkRequest = { header: { index: byName ? 0 : b.ifindex(dev, "dev") }, attrs: byName ? { ifname: dev } : {} };
      return linkRequest(RTM_DELLINK, 0, req);
    }, call);
    return byName ? this.handled(p.catch((e: unknown) => { throw byNameError(e, dev); })) : p;
  }

  /** One link by name or index. Reads go straight to the socket, even from a batch. */
  async get(dev: LinkRef, opts?: CallOptions): Promise<Link> {
    let header: StructValue = {};
    const attrs: Record<string, unknown> = {};
    if (typeof dev === "number") header = { index: checkIndex(dev, "dev") };
    else {
      validateIfname(dev, "dev");
      attrs.ifname = dev;
    }
    attrs.extMask = RTEXT_FILTER_VF;
    try {
      const found = await this.readOne(linkRequest(RTM_GETLINK, 0, { header, attrs }), decodeLinkRetaining, opts);
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
  list(filter?: LinkListFilter, opts?: CallOptions): Promise<Link[]>;
  list<F extends LinkField>(filter: LinkListFilter & { fields: readonly F[] }, opts?: CallOptions): Promise<LinkFields<F>[]>;
  async list(filter: LinkListFilter & { fields?: readonly LinkField[] } = {}, opts?: CallOptions): Promise<Partial<Link>[]> {
    if (!filter || typeof filter !== "object") throw new NlkitInputError("list filter must be an object", "filter");
    if (filter.family !== undefined) return this.listBridge(filter, opts);
    let decode: Decoder<Partial<Link>> = decodeLinkRetaining;
    if (filter.fields !== undefined) {
      const fields: string[] = [...filter.fields];
      // the filters below read these
      if (filter.kind !== undefined) fields.push("kind");
      if (filter.kind === "tap") fields.push("infoData");
      if (filter.master !== undefined) fields.push("master");
      const plan = linkFieldPlan(fields);
      decode = (buf, start, len) => decodeLinkFields(plan, buf, start, len);
    }
    const attrs: Record<string, unknown> = { extMask: RTEXT_FILTER_VF };
    let master: number | undefined;
    if (filter.master !== undefined) attrs.master = master = await this.ctx.ifindex(filter.master, "master", opts);
    if (filter.kind !== undefined) {
      if (typeof filter.kind !== "string" || filter.kind === "") throw new NlkitInputError("kind must be a non-empty string", "kind");
      // taps are the kernel's kind "tun" (IFLA_TUN_TYPE tells them apart): asked for as that
      attrs.linkinfo = { kind: filter.kind === "tap" ? "tun" : filter.kind };
    }
    const links = await this.readDump(linkRequest(RTM_GETLINK, 0, { header: {}, attrs }), decode, opts);
    if (filter.kind === undefined && master === undefined) return links;
    const kind = filter.kind === "tap" ? "tun" : filter.kind;
    const isTap = (l: Partial<Link>) => (l.infoData as { type?: string } | undefined)?.type === "tap";
    return links.filter((l) => (kind === undefined || l.kind === kind) && (filter.kind !== "tap" || isTap(l))
      && (master === undefined || l.master === master));
  }

  /** The AF_BRIDGE dump: bridge(8) sends a bare ifinfomsg (no IFLA_EXT_MASK), and filters by master itself. */
  private async listBridge(filter: LinkListFilter & { fields?: readonly LinkField[] }, opts?: CallOptions): Promise<Link[]> {
    if (filter.family !== "bridge") throw new NlkitInputError(`family must be "bridge", not ${JSON.stringify(filter.family)}`, "family");
    if (filter.kind !== undefined) throw new NlkitInputError("kind cannot be combined with family \"bridge\": AF_BRIDGE messages carry no kind", "kind");
    if (filter.fields !== undefined) throw new NlkitInputError("fields cannot be combined with family \"bridge\"", "fields");
    const master = filter.master !== undefined ? await this.ctx.ifindex(filter.master, "master", opts) : undefined;
    const links = await this.readDump(linkRequest(RTM_GETLINK, 0, { header: { family: AF_BRIDGE }, attrs: {} }), decodeLinkRetaining, opts);
    return master === undefined ? links : links.filter((l) => l.master === master);
  }

  private async addTuntap(spec: LinkAddSpec, opts: CallOptions): Promise<number | undefined> {
    if (this.exec.batched) throw new NlkitInputError("tun/tap devices are created with ioctls and cannot be batched", "kind");
    const mode = spec.kind as "tun" | "tap";
    const { tuntap, index, name, kind: _kind, ...rest } = spec;
    validateIfname(name, "name");
    validateTuntap(tuntap);
    if (rest.netns !== undefined) {
      throw new NlkitInputError("tun/tap devices cannot change namespace: open the Rtnl handle in the target namespace", "netns");
    }
    for (const k of Object.keys(rest)) {
      if (!["mtu", "address", "broadcast", "txqueuelen", "master", "up", "promisc", "allmulticast", "multicast", "arp", "alias", "group"].includes(k)) {
        throw new NlkitInputError(`option "${k}" does not apply to kind ${mode}`, k);
      }
    }
    // validate the follow-up changes before creating anything (index 1 is a stand-in)
    const needSet = Object.values(rest).some((v) => v !== undefined);
    if (needSet) {
      const built = await this.ctx.build((b) => buildSetRequest(1, rest, b), opts);
      closeFds(built.fds);
    }
    const fdOfSocket = this.ctx.socket.fd;
    if (fdOfSocket < 0) throw new NlkitInputError("tun/tap devices need a kernel socket (this handle has a scripted transport)", "kind");
    // TUNSETIFF would attach to an existing persistent device instead of failing
    if (await this.exists(name, opts)) throw new NetlinkError(EEXIST, { message: `link "${name}" already exists` });
    const fd = createTuntap(fdOfSocket, name, mode, tuntap, index);
    if (!needSet) return fd;
    try {
      await this.set(name, rest, opts);
    } catch (e) {
      // the device must not outlive a failed add
      if (fd !== undefined) fs.closeSync(fd);
      else await this.del(name).catch(() => undefined);
      throw e;
    }
    return fd;
  }

  private async exists(name: string, opts: CallOptions): Promise<boolean> {
    try {
      await this.ctx.ifindex(name, "name", opts);
      return true;
    } catch (e) {
      if (e instanceof NetlinkError && e.errno === ENODEV) return false;
      throw e;
    }
  }
}

