import { attrSet, type AttrSet, type AttrValues } from "../netlink/attrs.js";
import { decodeParts } from "../netlink/compiled.js";
import { NETLINK_GENERIC } from "../netlink/constants.js";
import type { Decoder } from "../netlink/decoder.js";
import { NlkitInputError } from "../netlink/errors.js";
import type { MessageDef } from "../netlink/message.js";
import { NetlinkSocket, openSocket, tableRequest, type CallOptions, type OpenOptions, type Request } from "../netlink/socket.js";
import type { Transport } from "../netlink/transport.js";
import { GenlMonitor, type GenlMonitorOptions } from "./monitor.js";
import { CTRL_CMD, CTRL_VERSION_DUMP, CTRL_VERSION_GET, ctrlAttrs, GENL_ID_CTRL, genlmsghdr } from "./table.js";

/**
 * One command a generic netlink family offers, with its capability flags.
 *
 * @example
 * ```ts
 * const { ops } = await genl.family("ethtool");
 * const op: GenlOp | undefined = ops.find((o) => o.id === 3);     // ETHTOOL_MSG_LINKINFO_SET
 * const needsNetAdmin = op !== undefined && (op.flags & GENL_OP_FLAGS.UNS_ADMIN_PERM) !== 0;   // true: flags 0x1a
 * ```
 */
export interface GenlOp {
  /** The command number (CTRL_ATTR_OP_ID), what genlmsghdr.cmd carries; `genl ctrl list` prints it as ID-0x... */
  id: number;
  /** GENL_ADMIN_PERM | GENL_CMD_CAP_DO | GENL_CMD_CAP_DUMP | GENL_CMD_CAP_HASPOL | GENL_UNS_ADMIN_PERM */
  flags: number;
}

/**
 * A multicast group a generic netlink family offers, joined by name through `Genl.monitor()`.
 *
 * @example
 * ```ts
 * const { mcastGroups } = await genl.family("ethtool");
 * const groups: GenlMcastGroup[] = mcastGroups;   // [{ name: "monitor", id: 6 }]
 * const mon = genl.monitor("ethtool", groups[0]!.name);
 * mon.close();
 * ```
 */
export interface GenlMcastGroup {
  /** The group's name within its family (CTRL_ATTR_MCAST_GRP_NAME), e.g. "monitor". */
  name: string;
  /** The group's number (CTRL_ATTR_MCAST_GRP_ID), what NETLINK_ADD_MEMBERSHIP takes; assigned at family registration. */
  id: number;
}

/**
 * A generic netlink family as nlctrl describes it (`genl ctrl list`).
 *
 * @example
 * ```ts
 * const fam: GenlFamily = await genl.family("ethtool");   // genl ctrl get name ethtool
 * console.log(fam.name, `0x${fam.id.toString(16)}`, fam.version, fam.hdrsize);   // "ethtool" "0x15" 1 0
 * console.log(fam.ops.length, fam.mcastGroups.map((g) => g.name));               // 50 ["monitor"]
 * ```
 */
export interface GenlFamily {
  /** The family's name ("ethtool", "nl80211"). */
  name: string;
  /** The nlmsg_type of its messages. */
  id: number;
  /** The family's version. */
  version: number;
  /** The size of its header after genlmsghdr. */
  hdrsize: number;
  /** Its highest attribute number. */
  maxAttr: number;
  /** The commands it offers. */
  ops: GenlOp[];
  /** Its multicast groups. */
  mcastGroups: GenlMcastGroup[];
}

/**
 * What a family built on Genl declares: its name in the kernel, the version its requests carry, and
 * the messages the kernel sends (replies and notifications), for decoding them by command.
 *
 * @example
 * ```ts
 * // mptcp_pm (linux/mptcp.h): MPTCP_PM_CMD_GET_LIMITS is answered with the same command
 * const limits = attrSet("mptcp-pm", "MPTCP_PM_ATTR_", { rcvAddAddrs: [2, "u32"], subflows: [3, "u32"] });
 * const mptcp: GenlFamilySpec = {
 *   name: "mptcp_pm", version: 1,
 *   messages: new Map([[6, { name: "MPTCP_PM_CMD_GET_LIMITS", attrs: limits }]]),
 * };
 * const [r] = await genl.request(mptcp, { cmd: 6, name: "MPTCP_PM_CMD_GET_LIMITS", attrs: limits }, {});
 * console.log(r?.name, r?.attrs);   // "MPTCP_PM_CMD_GET_LIMITS" { rcvAddAddrs: 0, subflows: 2 }
 * ```
 */
