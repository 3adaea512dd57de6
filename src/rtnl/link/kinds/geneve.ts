import { attrSet, enumDef, type AttrValues } from "../../../netlink/attrs.js";
import { NlkitInputError } from "../../../netlink/errors.js";
import { parseIp } from "../../../netlink/ip.js";
import { struct } from "../../../netlink/struct.js";
import { defineKind } from "./kind.js";

export const geneveDf = enumDef("geneve df", { unset: 0, set: 1, inherit: 2 });
export const genevePortRange = struct("ifla_geneve_port_range", [["low", "u16be"], ["high", "u16be"]]);

/** IFLA_GENEVE_* */
export const geneveAttrs = attrSet("geneve", "IFLA_GENEVE_", {
  id: [1, "u32"],
  remote: [2, "ip"],
  ttl: [3, "u8"],
  tos: [4, "u8"],
  port: [5, "u16", { be: true }],
  collectMetadata: [6, "flag"],
  remote6: [7, "ip"],
  udpCsum: [8, "u8"],
  udpZeroCsum6Tx: [9, "u8"],
  udpZeroCsum6Rx: [10, "u8"],
  label: [11, "u32", { be: true }],
  ttlInherit: [12, "u8"],
  df: [13, "u8", { enum: geneveDf }],
  innerProtoInherit: [14, "flag"],
  portRange: [15, "struct", { struct: genevePortRange }],
});

/**
 * Options of a Geneve tunnel link (`ip link add type geneve id N remote ADDR`).
 *
 * @example
 * ```ts
 * const geneve: GeneveOptions = { id: 1000, remote: "198.51.100.7", ttl: 64 };
 * await rt.link.add({ name: "gnv0", kind: "geneve", geneve, up: true });   // UDP port 6081
 * ```
 */
export interface GeneveOptions {
  /** The VNI, 0..16777215 (ip's id or vni). */
  id: number;
  /** The far end's IPv4 or IPv6 address (IFLA_GENEVE_REMOTE or REMOTE6). */
  remote?: string;
  /** UDP destination port; left out, the kernel uses 6081 */
  port?: number;
  /** TTL of the outer packets; 0, the default, takes the route's hop limit (ip's ttl auto). */
  ttl?: number;
  /** TOS of the outer packets; 1 copies the inner packet's (ip's tos inherit); default 0. */
  tos?: number;
}

export const geneve = defineKind({
  kind: "geneve",
  data: geneveAttrs,
  optionsKey: "geneve",
  // ip's order, and like ip it always sends label, ttl and tos (0 is the kernel's default for each)
  encode(o: GeneveOptions) {
    if (!o || !Number.isInteger(o.id) || o.id < 0 || o.id >= 1 << 24) throw new NlkitInputError("geneve.id must be a VNI between 0 and 16777215", "geneve.id");
    const r = o.remote === undefined ? undefined : parseIp(o.remote);
    if (o.remote !== undefined && !r) throw new NlkitInputError(`invalid IP address "${o.remote}"`, "geneve.remote");
    return {
      id: o.id,
      remote: r && r.family === 4 ? o.remote : undefined,
      remote6: r && r.family === 6 ? o.remote : undefined,
      label: 0,
      ttl: o.ttl ?? 0,
      tos: o.tos ?? 0,
      port: o.port,
    };
  },
  ipJson(d: AttrValues) {
    const out: Record<string, unknown> = {};
    if (d.id !== undefined) out.id = d.id;
    if (d.remote ?? d.remote6) out.remote = d.remote ?? d.remote6;
    if (d.ttl) out.ttl = d.ttl;
    if (d.port !== undefined) out.port = d.port;
    return out;
  },
});
