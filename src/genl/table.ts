import { attrSet } from "../netlink/attrs.js";
import { struct } from "../netlink/struct.js";

// Generic netlink on the wire (linux/genetlink.h): every message is struct genlmsghdr, then the
// family's attributes; nlmsg_type is the family's id, which nlctrl (the controller, id 0x10)
// hands out at registration. Families are found by name through nlctrl.

/** struct genlmsghdr: the command, the family's interface version, two reserved bytes. */
export const genlmsghdr = struct("genlmsghdr", [["cmd", "u8"], ["version", "u8"], ["reserved", "u16"]]);

/**
 * nlctrl's fixed id (GENL_ID_CTRL = NLMSG_MIN_TYPE).
 *
 * @example
 * ```ts
 * const ctrl = await genl.family(GENL_ID_CTRL);   // genl ctrl get id 0x10
 * console.log(ctrl.name, ctrl.mcastGroups);       // "nlctrl" [{ name: "notify", id: 16 }]
 * ```
 */
export const GENL_ID_CTRL = 0x10;

/** CTRL_CMD_* by their UAPI suffix. */
export const CTRL_CMD = {
  NEWFAMILY: 1, DELFAMILY: 2, GETFAMILY: 3, NEWOPS: 4, DELOPS: 5, GETOPS: 6,
  NEWMCAST_GRP: 7, DELMCAST_GRP: 8, GETMCAST_GRP: 9, GETPOLICY: 10,
} as const;

/**
 * GENL_* operation flags (CTRL_ATTR_OP_FLAGS), in the order `genl ctrl list` names them.
 *
 * @example
 * ```ts
 * const { ops } = await genl.family("ethtool");
 * for (const op of ops) {
 *   const caps = Object.entries(GENL_OP_FLAGS).filter(([, bit]) => op.flags & bit).map(([name]) => name);
 *   console.log(`ID-0x${op.id.toString(16)}`, caps.join(" "));   // "ID-0x1 CMD_CAP_DO CMD_CAP_DUMP CMD_CAP_HASPOL"
 * }
 * ```
 */
export const GENL_OP_FLAGS = {
  /** GENL_ADMIN_PERM: the command needs CAP_NET_ADMIN in the initial user namespace. */
  ADMIN_PERM: 0x01,
  /** GENL_CMD_CAP_DO: the command can be sent as a plain request. */
  CMD_CAP_DO: 0x02,
  /** GENL_CMD_CAP_DUMP: the command can be sent as a dump (NLM_F_DUMP). */
  CMD_CAP_DUMP: 0x04,
  /** GENL_CMD_CAP_HASPOL: the command has an attribute policy (`genl ctrl policy` can show it). */
  CMD_CAP_HASPOL: 0x08,
  /** GENL_UNS_ADMIN_PERM: the command needs CAP_NET_ADMIN in the user namespace owning the netns. */
  UNS_ADMIN_PERM: 0x10,
} as const;

export const ctrlOpAttrs = attrSet("ctrl-op", "CTRL_ATTR_OP_", {
  id: [1, "u32"],
  flags: [2, "u32"],
}, { nestFlag: true });

export const ctrlMcastGrpAttrs = attrSet("ctrl-mcast-grp", "CTRL_ATTR_MCAST_GRP_", {
  name: [1, "string"],
  id: [2, "u32"],
}, { nestFlag: true });

export const ctrlAttrs = attrSet("ctrl", "CTRL_ATTR_", {
  familyId: [1, "u16"],
  familyName: [2, "string"],
  version: [3, "u32"],
  hdrsize: [4, "u32"],
  maxattr: [5, "u32"],
  // indexed arrays: element n is nested under type n
  ops: [6, "array", { set: ctrlOpAttrs }],
  mcastGroups: [7, "array", { set: ctrlMcastGrpAttrs }],
  // policy dumps (CTRL_CMD_GETPOLICY) are kept as they come
  policy: [8, "binary"],
  opPolicy: [9, "binary"],
  op: [10, "u32"],
}, { nestFlag: true });

/**
 * nlctrl's interface version as requests state it. The controller ignores it; `genl ctrl list`
 * writes 0 and ethtool's family lookup 1, and nlkit writes what each of them does.
 */
export const CTRL_VERSION_DUMP = 0;
export const CTRL_VERSION_GET = 1;