export interface GenlFamilySpec {
  /** The family's name in the kernel (CTRL_ATTR_FAMILY_NAME), resolved to its id through nlctrl, e.g. "mptcp_pm". */
  readonly name: string;
  /** genlmsghdr.version of its requests. */
  readonly version: number;
  /** Kernel-to-user messages (replies and notifications) by command number. */
  readonly messages: ReadonlyMap<number, {
    /** The message's name, e.g. ETHTOOL_MSG_LINKINFO_GET_REPLY: becomes GenlMessage.name. */
    readonly name: string;
    /** The attribute set its payload is decoded with. */
    readonly attrs: AttrSet;
  }>;
}

/**
 * One user-to-kernel command of a family.
 *
 * @example
 * ```ts
 * // ip mptcp limits set subflows 4 add_addr_accepted 2 (MPTCP_PM_CMD_SET_LIMITS)
 * const pm = attrSet("mptcp-pm", "MPTCP_PM_ATTR_", { rcvAddAddrs: [2, "u32"], subflows: [3, "u32"] });
 * const setLimits: GenlCommand = { cmd: 5, name: "MPTCP_PM_CMD_SET_LIMITS", attrs: pm };
 * const mptcp: GenlFamilySpec = { name: "mptcp_pm", version: 1, messages: new Map() };
 * await genl.request(mptcp, setLimits, { subflows: 4, rcvAddAddrs: 2 });   // [] (a plain ack)
 * ```
 */
export interface GenlCommand {
  /** The command number sent in genlmsghdr.cmd. */
  readonly cmd: number;
  /** e.g. ETHTOOL_MSG_CHANNELS_SET: named in errors. */
  readonly name: string;
  /** The request's attribute set; it also names the attribute an extack offset points at. */
  readonly attrs: AttrSet;
}

/**
 * A decoded family message: its genlmsghdr and attributes (typed by `request<A>()` and `dump<A>()`).
 *
 * @example
 * ```ts
 * for await (const m of et.monitor()) {
 *   if (m instanceof MonitorOverrun) continue;   // dropped notifications: read the state again
 *   const msg: GenlMessage = m;
 *   const header = msg.attrs.header as { devIndex?: number; devName?: string } | undefined;
 *   console.log(msg.cmd, msg.name, header?.devName);   // 13 "ETHTOOL_MSG_FEATURES_NTF" "veth1"
 * }
 * ```
 */
export interface GenlMessage<A = AttrValues> {
  /** The name of the family it came from, as its spec gives it (e.g. "ethtool"). */
  family: string;
  /** genlmsghdr.cmd: the message's command number. */
  cmd: number;
  /** The message's name when the family's spec knows its command. */
  name?: string;
  /** genlmsghdr.version, as the kernel set it (0 when the message was too short to hold it). */
  version: number;
  /** The attributes, by the spec's set for that command; every one raw in `unknown` when the spec does not know the command. */
  attrs: A;
}

/**
 * Where `Genl.open()` creates its socket: the namespace options every family takes, or a `transport`.
 *
 * @example
 * ```ts
 * const opts: GenlOptions = { netns: "ns1", timeoutMs: 5000 };   // as ip netns exec ns1 genl ctrl list
 * const g = await Genl.open(opts);
 * console.log((await g.families()).map((f) => f.name));   // ["nlctrl", ..., "ethtool", ...] by id
 * g.close();
 * ```
 */
export interface GenlOptions extends OpenOptions {}

/** Attributes of messages no spec describes: every one is kept raw. */
const unknownAttrs = attrSet("genl-unknown", "", {});

const registry = new Map<string, GenlFamilySpec>();

