import type { AttrSet, AttrValues } from "../../../netlink/attrs.js";
import type { BuildContext, NetnsRefLike } from "../../context.js";

/** What a kind's encoder may ask of the verb that runs it: device indexes and namespace fds. */
export type KindContext = BuildContext;
export type { NetnsRefLike };

/** ip -j prints devices by name where it can resolve them. */
export type IndexNames = (index: number) => string | undefined;

/** One link kind: its IFLA_INFO_DATA table and the mapping from typed options to attributes. */
export interface LinkKindDef {
  /** IFLA_INFO_KIND */
  readonly kind: string;
  readonly data?: AttrSet;
  /** IFLA_INFO_SLAVE_DATA of the ports of a master of this kind (bridge ports, bond slaves). */
  readonly slaveData?: AttrSet;
  /** The key of the add() spec that holds this kind's options ("vxlan", "bridge", ...). */
  readonly optionsKey?: string;
  /** Typed options to IFLA_INFO_DATA values, in the order iproute2 sends them; undefined: no data. */
  encode?(opts: any, ctx: KindContext): Record<string, unknown> | undefined;
  /**
   * IFLA_INFO_DATA values that change an existing link of this kind (`ip link set DEV type KIND
   * ...`): only what is given, none of the creation defaults. Kinds without it cannot be changed in place.
   */
  change?(opts: any, ctx: KindContext): Record<string, unknown>;
  /** The set() option key holding the port options of this kind's ports ("bridgeSlave"). */
  readonly slaveOptionsKey?: string;
  /** Port options to IFLA_INFO_SLAVE_DATA values, in the order iproute2 sends them. */
  slaveChange?(opts: any, ctx: KindContext): Record<string, unknown>;
  /** Decoded IFLA_INFO_DATA to ip -j -d "info_data". */
  ipJson?(data: AttrValues, names: IndexNames): Record<string, unknown>;
  /** Decoded IFLA_INFO_SLAVE_DATA to ip -j -d "info_slave_data". */
  slaveIpJson?(data: AttrValues, names: IndexNames): Record<string, unknown>;
}

export function defineKind(def: LinkKindDef): LinkKindDef {
  return def;
}