/**
 * Makes a family's messages decodable by name, e.g. for `monitor("ethtool", "monitor")` (nlkit
 * registers ethtool itself). A later spec of the same name replaces the earlier one.
 *
 * @example
 * ```ts
 * // mptcp_pm's events (MPTCP_EVENT_CREATED = 1, ...), as ip mptcp monitor prints them
 * const ev = attrSet("mptcp-event", "MPTCP_ATTR_", { token: [1, "u32"], family: [2, "u16"], saddr4: [5, "ip"], daddr4: [7, "ip"] });
 * registerGenlFamily({ name: "mptcp_pm", version: 1, messages: new Map([[1, { name: "MPTCP_EVENT_CREATED", attrs: ev }]]) });
 * for await (const m of genl.monitor("mptcp_pm", "mptcp_pm_events")) {
 *   if (!(m instanceof MonitorOverrun)) console.log(m.name, m.attrs.saddr4);   // "MPTCP_EVENT_CREATED" "10.0.0.1"
 * }
 * ```
 */
export function registerGenlFamily(spec: GenlFamilySpec): void {
  registry.set(spec.name, spec);
}

const NLCTRL: GenlFamilySpec = {
  name: "nlctrl",
  version: CTRL_VERSION_GET,
  messages: new Map([[CTRL_CMD.NEWFAMILY, { name: "CTRL_CMD_NEWFAMILY", attrs: ctrlAttrs }]]),
};

const headerOnly: MessageDef = { name: "genlmsghdr", header: genlmsghdr, attrs: unknownAttrs };

/**
 * A message of family `id` (any other nlmsg_type is undefined), decoded by the spec's table of its
 * command; a command the spec does not list keeps its attributes raw (`attrs.unknown`).
 *
 * @example
 * ```ts
 * import { readFileSync } from "node:fs";
 * const decode = genlDecoder(ETHTOOL_FAMILY, (await genl.family("ethtool")).id);
 * const datagram = readFileSync("ethtool-reply.bin");   // one datagram, e.g. from an nlmon capture
 * for (const msg of splitMessages(datagram)) {
 *   const m = decode(msg, 0, msg.length);   // undefined for nlctrl's and the acks
 *   if (m) console.log(m.name, m.attrs);   // "ETHTOOL_MSG_LINKSTATE_GET_REPLY" { header: { devIndex: 3, devName: "veth1" }, link: 0 }
 * }
 * ```
 */
export function genlDecoder(spec: GenlFamilySpec, id: number): Decoder<GenlMessage | undefined> {
  const defs = new Map<number, MessageDef>();
  const defOf = (cmd: number): MessageDef => {
    let d = defs.get(cmd);
    if (!d) defs.set(cmd, d = { name: "genlmsghdr", header: genlmsghdr, attrs: spec.messages.get(cmd)?.attrs ?? unknownAttrs });
    return d;
  };
  return (buf, start, len) => {
    const head = decodeParts<{ cmd?: number; version?: number }>(buf, start, len, headerOnly, []);
    if (head.type !== id) return undefined;
    const cmd = head.header.cmd ?? 0;
    const m = decodeParts(buf, start, len, defOf(cmd));
    const out: GenlMessage = { family: spec.name, cmd, version: head.header.version ?? 0, attrs: m.attrs };
    const name = spec.messages.get(cmd)?.name;
    if (name !== undefined) out.name = name;
    return out;
  };
}

function familyView(a: Record<string, any>): GenlFamily {
  return {
    name: a.familyName ?? "",
    id: a.familyId ?? 0,
    version: a.version ?? 0,
    hdrsize: a.hdrsize ?? 0,
    maxAttr: a.maxattr ?? 0,
    ops: ((a.ops ?? []) as Record<string, any>[]).map((o) => ({ id: o.id ?? 0, flags: o.flags ?? 0 })),
    mcastGroups: ((a.mcastGroups ?? []) as Record<string, any>[]).map((g) => ({ name: g.name ?? "", id: g.id ?? 0 })),
  };
}

const ctrlDecode = genlDecoder(NLCTRL, GENL_ID_CTRL);
const decodeFamily: Decoder<GenlFamily | undefined> = (buf, start, len) => {
  const m = ctrlDecode(buf, start, len);
  return m?.cmd === CTRL_CMD.NEWFAMILY ? familyView(m.attrs) : undefined;
};

const GENL_NAMSIZ = 16;

function familyKey(family: unknown): { familyName: string } | { familyId: number } {
  if (typeof family === "number") {
    if (!Number.isInteger(family) || family < GENL_ID_CTRL || family > 0xffff) throw new NlkitInputError(`invalid family id ${family}`, "family");
    return { familyId: family };
  }
  if (typeof family !== "string" || family === "" || Buffer.byteLength(family) >= GENL_NAMSIZ) {
    throw new NlkitInputError(`family name must be a string of 1 to ${GENL_NAMSIZ - 1} bytes`, "family");
  }
  return { familyName: family };
}

/**
 * A generic netlink handle bound to one network namespace: lists families (`genl ctrl list`), resolves
 * one by name through nlctrl once and caches it for the handle's life, sends its commands by family
 * name, and joins its multicast groups by name with `monitor()`. An absent family rejects with
 * `NetlinkError` ENOENT.
 *
 * @example
 * ```ts
 * import { Genl } from "nlkit";
 * const g = await Genl.open({ netns: "ns1" });
 * const families = await g.families();     // name, id, version, ops, mcastGroups
 * const ethtool = await g.family("ethtool");
 * g.close();
 * ```
 */
export class Genl {
  /** The generic netlink socket this handle sends through. */
  readonly socket: NetlinkSocket;
  private readonly cache = new Map<string, GenlFamily>();
  private readonly defs = new WeakMap<GenlCommand, Map<number, MessageDef>>();
  private readonly decoders = new WeakMap<GenlFamilySpec, Map<number, Decoder<GenlMessage | undefined>>>();

  /** Opens a handle in the namespace `opts` names (default the current one), or over `opts.transport`. */
  static async open(opts: GenlOptions = {}): Promise<Genl> {
    return Genl.openSync(opts);
  }

  /** `open()` without the promise. */
  static openSync(opts: GenlOptions = {}): Genl {
    return new Genl(openSocket(NETLINK_GENERIC, opts), opts);
  }

  private constructor(socket: NetlinkSocket, private readonly opts: GenlOptions) {
    this.socket = socket;
  }

  /** Every family registered in the namespace, as `genl ctrl list` lists them; refreshes the cache. */
  async families(opts?: CallOptions): Promise<GenlFamily[]> {
    const req = this.ctrlRequest(CTRL_VERSION_DUMP, undefined);
    const rows = (await this.socket.dump(req, decodeFamily, opts)).filter((f): f is GenlFamily => f !== undefined);
    this.cache.clear();
    for (const f of rows) this.cache.set(f.name, f);
    return rows;
  }

  /** One family by name (cached) or id; the kernel answers ENOENT (a NetlinkError) when there is none. */
  async family(family: string | number, opts?: CallOptions): Promise<GenlFamily> {
    const key = familyKey(family);
    if ("familyName" in key) {
      const hit = this.cache.get(key.familyName);
      if (hit) return hit;
    } else {
      for (const f of this.cache.values()) if (f.id === key.familyId) return f;
    }
    const [row] = await this.socket.request(this.ctrlRequest(CTRL_VERSION_GET, key), decodeFamily, opts);
    if (!row) throw new NlkitInputError(`nlctrl sent no family for ${JSON.stringify(family)}`, "family", "ENOENT");
    this.cache.set(row.name, row);
    return row;
  }

  /** Sends one command of a family and resolves with its reply messages ([] for a plain ack). */
  async request<A = AttrValues>(spec: GenlFamilySpec, command: GenlCommand, attrs: Record<string, unknown>, opts?: CallOptions): Promise<GenlMessage<A>[]> {
    const fam = await this.family(spec.name, opts);
    const rows = await this.socket.request(this.familyRequest(spec, command, fam.id, attrs), this.decoderOf(spec, fam.id), opts);
    return rows.filter((r) => r !== undefined) as GenlMessage<A>[];
  }

  /** A dump of one command of a family. */
  async dump<A = AttrValues>(spec: GenlFamilySpec, command: GenlCommand, attrs: Record<string, unknown>, opts?: CallOptions): Promise<GenlMessage<A>[]> {
    const fam = await this.family(spec.name, opts);
    const rows = await this.socket.dump(this.familyRequest(spec, command, fam.id, attrs), this.decoderOf(spec, fam.id), opts);
    return rows.filter((r) => r !== undefined) as GenlMessage<A>[];
  }

  /**
   * A family's multicast group joined by name, as an async iterator of decoded notifications.
   * `family` is a registered family's name (its messages are decoded by its tables; any other
   * family's attributes are kept raw) or a spec. Await `ready` before causing the events you
   * want to see: it resolves once the group is joined.
   */
  monitor(family: string | GenlFamilySpec, group: string, opts: GenlMonitorOptions = {}): GenlMonitor {
    const spec: GenlFamilySpec = typeof family === "string"
      ? registry.get(family) ?? { name: family, version: 0, messages: new Map() }
      : family;
    return new GenlMonitor(async () => {
      const fam = await this.family(spec.name, opts);
      const grp = fam.mcastGroups.find((g) => g.name === group);
      if (!grp) {
        const have = fam.mcastGroups.map((g) => g.name).join(", ") || "none";
        throw new NlkitInputError(`family "${fam.name}" has no multicast group "${group}" (it has: ${have})`, "group", "ENOENT");
      }
      const { socket, owned } = this.monitorSocket(opts);
      try {
        socket.joinGroup(grp.id);
      } catch (e) {
        if (owned) socket.close();
        throw e;
      }
      return { socket, owned, group: grp.id, decode: this.decoderOf(spec, fam.id) };
    });
  }

  /** Closes the socket. */
  close(): void {
    this.socket.close();
    this.cache.clear();
  }

  /** A socket of its own for a monitor; over a handle's scripted transport, that same transport. */
  private monitorSocket(opts: GenlMonitorOptions): { socket: NetlinkSocket; owned: boolean } {
    const transport: Transport | undefined = opts.transport;
    if (transport) return { socket: new NetlinkSocket(transport, { protocol: NETLINK_GENERIC }), owned: true };
    if (this.opts.transport) return { socket: new NetlinkSocket(this.opts.transport, { protocol: NETLINK_GENERIC }), owned: false };
    const { transport: _t, ...ns } = this.opts;
    const extra = opts.receiveBufferSize ? { receiveBufferSize: opts.receiveBufferSize } : {};
    return { socket: openSocket(NETLINK_GENERIC, { ...ns, ...extra }), owned: true };
  }

  private ctrlRequest(version: number, key: Record<string, unknown> | undefined): Request {
    return tableRequest(ctrlDef, GENL_ID_CTRL, 0, { cmd: CTRL_CMD.GETFAMILY, version }, key);
  }

  private familyRequest(spec: GenlFamilySpec, command: GenlCommand, id: number, attrs: Record<string, unknown>): Request {
    let byId = this.defs.get(command);
    if (!byId) this.defs.set(command, byId = new Map());
    let def = byId.get(id);
    if (!def) byId.set(id, def = { name: "genlmsghdr", header: genlmsghdr, attrs: command.attrs, typeNames: new Map([[id, command.name]]) });
    return tableRequest(def, id, 0, { cmd: command.cmd, version: spec.version }, attrs);
  }

  private decoderOf(spec: GenlFamilySpec, id: number): Decoder<GenlMessage | undefined> {
    let byId = this.decoders.get(spec);
    if (!byId) this.decoders.set(spec, byId = new Map());
    let d = byId.get(id);
    if (!d) byId.set(id, d = genlDecoder(spec, id));
    return d;
  }
}

const ctrlDef: MessageDef = {
  name: "genlmsghdr", header: genlmsghdr, attrs: ctrlAttrs, typeNames: new Map([[GENL_ID_CTRL, "CTRL_CMD_GETFAMILY"]]),
};
